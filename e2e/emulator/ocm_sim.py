"""OCM simulators of the emulator: cluster registration and leases, placement, work agents, workloads.

    sims = ocm_sim.start(store, opts, admin)     # store: the hub store.Store
    ...
    sims.stop()

opts (an object with attributes or a dict): clusters (list of names), agent_sync (seconds, default 1),
rollout_seconds (default 2), cluster_labels (name -> {label: value}), optional lease_grace (seconds
before an offline cluster turns Unknown and gets the unreachable taint, default 2; OCM: ~5 min),
agent_resync (periodic re-apply of every work, default 30 s; OCM: 4-6 min), hub_url (for the
AppliedManifestWork hub hash), log (callable taking one string).
admin: a registry with register(method, path_regex, handler(match, body) -> (code, dict)), or None.

What runs:
  - registration: per cluster a ManagedCluster (accepted, joined, available, clusterset=default label
    plus the configured labels, clusterClaims id.k8s.io), its hub namespace, and one spoke Store
    (Store(validate=False)) with namespaces default / kube-system / kube-public / kube-node-lease /
    open-cluster-management-agent; a lease thread turns ManagedClusterConditionAvailable Unknown and adds
    the NoSelect taint cluster.open-cluster-management.io/unreachable once a cluster has been offline
    for lease_grace seconds, and reverses both when it comes back;
  - ocm_placement.HubController (sets, bindings, placements, decisions);
  - one ocm_agent.WorkAgent per cluster;
  - ocm_workloads.WorkloadSimulator over all spoke stores.
Admin endpoints (JSON): GET /admin/clusters, POST /admin/clusters {"name", "labels"} (join),
DELETE /admin/clusters/NAME (leave), POST /admin/clusters/NAME/offline|online,
GET /admin/clusters/NAME/objects[?kind=K&namespace=N] (spoke objects),
PATCH /admin/clusters/NAME/objects/GROUP/VERSION/RESOURCE/NAMESPACE/NAME (merge patch a spoke object;
GROUP "core" or "_" = core group, NAMESPACE "_" = cluster-scoped).
"""

import random
import re
import threading
import time
import urllib.parse

import ocm_common as oc
from ocm_agent import WorkAgent
from ocm_common import MANAGED_CLUSTERS, NAMESPACES, UNREACHABLE_TAINT
from ocm_placement import HubController
from ocm_workloads import KIND_OF, WorkloadSimulator

SPOKE_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease", "open-cluster-management-agent")
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def _opt(opts, key, default=None):
	if opts is None:
		return default
	if isinstance(opts, dict):
		v = opts.get(key, default)
	else:
		v = getattr(opts, key, default)
	return default if v is None else v


def _new_spoke_store():
	import store as store_mod  # the API helper's module; imported late so pure modules stay standalone
	return store_mod.Store(validate=False)


class Cluster:
	def __init__(self, name, labels, spoke_store, agent):
		self.name = name
		self.labels = labels
		self.spoke_store = spoke_store
		self.spoke = oc.Api(spoke_store)
		self.agent = agent
		self.offline_since = None
		self.unreachable = False  # condition Unknown + taint written


