"""The HTTPS front end: auth, discovery, REST verbs, watch streams, webhook texts, tables, faults,
audit, listener restart."""

import os
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from support import WIDGET_CRD, Server, certs, webhooks  # noqa: E402

CMS = '/api/v1/namespaces/default/configmaps'
MW = '/apis/work.open-cluster-management.io/v1/namespaces/dp-east/manifestworks'

MW_CRD = {
	'apiVersion': 'apiextensions.k8s.io/v1', 'kind': 'CustomResourceDefinition',
	'metadata': {'name': 'manifestworks.work.open-cluster-management.io'},
	'spec': {'group': 'work.open-cluster-management.io', 'scope': 'Namespaced',
		 'names': {'plural': 'manifestworks', 'singular': 'manifestwork', 'kind': 'ManifestWork',
			   'listKind': 'ManifestWorkList'},
		 'versions': [{'name': 'v1', 'served': True, 'storage': True, 'subresources': {'status': {}},
			       'schema': {'openAPIV3Schema': {'type': 'object', 'properties': {
				       'spec': {'type': 'object', 'properties': {'workload': {'type': 'object', 'properties': {
					       'manifests': {'type': 'array', 'items': {
						       'type': 'object', 'x-kubernetes-embedded-resource': True,
						       'x-kubernetes-preserve-unknown-fields': True}}}}}},
				       'status': {'type': 'object', 'x-kubernetes-preserve-unknown-fields': True}}}}}]}}


def cm(name, labels=None):
	return {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': name, 'labels': labels or {}},
		'data': {'k': 'v'}}


