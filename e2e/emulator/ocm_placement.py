"""OCM placement simulator: ManagedClusterSets, ManagedClusterSetBindings, Placements -> PlacementDecisions.

Pure part (no store): `schedule(placement, clusters, sets, bindings, now)` returns the selected clusters,
the Placement's conditions and when the result may change by itself (a toleration expiring).
Controller part: `HubController(store)` subscribes to the hub Store, recomputes on every relevant change
(debounced, on its own thread) and writes only what changed:
  - ManagedClusterSet status condition ClusterSetEmpty, and the `default`/`global` sets (recreated if deleted);
  - the clusterset=default label on ManagedClusters without a set label (OCM's mutating webhook);
  - ManagedClusterSetBinding status condition Bound (ClusterSetBound / ClusterSetNotFound);
  - PlacementDecisions `<placement>-decision-N` (1-based, <= 100 decisions each, labels placement /
    decision-group-index / decision-group-name, controller ownerReference to the Placement), surplus ones
    deleted, at least one always present; deleted with their Placement (as the garbage collector would);
  - Placement status: numberOfSelectedClusters, decisionGroups, conditions PlacementMisconfigured and
    PlacementSatisfied.
Differences from OCM: prioritizers other than "keep current decisions, then cluster name" are not
scored, spreadPolicy and celSelector are ignored, PreferNoSelect taints never exclude.
"""

import threading
import time

import ocm_common as oc
from ocm_common import (CLUSTER_SETS, CLUSTERSET_LABEL, DECISIONS, MANAGED_CLUSTERS, PLACEMENTS,
	SET_BINDINGS)

MAX_DECISIONS_PER_OBJECT = 100
PLACEMENT_LABEL = "cluster.open-cluster-management.io/placement"
GROUP_INDEX_LABEL = "cluster.open-cluster-management.io/decision-group-index"
GROUP_NAME_LABEL = "cluster.open-cluster-management.io/decision-group-name"
DISABLE_ANNOTATION = "cluster.open-cluster-management.io/experimental-scheduling-disable"


# ---------------------------------------------------------------- pure scheduling

def set_members(cset, clusters):
	"""Names of the clusters that belong to ManagedClusterSet `cset`."""
	name = cset["metadata"]["name"]
	sel = (cset.get("spec") or {}).get("clusterSelector") or {}
	typ = sel.get("selectorType") or "ExclusiveClusterSetLabel"
	out = []
	for c in clusters:
		labels = c["metadata"].get("labels") or {}
		if typ == "LabelSelector":
			ls = sel.get("labelSelector")
			if ls is None:
				continue  # a nil selector selects nothing
			if oc.match_label_selector(ls, labels):
				out.append(c["metadata"]["name"])
		elif labels.get(CLUSTERSET_LABEL) == name:
			out.append(c["metadata"]["name"])
	return out


def validate_tolerations(tolerations):
	"""OCM's tolerations check: an error text, or None when fine."""
	for t in tolerations or []:
		op = t.get("operator") or "Equal"
		if not t.get("key") and op != "Exists":
			return "If the key is empty, operator must be Exists."
		if op == "Exists" and t.get("value"):
			return "If the operator is Exists, the value should be empty."
		if op not in ("Exists", "Equal"):
			return "The operator %s is not supported." % op
	return None


def toleration_window(taint, tolerations, now):
	"""(tolerated, expires_at): whether some toleration matches `taint` now, and when it ends."""
	best = None
	matched = False
	for t in tolerations or []:
		op = t.get("operator") or "Equal"
		key = t.get("key") or ""
		if key and key != taint.get("key"):
			continue
		if op == "Equal" and (t.get("value") or "") != (taint.get("value") or ""):
			continue
		if t.get("effect") and t.get("effect") != taint.get("effect"):
			continue
		secs = t.get("tolerationSeconds")
		if secs is None:
			return True, None
		added = oc.parse_rfc3339(taint.get("timeAdded")) or now
		end = added + float(secs)
		if end > now:
			matched = True
			best = end if best is None else max(best, end)
	return matched, best


