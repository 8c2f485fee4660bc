"""The campaign's own record of the world (what the hub should hold), kept by the workload.

Time is measured in audit positions: `mark` is the number of entries in the emulator's audit log
just before the workload did something (the log is append-only and records each request when it
completes). A daemon's DELETE recorded at position i happened before any request the workload
sent after a mark m > i, which is what the unexpected-delete check relies on.

Topology: DataPlanes `pa` and `pb` select clusters labelled `openchoreo.dev/plane-id=pa|pb`; `pm`
selects both (cluster-selector annotation). Environments `ea`, `eb`, `em` point at them. A
cluster that leaves its plane (label set to `retired`) never returns to one, and every plane keeps
at least one cluster, so "which clusters were in a Release's decisions at position i" has exactly
one answer and decisions never go empty (the add-on keeps works then, on purpose).
"""

NS = 'default'
PLANES = {'pa': ('pa',), 'pb': ('pb',), 'pm': ('pa', 'pb')}  # DataPlane -> plane ids it selects
ENVS = {'ea': 'pa', 'eb': 'pb', 'em': 'pm'}                    # Environment -> DataPlane
RETIRED = 'retired'
KINDS = ('Release', 'RenderedRelease')


class Cluster:
	def __init__(self, name, plane_id, joined_at):
		self.name = name
		self.plane_id = plane_id    # 'pa' / 'pb': the label it joined with
		self.joined_at = joined_at
		self.left_at = None         # mark taken just before its label left the plane
		self.offline = False

	@property
	def plane(self):
		return RETIRED if self.left_at is not None else self.plane_id

	def in_plane_at(self, plane_ids, pos):
		if self.left_at is not None and pos >= self.left_at:
			return False
		return self.plane_id in plane_ids


class Release:
	def __init__(self, name, kind, env, version, created_at):
		self.name = name
		self.kind = kind
		self.env = env
		self.version = version      # the content knobs the workload sets (see workload.release_object)
		self.created_at = created_at
		self.deleted_at = None      # mark taken just before the workload deleted it
		self.updates = 0

	@property
	def live(self):
		return self.deleted_at is None

	@property
	def work_name(self):
		return '%s-%s' % (NS, self.name)

	def plane_ids(self):
		return PLANES[ENVS[self.env]]


class World:
	def __init__(self):
		self.clusters = {}
		self.releases = {}

	def add_cluster(self, name, plane, mark):
		c = Cluster(name, plane, mark)
		self.clusters[name] = c
		return c

	def retire(self, name, mark):
		self.clusters[name].left_at = mark

	def plane_members(self, plane_id):
		return sorted(c.name for c in self.clusters.values() if c.plane == plane_id)

	def expected_clusters(self, rel):
		"""Clusters that must hold rel's works now (offline ones stay: the Placement tolerates
		the unreachable taint for longer than any outage of the campaign)."""
		ids = rel.plane_ids()
		return sorted(c.name for c in self.clusters.values() if c.plane in ids)

	def live(self):
		return [r for r in self.releases.values() if r.live]

	def by_work_name(self, work_name):
		for r in self.releases.values():
			if r.work_name == work_name:
				return r
		return None

	def unexpected_delete(self, pos, cluster, work_name):
		"""True when a work deleted at audit position pos belonged to a live Release on a cluster in
		its decisions at that moment."""
		r = self.by_work_name(work_name)
		c = self.clusters.get(cluster)
		if r is None or c is None:
			return False
		if r.deleted_at is not None and pos >= r.deleted_at:
			return False
		return c.in_plane_at(r.plane_ids(), pos)
