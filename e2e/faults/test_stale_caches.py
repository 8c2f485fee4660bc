"""Regression scenarios the fault campaign found: a daemon must not delete works on the word of
a cache that lags behind the API server (e2e.faults.stale_caches).

The campaign's failure (seed 340312563): a standby whose PlacementDecisions watch was down (its
cache still without a newly joined cluster) took over while its works cache, relisted after a
410, already held the works another leader had put on that cluster; its first reconciles
deleted them all (8 unexpected deletes), then put them back. The same holds for a Release the
Releases cache has not seen yet while its works are already cached.

Each test freezes one informer of a running daemon (every WATCH of that resource answered 503;
the informer keeps resuming from its last resourceVersion, so it neither relists nor catches
up), changes the world behind its back, and adds the ManifestWork a better-informed leader
would have applied (`choreo-ocm render` of the live Release); for a plane whose cached labels
opt out while it opts in live, also the finalizer that leader would have added. The daemon must write no DELETE of
a ManifestWork while the cache is stale, and converge once the watch works again.
"""

import json
import os
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import hub  # noqa: E402
from hub import lib  # noqa: E402
import objects as O  # noqa: E402  (e2e/daemon/objects.py, on the path through hub)

BIN = os.environ.get('COCM_BIN', '')
T = 60
LABEL = 'openchoreo.dev/plane-id'
FINALIZER = 'ocm.openchoreo.dev/manifestwork-cleanup'


