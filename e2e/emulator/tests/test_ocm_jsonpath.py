"""Kubernetes JSONPath evaluator used for OCM feedback rules and ignoreFields."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import jsonpath  # noqa: E402

DEPLOY = {
	"apiVersion": "apps/v1", "kind": "Deployment",
	"metadata": {"name": "web", "generation": 4, "annotations": {"a.b/c": "dotted"}},
	"spec": {"replicas": 3, "paused": False},
	"status": {
		"replicas": 3, "readyReplicas": 2, "ratio": 0.5,
		"conditions": [
			{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
			{"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"},
		],
		"parents": [{"conditions": [{"type": "Accepted", "status": "False"}]}],
		"containerStatuses": [
			{"name": "a", "state": {"running": {}}},
			{"name": "b", "state": {"waiting": {"reason": "CrashLoopBackOff"}}},
		],
	},
}


class JSONPathTest(unittest.TestCase):
	def test_fields(self):
		self.assertEqual(jsonpath.find(DEPLOY, ".status.readyReplicas"), [2])
		self.assertEqual(jsonpath.find(DEPLOY, "{.metadata.generation}"), [4])
		self.assertEqual(jsonpath.find(DEPLOY, "$.spec.replicas"), [3])
		self.assertEqual(jsonpath.find(DEPLOY, ".spec.paused"), [False])
		self.assertEqual(jsonpath.find(DEPLOY, "status.replicas"), [3])

	def test_missing_is_empty_not_error(self):
		self.assertEqual(jsonpath.find(DEPLOY, ".status.availableReplicas"), [])
		self.assertEqual(jsonpath.find(DEPLOY, ".status.conditions[7].type"), [])
		self.assertEqual(jsonpath.find(DEPLOY, ".nope.deeper.still"), [])
		self.assertEqual(jsonpath.find(DEPLOY, ".spec.replicas.x"), [])

	def test_filter_by_type(self):
		p = '.status.conditions[?(@.type=="Progressing")].reason'
		self.assertEqual(jsonpath.find(DEPLOY, p), ["NewReplicaSetAvailable"])
		self.assertEqual(jsonpath.find(DEPLOY, ".status.conditions[?(@.type=='Available')].status"), ["True"])
		self.assertEqual(jsonpath.find(DEPLOY, '.status.conditions[?(@.type=="Missing")].status'), [])
		self.assertEqual(jsonpath.find(DEPLOY, '.status.conditions[?(@.type!="Available")].type'), ["Progressing"])

	def test_nested_filter_field(self):
		p = '.status.containerStatuses[?(@.state.waiting.reason=="CrashLoopBackOff")].name'
		self.assertEqual(jsonpath.find(DEPLOY, p), ["b"])
		self.assertEqual(jsonpath.find(DEPLOY, ".status.containerStatuses[?(@.state.waiting)].name"), ["b"])

	def test_index_wildcard_slice_union(self):
		self.assertEqual(jsonpath.find(DEPLOY, '.status.parents[0].conditions[?(@.type=="Accepted")].status'),
			["False"])
		self.assertEqual(jsonpath.find(DEPLOY, ".status.conditions[*].type"), ["Available", "Progressing"])
		self.assertEqual(jsonpath.find(DEPLOY, ".status.conditions[-1].type"), ["Progressing"])
		self.assertEqual(jsonpath.find(DEPLOY, ".status.conditions[0:1].type"), ["Available"])
		self.assertEqual(jsonpath.find(DEPLOY, ".status.conditions[1,0].type"), ["Progressing", "Available"])
		self.assertEqual(jsonpath.find(DEPLOY, ".metadata.annotations['a.b/c']"), ["dotted"])
		self.assertEqual(sorted(jsonpath.find(DEPLOY, "..reason")),
			["CrashLoopBackOff", "MinimumReplicasAvailable", "NewReplicaSetAvailable"])

	def test_numeric_and_logical_filters(self):
		obj = {"items": [{"n": 1, "ok": True}, {"n": 5, "ok": False}, {"n": 9, "ok": True}]}
		self.assertEqual(jsonpath.find(obj, ".items[?(@.n > 3)].n"), [5, 9])
		self.assertEqual(jsonpath.find(obj, ".items[?(@.n >= 5 && @.ok == true)].n"), [9])
		self.assertEqual(jsonpath.find(obj, ".items[?(@.n < 2 || @.n == 9)].n"), [1, 9])

	def test_errors(self):
		for bad in ("", ".a[", '.a[?(@.x=="y"]', ".a[?()]", ".a[1:2:0]", "x" * (jsonpath.MAX_PATH + 1)):
			with self.assertRaises(jsonpath.JSONPathError, msg=bad):
				jsonpath.find(DEPLOY, bad)
		with self.assertRaises(jsonpath.JSONPathError):
			jsonpath.find(DEPLOY, '.spec[?(@.x=="y")]')  # filtering a map, as client-go refuses

	def test_delete(self):
		import copy
		obj = copy.deepcopy(DEPLOY)
		self.assertEqual(jsonpath.delete(obj, ".spec.replicas"), 1)
		self.assertNotIn("replicas", obj["spec"])
		self.assertEqual(jsonpath.delete(obj, '.status.conditions[?(@.status=="True")]'), 2)
		self.assertEqual(obj["status"]["conditions"], [])
		self.assertEqual(jsonpath.delete(obj, ".spec.nothing"), 0)


if __name__ == "__main__":
	unittest.main()