class Simulators:
	def __init__(self, store, opts=None):
		self.hub_store = store
		self.hub = oc.Api(store)
		self.agent_sync = float(_opt(opts, "agent_sync", 1.0))
		self.rollout_seconds = float(_opt(opts, "rollout_seconds", 2.0))
		self.lease_grace = float(_opt(opts, "lease_grace", 2.0))
		self.agent_resync = float(_opt(opts, "agent_resync", 30.0))
		self.hub_url = _opt(opts, "hub_url", "https://127.0.0.1")
		self.log = _opt(opts, "log", lambda msg: None)
		self.clusters = {}
		self._lock = threading.RLock()
		self._stop = threading.Event()
		self.hubctl = HubController(self.hub, log=self.log)
		self.workloads = WorkloadSimulator(self.rollout_seconds, log=self.log)
		self._lease_thread = None

	# ------------------------------------------------------------ lifecycle

	def start(self, clusters=(), cluster_labels=None):
		self.workloads.start()
		for name in clusters:
			self.join(name, (cluster_labels or {}).get(name) or {})
		self.hubctl.start()
		self._lease_thread = threading.Thread(target=self._lease_loop, name="ocm-leases", daemon=True)
		self._lease_thread.start()
		return self

	def stop(self):
		self._stop.set()
		for c in list(self.clusters.values()):
			c.agent.stop()
		self.hubctl.stop()
		self.workloads.stop()
		if self._lease_thread:
			self._lease_thread.join(timeout=10)

	# ------------------------------------------------------------ registration

	def join(self, name, labels=None):
		"""Register a cluster: namespace, ManagedCluster (accepted, available), spoke store, agent."""
		if not isinstance(name, str) or not _NAME.match(name) or len(name) > 63:
			raise ValueError("invalid cluster name %r" % (name,))
		labels = {str(k): str(v) for k, v in (labels or {}).items()}
		with self._lock:
			if name in self.clusters:
				raise KeyError("cluster %s already joined" % name)
			spoke_store = _new_spoke_store()
			spoke = oc.Api(spoke_store)
			for ns in SPOKE_NAMESPACES:
				spoke.create(NAMESPACES, None, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
			for gvr, kind in KIND_OF.items():
				spoke.ensure(gvr, kind)
			self._ensure_hub_objects(name, labels)
			agent = WorkAgent(self.hub, name, spoke, agent_sync=self.agent_sync, resync=self.agent_resync,
				hub_url=self.hub_url, log=self.log)
			c = Cluster(name, labels, spoke_store, agent)
			self.clusters[name] = c
			self.workloads.add_spoke(name, spoke)
			agent.start()
			return c

	def _ensure_hub_objects(self, name, labels):
		try:
			self.hub.create(NAMESPACES, None, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
		except Exception as e:
			if getattr(e, "code", None) != 409:
				raise
		all_labels = {oc.CLUSTERSET_LABEL: "default"}
		all_labels.update(labels)
		mc = {"apiVersion": "cluster.open-cluster-management.io/v1", "kind": "ManagedCluster",
			"metadata": {"name": name, "labels": all_labels},
			"spec": {"hubAcceptsClient": True, "leaseDurationSeconds": 60,
				"managedClusterClientConfigs": [{"url": "https://%s.emulator.invalid:6443" % name}]}}
		try:
			self.hub.create(MANAGED_CLUSTERS, None, mc)
		except Exception as e:
			if getattr(e, "code", None) != 409:
				raise
			self.hub.patch(MANAGED_CLUSTERS, None, name, "merge", {"metadata": {"labels": all_labels},
				"spec": {"hubAcceptsClient": True}})
		conds = []
		oc.set_condition(conds, "HubAcceptedManagedCluster", "True", "HubClusterAdminAccepted",
			"Accepted by hub cluster admin")
		oc.set_condition(conds, "ManagedClusterJoined", "True", "ManagedClusterJoined", "Managed cluster joined")
		oc.set_condition(conds, "ManagedClusterConditionAvailable", "True", "ManagedClusterAvailable",
			"Managed cluster is available")
		status = {"conditions": conds, "version": {"kubernetes": "v1.31.0"},
			"capacity": {"cpu": "12", "memory": "49152Mi"}, "allocatable": {"cpu": "11", "memory": "45056Mi"},
			"clusterClaims": [{"name": "id.k8s.io", "value": name}]}
		self.hub.patch(MANAGED_CLUSTERS, None, name, "merge", {"status": status}, subresource="status")

	def leave(self, name):
		"""Unregister: stop the agent, forget the spoke, delete the ManagedCluster (the namespace stays)."""
		with self._lock:
			c = self.clusters.pop(name, None)
		if c is None:
			raise KeyError("no cluster %s" % name)
		c.agent.stop()
		self.workloads.remove_spoke(name)
		try:
			self.hub.delete(MANAGED_CLUSTERS, None, name)
		except Exception as e:
			if getattr(e, "code", None) != 404:
				raise

	def set_offline(self, name, offline):
		with self._lock:
			c = self.clusters.get(name)
			if c is None:
				raise KeyError("no cluster %s" % name)
			c.agent.set_offline(offline)
			if offline and c.offline_since is None:
				c.offline_since = time.time()
			elif not offline:
				c.offline_since = None

	# ------------------------------------------------------------ leases / availability (polled every 0.1 s)

	def _lease_loop(self):
		while not self._stop.wait(0.1):
			now = time.time()
			for c in list(self.clusters.values()):
				try:
					if c.offline_since is not None and not c.unreachable and now - c.offline_since >= self.lease_grace:
						self._mark(c, reachable=False)
					elif c.offline_since is None and c.unreachable:
						self._mark(c, reachable=True)
				except Exception as e:
					self.log("leases: %s: %r" % (c.name, e))

	def _mark(self, c, reachable):
		for _ in range(oc.CONFLICT_RETRIES):
			try:
				mc = self.hub.get(MANAGED_CLUSTERS, None, c.name)
			except Exception as e:
				if getattr(e, "code", None) == 404:
					c.unreachable = not reachable
					return
				raise
			taints = [t for t in (mc.get("spec") or {}).get("taints") or [] if t.get("key") != UNREACHABLE_TAINT]
			if not reachable:
				taints.append({"key": UNREACHABLE_TAINT, "effect": "NoSelect", "timeAdded": oc.rfc3339()})
			try:
				self.hub.patch(MANAGED_CLUSTERS, None, c.name, "merge", {
					"metadata": {"resourceVersion": mc["metadata"]["resourceVersion"]},
					"spec": {"taints": taints or None}})
			except Exception as e:
				if getattr(e, "code", None) == 409:
					time.sleep(random.uniform(0.001, 0.02))
					continue
				raise
			conds = (mc.get("status") or {}).get("conditions") or []
			if reachable:
				oc.set_condition(conds, "ManagedClusterConditionAvailable", "True", "ManagedClusterAvailable",
					"Managed cluster is available")
			else:
				oc.set_condition(conds, "ManagedClusterConditionAvailable", "Unknown", "ManagedClusterLeaseUpdateStopped",
					"Registration agent stopped updating its lease.")
			self.hub.patch(MANAGED_CLUSTERS, None, c.name, "merge", {"status": {"conditions": conds}},
				subresource="status")
			c.unreachable = not reachable
			return

	# ------------------------------------------------------------ admin API

	def register_admin(self, admin):
		cl = r"(?P<name>[a-z0-9]([-a-z0-9]*[a-z0-9])?)"
		admin.register("GET", r"^/admin/clusters/?$", self._h_list)
		admin.register("POST", r"^/admin/clusters/?$", self._h_join)
		admin.register("DELETE", r"^/admin/clusters/%s/?$" % cl, self._h_leave)
		admin.register("POST", r"^/admin/clusters/%s/offline/?$" % cl, self._h_offline)
		admin.register("POST", r"^/admin/clusters/%s/online/?$" % cl, self._h_online)
		admin.register("GET", r"^/admin/clusters/%s/objects/?(\?(?P<query>.*))?$" % cl, self._h_objects)
		admin.register("PATCH", r"^/admin/clusters/%s/objects/(?P<group>[^/]*)/(?P<version>[^/]+)/"
			r"(?P<resource>[^/]+)/(?P<ns>[^/]*)/(?P<obj>[^/?]+)/?$" % cl, self._h_patch_object)

	def cluster_info(self, c):
		return {"name": c.name, "labels": c.labels, "offline": c.agent.offline, "unreachable": c.unreachable,
			"agent": dict(c.agent.stats), "spokeObjects": c.spoke_store.count()}

	def _h_list(self, match, body):
		return 200, {"clusters": [self.cluster_info(c) for c in sorted(self.clusters.values(), key=lambda c: c.name)]}

	def _h_join(self, match, body):
		body = body or {}
		name = body.get("name")
		labels = body.get("labels") or {}
		if not isinstance(labels, dict):
			return 400, {"error": "labels must be an object"}
		try:
			c = self.join(name, labels)
		except ValueError as e:
			return 400, {"error": str(e)}
		except KeyError as e:
			return 409, {"error": str(e.args[0])}
		return 201, self.cluster_info(c)

	def _h_leave(self, match, body):
		try:
			self.leave(match.group("name"))
		except KeyError as e:
			return 404, {"error": str(e.args[0])}
		return 200, {"name": match.group("name"), "left": True}

	def _h_offline(self, match, body):
		return self._h_state(match, True)

	def _h_online(self, match, body):
		return self._h_state(match, False)

	def _h_state(self, match, offline):
		name = match.group("name")
		try:
			self.set_offline(name, offline)
		except KeyError as e:
			return 404, {"error": str(e.args[0])}
		return 200, self.cluster_info(self.clusters[name])

	def _h_objects(self, match, body):
		c = self.clusters.get(match.group("name"))
		if c is None:
			return 404, {"error": "no cluster %s" % match.group("name")}
		q = dict(urllib.parse.parse_qsl(match.group("query") or ""))
		for k in ("kind", "namespace"):
			if isinstance(body, dict) and body.get(k) and k not in q:
				q[k] = body[k]
		items = []
		seen = set()
		for res in c.spoke_store.resources():
			if res.key in seen:
				continue
			if q.get("kind") and res.kind != q["kind"]:
				continue
			seen.add(res.key)
			items.extend(c.spoke.list(res.gvr, q.get("namespace") or None))
		return 200, {"kind": "List", "apiVersion": "v1", "items": items}

	def _h_patch_object(self, match, body):
		c = self.clusters.get(match.group("name"))
		if c is None:
			return 404, {"error": "no cluster %s" % match.group("name")}
		group = match.group("group")
		group = "" if group in ("", "_", "core") else group
		ns = match.group("ns")
		ns = None if ns in ("", "_", "-") else ns
		if not isinstance(body, dict):
			return 400, {"error": "body must be a JSON merge patch object"}
		try:
			obj = c.spoke.patch((group, match.group("version"), match.group("resource")), ns, match.group("obj"),
				"merge", body, field_manager="emulator-admin")
		except Exception as e:
			if hasattr(e, "status"):
				return e.code, e.status()
			raise
		return 200, obj


def start(store, opts, admin=None):
	"""Start every simulator against the hub `store`; returns the running Simulators."""
	serve_hub_kinds(store)  # schema-less fallback for any OCM CRD that is not installed
	sims = Simulators(store, opts)
	sims.start(list(_opt(opts, "clusters", []) or []), _opt(opts, "cluster_labels", {}) or {})
	if admin is not None:
		sims.register_admin(admin)
	return sims


HUB_KINDS = (
	(oc.MANAGED_CLUSTERS, "ManagedCluster", False),
	(oc.CLUSTER_SETS, "ManagedClusterSet", False),
	(oc.SET_BINDINGS, "ManagedClusterSetBinding", True),
	(oc.PLACEMENTS, "Placement", True),
	(oc.DECISIONS, "PlacementDecision", True),
	(oc.MANIFEST_WORKS, "ManifestWork", True),
)


def serve_hub_kinds(store):
	"""Serve every OCM hub kind the simulators use that `store` does not serve yet (schema-less)."""
	api = oc.Api(store)
	for gvr, kind, namespaced in HUB_KINDS:
		api.ensure(gvr, kind, namespaced)
