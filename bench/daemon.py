#!/usr/bin/env python3
"""Daemon efficiency benchmark: `choreo-ocm run` on the API emulator (Python 3 stdlib only).

  daemon.py --bin CHOREO_OCM [--releases N] [--growth N1,N2,...] [--steady S] [--rate R]
            [--latency-seconds S] [--agent-sync S] [--qps Q] [--burst B] [--workers W]
            [--timeout S] [--keep]

For every scale in --growth (the last one, = --releases, gets the full treatment):
  1. a fresh emulator with 3 data-plane clusters (dp-east, dp-west, dp-north, all labelled
     openchoreo.dev/plane-id=dp-all), work agents at --agent-sync, Deployments ready after 0.5 s;
     one DataPlane `all` (opted in) and one Environment `dev` in namespace `bench`;
  2. N Releases (7 resources, ~8 KB, bench/gen_data.py) created before the daemon starts;
  3. the daemon starts (its own token user, so the audit log separates its requests); converge
     = daemon start -> every Release Healthy (ResourcesApplied True at the current generation,
     every resource Healthy), seen through a watch; CPU from /proc/<pid>/stat, peak RSS from
     VmHWM, requests from the emulator's audit log.
The full-scale run then measures
  4. writes during --steady seconds of steady state (goal 0);
  5. writes across a daemon restart (SIGTERM, start again, wait until every Release has been
     reconciled and the queue is empty; goal 0);
  6. latency under a steady --rate of Release updates (image change) for --latency-seconds:
     update = the Release MODIFIED event with a new generation -> the ManifestWork MODIFIED event
     with a new generation (per cluster); status = a ManifestWork status change -> the next
     Release status change (the latest work-status event since the Release's previous status
     event is the cause). Both ends are stamped on receipt of watch events by this driver, so
     both carry the same delivery delay.
Prints `key=value` lines (see bench/run) and a JSON summary on the last line prefixed `json=`.
"""

import argparse
import http.client
import json
import os
import queue
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, 'e2e', 'daemon'))
sys.path.insert(0, HERE)

import gen_data  # noqa: E402
import lib  # noqa: E402
import objects as O  # noqa: E402

NS = 'bench'
CELL = 'dp-bench-shop-development-3f9c1a2e'
CLUSTERS = ['dp-east', 'dp-west', 'dp-north']
USER = 'choreo-ocm'
WRITE_VERBS = ('create', 'update', 'patch', 'delete', 'deletecollection')
REL_PATH = '/apis/openchoreo.dev/v1alpha1'
MW_PATH = '/apis/work.open-cluster-management.io/v1'


def log(msg):
	sys.stderr.write('[bench %s] %s\n' % (time.strftime('%H:%M:%S'), msg))
	sys.stderr.flush()


def pct(v, p):
	if not v:
		return float('nan')
	v = sorted(v)
	return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


class Pool:
	"""Keep-alive HTTPS connections to the emulator, one per thread (admin client certificate)."""

	def __init__(self, kube):
		u = kube.server[len('https://'):]
		self.host, port = u.rsplit(':', 1)
		self.port = int(port)
		self.ctx = kube.ctx
		self.local = threading.local()

	def conn(self):
		c = getattr(self.local, 'c', None)
		if c is None:
			c = http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=60)
			self.local.c = c
		return c

	def request(self, method, path, body=None, ctype='application/json'):
		data = json.dumps(body, separators=(',', ':')).encode() if body is not None else None
		hdrs = {'Accept': 'application/json'}
		if data is not None:
			hdrs['Content-Type'] = ctype
		for attempt in range(3):
			c = self.conn()
			try:
				c.request(method, path, body=data, headers=hdrs)
				r = c.getresponse()
				raw = r.read()
				return r.status, (json.loads(raw) if raw else None)
			except (OSError, http.client.HTTPException):
				c.close()
				self.local.c = None
				if attempt == 2:
					raise
				time.sleep(0.2)
		return 0, None


