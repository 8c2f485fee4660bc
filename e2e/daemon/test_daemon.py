"""End-to-end tests of `choreo-ocm run` on the API emulator.

Each class is one ctest entry with its own emulator (so ctest -j runs them side by side); the
tests of a class run in order (numbered) and build on each other. The daemon binary comes from
$COCM_BIN. Every scenario checks what the daemon wrote, from the emulator's audit log (the
daemon authenticates as its own token user, the test as admin).
"""

import copy
import os
import shutil
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from lib import ApiError, Daemon, Emulator, cond, tmpdir, wait_for  # noqa: E402
import objects as O  # noqa: E402

BIN = os.environ.get('COCM_BIN', '')
FINALIZER = 'ocm.openchoreo.dev/manifestwork-cleanup'
CLUSTERS = ['dp-east', 'dp-west']
LABELS = {'dp-east': {'openchoreo.dev/plane-id': 'dp-east'}, 'dp-west': {'openchoreo.dev/plane-id': 'dp-west'}}
T = 45  # seconds: generous, the machine is small and shared
RBAC_WORK = 'choreo-ocm-work-agent-rbac'


def spoke_role():
	"""The work agent's ClusterRole as shipped (hub-addon/deploy/spoke/), as JSON."""
	from lib import ROOT, load_yaml_json
	docs = load_yaml_json(os.path.join(ROOT, 'hub-addon', 'deploy', 'spoke', 'clusterrole-work-agent.yaml'))
	assert len(docs) == 1
	return docs[0]


class Base(unittest.TestCase):
	users = ('choreo-ocm',)
	daemon_flags = ()
	clusters = CLUSTERS

	@classmethod
	def setUpClass(cls):
		if not BIN or not os.access(BIN, os.X_OK):
			raise unittest.SkipTest('COCM_BIN is not set to the choreo-ocm binary')
		cls.dir = tmpdir('cocm-e2e-%s-' % cls.__name__.lower())
		cls.emu = Emulator(cls.dir, cls.clusters, users=cls.users, labels=LABELS)
		cls.k = cls.emu.kube
		cls.k.ensure_namespace('choreo-ocm-system')
		cls.daemons = []
		cls.ok = False
		cls.start_daemons()

	@classmethod
	def start_daemons(cls):
		cls.d = Daemon(BIN, cls.emu, cls.users[0], cls.daemon_flags)
		cls.daemons.append(cls.d)
		cls.d.wait_ready(T)

	@classmethod
	def tearDownClass(cls):
		codes = []
		for d in cls.daemons:
			try:
				codes.append(d.stop())
			except AssertionError as e:
				codes.append(str(e))
		out = os.environ.get('COCM_AUDIT_OUT')
		if out:  # e2e/daemon/record_calls.py: every request the daemons made
			import json
			with open(out, 'a') as f:
				for e in cls.emu.admin.audit():
					if e.get('user') in cls.users:
						f.write(json.dumps(dict(e, user='choreo-ocm')) + '\n')
		cls.emu.stop()
		if all(c in (0, None) for c in codes) and os.environ.get('COCM_KEEP') is None:
			shutil.rmtree(cls.dir, ignore_errors=True)
		else:
			sys.stderr.write('e2e: daemon exit codes %r; logs kept in %s\n' % (codes, cls.dir))
		for c in codes:
			if c not in (0, None):
				raise AssertionError('daemon did not drain cleanly: %r (logs in %s)' % (c, cls.dir))

	# helpers ------------------------------------------------------------------------------
	def works(self, name, ns=O.NS, kind=None):
		out = []
		for w in self.k.list('ManifestWork', selector='app.kubernetes.io/managed-by=choreo-ocm'):
			a = w['metadata'].get('annotations', {})
			if a.get('ocm.openchoreo.dev/release') == '%s/%s' % (ns, name) and \
					(kind is None or a.get('ocm.openchoreo.dev/release-kind') == kind):
				out.append(w)
		return out

	def clusters_of(self, name, ns=O.NS):
		return sorted(w['metadata']['namespace'] for w in self.works(name, ns))

	def rel(self, kind, name, ns=O.NS):
		return self.k.get(kind, ns, name)

	def healthy(self, kind, name, ns=O.NS):
		r = self.k.get_or_none(kind, ns, name)
		if r is None:
			return False
		c = cond(r, 'ResourcesApplied')
		res = r.get('status', {}).get('resources', [])
		return (c is not None and c['status'] == 'True' and
			c.get('observedGeneration') == r['metadata'].get('generation') and res and
			all(x.get('healthStatus') == 'Healthy' for x in res) and r)

	def wait_healthy(self, kind, name, ns=O.NS, timeout=T):
		return wait_for(lambda: self.healthy(kind, name, ns), timeout, what='%s %s Healthy' % (kind, name))

	def spoke(self, cluster, kind, name=None):
		items = self.emu.admin.spoke_objects(cluster, kind)
		return [o for o in items if name is None or o['metadata']['name'] == name]

	def daemon_writes(self, since, user=None):
		return self.emu.writes(user or self.users[0], since)

	def assertNoWrites(self, since, what, user=None):
		w = self.daemon_writes(since, user)
		self.assertEqual(w, [], 'expected zero writes %s, got %d: %r' % (what, len(w), w[:5]))


