"""OCM simulators together: registration, cluster outage (offline/online), admin endpoints."""

import glob
import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import ocm_common as oc  # noqa: E402
import ocm_sim  # noqa: E402
import store as store_mod  # noqa: E402

CONFIGMAPS = ("", "v1", "configmaps")


def wait_for(pred, timeout=20.0, what="condition"):
	deadline = time.time() + timeout
	last = None
	while time.time() < deadline:
		try:
			last = pred()
			if last:
				return last
		except Exception as e:
			last = e
		time.sleep(0.05)
	raise AssertionError("timed out waiting for %s (last: %r)" % (what, last))


class FakeAdmin:
	"""The registry the API helper's admin server provides: register(method, regex, handler)."""

	def __init__(self):
		self.routes = []

	def register(self, method, regex, handler):
		self.routes.append((method, re.compile(regex), handler))

	def call(self, method, path, body=None):
		for m, rx, h in self.routes:
			match = rx.match(path)
			if m == method and match:
				return h(match, body)
		return 404, {"error": "no route"}


def work(name, cm):
	return {"apiVersion": "work.open-cluster-management.io/v1", "kind": "ManifestWork", "metadata": {"name": name},
		"spec": {"workload": {"manifests": [{"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": {"name": cm, "namespace": "default"}, "data": {"k": "v"}}]}}}


