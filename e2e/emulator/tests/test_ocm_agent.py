"""OCM work-agent simulator: finalizer, apply strategies, status and feedback, deletion and orphaning."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import ocm_agent  # noqa: E402
import ocm_common as oc  # noqa: E402
import ocm_sim  # noqa: E402
import store as store_mod  # noqa: E402

DEPLOYMENTS = ("apps", "v1", "deployments")
CONFIGMAPS = ("", "v1", "configmaps")
CLUSTER = "dp-east"


def wait_for(pred, timeout=20.0, what="condition"):
	deadline = time.time() + timeout
	last = None
	while time.time() < deadline:
		try:
			last = pred()
			if last:
				return last
		except Exception as e:  # not there yet
			last = e
		time.sleep(0.05)
	raise AssertionError("timed out waiting for %s (last: %r)" % (what, last))


def deployment(name="web", ns="app", replicas=2, image="nginx:1", annotations=None):
	return {"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": {"name": name, "namespace": ns, "annotations": dict(annotations or {})},
		"spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
			"template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "c", "image": image}]}}}}


def configmap(name, ns="app", data=None):
	return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns}, "data": data or {"k": "v"}}


def namespace(name):
	return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def cfg(resource, name, ns="app", group="", strategy=None, rules=None):
	c = {"resourceIdentifier": {"group": group, "resource": resource, "name": name, "namespace": ns}}
	if strategy is not None:
		c["updateStrategy"] = strategy
	if rules is not None:
		c["feedbackRules"] = rules
	return c


def manifest_entry(work, kind, name):
	for m in ((work.get("status") or {}).get("resourceStatus") or {}).get("manifests") or []:
		if m["resourceMeta"]["kind"] == kind and m["resourceMeta"]["name"] == name:
			return m
	return None


def mcond(work, kind, name, ctype):
	m = manifest_entry(work, kind, name)
	return oc.find_condition(m["conditions"], ctype) if m else None


def wcond(work, ctype):
	return oc.find_condition((work.get("status") or {}).get("conditions"), ctype)


def values(work, kind, name):
	m = manifest_entry(work, kind, name) or {}
	out = {}
	for v in (m.get("statusFeedback") or {}).get("values") or []:
		fv = v["fieldValue"]
		out[v["name"]] = fv[fv["type"][0].lower() + fv["type"][1:]]
	return out


class AgentTest(unittest.TestCase):
	def setUp(self):
		self.hub_store = store_mod.Store(validate=False)
		ocm_sim.serve_hub_kinds(self.hub_store)
		self.sims = ocm_sim.start(self.hub_store, {"clusters": [CLUSTER], "agent_sync": 0.1, "rollout_seconds": 0.3,
			"agent_resync": 600})
		self.hub = oc.Api(self.hub_store)
		self.cluster = self.sims.clusters[CLUSTER]
		self.spoke = self.cluster.spoke
		self.agent = self.cluster.agent

	def tearDown(self):
		self.sims.stop()

	def create_work(self, name, manifests, configs=None, delete_option=None):
		spec = {"workload": {"manifests": manifests}}
		if configs:
			spec["manifestConfigs"] = configs
		if delete_option:
			spec["deleteOption"] = delete_option
		return self.hub.create(oc.MANIFEST_WORKS, CLUSTER, {"apiVersion": "work.open-cluster-management.io/v1",
			"kind": "ManifestWork", "metadata": {"name": name}, "spec": spec})

	def work(self, name):
		return self.hub.get(oc.MANIFEST_WORKS, CLUSTER, name)

	def patch_spec(self, name, spec):
		return self.hub.patch(oc.MANIFEST_WORKS, CLUSTER, name, "merge", {"spec": spec})

	def settled(self, name):
		"""The work's Applied condition is current."""
		w = self.work(name)
		c = wcond(w, "Applied")
		return w if c and c.get("observedGeneration") == w["metadata"]["generation"] else None

	# ------------------------------------------------------------------

	def test_apply_status_and_feedback(self):
		rules = [{"type": "WellKnownStatus"}, {"type": "JSONPaths", "jsonPaths": [
			{"name": "available", "path": '.status.conditions[?(@.type=="Available")].status'},
			{"name": "paused", "path": ".spec.paused"},
			{"name": "gen", "path": ".metadata.generation"}]}]
		# the Namespace comes last in spec: OCM's kind order still applies it first
		web = deployment()
		web["spec"]["paused"] = False
		self.create_work("w1", [web, configmap("cfg"), namespace("app")],
			[cfg("deployments", "web", group="apps", rules=rules)])
		w = wait_for(lambda: values(self.work("w1"), "Deployment", "web").get("ReadyReplicas") == 2
			and self.work("w1"), what="deployment ready feedback")
		self.assertIn(oc.WORK_FINALIZER, w["metadata"]["finalizers"])
		self.assertEqual(wcond(w, "Applied")["reason"], "AppliedManifestWorkComplete")
		self.assertEqual(wcond(w, "Applied")["observedGeneration"], 1)
		self.assertEqual(wcond(w, "Available")["reason"], "ResourcesAvailable")
		metas = [m["resourceMeta"] for m in w["status"]["resourceStatus"]["manifests"]]
		self.assertEqual([m["ordinal"] for m in metas], [0, 1, 2])
		self.assertEqual(metas[0], {"ordinal": 0, "group": "apps", "version": "v1", "kind": "Deployment",
			"resource": "deployments", "name": "web", "namespace": "app"})
		self.assertEqual(metas[2]["namespace"], "")  # cluster-scoped
		self.assertEqual(mcond(w, "Deployment", "web", "Applied")["observedGeneration"], 1)
		self.assertEqual(mcond(w, "Deployment", "web", "StatusFeedbackSynced")["reason"], "StatusFeedbackSynced")
		self.assertEqual(mcond(w, "ConfigMap", "cfg", "StatusFeedbackSynced")["reason"], "NoStatusFeedbackSynced")
		self.assertEqual(mcond(w, "ConfigMap", "cfg", "Available")["reason"], "ResourceAvailable")
		v = wait_for(lambda: values(self.work("w1"), "Deployment", "web").get("available") == "True"
			and values(self.work("w1"), "Deployment", "web"), what="available feedback")
		self.assertEqual(v["Replicas"], 2)
		self.assertEqual(v["AvailableReplicas"], 2)
		self.assertIs(v["paused"], False)
		self.assertEqual(v["gen"], 1)
		fv = {x["name"]: x["fieldValue"] for x in manifest_entry(self.work("w1"), "Deployment", "web")["statusFeedback"]["values"]}
		self.assertEqual(fv["ReadyReplicas"], {"type": "Integer", "integer": 2})
		self.assertEqual(fv["paused"], {"type": "Boolean", "boolean": False})
		self.assertEqual(fv["available"], {"type": "String", "string": "True"})
		# spoke objects carry an ownerReference to the AppliedManifestWork
		d = self.spoke.get(DEPLOYMENTS, "app", "web")
		self.assertEqual(d["metadata"]["ownerReferences"][0]["kind"], "AppliedManifestWork")
		amw = self.spoke.get(oc.APPLIED_WORKS, None, self.agent._amw_name("w1"))
		self.assertEqual(len(amw["status"]["appliedResources"]), 3)
		# status is written only when it changed: ten quiet sync periods, no new resourceVersion
		rv = self.work("w1")["metadata"]["resourceVersion"]
		writes = self.agent.stats["status_writes"]
		time.sleep(1.0)
		self.assertEqual(self.work("w1")["metadata"]["resourceVersion"], rv)
		self.assertEqual(self.agent.stats["status_writes"], writes)
		# re-applying unchanged manifests (the periodic resync) changes nothing on the spoke
		spoke_rvs = [self.spoke.get(oc.NAMESPACES, None, "app")["metadata"]["resourceVersion"],
			self.spoke.get(CONFIGMAPS, "app", "cfg")["metadata"]["resourceVersion"]]
		applies = self.agent.stats["applies"]
		self.agent.resync_now()
		wait_for(lambda: self.agent.stats["applies"] > applies, what="resync")
		self.assertEqual([self.spoke.get(oc.NAMESPACES, None, "app")["metadata"]["resourceVersion"],
			self.spoke.get(CONFIGMAPS, "app", "cfg")["metadata"]["resourceVersion"]], spoke_rvs)
		# a spec change is applied and observedGeneration follows
		spec = self.work("w1")["spec"]
		spec["workload"]["manifests"][0]["spec"]["replicas"] = 3
		self.patch_spec("w1", {"workload": spec["workload"]})
		wait_for(lambda: values(self.work("w1"), "Deployment", "web").get("ReadyReplicas") == 3, what="3 ready")
		w = self.work("w1")
		self.assertEqual(w["metadata"]["generation"], 2)
		self.assertEqual(wcond(w, "Applied")["observedGeneration"], 2)
		self.assertEqual(mcond(w, "Deployment", "web", "Applied")["observedGeneration"], 2)

	def test_missing_namespace_then_recovers(self):
		self.create_work("w2", [configmap("cfg", ns="ghost")])
		w = wait_for(lambda: self.settled("w2"), what="applied condition")
		c = mcond(w, "ConfigMap", "cfg", "Applied")
		self.assertEqual((c["status"], c["reason"]), ("False", "AppliedManifestFailed"))
		self.assertEqual(c["message"], 'Failed to apply manifest: namespaces "ghost" not found')
		self.assertEqual(wcond(w, "Applied")["status"], "False")
		self.assertEqual(wcond(w, "Applied")["reason"], "AppliedManifestWorkFailed")
		self.assertEqual(wcond(w, "Available")["reason"], "ResourcesNotAvailable")
		self.assertEqual(wcond(w, "Available")["message"], "1 of 1 resources are not available")
		self.assertEqual(mcond(w, "ConfigMap", "cfg", "Available")["reason"], "ResourceNotAvailable")
		# the apply is retried with backoff and succeeds once the namespace exists
		self.spoke.create(oc.NAMESPACES, None, namespace("ghost"))
		wait_for(lambda: wcond(self.work("w2"), "Applied")["status"] == "True", what="retry after namespace")
		self.assertEqual(self.spoke.get(CONFIGMAPS, "ghost", "cfg")["data"], {"k": "v"})

	def test_ssa_conflict_and_force(self):
		self.spoke.create(oc.NAMESPACES, None, namespace("app"))
		self.spoke.patch(DEPLOYMENTS, "app", "web", "apply", deployment(replicas=5), field_manager="x")
		ssa = {"type": "ServerSideApply", "serverSideApply": {"fieldManager": "work-agent-choreo", "force": False}}
		self.create_work("w3", [deployment(replicas=2)], [cfg("deployments", "web", group="apps", strategy=ssa)])
		w = wait_for(lambda: self.settled("w3"), what="applied condition")
		c = mcond(w, "Deployment", "web", "Applied")
		self.assertEqual((c["status"], c["reason"]), ("False", "AppliedManifestFailed"))
		self.assertTrue(c["message"].startswith('Failed to apply manifest: Apply failed with 1 conflict: conflict with "x"'),
			c["message"])
		self.assertTrue(c["message"].endswith(": .spec.replicas"), c["message"])
		self.assertEqual(self.spoke.get(DEPLOYMENTS, "app", "web")["spec"]["replicas"], 5)
		ssa["serverSideApply"]["force"] = True
		self.patch_spec("w3", {"manifestConfigs": [cfg("deployments", "web", group="apps", strategy=ssa)]})
		wait_for(lambda: wcond(self.work("w3"), "Applied")["status"] == "True", what="forced apply")
		d = self.spoke.get(DEPLOYMENTS, "app", "web")
		self.assertEqual(d["spec"]["replicas"], 2)
		managers = {m["manager"] for m in d["metadata"].get("managedFields") or []}
		self.assertIn("work-agent-choreo", managers)

	def test_ssa_ignore_fields_on_spoke_present(self):
		ssa = {"type": "ServerSideApply", "serverSideApply": {"force": True, "ignoreFields": [
			{"condition": "OnSpokePresent", "jsonPaths": [".spec.replicas"]}]}}
		configs = [cfg("deployments", "web", group="apps", strategy=ssa)]
		self.create_work("w4", [namespace("app"), deployment(replicas=2)], configs)
		wait_for(lambda: self.spoke.get(DEPLOYMENTS, "app", "web")["spec"]["replicas"] == 2, what="created")
		# an HPA on the spoke scales it; a later manifest change does not push replicas back
		self.spoke.patch(DEPLOYMENTS, "app", "web", "merge", {"spec": {"replicas": 7}}, field_manager="hpa")
		self.patch_spec("w4", {"workload": {"manifests": [namespace("app"), deployment(replicas=2, image="nginx:2")]}})
		wait_for(lambda: self.spoke.get(DEPLOYMENTS, "app", "web")["spec"]["template"]["spec"]["containers"][0]["image"]
			== "nginx:2", what="image updated")
		d = self.spoke.get(DEPLOYMENTS, "app", "web")
		self.assertEqual(d["spec"]["replicas"], 7)
		self.assertIn(ocm_agent.CONFIG_SPEC_HASH, d["metadata"]["annotations"])

	def test_ignore_fields_on_spoke_change_and_drift_repair(self):
		ssa = {"type": "ServerSideApply", "serverSideApply": {"force": True, "ignoreFields": [
			{"condition": "OnSpokeChange", "jsonPaths": [".spec.replicas"]}]}}
		self.create_work("w9", [namespace("app"), deployment(replicas=2), configmap("plain", data={"v": "1"})],
			[cfg("deployments", "web", group="apps", strategy=ssa)])
		wait_for(lambda: wcond(self.work("w9"), "Applied")["status"] == "True", what="applied")
		self.spoke.patch(DEPLOYMENTS, "app", "web", "merge", {"spec": {"replicas": 7}}, field_manager="hpa")
		self.spoke.patch(CONFIGMAPS, "app", "plain", "merge", {"data": {"v": "drift"}})
		applies = self.agent.stats["applies"]
		self.agent.resync_now()
		wait_for(lambda: self.agent.stats["applies"] > applies, what="resync")
		# Update strategy repairs drift on resync; the ignored field keeps the spoke's value
		wait_for(lambda: self.spoke.get(CONFIGMAPS, "app", "plain")["data"] == {"v": "1"}, what="drift repaired")
		self.assertEqual(self.spoke.get(DEPLOYMENTS, "app", "web")["spec"]["replicas"], 7)
		# ...until the manifest itself changes that field
		self.patch_spec("w9", {"workload": {"manifests": [namespace("app"), deployment(replicas=3),
			configmap("plain", data={"v": "1"})]}})
		wait_for(lambda: self.spoke.get(DEPLOYMENTS, "app", "web")["spec"]["replicas"] == 3, what="manifest change wins")

	def test_update_create_only_and_read_only(self):
		self.spoke.create(oc.NAMESPACES, None, namespace("app"))
		self.spoke.create(CONFIGMAPS, "app", configmap("seen", data={"owner": "spoke"}))
		create_only = {"type": "CreateOnly"}
		configs = [cfg("configmaps", "once", strategy=create_only), cfg("configmaps", "seen", strategy={"type": "ReadOnly"},
			rules=[{"type": "JSONPaths", "jsonPaths": [{"name": "owner", "path": ".data.owner"}]}]),
			cfg("configmaps", "missing", strategy={"type": "ReadOnly"})]
		self.create_work("w5", [configmap("upd", data={"v": "1"}), configmap("once", data={"v": "1"}),
			{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "seen", "namespace": "app"}},
			{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "missing", "namespace": "app"}}], configs)
		w = wait_for(lambda: values(self.work("w5"), "ConfigMap", "seen").get("owner") == "spoke" and self.work("w5"),
			what="read-only feedback")
		c = mcond(w, "ConfigMap", "missing", "Applied")
		self.assertEqual(c["status"], "False")
		self.assertEqual(c["message"], 'Failed to apply manifest: configmaps "missing" not found')
		self.assertEqual(self.spoke.get(CONFIGMAPS, "app", "seen")["data"], {"owner": "spoke"})  # untouched
		# drift on the spoke, then a spec change: Update overwrites, CreateOnly keeps the spoke's version
		for n in ("upd", "once"):
			self.spoke.patch(CONFIGMAPS, "app", n, "merge", {"data": {"v": "drift"}})
		manifests = self.work("w5")["spec"]["workload"]["manifests"]
		manifests[0]["data"] = {"v": "2"}
		manifests[1]["data"] = {"v": "2"}
		self.patch_spec("w5", {"workload": {"manifests": manifests}})
		wait_for(lambda: self.spoke.get(CONFIGMAPS, "app", "upd")["data"] == {"v": "2"}, what="update strategy")
		wait_for(lambda: self.settled("w5"), what="generation 2 applied")
		self.assertEqual(self.spoke.get(CONFIGMAPS, "app", "once")["data"], {"v": "drift"})
		# deleting the work never deletes the read-only object
		self.hub.delete(oc.MANIFEST_WORKS, CLUSTER, "w5")
		wait_for(lambda: not self.hub.list(oc.MANIFEST_WORKS, CLUSTER), what="work gone")
		self.assertEqual(self.spoke.get(CONFIGMAPS, "app", "seen")["data"], {"owner": "spoke"})
		with self.assertRaises(store_mod.ApiError):
			self.spoke.get(CONFIGMAPS, "app", "upd")

	def test_feedback_errors(self):
		rules_bad = [{"type": "JSONPaths", "jsonPaths": [{"name": "tmpl", "path": ".spec.template"},
			{"name": "replicas", "path": ".spec.replicas"}]}]
		sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "app"},
			"spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "c", "image": "pg"}]}}}}
		self.create_work("w6", [namespace("app"), deployment(), sts], [
			cfg("deployments", "web", group="apps", rules=rules_bad),
			cfg("statefulsets", "db", group="apps", rules=[{"type": "WellKnownStatus"}])])
		w = wait_for(lambda: mcond(self.work("w6"), "StatefulSet", "db", "StatusFeedbackSynced") and self.work("w6"),
			what="feedback conditions")
		c = mcond(w, "Deployment", "web", "StatusFeedbackSynced")
		self.assertEqual((c["status"], c["reason"]), ("False", "StatusFeedbackSyncFailed"))
		self.assertIn("map[string]interface {}", c["message"])
		self.assertEqual(values(w, "Deployment", "web"), {"replicas": 2})  # good values still reported
		c = mcond(w, "StatefulSet", "db", "StatusFeedbackSynced")
		self.assertEqual(c["status"], "False")
		self.assertIn("cannot find the wellknown statuses", c["message"])

	def test_removed_manifests_and_selective_orphaning(self):
		opt = {"propagationPolicy": "SelectivelyOrphan", "selectivelyOrphans": {"orphaningRules": [
			{"group": "", "resource": "configmaps", "namespace": "app", "name": "keep"}]}}
		self.create_work("w7", [namespace("app"), configmap("keep"), configmap("drop"), configmap("stay")],
			delete_option=opt)
		wait_for(lambda: wcond(self.work("w7"), "Applied")["status"] == "True", what="applied")
		self.assertNotIn("ownerReferences", self.spoke.get(CONFIGMAPS, "app", "keep")["metadata"])
		self.patch_spec("w7", {"workload": {"manifests": [namespace("app"), configmap("stay")]}})
		wait_for(lambda: not [c for c in self.spoke.list(CONFIGMAPS, "app") if c["metadata"]["name"] == "drop"],
			what="removed manifest deleted")
		self.assertEqual(self.spoke.get(CONFIGMAPS, "app", "keep")["data"], {"k": "v"})
		# deleting the whole work with Orphan keeps everything
		self.patch_spec("w7", {"deleteOption": {"propagationPolicy": "Orphan", "selectivelyOrphans": None}})
		wait_for(lambda: self.settled("w7"), what="generation applied")
		self.hub.delete(oc.MANIFEST_WORKS, CLUSTER, "w7")
		wait_for(lambda: not self.hub.list(oc.MANIFEST_WORKS, CLUSTER), what="work gone")
		self.assertEqual(self.spoke.get(CONFIGMAPS, "app", "stay")["data"], {"k": "v"})
		self.assertNotIn("ownerReferences", self.spoke.get(CONFIGMAPS, "app", "stay")["metadata"])
		self.spoke.get(oc.NAMESPACES, None, "app")

	def test_foreground_deletion_waits_for_spoke_finalizers(self):
		self.create_work("w8", [namespace("app"), configmap("held")])
		wait_for(lambda: wcond(self.work("w8"), "Applied")["status"] == "True", what="applied")
		self.spoke.patch(CONFIGMAPS, "app", "held", "merge", {"metadata": {"finalizers": ["example.com/hold"]}})
		self.hub.delete(oc.MANIFEST_WORKS, CLUSTER, "w8")
		w = wait_for(lambda: wcond(self.work("w8"), "Deleting") and self.work("w8"), what="Deleting condition")
		self.assertEqual(wcond(w, "Deleting")["reason"], "WorkDeleting")
		time.sleep(0.5)
		self.assertIn(oc.WORK_FINALIZER, self.work("w8")["metadata"]["finalizers"])  # still held
		self.spoke.patch(CONFIGMAPS, "app", "held", "merge", {"metadata": {"finalizers": None}})
		wait_for(lambda: not self.hub.list(oc.MANIFEST_WORKS, CLUSTER), what="work gone")
		self.assertEqual([c["metadata"]["name"] for c in self.spoke.list(CONFIGMAPS, "app")], [])
		with self.assertRaises(store_mod.ApiError):
			self.spoke.get(oc.APPLIED_WORKS, None, self.agent._amw_name("w8"))

	def test_only_own_namespace(self):
		self.hub.create(oc.NAMESPACES, None, {"metadata": {"name": "elsewhere"}})
		self.hub.create(oc.MANIFEST_WORKS, "elsewhere", {"metadata": {"name": "x"},
			"spec": {"workload": {"manifests": [configmap("c", ns="default")]}}})
		time.sleep(0.5)
		self.assertNotIn("finalizers", self.hub.get(oc.MANIFEST_WORKS, "elsewhere", "x")["metadata"])


