"""Plain-HTTP admin API of the emulator: fault injection, audit counters, listener restart, and the
routes other components register (the OCM simulators' /admin/clusters...).

Audit: every API request -> {verb, group, resource, namespace, name, subresource, path, user, code, ms}.
Faults (each injected fault is counted in Faults.counters):
  POST /admin/faults/drop-watches                      close every open watch now
  POST /admin/faults/watch-410     {"count": N}        the next N watches start with an ERROR 410 event
  POST /admin/faults/errors        {"code": 500|429|409|503, "count": N, "verb": "list", "path": "substr",
                                    "retryAfter": S}   answer the next N matching requests with that error
  POST /admin/faults/latency       {"seconds": S, "count": N?, "verb"?, "path"?}  delay matching requests
  POST /admin/faults/compact                           drop the retained watch history (410 for old rvs)
  POST /admin/restart              {"downSeconds": S}  restart the API listener, keeping state
  DELETE /admin/faults                                 clear pending faults (counters stay)
  GET /admin/faults                                    {"counters": {...}, "pending": [...]}
  GET /admin/audit[?verb=V&resource=R&group=G]         {"total": N, "byVerb": {...}, "recent": [...]}
  DELETE /admin/audit                                  reset the audit log
  GET /admin/stats                                     objects, resourceVersion, watches, requests
"""

import collections
import json
import re
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from store import ApiError


class Audit:
	def __init__(self, keep=200000):
		self._lock = threading.Lock()
		self.events = collections.deque(maxlen=keep)
		self.total = 0
		self.by_verb = collections.Counter()

	def record(self, info, path, user, code, seconds):
		ev = dict(info)
		ev['path'] = path
		ev['user'] = user
		ev['code'] = code
		ev['ms'] = round(seconds * 1000, 2)
		with self._lock:
			self.events.append(ev)
			self.total += 1
			self.by_verb[info.get('verb', '')] += 1

	def query(self, verb=None, resource=None, group=None, recent=50):
		with self._lock:
			evs = list(self.events)
		sel = [e for e in evs if (verb is None or e.get('verb') == verb) and
		       (resource is None or e.get('resource') == resource) and
		       (group is None or e.get('group', '') == group)]
		by = collections.Counter(e.get('verb', '') for e in sel)
		return {'total': len(sel), 'byVerb': dict(by), 'recent': sel[-recent:] if recent else []}

	def reset(self):
		with self._lock:
			self.events.clear()
			self.total = 0
			self.by_verb.clear()


class Faults:
	def __init__(self, store):
		self.store = store
		self._lock = threading.Lock()
		self.counters = collections.Counter()
		self.rules = []       # dicts: code, count, verb, path, retryAfter
		self.latency = None   # dict: seconds, count (None = forever), verb, path
		self.watch410 = 0

	@staticmethod
	def _match(rule, info, path):
		if rule.get('verb') and rule['verb'] != info.get('verb'):
			return False
		if rule.get('path') and rule['path'] not in path:
			return False
		return True

	def before(self, info, path):
		"""Called for every API request; sleeps for latency, raises ApiError for an injected error."""
		delay = 0.0
		err = None
		with self._lock:
			lat = self.latency
			if lat and self._match(lat, info, path):
				delay = lat['seconds']
				self.counters['latency'] += 1
				if lat.get('count') is not None:
					lat['count'] -= 1
					if lat['count'] <= 0:
						self.latency = None
			for r in self.rules:
				if r['count'] > 0 and self._match(r, info, path):
					r['count'] -= 1
					err = r
					self.counters['error_%d' % r['code']] += 1
					break
			self.rules = [r for r in self.rules if r['count'] > 0]
		if delay > 0:
			time.sleep(delay)
		if err is not None:
			code = err['code']
			if code == 429:
				ra = str(err.get('retryAfter', 1))
				raise ApiError(429, 'TooManyRequests', 'Too many requests, please try again later.',
					       {'causes': [{'message': 'emulator fault injection'}],
						'retryAfterSeconds': int(float(ra))}, headers={'Retry-After': ra})
			if code == 409:
				raise ApiError(409, 'Conflict', 'Operation cannot be fulfilled on %s "%s": the object has been '
					       'modified; please apply your changes to the latest version and try again'
					       % (info.get('resource') or 'resource', info.get('name') or ''))
			if code == 503:
				raise ApiError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request',
					       headers={'Retry-After': str(err.get('retryAfter', 1))})
			raise ApiError(code, 'InternalError', 'Internal error occurred: emulator fault injection')

	def take_watch_410(self):
		with self._lock:
			if self.watch410 > 0:
				self.watch410 -= 1
				self.counters['watch_410'] += 1
				return True
			return False

	def snapshot(self):
		with self._lock:
			return {'counters': dict(self.counters), 'pending': {
				'errors': [dict(r) for r in self.rules], 'latency': dict(self.latency) if self.latency else None,
				'watch410': self.watch410}}

	def clear(self):
		with self._lock:
			self.rules = []
			self.latency = None
			self.watch410 = 0


class AdminRegistry:
	def __init__(self):
		self.routes = []

	def register(self, method, path_regex, handler):
		self.routes.append((method, re.compile(path_regex), handler))

	def find(self, method, path):
		for m, rx, h in self.routes:
			if m == method:
				mt = rx.match(path)
				if mt:
					return h, mt
		return None, None


