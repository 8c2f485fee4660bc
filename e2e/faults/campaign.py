"""The fault campaign: a scripted workload on the emulator while faults are injected, then a
bounded wait for convergence and the checks of checks.py. Driven by e2e/faults/run.

Daemons: two `choreo-ocm run --leader-elect` processes (token users daemon-a and daemon-b, so the
audit log tells their requests apart) supervised by Fleet: one killed on purpose is restarted;
one that exits on its own, or whose log holds a sanitizer report, is a crash (the run fails).

Workload (model.World keeps the expected state): create (both kinds, three Environments), update
(replicas, image, ConfigMap data, ConfigMap dropped/re-added), delete Releases; clusters join
(fresh names), leave their plane (label change), go offline and come back.

Faults (each injection counts once in faults=N): every watch dropped; 410 on reconnect; history
compacted then watches dropped (410 on resume and relist); bursts of 500s; 429 with Retry-After;
409 storms on status writes; added latency; the API listener restarted; the leader SIGKILLed
mid-reconcile and restarted at once; leader failover (leader SIGKILLed, the standby must take
over, the killed one comes back as standby).
"""

import copy
import os
import random
import sys
import time

import checks
import hub
import model
from hub import ApiError, lib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'daemon'))
import objects as O  # noqa: E402  e2e/daemon/objects.py

USERS = ('daemon-a', 'daemon-b')
DAEMON_FLAGS = ('--leader-elect', '--leader-elect-lease-duration', '3s', '--leader-elect-renew-deadline', '2s',
		'--leader-elect-retry-period', '500ms')
FAULTS = ('drop-watches', 'watch-410', 'compact', 'errors-500', 'errors-429', 'conflict-409-status', 'latency',
	  'api-restart', 'sigkill-mid-reconcile', 'leader-failover')
SANITIZER_MARKS = ('ERROR: AddressSanitizer', 'ERROR: LeakSanitizer', 'runtime error:', 'SUMMARY: UndefinedBehavior')
PLANE_LABEL = 'openchoreo.dev/plane-id'


def say(msg):
	sys.stdout.write('faults: %s\n' % msg)
	sys.stdout.flush()


class Fleet:
	def __init__(self, binary, emu, flags):
		self.binary = binary
		self.emu = emu
		self.flags = flags
		self.current = {}
		self.all = []
		self.starts = 0
		self.crashes = []

	def start(self, user):
		self.starts += 1
		d = lib.Daemon(self.binary, self.emu, user, self.flags, name='%s-%d' % (user, self.starts))
		self.current[user] = d
		self.all.append(d)
		return d

	def leaders(self):
		return [u for u, d in self.current.items() if d.proc.poll() is None and d.metric('cocm_leader') == 1]

	def wait_leader(self, timeout=60, exclude=None):
		return lib.wait_for(lambda: [u for u in self.leaders() if u != exclude], timeout, 0.1,
				    'a leader%s' % (' other than %s' % exclude if exclude else ''))[0]

	def metrics(self, names):
		"""Sums over the running daemons (counters of killed processes are gone with them)."""
		return {n: sum(d.metric(n) for d in self.current.values() if d.proc.poll() is None) for n in names}

	def kill(self, user):
		self.current[user].kill()

	def supervise(self):
		"""Restarts a daemon that stopped without being killed on purpose (recorded as a crash)."""
		for u, d in list(self.current.items()):
			if d.proc.poll() is not None and not getattr(d, 'killed', False):
				self.crashes.append('%s exited with %s (log %s)' % (d.name, d.proc.returncode, d.logpath))
				d.log.close()
				self.start(u)

	def stop_all(self):
		codes = []
		for d in self.current.values():
			try:
				codes.append((d.name, d.stop(timeout=60)))
			except AssertionError as e:
				codes.append((d.name, str(e)))
		return codes

	def log_count(self, word):
		n = 0
		for d in self.all:
			try:
				n += d.logtext().count(word)
			except OSError:
				pass
		return n

	def sanitizer_reports(self):
		out = []
		for d in self.all:
			try:
				text = d.logtext()
			except OSError:
				continue
			for m in SANITIZER_MARKS:
				if m in text:
					out.append('%s: %s' % (d.logpath, m))
					break
		return out


