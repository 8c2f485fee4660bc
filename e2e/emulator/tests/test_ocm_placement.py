"""OCM placement simulator: pure scheduling and the controller on a Store."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import ocm_common as oc  # noqa: E402
import ocm_placement as op  # noqa: E402
import ocm_sim  # noqa: E402
import store as store_mod  # noqa: E402


def mc(name, labels=None, taints=None, claims=None, deleting=False):
	labels = dict(labels or {})
	labels.setdefault(oc.CLUSTERSET_LABEL, "default")
	obj = {"metadata": {"name": name, "labels": labels}, "spec": {"taints": taints or []},
		"status": {"clusterClaims": [{"name": k, "value": v} for k, v in (claims or {}).items()]}}
	if deleting:
		obj["metadata"]["deletionTimestamp"] = oc.rfc3339()
	return obj


GLOBAL = {"metadata": {"name": "global"}, "spec": {"clusterSelector": {"selectorType": "LabelSelector", "labelSelector": {}}}}
DEFAULT = {"metadata": {"name": "default"}, "spec": {"clusterSelector": {"selectorType": "ExclusiveClusterSetLabel"}}}


def binding(name, ns="ns1"):
	return {"metadata": {"name": name, "namespace": ns}, "spec": {"clusterSet": name}}


def placement(**spec):
	return {"metadata": {"name": "p", "namespace": "ns1"}, "spec": spec}


class ScheduleTest(unittest.TestCase):
	def test_binding_required(self):
		r = op.schedule(placement(), [mc("a")], [GLOBAL], [], time.time())
		self.assertEqual(r["selected"], [])
		self.assertEqual(r["satisfied"][:2], ("False", "NoManagedClusterSetBindings"))
		# a binding whose set does not exist does not count
		r = op.schedule(placement(), [mc("a")], [GLOBAL], [binding("nope")], time.time())
		self.assertEqual(r["satisfied"][1], "NoManagedClusterSetBindings")
		r = op.schedule(placement(clusterSets=["default"]), [mc("a")], [GLOBAL, DEFAULT], [binding("global")], time.time())
		self.assertEqual(r["satisfied"][1], "NoIntersection")
		r = op.schedule(placement(), [mc("a")], [GLOBAL], [binding("global")], time.time())
		self.assertEqual(r["selected"], ["a"])
		self.assertEqual(r["satisfied"], ("True", "AllDecisionsScheduled", "All cluster decisions scheduled"))

	def test_exclusive_set_membership(self):
		clusters = [mc("a"), mc("b", {oc.CLUSTERSET_LABEL: "other"})]
		r = op.schedule(placement(), clusters, [DEFAULT], [binding("default")], time.time())
		self.assertEqual(r["selected"], ["a"])
		empty = {"metadata": {"name": "empty"}, "spec": {}}
		r = op.schedule(placement(), clusters, [empty], [binding("empty")], time.time())
		self.assertEqual(r["satisfied"][1], "AllManagedClusterSetsEmpty")

	def test_label_and_claim_selectors(self):
		clusters = [mc("a", {"plane": "dp1", "tier": "gold"}, claims={"region": "eu"}),
			mc("b", {"plane": "dp1"}, claims={"region": "us"}), mc("c", {"plane": "dp2"}), mc("d", deleting=True)]
		sel = {"requiredClusterSelector": {"labelSelector": {"matchLabels": {"plane": "dp1"}}}}
		r = op.schedule(placement(predicates=[sel]), clusters, [GLOBAL], [binding("global")], time.time())
		self.assertEqual(r["selected"], ["a", "b"])
		expr = {"requiredClusterSelector": {"labelSelector": {"matchExpressions": [
			{"key": "plane", "operator": "In", "values": ["dp1", "dp2"]}, {"key": "tier", "operator": "DoesNotExist"}]}}}
		r = op.schedule(placement(predicates=[expr]), clusters, [GLOBAL], [binding("global")], time.time())
		self.assertEqual(r["selected"], ["b", "c"])
		claim = {"requiredClusterSelector": {"claimSelector": {"matchExpressions": [
			{"key": "region", "operator": "In", "values": ["eu"]}]}}}
		r = op.schedule(placement(predicates=[claim, {"requiredClusterSelector": {"labelSelector": {
			"matchLabels": {"plane": "dp2"}}}}]), clusters, [GLOBAL], [binding("global")], time.time())
		self.assertEqual(r["selected"], ["a", "c"])  # predicates are ORed; the deleting cluster never counts
		none = {"requiredClusterSelector": {"labelSelector": {"matchLabels": {"plane": "zzz"}}}}
		r = op.schedule(placement(predicates=[none]), clusters, [GLOBAL], [binding("global")], time.time())
		self.assertEqual(r["satisfied"][1], "NoManagedClusterMatched")

	def test_number_of_clusters(self):
		clusters = [mc(n) for n in ("c", "a", "b")]
		r = op.schedule(placement(numberOfClusters=2), clusters, [GLOBAL], [binding("global")], time.time())
		self.assertEqual(r["selected"], ["a", "b"])
		# Steady: current decisions are kept
		r = op.schedule(placement(numberOfClusters=2), clusters, [GLOBAL], [binding("global")], time.time(),
			previous={"c"})
		self.assertEqual(r["selected"], ["a", "c"])
		r = op.schedule(placement(numberOfClusters=5), clusters, [GLOBAL], [binding("global")], time.time())
		self.assertEqual(r["selected"], ["a", "b", "c"])
		self.assertEqual(r["satisfied"], ("False", "NotAllDecisionsScheduled", "2 cluster decisions unscheduled"))

	def test_taints_and_tolerations(self):
		now = time.time()
		added = oc.rfc3339(now - 10)
		t = {"key": oc.UNREACHABLE_TAINT, "effect": "NoSelect", "timeAdded": added}
		clusters = [mc("a"), mc("b", taints=[t]), mc("c", taints=[{"key": "x", "value": "y", "effect": "PreferNoSelect"}])]
		r = op.schedule(placement(), clusters, [GLOBAL], [binding("global")], now)
		self.assertEqual(r["selected"], ["a", "c"])
		tol = {"key": oc.UNREACHABLE_TAINT, "operator": "Exists"}
		r = op.schedule(placement(tolerations=[tol]), clusters, [GLOBAL], [binding("global")], now)
		self.assertEqual(r["selected"], ["a", "b", "c"])
		self.assertIsNone(r["next_check"])
		# tolerationSeconds counts from the taint's timeAdded
		r = op.schedule(placement(tolerations=[dict(tol, tolerationSeconds=60)]), clusters, [GLOBAL],
			[binding("global")], now)
		self.assertEqual(r["selected"], ["a", "b", "c"])
		self.assertAlmostEqual(r["next_check"], now - 10 + 60, delta=1.5)
		r = op.schedule(placement(tolerations=[dict(tol, tolerationSeconds=5)]), clusters, [GLOBAL],
			[binding("global")], now)
		self.assertEqual(r["selected"], ["a", "c"])
		# Equal needs the value; NoSelectIfNew keeps a cluster that is already selected
		eq = [mc("d", taints=[{"key": "k", "value": "v", "effect": "NoSelectIfNew"}])]
		r = op.schedule(placement(), eq, [GLOBAL], [binding("global")], now)
		self.assertEqual(r["selected"], [])
		r = op.schedule(placement(), eq, [GLOBAL], [binding("global")], now, previous={"d"})
		self.assertEqual(r["selected"], ["d"])
		r = op.schedule(placement(tolerations=[{"key": "k", "operator": "Equal", "value": "v"}]), eq, [GLOBAL],
			[binding("global")], now)
		self.assertEqual(r["selected"], ["d"])

	def test_misconfigured_tolerations(self):
		r = op.schedule(placement(tolerations=[{"operator": "Equal", "value": "x"}]), [mc("a")], [GLOBAL],
			[binding("global")], time.time())
		self.assertTrue(r["misconfigured"])
		r = op.schedule(placement(tolerations=[{"key": "k", "operator": "Exists", "value": "x"}]), [mc("a")],
			[GLOBAL], [binding("global")], time.time())
		self.assertTrue(r["misconfigured"])

	def test_paging_and_groups(self):
		names = ["c%03d" % i for i in range(250)]
		pages = op.paginate("p", op.group_decisions(placement(), names, {}))
		self.assertEqual([p[0] for p in pages], ["p-decision-1", "p-decision-2", "p-decision-3"])
		self.assertEqual([len(p[3]) for p in pages], [100, 100, 50])
		self.assertEqual(sum((p[3] for p in pages), []), names)
		self.assertEqual(op.paginate("p", op.group_decisions(placement(), [], {})), [("p-decision-1", 0, "", [])])
		by = {n: mc(n, {"canary": "true"} if n < "c002" else {}) for n in names[:5]}
		gs = {"decisionStrategy": {"groupStrategy": {"decisionGroups": [{"groupName": "canary",
			"groupClusterSelector": {"labelSelector": {"matchLabels": {"canary": "true"}}}}],
			"clustersPerDecisionGroup": 2}}}
		groups = op.group_decisions(placement(**gs), names[:5], by)
		self.assertEqual(groups, [(0, "canary", ["c000", "c001"]), (1, "", ["c002", "c003"]), (2, "", ["c004"])])


def wait_for(pred, timeout=15.0, what="condition"):
	deadline = time.time() + timeout
	last = None
	while time.time() < deadline:
		try:
			last = pred()
			if last:
				return last
		except Exception as e:  # object not there yet
			last = e
		time.sleep(0.05)
	raise AssertionError("timed out waiting for %s (last: %r)" % (what, last))


class ControllerTest(unittest.TestCase):
	def setUp(self):
		self.store = store_mod.Store(validate=False)
		ocm_sim.serve_hub_kinds(self.store)
		self.api = oc.Api(self.store)
		self.ctl = op.HubController(self.api).start()
		self.api.create(oc.NAMESPACES, None, {"metadata": {"name": "ns1"}})

	def tearDown(self):
		self.ctl.stop()

	def add_clusters(self, n, labels=None):
		for i in range(n):
			self.api.create(oc.MANAGED_CLUSTERS, None, {"metadata": {"name": "c%03d" % i, "labels": dict(labels or {})},
				"spec": {"hubAcceptsClient": True}})

	def decisions(self, name="p"):
		out = {}
		for d in self.api.list(oc.DECISIONS, "ns1", label_selector="%s=%s" % (op.PLACEMENT_LABEL, name)):
			out[d["metadata"]["name"]] = [x["clusterName"] for x in (d.get("status") or {}).get("decisions") or []]
		return out

	def test_end_to_end_paging_binding_and_status(self):
		self.add_clusters(230)
		self.api.create(oc.PLACEMENTS, "ns1", {"metadata": {"name": "p"}, "spec": {}})
		# default sets appear, clusters get the default clusterset label, no binding yet -> nothing selected
		wait_for(lambda: self.api.get(oc.CLUSTER_SETS, None, "global"), what="global set")
		wait_for(lambda: (self.api.get(oc.MANAGED_CLUSTERS, None, "c007")["metadata"]["labels"]
			.get(oc.CLUSTERSET_LABEL) == "default"), what="default set label")
		st = wait_for(lambda: self.api.get(oc.PLACEMENTS, "ns1", "p").get("status"), what="placement status")
		self.assertEqual(oc.find_condition(st["conditions"], "PlacementSatisfied")["reason"], "NoManagedClusterSetBindings")
		self.assertEqual(self.decisions(), {"p-decision-1": []})
		self.api.create(oc.SET_BINDINGS, "ns1", {"metadata": {"name": "global"}, "spec": {"clusterSet": "global"}})
		wait_for(lambda: sum(len(v) for v in self.decisions().values()) == 230, what="230 decisions")
		d = self.decisions()
		self.assertEqual(sorted(d), ["p-decision-1", "p-decision-2", "p-decision-3"])
		self.assertEqual([len(d["p-decision-%d" % i]) for i in (1, 2, 3)], [100, 100, 30])
		pd = self.api.get(oc.DECISIONS, "ns1", "p-decision-2")
		self.assertEqual(pd["metadata"]["labels"][op.GROUP_INDEX_LABEL], "0")
		self.assertEqual(pd["metadata"]["labels"][op.GROUP_NAME_LABEL], "")
		owner = pd["metadata"]["ownerReferences"][0]
		self.assertEqual((owner["kind"], owner["name"], owner["controller"]), ("Placement", "p", True))
		p = self.api.get(oc.PLACEMENTS, "ns1", "p")
		self.assertEqual(p["status"]["numberOfSelectedClusters"], 230)
		self.assertEqual(p["status"]["decisionGroups"][0]["decisions"], ["p-decision-1", "p-decision-2", "p-decision-3"])
		self.assertEqual(oc.find_condition(p["status"]["conditions"], "PlacementSatisfied")["status"], "True")
		self.assertEqual(oc.find_condition(p["status"]["conditions"], "PlacementMisconfigured")["status"], "False")
		b = self.api.get(oc.SET_BINDINGS, "ns1", "global")
		self.assertEqual(oc.find_condition(b["status"]["conditions"], "Bound")["status"], "True")
		# shrink: surplus decision objects are deleted
		self.api.patch(oc.PLACEMENTS, "ns1", "p", "merge", {"spec": {"numberOfClusters": 150}})
		wait_for(lambda: sorted(self.decisions()) == ["p-decision-1", "p-decision-2"], what="surplus deleted")
		self.assertEqual(len(self.decisions()["p-decision-2"]), 50)
		# a placement that goes away takes its decisions with it
		self.api.delete(oc.PLACEMENTS, "ns1", "p")
		wait_for(lambda: self.decisions() == {}, what="decisions garbage-collected")

	def test_reacts_to_cluster_label_and_taint_changes(self):
		self.add_clusters(3, {"plane": "dp1"})
		self.api.create(oc.SET_BINDINGS, "ns1", {"metadata": {"name": "global"}, "spec": {"clusterSet": "global"}})
		self.api.create(oc.PLACEMENTS, "ns1", {"metadata": {"name": "p"}, "spec": {"predicates": [
			{"requiredClusterSelector": {"labelSelector": {"matchLabels": {"plane": "dp1"}}}}],
			"tolerations": [{"key": oc.UNREACHABLE_TAINT, "operator": "Exists", "tolerationSeconds": 3}]}})
		wait_for(lambda: self.decisions().get("p-decision-1") == ["c000", "c001", "c002"], what="3 selected")
		self.api.patch(oc.MANAGED_CLUSTERS, None, "c001", "merge", {"metadata": {"labels": {"plane": "dp2"}}})
		wait_for(lambda: self.decisions().get("p-decision-1") == ["c000", "c002"], what="relabelled cluster dropped")
		# tolerated for 3 s after timeAdded (second precision), then dropped without any further event
		self.api.patch(oc.MANAGED_CLUSTERS, None, "c002", "merge", {"spec": {"taints": [
			{"key": oc.UNREACHABLE_TAINT, "effect": "NoSelect", "timeAdded": oc.rfc3339()}]}})
		time.sleep(0.3)
		self.assertIn("c002", self.decisions()["p-decision-1"])
		wait_for(lambda: self.decisions().get("p-decision-1") == ["c000"], what="toleration expiry")
		self.api.delete(oc.SET_BINDINGS, "ns1", "global")
		wait_for(lambda: self.decisions().get("p-decision-1") == [], what="unbound set")


if __name__ == "__main__":
	unittest.main()