class Watch(threading.Thread):
	"""LIST + WATCH of a resource across namespaces; calls on_event(type, obj, t) for every object
	(listed objects as ADDED, then watch events; relists on 410 / stream end)."""

	def __init__(self, pool, path, on_event, name):
		super().__init__(name=name, daemon=True)
		self.pool = pool
		self.path = path
		self.on_event = on_event
		self.stop = False
		self.synced = threading.Event()
		self.events = 0

	def run(self):
		while not self.stop:
			try:
				self._once()
			except (OSError, http.client.HTTPException, ValueError) as e:
				if not self.stop:
					log('watch %s: %r, relisting' % (self.path, e))
					time.sleep(0.5)

	def _once(self):
		code, lst = self.pool.request('GET', self.path)
		if code != 200:
			raise ValueError('list %s: HTTP %d' % (self.path, code))
		t = time.monotonic()
		for o in lst.get('items') or []:
			self.on_event('ADDED', o, t)
		rv = lst['metadata']['resourceVersion']
		self.synced.set()
		c = http.client.HTTPSConnection(self.pool.host, self.pool.port, context=self.pool.ctx, timeout=3600)
		try:
			c.request('GET', '%s?watch=1&allowWatchBookmarks=true&resourceVersion=%s' % (self.path, rv),
				  headers={'Accept': 'application/json'})
			r = c.getresponse()
			if r.status != 200:
				raise ValueError('watch %s: HTTP %d' % (self.path, r.status))
			while not self.stop:
				line = r.readline()
				if not line:
					return
				t = time.monotonic()
				ev = json.loads(line)
				typ = ev.get('type')
				if typ == 'BOOKMARK':
					continue
				if typ == 'ERROR':
					return  # 410: relist
				self.events += 1
				self.on_event(typ, ev['object'], t)
		finally:
			c.close()


def healthy(rel):
	st = rel.get('status') or {}
	gen = rel['metadata'].get('generation')
	res = st.get('resources') or []
	for c in st.get('conditions') or []:
		if c.get('type') == 'ResourcesApplied':
			return (c.get('status') == 'True' and c.get('observedGeneration') == gen and bool(res) and
				all(x.get('healthStatus') == 'Healthy' for x in res))
	return False


class Tracker:
	"""What the driver sees of Releases and ManifestWorks, with receipt times."""

	def __init__(self, n):
		self.n = n
		self.lock = threading.Lock()
		self.healthy = set()
		self.all_healthy_at = None
		self.rel_gen = {}
		self.rel_status = {}
		self.rel_status_changes = 0
		self.work_gen = {}
		self.work_status = {}
		self.sampling = False
		self.pending_update = {}   # release key -> (generation, t, clusters seen)
		self.work_status_t = {}    # release key -> t of the latest work status change
		self.update_ms = []
		self.status_ms = []

	def on_release(self, typ, rel, t):
		md = rel['metadata']
		key = '%s/%s' % (md.get('namespace'), md['name'])
		st = json.dumps(rel.get('status') or {}, sort_keys=True)
		with self.lock:
			if typ == 'DELETED':
				self.healthy.discard(key)
				return
			gen = md.get('generation')
			if self.rel_gen.get(key) is not None and gen != self.rel_gen[key] and self.sampling:
				self.pending_update[key] = (gen, t, set())
			self.rel_gen[key] = gen
			old = self.rel_status.get(key)
			if old is not None and old != st:
				self.rel_status_changes += 1
				wt = self.work_status_t.pop(key, None)
				if self.sampling and wt is not None:
					self.status_ms.append((t - wt) * 1000.0)
			self.rel_status[key] = st
			if healthy(rel):
				self.healthy.add(key)
			else:
				self.healthy.discard(key)
			if self.all_healthy_at is None and len(self.healthy) >= self.n:
				self.all_healthy_at = t

	def on_work(self, typ, w, t):
		md = w['metadata']
		key = '%s/%s' % (md.get('namespace'), md['name'])
		rel = (md.get('annotations') or {}).get('ocm.openchoreo.dev/release')
		st = json.dumps(w.get('status') or {}, sort_keys=True)
		with self.lock:
			if typ == 'DELETED':
				self.work_gen.pop(key, None)
				self.work_status.pop(key, None)
				return
			gen = md.get('generation')
			old_gen = self.work_gen.get(key)
			self.work_gen[key] = gen
			if old_gen is not None and gen != old_gen and self.sampling and rel in self.pending_update:
				g, t0, seen = self.pending_update[rel]
				if md['namespace'] not in seen:
					seen.add(md['namespace'])
					self.update_ms.append((t - t0) * 1000.0)
				if len(seen) >= len(CLUSTERS):
					del self.pending_update[rel]
			old = self.work_status.get(key)
			if old is not None and old != st and self.sampling and rel:
				self.work_status_t[rel] = t
			self.work_status[key] = st

	def count_healthy(self):
		with self.lock:
			return len(self.healthy)