class StaleCaches(unittest.TestCase):
	@classmethod
	def setUpClass(cls):
		if not BIN or not os.access(BIN, os.X_OK):
			raise unittest.SkipTest('COCM_BIN is not set to the choreo-ocm binary')
		cls.dir = lib.tmpdir('cocm-faults-stale-')
		cls.emu = lib.Emulator(cls.dir, ['c-b1'], users=('choreo-ocm',), labels={'c-b1': {LABEL: 'pb'}})
		cls.k = hub.RetryKube(cls.emu.kubeconfig, cls.dir)
		cls.adm = cls.emu.admin
		cls.k.ensure_namespace('choreo-ocm-system')
		cls.k.create(O.dataplane('pb', 'pb'))
		cls.k.create(O.environment('eb', 'pb'))
		cls.d = lib.Daemon(BIN, cls.emu, 'choreo-ocm')
		cls.d.wait_ready(T)

	@classmethod
	def tearDownClass(cls):
		code = cls.d.stop()
		cls.emu.stop()
		if code == 0 and os.environ.get('COCM_KEEP') is None:
			shutil.rmtree(cls.dir, ignore_errors=True)
		else:
			sys.stderr.write('stale_caches: daemon exit %r; logs in %s\n' % (code, cls.dir))

	# helpers --------------------------------------------------------------------------------
	def works_of(self, name):
		return sorted('%s/%s' % (w['metadata']['namespace'], w['metadata']['name'])
			      for w in self.k.list('ManifestWork', selector='app.kubernetes.io/managed-by=choreo-ocm')
			      if w['metadata'].get('annotations', {}).get('ocm.openchoreo.dev/release') == 'default/' + name)

	def healthy_on(self, kind, name, clusters):
		r = self.k.get_or_none(kind, 'default', name)
		c = lib.cond(r, 'ResourcesApplied')
		return (c is not None and c['status'] == 'True' and c.get('observedGeneration') == r['metadata']['generation']
			and self.works_of(name) == ['%s/default-%s' % (x, name) for x in clusters] and
			all(x.get('healthStatus') == 'Healthy' for x in r['status'].get('resources', [])))

	def plant_work(self, kind, name, cluster):
		"""Creates the work render makes for the live Release on cluster (as another leader would)."""
		rel = self.k.get(kind, 'default', name)
		path = os.path.join(self.dir, 'rel-%s.json' % name)
		with open(path, 'w') as f:
			json.dump(rel, f)
		p = subprocess.run([BIN, 'render', '-f', path, '--cluster', cluster, '-o', 'json'], capture_output=True,
				   text=True, timeout=60, check=True)
		works = [w for w in json.loads(p.stdout)['items'] if w['kind'] == 'ManifestWork']
		self.assertEqual(len(works), 1)
		self.k.create(works[0])

	def plant_and_wait(self, kind, name, cluster):
		key = 'kind="%s"' % kind
		before = self.d.metric('cocm_reconcile_total', {'kind': kind})
		self.plant_work(kind, name, cluster)
		lib.wait_for(lambda: self.d.metric('cocm_reconcile_total', {'kind': kind}) > before, T,
			     what='a reconcile of %s %s after its work appeared (%s)' % (kind, name, key))
		time.sleep(3)  # and its retries

	def freeze(self, resource):
		self.adm.call('POST', '/admin/faults/errors', {'code': 503, 'verb': 'watch', 'path': '/' + resource,
							       'count': 1000000})
		self.adm.call('POST', '/admin/faults/drop-watches')
		time.sleep(1.0)  # every informer has reconnected; the frozen one keeps failing

	def thaw(self):
		self.adm.call('DELETE', '/admin/faults')

	def daemon_work_deletes(self, since):
		return [e for e in self.emu.writes('choreo-ocm', since) if e['resource'] == 'manifestworks' and
			e['verb'] == 'delete']

	# scenarios ------------------------------------------------------------------------------
	def test_1_cluster_missing_from_stale_decisions(self):
		self.k.create(O.service_release('web', 'eb'))
		lib.wait_for(lambda: self.healthy_on('RenderedRelease', 'web', ['c-b1']), T, what='web on c-b1')
		self.freeze('placementdecisions')
		m = self.emu.mark()
		self.adm.call('POST', '/admin/clusters', {'name': 'c-b2', 'labels': {LABEL: 'pb'}})

		def live_decisions():
			return sorted(x['clusterName'] for d in self.k.list('PlacementDecision', 'default')
				      for x in d.get('status', {}).get('decisions', []))
		lib.wait_for(lambda: live_decisions() == ['c-b1', 'c-b2'], T, what='c-b2 in the live decisions')
		self.plant_and_wait('RenderedRelease', 'web', 'c-b2')  # reconciled with decisions lacking c-b2
		self.assertEqual(self.daemon_work_deletes(m), [], 'a work on a cluster of the live decisions was deleted')
		self.assertEqual(self.works_of('web'), ['c-b1/default-web', 'c-b2/default-web'])
		self.thaw()
		lib.wait_for(lambda: self.healthy_on('RenderedRelease', 'web', ['c-b1', 'c-b2']), T, what='web on both')
		self.assertEqual(self.daemon_work_deletes(m), [])

	def test_2_release_missing_from_stale_cache(self):
		self.freeze('releases')
		m = self.emu.mark()
		self.k.create(O.service_release('api', 'eb', kind='Release'))
		self.plant_and_wait('Release', 'api', 'c-b1')  # reconciled as "not in the cache"
		self.assertEqual(self.daemon_work_deletes(m), [], 'the work of a Release on the hub was deleted')
		self.assertEqual(self.works_of('api'), ['c-b1/default-api'])
		self.thaw()
		lib.wait_for(lambda: self.healthy_on('Release', 'api', ['c-b1', 'c-b2']), T, what='api delivered')
		self.assertEqual(self.daemon_work_deletes(m), [])

	def test_3_plane_opted_out_in_stale_cache(self):
		# the cache learns the plane opted out (a legitimate opt-out: works and finalizer go) ...
		self.adm.call('POST', '/admin/clusters', {'name': 'c-c1', 'labels': {LABEL: 'pc'}})
		self.k.create(O.dataplane('pc', 'pc'))
		self.k.create(O.environment('ec', 'pc'))
		self.k.create(O.service_release('ops', 'ec'))
		lib.wait_for(lambda: self.healthy_on('RenderedRelease', 'ops', ['c-c1']), T, what='ops on c-c1')
		self.k.merge('DataPlane', 'default', 'pc', {'metadata': {'labels': {'ocm.openchoreo.dev/enabled': 'false'}}})
		lib.wait_for(lambda: self.works_of('ops') == [] and FINALIZER not in self.k.get(
			'RenderedRelease', 'default', 'ops')['metadata'].get('finalizers', []), T, what='ops opted out')
		# ... then its watch freezes and the plane opts in again: a better-informed leader adds
		# the work and the finalizer; the daemon's cache still says "opted out"
		self.freeze('dataplanes')
		m = self.emu.mark()
		self.k.merge('DataPlane', 'default', 'pc', {'metadata': {'labels': {'ocm.openchoreo.dev/enabled': 'true'}}})
		self.plant_and_wait('RenderedRelease', 'ops', 'c-c1')  # no finalizer yet: left alone
		before = self.d.metric('cocm_reconcile_total', {'kind': 'RenderedRelease'})
		self.k.merge('RenderedRelease', 'default', 'ops', {'metadata': {'finalizers': [FINALIZER]}})
		lib.wait_for(lambda: self.d.metric('cocm_reconcile_total', {'kind': 'RenderedRelease'}) > before, T,
			     what='a reconcile of ops after its finalizer appeared')
		time.sleep(3)  # reconciled as "opted out", and its retries
		self.assertEqual(self.daemon_work_deletes(m), [], 'the work of a Release on an opted-in plane was deleted')
		self.assertEqual(self.works_of('ops'), ['c-c1/default-ops'])
		self.assertIn(FINALIZER, self.k.get('RenderedRelease', 'default', 'ops')['metadata'].get('finalizers', []))
		self.thaw()
		lib.wait_for(lambda: self.healthy_on('RenderedRelease', 'ops', ['c-c1']), T, what='ops delivered again')
		self.assertEqual(self.daemon_work_deletes(m), [])


if __name__ == '__main__':
	unittest.main(verbosity=2)
