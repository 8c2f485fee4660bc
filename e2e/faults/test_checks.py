"""Unit tests of the campaign's judges (model.World.unexpected_delete, checks.audit_deletes,
checks.status_differs): a wrong judge would let a real bug through, so each rule is pinned here
with the case it must catch and the case it must let pass. No emulator, no daemon."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import checks  # noqa: E402
import model  # noqa: E402


def world():
	w = model.World()
	w.add_cluster('a1', 'pa', 0)
	w.add_cluster('a2', 'pa', 0)
	w.add_cluster('b1', 'pb', 0)
	w.releases['x'] = model.Release('x', 'Release', 'ea', {}, 5)      # pa only
	w.releases['m'] = model.Release('m', 'RenderedRelease', 'em', {}, 5)  # pa and pb
	return w


def delete(user, ns, name, code=200, verb='delete'):
	return {'user': user, 'verb': verb, 'resource': 'manifestworks', 'namespace': ns, 'name': name, 'code': code}


class UnexpectedDelete(unittest.TestCase):
	def test_live_release_on_cluster_in_decisions(self):
		w = world()
		self.assertTrue(w.unexpected_delete(10, 'a1', 'default-x'))
		self.assertTrue(w.unexpected_delete(10, 'b1', 'default-m'))

	def test_cluster_outside_the_plane_is_expected(self):
		self.assertFalse(world().unexpected_delete(10, 'b1', 'default-x'))

	def test_after_the_release_was_deleted(self):
		w = world()
		w.releases['x'].deleted_at = 20
		self.assertTrue(w.unexpected_delete(19, 'a1', 'default-x'), 'before the delete was sent')
		self.assertFalse(w.unexpected_delete(20, 'a1', 'default-x'))
		self.assertFalse(w.unexpected_delete(50, 'a1', 'default-x'))

	def test_after_the_cluster_left(self):
		w = world()
		w.retire('a2', 30)
		self.assertTrue(w.unexpected_delete(29, 'a2', 'default-x'))
		self.assertFalse(w.unexpected_delete(30, 'a2', 'default-x'))
		self.assertEqual(w.expected_clusters(w.releases['x']), ['a1'])
		self.assertEqual(w.expected_clusters(w.releases['m']), ['a1', 'b1'])

	def test_unknown_work_or_cluster(self):
		w = world()
		self.assertFalse(w.unexpected_delete(10, 'a1', 'default-nope'))
		self.assertFalse(w.unexpected_delete(10, 'zz', 'default-x'))


class AuditDeletes(unittest.TestCase):
	def test_counts_only_successful_deletes_by_the_daemons(self):
		w = world()
		w.releases['x'].deleted_at = 3
		entries = [
			delete('daemon-a', 'a1', 'default-m'),            # 0: live, in decisions -> unexpected
			delete('admin', 'a1', 'default-m'),               # 1: not a daemon
			delete('daemon-b', 'a1', 'default-m', code=500),  # 2: failed
			delete('daemon-b', 'a1', 'default-x', code=404),  # 3: nothing deleted
			delete('daemon-b', 'a1', 'default-x'),            # 4: after its Release was deleted
			delete('daemon-b', 'a1', '', verb='deletecollection'),  # 5: never expected
			dict(delete('daemon-a', 'a1', 'default-m'), resource='placements'),
		]
		deletes, unexpected = checks.audit_deletes(w, entries, ('daemon-a', 'daemon-b'))
		self.assertEqual([i for i, _ in deletes], [0, 4, 5])
		self.assertEqual([i for i, _ in unexpected], [0, 5])


class StatusMeaning(unittest.TestCase):
	base = {'resources': [{'kind': 'Deployment', 'name': 'd', 'namespace': 'n', 'healthStatus': 'Healthy',
			       'status': {'readyReplicas': 1}, 'lastObservedTime': 't1'}],
		'conditions': [{'type': 'ResourcesApplied', 'status': 'True', 'reason': 'ApplySucceeded', 'message': 'ok',
				'lastTransitionTime': 't1'}]}

	def variant(self, **kw):
		import copy
		s = copy.deepcopy(self.base)
		for k, v in kw.items():
			if k in ('healthStatus', 'status', 'lastObservedTime'):
				s['resources'][0][k] = v
			else:
				s['conditions'][0][k] = v
		return s

	def test_equal_and_timestamps_ignored(self):
		self.assertIsNone(checks.status_differs(self.base, self.base))
		self.assertIsNone(checks.status_differs(self.variant(lastObservedTime='t2', lastTransitionTime='t2'), self.base))

	def test_health_feedback_and_conditions_compared(self):
		for kw in ({'healthStatus': 'Progressing'}, {'status': {'readyReplicas': 0}}, {'status': 'False'},
			   {'reason': 'ApplyFailed'}, {'message': 'other'}):
			self.assertIsNotNone(checks.status_differs(self.variant(**kw), self.base), kw)
		self.assertIsNotNone(checks.status_differs({}, self.base), 'a missing status differs')

	def test_extra_live_condition_is_allowed(self):
		live = self.variant()
		live['conditions'].append({'type': 'Scheduled', 'status': 'True', 'reason': 'ClustersSelected'})
		self.assertIsNone(checks.status_differs(live, self.base))


if __name__ == '__main__':
	unittest.main(verbosity=2)