class Daemon:
	def __init__(self, binary, emu, workdir, flags, tag):
		self.metrics_port = lib.free_port()
		self.probe_port = lib.free_port()
		self.logpath = os.path.join(workdir, 'daemon-%s.log' % tag)
		self.log = open(self.logpath, 'w')
		args = [binary, 'run', '--kubeconfig', emu.daemon_kubeconfig(USER), '--namespace', 'choreo-ocm-system',
			'--metrics-bind-address', '127.0.0.1:%d' % self.metrics_port,
			'--health-probe-bind-address', '127.0.0.1:%d' % self.probe_port, '-v', '0'] + list(flags)
		self.t0 = time.monotonic()
		self.proc = subprocess.Popen(args, stdout=self.log, stderr=self.log)
		self.clk = os.sysconf('SC_CLK_TCK')

	def cpu_s(self):
		with open('/proc/%d/stat' % self.proc.pid) as f:
			fields = f.read().rsplit(')', 1)[1].split()
		return (int(fields[11]) + int(fields[12])) / float(self.clk)  # utime, stime

	def status_kb(self, key):
		with open('/proc/%d/status' % self.proc.pid) as f:
			for line in f:
				if line.startswith(key + ':'):
					return int(line.split()[1])
		return 0

	def http(self, path):
		port = self.metrics_port if path == '/metrics' else self.probe_port
		try:
			with urllib.request.urlopen('http://127.0.0.1:%d%s' % (port, path), timeout=10) as r:
				return r.status, r.read().decode()
		except OSError:
			return 0, ''

	def metric(self, name):
		code, text = self.http('/metrics')
		total = 0.0
		for line in text.splitlines():
			if line.startswith(name + ' ') or line.startswith(name + '{'):
				total += float(line.rpartition(' ')[2])
		return total

	def stop(self):
		if self.proc.poll() is None:
			self.proc.send_signal(signal.SIGTERM)
			try:
				self.proc.wait(timeout=60)
			except subprocess.TimeoutExpired:
				self.proc.kill()
				self.proc.wait()
		self.log.close()
		return self.proc.returncode


def audit_since(emu, mark):
	evs = emu.admin.call('GET', '/admin/audit?recent=2000000')['recent']
	return [e for e in evs[mark:] if e.get('user') == USER]


def by_verb(evs):
	out = {}
	for e in evs:
		k = '%s %s%s' % (e.get('verb'), e.get('resource'), '/' + e['subresource'] if e.get('subresource') else '')
		out[k] = out.get(k, 0) + 1
	return out


def writes(evs):
	return [e for e in evs if e.get('verb') in WRITE_VERBS and e.get('resource') != 'leases']


def create_releases(pool, n, threads=4):
	q = queue.Queue()
	for i in range(n):
		q.put(i)
	errors = []

	def worker():
		while True:
			try:
				i = q.get_nowait()
			except queue.Empty:
				return
			obj = gen_data.release_object('rel-%05d' % i, ns=NS, env='dev', cell=CELL, comp='c%05d' % i)
			code, body = pool.request('POST', '%s/namespaces/%s/releases' % (REL_PATH, NS), obj)
			if code not in (200, 201):
				errors.append((i, code, body))
	ts = [threading.Thread(target=worker) for _ in range(threads)]
	for t in ts:
		t.start()
	for t in ts:
		t.join()
	if errors:
		raise RuntimeError('creating Releases failed: %r' % errors[:3])


