"""OCM work-agent simulator: one per data-plane cluster, on its own thread.

WorkAgent(hub, cluster, spoke, agent_sync=1.0, resync=30.0, hub_url=...) follows the ManifestWorks in the
hub namespace `cluster` (hub Store subscription) and applies them into `spoke` (that cluster's own Store):
  1. adds finalizer cluster.open-cluster-management.io/manifest-work-cleanup (metadata update) first;
  2. applies the manifests in OCM's kind order per manifestConfigs[].updateStrategy (Update, CreateOnly,
     ServerSideApply with force/fieldManager/ignoreFields, ReadOnly); a namespaced manifest whose namespace
     is missing fails with `namespaces "x" not found`; failed applies are retried with capped backoff
     (SSA conflicts only on the next spec change or resync, as in OCM);
  3. records what it applied in a spoke AppliedManifestWork `<hubHash>-<work>` (every applied object gets
     an ownerReference to it unless orphaned) and deletes objects dropped from the spec honouring
     spec.deleteOption (Foreground default, Orphan, SelectivelyOrphan);
  4. writes status (merge patch, status subresource, only when changed): work conditions Applied /
     Available (observedGeneration = generation) and resourceStatus.manifests[] with resourceMeta,
     conditions Applied (observedGeneration) / Available / StatusFeedbackSynced and statusFeedback values
     (WellKnownStatus or JSONPaths; Integer / String / Boolean only); each work is re-synced every
     agent_sync * jitter[1,1.9) seconds;
  5. on hub deletion: condition Deleting, delete the applied objects (orphans kept), wait until they are
     gone, delete the AppliedManifestWork, remove the finalizer.
set_offline(True) stops every action (nothing applied, no status, no finalizer changes) until
set_offline(False), after which the agent re-lists its works and catches up.
Errors from the stores are ApiError-like exceptions with .code and .message.
"""

import copy
import fnmatch
import hashlib
import json
import random
import threading
import time

import jsonpath
import ocm_common as oc
import ocm_kinds
from ocm_common import APPLIED_WORKS, MANIFEST_WORKS, NAMESPACES, WORK_FINALIZER

CONFIG_SPEC_HASH = "open-cluster-management.io/config-spec-hash"
DEFAULT_FIELD_MANAGER = "work-agent"
BACKOFF_BASE = 0.1
BACKOFF_CAP = 5.0

# WellKnownStatus rules (pkg/work/spoke/statusfeedback/rules/rule.go)
WELL_KNOWN = {
	("apps", "Deployment"): [("ReadyReplicas", ".status.readyReplicas"), ("Replicas", ".status.replicas"),
		("AvailableReplicas", ".status.availableReplicas")],
	("apps", "DaemonSet"): [("NumberReady", ".status.numberReady"),
		("DesiredNumberScheduled", ".status.desiredNumberScheduled"), ("NumberAvailable", ".status.numberAvailable")],
	("batch", "Job"): [("JobComplete", '.status.conditions[?(@.type=="Complete")].status'),
		("JobSucceeded", ".status.succeeded")],
	("", "Pod"): [("PodReady", '.status.conditions[?(@.type=="Ready")].status'), ("PodPhase", ".status.phase")],
}


def _code(e):
	return getattr(e, "code", None)


def _msg(e):
	return getattr(e, "message", None) or str(e)


def feedback_value(name, value):
	"""A FeedbackValue dict for a scalar, or raise ValueError for unsupported types."""
	if isinstance(value, bool):
		return {"name": name, "fieldValue": {"type": "Boolean", "boolean": value}}
	if isinstance(value, int):
		return {"name": name, "fieldValue": {"type": "Integer", "integer": value}}
	if isinstance(value, str):
		return {"name": name, "fieldValue": {"type": "String", "string": value}}
	kind = {dict: "map[string]interface {}", list: "[]interface {}", float: "float64"}.get(type(value), type(value).__name__)
	raise ValueError("the type %s of the value for %s is not supported" % (kind, name))