class Lifecycle(Base):
	"""Create, steady state, update, prune, namespace handling, both kinds, apply failure,
	add-on registration, restart without writes."""
	daemon_flags = ('--resync', '2s')

	def test_01_create_delivers_to_every_selected_cluster(self):
		k = self.k
		for o in (O.dataplane('east', 'dp-east'), O.dataplane('multi', 'dp-any', annotations={
				'ocm.openchoreo.dev/cluster-selector': 'openchoreo.dev/plane-id in (dp-east,dp-west)'}),
			  O.environment('dev', 'east'), O.environment('prod', 'multi')):
			k.create(o)
		k.create(O.service_release('web', 'prod'))
		r = self.wait_healthy('RenderedRelease', 'web')
		self.assertIn(FINALIZER, r['metadata'].get('finalizers', []))
		self.assertEqual(self.clusters_of('web'), ['dp-east', 'dp-west'])
		self.assertEqual(cond(r, 'Scheduled')['status'], 'True')
		pl = k.get('Placement', O.NS, 'choreo-dp-multi')
		self.assertEqual(pl['metadata']['labels']['app.kubernetes.io/managed-by'], 'choreo-ocm')
		self.assertIsNotNone(k.get_or_none('ManagedClusterSetBinding', O.NS, 'global'))
		for c in CLUSTERS:
			dep = self.spoke(c, 'Deployment', 'web')
			self.assertEqual(len(dep), 1, 'Deployment on %s' % c)
			self.assertEqual(dep[0]['metadata']['labels']['openchoreo.dev/rendered-release-name'], 'web')
		# the work carries the content hash the daemon compares, the status the generation
		w = self.works('web')[0]
		self.assertTrue(w['metadata']['annotations']['ocm.openchoreo.dev/content-hash'])
		evs = [e for e in k.list('Event', O.NS) if e['involvedObject'].get('name') == 'web']
		self.assertIn('Scheduled', [e['reason'] for e in evs])
		# the work agent's aggregated ClusterRole reaches every selected cluster (agent_rbac.h)
		for c in CLUSTERS:
			rw = wait_for(lambda: self.k.get_or_none('ManifestWork', c, RBAC_WORK), T, what='RBAC work on %s' % c)
			self.assertEqual(rw['metadata']['labels']['app.kubernetes.io/managed-by'], 'choreo-ocm')
			self.assertNotIn('ocm.openchoreo.dev/release', rw['metadata'].get('annotations', {}))
			role = rw['spec']['workload']['manifests'][0]
			self.assertEqual(role, spoke_role())
			wait_for(lambda: self.spoke(c, 'ClusterRole', 'choreo-ocm-work-agent'), T,
				 what='ClusterRole applied on %s' % c)

	def test_02_steady_state_writes_nothing_across_resyncs(self):
		before = self.d.metric('cocm_reconcile_total')
		m = self.emu.mark()
		time.sleep(5)  # --resync 2s: every Release is re-checked at least twice
		self.assertNoWrites(m, 'in steady state across resyncs')
		self.assertGreater(self.d.metric('cocm_reconcile_total'), before, 'resync did not run')

	def test_03_update_image_and_replicas(self):
		new = O.service_release('web', 'prod', replicas=3, image='registry.k8s.io/e2e-test-images/agnhost:2.54')
		m = self.emu.mark()
		self.k.modify('RenderedRelease', O.NS, 'web', lambda r: r.__setitem__('spec', new['spec']))
		gen = self.rel('RenderedRelease', 'web')['metadata']['generation']
		self.assertGreater(gen, 1)

		def rolled():
			h = self.healthy('RenderedRelease', 'web')
			return h if h and h['metadata']['generation'] == gen and all(
				d['spec']['replicas'] == 3 and d['spec']['template']['spec']['containers'][0]['image'].endswith('2.54')
				for c in CLUSTERS for d in self.spoke(c, 'Deployment', 'web')) else None
		r = wait_for(rolled, T, what='rollout of replicas=3 image 2.54')
		dep = [x for x in r['status']['resources'] if x['kind'] == 'Deployment'][0]
		self.assertEqual(dep['status'].get('readyReplicas'), 3)
		self.assertEqual(cond(r, 'ResourcesApplied')['observedGeneration'], gen)
		applies = [e for e in self.daemon_writes(m) if e['resource'] == 'manifestworks']
		self.assertEqual(len(applies), 2, 'one apply per cluster: %r' % applies)

	def test_04_removed_resource_is_pruned_on_the_spoke(self):
		def drop_configmap(r):
			r['spec']['resources'] = [x for x in r['spec']['resources'] if x['object']['kind'] != 'ConfigMap']
		self.k.modify('RenderedRelease', O.NS, 'web', drop_configmap)
		for c in CLUSTERS:
			wait_for(lambda: not self.spoke(c, 'ConfigMap', 'web-env'), T, what='ConfigMap pruned on %s' % c)
		r = wait_for(lambda: self.healthy('RenderedRelease', 'web') if len(
			self.rel('RenderedRelease', 'web')['status']['resources']) == 2 else None, T, what='2 resources')
		self.assertEqual([x['kind'] for x in r['status']['resources']], ['Deployment', 'Service'])

	def test_05_release_kind_and_missing_namespace(self):
		# the pre-2026 kind, into a namespace that does not exist on the spoke yet
		cell = 'dp-default-demo-dev-11111111'
		self.assertEqual(self.spoke('dp-east', 'Namespace', cell), [])
		self.k.create(O.service_release('api', 'dev', kind='Release', cell=cell))
		self.wait_healthy('Release', 'api')
		self.assertEqual(self.clusters_of('api'), ['dp-east'])
		ns = self.spoke('dp-east', 'Namespace', cell)
		self.assertEqual(len(ns), 1, 'the work created the namespace')
		dep = self.spoke('dp-east', 'Deployment', 'api')[0]
		self.assertIn('openchoreo.dev/release-uid', dep['metadata']['labels'])
		self.assertNotIn('openchoreo.dev/rendered-release-uid', dep['metadata']['labels'])

	def test_06_apply_failure_then_fixed(self):
		bad = O.configmap('broken-cm')
		del bad['metadata']['namespace']  # a namespaced kind without a namespace: the agent refuses it
		rel = O.release('broken', 'dev', [O.deployment('broken'), bad])
		self.k.create(rel)

		def failed():
			r = self.k.get_or_none('RenderedRelease', O.NS, 'broken')
			c = cond(r, 'ResourcesApplied')
			return c and c['status'] == 'False' and c['reason'] == 'ApplyFailed' and r
		r = wait_for(failed, T, what='ResourcesApplied=False')
		self.assertIn('dp-east', cond(r, 'ResourcesApplied')['message'])
		evs = [e for e in self.k.list('Event', O.NS) if e['involvedObject'].get('name') == 'broken']
		self.assertIn('ApplyFailed', [e['reason'] for e in evs])

		def fix(obj):
			obj['spec']['resources'][1]['object']['metadata']['namespace'] = O.CELL
		self.k.modify('RenderedRelease', O.NS, 'broken', fix)
		self.wait_healthy('RenderedRelease', 'broken')

	def test_07_invalid_release_is_reported_not_fatal(self):
		rel = O.release('dup', 'dev', [O.configmap('same'), O.configmap('same')])
		rel['spec']['resources'][1]['id'] = 'configmap-other'
		self.k.create(rel)

		def reported():
			c = cond(self.k.get_or_none('RenderedRelease', O.NS, 'dup'), 'ResourcesApplied')
			return c and c['status'] == 'False' and 'invalid' in c['message']
		wait_for(reported, T, what='invalid Release reported')
		self.assertEqual(self.works('dup'), [])
		self.assertTrue(self.healthy('RenderedRelease', 'web'), 'other Releases keep being served')
		self.assertIsNone(self.d.proc.poll(), 'daemon still running')

	def test_08_addon_registration(self):
		k = self.k
		cma = k.get('ClusterManagementAddOn', None, 'choreo-ocm')
		self.assertEqual(cma['metadata']['annotations']['addon.open-cluster-management.io/lifecycle'], 'self')
		for c in CLUSTERS:
			k.create({'apiVersion': 'addon.open-cluster-management.io/v1alpha1', 'kind': 'ManagedClusterAddOn',
				  'metadata': {'name': 'choreo-ocm', 'namespace': c}, 'spec': {}})

		def registered(c):
			mca = k.get('ManagedClusterAddOn', c, 'choreo-ocm')
			st = mca.get('status', {})
			return (st.get('healthCheck', {}).get('mode') == 'Customized' and
				(cond(mca, 'Available') or {}).get('status') == 'True' and
				(cond(mca, 'ManifestApplied') or {}).get('status') == 'True')
		for c in CLUSTERS:
			wait_for(lambda: registered(c), T, what='MCA status on %s' % c)

	def test_09_metrics_and_probes(self):
		code, text = self.d.http('/metrics')
		self.assertEqual(code, 200)
		for name in ('cocm_reconcile_total', 'cocm_reconcile_duration_seconds_bucket', 'cocm_workqueue_depth',
			     'cocm_api_requests_total', 'cocm_works_applied_total', 'cocm_status_writes_total',
			     'cocm_releases{health="Healthy"}', 'cocm_watch_restarts_total'):
			self.assertIn(name, text)
		# Prometheus naming: every *_total family is a counter (rate() and increase() need it)
		types = dict(l.split()[2:4] for l in text.splitlines() if l.startswith('# TYPE '))
		for name in ('cocm_watch_restarts_total', 'cocm_relists_total', 'cocm_events_total'):
			self.assertEqual(types.get(name), 'counter', name)
		self.assertEqual({n: t for n, t in types.items() if n.endswith('_total') and t != 'counter'}, {})
		self.assertGreaterEqual(self.d.metric('cocm_events_total', {'result': 'sent'}), 1)
		self.assertGreaterEqual(self.d.metric('cocm_works_applied_total'), 5)
		self.assertGreaterEqual(self.d.metric('cocm_releases', {'health': 'Healthy'}), 2)
		self.assertEqual(self.d.http('/healthz')[0], 200)
		self.assertEqual(self.d.http('/readyz')[0], 200)

	def test_10_restart_writes_nothing(self):
		self.wait_healthy('RenderedRelease', 'web')
		self.wait_healthy('Release', 'api')
		time.sleep(1)
		self.assertEqual(self.d.stop(), 0, 'SIGTERM drains with exit code 0')
		self.assertIn('stopped code=0', self.d.logtext())
		m = self.emu.mark()
		d2 = Daemon(BIN, self.emu, self.users[0], self.daemon_flags, name='restarted')
		self.daemons.append(d2)
		type(self).d = d2
		d2.wait_ready(T)
		wait_for(lambda: d2.metric('cocm_reconcile_total') >= 4, T, what='first reconciles after restart')
		time.sleep(3)
		self.assertNoWrites(m, 'across a restart')
		self.assertGreater(len(self.emu.requests(self.users[0], m)), 0, 'the restarted daemon did talk to the hub')


	def test_11_work_agent_rbac_is_kept(self):
		k = self.k
		# deleted by someone: recreated; edited: restored; never written when unchanged
		k.delete('ManifestWork', 'dp-east', RBAC_WORK)
		wait_for(lambda: (k.get_or_none('ManifestWork', 'dp-east', RBAC_WORK) or {}).get('metadata', {}).get(
			'deletionTimestamp') is None and k.get_or_none('ManifestWork', 'dp-east', RBAC_WORK), T,
			 what='RBAC work recreated')
		w = k.get('ManifestWork', 'dp-west', RBAC_WORK)
		w['spec']['workload']['manifests'][0]['rules'] = w['spec']['workload']['manifests'][0]['rules'][:1]
		w['metadata']['annotations']['ocm.openchoreo.dev/content-hash'] = 'edited'
		k.request('PUT', '/apis/work.open-cluster-management.io/v1/namespaces/dp-west/manifestworks/' + RBAC_WORK, w)
		wait_for(lambda: k.get('ManifestWork', 'dp-west', RBAC_WORK)['spec']['workload']['manifests'][0] == spoke_role(),
			 T, what='RBAC work restored')
		time.sleep(1)
		m = self.emu.mark()
		time.sleep(3)
		self.assertNoWrites(m, 'after the RBAC work was restored')

	def test_12_cma_lifecycle_annotation_restored(self):
		# an operator-made ClusterManagementAddOn without lifecycle `self`: the daemon adds it (a patch)
		k = self.k
		k.merge('ClusterManagementAddOn', None, 'choreo-ocm',
			{'metadata': {'annotations': {'addon.open-cluster-management.io/lifecycle': None}}})
		self.assertEqual(self.d.stop(), 0)
		d3 = Daemon(BIN, self.emu, self.users[0], self.daemon_flags, name='cma')
		self.daemons.append(d3)
		type(self).d = d3
		d3.wait_ready(T)
		wait_for(lambda: k.get('ClusterManagementAddOn', None, 'choreo-ocm')['metadata'].get('annotations', {}).get(
			'addon.open-cluster-management.io/lifecycle') == 'self', T, what='lifecycle: self restored')