class KindsTest(unittest.TestCase):
	def test_plurals_scope_and_order(self):
		import ocm_kinds
		self.assertEqual(ocm_kinds.resource_for("apps", "Deployment"), ("deployments", True))
		self.assertEqual(ocm_kinds.resource_for("", "Namespace"), ("namespaces", False))
		self.assertEqual(ocm_kinds.resource_for("networking.k8s.io", "NetworkPolicy"), ("networkpolicies", True))
		self.assertEqual(ocm_kinds.resource_for("networking.k8s.io", "Ingress"), ("ingresses", True))
		self.assertEqual(ocm_kinds.resource_for("", "Endpoints"), ("endpoints", True))
		self.assertEqual(ocm_kinds.resource_for("gateway.networking.k8s.io", "Gateway"), ("gateways", True))
		self.assertEqual(ocm_kinds.resource_for("rbac.authorization.k8s.io", "ClusterRole"), ("clusterroles", False))
		kinds = ["Deployment", "Widget", "Service", "ConfigMap", "ServiceAccount", "Role", "Namespace"]
		self.assertEqual(sorted(kinds, key=ocm_kinds.apply_rank),
			["Namespace", "Role", "ServiceAccount", "ConfigMap", "Service", "Deployment", "Widget"])

	def test_spoke_crd_scope(self):
		import ocm_kinds
		spoke = oc.Api(store_mod.Store(validate=False))
		spoke.create(ocm_kinds.CRDS, None, {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
			"metadata": {"name": "widgetries.example.com"}, "spec": {"group": "example.com", "scope": "Cluster",
			"names": {"kind": "Widget", "plural": "widgetries"}, "versions": [{"name": "v1", "served": True, "storage": True}]}})
		self.assertEqual(ocm_kinds.resource_for("example.com", "Widget", spoke), ("widgetries", False))