def evaluate_feedback(obj, rules, group, version, kind):
	"""(values, errors) for feedbackRules over the live object."""
	values, errors = [], []
	for rule in rules or []:
		if rule.get("type") == "WellKnownStatus":
			paths = WELL_KNOWN.get((group, kind))
			if paths is None:
				errors.append("cannot find the wellknown statuses for resource with gvk %s/%s, Kind=%s"
					% (group, version, kind) if group else
					"cannot find the wellknown statuses for resource with gvk /%s, Kind=%s" % (version, kind))
				continue
			items = [{"name": n, "path": p} for n, p in paths]
		elif rule.get("type") == "JSONPaths":
			items = rule.get("jsonPaths") or []
		else:
			errors.append("unknown feedback rule type %s" % rule.get("type"))
			continue
		for it in items:
			name, path = it.get("name", ""), it.get("path", "")
			if it.get("version") and it["version"] != version:
				errors.append("version set in the path %s is not the same as the resource %s/%s"
					% (name, group, version))
				continue
			try:
				found = jsonpath.find(obj, path)
			except jsonpath.JSONPathError as e:
				errors.append("failed to get status feedback with path %s: %s" % (path, e))
				continue
			if not found or found[0] is None:
				continue
			try:
				values.append(feedback_value(name, found[0]))
			except ValueError as e:
				errors.append(str(e))
	return values, errors


def matching_config(configs, group, resource, namespace, name):
	"""(updateStrategy or None, feedbackRules list) of the manifestConfigs matching one resource."""
	strategy, rules = None, []
	for c in configs or []:
		rid = c.get("resourceIdentifier") or {}
		if (rid.get("group") or "") != group or rid.get("resource") != resource:
			continue
		if not fnmatch.fnmatchcase(name or "", rid.get("name") or ""):
			continue
		if not fnmatch.fnmatchcase(namespace or "", rid.get("namespace") or ""):
			continue
		if strategy is None and c.get("updateStrategy") is not None:
			strategy = c["updateStrategy"]
		if not rules and c.get("feedbackRules"):
			rules = c["feedbackRules"]
	return strategy, rules


def is_orphaned(delete_option, group, resource, namespace, name):
	opt = delete_option or {}
	policy = opt.get("propagationPolicy") or "Foreground"
	if policy == "Orphan":
		return True
	if policy == "SelectivelyOrphan":
		for r in (opt.get("selectivelyOrphans") or {}).get("orphaningRules") or []:
			if ((r.get("group") or "") == group and r.get("resource") == resource and (r.get("name") or "") == name
					and (r.get("namespace") or "") == (namespace or "")):
				return True
	return False


class _WorkState:
	__slots__ = ("applied_gen", "results", "retry_at", "attempts", "next_sync", "resync_at", "spoke_rv")

	def __init__(self):
		self.applied_gen = None
		self.results = []  # per ordinal: dict(meta, gvr, ns, name, applied=(status, reason, message), readonly)
		self.retry_at = None
		self.attempts = 0
		self.next_sync = 0.0
		self.resync_at = None
		self.spoke_rv = None  # spoke store resourceVersion the last status was computed from


