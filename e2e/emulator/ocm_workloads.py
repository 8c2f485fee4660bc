"""Workload simulation on a data-plane cluster's spoke store (what kube-controller-manager + kubelet do).

Pure part: `workload_status(obj, started, now, rollout_seconds)` -> the status the object should have
`elapsed` seconds into its rollout, and `done` (True once the status no longer changes with time).
`pods_for(obj, status, ...)` -> the Pods a Deployment/StatefulSet/DaemonSet would run.
Controller part: `WorkloadSimulator(spokes, rollout_seconds)` follows every spoke Store registered with
`add_spoke(name, store)`, restarts a rollout whenever a workload's generation changes, and writes status
(status subresource) only when it changed, on its own thread.

Kinds: Deployment, StatefulSet, DaemonSet (3 simulated nodes), Job, CronJob, Pod, HTTPRoute, GRPCRoute.
Annotations on the workload:
  emulator.choreo-ocm.dev/rollout-seconds: "N"   rollout duration (default: the simulator's setting)
  emulator.choreo-ocm.dev/fail: ImagePullBackOff | CrashLoopBackOff   never becomes available
                                ProgressDeadlineExceeded              stalls half way, Progressing=False
                                JobFailed                             Job Failed=True (BackoffLimitExceeded)
                                RouteNotAccepted                      route Accepted=False
Status fields follow the real types' omitempty rules (e.g. a Deployment's readyReplicas is absent at 0).
"""

import hashlib
import json
import math
import threading
import time

import ocm_common as oc
from ocm_common import ANN_FAIL, ANN_ROLLOUT

DEPLOYMENTS = ("apps", "v1", "deployments")
STATEFULSETS = ("apps", "v1", "statefulsets")
DAEMONSETS = ("apps", "v1", "daemonsets")
JOBS = ("batch", "v1", "jobs")
CRONJOBS = ("batch", "v1", "cronjobs")
PODS = ("", "v1", "pods")
HTTPROUTES = ("gateway.networking.k8s.io", "v1", "httproutes")
GRPCROUTES = ("gateway.networking.k8s.io", "v1", "grpcroutes")

KIND_OF = {
	DEPLOYMENTS: "Deployment", STATEFULSETS: "StatefulSet", DAEMONSETS: "DaemonSet", JOBS: "Job",
	CRONJOBS: "CronJob", PODS: "Pod", HTTPROUTES: "HTTPRoute", GRPCROUTES: "GRPCRoute",
}
BY_KIND = {(gvr[0], k): gvr for gvr, k in KIND_OF.items()}
_BY_PLURAL = {(gvr[0], gvr[2]): gvr for gvr in KIND_OF}


def base_gvr(gvr):
	"""The table's gvr for any served version of a simulated kind (HTTPRoute v1beta1 -> v1), or None."""
	return _BY_PLURAL.get((gvr[0], gvr[2]))
NODES = 3  # simulated nodes per data-plane cluster (DaemonSets)
MAX_PODS = 10  # simulated Pods per workload at most
CONTROLLER = "emulator.choreo-ocm.dev/gateway-controller"


def _annotations(obj):
	return (obj.get("metadata") or {}).get("annotations") or {}


def rollout_seconds_of(obj, default):
	raw = _annotations(obj).get(ANN_ROLLOUT)
	if raw is None:
		return float(default)
	try:
		v = float(str(raw).strip())
	except ValueError:
		return float(default)
	return v if 0 <= v <= 86400 else float(default)


def template_hash(obj):
	"""pod-template-hash-like 10 hex chars of the pod template."""
	tmpl = (obj.get("spec") or {}).get("template") or {}
	return hashlib.sha256(json.dumps(tmpl, sort_keys=True).encode()).hexdigest()[:10]


def _cond(ctype, status, reason, message, t):
	ts = oc.rfc3339(t)
	return {"type": ctype, "status": status, "reason": reason, "message": message,
		"lastUpdateTime": ts, "lastTransitionTime": ts}


def _merge_conds(old, new):
	"""Keep lastTransitionTime (and lastUpdateTime) of conditions whose status/reason did not change."""
	byt = {c.get("type"): c for c in old or []}
	out = []
	for c in new:
		o = byt.get(c["type"])
		if o is not None and o.get("status") == c["status"]:
			c["lastTransitionTime"] = o.get("lastTransitionTime", c["lastTransitionTime"])
			if o.get("reason") == c["reason"] and o.get("message") == c["message"] and "lastUpdateTime" in c:
				c["lastUpdateTime"] = o.get("lastUpdateTime", c["lastUpdateTime"])
		out.append(c)
	return out


