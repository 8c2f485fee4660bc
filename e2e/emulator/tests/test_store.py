"""Store semantics (no HTTP): metadata, resourceVersion, generation, conflicts, patches, SSA,
finalizers, garbage collection, namespaces, schema validation, paging, watch."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from support import CM, CRDS, NS, WIDGETS, new_store, store, with_widgets  # noqa: E402

ApiError = store.ApiError


def widget(wname, size=3, ns='default', **spec):
	s = {'size': size}
	s.update(spec)
	return {'apiVersion': 'example.com/v1', 'kind': 'Widget', 'metadata': {'name': wname, 'namespace': ns}, 'spec': s}


class Meta(unittest.TestCase):
	def setUp(self):
		self.st = with_widgets(new_store())

	def test_core_kinds_secret_event_lease(self):
		sec = ('', 'v1', 'secrets')
		o = self.st.create(sec, {'metadata': {'name': 's', 'namespace': 'default'},
					 'stringData': {'token': 'abc'}, 'data': {'x': 'eHl6'}})
		self.assertNotIn('stringData', o)   # folded into base64 data, as the real server stores it
		self.assertEqual((o['data'], o['type']), ({'token': 'YWJj', 'x': 'eHl6'}, 'Opaque'))
		with self.assertRaises(ApiError) as e:
			self.st.create(sec, {'metadata': {'name': 'bad', 'namespace': 'default'}, 'data': {'k': '%%%'}})
		self.assertEqual(e.exception.code, 400)
		ev = ('', 'v1', 'events')
		for i, target in enumerate(('rel-a', 'rel-b')):
			self.st.create(ev, {'metadata': {'name': 'e%d' % i, 'namespace': 'default'}, 'reason': 'Synced',
					    'involvedObject': {'kind': 'Release', 'name': target, 'namespace': 'default'}})
		items = self.st.list(ev, 'default', field_selector='involvedObject.name=rel-b')['items']
		self.assertEqual([i['metadata']['name'] for i in items], ['e1'])
		lease = ('coordination.k8s.io', 'v1', 'leases')
		lo = self.st.create(lease, {'metadata': {'name': 'l', 'namespace': 'default'},
					    'spec': {'holderIdentity': 'a', 'leaseDurationSeconds': 15}})
		lo['spec']['holderIdentity'] = 'b'
		self.st.update(lease, lo, 'default')
		with self.assertRaises(ApiError) as e:   # the stale copy loses: what leader election relies on
			self.st.update(lease, lo, 'default')
		self.assertEqual((e.exception.code, e.exception.reason), (409, 'Conflict'))

	def test_create_sets_server_fields_and_global_rv(self):
		a = self.st.create(CM, {'metadata': {'name': 'a', 'namespace': 'default'}, 'data': {'x': '1'}})
		b = self.st.create(WIDGETS, widget('w'))
		self.assertRegex(a['metadata']['uid'], r'^[0-9a-f-]{36}$')
		self.assertRegex(a['metadata']['creationTimestamp'], r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$')
		self.assertGreater(int(b['metadata']['resourceVersion']), int(a['metadata']['resourceVersion']))
		self.assertEqual(b['metadata']['generation'], 1)
		self.assertNotIn('generation', a['metadata'])
		self.assertEqual(a['apiVersion'], 'v1')
		self.assertEqual(a['kind'], 'ConfigMap')

	def test_already_exists_and_missing_namespace(self):
		self.st.create(CM, {'metadata': {'name': 'a', 'namespace': 'default'}})
		with self.assertRaises(ApiError) as e:
			self.st.create(CM, {'metadata': {'name': 'a', 'namespace': 'default'}})
		self.assertEqual((e.exception.code, e.exception.reason), (409, 'AlreadyExists'))
		self.assertEqual(e.exception.message, 'configmaps "a" already exists')
		with self.assertRaises(ApiError) as e:
			self.st.create(CM, {'metadata': {'name': 'a', 'namespace': 'nope'}})
		self.assertEqual(e.exception.code, 404)
		self.assertEqual(e.exception.message, 'namespaces "nope" not found')

	def test_generate_name(self):
		o = self.st.create(CM, {'metadata': {'generateName': 'cfg-', 'namespace': 'default'}})
		self.assertRegex(o['metadata']['name'], r'^cfg-[bcdfghjklmnpqrstvwxz2456789]{5}$')
		with self.assertRaises(ApiError) as e:
			self.st.create(CM, {'metadata': {'namespace': 'default'}})
		self.assertEqual(e.exception.code, 422)
		self.assertIn('metadata.name: Required value: name or generateName is required', e.exception.message)

	def test_invalid_name(self):
		with self.assertRaises(ApiError) as e:
			self.st.create(CM, {'metadata': {'name': 'Bad_Name', 'namespace': 'default'}})
		self.assertEqual(e.exception.code, 422)
		self.assertIn('a lowercase RFC 1123 subdomain', e.exception.message)

	def test_update_conflict_and_noop(self):
		a = self.st.create(CM, {'metadata': {'name': 'a', 'namespace': 'default'}, 'data': {'x': '1'}})
		a['data']['x'] = '2'
		b = self.st.update(CM, a)
		self.assertNotEqual(b['metadata']['resourceVersion'], a['metadata']['resourceVersion'])
		a['data']['x'] = '3'
		with self.assertRaises(ApiError) as e:
			self.st.update(CM, a)   # stale resourceVersion
		self.assertEqual(e.exception.code, 409)
		self.assertEqual(e.exception.message, 'Operation cannot be fulfilled on configmaps "a": the object has '
				 'been modified; please apply your changes to the latest version and try again')
		c = self.st.update(CM, b)   # no-op: same resourceVersion
		self.assertEqual(c['metadata']['resourceVersion'], b['metadata']['resourceVersion'])

	def test_cr_update_requires_resource_version(self):
		w = self.st.create(WIDGETS, widget('w'))
		del w['metadata']['resourceVersion']
		with self.assertRaises(ApiError) as e:
			self.st.update(WIDGETS, w)
		self.assertEqual(e.exception.code, 422)
		self.assertIn('metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
			      e.exception.message)

	def test_generation_only_on_spec(self):
		w = self.st.create(WIDGETS, widget('w'))
		w['metadata']['labels'] = {'a': 'b'}
		w = self.st.update(WIDGETS, w)
		self.assertEqual(w['metadata']['generation'], 1)
		w['status'] = {'phase': 'x'}
		w = self.st.update(WIDGETS, w, subresource='status')
		self.assertEqual(w['metadata']['generation'], 1)
		self.assertEqual(w['status'], {'phase': 'x'})
		w['spec']['size'] = 4
		w = self.st.update(WIDGETS, w)
		self.assertEqual(w['metadata']['generation'], 2)

	def test_status_subresource_semantics(self):
		w = self.st.create(WIDGETS, dict(widget('w'), status={'phase': 'ignored'}))
		self.assertNotIn('status', w)   # status dropped on create
		w['status'] = {'phase': 'main'}
		w = self.st.update(WIDGETS, w)
		self.assertNotIn('status', w)   # main endpoint ignores status
		w = self.st.patch(WIDGETS, 'w', {'status': {'phase': 'ok'}, 'spec': {'size': 9}}, 'merge', 'default',
				  subresource='status')
		self.assertEqual(w['status'], {'phase': 'ok'})
		self.assertEqual(w['spec']['size'], 3)   # /status ignores spec

	def test_patches(self):
		self.st.create(CM, {'metadata': {'name': 'a', 'namespace': 'default'}, 'data': {'x': '1', 'y': '2'}})
		o = self.st.patch(CM, 'a', {'data': {'x': None, 'z': '3'}}, 'merge', 'default')
		self.assertEqual(o['data'], {'y': '2', 'z': '3'})
		o = self.st.patch(CM, 'a', [{'op': 'add', 'path': '/data/w', 'value': '4'},
					    {'op': 'remove', 'path': '/data/y'},
					    {'op': 'test', 'path': '/data/z', 'value': '3'}], 'json', 'default')
		self.assertEqual(o['data'], {'z': '3', 'w': '4'})
		with self.assertRaises(ApiError) as e:
			self.st.patch(CM, 'a', [{'op': 'test', 'path': '/data/z', 'value': 'no'}], 'json', 'default')
		self.assertEqual(e.exception.code, 422)
		with self.assertRaises(ApiError) as e:
			self.st.patch(CM, 'missing', {'data': {}}, 'merge', 'default')
		self.assertEqual(e.exception.code, 404)
		o = self.st.patch(CM, 'a', {'data': {'s': '1'}}, 'strategic', 'default')
		self.assertEqual(o['data']['s'], '1')
		self.st.create(WIDGETS, widget('w'))
		with self.assertRaises(ApiError) as e:
			self.st.patch(WIDGETS, 'w', {'spec': {'size': 2}}, 'strategic', 'default')
		self.assertEqual(e.exception.code, 415)
		with self.assertRaises(ApiError) as e:
			self.st.patch(WIDGETS, 'w', {'metadata': {'resourceVersion': '1'}, 'spec': {'size': 2}}, 'merge',
				      'default')
		self.assertEqual(e.exception.code, 409)


class Schema(unittest.TestCase):
	def setUp(self):
		self.st = with_widgets(new_store())

	def err(self, obj):
		with self.assertRaises(ApiError) as e:
			self.st.create(WIDGETS, obj)
		self.assertEqual(e.exception.code, 422, e.exception.message)
		return e.exception.message

	def test_messages(self):
		self.assertEqual(self.err({'metadata': {'name': 'x', 'namespace': 'default'}, 'spec': {}}),
				 'Widget.example.com "x" is invalid: spec.size: Required value')
		self.assertEqual(self.err(widget('x', size='big')),
				 'Widget.example.com "x" is invalid: spec.size: Invalid value: "string": spec.size in body '
				 'must be of type integer: "string"')
		self.assertEqual(self.err(widget('x', size=0)),
				 'Widget.example.com "x" is invalid: spec.size: Invalid value: 0: spec.size in body should '
				 'be greater than or equal to 1')
		self.assertIn('spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10',
			      self.err(widget('x', size=11)))
		self.assertIn('spec.color: Unsupported value: "green": supported values: "red", "blue"',
			      self.err(widget('x', color='green')))
		self.assertIn("spec.name: Invalid value: \"AB\": spec.name in body should match '^[a-z]+$'",
			      self.err(widget('x', name='AB')))
		self.assertIn('spec.name: Invalid value: "a": spec.name in body should be at least 2 chars long',
			      self.err(widget('x', name='a')))
		self.assertIn('spec.name: Too long: may not be more than 8 bytes', self.err(widget('x', name='abcdefghij')))
		self.assertIn('spec.tags: Too many: 3: must have at most 2 items', self.err(widget('x', tags=['a', 'b', 'c'])))
		self.assertIn('spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items',
			      self.err(widget('x', tags=[])))
		m = self.err(widget('x', size=0, color='green'))
		self.assertTrue(m.startswith('Widget.example.com "x" is invalid: [spec.size: '), m)
		self.assertIn('spec.ports[1]: Duplicate value', self.err(widget('x', ports=[{'name': 'a'}, {'name': 'a'}])))
		self.assertIn('spec.embedded.kind: Required value', self.err(widget('x', embedded={'apiVersion': 'v1'})))

	def test_defaults_and_pruning(self):
		warnings = []
		o = self.st.create(WIDGETS, dict(widget('x', bogus=1, raw={'any': {'thing': 1}}), extra=True),
				   warnings=warnings)
		self.assertEqual(o['spec']['color'], 'red')
		self.assertNotIn('bogus', o['spec'])
		self.assertNotIn('extra', o)
		self.assertEqual(o['spec']['raw'], {'any': {'thing': 1}})
		self.assertIn('unknown field "spec.bogus"', warnings)
		with self.assertRaises(ApiError) as e:
			self.st.create(WIDGETS, widget('y', bogus=1), field_validation='Strict')
		self.assertEqual(e.exception.code, 400)


class SSA(unittest.TestCase):
	def setUp(self):
		self.st = with_widgets(new_store())

	def test_conflict_force_and_removal(self):
		self.st.apply(WIDGETS, widget('w', size=3, replicas=2), 'mgr-a')
		with self.assertRaises(ApiError) as e:
			self.st.apply(WIDGETS, widget('w', size=3, replicas=5), 'mgr-b')
		self.assertEqual(e.exception.code, 409)
		self.assertEqual(e.exception.message, 'Apply failed with 1 conflict: conflict with "mgr-a": .spec.replicas')
		self.assertEqual(e.exception.details['causes'][0],
				 {'reason': 'FieldManagerConflict', 'message': 'conflict with "mgr-a"', 'field': '.spec.replicas'})
		# same value: shared ownership, no conflict
		self.st.apply(WIDGETS, widget('w', size=3), 'mgr-b')
		o = self.st.apply(WIDGETS, widget('w', size=3, replicas=5), 'mgr-b', force=True)
		self.assertEqual(o['spec']['replicas'], 5)
		owners = {m['manager']: m['fieldsV1'] for m in o['metadata']['managedFields']}
		self.assertIn('f:replicas', owners['mgr-b']['f:spec'])
		self.assertNotIn('f:replicas', owners['mgr-a']['f:spec'])
		# mgr-b stops applying replicas: removed (nobody else owns it); size stays (mgr-a owns it too)
		o = self.st.apply(WIDGETS, {'apiVersion': 'example.com/v1', 'kind': 'Widget',
					    'metadata': {'name': 'w', 'namespace': 'default'}, 'spec': {}}, 'mgr-b')
		self.assertNotIn('replicas', o['spec'])
		self.assertEqual(o['spec']['size'], 3)

	def test_multiple_conflicts_and_update_manager(self):
		self.st.create(WIDGETS, widget('w', size=3, replicas=1), field_manager='kubectl-create')
		with self.assertRaises(ApiError) as e:
			self.st.apply(WIDGETS, widget('w', size=4, replicas=2), 'ssa')
		self.assertEqual(e.exception.message, 'Apply failed with 2 conflicts: conflicts with "kubectl-create" '
				 'using example.com/v1:\n- .spec.replicas\n- .spec.size')
		self.assertEqual([c['message'] for c in e.exception.details['causes']],
				 ['conflict with "kubectl-create" using example.com/v1'] * 2)

	def test_list_map_items(self):
		self.st.apply(WIDGETS, widget('w', ports=[{'name': 'http', 'port': 80}]), 'a')
		o = self.st.apply(WIDGETS, widget('w', ports=[{'name': 'grpc', 'port': 90}]), 'b')
		self.assertEqual([p['name'] for p in o['spec']['ports']], ['http', 'grpc'])
		o = self.st.apply(WIDGETS, widget('w', ports=[]), 'a')
		self.assertEqual([p['name'] for p in o['spec']['ports']], ['grpc'])

	def test_apply_create_owns_only_applied_fields(self):
		o = self.st.apply(WIDGETS, widget('w', size=3), 'a')
		self.assertEqual(o['spec']['color'], 'red')   # defaulted
		self.assertEqual(o['metadata']['managedFields'][0]['fieldsV1'], {'f:spec': {'f:size': {}}})

	def test_apply_requires_field_manager(self):
		with self.assertRaises(ApiError) as e:
			self.st.patch(WIDGETS, 'w', widget('w'), 'apply', 'default')
		self.assertEqual(e.exception.code, 422)
		self.assertIn('fieldManager: Required value', e.exception.message)

	def test_update_takes_ownership(self):
		self.st.apply(WIDGETS, widget('w', size=3), 'a')
		o = self.st.patch(WIDGETS, 'w', {'spec': {'size': 4}}, 'merge', 'default', field_manager='editor')
		owners = {m['manager']: m for m in o['metadata']['managedFields']}
		self.assertEqual(owners['editor']['operation'], 'Update')
		self.assertIn('f:size', owners['editor']['fieldsV1']['f:spec'])
		self.assertNotIn('a', owners)   # its only field was taken: the empty entry is dropped


class Deletion(unittest.TestCase):
	def setUp(self):
		self.st = with_widgets(new_store())

	def test_finalizers(self):
		o = self.st.create(WIDGETS, dict(widget('w'), metadata={'name': 'w', 'namespace': 'default',
									 'finalizers': ['example.com/f']}))
		d = self.st.delete(WIDGETS, 'w', 'default')
		self.assertIn('deletionTimestamp', d['metadata'])
		self.assertEqual(d['metadata']['deletionGracePeriodSeconds'], 0)
		self.assertEqual(d['metadata']['generation'], o['metadata']['generation'] + 1)
		cur = self.st.get(WIDGETS, 'w', 'default')
		cur['metadata']['finalizers'].append('another')
		with self.assertRaises(ApiError) as e:
			self.st.update(WIDGETS, cur)
		self.assertEqual(e.exception.code, 422)
		self.assertIn('Forbidden: no new finalizers can be added if the object is being deleted', e.exception.message)
		self.st.patch(WIDGETS, 'w', {'metadata': {'finalizers': None}}, 'merge', 'default')
		with self.assertRaises(ApiError) as e:
			self.st.get(WIDGETS, 'w', 'default')
		self.assertEqual(e.exception.code, 404)

	def test_preconditions(self):
		o = self.st.create(CM, {'metadata': {'name': 'a', 'namespace': 'default'}})
		with self.assertRaises(ApiError) as e:
			self.st.delete(CM, 'a', 'default', preconditions={'uid': 'other'})
		self.assertEqual(e.exception.code, 409)
		self.assertIn('Precondition failed: UID in precondition: other', e.exception.message)
		with self.assertRaises(ApiError) as e:
			self.st.delete(CM, 'a', 'default', preconditions={'resourceVersion': '1'})
		self.assertEqual(e.exception.code, 409)
		st = self.st.delete(CM, 'a', 'default', preconditions={'uid': o['metadata']['uid']})
		self.assertEqual(st['status'], 'Success')

	def _owner_and_child(self):
		p = self.st.create(CM, {'metadata': {'name': 'parent', 'namespace': 'default'}})
		ref = {'apiVersion': 'v1', 'kind': 'ConfigMap', 'name': 'parent', 'uid': p['metadata']['uid']}
		self.st.create(CM, {'metadata': {'name': 'child', 'namespace': 'default', 'ownerReferences': [ref]}})
		return p

	def test_background_gc(self):
		self._owner_and_child()
		self.st.delete(CM, 'parent', 'default')
		with self.assertRaises(ApiError):
			self.st.get(CM, 'child', 'default')

	def test_orphan(self):
		self._owner_and_child()
		self.st.delete(CM, 'parent', 'default', propagation_policy='Orphan')
		c = self.st.get(CM, 'child', 'default')
		self.assertNotIn('ownerReferences', c['metadata'])
		with self.assertRaises(ApiError):
			self.st.get(CM, 'parent', 'default')

	def test_foreground_waits_for_dependents(self):
		p = self.st.create(CM, {'metadata': {'name': 'parent', 'namespace': 'default'}})
		ref = {'apiVersion': 'v1', 'kind': 'ConfigMap', 'name': 'parent', 'uid': p['metadata']['uid']}
		self.st.create(CM, {'metadata': {'name': 'child', 'namespace': 'default', 'ownerReferences': [ref],
					       'finalizers': ['hold']}})
		self.st.delete(CM, 'parent', 'default', propagation_policy='Foreground')
		par = self.st.get(CM, 'parent', 'default')
		self.assertIn('foregroundDeletion', par['metadata']['finalizers'])
		self.assertIn('deletionTimestamp', self.st.get(CM, 'child', 'default')['metadata'])
		self.st.patch(CM, 'child', {'metadata': {'finalizers': None}}, 'merge', 'default')
		with self.assertRaises(ApiError):
			self.st.get(CM, 'parent', 'default')

	def test_namespace_deletion(self):
		self.st.create(NS, {'metadata': {'name': 'doomed'}})
		self.st.create(CM, {'metadata': {'name': 'a', 'namespace': 'doomed'}})
		self.st.create(WIDGETS, dict(widget('w', ns='doomed'), metadata={'name': 'w', 'namespace': 'doomed',
										  'finalizers': ['hold']}))
		self.st.delete(NS, 'doomed')
		ns = self.st.get(NS, 'doomed')
		self.assertEqual(ns['status']['phase'], 'Terminating')
		with self.assertRaises(ApiError) as e:
			self.st.create(CM, {'metadata': {'name': 'b', 'namespace': 'doomed'}})
		self.assertEqual(e.exception.code, 403)
		with self.assertRaises(ApiError):
			self.st.get(CM, 'a', 'doomed')
		self.st.patch(WIDGETS, 'w', {'metadata': {'finalizers': None}}, 'merge', 'doomed')
		with self.assertRaises(ApiError):
			self.st.get(NS, 'doomed')

	def test_crd_deletion_removes_resources(self):
		self.st.create(WIDGETS, widget('w'))
		self.st.delete(CRDS, 'widgets.example.com')
		with self.assertRaises(ApiError):
			self.st.resource('example.com', 'v1', 'widgets')


class Lists(unittest.TestCase):
	def setUp(self):
		self.st = new_store(history=50)
		self.st.create(NS, {'metadata': {'name': 'other'}})
		for i in range(10):
			self.st.create(CM, {'metadata': {'name': 'c%02d' % i, 'namespace': 'default',
						       'labels': {'i': str(i), 'even': str(i % 2 == 0).lower()}}})
		self.st.create(CM, {'metadata': {'name': 'z', 'namespace': 'other', 'labels': {'tier': 'x'}}})

	def names(self, **kw):
		return [o['metadata']['name'] for o in self.st.list(CM, **kw)['items']]

	def test_selectors(self):
		self.assertEqual(len(self.names(namespace='default', label_selector='even=true')), 5)
		self.assertEqual(len(self.names(namespace='default', label_selector='even==true,i!=0')), 4)
		self.assertEqual(self.names(label_selector='i in (1,3)'), ['c01', 'c03'])
		self.assertEqual(len(self.names(label_selector='i notin (1,3)')), 9)   # includes z (no label)
		self.assertEqual(self.names(label_selector='tier'), ['z'])
		self.assertEqual(len(self.names(label_selector='!tier')), 10)
		self.assertEqual(self.names(field_selector='metadata.name=c05'), ['c05'])
		self.assertEqual(self.names(field_selector='metadata.namespace!=default'), ['z'])
		with self.assertRaises(ApiError) as e:
			self.st.list(CM, field_selector='spec.x=1')
		self.assertEqual(e.exception.code, 400)
		with self.assertRaises(ApiError) as e:
			self.st.list(CM, label_selector='a in (')
		self.assertEqual(e.exception.code, 400)

	def test_paging_is_consistent(self):
		p1 = self.st.list(CM, namespace='default', limit=4)
		self.assertEqual([o['metadata']['name'] for o in p1['items']], ['c00', 'c01', 'c02', 'c03'])
		self.assertEqual(p1['metadata']['remainingItemCount'], 6)
		# changes after the first page do not show up in later pages (snapshot at the list's rv)
		self.st.delete(CM, 'c05', 'default')
		self.st.create(CM, {'metadata': {'name': 'c045', 'namespace': 'default'}})
		p2 = self.st.list(CM, namespace='default', limit=4, continue_token=p1['metadata']['continue'])
		self.assertEqual([o['metadata']['name'] for o in p2['items']], ['c04', 'c05', 'c06', 'c07'])
		self.assertEqual(p2['metadata']['resourceVersion'], p1['metadata']['resourceVersion'])
		p3 = self.st.list(CM, namespace='default', limit=4, continue_token=p2['metadata']['continue'])
		self.assertEqual([o['metadata']['name'] for o in p3['items']], ['c08', 'c09'])
		self.assertNotIn('continue', p3['metadata'])

	def test_continue_expires_after_compaction(self):
		p1 = self.st.list(CM, namespace='default', limit=2)
		self.st.patch(CM, 'c00', {'data': {'a': 'b'}}, 'merge', 'default')
		self.st.compact()
		with self.assertRaises(ApiError) as e:
			self.st.list(CM, namespace='default', limit=2, continue_token=p1['metadata']['continue'])
		self.assertEqual((e.exception.code, e.exception.reason), (410, 'Expired'))
		self.assertIn('The provided continue parameter is too old', e.exception.message)


class Watch(unittest.TestCase):
	def setUp(self):
		self.st = new_store(history=20)

	def drain(self, w, n, timeout=5.0):
		out = []
		end = time.monotonic() + timeout
		while len(out) < n and time.monotonic() < end:
			ev = w.next(timeout=0.2)
			if ev is not None:
				out.append(ev)
		return out

	def test_from_rv_and_selector_transitions(self):
		a = self.st.create(CM, {'metadata': {'name': 'a', 'namespace': 'default', 'labels': {'x': '1'}}})
		w = self.st.watch(CM, 'default', a['metadata']['resourceVersion'], label_selector='x=1')
		self.st.patch(CM, 'a', {'data': {'k': 'v'}}, 'merge', 'default')
		self.st.patch(CM, 'a', {'metadata': {'labels': {'x': '2'}}}, 'merge', 'default')   # stops matching
		self.st.patch(CM, 'a', {'metadata': {'labels': {'x': '1'}}}, 'merge', 'default')   # matches again
		self.st.delete(CM, 'a', 'default')
		evs = self.drain(w, 4)
		self.assertEqual([e.type for e in evs], ['MODIFIED', 'DELETED', 'ADDED', 'DELETED'])
		rvs = [e.rv for e in evs]
		self.assertEqual(rvs, sorted(rvs))
		w.close()

	def test_initial_state_without_rv(self):
		self.st.create(CM, {'metadata': {'name': 'a', 'namespace': 'default'}})
		w = self.st.watch(CM)
		evs = self.drain(w, 1)
		self.assertEqual(evs[0].type, 'ADDED')
		self.assertEqual(evs[0].object['metadata']['name'], 'a')
		w.close()

	def test_too_old_rv_gives_410(self):
		for i in range(40):
			self.st.create(CM, {'metadata': {'name': 'c%d' % i, 'namespace': 'default'}})
		w = self.st.watch(CM, 'default', '3')
		evs = self.drain(w, 1)
		self.assertEqual(evs[0].type, 'ERROR')
		self.assertEqual(evs[0].obj['code'], 410)
		self.assertEqual(evs[0].obj['reason'], 'Expired')
		self.assertRegex(evs[0].obj['message'], r'^too old resource version: 3 \(\d+\)$')

	def test_subscribe_in_order(self):
		got = []
		self.st.subscribe(lambda ev: got.append((ev.type, ev.rv)), CM)
		for i in range(5):
			self.st.create(CM, {'metadata': {'name': 'c%d' % i, 'namespace': 'default'}})
		self.st.wait_idle()
		end = time.monotonic() + 5
		while len(got) < 5 and time.monotonic() < end:
			time.sleep(0.01)
		self.assertEqual([t for t, _ in got], ['ADDED'] * 5)
		self.assertEqual([r for _, r in got], sorted(r for _, r in got))


if __name__ == '__main__':
	unittest.main()