class ServerTest(unittest.TestCase):
	@classmethod
	def setUpClass(cls):
		fd, cls.tokfile = tempfile.mkstemp()
		with os.fdopen(fd, 'w') as f:
			f.write('# test tokens\nsecret-token,alice,uid1,"dev,ops"\n')
		cls.srv = Server(token_file=cls.tokfile)
		cls.c = cls.srv.client()
		st, _, _ = cls.c.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', MW_CRD)
		assert st == 201, st
		cls.c.request('POST', '/api/v1/namespaces', {'metadata': {'name': 'dp-east'}})

	@classmethod
	def tearDownClass(cls):
		cls.c.close()
		cls.srv.stop()
		os.unlink(cls.tokfile)

	def setUp(self):
		self.srv.faults.clear()

	# --- auth ---
	def test_auth(self):
		def once(**kw):
			c = self.srv.client(**kw)
			try:
				return c.request('GET', '/api/v1/namespaces')
			finally:
				c.close()
		st, _, _ = once(cert=False)
		self.assertEqual(st, 401)
		st, body, _ = once(cert=False, token='wrong')
		self.assertEqual((st, body['reason'], body['message']), (401, 'Unauthorized', 'Unauthorized'))
		st, _, _ = once(cert=False, token='secret-token')
		self.assertEqual(st, 200)
		d = tempfile.mkdtemp()
		import shutil
		for f in ('ca.crt', 'ca.key'):
			shutil.copy(os.path.join(self.srv.pki['dir'], f), d)
		crt, key = certs.issue(d, 'bob', 'bob', ['team-a'])
		bob = self.srv.client(certfile=crt, keyfile=key)
		st, _, _ = bob.request('POST', CMS, cm('by-bob'))
		bob.close()
		self.assertEqual(st, 201)
		deadline = time.monotonic() + 5
		users = set()
		while 'bob' not in users and time.monotonic() < deadline:
			users = {e['user'] for e in self.srv.audit.query(verb='create', resource='configmaps')['recent']}
			time.sleep(0.02)
		self.assertIn('bob', users)

	# --- discovery ---
	def test_discovery(self):
		st, v, _ = self.c.request('GET', '/version')
		self.assertEqual((st, v['major']), (200, '1'))
		st, a, _ = self.c.request('GET', '/api')
		self.assertEqual(a['versions'], ['v1'])
		st, rl, _ = self.c.request('GET', '/api/v1')
		names = {r['name'] for r in rl['resources']}
		self.assertTrue({'namespaces', 'configmaps', 'secrets', 'events', 'serviceaccounts',
				 'namespaces/status'} <= names)
		st, g, _ = self.c.request('GET', '/apis')
		groups = {x['name'] for x in g['groups']}
		self.assertTrue({'coordination.k8s.io', 'events.k8s.io', 'apiextensions.k8s.io',
				 'work.open-cluster-management.io'} <= groups)
		st, _, _ = self.c.request('GET', '/apis/example.com/v1')
		self.assertEqual(st, 404)
		st, _, _ = self.c.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', WIDGET_CRD)
		self.assertEqual(st, 201)
		st, rl, _ = self.c.request('GET', '/apis/example.com/v1')
		self.assertEqual(st, 200)
		w = [r for r in rl['resources'] if r['name'] == 'widgets'][0]
		self.assertEqual((w['kind'], w['namespaced'], w['shortNames']), ('Widget', True, ['wd']))
		self.assertIn('widgets/status', {r['name'] for r in rl['resources']})
		st, crd, _ = self.c.request('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com')
		self.assertIn('Established', [c['type'] for c in crd['status']['conditions']])
		st, idx, _ = self.c.request('GET', '/openapi/v3')
		self.assertIn('apis/example.com/v1', idx['paths'])

	# --- REST ---
	def test_crud_and_codes(self):
		st, o, _ = self.c.request('POST', CMS, cm('crud'))
		self.assertEqual(st, 201)
		st, _, _ = self.c.request('POST', CMS, cm('crud'))
		self.assertEqual(st, 409)
		st, g, _ = self.c.request('GET', CMS + '/crud')
		self.assertEqual((st, g['metadata']['uid']), (200, o['metadata']['uid']))
		g['data']['k'] = 'v2'
		st, u, _ = self.c.request('PUT', CMS + '/crud', g)
		self.assertEqual(st, 200)
		st, e, _ = self.c.request('PUT', CMS + '/crud', g)
		self.assertEqual((st, e['reason']), (409, 'Conflict'))
		st, p, _ = self.c.request('PATCH', CMS + '/crud', {'data': {'n': '1'}}, 'application/merge-patch+json')
		self.assertEqual((st, p['data']), (200, {'k': 'v2', 'n': '1'}))
		st, p, _ = self.c.request('PATCH', CMS + '/crud', [{'op': 'remove', 'path': '/data/n'}],
					  'application/json-patch+json')
		self.assertEqual(p['data'], {'k': 'v2'})
		st, p, _ = self.c.request('PATCH', CMS + '/crud', {'data': {'x': '1'}}, 'text/plain')
		self.assertEqual(st, 415)
		for ctype in ('application/merge-patch+json', 'application/json-patch+json'):   # broken JSON: 400
			st, e, _ = self.c.request('PATCH', CMS + '/crud', '{bad', ctype)
			self.assertEqual((st, e['reason']), (400, 'BadRequest'), ctype)
		st, e, _ = self.c.request('POST', CMS, '{bad')
		self.assertEqual((st, e['reason']), (400, 'BadRequest'))
		st, d, _ = self.c.request('DELETE', CMS + '/crud')
		self.assertEqual((st, d['status']), (200, 'Success'))
		st, e, _ = self.c.request('GET', CMS + '/crud')
		self.assertEqual((st, e['reason'], e['message']), (404, 'NotFound', 'configmaps "crud" not found'))
		st, e, _ = self.c.request('POST', '/api/v1/namespaces/missing/configmaps', cm('x'))
		self.assertEqual((st, e['message']), (404, 'namespaces "missing" not found'))

	def test_yaml_body_and_ssa(self):
		body = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: "1"\n'
		st, o, _ = self.c.request('PATCH', CMS + '/ssa?fieldManager=one', body, 'application/apply-patch+yaml')
		self.assertEqual(st, 201)
		body2 = body.replace('"1"', '"2"')
		st, e, _ = self.c.request('PATCH', CMS + '/ssa?fieldManager=two', body2, 'application/apply-patch+yaml')
		self.assertEqual((st, e['message']), (409, 'Apply failed with 1 conflict: conflict with "one": .data.a'))
		st, o, _ = self.c.request('PATCH', CMS + '/ssa?fieldManager=two&force=true', body2,
					  'application/apply-patch+yaml')
		self.assertEqual((st, o['data']['a']), (200, '2'))
		st, o, _ = self.c.request('POST', CMS, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: y1}\n',
					  'application/yaml')
		self.assertEqual(st, 201)

	def test_paging_and_selectors(self):
		for i in range(7):
			self.c.request('POST', '/api/v1/namespaces/dp-east/configmaps', cm('p%d' % i, {'g': str(i % 2)}))
		st, l1, _ = self.c.request('GET', '/api/v1/namespaces/dp-east/configmaps?limit=3&labelSelector=g%3D0')
		self.assertEqual([o['metadata']['name'] for o in l1['items']], ['p0', 'p2', 'p4'])
		tok = l1['metadata']['continue']
		st, l2, _ = self.c.request('GET', '/api/v1/namespaces/dp-east/configmaps?limit=3&labelSelector=g%%3D0&continue=%s' % tok)
		self.assertEqual([o['metadata']['name'] for o in l2['items']], ['p6'])
		self.assertEqual(l2['kind'], 'ConfigMapList')
		st, l3, _ = self.c.request('GET', '/api/v1/configmaps?fieldSelector=metadata.name%3Dp3')
		self.assertEqual([o['metadata']['name'] for o in l3['items']], ['p3'])
		st, t, _ = self.c.request('GET', '/api/v1/namespaces/dp-east/configmaps?labelSelector=g%3D1',
					  headers={'Accept': 'application/json;as=Table;v=v1;g=meta.k8s.io'})
		self.assertEqual(t['kind'], 'Table')
		self.assertEqual([c['name'] for c in t['columnDefinitions']], ['Name', 'Data', 'Age'])
		self.assertEqual([r['cells'][0] for r in t['rows']], ['p1', 'p3', 'p5'])
		st, dl, _ = self.c.request('DELETE', '/api/v1/namespaces/dp-east/configmaps?labelSelector=g%3D1')
		self.assertEqual(st, 200)
		st, l4, _ = self.c.request('GET', '/api/v1/namespaces/dp-east/configmaps?labelSelector=g%3D1')
		self.assertEqual(l4['items'], [])

	# --- webhook ---
	def test_manifestwork_webhook(self):
		hook = 'admission webhook "manifestworkvalidators.admission.work.open-cluster-management.io" denied the request: '

		def mw(name, manifests):
			return {'apiVersion': 'work.open-cluster-management.io/v1', 'kind': 'ManifestWork',
				'metadata': {'name': name}, 'spec': {'workload': {'manifests': manifests}}}
		good = {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'a', 'namespace': 'ns'}}
		cases = [
			([], 'manifests should not be empty'),
			([{'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {}}], 'name must be set in manifest'),
			([{'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'a', 'generateName': 'a-'}}],
			 'generateName must not be set in manifest'),
			([good, dict(good)], 'duplicate manifest for resource ns/a with resource type v1.ConfigMap'),
		]
		for manifests, text in cases:
			st, e, _ = self.c.request('POST', MW, mw('bad', manifests))
			self.assertEqual((st, e['reason'], e['message']), (400, 'BadRequest', hook + text))
		big = [{'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'big%d' % i},
			'data': {'d': 'x' * 200000}} for i in range(3)]
		size = sum(webhooks.go_json_size(m) for m in big)
		st, e, _ = self.c.request('POST', MW, mw('big', big))
		self.assertEqual(e['message'], hook + 'the size of manifests is %d bytes which exceeds the 512000 limit' % size)
		st, o, _ = self.c.request('POST', MW, mw('ok', [good]))
		self.assertEqual(st, 201)
		st, e, _ = self.c.request('PATCH', MW + '/ok', {'spec': {'workload': {'manifests': []}}},
					  'application/merge-patch+json')
		self.assertEqual((st, e['message']), (400, hook + 'manifests should not be empty'))

	# --- watch ---
	def test_watch_stream(self):
		st, o, _ = self.c.request('POST', CMS, cm('w0'))
		rv = o['metadata']['resourceVersion']
		r, evs, conn = self.c.stream(CMS + '?watch=true&resourceVersion=%s&labelSelector=app%%3Dx'
					     '&allowWatchBookmarks=true&timeoutSeconds=20' % rv)
		self.assertEqual(r.getheader('Transfer-Encoding'), 'chunked')
		self.c.request('POST', CMS, cm('w1', {'app': 'x'}))
		self.c.request('PATCH', CMS + '/w1', {'metadata': {'labels': {'app': 'y'}}}, 'application/merge-patch+json')
		got = [next(evs), next(evs)]
		self.assertEqual([(e['type'], e['object']['metadata']['name']) for e in got],
				 [('ADDED', 'w1'), ('DELETED', 'w1')])
		# the watch cache sends the PREVIOUS content (the one that matched) at the new resourceVersion
		st, now, _ = self.c.request('GET', CMS + '/w1')
		self.assertEqual(got[1]['object']['metadata']['labels'], {'app': 'x'})
		self.assertEqual(got[1]['object']['metadata']['resourceVersion'], now['metadata']['resourceVersion'])
		conn.close()

	def test_delete_status_codes(self):
		# 200 with the object while a finalizer holds it (202 only for the deprecated
		# orphanDependents=false), 200 with a Status once it is gone; as kube-apiserver answers.
		fin = cm('held')
		fin['metadata']['finalizers'] = ['example.com/hold']
		for name, opts, want in (('held', None, 200), ('held2', {'orphanDependents': False}, 202)):
			fin['metadata']['name'] = name
			st, _, _ = self.c.request('POST', CMS, fin)
			self.assertEqual(st, 201)
			st, d, _ = self.c.request('DELETE', CMS + '/' + name, opts)
			self.assertEqual((st, d['kind']), (want, 'ConfigMap'), name)
			self.assertIn('deletionTimestamp', d['metadata'])
			st, _, _ = self.c.request('PATCH', CMS + '/' + name, {'metadata': {'finalizers': None}},
						  'application/merge-patch+json')
			self.assertEqual(st, 200)
			st, _, _ = self.c.request('GET', CMS + '/' + name)
			self.assertEqual(st, 404)

	def test_watch_bookmark_and_timeout(self):
		self.srv.store.bookmark_interval = 0.3
		try:
			t0 = time.monotonic()
			r, evs, conn = self.c.stream(CMS + '?watch=1&allowWatchBookmarks=true&timeoutSeconds=2'
						     '&resourceVersion=%d' % self.srv.store.current_rv())
			types = [e['type'] for e in evs]
			self.assertIn('BOOKMARK', types)
			self.assertLess(time.monotonic() - t0, 10)   # the server ended the stream at timeoutSeconds
			conn.close()
		finally:
			self.srv.store.bookmark_interval = 30.0

	def test_watch_410_fault_and_compaction(self):
		st, _ = self.srv.admin_call('POST', '/admin/faults/watch-410', {'count': 1})
		self.assertEqual(st, 200)
		r, evs, conn = self.c.stream(CMS + '?watch=true&resourceVersion=1')
		ev = next(evs)
		self.assertEqual((ev['type'], ev['object']['code'], ev['object']['reason']), ('ERROR', 410, 'Expired'))
		conn.close()
		self.c.request('POST', CMS, cm('c-before'))
		st, body = self.srv.admin_call('POST', '/admin/faults/compact')
		r, evs, conn = self.c.stream(CMS + '?watch=true&resourceVersion=2')
		ev = next(evs)
		self.assertEqual((ev['type'], ev['object']['code']), ('ERROR', 410))
		conn.close()
		st, f = self.srv.admin_call('GET', '/admin/faults')
		self.assertGreaterEqual(f['counters']['watch_410'], 1)
		self.assertGreaterEqual(f['counters']['compact'], 1)

	def test_drop_watches(self):
		r, evs, conn = self.c.stream(CMS + '?watch=true&resourceVersion=%d' % self.srv.store.current_rv())
		done = threading.Event()

		def consume():
			for _ in evs:
				pass
			done.set()
		threading.Thread(target=consume, daemon=True).start()
		deadline = time.monotonic() + 5
		while not self.srv.store._watchers.get(('', 'configmaps')) and time.monotonic() < deadline:
			time.sleep(0.02)
		st, body = self.srv.admin_call('POST', '/admin/faults/drop-watches')
		self.assertGreaterEqual(body['dropped'], 1)
		self.assertTrue(done.wait(10))
		conn.close()

	# --- faults / audit ---
	def test_error_faults_and_audit(self):
		self.srv.audit.reset()
		self.srv.admin_call('POST', '/admin/faults/errors', {'code': 429, 'count': 2, 'verb': 'list',
								      'retryAfter': 3})
		self.srv.admin_call('POST', '/admin/faults/errors', {'code': 500, 'count': 1, 'path': '/configmaps/zz'})
		st, e, r = self.c.request('GET', CMS)
		self.assertEqual((st, r.getheader('Retry-After'), e['reason']), (429, '3', 'TooManyRequests'))
		st, _, _ = self.c.request('GET', CMS + '/zz')
		self.assertEqual(st, 500)
		st, _, _ = self.c.request('GET', CMS)
		self.assertEqual(st, 429)
		st, _, _ = self.c.request('GET', CMS)
		self.assertEqual(st, 200)
		st, f = self.srv.admin_call('GET', '/admin/faults')
		self.assertEqual((f['counters']['error_429'], f['counters']['error_500']), (2, 1))
		deadline = time.monotonic() + 5
		while time.monotonic() < deadline:
			st, a = self.srv.admin_call('GET', '/admin/audit?verb=list')
			if a['total'] >= 3:
				break
			time.sleep(0.02)
		self.assertEqual(a['total'], 3)
		st, a = self.srv.admin_call('GET', '/admin/audit?verb=get')
		self.assertEqual(a['total'], 1)
		self.c.request('POST', CMS, cm('zz409'))
		self.srv.admin_call('POST', '/admin/faults/errors', {'code': 409, 'count': 1, 'verb': 'patch'})
		self.srv.admin_call('POST', '/admin/faults/errors', {'code': 503, 'count': 1, 'path': '/configmaps/zz409',
								      'retryAfter': 2})
		st, e, _ = self.c.request('PATCH', CMS + '/zz409', {'data': {'a': 'b'}}, 'application/merge-patch+json')
		self.assertEqual((st, e['reason']), (409, 'Conflict'))
		self.assertIn('the object has been modified', e['message'])
		st, e, r = self.c.request('GET', CMS + '/zz409')
		self.assertEqual((st, r.getheader('Retry-After'), e['reason']), (503, '2', 'ServiceUnavailable'))
		st, o, _ = self.c.request('PATCH', CMS + '/zz409', {'data': {'a': 'b'}}, 'application/merge-patch+json')
		self.assertEqual((st, o['data']['a']), (200, 'b'))   # each fault fires its count only
		st, f = self.srv.admin_call('GET', '/admin/faults')
		self.assertEqual((f['counters']['error_429'], f['counters']['error_500'], f['counters']['error_409'],
				  f['counters']['error_503']), (2, 1, 1, 1))

	def test_latency(self):
		self.srv.admin_call('POST', '/admin/faults/latency', {'seconds': 0.3, 'count': 1})
		t0 = time.monotonic()
		self.c.request('GET', '/api/v1/namespaces')
		self.assertGreaterEqual(time.monotonic() - t0, 0.3)

	def test_restart_keeps_state(self):
		self.c.request('POST', CMS, cm('survivor'))
		st, _ = self.srv.admin_call('POST', '/admin/restart', {'downSeconds': 0.2})
		self.assertEqual(st, 200)
		deadline = time.monotonic() + 10
		while time.monotonic() < deadline:
			try:
				c = self.srv.client()
				st, o, _ = c.request('GET', CMS + '/survivor')
				c.close()
				if st == 200 and self.srv.api.restarts >= 1:
					break
			except OSError:
				pass
			time.sleep(0.1)
		self.assertEqual(st, 200)
		self.assertGreaterEqual(self.srv.api.restarts, 1)
		self.c.close()


if __name__ == '__main__':
	unittest.main()