class SimTest(unittest.TestCase):
	def setUp(self):
		self.hub_store = store_mod.Store(validate=False)
		ocm_sim.serve_hub_kinds(self.hub_store)
		self.admin = FakeAdmin()
		self.sims = ocm_sim.start(self.hub_store, {"clusters": ["dp-east", "dp-west"], "agent_sync": 0.1,
			"rollout_seconds": 0.2, "lease_grace": 0.5,
			"cluster_labels": {"dp-east": {"openchoreo.dev/plane-id": "dp1"}}}, self.admin)
		self.hub = oc.Api(self.hub_store)

	def tearDown(self):
		self.sims.stop()

	def mc(self, name):
		return self.hub.get(oc.MANAGED_CLUSTERS, None, name)

	def available(self, name):
		return oc.find_condition(self.mc(name)["status"]["conditions"], "ManagedClusterConditionAvailable")["status"]

	def test_registration(self):
		m = self.mc("dp-east")
		self.assertTrue(m["spec"]["hubAcceptsClient"])
		self.assertEqual(m["metadata"]["labels"], {oc.CLUSTERSET_LABEL: "default", "openchoreo.dev/plane-id": "dp1"})
		for t in ("HubAcceptedManagedCluster", "ManagedClusterJoined", "ManagedClusterConditionAvailable"):
			self.assertEqual(oc.find_condition(m["status"]["conditions"], t)["status"], "True", t)
		self.hub.get(oc.NAMESPACES, None, "dp-west")
		wait_for(lambda: self.hub.get(oc.CLUSTER_SETS, None, "default"), what="default set")
		wait_for(lambda: self.hub.get(oc.CLUSTER_SETS, None, "global"), what="global set")

	def test_offline_then_online(self):
		self.hub.create(oc.NAMESPACES, None, {"metadata": {"name": "ns1"}})
		self.hub.create(oc.SET_BINDINGS, "ns1", {"metadata": {"name": "global"}, "spec": {"clusterSet": "global"}})
		self.hub.create(oc.PLACEMENTS, "ns1", {"metadata": {"name": "p"}, "spec": {}})
		decided = lambda: sorted(d["clusterName"] for pd in self.hub.list(oc.DECISIONS, "ns1")  # noqa: E731
			for d in (pd.get("status") or {}).get("decisions") or [])
		wait_for(lambda: decided() == ["dp-east", "dp-west"], what="both decided")
		self.hub.create(oc.MANIFEST_WORKS, "dp-east", work("before", "a"))
		spoke = self.sims.clusters["dp-east"].spoke
		wait_for(lambda: spoke.get(CONFIGMAPS, "default", "a"), what="applied while online")
		code, body = self.admin.call("POST", "/admin/clusters/dp-east/offline")
		self.assertEqual((code, body["offline"]), (200, True))
		# nothing happens on that cluster while it is away: no finalizer, no apply, no status, no deletion
		self.hub.create(oc.MANIFEST_WORKS, "dp-east", work("during", "b"))
		self.hub.delete(oc.MANIFEST_WORKS, "dp-east", "before")
		wait_for(lambda: self.available("dp-east") == "Unknown", what="Unknown after lease grace")
		m = self.mc("dp-east")
		self.assertEqual(oc.find_condition(m["status"]["conditions"], "ManagedClusterConditionAvailable")["reason"],
			"ManagedClusterLeaseUpdateStopped")
		self.assertEqual([(t["key"], t["effect"]) for t in m["spec"]["taints"]], [(oc.UNREACHABLE_TAINT, "NoSelect")])
		self.assertTrue(m["spec"]["taints"][0]["timeAdded"])
		wait_for(lambda: decided() == ["dp-west"], what="untolerated unreachable cluster dropped")
		time.sleep(0.5)
		during = self.hub.get(oc.MANIFEST_WORKS, "dp-east", "during")
		self.assertNotIn("finalizers", during["metadata"])
		self.assertNotIn("status", during)
		self.assertTrue(self.hub.get(oc.MANIFEST_WORKS, "dp-east", "before")["metadata"]["deletionTimestamp"])
		with self.assertRaises(store_mod.ApiError):
			spoke.get(CONFIGMAPS, "default", "b")
		self.assertEqual(self.available("dp-west"), "True")
		# back online: condition True, taint gone, the agent catches up
		code, body = self.admin.call("POST", "/admin/clusters/dp-east/online")
		self.assertEqual((code, body["offline"]), (200, False))
		wait_for(lambda: self.available("dp-east") == "True", what="available again")
		wait_for(lambda: not self.mc("dp-east")["spec"].get("taints"), what="taint removed")
		wait_for(lambda: spoke.get(CONFIGMAPS, "default", "b"), what="caught-up apply")
		wait_for(lambda: not [w for w in self.hub.list(oc.MANIFEST_WORKS, "dp-east") if w["metadata"]["name"] == "before"],
			what="caught-up deletion")
		with self.assertRaises(store_mod.ApiError):
			spoke.get(CONFIGMAPS, "default", "a")
		wait_for(lambda: decided() == ["dp-east", "dp-west"], what="decided again")

	def test_admin_join_leave_objects_patch(self):
		code, body = self.admin.call("POST", "/admin/clusters", {"name": "dp-south", "labels": {"region": "s"}})
		self.assertEqual(code, 201, body)
		self.assertEqual(self.admin.call("POST", "/admin/clusters", {"name": "dp-south"})[0], 409)
		self.assertEqual(self.admin.call("POST", "/admin/clusters", {"name": "Bad_Name"})[0], 400)
		self.assertEqual(self.mc("dp-south")["metadata"]["labels"]["region"], "s")
		code, body = self.admin.call("GET", "/admin/clusters")
		self.assertEqual([c["name"] for c in body["clusters"]], ["dp-east", "dp-south", "dp-west"])
		self.hub.create(oc.MANIFEST_WORKS, "dp-south", work("w", "cm"))
		wait_for(lambda: self.admin.call("GET", "/admin/clusters/dp-south/objects?kind=ConfigMap")[1]["items"],
			what="spoke object listed")
		code, body = self.admin.call("GET", "/admin/clusters/dp-south/objects?kind=ConfigMap&namespace=default")
		self.assertEqual([o["metadata"]["name"] for o in body["items"]], ["cm"])
		code, body = self.admin.call("PATCH", "/admin/clusters/dp-south/objects/core/v1/configmaps/default/cm",
			{"data": {"k": "drifted"}})
		self.assertEqual((code, body["data"]), (200, {"k": "drifted"}))
		code, body = self.admin.call("PATCH", "/admin/clusters/dp-south/objects/_/v1/configmaps/default/nope", {})
		self.assertEqual(code, 404)
		self.assertEqual(self.admin.call("GET", "/admin/clusters/nope/objects")[0], 404)
		self.assertEqual(self.admin.call("POST", "/admin/clusters/nope/offline")[0], 404)
		code, body = self.admin.call("DELETE", "/admin/clusters/dp-south")
		self.assertEqual(code, 200)
		with self.assertRaises(store_mod.ApiError):
			self.mc("dp-south")
		self.assertEqual(self.admin.call("DELETE", "/admin/clusters/dp-south")[0], 404)