def _nz(d, key, v):
	if v:
		d[key] = v


def _progress(started, now, secs):
	if secs <= 0:
		return 1.0
	return min(1.0, max(0.0, (now - started) / secs))


def deployment_status(obj, started, now, secs, prev_done):
	spec = obj.get("spec") or {}
	gen = obj["metadata"].get("generation", 1)
	name = obj["metadata"]["name"]
	r = int(spec.get("replicas", 1) if spec.get("replicas") is not None else 1)
	fail = _annotations(obj).get(ANN_FAIL)
	rs = "%s-%s" % (name, template_hash(obj))
	p = _progress(started, now, secs)
	st = {"observedGeneration": gen}
	max_unavail = int(math.floor(r * 0.25))
	if spec.get("paused"):
		ready = r if prev_done else 0
		_nz(st, "replicas", r if prev_done else 0)
		_nz(st, "updatedReplicas", r if prev_done else 0)
		_nz(st, "readyReplicas", ready)
		_nz(st, "availableReplicas", ready)
		_nz(st, "unavailableReplicas", (r if prev_done else 0) - ready)
		conds = [_cond("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", now)]
		avail = ready >= r - max_unavail
		conds.insert(0, _cond("Available", "True" if avail else "False",
			"MinimumReplicasAvailable" if avail else "MinimumReplicasUnavailable",
			"Deployment has minimum availability." if avail else "Deployment does not have minimum availability.", now))
		st["conditions"] = conds
		return st, True
	if fail in ("ImagePullBackOff", "CrashLoopBackOff"):
		updated, ready, total, done = r, 0, r, True
		prog = _cond("Progressing", "True", "ReplicaSetUpdated", 'ReplicaSet "%s" is progressing.' % rs, now)
	elif fail == "ProgressDeadlineExceeded":
		half = r // 2
		updated = max(0, int(math.ceil(r * min(p, 0.5))))
		ready = min(half, int(math.floor(r * min(p, 0.5))))
		total, done = r, p >= 1.0
		if p >= 1.0:
			prog = _cond("Progressing", "False", "ProgressDeadlineExceeded",
				'ReplicaSet "%s" has timed out progressing.' % rs, now)
		else:
			prog = _cond("Progressing", "True", "ReplicaSetUpdated", 'ReplicaSet "%s" is progressing.' % rs, now)
	else:
		ready_new = int(math.floor(r * p))
		updated = min(r, ready_new + (1 if ready_new < r else 0))
		if prev_done and ready_new < r:
			ready = r  # the old ReplicaSet keeps serving during a rolling update
			total = r + (updated - ready_new)
		else:
			ready, total = ready_new, max(updated, ready_new)
		done = p >= 1.0
		if done:
			prog = _cond("Progressing", "True", "NewReplicaSetAvailable",
				'ReplicaSet "%s" has successfully progressed.' % rs, now)
		else:
			prog = _cond("Progressing", "True", "ReplicaSetUpdated", 'ReplicaSet "%s" is progressing.' % rs, now)
	_nz(st, "replicas", total)
	_nz(st, "updatedReplicas", updated)
	_nz(st, "readyReplicas", ready)
	_nz(st, "availableReplicas", ready)
	_nz(st, "unavailableReplicas", max(0, total - ready) if r > 0 else 0)
	avail = ready >= r - max_unavail and not (fail in ("ImagePullBackOff", "CrashLoopBackOff") and r > 0)
	conds = [_cond("Available", "True" if avail else "False",
		"MinimumReplicasAvailable" if avail else "MinimumReplicasUnavailable",
		"Deployment has minimum availability." if avail else "Deployment does not have minimum availability.", now),
		prog]
	st["conditions"] = conds
	return st, done


