#!/usr/bin/env python3
"""Renders the project's golden inputs with `choreo-ocm render -o json` and checks every
ManifestWork, Placement and ManagedClusterSetBinding it prints against what a real OCM hub
enforces:
  - the structural schema of the project's own OCM CRD copies (e2e/emulator/crds/ocm/), using
    the emulator's schema processor (e2e/emulator/schema.py): no validation error and no
    pruned (unknown) field;
  - the hub webhooks (e2e/emulator/webhooks.py): manifests non-empty, <= 512000 bytes as Go
    serialises them, names set, no generateName, no duplicates; binding name == clusterSet;
  - names: works are DNS-1123 subdomains (<= 253), Placements are <= 63 (they label decisions),
    label values are valid.
It also renders a generated ~700 KiB Release and checks that it splits into valid parts.

usage: validate.py CHOREO_OCM SOURCE_DIR
Exit 0 when everything validated (the summary says what), 1 on a violation, 77 (skip) when the
emulator's schema processor or CRD copies are not there yet.
"""

import copy
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

SKIP = 77
LABEL_VALUE = re.compile(r'^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$')
SUBDOMAIN = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')


def main():
	if len(sys.argv) != 3:
		print(__doc__)
		return 2
	binary, src = sys.argv[1], sys.argv[2]
	emu = os.path.join(src, 'e2e', 'emulator')
	crd_dir = os.path.join(emu, 'crds', 'ocm')
	missing = [p for p in (os.path.join(emu, 'schema.py'), os.path.join(emu, 'webhooks.py'),
			       os.path.join(emu, 'yamlmini.py'), crd_dir) if not os.path.exists(p)]
	if missing:
		print('SKIP: not there yet: ' + ', '.join(missing))
		return SKIP
	sys.path.insert(0, emu)
	import schema  # noqa: E402  (the emulator's structural-schema processor)
	import webhooks  # noqa: E402
	import yamlmini  # noqa: E402

	schemas = {}
	for f in sorted(glob.glob(os.path.join(crd_dir, '*.yaml'))):
		with open(f) as fh:
			for crd in yamlmini.load_all(fh.read()):
				if not isinstance(crd, dict) or crd.get('kind') != 'CustomResourceDefinition':
					continue
				spec = crd['spec']
				for v in spec.get('versions') or []:
					schemas[(spec['group'] + '/' + v['name'], spec['names']['kind'])] = \
						v['schema']['openAPIV3Schema']
	wanted = [('work.open-cluster-management.io/v1', 'ManifestWork'),
		  ('cluster.open-cluster-management.io/v1beta1', 'Placement'),
		  ('cluster.open-cluster-management.io/v1beta2', 'ManagedClusterSetBinding')]
	absent = [k for k in wanted if k not in schemas]
	if absent:
		print('SKIP: CRD copies in %s lack %s' % (crd_dir, absent))
		return SKIP

	mw = os.path.join(src, 'tests', 'data', 'manifestwork')
	cli = os.path.join(src, 'tests', 'data', 'hub-addon', 'render')
	runs = []
	for f in sorted(glob.glob(os.path.join(mw, '*.release.json'))):
		runs.append((os.path.basename(f), [f, '--cluster', 'cluster-a']))
	runs.append(('release+placement+decisions',
		     [os.path.join(cli, n) for n in ('release.yaml', 'environment.yaml', 'dataplane.yaml',
						      'decisions.yaml')]))
	runs.append(('list.json', [os.path.join(cli, 'list.json'), '--cluster', 'c1']))
	with tempfile.TemporaryDirectory() as tmp:
		runs.extend(placement_runs(tmp, os.path.join(src, 'tests', 'data', 'placement',
							    'objects.json')))
		big = os.path.join(tmp, 'big.json')
		with open(big, 'w') as fh:
			json.dump(big_release(), fh)
		runs.append(('700KiB release', [big, '--cluster', 'cluster-a']))

		counts = {}
		failures = []
		split_parts = 0
		for name, args in runs:
			cmd = [binary, 'render', '-o', 'json']
			for a in args:
				cmd += (['-f', a] if not a.startswith('--') and (os.sep in a) else [a])
			p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
			if p.returncode != 0:
				failures.append('%s: render exit %d: %s' % (name, p.returncode, p.stderr.strip()))
				continue
			items = json.loads(p.stdout)['items']
			for it in items:
				key = (it['apiVersion'], it['kind'])
				counts[it['kind']] = counts.get(it['kind'], 0) + 1
				for e in check(it, schemas.get(key), schema, webhooks):
					failures.append('%s: %s %s/%s: %s' % (name, it['kind'],
						it['metadata'].get('namespace'), it['metadata'].get('name'), e))
			if name.startswith('executor '):
				want = EXECUTOR_RUNS[name[len('executor '):]]
				ws = [it for it in items if it['kind'] == 'ManifestWork']
				if not ws or any(((w['spec'].get('executor') or {}).get('subject') or {})
						 .get('serviceAccount') != want for w in ws):
					failures.append('%s: works lack spec.executor %r' % (name, want))
			if name == '700KiB release':
				split_parts = sum(1 for it in items if it['kind'] == 'ManifestWork')
				if split_parts < 2:
					failures.append('700KiB release: expected a split, got %d work(s)' % split_parts)
	for f in failures:
		print('FAIL ' + f)
	print('validated %s from %d render runs against %s (schema.py + webhooks.py); '
	      'the 700 KiB Release split into %d parts'
	      % (', '.join('%d %s' % (n, k) for k, n in sorted(counts.items())), len(runs),
		 os.path.relpath(crd_dir, src), split_parts))
	return 1 if failures else 0