def selectable(cluster, tolerations, now, currently_selected):
	"""(ok, next_check): taint filter for one cluster."""
	next_check = None
	for taint in (cluster.get("spec") or {}).get("taints") or []:
		effect = taint.get("effect")
		if effect == "PreferNoSelect":
			continue
		if effect == "NoSelectIfNew" and currently_selected:
			continue
		if effect not in ("NoSelect", "NoSelectIfNew"):
			continue
		ok, until = toleration_window(taint, tolerations, now)
		if not ok:
			return False, None
		if until is not None:
			next_check = until if next_check is None else min(next_check, until)
	return True, next_check


def _claims(cluster):
	return {c.get("name"): c.get("value") for c in (cluster.get("status") or {}).get("clusterClaims") or []}


def predicate_match(predicates, cluster):
	if not predicates:
		return True
	labels = cluster["metadata"].get("labels") or {}
	claims = _claims(cluster)
	for p in predicates:
		req = p.get("requiredClusterSelector") or {}
		if not oc.match_label_selector(req.get("labelSelector"), labels):
			continue
		if not oc.match_expressions((req.get("claimSelector") or {}).get("matchExpressions"), claims.get):
			continue
		return True
	return False


def schedule(placement, clusters, sets, bindings, now, previous=()):
	"""Compute a Placement's decision.

	placement: the Placement dict; clusters: ManagedCluster dicts; sets: ManagedClusterSet dicts;
	bindings: the ManagedClusterSetBindings of the Placement's namespace; previous: names currently decided.
	Returns {"selected": [names sorted], "satisfied": (status, reason, message),
	"misconfigured": None or message, "next_check": epoch seconds or None}.
	"""
	spec = placement.get("spec") or {}
	tolerations = spec.get("tolerations") or []
	res = {"selected": [], "misconfigured": None, "next_check": None}
	bad = validate_tolerations(tolerations)
	if bad:
		res["misconfigured"] = bad
		res["satisfied"] = ("False", "NotAllDecisionsScheduled", bad)
		return res
	set_by_name = {s["metadata"]["name"]: s for s in sets if not s["metadata"].get("deletionTimestamp")}
	bound = sorted({b["metadata"]["name"] for b in bindings
		if (b.get("spec") or {}).get("clusterSet") == b["metadata"]["name"] and b["metadata"]["name"] in set_by_name
		and not b["metadata"].get("deletionTimestamp")})
	if not bound:
		res["satisfied"] = ("False", "NoManagedClusterSetBindings",
			"None of ManagedClusterSets is bound to placement namespace")
		return res
	wanted = spec.get("clusterSets") or []
	eligible = [s for s in bound if not wanted or s in wanted]
	if not eligible:
		res["satisfied"] = ("False", "NoIntersection",
			"None of ManagedClusterSets [%s] is bound to placement namespace" % ", ".join(wanted))
		return res
	live = [c for c in clusters if not c["metadata"].get("deletionTimestamp")]
	members = set()
	for s in eligible:
		members.update(set_members(set_by_name[s], live))
	if not members:
		res["satisfied"] = ("False", "AllManagedClusterSetsEmpty",
			"All ManagedClusterSets [%s] have no member ManagedCluster" % ", ".join(eligible))
		return res
	prev = set(previous)
	chosen = []
	for c in live:
		name = c["metadata"]["name"]
		if name not in members or not predicate_match(spec.get("predicates"), c):
			continue
		ok, until = selectable(c, tolerations, now, name in prev)
		if until is not None:
			res["next_check"] = until if res["next_check"] is None else min(res["next_check"], until)
		if ok:
			chosen.append(name)
	if not chosen:
		res["satisfied"] = ("False", "NoManagedClusterMatched", "No valid ManagedCluster matched")
		return res
	want = spec.get("numberOfClusters")
	chosen.sort(key=lambda n: (n not in prev, n))  # Steady: keep current decisions, then by name
	if want is not None and len(chosen) > int(want):
		chosen = chosen[:int(want)]
	res["selected"] = sorted(chosen)
	if want is not None and len(chosen) < int(want):
		res["satisfied"] = ("False", "NotAllDecisionsScheduled",
			"%d cluster decisions unscheduled" % (int(want) - len(chosen)))
	else:
		res["satisfied"] = ("True", "AllDecisionsScheduled", "All cluster decisions scheduled")
	return res


