"""Test driver for the choreo-ocm daemon on the API emulator (Python 3 standard library only).

Emulator  starts e2e/emulator/emulator with a token file (one user per daemon, so the audit log
          tells the daemon's requests from the test's), reads its ready line and kubeconfig.
Kube      a tiny client for the emulator API with the admin client certificate of the kubeconfig.
Daemon    runs `choreo-ocm run` with a kubeconfig of its own (bearer token of its user), free
          ports for /metrics and the probes, stderr in a log file; stop() sends SIGTERM and
          returns the exit code.
wait_for  polls a condition (generous timeouts: the machine is small and shared).
"""

import base64
import json
import os
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
EMULATOR = os.path.join(ROOT, 'e2e', 'emulator', 'emulator')
WRITE_VERBS = ('create', 'update', 'patch', 'delete', 'deletecollection')


class TimeoutError_(AssertionError):
	pass


def wait_for(fn, timeout=30.0, interval=0.1, what='condition'):
	"""Polls fn() until it returns a truthy value (returned) or raises after timeout."""
	deadline = time.monotonic() + timeout
	last_exc = None
	while True:
		try:
			v = fn()
			if v:
				return v
		except (KeyError, IndexError, TypeError, ApiError) as e:
			last_exc = e
		if time.monotonic() > deadline:
			raise TimeoutError_('timed out after %.0fs waiting for %s (last error: %r)' %
					    (timeout, what, last_exc))
		time.sleep(interval)


def free_port():
	s = socket.socket()
	s.bind(('127.0.0.1', 0))
	p = s.getsockname()[1]
	s.close()
	return p


class ApiError(Exception):
	def __init__(self, code, body):
		super().__init__('HTTP %d: %s' % (code, body.get('message', body) if isinstance(body, dict) else body))
		self.code = code
		self.body = body


GVR = {
	'Release': ('openchoreo.dev', 'v1alpha1', 'releases', True),
	'RenderedRelease': ('openchoreo.dev', 'v1alpha1', 'renderedreleases', True),
	'Environment': ('openchoreo.dev', 'v1alpha1', 'environments', True),
	'DataPlane': ('openchoreo.dev', 'v1alpha1', 'dataplanes', True),
	'ClusterDataPlane': ('openchoreo.dev', 'v1alpha1', 'clusterdataplanes', False),
	'ObservabilityPlane': ('openchoreo.dev', 'v1alpha1', 'observabilityplanes', True),
	'ClusterObservabilityPlane': ('openchoreo.dev', 'v1alpha1', 'clusterobservabilityplanes', False),
	'ManifestWork': ('work.open-cluster-management.io', 'v1', 'manifestworks', True),
	'Placement': ('cluster.open-cluster-management.io', 'v1beta1', 'placements', True),
	'PlacementDecision': ('cluster.open-cluster-management.io', 'v1beta1', 'placementdecisions', True),
	'ManagedClusterSetBinding': ('cluster.open-cluster-management.io', 'v1beta2', 'managedclustersetbindings', True),
	'ManagedCluster': ('cluster.open-cluster-management.io', 'v1', 'managedclusters', False),
	'ManagedClusterAddOn': ('addon.open-cluster-management.io', 'v1alpha1', 'managedclusteraddons', True),
	'ClusterManagementAddOn': ('addon.open-cluster-management.io', 'v1alpha1', 'clustermanagementaddons', False),
	'Namespace': ('', 'v1', 'namespaces', False),
	'Event': ('', 'v1', 'events', True),
	'Lease': ('coordination.k8s.io', 'v1', 'leases', True),
}


def path_of(kind, ns=None, name=None, sub=None):
	g, v, r, namespaced = GVR[kind]
	p = '/api/v1' if g == '' else '/apis/%s/%s' % (g, v)
	if namespaced and ns:
		p += '/namespaces/' + ns
	p += '/' + r
	if name:
		p += '/' + name
	if sub:
		p += '/' + sub
	return p


