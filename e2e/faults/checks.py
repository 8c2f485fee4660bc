"""What "converged" means, checked against the hub, the spokes and the CLI's own render/fold.

converge_check(world, kube, admin, cli) -> Result with `problems` (strings; empty = converged) and
`lost` (live Releases missing from the hub, works missing for a live Release on a cluster of its
decisions, workloads missing on such a cluster's spoke). For every Release the workload created:

  deleted  gone from the hub, no ManifestWork annotated with it, none of its objects on any spoke;
  live     on the hub with the content the workload last wrote; the PlacementDecisions of its
           DataPlane name exactly the clusters the model expects; exactly the works `choreo-ocm
           render` makes for it and those clusters (names and ocm.openchoreo.dev/content-hash),
           none terminating; its workload on exactly those spokes with the current replicas and
           image; ResourcesApplied True for the current generation and every resource Healthy;
           and its status equal to `choreo-ocm fold` of its works in meaning (per resource
           kind/name/namespace/healthStatus in order, and each condition the fold sets with the
           same status, reason and message; the feedback values of each resource too).
Works managed by choreo-ocm that belong to no Release of the workload are problems too.

audit_deletes(world, entries, users) -> (deletes, unexpected): every successful DELETE of a
ManifestWork by the daemons' users, and those of a live Release on a cluster that was in its
decisions at that moment (model.World.unexpected_delete).
"""

import json
import os
import subprocess

import model

MANAGED = 'app.kubernetes.io/managed-by=choreo-ocm'
CELL = 'dp-default-demo-dev-00000000'
NOW = '2030-01-01T00:00:00Z'


class Result:
	def __init__(self):
		self.problems = []
		self.lost = 0
		self.checked = 0   # objects compared

	def bad(self, msg):
		self.problems.append(msg)


class Cli:
	"""Runs `choreo-ocm render` / `fold` on files in a scratch directory; renders are cached by
	(uid, resourceVersion, clusters)."""

	def __init__(self, binary, workdir):
		self.binary = binary
		self.dir = os.path.join(workdir, 'cli')
		os.makedirs(self.dir, exist_ok=True)
		self.cache = {}
		self.calls = 0

	def _run(self, args):
		self.calls += 1
		p = subprocess.run([self.binary] + args, capture_output=True, text=True, timeout=120)
		if p.returncode != 0:
			raise RuntimeError('choreo-ocm %s: exit %d: %s' % (args[0], p.returncode, p.stderr.strip()[:500]))
		return json.loads(p.stdout)

	def _write(self, name, obj):
		path = os.path.join(self.dir, name)
		with open(path, 'w') as f:
			json.dump(obj, f)
		return path

	def render_hashes(self, rel, clusters):
		"""{(cluster, work name): content-hash} of the works render makes for rel on clusters."""
		md = rel['metadata']
		key = (md['uid'], md['resourceVersion'], tuple(clusters))
		if key not in self.cache:
			args = ['render', '-f', self._write('render-in.json', rel), '-o', 'json']
			for c in clusters:
				args += ['--cluster', c]
			out = {}
			for w in self._run(args).get('items', []):
				if w.get('kind') != 'ManifestWork':
					continue
				m = w['metadata']
				out[(m['namespace'], m['name'])] = m['annotations']['ocm.openchoreo.dev/content-hash']
			self.cache[key] = out
		return self.cache[key]

	def fold(self, rel, works, clusters):
		args = ['fold', '-f', self._write('fold-rel.json', rel), '-o', 'json', '--now', NOW,
			'-w', self._write('fold-works.json', {'apiVersion': 'v1', 'kind': 'List', 'items': works})]
		for c in clusters:
			args += ['--expect-cluster', c]
		return self._run(args)


def _meaning(status):
	res = [(r.get('kind'), r.get('name'), r.get('namespace', ''), r.get('healthStatus'), r.get('status'))
	       for r in (status or {}).get('resources') or []]
	conds = {c.get('type'): (c.get('status'), c.get('reason'), c.get('message'))
		 for c in (status or {}).get('conditions') or []}
	return res, conds


def status_differs(live, folded):
	"""None when the live status means what the fold says, else a short description."""
	lres, lconds = _meaning(live)
	fres, fconds = _meaning(folded)
	if lres != fres:
		return 'resources %r != fold %r' % (lres, fres)
	for t, sr in fconds.items():
		if lconds.get(t) != sr:
			return 'condition %s %r != fold %r' % (t, lconds.get(t), sr)
	return None


def _cond(obj, t):
	for c in (obj.get('status') or {}).get('conditions') or []:
		if c.get('type') == t:
			return c
	return None


def snapshot(kube, admin, world):
	snap = {'releases': {}, 'works': [], 'decisions': {}, 'spoke': {}}
	for kind in model.KINDS:
		for o in kube.list(kind, model.NS):
			snap['releases'][o['metadata']['name']] = o
	snap['works'] = kube.list('ManifestWork', selector=MANAGED)
	for d in kube.list('PlacementDecision', model.NS):
		pl = d['metadata'].get('labels', {}).get('cluster.open-cluster-management.io/placement', '')
		s = snap['decisions'].setdefault(pl, set())
		for x in (d.get('status') or {}).get('decisions') or []:
			s.add(x['clusterName'])
	for c in world.clusters:
		objs = {}
		for kind in ('Deployment', 'ConfigMap', 'Service'):
			for o in admin.spoke_objects(c, kind):
				if o['metadata'].get('namespace') == CELL:
					objs[(kind, o['metadata']['name'])] = o
		snap['spoke'][c] = objs
	return snap


