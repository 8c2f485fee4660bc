"""Helpers shared by the OCM simulators: GVRs, timestamps, conditions, selectors, retries."""

import calendar
import copy
import random
import time

# hub resources (group, version, resource)
MANAGED_CLUSTERS = ("cluster.open-cluster-management.io", "v1", "managedclusters")
CLUSTER_SETS = ("cluster.open-cluster-management.io", "v1beta2", "managedclustersets")
SET_BINDINGS = ("cluster.open-cluster-management.io", "v1beta2", "managedclustersetbindings")
PLACEMENTS = ("cluster.open-cluster-management.io", "v1beta1", "placements")
DECISIONS = ("cluster.open-cluster-management.io", "v1beta1", "placementdecisions")
MANIFEST_WORKS = ("work.open-cluster-management.io", "v1", "manifestworks")
NAMESPACES = ("", "v1", "namespaces")
APPLIED_WORKS = ("work.open-cluster-management.io", "v1", "appliedmanifestworks")

CLUSTERSET_LABEL = "cluster.open-cluster-management.io/clusterset"
UNREACHABLE_TAINT = "cluster.open-cluster-management.io/unreachable"
UNAVAILABLE_TAINT = "cluster.open-cluster-management.io/unavailable"
WORK_FINALIZER = "cluster.open-cluster-management.io/manifest-work-cleanup"

ANN_FAIL = "emulator.choreo-ocm.dev/fail"
ANN_ROLLOUT = "emulator.choreo-ocm.dev/rollout-seconds"

CONFLICT_RETRIES = 8  # cap for resourceVersion-conflict retries of one write


def rfc3339(t=None):
	"""UTC timestamp with second precision, as metav1.Time serialises."""
	return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() if t is None else t))


def parse_rfc3339(text):
	"""Seconds since the epoch for an RFC 3339 UTC timestamp; None when absent or malformed."""
	if not isinstance(text, str) or len(text) < 20:
		return None
	try:
		base = time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S")
	except ValueError:
		return None
	return float(calendar.timegm(base))


def find_condition(conds, ctype):
	for c in conds or []:
		if c.get("type") == ctype:
			return c
	return None


def set_condition(conds, ctype, status, reason, message, observed_generation=None, now=None):
	"""meta.SetStatusCondition: lastTransitionTime changes only when status flips. Mutates `conds`."""
	old = find_condition(conds, ctype)
	new = {"type": ctype, "status": status, "reason": reason, "message": message}
	if observed_generation is not None:
		new["observedGeneration"] = observed_generation
	if old is not None and old.get("status") == status and old.get("lastTransitionTime"):
		new["lastTransitionTime"] = old["lastTransitionTime"]
	else:
		new["lastTransitionTime"] = rfc3339(now)
	if old is None:
		conds.append(new)
	else:
		conds[conds.index(old)] = new
	return conds


def remove_condition(conds, ctype):
	return [c for c in conds if c.get("type") != ctype]


def match_expressions(exprs, getter):
	"""LabelSelector matchExpressions semantics over `getter(key) -> value or None`."""
	for e in exprs or []:
		key = e.get("key")
		op = e.get("operator")
		vals = e.get("values") or []
		v = getter(key)
		if op == "In":
			if v is None or v not in vals:
				return False
		elif op == "NotIn":
			if v is not None and v in vals:
				return False
		elif op == "Exists":
			if v is None:
				return False
		elif op == "DoesNotExist":
			if v is not None:
				return False
		else:
			return False
	return True


def match_label_selector(selector, labels):
	"""metav1.LabelSelector (dict) against a labels dict; None/{} selects everything."""
	if not selector:
		return True
	labels = labels or {}
	for k, v in (selector.get("matchLabels") or {}).items():
		if labels.get(k) != v:
			return False
	return match_expressions(selector.get("matchExpressions"), labels.get)


def jitter(base, low=1.0, high=1.9):
	"""wait.Jitter-like: base * uniform[low, high)."""
	return base * random.uniform(low, high)


def deep(obj):
	return copy.deepcopy(obj)


class Api:
	"""The simulators' view of a store.Store: (gvr, namespace, name) argument order, lists as item lists.

	Every object in and out is a private copy. Errors are the store's ApiError (.code, .reason, .message).
	subscribe(gvrs, cb): cb(event_type, obj) on the store's dispatcher thread for the given resources
	(a gvr tuple or a list of them; None = all); obj is SHARED there: read it, never mutate or keep it.
	"""

	def __init__(self, store):
		self.store = store

	def get(self, gvr, ns, name):
		return self.store.get(gvr, name, ns)

	def list(self, gvr, ns=None, label_selector=None):
		return self.store.list(gvr, ns, label_selector=label_selector)["items"]

	def create(self, gvr, ns, obj, field_manager=None):
		return self.store.create(gvr, obj, ns, field_manager=field_manager)

	def update(self, gvr, ns, name, obj, subresource=None, field_manager=None):
		obj.setdefault("metadata", {})["name"] = name
		return self.store.update(gvr, obj, ns, subresource=subresource, field_manager=field_manager)

	def patch(self, gvr, ns, name, patch_type, body, subresource=None, field_manager=None, force=False):
		return self.store.patch(gvr, name, body, patch_type, ns, subresource=subresource,
			field_manager=field_manager, force=force)

	def delete(self, gvr, ns, name, propagation=None, preconditions=None):
		return self.store.delete(gvr, name, ns, propagation_policy=propagation, preconditions=preconditions)

	def current_rv(self):
		"""The store's latest resourceVersion (any write anywhere in it bumps it)."""
		return self.store.current_rv()

	def ensure(self, gvr, kind, namespaced=True, status=True):
		"""Serve a schema-less kind (spoke stores); idempotent."""
		group, version, plural = gvr
		try:
			return self.store.resource(group, version, plural)
		except Exception:
			pass
		api_version = "%s/%s" % (group, version) if group else version
		return self.store.ensure_resource(api_version, kind, plural, namespaced=namespaced, status=status)

	def subscribe(self, gvrs, cb):
		if gvrs is None:
			keys = None
		else:
			if isinstance(gvrs, tuple):
				gvrs = [gvrs]
			keys = {(g[0], g[2]) for g in gvrs}

		def deliver(ev):
			if keys is not None and ev.res_key not in keys:
				return
			if ev.type not in ("ADDED", "MODIFIED", "DELETED"):
				return
			cb(ev.type, ev.obj)
		return self.store.subscribe(deliver)

	def unsubscribe(self, token):
		self.store.unsubscribe(token)