class Topology(Base):
	"""A second DataPlane with its own cluster, clusters joining and leaving, opt-in/opt-out,
	an Environment repointed to another DataPlane."""

	def test_01_second_dataplane_with_its_own_cluster(self):
		k = self.k
		for o in (O.dataplane('east', 'dp-east'), O.dataplane('west', 'dp-west'),
			  O.environment('dev', 'east'), O.environment('stage', 'west')):
			k.create(o)
		k.create(O.service_release('a', 'dev'))
		k.create(O.service_release('b', 'stage'))
		self.wait_healthy('RenderedRelease', 'a')
		self.wait_healthy('RenderedRelease', 'b')
		self.assertEqual(self.clusters_of('a'), ['dp-east'])
		self.assertEqual(self.clusters_of('b'), ['dp-west'])
		self.assertIsNotNone(k.get_or_none('Placement', O.NS, 'choreo-dp-west'))

	def test_02_cluster_joins_and_leaves_the_placement(self):
		adm = self.emu.admin
		m = self.emu.mark()
		adm.call('POST', '/admin/clusters', {'name': 'dp-east2', 'labels': {'openchoreo.dev/plane-id': 'dp-east'}})
		wait_for(lambda: self.clusters_of('a') == ['dp-east', 'dp-east2'], T, what='work on the joined cluster')
		wait_for(lambda: self.spoke('dp-east2', 'Deployment', 'a'), T, what='Deployment on dp-east2')
		r = self.wait_healthy('RenderedRelease', 'a')
		self.assertIn('dp-east2', cond(r, 'Scheduled')['message'])
		self.assertEqual(self.clusters_of('b'), ['dp-west'], 'b is not touched')
		bw = [e for e in self.daemon_writes(m) if e.get('name', '').endswith('-b') or '/default-b' in e['path']]
		self.assertEqual(bw, [], 'no writes for the unaffected Release b')
		# the cluster stops matching the placement (label changed): its work is removed
		k = self.k
		k.merge('ManagedCluster', None, 'dp-east2', {'metadata': {'labels': {'openchoreo.dev/plane-id': 'elsewhere'}}})
		wait_for(lambda: self.clusters_of('a') == ['dp-east'], T, what='work removed from the departed cluster')
		self.wait_healthy('RenderedRelease', 'a')
		# the joined cluster got the work-agent RBAC, and keeps it after leaving (never garbage)
		self.assertIsNotNone(k.get_or_none('ManifestWork', 'dp-east2', RBAC_WORK))
		time.sleep(1)
		self.assertIsNotNone(k.get_or_none('ManifestWork', 'dp-east2', RBAC_WORK), 'RBAC work kept')

	def test_03_empty_decisions_keep_the_works(self):
		k = self.k
		m = self.emu.mark()
		k.merge('ManagedCluster', None, 'dp-west', {'metadata': {'labels': {'openchoreo.dev/plane-id': 'gone'}}})

		def unscheduled():
			c = cond(k.get('RenderedRelease', O.NS, 'b'), 'Scheduled')
			return c and c['status'] == 'False' and c['reason'] == 'NoClustersSelected'
		wait_for(unscheduled, T, what='Scheduled=False NoClustersSelected')
		time.sleep(1)
		self.assertEqual(self.clusters_of('b'), ['dp-west'], 'works kept when the decisions are empty')
		dels = [e for e in self.daemon_writes(m) if e['verb'] == 'delete' and e['resource'] == 'manifestworks']
		self.assertEqual(dels, [])
		k.merge('ManagedCluster', None, 'dp-west', {'metadata': {'labels': {'openchoreo.dev/plane-id': 'dp-west'}}})
		self.wait_healthy('RenderedRelease', 'b')

	def test_04_opt_out_and_opt_in(self):
		k = self.k
		k.merge('DataPlane', O.NS, 'west', {'metadata': {'labels': {'ocm.openchoreo.dev/enabled': 'false'}}})
		wait_for(lambda: self.works('b') == [], T, what='works removed after opt-out')
		wait_for(lambda: FINALIZER not in k.get('RenderedRelease', O.NS, 'b')['metadata'].get('finalizers', []),
			 T, what='finalizer dropped after opt-out')
		wait_for(lambda: not self.spoke('dp-west', 'Deployment', 'b'), T, what='workload removed from dp-west')
		m = self.emu.mark()
		time.sleep(1.5)
		self.assertNoWrites(m, 'for an opted-out Release')
		k.merge('DataPlane', O.NS, 'west', {'metadata': {'labels': {'ocm.openchoreo.dev/enabled': 'true'}}})
		r = self.wait_healthy('RenderedRelease', 'b')
		self.assertIn(FINALIZER, r['metadata']['finalizers'])
		self.assertEqual(self.clusters_of('b'), ['dp-west'])

	def test_05_environment_repointed(self):
		k = self.k
		env = k.get('Environment', O.NS, 'stage')
		env['spec']['dataPlaneRef'] = {'kind': 'DataPlane', 'name': 'east'}
		try:
			k.request('PUT', '/apis/openchoreo.dev/v1alpha1/namespaces/default/environments/stage', env)
		except ApiError:
			# dataPlaneRef is immutable in OpenChoreo's CRD: repoint by re-creating the Environment
			k.delete('Environment', O.NS, 'stage')
			wait_for(lambda: k.get_or_none('Environment', O.NS, 'stage') is None, T, what='env deleted')
			k.create(O.environment('stage', 'east'))
		wait_for(lambda: self.clusters_of('b') == ['dp-east'], T, what='b moved to dp-east')
		wait_for(lambda: not self.spoke('dp-west', 'Deployment', 'b'), T, what='b removed from dp-west')
		self.wait_healthy('RenderedRelease', 'b')


	def test_06_observability_plane_release(self):
		# DataPlane east (no observabilityPlaneRef) -> ObservabilityPlane `default` of its namespace,
		# whose planeID selects dp-west: the Release goes where the observability plane is
		k = self.k
		k.create(O.observability_plane('default', 'dp-west', enabled=False))
		k.create(O.environment('obs', 'east'))
		cm = O.configmap('alert-rules', ns='openchoreo-observability')
		k.create(O.observability_release('alerts', 'obs', [cm]))
		time.sleep(2)
		r = k.get('RenderedRelease', O.NS, 'alerts')
		self.assertNotIn(FINALIZER, r['metadata'].get('finalizers', []), 'not opted in: left to OpenChoreo')
		self.assertEqual(self.works('alerts'), [])
		# opting the observability plane in wakes its Releases (ObservabilityPlane -> DataPlane ->
		# Environment -> Release reverse indexes)
		k.merge('ObservabilityPlane', O.NS, 'default', {'metadata': {'labels': {'ocm.openchoreo.dev/enabled': 'true'}}})
		r = self.wait_healthy('RenderedRelease', 'alerts')
		self.assertIn(FINALIZER, r['metadata']['finalizers'])
		self.assertEqual(self.clusters_of('alerts'), ['dp-west'])
		pl = k.get('Placement', O.NS, 'choreo-op-default')
		self.assertEqual(pl['metadata']['annotations']['ocm.openchoreo.dev/plane'], 'ObservabilityPlane/default/default')
		self.assertEqual(len(self.spoke('dp-west', 'ConfigMap', 'alert-rules')), 1)
		self.assertEqual(self.spoke('dp-east', 'ConfigMap', 'alert-rules'), [])
		# a new planeID on the observability plane moves the Release
		k.merge('ObservabilityPlane', O.NS, 'default', {'spec': {'planeID': 'dp-east'}})
		wait_for(lambda: self.clusters_of('alerts') == ['dp-east'], T, what='alerts moved to dp-east')
		wait_for(lambda: not self.spoke('dp-west', 'ConfigMap', 'alert-rules'), T, what='alerts removed from dp-west')
		self.wait_healthy('RenderedRelease', 'alerts')
		k.delete('RenderedRelease', O.NS, 'alerts')
		wait_for(lambda: k.get_or_none('RenderedRelease', O.NS, 'alerts') is None, T, what='Release gone')
		self.assertEqual(self.works('alerts'), [])

	def test_07_executor_annotation(self):
		# opt-in spec.executor from the plane annotation: "<sa>" = that account in the Release's
		# namespace on the data plane (refused for a Release spanning namespaces), "<ns>/<sa>" as is
		k = self.k
		ann = 'ocm.openchoreo.dev/executor'

		def executors(name):
			ws = self.works(name)
			return [((w['spec'].get('executor') or {}).get('subject') or {}).get('serviceAccount')
				for w in ws] if ws else None

		def carry(name, want):
			return lambda: executors(name) is not None and all(x == want for x in executors(name))
		k.merge('DataPlane', O.NS, 'east', {'metadata': {'annotations': {ann: 'deployer'}}})
		for name in ('a', 'b'):
			wait_for(carry(name, {'namespace': O.CELL, 'name': 'deployer'}), T,
				 what='%s works carry the executor' % name)
		k.create(O.release('spread', 'dev', [O.configmap('one'), O.configmap('two', ns='other-ns')]))

		def refused():
			c = cond(k.get_or_none('RenderedRelease', O.NS, 'spread'), 'ResourcesApplied')
			return c and c['status'] == 'False' and 'several namespaces' in c['message'] and c
		wait_for(refused, T, what='executor refusal reported')
		self.assertEqual(self.works('spread'), [])
		k.merge('DataPlane', O.NS, 'east', {'metadata': {'annotations': {ann: 'ops/applier'}}})
		self.wait_healthy('RenderedRelease', 'spread')
		for name in ('a', 'spread'):
			wait_for(carry(name, {'namespace': 'ops', 'name': 'applier'}), T, what='%s: ops/applier' % name)
		k.merge('DataPlane', O.NS, 'east', {'metadata': {'annotations': {ann: None}}})
		wait_for(carry('a', None), T, what='executor dropped with the annotation')
		k.delete('RenderedRelease', O.NS, 'spread')
		wait_for(lambda: k.get_or_none('RenderedRelease', O.NS, 'spread') is None, T, what='spread gone')


