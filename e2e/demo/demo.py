#!/usr/bin/env python3
"""The `make demo` walk-through (see e2e/demo/run): everything a user needs to see, printed
kubectl-style from the emulator's API (standard library only)."""

import os
import shutil
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'e2e', 'daemon'))

from lib import Daemon, Emulator, cond, load_yaml_json, tmpdir, wait_for  # noqa: E402

SAMPLES = os.path.join(ROOT, 'e2e', 'samples')
NS = 'default'
T = 60


def say(msg):
	print('\n\033[1m== %s\033[0m' % msg if sys.stdout.isatty() else '\n== %s' % msg, flush=True)


def table(rows, head):
	w = [max(len(str(r[i])) for r in [head] + rows) for i in range(len(head))]
	for r in [head] + rows:
		print('  ' + '   '.join(str(c).ljust(w[i]) for i, c in enumerate(r)).rstrip())
	sys.stdout.flush()


def apply_sample(k, name):
	for o in load_yaml_json(os.path.join(SAMPLES, name)):
		try:
			cur = k.get(o['kind'], o['metadata'].get('namespace'), o['metadata']['name'])
		except Exception:
			cur = None
		if cur is None:
			k.create(o)
		else:
			o['metadata']['resourceVersion'] = cur['metadata']['resourceVersion']
			from lib import path_of
			k.request('PUT', path_of(o['kind'], o['metadata'].get('namespace'), o['metadata']['name']), o)
		print('  %s/%s applied (%s)' % (o['kind'].lower(), o['metadata']['name'], name))


def show_placements(k):
	rows = []
	for p in k.list('Placement', NS):
		n = p['metadata']['name']
		decided = sorted(d['clusterName'] for pd in k.list('PlacementDecision', NS,
					selector='cluster.open-cluster-management.io/placement=' + n)
				for d in pd.get('status', {}).get('decisions', []))
		sat = cond(p, 'PlacementSatisfied') or {}
		rows.append([n, sat.get('status', '?'), ','.join(decided) or '-'])
	print('kubectl get placements,placementdecisions -n default')
	table(rows, ['PLACEMENT', 'SATISFIED', 'DECISIONS'])


def show_works(k):
	rows = []
	for w in k.list('ManifestWork', selector='app.kubernetes.io/managed-by=choreo-ocm'):
		a = cond(w, 'Applied') or {}
		av = cond(w, 'Available') or {}
		rows.append([w['metadata']['namespace'], w['metadata']['name'],
			     len(w['spec']['workload']['manifests']), a.get('status', '-'), av.get('status', '-')])
	print('kubectl get manifestworks -A -l app.kubernetes.io/managed-by=choreo-ocm')
	table(sorted(rows) or [['-', '-', '-', '-', '-']], ['CLUSTER', 'WORK', 'MANIFESTS', 'APPLIED', 'AVAILABLE'])


def show_workloads(emu):
	rows = []
	for c in ('dp-east', 'dp-west'):
		for d in emu.admin.spoke_objects(c, 'Deployment'):
			st = d.get('status', {})
			img = d['spec']['template']['spec']['containers'][0]['image'].rsplit('/', 1)[-1]
			rows.append([c, d['metadata']['name'], '%s/%s' % (st.get('readyReplicas', 0), d['spec'].get('replicas', 1)),
				     img])
	print('kubectl --context <cluster> get deployments -A   (on the data planes)')
	table(rows or [['-', '-', '-', '-']], ['CLUSTER', 'DEPLOYMENT', 'READY', 'IMAGE'])


def show_releases(k):
	rows = []
	for kind in ('RenderedRelease', 'Release'):
		for r in k.list(kind, NS):
			res = r.get('status', {}).get('resources', [])
			health = {x.get('healthStatus', '?') for x in res}
			worst = next((h for h in ('Degraded', 'Progressing', 'Unknown', 'Suspended', 'Healthy') if h in health), '-')
			ap = cond(r, 'ResourcesApplied') or {}
			sc = cond(r, 'Scheduled') or {}
			fin = cond(r, 'Finalizing')
			rows.append([kind, r['metadata']['name'], r['metadata'].get('generation'), worst,
				     '%s(%s)' % (ap.get('status', '-'), ap.get('reason', '')), sc.get('message', '-')[:40],
				     ('deleting: ' + fin.get('message', ''))[:50] if fin else ''])
	print('kubectl get releases,renderedreleases -n default')
	table(rows or [['-'] * 7], ['KIND', 'NAME', 'GEN', 'HEALTH', 'RESOURCESAPPLIED', 'SCHEDULED', ''])


def healthy(k, kind, name):
	r = k.get_or_none(kind, NS, name)
	if r is None:
		return None
	ap = cond(r, 'ResourcesApplied')
	res = r.get('status', {}).get('resources', [])
	ok = ap and ap['status'] == 'True' and ap.get('observedGeneration') == r['metadata']['generation'] and res and \
		all(x.get('healthStatus') == 'Healthy' for x in res)
	return r if ok else None