def run_scale(a, n, full):
	d = tempfile.mkdtemp(prefix='cocm-bench-daemon-')
	labels = {c: {'openchoreo.dev/plane-id': 'dp-all'} for c in CLUSTERS}
	emu = lib.Emulator(d, CLUSTERS, users=(USER,), labels=labels, agent_sync=a.agent_sync, rollout=0.5)
	res = {'releases': n}
	dmn = None
	watches = []
	try:
		k = emu.kube
		pool = Pool(k)
		for ns in ('choreo-ocm-system', NS, CELL):
			k.ensure_namespace(ns)
		k.create(O.dataplane('all', 'dp-all', ns=NS))
		k.create(O.environment('dev', 'all', ns=NS))
		t = time.monotonic()
		create_releases(pool, n)
		log('n=%d: created %d Releases in %.1fs' % (n, n, time.monotonic() - t))
		tr = Tracker(n)
		watches = [Watch(Pool(k), REL_PATH + '/releases', tr.on_release, 'watch-releases'),
			   Watch(Pool(k), MW_PATH + '/manifestworks', tr.on_work, 'watch-works')]
		for w in watches:
			w.start()
		for w in watches:
			w.synced.wait(60)
		mark = len(emu.admin.call('GET', '/admin/audit?recent=2000000')['recent'])
		flags = ['--qps', str(a.qps), '--burst', str(a.burst), '--workers', str(a.workers)]
		dmn = Daemon(a.bin, emu, d, flags, 'a')
		deadline = time.monotonic() + a.timeout
		last = -1
		while tr.all_healthy_at is None:
			if dmn.proc.poll() is not None:
				raise RuntimeError('daemon exited with %r (log %s)' % (dmn.proc.returncode, dmn.logpath))
			if time.monotonic() > deadline:
				raise RuntimeError('n=%d: only %d/%d Releases Healthy after %ds (log %s)' % (
					n, tr.count_healthy(), n, a.timeout, dmn.logpath))
			h = tr.count_healthy()
			if h // max(1, n // 4) != last:
				last = h // max(1, n // 4)
				log('n=%d: %d/%d Healthy after %.0fs' % (n, h, n, time.monotonic() - dmn.t0))
			time.sleep(0.1)
		res['converge_s'] = tr.all_healthy_at - dmn.t0
		res['cpu_s'] = dmn.cpu_s()
		res['cpu_s_per_1k'] = res['cpu_s'] * 1000.0 / n
		res['rss_mb'] = dmn.status_kb('VmHWM') / 1024.0
		res['rss_kb_per_release'] = dmn.status_kb('VmHWM') / float(n)
		time.sleep(1.0)  # let the last status writes land in the audit log
		evs = audit_since(emu, mark)
		bv = by_verb(evs)
		res['requests'] = len(evs)
		res['requests_per_release'] = len(evs) / float(n)
		res['requests_by_verb'] = bv
		res['writes_per_release'] = len(writes(evs)) / float(n)
		res['works'] = len(tr.work_gen)
		res['release_status_changes'] = tr.rel_status_changes
		log('n=%d: converged in %.1fs, daemon CPU %.1fs, VmHWM %.0f MB, %d requests %r' % (
			n, res['converge_s'], res['cpu_s'], res['rss_mb'], len(evs), bv))
		if not full:
			return res

		# steady state -------------------------------------------------------------------
		time.sleep(3.0)
		mark = len(emu.admin.call('GET', '/admin/audit?recent=2000000')['recent'])
		cpu0 = dmn.cpu_s()
		time.sleep(a.steady)
		w = writes(audit_since(emu, mark))
		res['writes_steady'] = len(w)
		res['writes_steady_detail'] = by_verb(w)
		res['steady_cpu_s'] = dmn.cpu_s() - cpu0
		log('steady %ds: %d writes %r, daemon CPU %.2fs' % (a.steady, len(w), by_verb(w), res['steady_cpu_s']))

		# restart ------------------------------------------------------------------------
		rc = dmn.stop()
		res['stop_exit_code'] = rc
		mark = len(emu.admin.call('GET', '/admin/audit?recent=2000000')['recent'])
		dmn = Daemon(a.bin, emu, d, flags, 'b')
		lib.wait_for(lambda: dmn.http('/readyz')[0] == 200, a.timeout, what='restarted daemon ready')

		def caught_up():
			return dmn.metric('cocm_reconcile_total') >= n and dmn.metric('cocm_workqueue_depth') == 0
		lib.wait_for(caught_up, a.timeout, interval=0.5, what='restarted daemon reconciled every Release')
		res['restart_ready_s'] = time.monotonic() - dmn.t0
		time.sleep(3.0)
		evs = audit_since(emu, mark)
		w = writes(evs)
		res['writes_restart'] = len(w)
		res['writes_restart_detail'] = by_verb(w)
		res['restart_requests'] = by_verb(evs)
		res['restart_cpu_s'] = dmn.cpu_s()
		log('restart: caught up in %.1fs, %d writes %r, requests %r' % (
			res['restart_ready_s'], len(w), by_verb(w), by_verb(evs)))

		# latency under a steady update rate --------------------------------------------
		mark = len(emu.admin.call('GET', '/admin/audit?recent=2000000')['recent'])
		cpu0 = dmn.cpu_s()
		tr.sampling = True
		t0 = time.monotonic()
		sent = update_load(pool, n, a.rate, a.latency_seconds)
		res['update_rate_achieved'] = sent / max(1e-9, time.monotonic() - t0)
		time.sleep(5.0)
		tr.sampling = False
		res['latency_cpu_s'] = dmn.cpu_s() - cpu0
		# the emulator's own time serving the daemon's writes (audit `ms`), to separate it out
		evs = audit_since(emu, mark)
		for key, verb, resource, sub in (('emu_work_apply_ms', 'patch', 'manifestworks', None),
						 ('emu_status_write_ms', 'patch', 'releases', 'status')):
			ms = [e.get('ms', 0.0) for e in evs if e.get('verb') == verb and e.get('resource') == resource and
			      (e.get('subresource') or None) == sub]
			res[key + '_p50'] = pct(ms, 50)
			res[key + '_p99'] = pct(ms, 99)
		res['updates_sent'] = sent
		res['update_samples'] = len(tr.update_ms)
		res['status_samples'] = len(tr.status_ms)
		res['update_p50_ms'] = pct(tr.update_ms, 50)
		res['update_p99_ms'] = pct(tr.update_ms, 99)
		res['status_p50_ms'] = pct(tr.status_ms, 50)
		res['status_p99_ms'] = pct(tr.status_ms, 99)
		res['rss_mb_end'] = dmn.status_kb('VmHWM') / 1024.0
		log('latency: %d updates at %.0f/s: update p50 %.1f p99 %.1f ms (%d), status p50 %.1f p99 %.1f ms (%d)' % (
			sent, a.rate, res['update_p50_ms'], res['update_p99_ms'], len(tr.update_ms),
			res['status_p50_ms'], res['status_p99_ms'], len(tr.status_ms)))
		return res
	finally:
		for w in watches:
			w.stop = True
		if dmn is not None:
			dmn.stop()
		emu.stop()
		if not a.keep:
			shutil.rmtree(d, ignore_errors=True)
		else:
			log('kept %s' % d)