class Deletion(Base):
	"""Delete with every cluster up; delete with one cluster offline (blocked and reported,
	completes when it returns)."""

	def test_01_delete_with_all_clusters_up(self):
		k = self.k
		for o in (O.dataplane('multi', 'dp-any', annotations={
				'ocm.openchoreo.dev/cluster-selector': 'openchoreo.dev/plane-id in (dp-east,dp-west)'}),
			  O.environment('prod', 'multi')):
			k.create(o)
		k.create(O.service_release('one', 'prod'))
		self.wait_healthy('RenderedRelease', 'one')
		k.delete('RenderedRelease', O.NS, 'one')
		wait_for(lambda: k.get_or_none('RenderedRelease', O.NS, 'one') is None, T, what='Release gone')
		self.assertEqual(self.works('one'), [])
		for c in CLUSTERS:
			self.assertEqual(self.spoke(c, 'Deployment', 'one'), [], 'workload removed from %s' % c)

	def test_02_delete_with_one_cluster_offline(self):
		k, adm = self.k, self.emu.admin
		k.create(O.service_release('two', 'prod'))
		self.wait_healthy('RenderedRelease', 'two')
		adm.call('POST', '/admin/clusters/dp-west/offline')
		k.delete('RenderedRelease', O.NS, 'two')

		def blocked():
			r = k.get_or_none('RenderedRelease', O.NS, 'two')
			c = cond(r, 'Finalizing')
			return c and 'dp-west' in c.get('message', '') and r
		r = wait_for(blocked, T, what='Finalizing names dp-west')
		self.assertTrue(r['metadata'].get('deletionTimestamp'))
		wait_for(lambda: self.clusters_of('two') == ['dp-west'], T, what='dp-east work removed')
		time.sleep(2)
		self.assertIsNotNone(k.get_or_none('RenderedRelease', O.NS, 'two'), 'never released while a work remains')
		wait_for(lambda: 'CleanupBlocked' in [e['reason'] for e in k.list('Event', O.NS)
						      if e['involvedObject'].get('name') == 'two'],
			 T, what='CleanupBlocked event once dp-west turns unavailable')
		self.assertIsNotNone(k.get_or_none('RenderedRelease', O.NS, 'two'))
		adm.call('POST', '/admin/clusters/dp-west/online')
		wait_for(lambda: k.get_or_none('RenderedRelease', O.NS, 'two') is None, T, what='deletion completes')
		self.assertEqual(self.spoke('dp-west', 'Deployment', 'two'), [])

	def test_03_orphan_works_after(self):
		# a second daemon flag set: --orphan-works-after releases a Release anyway
		k, adm = self.k, self.emu.admin
		self.assertEqual(self.d.stop(), 0)
		d2 = Daemon(BIN, self.emu, self.users[0], ('--orphan-works-after', '3s'), name='orphaning')
		self.daemons.append(d2)
		type(self).d = d2
		d2.wait_ready(T)
		k.create(O.service_release('three', 'prod'))
		self.wait_healthy('RenderedRelease', 'three')
		adm.call('POST', '/admin/clusters/dp-west/offline')
		k.delete('RenderedRelease', O.NS, 'three')
		wait_for(lambda: k.get_or_none('RenderedRelease', O.NS, 'three') is None, T, what='released after 3s')
		self.assertIn('orphaning-works', d2.logtext())
		adm.call('POST', '/admin/clusters/dp-west/online')