def converge_check(world, kube, admin, cli, with_fold=True):
	res = Result()
	snap = snapshot(kube, admin, world)
	works_of = {}
	for w in snap['works']:
		if (w['metadata'].get('labels') or {}).get('ocm.openchoreo.dev/bootstrap'):
			continue  # the work-agent RBAC work (hub-addon/agent_rbac.h): not a Release's
		rk = (w['metadata'].get('annotations') or {}).get('ocm.openchoreo.dev/release', '')
		works_of.setdefault(rk, []).append(w)
	known = set()
	fold_jobs = []
	for r in sorted(world.releases.values(), key=lambda r: r.name):
		rk = '%s/%s' % (model.NS, r.name)
		known.add(rk)
		obj = snap['releases'].get(r.name)
		works = works_of.get(rk, [])
		res.checked += 1 + len(works)
		if not r.live:
			if obj is not None:
				res.bad('deleted %s %s still on the hub (finalizers %s)' % (
					r.kind, r.name, obj['metadata'].get('finalizers')))
			for w in works:
				res.bad('work %s/%s of deleted %s survives' % (w['metadata']['namespace'], w['metadata']['name'], r.name))
			for c, objs in snap['spoke'].items():
				for (kind, name) in objs:
					if name in (r.name, r.name + '-env'):
						res.bad('%s %s of deleted %s still on %s' % (kind, name, r.name, c))
			continue
		if obj is None or obj['kind'] != r.kind:
			res.lost += 1
			res.bad('live %s %s is missing from the hub' % (r.kind, r.name))
			continue
		want_clusters = world.expected_clusters(r)
		dec = snap['decisions'].get('choreo-dp-' + model.ENVS[r.env], set())
		if sorted(dec) != want_clusters:
			res.bad('%s: decisions %s, expected %s' % (r.name, sorted(dec), want_clusters))
		want = cli.render_hashes(obj, want_clusters)
		have = {(w['metadata']['namespace'], w['metadata']['name']): w for w in works}
		for k in sorted(set(want) - set(have)):
			res.lost += 1
			res.bad('%s: work %s/%s missing' % (r.name, k[0], k[1]))
		for k in sorted(set(have) - set(want)):
			res.bad('%s: unexpected work %s/%s' % (r.name, k[0], k[1]))
		for k in sorted(set(want) & set(have)):
			w = have[k]
			h = (w['metadata'].get('annotations') or {}).get('ocm.openchoreo.dev/content-hash')
			if h != want[k]:
				res.bad('%s: work %s/%s has hash %s, render says %s' % (r.name, k[0], k[1], (h or '')[:12], want[k][:12]))
			if w['metadata'].get('deletionTimestamp'):
				res.bad('%s: work %s/%s is being deleted' % (r.name, k[0], k[1]))
		ra = _cond(obj, 'ResourcesApplied')
		gen = obj['metadata'].get('generation')
		if not ra or ra.get('status') != 'True' or ra.get('observedGeneration') != gen:
			res.bad('%s: ResourcesApplied %r for generation %s' % (r.name, ra and (ra.get('status'), ra.get(
				'reason'), ra.get('observedGeneration')), gen))
		rs = (obj.get('status') or {}).get('resources') or []
		if not rs or any(x.get('healthStatus') != 'Healthy' for x in rs):
			res.bad('%s: not every resource Healthy: %r' % (r.name, [x.get('healthStatus') for x in rs]))
		v = r.version
		for c, objs in snap['spoke'].items():
			dep = objs.get(('Deployment', r.name))
			cm = objs.get(('ConfigMap', r.name + '-env'))
			if c in want_clusters:
				if dep is None:
					res.lost += 1
					res.bad('%s: Deployment missing on %s' % (r.name, c))
					continue
				img = dep['spec']['template']['spec']['containers'][0]['image']
				if dep['spec'].get('replicas') != v['replicas'] or not img.endswith(':' + v['tag']):
					res.bad('%s: Deployment on %s is replicas=%s image=%s' % (r.name, c, dep['spec'].get('replicas'), img))
				if v['cm'] and (cm is None or cm.get('data', {}).get('GREETING') != v['greeting']):
					res.bad('%s: ConfigMap on %s is %r' % (r.name, c, cm and cm.get('data')))
				if not v['cm'] and cm is not None:
					res.bad('%s: ConfigMap removed from the Release still on %s' % (r.name, c))
			elif dep is not None:
				res.bad('%s: Deployment left on %s (not in its decisions)' % (r.name, c))
		fold_jobs.append((r, obj, works, want_clusters))
	for rk, works in works_of.items():
		if rk not in known:
			for w in works:
				res.bad('stray work %s/%s (release %s)' % (w['metadata']['namespace'], w['metadata']['name'], rk))
	if res.problems or not with_fold:
		return res
	for r, obj, works, clusters in fold_jobs:
		folded = cli.fold(obj, works, clusters)
		d = status_differs(obj.get('status'), folded.get('status'))
		if d:
			res.bad('%s: status differs from fold: %s' % (r.name, d))
	return res


def audit_deletes(world, entries, users):
	deletes, unexpected = [], []
	for i, e in enumerate(entries):
		if e.get('user') not in users or e.get('resource') != 'manifestworks':
			continue
		if e.get('verb') not in ('delete', 'deletecollection') or e.get('code') not in (200, 202):
			continue
		deletes.append((i, e))
		if e.get('verb') == 'deletecollection' or world.unexpected_delete(i, e.get('namespace'), e.get('name')):
			unexpected.append((i, e))
	return deletes, unexpected