class WorkAgent:
	def __init__(self, hub, cluster, spoke, agent_sync=1.0, resync=30.0, hub_url="https://hub.emulator",
			log=None):
		self.hub = hub
		self.cluster = cluster
		self.spoke = spoke
		self.agent_sync = max(0.01, float(agent_sync))
		self.resync = max(0.1, float(resync))
		self.hub_hash = hashlib.sha256(hub_url.encode()).hexdigest()
		self.log = log or (lambda msg: None)
		self._cv = threading.Condition()
		self._pending = set()
		self._relist = True
		self._offline = False
		self._stop = False
		self._states = {}
		self._token = None
		self._thread = None
		self.stats = {"status_writes": 0, "applies": 0, "finalizer_adds": 0, "finalizer_removals": 0}

	# ------------------------------------------------------------ lifecycle

	def start(self):
		self.spoke.ensure(APPLIED_WORKS, "AppliedManifestWork", namespaced=False)
		self._token = self.hub.subscribe(MANIFEST_WORKS, self._event)
		self._thread = threading.Thread(target=self._run, name="ocm-agent-" + self.cluster, daemon=True)
		self._thread.start()
		return self

	def stop(self):
		with self._cv:
			self._stop = True
			self._cv.notify_all()
		if self._token is not None:
			self.hub.unsubscribe(self._token)
			self._token = None
		if self._thread:
			self._thread.join(timeout=10)

	@property
	def offline(self):
		return self._offline

	def set_offline(self, offline):
		with self._cv:
			was = self._offline
			self._offline = bool(offline)
			if was and not self._offline:
				self._relist = True  # catch up with everything that happened meanwhile
			self._cv.notify_all()

	def resync_now(self):
		"""Re-apply every work now (what the periodic resync does), e.g. to repair spoke drift in tests."""
		with self._cv:
			self._relist = True
			self._cv.notify_all()

	def _event(self, etype, obj):
		meta = obj.get("metadata") or {}
		if meta.get("namespace") != self.cluster or etype == "BOOKMARK":
			return
		with self._cv:
			self._pending.add(meta.get("name"))
			self._cv.notify_all()

	def _run(self):
		while True:
			with self._cv:
				while not self._stop:
					if not self._offline and (self._pending or self._relist):
						break
					timeout = self._next_deadline() - time.time()
					if not self._offline and timeout <= 0:
						break
					self._cv.wait(timeout=min(0.5, max(0.005, timeout)))
				if self._stop:
					return
				pending, self._pending = self._pending, set()
				relist, self._relist = self._relist, False
			try:
				self._cycle(pending, relist)
			except Exception as e:  # an unexpected failure must not kill the agent
				self.log("agent %s: %r" % (self.cluster, e))
				time.sleep(0.2)
				with self._cv:
					self._pending |= pending
					self._relist = self._relist or relist

	def _next_deadline(self):
		t = time.time() + 3600
		for st in self._states.values():
			t = min(t, st.next_sync)
			if st.retry_at is not None:
				t = min(t, st.retry_at)
			if st.resync_at is not None:
				t = min(t, st.resync_at)
		return t

	def _cycle(self, pending, relist):
		if relist:
			items = self.hub.list(MANIFEST_WORKS, self.cluster)
			names = {w["metadata"]["name"] for w in items}
			pending = set(pending) | names | set(self._states)
		now = time.time()
		for name, st in list(self._states.items()):
			if (st.retry_at is not None and st.retry_at <= now) or (st.resync_at is not None and st.resync_at <= now):
				pending.add(name)
		for name in sorted(pending):
			if self._offline or self._stop:
				with self._cv:
					self._pending |= set(pending)
				return
			self.reconcile(name, force_apply=relist)
		now = time.time()
		for name, st in list(self._states.items()):
			if self._offline or self._stop:
				return
			if st.next_sync <= now and name not in pending:
				self.reconcile(name, status_only=True)

	# ------------------------------------------------------------ reconcile one work

	def reconcile(self, name, force_apply=False, status_only=False):
		st = self._states.get(name)
		if status_only and st is not None and st.spoke_rv is not None and st.spoke_rv == self.spoke.current_rv() \
				and st.retry_at is None:
			# nothing changed on the spoke since the last status, and any hub change arrives as an event
			st.next_sync = time.time() + oc.jitter(self.agent_sync)
			return
		try:
			work = self.hub.get(MANIFEST_WORKS, self.cluster, name)
		except Exception as e:
			if _code(e) == 404:
				self._states.pop(name, None)
				return
			raise
		meta = work["metadata"]
		if meta.get("deletionTimestamp"):
			self._handle_delete(work)
			return
		if WORK_FINALIZER not in (meta.get("finalizers") or []):
			work = self._add_finalizer(work)
			if work is None:
				return
		st = self._states.setdefault(name, _WorkState())
		now = time.time()
		gen = meta.get("generation", 1)
		due = (st.retry_at is not None and st.retry_at <= now) or (st.resync_at is not None and st.resync_at <= now)
		if st.applied_gen != gen or force_apply or (due and not status_only):
			self._apply(work, st)
		self._sync_status(work, st)

	def _update_with_retry(self, name, mutate):
		"""Get-mutate-update the hub work (resourceVersion conflicts retried); None when gone."""
		for _ in range(oc.CONFLICT_RETRIES):
			try:
				work = self.hub.get(MANIFEST_WORKS, self.cluster, name)
			except Exception as e:
				if _code(e) == 404:
					return None
				raise
			if not mutate(work):
				return work
			try:
				return self.hub.update(MANIFEST_WORKS, self.cluster, name, work)
			except Exception as e:
				if _code(e) == 409:
					time.sleep(random.uniform(0.001, 0.02))
					continue
				if _code(e) == 404:
					return None
				raise
		return None

	def _add_finalizer(self, work):
		def add(w):
			fins = w["metadata"].setdefault("finalizers", [])
			if WORK_FINALIZER in fins or w["metadata"].get("deletionTimestamp"):
				return False
			fins.append(WORK_FINALIZER)
			return True
		out = self._update_with_retry(work["metadata"]["name"], add)
		if out is not None:
			self.stats["finalizer_adds"] += 1
		if out is not None and out["metadata"].get("deletionTimestamp"):
			return None
		return out

	# ------------------------------------------------------------ apply

	def _amw_name(self, work_name):
		return "%s-%s" % (self.hub_hash, work_name)

	def _ensure_amw(self, work):
		name = self._amw_name(work["metadata"]["name"])
		try:
			return self.spoke.get(APPLIED_WORKS, None, name)
		except Exception as e:
			if _code(e) != 404:
				raise
		obj = {"apiVersion": "work.open-cluster-management.io/v1", "kind": "AppliedManifestWork",
			"metadata": {"name": name, "labels": dict(work["metadata"].get("labels") or {})},
			"spec": {"hubHash": self.hub_hash, "agentID": self.cluster,
				"manifestWorkName": work["metadata"]["name"]}}
		return self.spoke.create(APPLIED_WORKS, None, obj)

	def _apply(self, work, st):
		self.stats["applies"] += 1
		spec = work.get("spec") or {}
		manifests = (spec.get("workload") or {}).get("manifests") or []
		configs = spec.get("manifestConfigs") or []
		delete_option = spec.get("deleteOption")
		gen = work["metadata"].get("generation", 1)
		amw = self._ensure_amw(work)
		owner = {"apiVersion": "work.open-cluster-management.io/v1", "kind": "AppliedManifestWork",
			"name": amw["metadata"]["name"], "uid": amw["metadata"].get("uid", "")}
		order = sorted(range(len(manifests)), key=lambda i: (ocm_kinds.apply_rank(manifests[i].get("kind", "")), i))
		results = [None] * len(manifests)
		retry, conflict_only = False, True
		for i in order:
			res = self._apply_one(i, manifests[i], configs, delete_option, owner)
			results[i] = res
			if res["applied"][0] != "True":
				retry = True
				if not res.get("conflict"):
					conflict_only = False
		st.results = results
		st.applied_gen = gen
		now = time.time()
		if retry and not conflict_only:
			st.attempts += 1
			st.retry_at = now + min(BACKOFF_CAP, BACKOFF_BASE * (2 ** min(st.attempts, 10))) * random.uniform(1.0, 1.5)
		else:
			st.attempts = 0
			st.retry_at = None
		st.resync_at = now + oc.jitter(self.resync, 1.0, 1.5)
		st.next_sync = 0.0  # status right after an apply, like the real agent's status controller
		self._record_applied(work, amw, results, delete_option)

	def _apply_one(self, ordinal, manifest, configs, delete_option, owner):
		m = copy.deepcopy(manifest)
		md = m.setdefault("metadata", {})
		for k in ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "selfLink"):
			md.pop(k, None)
		group, version = ocm_kinds.split_api_version(m.get("apiVersion"))
		kind = m.get("kind", "")
		name = md.get("name", "")
		resource, namespaced = ocm_kinds.resource_for(group, kind, self.spoke)
		ns = md.get("namespace") or ""
		if not namespaced:
			ns = ""
			md.pop("namespace", None)
		meta = {"ordinal": ordinal, "group": group, "version": version, "kind": kind, "resource": resource,
			"name": name, "namespace": ns}
		try:
			self.spoke.ensure((group, version, resource), kind, namespaced)
		except Exception as e:
			self.log("agent %s: cannot serve %s/%s %s: %r" % (self.cluster, group, version, kind, e))
		res = {"meta": meta, "gvr": (group, version, resource), "ns": ns or None, "name": name, "readonly": False,
			"orphan": is_orphaned(delete_option, group, resource, ns, name), "uid": None}
		strategy, _ = matching_config(configs, group, resource, ns, name)
		stype = (strategy or {}).get("type") or "Update"
		res["readonly"] = stype == "ReadOnly"

		def fail(message, conflict=False):
			res["applied"] = ("False", "AppliedManifestFailed", "Failed to apply manifest: " + message)
			res["conflict"] = conflict
			return res

		if namespaced and not ns:
			return fail("an empty namespace may not be set when a resource name is provided")
		if namespaced and stype != "ReadOnly":
			try:
				self.spoke.get(NAMESPACES, None, ns)
			except Exception as e:
				if _code(e) == 404:
					return fail('namespaces "%s" not found' % ns)
				return fail(_msg(e))
		gvr = res["gvr"]
		if not res["orphan"]:
			refs = md.setdefault("ownerReferences", [])
			if not any(r.get("uid") == owner["uid"] for r in refs):
				refs.append(dict(owner))
		try:
			cur = self.spoke.get(gvr, ns or None, name)
		except Exception as e:
			if _code(e) != 404:
				return fail(_msg(e))
			cur = None
		try:
			if stype == "ReadOnly":
				if cur is None:
					return fail('%s "%s" not found' % (resource + ("." + group if group else ""), name))
				out = cur
			elif stype == "CreateOnly":
				out = cur if cur is not None else self.spoke.create(gvr, ns or None, m, field_manager=DEFAULT_FIELD_MANAGER)
			elif stype == "ServerSideApply":
				out = self._server_side_apply(gvr, ns, name, m, cur, (strategy or {}).get("serverSideApply") or {})
			else:
				out = self._update_apply(gvr, ns, name, m, cur)
		except Exception as e:
			return fail(_msg(e), conflict=(_code(e) == 409 and stype == "ServerSideApply"))
		res["uid"] = (out or {}).get("metadata", {}).get("uid")
		res["applied"] = ("True", "AppliedManifestComplete", "Apply manifest complete")
		return res

	def _update_apply(self, gvr, ns, name, m, cur):
		if cur is None:
			return self.spoke.create(gvr, ns or None, m, field_manager=DEFAULT_FIELD_MANAGER)
		want = copy.deepcopy(m)
		wmd = want["metadata"]
		cmd = cur["metadata"]
		wmd["labels"] = dict(cmd.get("labels") or {}, **(wmd.get("labels") or {}))
		wmd["annotations"] = dict(cmd.get("annotations") or {}, **(wmd.get("annotations") or {}))
		refs = list(cmd.get("ownerReferences") or [])
		for r in wmd.get("ownerReferences") or []:
			if not any(x.get("uid") == r.get("uid") for x in refs):
				refs.append(r)
		wmd["ownerReferences"] = refs
		for k in ("labels", "annotations", "ownerReferences"):
			if not wmd[k]:
				del wmd[k]
		if "finalizers" not in wmd and cmd.get("finalizers"):
			wmd["finalizers"] = cmd["finalizers"]
		changed = any(wmd.get(k) != cmd.get(k) for k in ("labels", "annotations", "ownerReferences", "finalizers"))
		for k in set(want) | set(cur):
			if k in ("metadata", "status", "apiVersion", "kind"):
				continue
			if k not in want:
				# a whole top-level section the manifest does not mention (a Namespace's spec filled in by
				# the server, say) is kept, so re-applying an unchanged manifest is a no-op
				want[k] = copy.deepcopy(cur[k])
			elif want.get(k) != cur.get(k):
				changed = True
		if not changed:
			return cur
		wmd["resourceVersion"] = cmd.get("resourceVersion")
		wmd["uid"] = cmd.get("uid")
		if "status" in cur:
			want["status"] = cur["status"]
		return self.spoke.update(gvr, ns or None, name, want, field_manager=DEFAULT_FIELD_MANAGER)

	def _server_side_apply(self, gvr, ns, name, m, cur, ssa):
		manager = ssa.get("fieldManager") or DEFAULT_FIELD_MANAGER
		force = bool(ssa.get("force"))
		ignore = ssa.get("ignoreFields") or []
		body = m
		if ignore:
			present = [p for f in ignore if (f.get("condition") or "OnSpokePresent") == "OnSpokePresent"
				for p in f.get("jsonPaths") or []]
			hashed = copy.deepcopy(m)
			for p in present:
				jsonpath.delete(hashed, p)
			digest = hashlib.sha256(json.dumps(hashed, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
			if cur is not None and ((cur["metadata"].get("annotations") or {}).get(CONFIG_SPEC_HASH) == digest):
				return cur  # manifest unchanged since the last apply: spoke-side changes are kept
			body = copy.deepcopy(m)
			if cur is not None:
				for p in present:
					jsonpath.delete(body, p)
			body["metadata"].setdefault("annotations", {})[CONFIG_SPEC_HASH] = digest
		return self.spoke.patch(gvr, ns or None, name, "apply", body, field_manager=manager, force=force)

	# ------------------------------------------------------------ applied resources / deletion

	def _record_applied(self, work, amw, results, delete_option):
		"""Update the AppliedManifestWork list and delete what left the spec."""
		old = (amw.get("status") or {}).get("appliedResources") or []
		new = []
		keys = set()
		for r in results:
			if r is None or r["readonly"] or r["applied"][0] != "True" or not r.get("uid"):
				continue
			g, v, res = r["gvr"]
			new.append({"group": g, "version": v, "resource": res, "namespace": r["ns"] or "", "name": r["name"],
				"uid": r["uid"]})
			keys.add((g, res, r["ns"] or "", r["name"]))
		# a manifest that failed this time keeps its earlier record (it is still in spec)
		spec_keys = {(r["gvr"][0], r["gvr"][2], r["ns"] or "", r["name"]) for r in results if r is not None}
		for o in old:
			k = (o.get("group", ""), o.get("resource"), o.get("namespace", ""), o.get("name"))
			if k in keys:
				continue
			if k in spec_keys:
				new.append(o)
				keys.add(k)
				continue
			if not self._remove_resource(o, amw, delete_option):
				new.append(o)  # still terminating: keep tracking it
		if new != old:
			self._set_amw_status(amw, new)

	def _set_amw_status(self, amw, applied):
		try:
			self.spoke.patch(APPLIED_WORKS, None, amw["metadata"]["name"], "merge",
				{"status": {"appliedResources": applied}}, subresource="status")
		except Exception as e:
			if _code(e) != 404:
				raise

	def _remove_resource(self, rec, amw, delete_option):
		"""Delete or orphan one applied object; True once it is gone from our responsibility."""
		gvr = (rec.get("group", ""), rec.get("version", ""), rec.get("resource"))
		ns = rec.get("namespace") or None
		name = rec.get("name")
		try:
			obj = self.spoke.get(gvr, ns, name)
		except Exception as e:
			if _code(e) == 404:
				return True
			raise
		if rec.get("uid") and obj["metadata"].get("uid") != rec["uid"]:
			return True  # replaced by someone else: not ours any more
		amw_uid = amw["metadata"].get("uid")
		refs = obj["metadata"].get("ownerReferences") or []
		others = [r for r in refs if r.get("kind") == "AppliedManifestWork" and r.get("uid") != amw_uid]
		orphan = is_orphaned(delete_option, gvr[0], gvr[2], rec.get("namespace") or "", name)
		if orphan or others:
			if any(r.get("uid") == amw_uid for r in refs):
				keep = [r for r in refs if r.get("uid") != amw_uid]
				ops = [{"op": "test", "path": "/metadata/uid", "value": obj["metadata"]["uid"]}]
				if keep:
					ops.append({"op": "replace", "path": "/metadata/ownerReferences", "value": keep})
				else:
					ops.append({"op": "remove", "path": "/metadata/ownerReferences"})
				try:
					self.spoke.patch(gvr, ns, name, "json", ops, field_manager=DEFAULT_FIELD_MANAGER)
				except Exception as e:
					if _code(e) not in (404, 409, 422):
						raise
			return True
		if obj["metadata"].get("deletionTimestamp"):
			return False  # waiting for its own finalizers
		try:
			self.spoke.delete(gvr, ns, name, propagation="Background",
				preconditions={"uid": obj["metadata"]["uid"]} if obj["metadata"].get("uid") else None)
		except Exception as e:
			if _code(e) in (404, 409):
				return True
			raise
		try:
			self.spoke.get(gvr, ns, name)
		except Exception as e:
			if _code(e) == 404:
				return True
			raise
		return False

	def _handle_delete(self, work):
		name = work["metadata"]["name"]
		if WORK_FINALIZER not in (work["metadata"].get("finalizers") or []):
			self._states.pop(name, None)
			return
		gen = work["metadata"].get("generation", 1)
		status = copy.deepcopy(work.get("status") or {})
		conds = status.setdefault("conditions", [])
		oc.set_condition(conds, "Deleting", "True", "WorkDeleting", "Delete manifest work", gen)
		self._write_status(work, status)
		delete_option = (work.get("spec") or {}).get("deleteOption")
		done = True
		try:
			amw = self.spoke.get(APPLIED_WORKS, None, self._amw_name(name))
		except Exception as e:
			if _code(e) != 404:
				raise
			amw = None
		if amw is not None:
			left = []
			for rec in (amw.get("status") or {}).get("appliedResources") or []:
				if not self._remove_resource(rec, amw, delete_option):
					left.append(rec)
			if left:
				done = False
				if left != (amw.get("status") or {}).get("appliedResources"):
					self._set_amw_status(amw, left)
			else:
				try:
					self.spoke.delete(APPLIED_WORKS, None, amw["metadata"]["name"])
				except Exception as e:
					if _code(e) != 404:
						raise
		st = self._states.setdefault(name, _WorkState())
		if not done:
			st.retry_at = time.time() + 0.2
			st.next_sync = time.time() + 3600
			return

		def drop(w):
			fins = w["metadata"].get("finalizers") or []
			if WORK_FINALIZER not in fins:
				return False
			w["metadata"]["finalizers"] = [f for f in fins if f != WORK_FINALIZER]
			return True
		if self._update_with_retry(name, drop) is not None:
			self.stats["finalizer_removals"] += 1
		self._states.pop(name, None)

	# ------------------------------------------------------------ status

	def _sync_status(self, work, st):
		st.spoke_rv = self.spoke.current_rv()
		now = time.time()
		st.next_sync = now + oc.jitter(self.agent_sync)
		gen = work["metadata"].get("generation", 1)
		spec = work.get("spec") or {}
		configs = spec.get("manifestConfigs") or []
		old = work.get("status") or {}
		old_manifests = ((old.get("resourceStatus") or {}).get("manifests")) or []

		def old_entry(meta):
			for e in old_manifests:
				rm = e.get("resourceMeta") or {}
				if all(rm.get(k, "") == meta.get(k, "") for k in ("group", "kind", "namespace", "name")):
					return e
			return None

		manifests = []
		n_unavail = n_unknown = 0
		applied_ok = True
		for r in st.results:
			if r is None:
				continue
			meta = r["meta"]
			prev = old_entry(meta)
			conds = copy.deepcopy((prev or {}).get("conditions") or [])
			conds = [c for c in conds if c.get("type") in ("Applied", "Available", "StatusFeedbackSynced")]
			a_status, a_reason, a_msg = r["applied"]
			if a_status != "True":
				applied_ok = False
			oc.set_condition(conds, "Applied", a_status, a_reason, a_msg, gen)
			entry = {"resourceMeta": meta, "conditions": conds}
			obj = None
			if not meta["resource"]:
				oc.set_condition(conds, "Available", "Unknown", "IncompleteResourceMeta", "Resource meta is incomplete")
				n_unknown += 1
			else:
				try:
					obj = self.spoke.get(r["gvr"], r["ns"], r["name"])
					oc.set_condition(conds, "Available", "True", "ResourceAvailable", "Resource is available")
				except Exception as e:
					if _code(e) == 404:
						oc.set_condition(conds, "Available", "False", "ResourceNotAvailable", "Resource is not available")
						n_unavail += 1
					else:
						oc.set_condition(conds, "Available", "Unknown", "FetchingResourceFailed",
							"Failed to fetch resource: %s" % _msg(e))
						n_unknown += 1
			_, rules = matching_config(configs, meta["group"], meta["resource"], meta["namespace"], meta["name"])
			values, errors = [], []
			if obj is not None and rules:
				values, errors = evaluate_feedback(obj, rules, meta["group"], meta["version"], meta["kind"])
			prev_values = ((prev or {}).get("statusFeedback") or {}).get("values") or []
			if values:
				entry["statusFeedback"] = {"values": values}
			elif prev is not None and "statusFeedback" in prev and obj is None:
				entry["statusFeedback"] = prev["statusFeedback"]
				values = prev_values
			if values != prev_values:
				conds[:] = oc.remove_condition(conds, "StatusFeedbackSynced")  # re-added: LTT = value change
			if not rules:
				oc.set_condition(conds, "StatusFeedbackSynced", "True", "NoStatusFeedbackSynced", "")
			elif errors:
				oc.set_condition(conds, "StatusFeedbackSynced", "False", "StatusFeedbackSyncFailed",
					"Sync status feedback failed with error %s" % "; ".join(errors))
			else:
				oc.set_condition(conds, "StatusFeedbackSynced", "True", "StatusFeedbackSynced", "")
			manifests.append(entry)
		status = copy.deepcopy(old)
		wconds = status.get("conditions") or []
		total = len(manifests)
		if applied_ok:
			oc.set_condition(wconds, "Applied", "True", "AppliedManifestWorkComplete", "Apply manifest work complete", gen)
		else:
			oc.set_condition(wconds, "Applied", "False", "AppliedManifestWorkFailed", "Failed to apply manifest work", gen)
		if n_unavail:
			oc.set_condition(wconds, "Available", "False", "ResourcesNotAvailable",
				"%d of %d resources are not available" % (n_unavail, total), gen)
		elif n_unknown:
			oc.set_condition(wconds, "Available", "Unknown", "ResourcesStatusUnknown",
				"%d of %d resources have unknown status" % (n_unknown, total), gen)
		else:
			oc.set_condition(wconds, "Available", "True", "ResourcesAvailable", "All resources are available", gen)
		status["conditions"] = wconds
		status["resourceStatus"] = {"manifests": manifests}
		self._write_status(work, status)

	def _write_status(self, work, status):
		if status == (work.get("status") or {}):
			return False
		if self._offline:
			return False
		try:
			self.hub.patch(MANIFEST_WORKS, self.cluster, work["metadata"]["name"], "merge", {"status": status},
				subresource="status")
		except Exception as e:
			if _code(e) == 404:
				return False
			raise
		work["status"] = status
		self.stats["status_writes"] += 1
		return True