class Kube:
	def __init__(self, kubeconfig, workdir):
		with open(kubeconfig) as f:
			kc = json.load(f)
		self.server = kc['clusters'][0]['cluster']['server']
		user = kc['users'][0]['user']
		self.ca = os.path.join(workdir, 'ca.crt')
		cert = os.path.join(workdir, 'admin.crt')
		key = os.path.join(workdir, 'admin.key')
		for fn, field in ((self.ca, kc['clusters'][0]['cluster']['certificate-authority-data']),
				  (cert, user['client-certificate-data']), (key, user['client-key-data'])):
			with open(fn, 'wb') as f:
				f.write(base64.b64decode(field))
			os.chmod(fn, 0o600)
		self.ctx = ssl.create_default_context(cafile=self.ca)
		self.ctx.load_cert_chain(cert, key)

	def request(self, method, path, body=None, ctype='application/json', query=None):
		url = self.server + path
		if query:
			url += '?' + urllib.parse.urlencode(query)
		data = None
		if body is not None:
			data = body if isinstance(body, bytes) else json.dumps(body).encode()
		req = urllib.request.Request(url, data=data, method=method)
		req.add_header('Accept', 'application/json')
		if data is not None:
			req.add_header('Content-Type', ctype)
		try:
			with urllib.request.urlopen(req, context=self.ctx, timeout=30) as r:
				raw = r.read()
				return json.loads(raw) if raw else None
		except urllib.error.HTTPError as e:
			raw = e.read()
			try:
				b = json.loads(raw)
			except ValueError:
				b = raw.decode(errors='replace')
			raise ApiError(e.code, b) from None

	def get(self, kind, ns, name, sub=None):
		return self.request('GET', path_of(kind, ns, name, sub))

	def get_or_none(self, kind, ns, name):
		try:
			return self.get(kind, ns, name)
		except ApiError as e:
			if e.code == 404:
				return None
			raise

	def list(self, kind, ns=None, selector=None):
		q = {'labelSelector': selector} if selector else None
		return self.request('GET', path_of(kind, ns), query=q)['items']

	def create(self, obj):
		kind = obj['kind']
		ns = obj['metadata'].get('namespace')
		return self.request('POST', path_of(kind, ns), obj)

	def apply(self, obj, manager='e2e'):
		kind = obj['kind']
		ns = obj['metadata'].get('namespace')
		return self.request('PATCH', path_of(kind, ns, obj['metadata']['name']), obj,
				    ctype='application/apply-patch+yaml', query={'fieldManager': manager, 'force': 'true'})

	def modify(self, kind, ns, name, fn, attempts=20):
		"""Read-modify-write with optimistic concurrency: fn(obj) edits the fresh object in place; a 409
		(the daemon or an agent wrote in between) re-reads and retries, as any controller would."""
		for _ in range(attempts):
			obj = self.get(kind, ns, name)
			fn(obj)
			try:
				return self.request('PUT', path_of(kind, ns, name), obj)
			except ApiError as e:
				if e.code != 409:
					raise
			time.sleep(0.05)
		raise TimeoutError_('%s %s/%s: still conflicting after %d attempts' % (kind, ns, name, attempts))

	def merge(self, kind, ns, name, patch, sub=None):
		return self.request('PATCH', path_of(kind, ns, name, sub), patch, ctype='application/merge-patch+json')

	def delete(self, kind, ns, name):
		try:
			return self.request('DELETE', path_of(kind, ns, name))
		except ApiError as e:
			if e.code != 404:
				raise
			return None

	def ensure_namespace(self, name):
		if self.get_or_none('Namespace', None, name) is None:
			self.create({'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': name}})


class Admin:
	def __init__(self, url):
		self.url = url

	def call(self, method, path, body=None):
		data = json.dumps(body).encode() if body is not None else None
		req = urllib.request.Request(self.url + path, data=data, method=method)
		if data is not None:
			req.add_header('Content-Type', 'application/json')
		try:
			with urllib.request.urlopen(req, timeout=30) as r:
				raw = r.read()
				return json.loads(raw) if raw else None
		except urllib.error.HTTPError as e:
			raise ApiError(e.code, e.read().decode(errors='replace')) from None

	def audit(self):
		return self.call('GET', '/admin/audit?recent=1000000')['recent']

	def spoke_objects(self, cluster, kind=None):
		q = '?kind=' + kind if kind else ''
		r = self.call('GET', '/admin/clusters/%s/objects%s' % (cluster, q))
		return r.get('items', r) if isinstance(r, dict) else r


