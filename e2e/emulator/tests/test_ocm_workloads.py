"""Workload simulation: rollout status over time and every failure annotation."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import ocm_common as oc  # noqa: E402
import ocm_workloads as wl  # noqa: E402
import store as store_mod  # noqa: E402

T0 = 1_700_000_000.0


def obj(kind, name="w", replicas=None, gen=1, fail=None, rollout=None, **spec):
	ann = {}
	if fail:
		ann[oc.ANN_FAIL] = fail
	if rollout is not None:
		ann[oc.ANN_ROLLOUT] = str(rollout)
	s = dict(spec)
	if replicas is not None:
		s["replicas"] = replicas
	s.setdefault("template", {"spec": {"containers": [{"name": "c", "image": "img:1"}]}})
	return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": "ns", "generation": gen,
		"annotations": ann}, "spec": s}


def cond(st, t):
	return oc.find_condition(st.get("conditions"), t)


class PureStatusTest(unittest.TestCase):
	def test_deployment_rollout(self):
		d = obj("Deployment", replicas=4)
		st, done = wl.workload_status(wl.DEPLOYMENTS, d, T0, T0, 2.0)
		self.assertFalse(done)
		self.assertEqual(st["observedGeneration"], 1)
		self.assertNotIn("readyReplicas", st)  # omitempty, like the real type
		self.assertEqual(st["unavailableReplicas"], 1)
		self.assertEqual(cond(st, "Progressing")["reason"], "ReplicaSetUpdated")
		self.assertEqual(cond(st, "Available")["status"], "False")
		st, done = wl.workload_status(wl.DEPLOYMENTS, d, T0, T0 + 1.0, 2.0)
		self.assertEqual((st["readyReplicas"], st["updatedReplicas"]), (2, 3))
		self.assertFalse(done)
		st, done = wl.workload_status(wl.DEPLOYMENTS, d, T0, T0 + 2.0, 2.0, st)
		self.assertTrue(done)
		self.assertEqual([st[k] for k in ("replicas", "updatedReplicas", "readyReplicas", "availableReplicas")], [4] * 4)
		self.assertNotIn("unavailableReplicas", st)
		self.assertEqual(cond(st, "Progressing")["reason"], "NewReplicaSetAvailable")
		self.assertEqual(cond(st, "Available")["reason"], "MinimumReplicasAvailable")
		# the annotation overrides the default duration
		st, done = wl.workload_status(wl.DEPLOYMENTS, obj("Deployment", replicas=4, rollout=0), T0, T0, 60.0)
		self.assertTrue(done)
		self.assertEqual(st["readyReplicas"], 4)

	def test_deployment_update_keeps_old_replicas_serving(self):
		d = obj("Deployment", replicas=2, gen=2)
		st, _ = wl.workload_status(wl.DEPLOYMENTS, d, T0, T0 + 0.1, 2.0, prev_done=True)
		self.assertEqual(st["observedGeneration"], 2)
		self.assertEqual(st["readyReplicas"], 2)
		self.assertEqual(cond(st, "Available")["status"], "True")
		self.assertEqual(cond(st, "Progressing")["reason"], "ReplicaSetUpdated")

	def test_deployment_zero_and_paused(self):
		st, done = wl.workload_status(wl.DEPLOYMENTS, obj("Deployment", replicas=0), T0, T0 + 5, 2.0)
		self.assertTrue(done)
		self.assertEqual(st, {"observedGeneration": 1, "conditions": st["conditions"]})
		self.assertEqual(cond(st, "Available")["status"], "True")
		st, done = wl.workload_status(wl.DEPLOYMENTS, obj("Deployment", replicas=2, paused=True), T0, T0 + 5, 2.0)
		self.assertEqual(cond(st, "Progressing")["status"], "Unknown")
		self.assertEqual(cond(st, "Progressing")["reason"], "DeploymentPaused")

	def test_deployment_failures(self):
		for fail in ("ImagePullBackOff", "CrashLoopBackOff"):
			st, done = wl.workload_status(wl.DEPLOYMENTS, obj("Deployment", replicas=3, fail=fail), T0, T0 + 100, 2.0)
			self.assertTrue(done)
			self.assertNotIn("readyReplicas", st)
			self.assertEqual(st["unavailableReplicas"], 3)
			self.assertEqual(cond(st, "Available")["status"], "False")
		d = obj("Deployment", replicas=4, fail="ProgressDeadlineExceeded")
		st, done = wl.workload_status(wl.DEPLOYMENTS, d, T0, T0 + 1.0, 2.0)
		self.assertFalse(done)
		self.assertEqual(cond(st, "Progressing")["status"], "True")
		st, done = wl.workload_status(wl.DEPLOYMENTS, d, T0, T0 + 2.0, 2.0)
		self.assertTrue(done)
		self.assertEqual((cond(st, "Progressing")["status"], cond(st, "Progressing")["reason"]),
			("False", "ProgressDeadlineExceeded"))
		self.assertLess(st.get("readyReplicas", 0), 4)

	def test_statefulset_and_daemonset(self):
		s = obj("StatefulSet", replicas=2)
		st, done = wl.workload_status(wl.STATEFULSETS, s, T0, T0 + 0.5, 2.0)
		self.assertEqual(st["replicas"], 2)
		self.assertEqual(st["availableReplicas"], 0)
		self.assertFalse(done)
		st, done = wl.workload_status(wl.STATEFULSETS, s, T0, T0 + 2.0, 2.0, st)
		self.assertTrue(done)
		self.assertEqual(st["readyReplicas"], 2)
		self.assertEqual(st["currentRevision"], st["updateRevision"])
		self.assertTrue(st["updateRevision"].startswith("w-"))
		st, _ = wl.workload_status(wl.STATEFULSETS, obj("StatefulSet", replicas=2, fail="CrashLoopBackOff"), T0, T0 + 9, 2.0)
		self.assertNotIn("readyReplicas", st)
		ds, done = wl.workload_status(wl.DAEMONSETS, obj("DaemonSet"), T0, T0 + 2.0, 2.0)
		self.assertTrue(done)
		self.assertEqual((ds["desiredNumberScheduled"], ds["numberReady"], ds["numberAvailable"]), (3, 3, 3))
		ds, _ = wl.workload_status(wl.DAEMONSETS, obj("DaemonSet", fail="ImagePullBackOff"), T0, T0 + 9, 2.0)
		self.assertEqual((ds["numberReady"], ds["numberUnavailable"]), (0, 3))

	def test_jobs_cronjobs_pods_routes(self):
		j = obj("Job")
		st, done = wl.workload_status(wl.JOBS, j, T0, T0 + 0.5, 1.0)
		self.assertEqual((st["active"], done), (1, False))
		st, done = wl.workload_status(wl.JOBS, j, T0, T0 + 1.0, 1.0)
		self.assertTrue(done)
		self.assertEqual(st["succeeded"], 1)
		self.assertEqual(cond(st, "Complete")["status"], "True")
		st, _ = wl.workload_status(wl.JOBS, obj("Job", fail="JobFailed"), T0, T0 + 1.0, 1.0)
		self.assertEqual(cond(st, "Failed")["status"], "True")
		self.assertEqual(cond(st, "Failed")["reason"], "BackoffLimitExceeded")
		self.assertIsNone(cond(st, "Complete"))
		cj, done = wl.workload_status(wl.CRONJOBS, obj("CronJob"), T0, T0 + 5, 1.0)
		self.assertTrue(done)
		self.assertEqual(cj["lastScheduleTime"], oc.rfc3339(T0 + 1.0))
		pod = {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "i"}]}}
		st, _ = wl.workload_status(wl.PODS, pod, T0, T0 + 5, 1.0)
		self.assertEqual(st["phase"], "Running")
		self.assertEqual(cond(st, "Ready")["status"], "True")
		pod["metadata"]["annotations"] = {oc.ANN_FAIL: "CrashLoopBackOff"}
		st, _ = wl.workload_status(wl.PODS, pod, T0, T0 + 5, 1.0)
		self.assertEqual(st["containerStatuses"][0]["state"]["waiting"]["reason"], "CrashLoopBackOff")
		self.assertEqual(cond(st, "Ready")["status"], "False")
		route = {"metadata": {"name": "r", "generation": 3}, "spec": {"parentRefs": [{"name": "gw"}]}}
		st, _ = wl.workload_status(wl.HTTPROUTES, route, T0, T0, 1.0)
		self.assertEqual(st["parents"][0]["parentRef"], {"name": "gw"})
		self.assertEqual({c["type"]: c["status"] for c in st["parents"][0]["conditions"]},
			{"Accepted": "True", "ResolvedRefs": "True"})
		route["metadata"]["annotations"] = {oc.ANN_FAIL: "RouteNotAccepted"}
		st, _ = wl.workload_status(wl.GRPCROUTES, route, T0, T0, 1.0)
		self.assertEqual(oc.find_condition(st["parents"][0]["conditions"], "Accepted")["status"], "False")


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


class SimulatorTest(unittest.TestCase):
	def setUp(self):
		self.store = store_mod.Store(validate=False)
		self.api = oc.Api(self.store)
		for gvr, kind in wl.KIND_OF.items():
			self.api.ensure(gvr, kind)
		self.api.create(oc.NAMESPACES, None, {"metadata": {"name": "ns"}})
		self.sim = wl.WorkloadSimulator(rollout_seconds=0.4)
		self.sim.add_spoke("s", self.api)
		self.sim.start()

	def tearDown(self):
		self.sim.stop()

	def test_rollout_restart_pods_and_failures(self):
		d = obj("Deployment", replicas=3)
		del d["metadata"]["generation"]
		self.api.create(wl.DEPLOYMENTS, "ns", d)
		st = wait_for(lambda: self.api.get(wl.DEPLOYMENTS, "ns", "w").get("status", {}).get("readyReplicas") == 3
			and self.api.get(wl.DEPLOYMENTS, "ns", "w")["status"], what="deployment ready")
		self.assertEqual(cond(st, "Progressing")["reason"], "NewReplicaSetAvailable")
		pods = wait_for(lambda: [p for p in self.api.list(wl.PODS, "ns") if (p.get("status") or {}).get("phase") == "Running"]
			if len(self.api.list(wl.PODS, "ns")) == 3 else None, what="3 pods")
		self.assertEqual(len(pods), 3)
		self.assertEqual(pods[0]["metadata"]["ownerReferences"][0]["kind"], "Deployment")
		# a new generation restarts the rollout; the failure annotation makes it never available
		self.api.patch(wl.DEPLOYMENTS, "ns", "w", "merge", {"metadata": {"annotations": {oc.ANN_FAIL: "ImagePullBackOff"}},
			"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "img:bad"}]}}}})
		st = wait_for(lambda: (self.api.get(wl.DEPLOYMENTS, "ns", "w")["status"].get("observedGeneration") == 2
			and self.api.get(wl.DEPLOYMENTS, "ns", "w")["status"]), what="generation 2 observed")
		self.assertNotIn("readyReplicas", st)
		self.assertEqual(st["unavailableReplicas"], 3)
		self.assertEqual(cond(st, "Available")["status"], "False")
		waiting = wait_for(lambda: [p for p in self.api.list(wl.PODS, "ns")
			if p["status"]["containerStatuses"][0]["state"].get("waiting", {}).get("reason") == "ImagePullBackOff"],
			what="pods in ImagePullBackOff")
		self.assertEqual(len(waiting), 3)
		self.api.delete(wl.DEPLOYMENTS, "ns", "w")
		wait_for(lambda: self.api.list(wl.PODS, "ns") == [], what="pods removed with their deployment")

	def test_job_fails_and_route_status(self):
		j = obj("Job", fail="JobFailed", rollout=0.1)
		j["apiVersion"] = "batch/v1"
		self.api.create(wl.JOBS, "ns", j)
		st = wait_for(lambda: cond(self.api.get(wl.JOBS, "ns", "w").get("status", {}), "Failed")
			and self.api.get(wl.JOBS, "ns", "w")["status"], what="job failed")
		self.assertEqual(cond(st, "Failed")["status"], "True")
		r = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "r", "namespace": "ns"},
			"spec": {"parentRefs": [{"name": "gw", "namespace": "gw-ns"}]}}
		self.api.create(wl.HTTPROUTES, "ns", r)
		st = wait_for(lambda: self.api.get(wl.HTTPROUTES, "ns", "r").get("status"), what="route status")
		self.assertEqual(oc.find_condition(st["parents"][0]["conditions"], "Accepted")["status"], "True")
		rv = self.api.get(wl.HTTPROUTES, "ns", "r")["metadata"]["resourceVersion"]
		time.sleep(0.4)
		self.assertEqual(self.api.get(wl.HTTPROUTES, "ns", "r")["metadata"]["resourceVersion"], rv)  # no rewrites


if __name__ == "__main__":
	unittest.main()