def placement_runs(tmp, objects_path):
	"""One run per plane in the placement test objects, each with a tiny Release."""
	with open(objects_path) as fh:
		objs = json.load(fh)
	runs = []
	for i, o in enumerate(objs):
		if not o['kind'].endswith('Plane'):
			continue
		obs = 'Observability' in o['kind']
		rel = {'apiVersion': 'openchoreo.dev/v1alpha1', 'kind': 'Release',
		       'metadata': {'name': 'r', 'namespace': o['metadata'].get('namespace', 'default'),
				    'uid': 'u-1'},
		       'spec': {'environmentName': 'none',
				'targetPlane': 'observabilityplane' if obs else 'dataplane',
				'resources': [{'id': 'cm', 'object': {'apiVersion': 'v1', 'kind': 'ConfigMap',
						'metadata': {'name': 'c', 'namespace': 'n'}}}]}}
		path = os.path.join(tmp, 'plane%d.json' % i)
		with open(path, 'w') as fh:
			json.dump({'apiVersion': 'v1', 'kind': 'List', 'items': [rel, o]}, fh)
		runs.append(('%s %s' % (o['kind'], o['metadata']['name']), [path, '--cluster', 'c1']))
		# the opt-in executor annotation, both forms, on the first plane (spec.executor)
		for value in ([] if i != first_plane(objs) else list(EXECUTOR_RUNS)):
			eo = copy.deepcopy(o)
			eo['metadata'].setdefault('annotations', {})['ocm.openchoreo.dev/executor'] = value
			epath = os.path.join(tmp, 'plane%d-executor-%d.json' % (i, len(runs)))
			with open(epath, 'w') as fh:
				json.dump({'apiVersion': 'v1', 'kind': 'List', 'items': [rel, eo]}, fh)
			runs.append(('executor ' + value, [epath, '--cluster', 'c1']))
	return runs


# executor annotation value -> the spec.executor service account every work must carry
# ("<sa>" alone: the Release's one namespace, `n` in placement_runs' Release)
EXECUTOR_RUNS = {'ops/applier': {'namespace': 'ops', 'name': 'applier'},
		 'applier': {'namespace': 'n', 'name': 'applier'}}


def first_plane(objs):
	return next(i for i, o in enumerate(objs) if o['kind'].endswith('Plane'))


def big_release():
	res = []
	for i in range(14):
		res.append({'id': 'configmap-blob-%02d' % i, 'object': {
			'apiVersion': 'v1', 'kind': 'ConfigMap',
			'metadata': {'name': 'blob-%02d' % i, 'namespace': 'big'},
			'data': {'blob': ('<x>&' * 12800)}}})  # 50 KiB, HTML-escaped by Go to ~200 KiB
	return {'apiVersion': 'openchoreo.dev/v1alpha1', 'kind': 'RenderedRelease',
		'metadata': {'name': 'big', 'namespace': 'default', 'uid': 'u-2'},
		'spec': {'environmentName': 'dev', 'resources': res}}


def check(obj, sch, schema, webhooks):
	errs = []
	md = obj.get('metadata') or {}
	if sch is None:
		return ['no CRD schema for %s %s' % (obj.get('apiVersion'), obj.get('kind'))]
	e, unknown = schema.process(sch, copy.deepcopy(obj))
	errs += ['%s: %s %s' % x for x in e]
	errs += ['unknown field %s (pruned by the API server)' % u for u in unknown]
	for k, v in (md.get('labels') or {}).items():
		if not isinstance(v, str) or len(v) > 63 or not LABEL_VALUE.match(v):
			errs.append('label %s=%r is not a valid label value' % (k, v))
	name = md.get('name') or ''
	if len(name) > 253 or not SUBDOMAIN.match(name):
		errs.append('name %r is not a DNS-1123 subdomain' % name)
	if obj['kind'] == 'ManifestWork':
		w = webhooks.validate_manifests(((obj.get('spec') or {}).get('workload') or {}).get('manifests'))
		if w:
			errs.append('work webhook: ' + w)
	if obj['kind'] == 'Placement' and len(name) > 63:
		errs.append('Placement name longer than 63 (PlacementDecision label)')
	if obj['kind'] == 'ManagedClusterSetBinding' and name != (obj.get('spec') or {}).get('clusterSet'):
		errs.append('binding name != spec.clusterSet')
	return errs


if __name__ == '__main__':
	sys.exit(main())