class FeedbackUnitTest(unittest.TestCase):
	def test_value_types(self):
		self.assertEqual(ocm_agent.feedback_value("a", True)["fieldValue"], {"type": "Boolean", "boolean": True})
		self.assertEqual(ocm_agent.feedback_value("a", 3)["fieldValue"], {"type": "Integer", "integer": 3})
		self.assertEqual(ocm_agent.feedback_value("a", "x")["fieldValue"], {"type": "String", "string": "x"})
		for bad in (1.5, [1], {"a": 1}):
			with self.assertRaises(ValueError):
				ocm_agent.feedback_value("a", bad)

	def test_well_known(self):
		job = {"status": {"succeeded": 1, "conditions": [{"type": "Complete", "status": "True"}]}}
		vals, errs = ocm_agent.evaluate_feedback(job, [{"type": "WellKnownStatus"}], "batch", "v1", "Job")
		self.assertEqual(errs, [])
		self.assertEqual({v["name"]: v["fieldValue"] for v in vals}, {
			"JobComplete": {"type": "String", "string": "True"}, "JobSucceeded": {"type": "Integer", "integer": 1}})
		vals, errs = ocm_agent.evaluate_feedback({}, [{"type": "JSONPaths", "jsonPaths": [
			{"name": "x", "path": ".status.x", "version": "v2"}]}], "apps", "v1", "Deployment")
		self.assertEqual(vals, [])
		self.assertEqual(len(errs), 1)

	def test_matching_config_wildcards_and_precedence(self):
		configs = [
			{"resourceIdentifier": {"group": "apps", "resource": "deployments", "name": "web-*", "namespace": "*"},
				"feedbackRules": [{"type": "WellKnownStatus"}]},
			{"resourceIdentifier": {"group": "apps", "resource": "deployments", "name": "web-1", "namespace": "a"},
				"updateStrategy": {"type": "CreateOnly"}, "feedbackRules": [{"type": "JSONPaths", "jsonPaths": []}]},
		]
		strategy, rules = ocm_agent.matching_config(configs, "apps", "deployments", "a", "web-1")
		self.assertEqual(strategy, {"type": "CreateOnly"})
		self.assertEqual(rules, [{"type": "WellKnownStatus"}])
		self.assertEqual(ocm_agent.matching_config(configs, "apps", "deployments", "a", "api"), (None, []))
		self.assertEqual(ocm_agent.matching_config(configs, "", "deployments", "a", "web-1"), (None, []))


if __name__ == "__main__":
	unittest.main()