def main():
	binary = os.path.abspath(sys.argv[1])
	signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
	work = tmpdir('choreo-ocm-demo-')
	emu = daemon = None
	ok = False
	try:
		say('starting the emulator: OCM hub + data-plane clusters dp-east and dp-west')
		emu = Emulator(work, ['dp-east', 'dp-west'], labels={'dp-east': {'openchoreo.dev/plane-id': 'dp-east'},
								  'dp-west': {'openchoreo.dev/plane-id': 'dp-west'}},
			       agent_sync=0.3, rollout=2)
		k = emu.kube
		k.ensure_namespace('choreo-ocm-system')
		table([[c['metadata']['name'], c['metadata']['labels'].get('openchoreo.dev/plane-id', ''),
			(cond(c, 'ManagedClusterConditionAvailable') or {}).get('status', '?')]
		       for c in k.list('ManagedCluster')], ['MANAGEDCLUSTER', 'PLANE-ID', 'AVAILABLE'])

		say('starting choreo-ocm run (the hub add-on)')
		daemon = Daemon(binary, emu, extra=('--resync', '30s'), name='choreo-ocm')
		daemon.wait_ready(T)
		print('  /readyz is 200: caches synced (log: %s)' % daemon.logpath)

		say('applying the samples: opted-in DataPlanes, Environments, a service in two environments')
		for s in ('10-dataplane-east.yaml', '11-dataplane-multi.yaml', '20-environment-development.yaml',
			  '21-environment-production.yaml', '30-renderedrelease-greeter-development.yaml',
			  '32-release-greeter-production.yaml'):
			apply_sample(k, s)

		say('the add-on creates a Placement per DataPlane; OCM decides the clusters')
		wait_for(lambda: len(k.list('Placement', NS)) >= 2, T, what='placements')
		time.sleep(1)
		show_placements(k)

		say('one ManifestWork per Release and cluster; the work agents roll the workloads out')
		wait_for(lambda: len(k.list('ManifestWork', selector='app.kubernetes.io/managed-by=choreo-ocm')) >= 3, T,
			 what='works')
		show_works(k)
		time.sleep(1)
		show_workloads(emu)
		show_releases(k)

		say('the Releases turn Healthy with ResourcesApplied=True')
		wait_for(lambda: healthy(k, 'RenderedRelease', 'greeter-development') and
			 healthy(k, 'Release', 'greeter-production'), T, what='Healthy releases')
		show_workloads(emu)
		show_releases(k)

		say('scale: greeter-development v2 (2 replicas, new GREETING)')
		apply_sample(k, '31-renderedrelease-greeter-development-v2.yaml')
		gen = k.get('RenderedRelease', NS, 'greeter-development')['metadata']['generation']
		time.sleep(1)
		show_works(k)
		wait_for(lambda: (healthy(k, 'RenderedRelease', 'greeter-development') or {}).get(
			'metadata', {}).get('generation') == gen, T, what='v2 Healthy')
		show_workloads(emu)
		show_releases(k)

		say('break: a new production image that never becomes ready (the rollout exceeds its deadline)')
		r = k.get('Release', NS, 'greeter-production')
		for res in r['spec']['resources']:
			if res['object']['kind'] == 'Deployment':
				res['object']['metadata'].setdefault('annotations', {})['emulator.choreo-ocm.dev/fail'] = 'ProgressDeadlineExceeded'
				res['object']['spec']['template']['spec']['containers'][0]['image'] += '-broken'
		from lib import path_of
		k.request('PUT', path_of('Release', NS, 'greeter-production'), r)

		def degraded():
			r = k.get('Release', NS, 'greeter-production')
			return any(x.get('healthStatus') == 'Degraded' for x in r.get('status', {}).get('resources', []))
		wait_for(degraded, T, what='Degraded')
		show_workloads(emu)
		show_releases(k)
		evs = [e for e in k.list('Event', NS) if e['involvedObject'].get('name') in ('greeter-production',
											      'greeter-development')]
		print('kubectl get events -n default --field-selector involvedObject.kind=Release...')
		table([[e['involvedObject']['name'], e['type'], e['reason'], e.get('count', 1), e['message'][:60]]
		       for e in evs], ['OBJECT', 'TYPE', 'REASON', 'COUNT', 'MESSAGE'])

		say('delete: the works are deleted, the agents remove the workloads, then the finalizer goes')
		k.delete('RenderedRelease', NS, 'greeter-development')
		k.delete('Release', NS, 'greeter-production')
		time.sleep(0.5)
		show_releases(k)
		wait_for(lambda: not k.list('RenderedRelease', NS) and not k.list('Release', NS), T, what='releases gone')
		show_works(k)
		show_workloads(emu)
		show_releases(k)

		say('stopping the daemon (SIGTERM: drain, release, exit 0)')
		rc = daemon.stop()
		daemon = None
		print('  choreo-ocm exited with %d' % rc)
		ok = rc == 0
	finally:
		if daemon is not None:
			daemon.kill()
		if emu is not None:
			emu.stop()
		if ok:
			shutil.rmtree(work, ignore_errors=True)
		else:
			print('demo: FAILED; logs in %s' % work, file=sys.stderr)
	say('done')
	return 0 if ok else 1


if __name__ == '__main__':
	sys.exit(main())