class _Handler(BaseHTTPRequestHandler):
	protocol_version = 'HTTP/1.1'

	def log_message(self, fmt, *args):
		pass

	def _do(self, method):
		reg = self.server.registry
		n = int(self.headers.get('Content-Length') or 0)
		if n > 1 << 20:
			self._reply(413, {'error': 'body too large'})
			return
		raw = self.rfile.read(n) if n else b''
		try:
			body = json.loads(raw) if raw else None
		except ValueError:
			self._reply(400, {'error': 'body is not JSON'})
			return
		h, m = reg.find(method, self.path)
		if h is None:
			self._reply(404, {'error': 'no admin route %s %s' % (method, self.path)})
			return
		try:
			code, obj = h(m, body)
		except ApiError as e:
			code, obj = e.code, e.status()
		except (ValueError, KeyError, TypeError) as e:
			code, obj = 400, {'error': str(e)}
		self._reply(code, obj)

	def _reply(self, code, obj):
		data = json.dumps(obj).encode()
		self.send_response(code)
		self.send_header('Content-Type', 'application/json')
		self.send_header('Content-Length', str(len(data)))
		self.end_headers()
		self.wfile.write(data)

	def do_GET(self):
		self._do('GET')

	def do_POST(self):
		self._do('POST')

	def do_DELETE(self):
		self._do('DELETE')

	def do_PATCH(self):
		self._do('PATCH')

	def do_PUT(self):
		self._do('PUT')


class AdminServer:
	def __init__(self, host, port, api, store, faults, audit):
		self.registry = AdminRegistry()
		self.api = api
		self.store = store
		self.faults = faults
		self.audit = audit
		self.httpd = ThreadingHTTPServer((host, port), _Handler)
		self.httpd.daemon_threads = True
		self.httpd.registry = self.registry
		self.port = self.httpd.server_address[1]
		self._builtin()

	def start(self):
		threading.Thread(target=self.httpd.serve_forever, name='admin', daemon=True).start()

	def stop(self):
		self.httpd.shutdown()
		self.httpd.server_close()

	def _builtin(self):
		R = self.registry.register
		f = self.faults

		def count(body, key='count', default=1):
			v = (body or {}).get(key, default)
			if not isinstance(v, int) or v < 0:
				raise ValueError('%s must be a non-negative integer' % key)
			return v

		def drop(m, body):
			n = self.store.close_watchers()
			with f._lock:
				f.counters['watch_drop'] += 1
			return 200, {'dropped': n}

		def w410(m, body):
			with f._lock:
				f.watch410 += count(body)
			return 200, f.snapshot()

		def errors(m, body):
			body = body or {}
			code = body.get('code', 500)
			if code not in (500, 429, 409, 503):
				raise ValueError('code must be one of 500, 429, 409, 503')
			rule = {'code': code, 'count': count(body), 'verb': body.get('verb'), 'path': body.get('path'),
				'retryAfter': body.get('retryAfter', 1)}
			with f._lock:
				f.rules.append(rule)
			return 200, f.snapshot()

		def latency(m, body):
			body = body or {}
			s = float(body.get('seconds', 0))
			if s < 0 or s > 60:
				raise ValueError('seconds must be in [0, 60]')
			with f._lock:
				f.latency = {'seconds': s, 'count': body.get('count'), 'verb': body.get('verb'),
					     'path': body.get('path')} if s > 0 else None
			return 200, f.snapshot()

		def nolatency(m, body):
			with f._lock:
				f.latency = None
			return 200, f.snapshot()

		def compact(m, body):
			rv = self.store.compact()
			with f._lock:
				f.counters['compact'] += 1
			return 200, {'compactedAt': rv}

		def restart(m, body):
			down = float((body or {}).get('downSeconds', 0))
			if down < 0 or down > 60:
				raise ValueError('downSeconds must be in [0, 60]')
			with f._lock:
				f.counters['restart'] += 1
			threading.Thread(target=self.api.restart, args=(down,), daemon=True).start()
			return 200, {'restarting': True, 'downSeconds': down}

		def clear(m, body):
			f.clear()
			return 200, f.snapshot()

		def audit_get(m, body):
			q = urllib.parse.parse_qs(urllib.parse.urlsplit(m.string).query)
			g = lambda k: q[k][-1] if k in q else None  # noqa: E731
			return 200, self.audit.query(g('verb'), g('resource'), g('group'), int(g('recent') or 50))

		def audit_del(m, body):
			self.audit.reset()
			return 200, {'reset': True}

		def stats(m, body):
			return 200, {'objects': self.store.count(), 'resourceVersion': self.store.current_rv(),
				     'watches': sum(len(s) for s in self.store._watchers.values()),
				     'requests': self.audit.total, 'restarts': self.api.restarts}

		R('GET', r'^/admin/faults/?$', lambda m, b: (200, f.snapshot()))
		R('DELETE', r'^/admin/faults/?$', clear)
		R('POST', r'^/admin/faults/drop-watches/?$', drop)
		R('POST', r'^/admin/faults/watch-410/?$', w410)
		R('POST', r'^/admin/faults/errors/?$', errors)
		R('POST', r'^/admin/faults/latency/?$', latency)
		R('DELETE', r'^/admin/faults/latency/?$', nolatency)
		R('POST', r'^/admin/faults/compact/?$', compact)
		R('POST', r'^/admin/restart/?$', restart)
		R('GET', r'^/admin/audit/?(\?.*)?$', audit_get)
		R('DELETE', r'^/admin/audit/?$', audit_del)
		R('GET', r'^/admin/stats/?$', stats)
		R('GET', r'^/healthz/?$', lambda m, b: (200, {'ok': True}))