class ValidatedHubTest(unittest.TestCase):
	"""Everything the simulators write must pass the bundled OCM CRD schemas and the work webhook."""

	def setUp(self):
		import webhooks
		import yamlmini
		self.hub_store = store_mod.Store(validate=True)
		webhooks.install(self.hub_store)
		here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crds", "ocm")
		files = sorted(glob.glob(os.path.join(here, "*.yaml")))
		self.assertTrue(files)
		for f in files:
			with open(f, encoding="utf-8") as fh:
				for d in yamlmini.load_all(fh.read()):
					if isinstance(d, dict) and d.get("kind") == "CustomResourceDefinition":
						self.hub_store.install_crd(d)
		self.errors = []
		self.sims = ocm_sim.start(self.hub_store, {"clusters": ["dp-east"], "agent_sync": 0.1, "rollout_seconds": 0.2,
			"lease_grace": 0.3, "log": self.errors.append})
		self.hub = oc.Api(self.hub_store)

	def tearDown(self):
		self.sims.stop()

	def test_schema_valid_writes(self):
		self.hub.create(oc.NAMESPACES, None, {"metadata": {"name": "ns1"}})
		self.hub.create(oc.SET_BINDINGS, "ns1", {"apiVersion": "cluster.open-cluster-management.io/v1beta2",
			"kind": "ManagedClusterSetBinding", "metadata": {"name": "global"}, "spec": {"clusterSet": "global"}})
		self.hub.create(oc.PLACEMENTS, "ns1", {"apiVersion": "cluster.open-cluster-management.io/v1beta1",
			"kind": "Placement", "metadata": {"name": "p"}, "spec": {}})
		w = work("w", "cm")
		w["spec"]["workload"]["manifests"] += [
			{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
				"spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "c", "image": "i"}]}}}},
			{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "ghost"}}]
		w["spec"]["manifestConfigs"] = [{"resourceIdentifier": {"group": "apps", "resource": "deployments",
			"name": "web", "namespace": "default"}, "feedbackRules": [{"type": "WellKnownStatus"}, {"type": "JSONPaths",
			"jsonPaths": [{"name": "tmpl", "path": ".spec.template"}]}],
			"updateStrategy": {"type": "ServerSideApply", "serverSideApply": {"force": True, "fieldManager": "work-agent-t"}}}]
		self.hub.create(oc.MANIFEST_WORKS, "dp-east", w)
		got = wait_for(lambda: (self.hub.get(oc.MANIFEST_WORKS, "dp-east", "w").get("status") or {}).get("resourceStatus")
			and self.hub.get(oc.MANIFEST_WORKS, "dp-east", "w"), what="work status")
		self.assertEqual(len(got["status"]["resourceStatus"]["manifests"]), 3)
		wait_for(lambda: (self.hub.get(oc.PLACEMENTS, "ns1", "p").get("status") or {}).get("numberOfSelectedClusters") == 1,
			what="placement status")
		self.hub.get(oc.DECISIONS, "ns1", "p-decision-1")
		self.sims.set_offline("dp-east", True)
		wait_for(lambda: self.hub.get(oc.MANAGED_CLUSTERS, None, "dp-east")["spec"].get("taints"), what="taint")
		self.sims.set_offline("dp-east", False)
		wait_for(lambda: not self.hub.get(oc.MANAGED_CLUSTERS, None, "dp-east")["spec"].get("taints"), what="untainted")
		self.hub.delete(oc.MANIFEST_WORKS, "dp-east", "w")
		wait_for(lambda: not self.hub.list(oc.MANIFEST_WORKS, "dp-east"), what="work deleted")
		self.assertEqual(self.errors, [])


if __name__ == "__main__":
	unittest.main()