def update_load(pool, n, rate, seconds):
	"""Sends image updates to distinct Releases at `rate` per second for `seconds` (4 senders)."""
	total = int(rate * seconds)
	q = queue.Queue()
	start = time.monotonic() + 0.2
	for i in range(total):
		q.put((start + i / float(rate), i % n, 1 + i // n))
	errors = []

	def worker():
		while True:
			try:
				at, i, round_ = q.get_nowait()
			except queue.Empty:
				return
			delay = at - time.monotonic()
			if delay > 0:
				time.sleep(delay)
			obj = gen_data.release_object('rel-%05d' % i, ns=NS, env='dev', cell=CELL, comp='c%05d' % i)
			for r in obj['spec']['resources']:
				if r['object']['kind'] == 'Deployment':
					r['object']['spec']['template']['spec']['containers'][0]['image'] = \
						'ghcr.io/acme/c%05d:2.0.%d' % (i, round_)
			code, body = pool.request('PATCH', '%s/namespaces/%s/releases/rel-%05d' % (REL_PATH, NS, i),
						  {'spec': {'resources': obj['spec']['resources']}},
						  ctype='application/merge-patch+json')
			if code != 200:
				errors.append((i, code))
	ts = [threading.Thread(target=worker) for _ in range(4)]
	for t in ts:
		t.start()
	for t in ts:
		t.join()
	if errors:
		log('update errors: %r' % errors[:5])
	return total - len(errors)


def main():
	ap = argparse.ArgumentParser()
	ap.add_argument('--bin', required=True)
	ap.add_argument('--releases', type=int, default=1000)
	ap.add_argument('--growth', default='')
	ap.add_argument('--steady', type=float, default=20)
	ap.add_argument('--rate', type=float, default=100)
	ap.add_argument('--latency-seconds', type=float, default=10)
	ap.add_argument('--agent-sync', type=float, default=0.5)
	ap.add_argument('--qps', type=float, default=1000)
	ap.add_argument('--burst', type=int, default=2000)
	ap.add_argument('--workers', type=int, default=4)
	ap.add_argument('--timeout', type=float, default=900)
	ap.add_argument('--keep', action='store_true')
	a = ap.parse_args()
	scales = [int(x) for x in a.growth.split(',') if x] if a.growth else []
	if a.releases not in scales:
		scales.append(a.releases)
	out = {'growth': []}
	for n in scales:
		r = run_scale(a, n, full=(n == a.releases))
		out['growth'].append({k: r[k] for k in ('releases', 'converge_s', 'cpu_s', 'cpu_s_per_1k', 'rss_mb',
							 'rss_kb_per_release', 'requests_per_release',
							 'writes_per_release')})
		if n == a.releases:
			out['main'] = r
	m = out['main']
	print('daemon_releases=%d' % m['releases'])
	print('daemon_clusters=%d' % len(CLUSTERS))
	print('daemon_converge_s=%.1f' % m['converge_s'])
	print('daemon_cpu_s_per_1k=%.2f' % m['cpu_s_per_1k'])
	print('requests_per_release=%.2f' % m['requests_per_release'])
	big = {k: v for k, v in m['requests_by_verb'].items() if v * 100 >= m['releases']}
	rest = sum(v for k, v in m['requests_by_verb'].items() if k not in big)
	print('requests_by_verb=%s,other:%.2f' % (','.join('%s:%.2f' % (k.replace(' ', '_'), v / float(m['releases']))
							   for k, v in sorted(big.items())), rest / float(m['releases'])))
	print('writes_steady=%d' % m['writes_steady'])
	print('writes_restart=%d' % m['writes_restart'])
	print('daemon_rss_mb=%.1f' % m['rss_mb'])
	print('update_p50_ms=%.1f' % m['update_p50_ms'])
	print('update_p99_ms=%.1f' % m['update_p99_ms'])
	print('status_p50_ms=%.1f' % m['status_p50_ms'])
	print('status_p99_ms=%.1f' % m['status_p99_ms'])
	print('update_rate_per_s=%.1f' % m['update_rate_achieved'])
	for key in ('emu_work_apply_ms', 'emu_status_write_ms'):
		print('%s_p50=%.1f %s_p99=%.1f' % (key, m[key + '_p50'], key, m[key + '_p99']))
	for g in out['growth']:
		print('growth_%d=converge_s:%.1f,cpu_s_per_1k:%.2f,rss_mb:%.1f,rss_kb_per_release:%.1f,'
		      'requests_per_release:%.2f' % (g['releases'], g['converge_s'], g['cpu_s_per_1k'], g['rss_mb'],
						    g['rss_kb_per_release'], g['requests_per_release']))
	print('json=' + json.dumps(out, sort_keys=True))
	return 0


if __name__ == '__main__':
	sys.exit(main())
