"""The HTTPS Kubernetes API front end over a store.Store.

ApiServer(store, host, port, certfile, keyfile, cafile, auth, faults=None, audit=None)
  .start() binds and serves on a thread (ThreadingHTTPServer, HTTP/1.1 keep-alive, TLS with optional
  client certificates verified against cafile); .stop(); .restart(down_seconds) closes the listener
  and every open connection, then binds the same address again (state is kept: it is in the store).
Request bodies are limited to MAX_BODY bytes (413 beyond).  Watches are chunked streams of
newline-delimited JSON events.  Every request is audited (audit.Audit); faults.Faults may answer
a request instead of the store (counted there).
"""

import json
import random
import socket
import ssl
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import k8spb
import openapi
import tables
import yamlmini
from store import ApiError, bad_request, encode

MAX_BODY = 3 * 1024 * 1024
VERSION = {'major': '1', 'minor': '32', 'gitVersion': 'v1.32.0-choreo-ocm-emulator', 'gitCommit': 'emulator',
	   'gitTreeState': 'clean', 'buildDate': '2025-01-01T00:00:00Z', 'goVersion': 'python',
	   'compiler': 'python', 'platform': 'linux/amd64'}
_PATCH_TYPES = {'application/merge-patch+json': 'merge', 'application/json-patch+json': 'json',
		'application/strategic-merge-patch+json': 'strategic', 'application/apply-patch+yaml': 'apply'}


def _version_key(v):
	"""Kubernetes version priority: GA > beta > alpha, higher numbers first; others last by name."""
	import re
	m = re.match(r'^v(\d+)(?:(alpha|beta)(\d+))?$', v)
	if not m:
		return (3, 0, 0, v)
	rank = {None: 0, 'beta': 1, 'alpha': 2}[m.group(2)]
	return (rank, -int(m.group(1)), -int(m.group(3) or 0), v)


class Discovery:
	def __init__(self, store):
		self.store = store

	def groups(self):
		by = {}
		for r in self.store.resources():
			if r.group:
				by.setdefault(r.group, set()).add(r.version)
		out = []
		for g in sorted(by, key=lambda g: (not g.endswith('.k8s.io'), g)):
			vs = sorted(by[g], key=_version_key)
			out.append({'name': g, 'versions': [{'groupVersion': g + '/' + v, 'version': v} for v in vs],
				    'preferredVersion': {'groupVersion': g + '/' + vs[0], 'version': vs[0]}})
		return out

	def group(self, name):
		for g in self.groups():
			if g['name'] == name:
				return dict(g, kind='APIGroup', apiVersion='v1')
		return None

	def resource_list(self, group, version):
		rs = [r for r in self.store.resources() if r.group == group and r.version == version]
		if not rs:
			return None
		out = []
		for r in sorted(rs, key=lambda r: r.plural):
			d = {'name': r.plural, 'singularName': r.singular, 'namespaced': r.namespaced, 'kind': r.kind,
			     'verbs': ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']}
			if r.short_names:
				d['shortNames'] = r.short_names
			if r.categories:
				d['categories'] = r.categories
			out.append(d)
			if r.status:
				out.append({'name': r.plural + '/status', 'singularName': '', 'namespaced': r.namespaced,
					    'kind': r.kind, 'verbs': ['get', 'patch', 'update']})
		gv = group + '/' + version if group else version
		return {'kind': 'APIResourceList', 'apiVersion': 'v1', 'groupVersion': gv, 'resources': out}


class _HTTPServer(ThreadingHTTPServer):
	daemon_threads = True
	allow_reuse_address = True
	request_queue_size = 256

	def __init__(self, addr, handler, api):
		self.api = api
		self.conns = set()
		self.conns_lock = threading.Lock()
		super().__init__(addr, handler)

	def handle_error(self, request, client_address):
		pass   # client went away etc.


class ApiServer:
	def __init__(self, store, host, port, certfile, keyfile, cafile, auth, faults=None, audit=None,
		     verbose=False):
		self.store = store
		self.host = host
		self.port = port
		self.auth = auth
		self.faults = faults
		self.audit = audit
		self.verbose = verbose
		self.discovery = Discovery(store)
		self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
		self.ctx.minimum_version = ssl.TLSVersion.TLSv1_2
		self.ctx.load_cert_chain(certfile, keyfile)
		self.ctx.load_verify_locations(cafile)
		self.ctx.verify_mode = ssl.CERT_OPTIONAL
		self.ctx.set_alpn_protocols(['http/1.1'])
		self.httpd = None
		self._thread = None
		self._lock = threading.Lock()
		self.restarts = 0

	def _bind(self):
		httpd = _HTTPServer((self.host, self.port), Handler, self)
		httpd.socket = self.ctx.wrap_socket(httpd.socket, server_side=True, do_handshake_on_connect=False)
		self.port = httpd.server_address[1]
		return httpd

	def start(self):
		with self._lock:
			self.httpd = self._bind()
			self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={'poll_interval': 0.2},
							name='api-listener', daemon=True)
			self._thread.start()

	def stop(self):
		with self._lock:
			h = self.httpd
			self.httpd = None
		if h is None:
			return
		h.shutdown()
		h.server_close()
		with h.conns_lock:
			conns = list(h.conns)
		for c in conns:
			try:
				c.shutdown(socket.SHUT_RDWR)
			except OSError:
				pass
		self.store.close_watchers()

	def restart(self, down_seconds=0.0):
		self.stop()
		if down_seconds > 0:
			time.sleep(down_seconds)
		last = None
		for _ in range(50):
			try:
				self.start()
				self.restarts += 1
				return
			except OSError as e:
				last = e
				time.sleep(0.1)
		raise last