def statefulset_status(obj, started, now, secs, prev):
	spec = obj.get("spec") or {}
	gen = obj["metadata"].get("generation", 1)
	name = obj["metadata"]["name"]
	r = int(spec.get("replicas", 1) if spec.get("replicas") is not None else 1)
	fail = _annotations(obj).get(ANN_FAIL)
	rev = "%s-%s" % (name, template_hash(obj))
	p = _progress(started, now, secs)
	if fail in ("ImagePullBackOff", "CrashLoopBackOff"):
		updated, ready, done = min(r, 1), 0, True
	elif fail == "ProgressDeadlineExceeded":
		updated = int(math.floor(r * min(p, 0.5)))
		ready, done = updated, p >= 1.0
	else:
		ready = updated = int(math.floor(r * p))
		done = p >= 1.0
	cur_rev = (prev or {}).get("currentRevision") or rev
	st = {"observedGeneration": gen, "replicas": r, "availableReplicas": ready,
		"currentRevision": rev if updated >= r else cur_rev, "updateRevision": rev, "collisionCount": 0}
	_nz(st, "readyReplicas", ready)
	_nz(st, "currentReplicas", r if updated >= r else r - updated if cur_rev != rev else updated)
	_nz(st, "updatedReplicas", updated)
	return st, done


def daemonset_status(obj, started, now, secs):
	gen = obj["metadata"].get("generation", 1)
	fail = _annotations(obj).get(ANN_FAIL)
	p = _progress(started, now, secs)
	if fail in ("ImagePullBackOff", "CrashLoopBackOff"):
		updated, ready, done = NODES, 0, True
	elif fail == "ProgressDeadlineExceeded":
		updated = ready = int(math.floor(NODES * min(p, 0.5)))
		done = p >= 1.0
	else:
		updated = ready = int(math.floor(NODES * p))
		done = p >= 1.0
	st = {"observedGeneration": gen, "currentNumberScheduled": NODES, "numberMisscheduled": 0,
		"desiredNumberScheduled": NODES, "numberReady": ready}
	_nz(st, "updatedNumberScheduled", updated)
	_nz(st, "numberAvailable", ready)
	_nz(st, "numberUnavailable", NODES - ready)
	return st, done