def _per_group(value, total):
	if value is None:
		return total
	if isinstance(value, str) and value.endswith("%"):
		try:
			pct = int(value[:-1])
		except ValueError:
			return total
		return max(1, (total * pct + 99) // 100)
	try:
		return max(1, int(value))
	except (TypeError, ValueError):
		return total


def group_decisions(placement, selected, clusters_by_name):
	"""Split `selected` into decision groups: [(index, name, [cluster names])]; always >= 1 group."""
	gs = ((placement.get("spec") or {}).get("decisionStrategy") or {}).get("groupStrategy") or {}
	left = list(selected)
	groups = []
	for g in gs.get("decisionGroups") or []:
		sel = g.get("groupClusterSelector") or {}
		mine = []
		for n in left:
			c = clusters_by_name.get(n)
			if c is None:
				continue
			if oc.match_label_selector(sel.get("labelSelector"), c["metadata"].get("labels") or {}) and \
					oc.match_expressions((sel.get("claimSelector") or {}).get("matchExpressions"), _claims(c).get):
				mine.append(n)
		if mine:
			left = [n for n in left if n not in mine]
			groups.append((g.get("groupName") or "", mine))
	if left or not groups:
		size = _per_group(gs.get("clustersPerDecisionGroup"), len(selected)) or 1
		if not left:
			groups.append(("", []))
		for i in range(0, len(left), size):
			groups.append(("", left[i:i + size]))
	return [(i, name, names) for i, (name, names) in enumerate(groups)]


def paginate(placement_name, groups):
	"""[(pd name, group index, group name, [cluster names])], <= 100 clusters each, N counted from 1."""
	out = []
	n = 1
	for idx, gname, names in groups:
		chunks = [names[i:i + MAX_DECISIONS_PER_OBJECT] for i in range(0, len(names), MAX_DECISIONS_PER_OBJECT)] or [[]]
		for chunk in chunks:
			out.append(("%s-decision-%d" % (placement_name, n), idx, gname, chunk))
			n += 1
	return out


# ---------------------------------------------------------------- controller

class HubController:
	"""Cluster-set, binding and placement controller on the hub Store (one thread)."""

	def __init__(self, store, log=None):
		"""store: an ocm_common.Api over the hub Store."""
		self.store = store
		self.log = log or (lambda msg: None)
		self._cv = threading.Condition()
		self._dirty = True
		self._stop = False
		self._tokens = []
		self._thread = None
		self.passes = 0  # reconcile passes done (tests)

	def start(self):
		self._tokens.append(self.store.subscribe(
			[MANAGED_CLUSTERS, CLUSTER_SETS, SET_BINDINGS, PLACEMENTS, DECISIONS], self._event))
		self._thread = threading.Thread(target=self._run, name="ocm-placement", daemon=True)
		self._thread.start()
		return self

	def stop(self):
		with self._cv:
			self._stop = True
			self._cv.notify_all()
		for t in self._tokens:
			self.store.unsubscribe(t)
		self._tokens = []
		if self._thread:
			self._thread.join(timeout=10)

	def kick(self):
		with self._cv:
			self._dirty = True
			self._cv.notify_all()

	def _event(self, etype, obj):
		# our own status writes also land here; the recompute is idempotent and writes only changes
		if etype == "BOOKMARK":
			return
		self.kick()

	def _run(self):
		next_check = None
		while True:
			with self._cv:
				while not self._stop and not self._dirty:
					timeout = None if next_check is None else max(0.0, next_check - time.time())
					if timeout is not None and timeout <= 0:
						break
					self._cv.wait(timeout=timeout if timeout is not None else 5.0)
				if self._stop:
					return
				self._dirty = False
			time.sleep(0.01)  # coalesce bursts of events
			try:
				next_check = self.reconcile()
			except Exception as e:  # keep the controller alive; retry soon
				self.log("placement: reconcile failed: %r" % (e,))
				next_check = time.time() + 0.5
			self.passes += 1

	# -- one pass

	def _list(self, gvr, ns=None, label_selector=None):
		return self.store.list(gvr, ns, label_selector=label_selector)

	def reconcile(self):
		now = time.time()
		self._ensure_default_sets()
		clusters = self._list(MANAGED_CLUSTERS)
		self._default_set_labels(clusters)
		sets = self._list(CLUSTER_SETS)
		self._set_status(sets, clusters)
		bindings = self._list(SET_BINDINGS)
		set_names = {s["metadata"]["name"] for s in sets}
		self._binding_status(bindings, set_names)
		by_ns = {}
		for b in bindings:
			by_ns.setdefault(b["metadata"]["namespace"], []).append(b)
		next_check = None
		placements = self._list(PLACEMENTS)
		live = set()
		for p in placements:
			live.add((p["metadata"]["namespace"], p["metadata"]["name"]))
			t = self._reconcile_placement(p, clusters, sets, by_ns.get(p["metadata"]["namespace"], []), now)
			if t is not None:
				next_check = t if next_check is None else min(next_check, t)
		self._gc_decisions(live)
		return next_check

	def _ensure_default_sets(self):
		want = {
			"default": {"clusterSelector": {"selectorType": "ExclusiveClusterSetLabel"}},
			"global": {"clusterSelector": {"selectorType": "LabelSelector", "labelSelector": {}}},
		}
		for name, spec in want.items():
			try:
				self.store.get(CLUSTER_SETS, None, name)
			except Exception as e:
				if getattr(e, "code", None) != 404:
					raise
				try:
					self.store.create(CLUSTER_SETS, None, {
						"apiVersion": "cluster.open-cluster-management.io/v1beta2",
						"kind": "ManagedClusterSet", "metadata": {"name": name}, "spec": spec})
				except Exception as e2:
					if getattr(e2, "code", None) != 409:
						raise

	def _default_set_labels(self, clusters):
		for c in clusters:
			labels = c["metadata"].get("labels") or {}
			if CLUSTERSET_LABEL not in labels and not c["metadata"].get("deletionTimestamp"):
				try:
					new = self.store.patch(MANAGED_CLUSTERS, None, c["metadata"]["name"], "merge",
						{"metadata": {"labels": {CLUSTERSET_LABEL: "default"}}})
					c["metadata"] = new["metadata"]
				except Exception as e:
					if getattr(e, "code", None) != 404:
						raise

	def _patch_status(self, gvr, ns, name, status):
		try:
			self.store.patch(gvr, ns, name, "merge", {"status": status}, subresource="status")
		except Exception as e:
			if getattr(e, "code", None) != 404:
				raise

	def _set_status(self, sets, clusters):
		for s in sets:
			members = set_members(s, [c for c in clusters if not c["metadata"].get("deletionTimestamp")])
			conds = oc.deep((s.get("status") or {}).get("conditions") or [])
			if members:
				oc.set_condition(conds, "ClusterSetEmpty", "False", "ClustersSelected",
					"%d ManagedClusters selected" % len(members))
			else:
				oc.set_condition(conds, "ClusterSetEmpty", "True", "NoClusterMatched",
					"No ManagedCluster selected")
			if conds != (s.get("status") or {}).get("conditions"):
				self._patch_status(CLUSTER_SETS, None, s["metadata"]["name"], {"conditions": conds})

	def _binding_status(self, bindings, set_names):
		for b in bindings:
			name = b["metadata"]["name"]
			conds = oc.deep((b.get("status") or {}).get("conditions") or [])
			if (b.get("spec") or {}).get("clusterSet") == name and name in set_names:
				oc.set_condition(conds, "Bound", "True", "ClusterSetBound", "")
			else:
				oc.set_condition(conds, "Bound", "False", "ClusterSetNotFound", "")
			if conds != (b.get("status") or {}).get("conditions"):
				self._patch_status(SET_BINDINGS, b["metadata"]["namespace"], name, {"conditions": conds})

	def _reconcile_placement(self, p, clusters, sets, bindings, now):
		meta = p["metadata"]
		ns, name = meta["namespace"], meta["name"]
		if (meta.get("annotations") or {}).get(DISABLE_ANNOTATION) is not None:
			return None
		existing = {d["metadata"]["name"]: d for d in self._list(DECISIONS, ns, label_selector="%s=%s" % (PLACEMENT_LABEL, name))}
		previous = set()
		for d in existing.values():
			for dec in (d.get("status") or {}).get("decisions") or []:
				if dec.get("clusterName"):
					previous.add(dec["clusterName"])
		res = schedule(p, clusters, sets, bindings, now, previous)
		status = oc.deep(p.get("status") or {})
		conds = status.get("conditions") or []
		if res["misconfigured"]:
			oc.set_condition(conds, "PlacementMisconfigured", "True", "Misconfigured", res["misconfigured"])
			status["conditions"] = conds
			if status != (p.get("status") or {}):
				self._patch_status(PLACEMENTS, ns, name, status)
			return res["next_check"]
		by_name = {c["metadata"]["name"]: c for c in clusters}
		pages = paginate(name, group_decisions(p, res["selected"], by_name))
		owner = {"apiVersion": "cluster.open-cluster-management.io/v1beta1", "kind": "Placement",
			"name": name, "uid": meta.get("uid", ""), "controller": True, "blockOwnerDeletion": True}
		groups = {}
		for pd_name, idx, gname, names in pages:
			self._write_decision(ns, pd_name, existing.get(pd_name), name, idx, gname, names, owner)
			g = groups.setdefault(idx, {"decisionGroupIndex": idx, "decisionGroupName": gname,
				"decisions": [], "clusterCount": 0})
			g["decisions"].append(pd_name)
			g["clusterCount"] += len(names)
		keep = {pg[0] for pg in pages}
		for pd_name in existing:
			if pd_name not in keep:
				self._delete(DECISIONS, ns, pd_name)
		oc.set_condition(conds, "PlacementMisconfigured", "False", "Succeedconfigured",
			"Placement configurations check pass")
		st, reason, msg = res["satisfied"]
		oc.set_condition(conds, "PlacementSatisfied", st, reason, msg)
		status["conditions"] = conds
		status["numberOfSelectedClusters"] = len(res["selected"])
		status["decisionGroups"] = [groups[i] for i in sorted(groups)]
		if status != (p.get("status") or {}):
			self._patch_status(PLACEMENTS, ns, name, status)
		return res["next_check"]

	def _write_decision(self, ns, pd_name, cur, placement, idx, gname, names, owner):
		labels = {PLACEMENT_LABEL: placement, GROUP_INDEX_LABEL: str(idx), GROUP_NAME_LABEL: gname}
		decisions = [{"clusterName": n, "reason": ""} for n in names]
		if cur is None:
			try:
				cur = self.store.create(DECISIONS, ns, {
					"apiVersion": "cluster.open-cluster-management.io/v1beta1", "kind": "PlacementDecision",
					"metadata": {"name": pd_name, "namespace": ns, "labels": labels, "ownerReferences": [owner]}})
			except Exception as e:
				if getattr(e, "code", None) != 409:
					raise
				cur = self.store.get(DECISIONS, ns, pd_name)
		cur_labels = cur["metadata"].get("labels") or {}
		if any(cur_labels.get(k) != v for k, v in labels.items()):
			self.store.patch(DECISIONS, ns, pd_name, "merge", {"metadata": {"labels": labels}})
		if ((cur.get("status") or {}).get("decisions") or []) != decisions or "status" not in cur:
			self._patch_status(DECISIONS, ns, pd_name, {"decisions": decisions})

	def _delete(self, gvr, ns, name):
		try:
			self.store.delete(gvr, ns, name)
		except Exception as e:
			if getattr(e, "code", None) != 404:
				raise

	def _gc_decisions(self, live_placements):
		"""Garbage-collect PlacementDecisions whose owning Placement is gone."""
		for d in self._list(DECISIONS):
			owner = (d["metadata"].get("labels") or {}).get(PLACEMENT_LABEL)
			refs = [r for r in d["metadata"].get("ownerReferences") or [] if r.get("kind") == "Placement"]
			if owner and refs and (d["metadata"]["namespace"], owner) not in live_placements:
				self._delete(DECISIONS, d["metadata"]["namespace"], d["metadata"]["name"])