class LeaderElection(Base):
	"""Two daemons with leader election: only the leader writes; the standby takes over."""
	users = ('daemon-a', 'daemon-b')
	daemon_flags = ('--leader-elect', '--leader-elect-lease-duration', '3s', '--leader-elect-renew-deadline',
			'2s', '--leader-elect-retry-period', '500ms')

	@classmethod
	def start_daemons(cls):
		cls.a = Daemon(BIN, cls.emu, 'daemon-a', cls.daemon_flags)
		cls.daemons.append(cls.a)
		cls.a.wait_ready(T)
		wait_for(lambda: cls.a.metric('cocm_leader') == 1, T, what='daemon-a leads')
		cls.b = Daemon(BIN, cls.emu, 'daemon-b', cls.daemon_flags)
		cls.daemons.append(cls.b)
		cls.b.wait_ready(T)

	def test_01_only_the_leader_writes(self):
		k = self.k
		m = self.emu.mark()
		for o in (O.dataplane('east', 'dp-east'), O.environment('dev', 'east')):
			k.create(o)
		k.create(O.service_release('x', 'dev'))
		self.wait_healthy('RenderedRelease', 'x')
		self.assertEqual(self.b.metric('cocm_leader'), 0)
		self.assertGreater(len(self.daemon_writes(m, 'daemon-a')), 0)
		self.assertNoWrites(m, 'from the standby', user='daemon-b')
		# the standby keeps its caches warm: it has listed and is watching
		self.assertGreater(len(self.emu.requests('daemon-b', 0)), 0)

	def test_02_failover(self):
		k = self.k
		self.a.kill()  # a crash: the Lease is not released, the standby waits it out
		t0 = time.monotonic()
		wait_for(lambda: self.b.metric('cocm_leader') == 1, 20, what='daemon-b takes over')
		self.assertLess(time.monotonic() - t0, 15, 'takeover within the lease duration (+ retry)')
		m = self.emu.mark()
		k.create(O.service_release('y', 'dev'))
		self.wait_healthy('RenderedRelease', 'y')
		self.assertGreater(len(self.daemon_writes(m, 'daemon-b')), 0)

	def test_03_clean_stop_releases_the_lease(self):
		self.assertEqual(self.b.stop(), 0)
		lease = self.k.get('Lease', 'choreo-ocm-system', 'choreo-ocm')
		self.assertIn(lease['spec'].get('holderIdentity', ''), ('', None))


if __name__ == '__main__':
	unittest.main(verbosity=2)