def _q1(q, k, default=None):
	v = q.get(k)
	return v[-1] if v else default


def _bool(v):
	return v in ('true', '1', 'True')


class Handler(BaseHTTPRequestHandler):
	protocol_version = 'HTTP/1.1'
	server_version = 'choreo-ocm-emulator'
	sys_version = ''
	timeout = 600

	def setup(self):
		super().setup()
		srv = self.server
		with srv.conns_lock:
			srv.conns.add(self.connection)
		try:
			self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
			self.connection.settimeout(30)
			self.connection.do_handshake()
			self.connection.settimeout(self.timeout)
		except (OSError, ssl.SSLError):
			self.close_connection = True
			self._bad_tls = True

	def finish(self):
		try:
			super().finish()
		finally:
			with self.server.conns_lock:
				self.server.conns.discard(self.connection)

	def handle(self):
		if getattr(self, '_bad_tls', False):
			return
		super().handle()

	def log_message(self, fmt, *args):
		if self.server.api.verbose:
			super().log_message(fmt, *args)

	def do_GET(self):
		self._handle('GET')

	def do_POST(self):
		self._handle('POST')

	def do_PUT(self):
		self._handle('PUT')

	def do_PATCH(self):
		self._handle('PATCH')

	def do_DELETE(self):
		self._handle('DELETE')

	# --- responses ---
	def _send(self, code, body, ctype='application/json', headers=None):
		self.send_response(code)
		self.send_header('Content-Type', ctype)
		self.send_header('Content-Length', str(len(body)))
		self.send_header('Cache-Control', 'no-cache, private')
		for k, v in (headers or {}).items():
			if isinstance(v, list):
				for x in v:
					self.send_header(k, x)
			else:
				self.send_header(k, v)
		# headers and body in one write: no Nagle / delayed-ACK stalls
		self._headers_buffer.append(b'\r\n')
		if self.command != 'HEAD':
			self._headers_buffer.append(body)
		self.flush_headers()
		self._code = code

	def _send_obj(self, code, obj, headers=None):
		self._send(code, encode(obj), headers=headers)

	def _send_err(self, e):
		self._send_obj(e.code, e.status(), headers=e.headers)

	def _read_body(self):
		te = (self.headers.get('Transfer-Encoding') or '').lower()
		if te == 'chunked':
			out = bytearray()
			while True:
				line = self.rfile.readline(65537)
				n = int(line.split(b';')[0].strip() or b'0', 16)
				if n == 0:
					self.rfile.readline(65537)
					break
				if len(out) + n > MAX_BODY:
					raise ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728')
				out += self.rfile.read(n)
				self.rfile.readline(65537)
			return bytes(out)
		try:
			n = int(self.headers.get('Content-Length') or 0)
		except ValueError:
			raise bad_request('invalid Content-Length') from None
		if n > MAX_BODY:
			raise ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728')
		return self.rfile.read(n) if n > 0 else b''

	@staticmethod
	def _decode(body, ctype):
		if not body:
			return None
		if 'protobuf' in ctype:
			try:
				return k8spb.decode(body)
			except k8spb.PbError as e:
				raise ApiError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - '
					       'accepted media types include: application/json, application/yaml (%s)' % e) from None
		if 'cbor' in ctype:
			raise ApiError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - '
				       'accepted media types include: application/json, application/yaml')
		try:
			return json.loads(body)
		except ValueError as e:
			if 'json' in ctype:   # a JSON media type with a broken body: 400, as the real decoders answer
				raise bad_request('json parse error: %s' % e) from None
		if 'yaml' in ctype:
			try:
				docs = yamlmini.load_all(body.decode('utf-8'))
			except (yamlmini.YamlError, UnicodeDecodeError) as e:
				raise bad_request('error decoding YAML: %s' % e) from None
			return docs[0] if docs else None
		raise ApiError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted '
			       'media types include: application/json, application/yaml')

	# --- main entry ---
	def _handle(self, method):
		api = self.server.api
		self._code = 0
		t0 = time.monotonic()
		url = urllib.parse.urlsplit(self.path)
		q = urllib.parse.parse_qs(url.query, keep_blank_values=True)
		info = {'verb': method.lower(), 'resource': '', 'namespace': '', 'name': '', 'subresource': ''}
		user = None
		try:
			body = self._read_body()
			cert = None
			try:
				cert = self.connection.getpeercert()
			except (ValueError, AttributeError):
				cert = None
			user = api.auth.authenticate(self.headers, cert)
			if user is None:
				raise ApiError(401, 'Unauthorized', 'Unauthorized')
			route = self._route(url.path, q, method)
			info.update(route.get('audit', {}))
			if api.faults is not None:
				api.faults.before(info, self.path)
				if route.get('kind') == 'resource' and info['verb'] == 'watch' and api.faults.take_watch_410():
					self._watch_410(route)
					return
			self._dispatch(route, method, q, body)
		except ApiError as e:
			try:
				self._send_err(e)
			except OSError:
				self.close_connection = True
		except (BrokenPipeError, ConnectionResetError, ssl.SSLError, socket.timeout):
			self.close_connection = True
		except Exception as e:  # noqa: BLE001 - any bug becomes a 500, like a panic handler
			import traceback
			traceback.print_exc()
			try:
				self._send_err(ApiError(500, 'InternalError', 'Internal error occurred: %r' % e))
			except OSError:
				self.close_connection = True
		finally:
			if api.audit is not None:
				api.audit.record(info, self.path, user.name if user else '', self._code, time.monotonic() - t0)

	def _route(self, path, q, method):
		parts = [urllib.parse.unquote(p) for p in path.split('/') if p]
		if not parts:
			return {'kind': 'paths'}
		if parts[0] in ('version', 'healthz', 'livez', 'readyz') and len(parts) <= 2:
			return {'kind': parts[0]}
		if parts[0] == 'openapi':
			if len(parts) >= 2 and parts[1] == 'v3':
				return {'kind': 'openapi', 'key': '/'.join(parts[2:])}
			raise ApiError(404, 'NotFound', 'the server could not find the requested resource')
		if parts[0] == 'api':
			if len(parts) == 1:
				return {'kind': 'api'}
			group, version, rest = '', parts[1], parts[2:]
		elif parts[0] == 'apis':
			if len(parts) == 1:
				return {'kind': 'apis'}
			if len(parts) == 2:
				return {'kind': 'group', 'group': parts[1]}
			group, version, rest = parts[1], parts[2], parts[3:]
		else:
			raise ApiError(404, 'NotFound', 'the server could not find the requested resource')
		if not rest:
			return {'kind': 'resources', 'group': group, 'version': version}
		watch = False
		if rest[0] == 'watch':
			watch = True
			rest = rest[1:]
			if not rest:
				raise ApiError(404, 'NotFound', 'the server could not find the requested resource')
		store = self.server.api.store
		ns = None
		if len(rest) >= 3 and rest[0] == 'namespaces':
			r = store._res.get((group, version, rest[2]))
			if r is not None and r.namespaced:
				ns = rest[1]
				rest = rest[2:]
		if len(rest) > 3:
			raise ApiError(404, 'NotFound', 'the server could not find the requested resource')
		plural = rest[0]
		name = rest[1] if len(rest) > 1 else None
		sub = rest[2] if len(rest) > 2 else None
		res = store._res.get((group, version, plural))
		if res is None:
			raise ApiError(404, 'NotFound', 'the server could not find the requested resource')
		if (not res.namespaced and ns is not None) or (sub is not None and sub != 'status'):
			raise ApiError(404, 'NotFound', 'the server could not find the requested resource')
		if sub == 'status' and not res.status:
			raise ApiError(404, 'NotFound', 'the server could not find the requested resource')
		if method == 'GET':
			if name is None:
				verb = 'watch' if watch or _bool(_q1(q, 'watch', '')) else 'list'
			else:
				verb = 'watch' if watch else 'get'
		else:
			verb = {'POST': 'create', 'PUT': 'update', 'PATCH': 'patch',
				'DELETE': 'delete' if name else 'deletecollection'}[method]
		if watch and name is not None:
			# legacy /watch/.../name == watch with a name field selector
			q.setdefault('fieldSelector', []).append('metadata.name=' + name)
			name = None
		return {'kind': 'resource', 'res': res, 'ns': ns, 'name': name, 'sub': sub, 'verb': verb,
			'audit': {'verb': verb, 'resource': res.plural, 'group': res.group, 'namespace': ns or '',
				  'name': name or '', 'subresource': sub or ''}}

	def _dispatch(self, route, method, q, body):
		api = self.server.api
		kind = route['kind']
		if kind != 'resource':
			if method != 'GET':
				raise ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the '
					       'requested resource')
			if kind in ('healthz', 'livez', 'readyz'):
				self._send(200, b'ok', 'text/plain; charset=utf-8')
			elif kind == 'openapi':
				doc = openapi.index(api.store) if not route['key'] else openapi.document(api.store, route['key'])
				if doc is None:
					raise ApiError(404, 'NotFound', 'the server could not find the requested resource')
				self._send_obj(200, doc)
			elif kind == 'version':
				self._send_obj(200, VERSION)
			elif kind == 'paths':
				self._send_obj(200, {'paths': ['/api', '/api/v1', '/apis', '/healthz', '/livez', '/readyz',
							       '/version']})
			elif kind == 'api':
				self._send_obj(200, {'kind': 'APIVersions', 'versions': ['v1'], 'serverAddressByClientCIDRs': [
					{'clientCIDR': '0.0.0.0/0', 'serverAddress': '%s:%d' % (api.host, api.port)}]})
			elif kind == 'apis':
				self._send_obj(200, {'kind': 'APIGroupList', 'apiVersion': 'v1', 'groups': api.discovery.groups()})
			elif kind == 'group':
				g = api.discovery.group(route['group'])
				if g is None:
					raise ApiError(404, 'NotFound', 'the server could not find the requested resource')
				self._send_obj(200, g)
			elif kind == 'resources':
				rl = api.discovery.resource_list(route['group'], route['version'])
				if rl is None:
					raise ApiError(404, 'NotFound', 'the server could not find the requested resource')
				self._send_obj(200, rl)
			return
		store = api.store
		res, ns, name, sub, verb = route['res'], route['ns'], route['name'], route['sub'], route['verb']
		accept = self.headers.get('Accept') or ''
		want_table = 'as=Table' in accept
		ctype = (self.headers.get('Content-Type') or '').split(';')[0].strip()
		dry = _q1(q, 'dryRun') == 'All'
		fm = _q1(q, 'fieldManager')
		fv = _q1(q, 'fieldValidation')
		ua = self.headers.get('User-Agent') or ''
		if not fm and verb in ('create', 'update', 'patch'):
			fm = ua.split('/')[0] if ua else 'unknown'
			if len(fm) > 128:
				fm = fm[:128]
		warnings = []
		if verb == 'get':
			e = store.get_entry(res, name, ns)
			if want_table:
				obj = json.loads(store.raw_of(res, e))
				self._send_obj(200, tables.table(res, [obj], {'resourceVersion': obj['metadata']['resourceVersion']},
								 _q1(q, 'includeObject', 'Metadata')))
			else:
				self._send(200, store.raw_of(res, e))
		elif verb == 'list':
			entries, meta = store.list_entries(res, ns, _q1(q, 'labelSelector'), _q1(q, 'fieldSelector'),
							   _q1(q, 'limit'), _q1(q, 'continue'), _q1(q, 'resourceVersion'),
							   _q1(q, 'resourceVersionMatch'))
			if want_table:
				objs = [json.loads(store.raw_of(res, e)) for e in entries]
				self._send_obj(200, tables.table(res, objs, meta, _q1(q, 'includeObject', 'Metadata')))
			else:
				body_out = b''.join((b'{"kind":"', res.list_kind.encode(), b'","apiVersion":"',
						     res.api_version.encode(), b'","metadata":', encode(meta), b',"items":[',
						     b','.join(store.raw_of(res, e) for e in entries), b']}'))
				self._send(200, body_out)
		elif verb == 'watch':
			self._watch(route, q, want_table)
		elif verb == 'create':
			obj = self._decode(body, ctype)
			if sub:
				raise ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the '
					       'requested resource')
			out = store.create(res, obj, ns, fm, dry, fv, warnings)
			self._send_obj(201, out, self._warn(warnings))
		elif verb == 'update':
			obj = self._decode(body, ctype)
			if not isinstance(obj, dict):
				raise bad_request('the body of the request was not a JSON object')
			md = obj.get('metadata') or {}
			if md.get('name') and md['name'] != name:
				raise bad_request('the name of the object (%s) does not match the name on the URL (%s)'
						  % (md['name'], name))
			obj.setdefault('metadata', {})['name'] = name
			out = store.update(res, obj, ns, sub, fm, dry, fv, warnings)
			self._send_obj(200, out, self._warn(warnings))
		elif verb == 'patch':
			ptype = _PATCH_TYPES.get(ctype)
			if ptype is None:
				raise ApiError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - '
					       'accepted media types include: application/json-patch+json, '
					       'application/merge-patch+json, application/apply-patch+yaml')
			if ptype == 'apply':
				patch_body = self._decode(body, 'yaml')
			else:
				patch_body = self._decode(body, 'json')
			existed = True
			if ptype == 'apply':
				try:
					store.get_entry(res, name, ns)
				except ApiError:
					existed = False
			out = store.patch(res, name, patch_body, ptype, ns, sub, fm if ptype != 'apply' else _q1(q, 'fieldManager'),
					  _bool(_q1(q, 'force', '')), dry, fv, warnings)
			self._send_obj(200 if existed else 201, out, self._warn(warnings))
		elif verb == 'delete':
			opts = self._decode(body, 'json') or {}
			pol = opts.get('propagationPolicy') or _q1(q, 'propagationPolicy')
			if pol is None and (opts.get('orphanDependents') is True or _q1(q, 'orphanDependents') == 'true'):
				pol = 'Orphan'
			dry = dry or 'All' in (opts.get('dryRun') or [])
			out = store.delete(res, name, ns, pol, opts.get('preconditions'),
					   opts.get('gracePeriodSeconds', _q1(q, 'gracePeriodSeconds')), dry)
			# Like the real handler: 200 (the object while finalizers hold it, a Status once gone);
			# 202 only when the object stays AND the deprecated orphanDependents=false was sent.
			orphan = opts.get('orphanDependents', _q1(q, 'orphanDependents'))
			held = out.get('kind') != 'Status'
			self._send_obj(202 if held and not dry and orphan in (False, 'false') else 200, out)
		elif verb == 'deletecollection':
			opts = self._decode(body, 'json') or {}
			entries, _meta = store.list_entries(res, ns, _q1(q, 'labelSelector'), _q1(q, 'fieldSelector'))
			pol = opts.get('propagationPolicy') or _q1(q, 'propagationPolicy')
			items = []
			for e in entries:
				md = e.obj['metadata']
				try:
					store.delete(res, md['name'], md.get('namespace') or None, pol, None, None, dry)
					items.append(json.loads(e.raw))
				except ApiError as err:
					if err.code != 404:
						raise
			self._send_obj(200, {'kind': res.list_kind, 'apiVersion': res.api_version,
					     'metadata': {'resourceVersion': str(store.current_rv())}, 'items': items})

	@staticmethod
	def _warn(warnings):
		if not warnings:
			return None
		return {'Warning': ['299 - %s' % json.dumps(w) for w in warnings]}

	# --- watch ---
	def _start_stream(self):
		self.send_response(200)
		self.send_header('Content-Type', 'application/json')
		self.send_header('Transfer-Encoding', 'chunked')
		self.send_header('Cache-Control', 'no-cache, private')
		self.end_headers()
		self._code = 200

	def _chunk(self, data):
		self.wfile.write(b'%x\r\n%s\r\n' % (len(data), data))

	def _watch_410(self, route):
		self._start_stream()
		st = ApiError(410, 'Expired', 'too old resource version: 1 (%d)' % (self.server.api.store.current_rv())).status()
		self._chunk(b'{"type":"ERROR","object":' + encode(st) + b'}\n')
		self._chunk(b'')

	def _watch(self, route, q, want_table):
		api = self.server.api
		store = api.store
		res = route['res']
		tos = _q1(q, 'timeoutSeconds')
		try:
			timeout = float(tos) if tos not in (None, '') else random.uniform(1800, 3600)
		except ValueError:
			raise bad_request('invalid timeoutSeconds') from None
		bookmarks = _bool(_q1(q, 'allowWatchBookmarks', ''))
		w = store.watch(res, route['ns'], _q1(q, 'resourceVersion'), _q1(q, 'labelSelector'),
				_q1(q, 'fieldSelector'))
		self._start_stream()
		deadline = time.monotonic() + timeout
		interval = store.bookmark_interval
		next_bm = time.monotonic() + interval
		include = _q1(q, 'includeObject', 'Metadata')
		getters = tables.columns(res)[1] if want_table else None
		first_table = True
		try:
			while True:
				now = time.monotonic()
				if now >= deadline:
					break
				wait = min(deadline - now, (next_bm - now) if bookmarks else 1.0, 1.0)
				ev = w.next(timeout=max(0.0, wait))
				if ev is None:
					if w.closed:
						break
					if bookmarks and time.monotonic() >= next_bm:
						if w.pending() == 0:
							bm = {'type': 'BOOKMARK', 'object': {'kind': res.kind, 'apiVersion': res.api_version,
											  'metadata': {'resourceVersion': str(store.current_rv())}}}
							self._chunk(encode(bm) + b'\n')
						next_bm = time.monotonic() + interval
					continue
				if ev.type == 'ERROR':
					self._chunk(ev.line())
					break
				if want_table:
					obj = json.loads(store.raw_of(res, _Raw(ev.obj, ev.raw)))
					t = {'kind': 'Table', 'apiVersion': 'meta.k8s.io/v1',
					     'metadata': {'resourceVersion': obj['metadata'].get('resourceVersion')},
					     'columnDefinitions': tables.columns(res)[0] if first_table else [],
					     'rows': [tables.row(res, obj, getters, include)]}
					first_table = False
					self._chunk(b'{"type":"' + ev.type.encode() + b'","object":' + encode(t) + b'}\n')
				elif ev.obj.get('apiVersion') != res.api_version:
					self._chunk(b'{"type":"' + ev.type.encode() + b'","object":' +
						    store.raw_of(res, _Raw(ev.obj, ev.raw)) + b'}\n')
				else:
					self._chunk(ev.line())
			self._chunk(b'')
		except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
			self.close_connection = True
		finally:
			w.close()


class _Raw:
	__slots__ = ('obj', 'raw')

	def __init__(self, obj, raw):
		self.obj = obj
		self.raw = raw