def release_object(r):
	v = r.version
	objs = []
	if v['cm']:
		objs.append(O.configmap(r.name + '-env', data={'GREETING': v['greeting']}))
	objs.append(O.deployment(r.name, replicas=v['replicas'], image='registry.k8s.io/e2e-test-images/agnhost:' + v['tag']))
	objs.append(O.service(r.name))
	return O.release(r.name, r.env, objs, kind=r.kind, ns=model.NS)


class Campaign:
	def __init__(self, binary, workdir, seed, rounds=None, minutes=None, converge_timeout=120.0, quiet=6.0,
		     max_live=14):
		self.binary = binary
		self.workdir = workdir
		self.rng = random.Random(seed)
		self.rounds = rounds
		self.deadline = time.monotonic() + minutes * 60 if minutes else None
		self.converge_timeout = converge_timeout
		self.quiet = quiet
		self.max_live = max_live
		self.world = model.World()
		self.faults = 0
		self.fault_kinds = {}
		self.ops = 0
		self.op_kinds = {}
		self.n_rel = 0
		self.n_join = 0
		self.offline_until = {}   # cluster -> round at which it comes back
		self.kills_mid_reconcile = 0
		self.takeovers = []
		self.emu = None
		self.fleet = None
		self.checkpoints = []
		self.cli = checks.Cli(binary, workdir)

	# ---------------------------------------------------------------------------- setup
	def setup(self):
		labels = {'c-a1': {PLANE_LABEL: 'pa'}, 'c-a2': {PLANE_LABEL: 'pa'}, 'c-b1': {PLANE_LABEL: 'pb'}}
		self.emu = lib.Emulator(self.workdir, list(labels), users=USERS, labels=labels, agent_sync=0.2, rollout=0.5)
		self.admin = self.emu.admin
		self.k = hub.RetryKube(self.emu.kubeconfig, self.workdir)
		for c, lab in labels.items():
			self.world.add_cluster(c, lab[PLANE_LABEL], 0)
		self.k.ensure_namespace('choreo-ocm-system')
		self.k.create(O.dataplane('pa', 'pa'))
		self.k.create(O.dataplane('pb', 'pb'))
		self.k.create(O.dataplane('pm', 'pm', annotations={
			'ocm.openchoreo.dev/cluster-selector': '%s in (pa,pb)' % PLANE_LABEL}))
		for env, dp in model.ENVS.items():
			self.k.create(O.environment(env, dp))
		extra = tuple(os.environ.get('COCM_FAULTS_DAEMON_FLAGS', '').split())  # to prove the checks: see run
		self.fleet = Fleet(self.binary, self.emu, DAEMON_FLAGS + extra)
		a = self.fleet.start(USERS[0])
		a.wait_ready(60)
		self.fleet.wait_leader(60)
		self.fleet.start(USERS[1]).wait_ready(60)
		for _ in range(4):
			self.op_create()

	def mark(self):
		return hub.audit_len(self.admin)

	def count_op(self, kind):
		self.ops += 1
		self.op_kinds[kind] = self.op_kinds.get(kind, 0) + 1

	# ---------------------------------------------------------------------------- workload
	def op_create(self):
		self.n_rel += 1
		kind = self.rng.choice(model.KINDS)
		name = '%s-%d' % ('rel' if kind == 'Release' else 'rr', self.n_rel)
		env = self.rng.choice(sorted(model.ENVS))
		v = {'replicas': self.rng.randint(1, 2), 'tag': self.rng.choice(('2.53', '2.54')),
		     'greeting': 'hello-0', 'cm': True}
		r = model.Release(name, kind, env, v, self.mark())
		self.world.releases[name] = r
		self.k.create_idempotent(release_object(r))
		self.count_op('create-' + kind)

	def op_update(self):
		live = self.world.live()
		if not live:
			return self.op_create()
		r = self.rng.choice(live)
		v = copy.deepcopy(r.version)
		what = self.rng.choice(('replicas', 'image', 'data', 'configmap'))
		if what == 'replicas':
			v['replicas'] = 3 - v['replicas'] if v['replicas'] in (1, 2) else 1
		elif what == 'image':
			v['tag'] = '2.54' if v['tag'] == '2.53' else '2.53'
		elif what == 'data':
			r.updates += 1
			v['greeting'] = 'hello-%d' % r.updates
			v['cm'] = True
		else:
			v['cm'] = not v['cm']
		r.version = v
		spec = release_object(r)['spec']
		self.k.merge(r.kind, model.NS, r.name, {'spec': {'resources': spec['resources']}})
		self.count_op('update-' + what)

	def op_delete(self):
		live = self.world.live()
		if len(live) <= 3:
			return self.op_create()
		r = self.rng.choice(live)
		r.deleted_at = self.mark()
		self.k.delete(r.kind, model.NS, r.name)
		self.count_op('delete')

	def op_join(self):
		plane = self.rng.choice(('pa', 'pb'))
		if len(self.world.plane_members(plane)) >= 3 or len(self.world.clusters) >= 9:
			return self.op_update()
		self.n_join += 1
		name = 'j%d-%s' % (self.n_join, plane)
		self.world.add_cluster(name, plane, self.mark())
		self.admin.call('POST', '/admin/clusters', {'name': name, 'labels': {PLANE_LABEL: plane}})
		self.count_op('cluster-join')

	def op_leave(self):
		cand = [c for c in self.world.clusters.values() if c.plane != model.RETIRED and
			len(self.world.plane_members(c.plane)) >= 2]
		if not cand:
			return self.op_join()
		c = self.rng.choice(sorted(cand, key=lambda c: c.name))
		self.world.retire(c.name, self.mark())
		self.k.merge('ManagedCluster', None, c.name, {'metadata': {'labels': {PLANE_LABEL: model.RETIRED}}})
		self.count_op('cluster-leave')

	def op_offline(self, rnd):
		cand = [c for c in self.world.clusters.values() if not c.offline]
		if not cand or len(self.offline_until) >= 2:
			return self.op_update()
		c = self.rng.choice(sorted(cand, key=lambda c: c.name))
		self.admin.call('POST', '/admin/clusters/%s/offline' % c.name)
		c.offline = True
		self.offline_until[c.name] = rnd + self.rng.randint(1, 4)
		self.count_op('cluster-offline')

	def bring_online(self, rnd=None):
		for name, until in sorted(self.offline_until.items()):
			if rnd is None or rnd >= until:
				self.admin.call('POST', '/admin/clusters/%s/online' % name)
				self.world.clusters[name].offline = False
				del self.offline_until[name]
				self.count_op('cluster-online')

	def random_op(self, rnd):
		live = len(self.world.live())
		ops = [(self.op_create, 3 if live < self.max_live else 0), (self.op_update, 4), (self.op_delete, 2),
		       (self.op_join, 1), (self.op_leave, 1), (lambda: self.op_offline(rnd), 1)]
		fns, weights = zip(*ops)
		self.rng.choices(fns, weights)[0]()

	# ---------------------------------------------------------------------------- faults
	def inject(self, kind):
		self.faults += 1
		self.fault_kinds[kind] = self.fault_kinds.get(kind, 0) + 1
		a = self.admin
		if kind == 'drop-watches':
			a.call('POST', '/admin/faults/drop-watches')
		elif kind == 'watch-410':
			a.call('POST', '/admin/faults/watch-410', {'count': 12})
			a.call('POST', '/admin/faults/drop-watches')
		elif kind == 'compact':
			a.call('POST', '/admin/faults/compact')
			a.call('POST', '/admin/faults/drop-watches')
		elif kind == 'errors-500':
			# a burst on everything, on relists, on watches or on the works (5xx: 500 or 503)
			target = self.rng.choice(({}, {'verb': 'list'}, {'verb': 'watch'}, {'path': 'manifestworks'}))
			a.call('POST', '/admin/faults/errors', dict(target, code=self.rng.choice((500, 500, 503)),
								    count=self.rng.randint(15, 40)))
		elif kind == 'errors-429':
			a.call('POST', '/admin/faults/errors', {'code': 429, 'count': self.rng.randint(10, 25), 'retryAfter': 1})
		elif kind == 'conflict-409-status':
			a.call('POST', '/admin/faults/errors', {'code': 409, 'count': self.rng.randint(15, 40), 'verb': 'patch',
								'path': '/status'})
		elif kind == 'latency':
			a.call('POST', '/admin/faults/latency', {'seconds': self.rng.choice((0.1, 0.25, 0.5)),
								 'count': self.rng.randint(60, 200)})
		elif kind == 'api-restart':
			a.call('POST', '/admin/restart', {'downSeconds': self.rng.choice((0.5, 1.5, 3))})
		elif kind == 'sigkill-mid-reconcile':
			self.kill_mid_reconcile()
		elif kind == 'leader-failover':
			self.failover()
		else:
			raise ValueError(kind)

	def kill_mid_reconcile(self):
		leader = self.fleet.wait_leader(60)
		d = self.fleet.current[leader]
		for _ in range(2):
			self.op_update()
		self.op_create()
		caught = False
		deadline = time.monotonic() + 5
		while time.monotonic() < deadline:
			if d.metric('cocm_workqueue_inflight') > 0:
				caught = True
				break
			time.sleep(0.01)
		self.fleet.kill(leader)
		self.kills_mid_reconcile += caught
		self.fleet.start(leader)

	def failover(self):
		leader = self.fleet.wait_leader(60)
		self.fleet.kill(leader)
		t0 = time.monotonic()
		other = self.fleet.wait_leader(60, exclude=leader)
		self.takeovers.append(time.monotonic() - t0)
		self.fleet.start(leader)
		return other

	# ---------------------------------------------------------------------------- phases
	def chaos(self, checkpoint_every=None):
		"""Rounds of 1-3 ops, a fault (each kind once per shuffled cycle; a third of the rounds
		add a second, random one so faults overlap), 0-2 ops, a pause. With checkpoint_every
		(seconds), the faults stop that often for a full convergence check (self.checkpoints)."""
		order = list(FAULTS)
		rnd = 0
		last_cp = time.monotonic()
		while True:
			if self.rounds is not None and rnd >= self.rounds:
				break
			if self.deadline is not None and time.monotonic() >= self.deadline:
				break
			if rnd % len(order) == 0:
				self.rng.shuffle(order)
			self.bring_online(rnd)
			for _ in range(self.rng.randint(1, 3)):
				self.random_op(rnd)
			self.inject(order[rnd % len(order)])
			if self.rng.random() < 0.33:
				self.inject(self.rng.choice(FAULTS))
			for _ in range(self.rng.randint(0, 2)):
				self.random_op(rnd)
			self.fleet.supervise()
			time.sleep(self.rng.uniform(0.3, 2.0))
			rnd += 1
			if checkpoint_every and time.monotonic() - last_cp > checkpoint_every and (
					self.deadline is None or self.deadline - time.monotonic() > 60):
				self.checkpoints.append(self.checkpoint())
				last_cp = time.monotonic()
		self.rounds_done = rnd
		self.stop_faults()

	def stop_faults(self):
		self.admin.call('DELETE', '/admin/faults')
		self.admin.call('DELETE', '/admin/faults/latency')
		self.bring_online()
		self.fleet.supervise()

	def checkpoint(self):
		"""Faults off, then: converged within converge_timeout, no daemon write during the quiet
		window, still converged after it. Returns a dict (secs None = not converged)."""
		self.stop_faults()
		secs, res, polls = self.converge(self.cli)
		cp = {'secs': secs, 'polls': polls, 'problems': res.problems, 'lost': res.lost, 'checked': res.checked,
		      'writes': [], 'ok': False}
		if secs is None:
			return cp
		cp['writes'] = self.quiet_writes()
		if cp['writes']:
			return cp
		res2 = checks.converge_check(self.world, self.k, self.admin, self.cli)
		cp['problems'], cp['lost'] = res2.problems, res2.lost
		cp['ok'] = not res2.problems
		say('checkpoint: converged %.1fs after the faults stopped, %d objects, quiet %.0fs: %s' % (
			secs, res.checked, self.quiet, 'ok' if cp['ok'] else res2.problems[:3]))
		return cp

	def converge(self, cli):
		t0 = time.monotonic()
		last = None
		polls = 0
		while True:
			self.fleet.supervise()
			polls += 1
			try:
				last = checks.converge_check(self.world, self.k, self.admin, cli)
			except (ApiError, RuntimeError, OSError) as e:
				last = checks.Result()
				last.bad('check failed: %r' % (e,))
			if not last.problems:
				return time.monotonic() - t0, last, polls
			if time.monotonic() - t0 > self.converge_timeout:
				return None, last, polls
			time.sleep(1.0)

	def quiet_writes(self):
		m = self.mark()
		time.sleep(self.quiet)
		writes = []
		for u in USERS:
			writes += self.emu.writes(u, m)
		return writes