class Emulator:
	"""One emulator process with `users` token users (one per daemon)."""

	def __init__(self, workdir, clusters, users=('choreo-ocm',), labels=None, agent_sync=0.2,
		     rollout=0.5):
		self.workdir = workdir
		self.tokens = {}
		tf = os.path.join(workdir, 'tokens.csv')
		with open(tf, 'w') as f:
			for i, u in enumerate(users):
				tok = base64.b32encode(os.urandom(20)).decode().lower()
				self.tokens[u] = tok
				f.write('%s,%s,uid-%d\n' % (tok, u, i))
		os.chmod(tf, 0o600)
		kc = os.path.join(workdir, 'admin.kubeconfig')
		args = [EMULATOR, '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0',
			'--kubeconfig-out', kc, '--clusters', ','.join(clusters), '--agent-sync', str(agent_sync),
			'--rollout-seconds', str(rollout), '--token-file', tf]
		for c, lab in (labels or {}).items():
			for k, v in lab.items():
				args += ['--cluster-label', '%s:%s=%s' % (c, k, v)]
		self.log = open(os.path.join(workdir, 'emulator.log'), 'w')
		self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, text=True)
		line = self.proc.stdout.readline()
		if not line.startswith('emulator ready'):
			self.stop()
			raise RuntimeError('emulator did not start: %r (see %s)' % (line, self.log.name))
		fields = dict(p.split('=', 1) for p in line.split() if '=' in p)
		self.admin = Admin(fields['admin'])
		self.kubeconfig = kc
		self.kube = Kube(kc, workdir)

	def daemon_kubeconfig(self, user):
		with open(self.kubeconfig) as f:
			kc = json.load(f)
		kc['users'] = [{'name': user, 'user': {'token': self.tokens[user]}}]
		kc['contexts'][0]['context']['user'] = user
		path = os.path.join(self.workdir, '%s.kubeconfig' % user)
		with open(path, 'w') as f:
			json.dump(kc, f)
		os.chmod(path, 0o600)
		return path

	def stop(self):
		if self.proc.poll() is None:
			self.proc.send_signal(signal.SIGTERM)
			try:
				self.proc.wait(timeout=15)
			except subprocess.TimeoutExpired:
				self.proc.kill()
				self.proc.wait()
		self.log.close()

	# audit helpers ---------------------------------------------------------------------------
	def mark(self):
		"""A position in the audit log (number of entries so far)."""
		return len(self.admin.audit())

	def requests(self, user, since=0):
		return [e for e in self.admin.audit()[since:] if e.get('user') == user]

	def writes(self, user, since=0, ignore=('leases',)):
		return [e for e in self.requests(user, since)
			if e.get('verb') in WRITE_VERBS and e.get('resource') not in ignore]


class Daemon:
	def __init__(self, binary, emu, user='choreo-ocm', extra=(), name=None):
		self.emu = emu
		self.user = user
		self.name = name or user
		self.metrics_port = free_port()
		self.probe_port = free_port()
		self.logpath = os.path.join(emu.workdir, '%s.log' % self.name)
		self.log = open(self.logpath, 'a')
		args = [binary, 'run', '--kubeconfig', emu.daemon_kubeconfig(user), '--namespace', 'choreo-ocm-system',
			'--metrics-bind-address', '127.0.0.1:%d' % self.metrics_port,
			'--health-probe-bind-address', '127.0.0.1:%d' % self.probe_port, '-v', os.environ.get('COCM_E2E_V', '1')] + list(extra)
		self.proc = subprocess.Popen(args, stdout=self.log, stderr=self.log)

	def http(self, path):
		port = self.metrics_port if path == '/metrics' else self.probe_port
		try:
			with urllib.request.urlopen('http://127.0.0.1:%d%s' % (port, path), timeout=10) as r:
				return r.status, r.read().decode()
		except urllib.error.HTTPError as e:
			return e.code, e.read().decode()
		except OSError:
			return 0, ''

	def ready(self):
		return self.http('/readyz')[0] == 200

	def wait_ready(self, timeout=30):
		wait_for(self.ready, timeout, what='%s /readyz' % self.name)

	def metric(self, name, labels=None):
		"""Sum of the samples of a metric whose labels include `labels`."""
		code, text = self.http('/metrics')
		total = 0.0
		for line in text.splitlines():
			if line.startswith('#') or not line.startswith(name):
				continue
			head, _, val = line.rpartition(' ')
			mname, _, lab = head.partition('{')
			if mname != name:
				continue
			if labels and not all('%s="%s"' % kv in lab for kv in labels.items()):
				continue
			total += float(val)
		return total

	def stop(self, timeout=30):
		"""SIGTERM, wait, return the exit code (None for a daemon the test killed on purpose)."""
		if getattr(self, 'killed', False):
			return None
		if self.proc.poll() is None:
			self.proc.send_signal(signal.SIGTERM)
			try:
				self.proc.wait(timeout=timeout)
			except subprocess.TimeoutExpired:
				self.proc.kill()
				self.proc.wait()
				self.log.close()
				raise AssertionError('%s did not stop within %ds after SIGTERM' % (self.name, timeout))
		self.log.close()
		return self.proc.returncode

	def kill(self):
		"""SIGKILL: a crash (the Lease is not released)."""
		self.killed = True
		if self.proc.poll() is None:
			self.proc.kill()
			self.proc.wait()
		self.log.close()

	def logtext(self):
		with open(self.logpath) as f:
			return f.read()


def load_yaml_json(path):
	"""Samples are YAML; the emulator ships a tiny YAML loader we reuse (stdlib only)."""
	import sys
	sys.path.insert(0, os.path.join(ROOT, 'e2e', 'emulator'))
	import yamlmini  # noqa: E402
	with open(path) as f:
		return [d for d in yamlmini.load_all(f.read()) if d]


def cond(obj, ctype):
	for c in (obj or {}).get('status', {}).get('conditions', []) or []:
		if c.get('type') == ctype:
			return c
	return None


def tmpdir(prefix):
	return tempfile.mkdtemp(prefix=prefix)