def job_status(obj, started, now, secs):
	fail = _annotations(obj).get(ANN_FAIL)
	p = _progress(started, now, secs)
	st = {"startTime": oc.rfc3339(started)}
	if p < 1.0:
		st["active"] = 1
		st["ready"] = 1
		return st, False
	st["ready"] = 0
	end = started + secs
	if fail == "JobFailed":
		limit = int((obj.get("spec") or {}).get("backoffLimit", 6))
		st["failed"] = limit + 1
		st["conditions"] = [
			_cond("FailureTarget", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit", end),
			_cond("Failed", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit", end)]
	else:
		st["succeeded"] = 1
		st["completionTime"] = oc.rfc3339(end)
		st["conditions"] = [
			_cond("SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods", end),
			_cond("Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods", end)]
	for c in st["conditions"]:
		c.pop("lastUpdateTime", None)
		c["lastProbeTime"] = c["lastTransitionTime"]
	return st, True


def cronjob_status(obj, started, now, secs):
	if (obj.get("spec") or {}).get("suspend"):
		return {}, True
	if now - started < min(secs, 1.0):
		return {}, False
	t = oc.rfc3339(started + min(secs, 1.0))
	return {"lastScheduleTime": t, "lastSuccessfulTime": t}, True


def pod_status(obj, started, now, secs, fail=None):
	fail = fail if fail is not None else _annotations(obj).get(ANN_FAIL)
	p = _progress(started, now, secs)
	containers = [c.get("name", "c") for c in (obj.get("spec") or {}).get("containers") or []] or ["main"]
	images = {c.get("name", "c"): c.get("image", "") for c in (obj.get("spec") or {}).get("containers") or []}
	ts = oc.rfc3339(started)
	cs = []
	if fail in ("ImagePullBackOff", "CrashLoopBackOff"):
		phase = "Pending" if fail == "ImagePullBackOff" else "Running"
		msg = ('Back-off pulling image "%s"' if fail == "ImagePullBackOff" else
			"back-off 5m0s restarting failed container=%s")
		for n in containers:
			cs.append({"name": n, "image": images.get(n, ""), "ready": False, "started": False,
				"restartCount": 0 if fail == "ImagePullBackOff" else 5,
				"state": {"waiting": {"reason": fail, "message": msg % (images.get(n, "") if fail == "ImagePullBackOff" else n)}}})
		ready, done = False, True
	elif p < 1.0:
		phase = "Pending"
		for n in containers:
			cs.append({"name": n, "image": images.get(n, ""), "ready": False, "started": False, "restartCount": 0,
				"state": {"waiting": {"reason": "ContainerCreating"}}})
		ready, done = False, False
	else:
		phase = "Running"
		for n in containers:
			cs.append({"name": n, "image": images.get(n, ""), "ready": True, "started": True, "restartCount": 0,
				"state": {"running": {"startedAt": oc.rfc3339(started + secs)}}})
		ready, done = True, True
	rs = "True" if ready else "False"
	conds = [{"type": "PodScheduled", "status": "True", "lastTransitionTime": ts},
		{"type": "Initialized", "status": "True", "lastTransitionTime": ts},
		{"type": "ContainersReady", "status": rs, "lastTransitionTime": ts},
		{"type": "Ready", "status": rs, "lastTransitionTime": ts}]
	if not ready:
		for c in conds[2:]:
			c["reason"] = "ContainersNotReady"
			c["message"] = "containers with unready status: [%s]" % " ".join(containers)
	return {"phase": phase, "conditions": conds, "containerStatuses": cs, "hostIP": "10.0.0.1",
		"podIP": "10.244.0.%d" % (1 + int(hashlib.sha256(obj["metadata"]["name"].encode()).hexdigest()[:2], 16) % 250),
		"startTime": ts, "qosClass": "BestEffort"}, done


def route_status(obj, now):
	fail = _annotations(obj).get(ANN_FAIL)
	gen = obj["metadata"].get("generation", 1)
	refs = (obj.get("spec") or {}).get("parentRefs") or [{"name": "gateway"}]
	parents = []
	for ref in refs:
		acc = fail != "RouteNotAccepted"
		ts = oc.rfc3339(now)
		parents.append({"parentRef": ref, "controllerName": CONTROLLER, "conditions": [
			{"type": "Accepted", "status": "True" if acc else "False",
				"reason": "Accepted" if acc else "NotAllowedByListeners",
				"message": "Route is accepted" if acc else "No listener of the parent allows this route",
				"observedGeneration": gen, "lastTransitionTime": ts},
			{"type": "ResolvedRefs", "status": "True", "reason": "ResolvedRefs", "message": "Resolved all the Object references",
				"observedGeneration": gen, "lastTransitionTime": ts}]})
	return {"parents": parents}, True


def workload_status(gvr, obj, started, now, default_secs, prev_status=None, prev_done=False):
	"""(status, done) for `obj` at `now` when its current generation started rolling out at `started`."""
	secs = rollout_seconds_of(obj, default_secs)
	if gvr == DEPLOYMENTS:
		st, done = deployment_status(obj, started, now, secs, prev_done)
	elif gvr == STATEFULSETS:
		st, done = statefulset_status(obj, started, now, secs, prev_status)
	elif gvr == DAEMONSETS:
		st, done = daemonset_status(obj, started, now, secs)
	elif gvr == JOBS:
		st, done = job_status(obj, started, now, secs)
	elif gvr == CRONJOBS:
		st, done = cronjob_status(obj, started, now, secs)
	elif gvr == PODS:
		st, done = pod_status(obj, started, now, secs)
	elif gvr in (HTTPROUTES, GRPCROUTES):
		st, done = route_status(obj, now)
		# keep transition times stable across recomputation
		old = (prev_status or {}).get("parents") or []
		for i, par in enumerate(st["parents"]):
			if i < len(old):
				par["conditions"] = _merge_conds(old[i].get("conditions"), par["conditions"])
		return st, done
	else:
		return None, True
	if "conditions" in st:
		st["conditions"] = _merge_conds((prev_status or {}).get("conditions"), st["conditions"])
	return st, done


def pods_for(gvr, obj, status, started, now, default_secs):
	"""The Pods (name -> (spec dict, status dict)) a workload runs, at most MAX_PODS."""
	spec = obj.get("spec") or {}
	tmpl = spec.get("template") or {}
	name = obj["metadata"]["name"]
	h = template_hash(obj)
	fail = _annotations(obj).get(ANN_FAIL)
	secs = rollout_seconds_of(obj, default_secs)
	if gvr == DEPLOYMENTS:
		n = int(spec.get("replicas", 1) if spec.get("replicas") is not None else 1)
		ready = (status or {}).get("readyReplicas", 0)
		names = ["%s-%s-%s" % (name, h, hashlib.sha256(("%s%d" % (h, i)).encode()).hexdigest()[:5]) for i in range(n)]
	elif gvr == STATEFULSETS:
		n = int(spec.get("replicas", 1) if spec.get("replicas") is not None else 1)
		ready = (status or {}).get("readyReplicas", 0)
		names = ["%s-%d" % (name, i) for i in range(n)]
	elif gvr == DAEMONSETS:
		n = NODES
		ready = (status or {}).get("numberReady", 0)
		names = ["%s-%s" % (name, hashlib.sha256(("%s%d" % (h, i)).encode()).hexdigest()[:5]) for i in range(n)]
	else:
		return {}
	out = {}
	for i, pn in enumerate(names[:MAX_PODS]):
		pod = {"spec": tmpl.get("spec") or {}, "metadata": {"name": pn}}
		if fail in ("ImagePullBackOff", "CrashLoopBackOff"):
			pst, _ = pod_status(pod, started, now, secs, fail=fail)
		elif i < ready:
			pst, _ = pod_status(pod, started, started, 0.0, fail="")  # running and ready
		else:
			pst, _ = pod_status(pod, started, started, 1.0, fail="")  # still ContainerCreating
		out[pn] = (pod["spec"], pst)
	return out


class WorkloadSimulator:
	"""Drives workload status on every registered spoke store from one thread."""

	TICK = 0.1

	def __init__(self, rollout_seconds=2.0, log=None, simulate_pods=True):
		self.rollout_seconds = float(rollout_seconds)
		self.log = log or (lambda msg: None)
		self.simulate_pods = simulate_pods
		self._lock = threading.Lock()
		self._cv = threading.Condition(self._lock)
		self._spokes = {}  # name -> (store, tokens)
		self._active = {}  # (spoke, gvr, ns, name) -> {"gen", "started", "done", "uid"}
		self._pending = set()
		self._stop = False
		self._thread = None

	def add_spoke(self, spoke, store):
		"""store: an ocm_common.Api over that cluster's spoke Store."""
		tokens = [store.subscribe(None, lambda et, obj, s=spoke: self._event(s, et, obj))]
		with self._lock:
			self._spokes[spoke] = (store, tokens)

	def remove_spoke(self, spoke):
		with self._lock:
			ent = self._spokes.pop(spoke, None)
			for k in [k for k in self._active if k[0] == spoke]:
				del self._active[k]
		if ent:
			for t in ent[1]:
				ent[0].unsubscribe(t)

	def start(self):
		self._thread = threading.Thread(target=self._run, name="ocm-workloads", daemon=True)
		self._thread.start()
		return self

	def stop(self):
		with self._cv:
			self._stop = True
			self._cv.notify_all()
		if self._thread:
			self._thread.join(timeout=10)
		for s in list(self._spokes):
			self.remove_spoke(s)

	def _event(self, spoke, etype, obj):
		group = (obj.get("apiVersion") or "").rpartition("/")[0]
		base = BY_KIND.get((group, obj.get("kind")))
		if base is None:
			return
		gvr = (group, (obj.get("apiVersion") or "").rpartition("/")[2], base[2])
		meta = obj.get("metadata") or {}
		if gvr == PODS and any(r.get("kind") in ("Deployment", "StatefulSet", "DaemonSet")
				for r in meta.get("ownerReferences") or []):
			return  # Pods we made for a workload are driven by their owner
		with self._cv:
			self._pending.add((spoke, gvr, etype, meta.get("namespace"), meta.get("name"),
				meta.get("generation", 0), meta.get("uid")))
			self._cv.notify_all()

	def _run(self):
		while True:
			with self._cv:
				if self._stop:
					return
				if not self._pending:
					self._cv.wait(timeout=self.TICK)
				pending, self._pending = self._pending, set()
				if self._stop:
					return
			now = time.time()
			deleted = []
			with self._lock:  # remove_spoke() may run on another thread
				for spoke, gvr, etype, ns, name, gen, uid in sorted(pending, key=lambda x: tuple(str(e) for e in x)):
					key = (spoke, gvr, ns, name)
					if spoke not in self._spokes:
						continue
					if etype == "DELETED":
						self._active.pop(key, None)
						deleted.append(key)
						continue
					st = self._active.get(key)
					if st is None or st["gen"] != gen or st["uid"] != uid:
						prev_done = st is not None and st["done"] and st["uid"] == uid
						self._active[key] = {"gen": gen, "started": now, "done": False, "uid": uid,
							"prev_done": prev_done}
				busy = [(k, e) for k, e in self._active.items() if not e["done"]]
			for spoke, gvr, ns, name in deleted:
				try:
					self._delete_pods(spoke, gvr, ns, name)
				except Exception as e:
					self.log("workloads: deleting pods of %s: %r" % (name, e))
			for key, ent in busy:
				try:
					self._step(key, ent, now)
				except Exception as e:  # keep going for other workloads
					self.log("workloads: %s: %r" % (key, e))

	def _store(self, spoke):
		ent = self._spokes.get(spoke)
		return ent[0] if ent else None

	def _step(self, key, ent, now):
		spoke, gvr, ns, name = key
		store = self._store(spoke)
		if store is None:
			return
		try:
			obj = store.get(gvr, ns, name)
		except Exception as e:
			if getattr(e, "code", None) == 404:
				self._active.pop(key, None)
				return
			raise
		if obj["metadata"].get("deletionTimestamp"):
			ent["done"] = True
			return
		status, done = workload_status(base_gvr(gvr), obj, ent["started"], now, self.rollout_seconds,
			obj.get("status"), ent.get("prev_done", False))
		if status is None:
			ent["done"] = True
			return
		if status != (obj.get("status") or {}):
			body = dict(obj)
			body["status"] = status
			try:
				store.update(gvr, ns, name, body, subresource="status")
			except Exception as e:
				if getattr(e, "code", None) in (404, 409):
					return  # changed under us: the event brings us back
				raise
		if self.simulate_pods and base_gvr(gvr) in (DEPLOYMENTS, STATEFULSETS, DAEMONSETS):
			self._sync_pods(store, base_gvr(gvr), obj, status, ent["started"], now)
		ent["done"] = done

	def _sync_pods(self, store, gvr, obj, status, started, now):
		ns = obj["metadata"].get("namespace")
		want = pods_for(gvr, obj, status, started, now, self.rollout_seconds)
		owner = {"apiVersion": "apps/v1", "kind": KIND_OF[gvr], "name": obj["metadata"]["name"],
			"uid": obj["metadata"].get("uid", ""), "controller": True, "blockOwnerDeletion": True}
		have = {p["metadata"]["name"]: p for p in self._owned_pods(store, gvr, ns, obj["metadata"]["name"])}
		for pn, (pspec, pst) in want.items():
			cur = have.pop(pn, None)
			if cur is None:
				labels = dict(((obj.get("spec") or {}).get("template") or {}).get("metadata", {}).get("labels") or {})
				labels["emulator.choreo-ocm.dev/owner"] = "%s.%s" % (KIND_OF[gvr].lower(), obj["metadata"]["name"])
				try:
					cur = store.create(PODS, ns, {"apiVersion": "v1", "kind": "Pod", "metadata": {
						"name": pn, "namespace": ns, "labels": labels, "ownerReferences": [owner]}, "spec": pspec})
				except Exception as e:
					if getattr(e, "code", None) != 409:
						raise
					continue
			if (cur.get("status") or {}) != pst:
				body = dict(cur)
				body["status"] = pst
				try:
					store.update(PODS, ns, pn, body, subresource="status")
				except Exception as e:
					if getattr(e, "code", None) not in (404, 409):
						raise
		for pn in have:
			try:
				store.delete(PODS, ns, pn)
			except Exception as e:
				if getattr(e, "code", None) != 404:
					raise

	def _owned_pods(self, store, gvr, ns, name):
		sel = "emulator.choreo-ocm.dev/owner=%s.%s" % (KIND_OF[gvr].lower(), name)
		return store.list(PODS, ns, label_selector=sel)

	def _delete_pods(self, spoke, gvr, ns, name):
		gvr = base_gvr(gvr)
		if gvr not in (DEPLOYMENTS, STATEFULSETS, DAEMONSETS):
			return
		store = self._store(spoke)
		if store is None:
			return
		for p in self._owned_pods(store, gvr, ns, name):
			try:
				store.delete(PODS, ns, p["metadata"]["name"])
			except Exception as e:
				if getattr(e, "code", None) != 404:
					raise
