"""In-memory Kubernetes object store with real API-server semantics (no HTTP).

Public API (used by server.py and by the OCM simulators, ocm_*.py):

  store = Store(validate=True, history=20000)
      validate=False: no schema validation / pruning and no admission hooks (spoke stores).
  store.resource(group, version, plural) -> Resource      (ApiError 404 when not served)
  store.resource_for_kind(api_version, kind) -> Resource   ("apps/v1", "Deployment"; 404 when unknown)
  store.ensure_resource(api_version, kind, plural, namespaced=True, status=True) -> Resource
      serve a schema-less kind (spoke stores: Deployments, Services, ...); idempotent.
  store.resources() -> [Resource]                          all served (group, version, plural)
  Every method below takes `res` as a Resource or a (group, version, plural) tuple.

  create(res, obj, namespace=None, field_manager=None, dry_run=False, field_validation=None) -> dict
  get(res, name, namespace=None) -> dict
  list(res, namespace=None, label_selector=None, field_selector=None, limit=None,
       continue_token=None, resource_version=None, resource_version_match=None) -> dict (a List)
  update(res, obj, namespace=None, subresource=None, field_manager=None, ...) -> dict   (PUT)
  patch(res, name, body, patch_type='merge', namespace=None, subresource=None,
        field_manager=None, force=False) -> dict      patch_type: merge | json | strategic | apply
  apply(res, obj, field_manager, namespace=None, force=False, subresource=None) -> dict (SSA)
  delete(res, name, namespace=None, propagation_policy=None, preconditions=None,
         grace_period_seconds=None) -> dict (the object while finalizers hold it, else a Status)
  watch(res, namespace=None, resource_version=None, label_selector=None, field_selector=None)
      -> Watcher: w.next(timeout) -> WatchEvent | None (timeout) ; w.closed ; w.close()
      No resource_version (or "0"): synthetic ADDED events for the current state first.
      A resource_version older than the retained history yields one ERROR event (410 Expired).
  subscribe(callback, res=None) -> token ; unsubscribe(token)
      callback(WatchEvent) is called on ONE store dispatcher thread, in resourceVersion order,
      after the write committed; it may call store methods (never while holding the store lock).
  add_admission(group, plural, fn): fn(op, new_obj, old_obj) raises ApiError to refuse
      (op is 'CREATE' or 'UPDATE'; called after schema validation, like a validating webhook).
  compact() drops the retained watch history; current_rv(); count().

Objects returned are fresh copies (the caller owns them).  WatchEvent.object is a fresh copy too;
WatchEvent.raw is the shared, immutable JSON encoding.  Errors: ApiError (code, reason, message,
details); err.status() is the Kubernetes Status object.  Thread-safe: one store lock.
"""

import base64
import bisect
import collections
import copy
import json
import random
import re
import threading
import time
import uuid

import schema as schema_mod
import ssa
from patch import PatchError, json_patch, merge_patch, strategic_merge
from labelsel import FieldSelector, LabelSelector, SelectorError


# --- errors ---------------------------------------------------------------------------------------

class ApiError(Exception):
	def __init__(self, code, reason, message, details=None, headers=None):
		super().__init__(message)
		self.code = code
		self.reason = reason
		self.message = message
		self.details = details
		self.headers = headers or {}

	def status(self):
		st = {'kind': 'Status', 'apiVersion': 'v1', 'metadata': {}, 'status': 'Failure',
		      'message': self.message, 'reason': self.reason, 'code': self.code}
		if self.details is not None:
			st['details'] = self.details
		return st

	def __repr__(self):
		return 'ApiError(%d, %s, %r)' % (self.code, self.reason, self.message)


def _details(res, name, extra=None):
	d = {'name': name, 'kind': res.plural}
	if res.group:
		d['group'] = res.group
	if extra:
		d.update(extra)
	return d


def not_found(res, name):
	return ApiError(404, 'NotFound', '%s "%s" not found' % (res.qualified, name), _details(res, name))


def already_exists(res, name):
	return ApiError(409, 'AlreadyExists', '%s "%s" already exists' % (res.qualified, name), _details(res, name))


def conflict(res, name, why):
	return ApiError(409, 'Conflict', 'Operation cannot be fulfilled on %s "%s": %s' % (res.qualified, name, why),
			_details(res, name))


def bad_request(msg):
	return ApiError(400, 'BadRequest', msg)


def invalid(res, name, errs):
	"""errs: [(field, type, rest)] -> 422 Invalid with a Kubernetes-style message."""
	texts = []
	causes = []
	reasons = {'Required value': 'FieldValueRequired', 'Invalid value': 'FieldValueInvalid',
		   'Unsupported value': 'FieldValueNotSupported', 'Too long': 'FieldValueTooLong',
		   'Too many': 'FieldValueTooMany', 'Duplicate value': 'FieldValueDuplicate',
		   'Forbidden': 'FieldValueForbidden', 'Not found': 'FieldValueNotFound'}
	for field, etype, rest in errs:
		m = etype + (': ' + rest if rest else '')
		texts.append('%s: %s' % (field, m) if field else m)
		causes.append({'reason': reasons.get(etype, 'FieldValueInvalid'), 'message': m, 'field': field})
	body = texts[0] if len(texts) == 1 else '[' + ', '.join(texts) + ']'
	gk = res.kind + ('.' + res.group if res.group else '')
	d = {'name': name, 'kind': res.kind, 'causes': causes}
	if res.group:
		d['group'] = res.group
	return ApiError(422, 'Invalid', '%s "%s" is invalid: %s' % (gk, name, body), d)


# --- resources ------------------------------------------------------------------------------------

class Resource:
	"""One served group/version/resource."""

	def __init__(self, group, version, plural, kind, namespaced=True, singular=None, short_names=(),
		     categories=(), status=True, generation=True, schema=None, crd=False, list_kind=None,
		     printer_columns=None, storage_version=None, scale=False):
		self.group = group
		self.version = version
		self.plural = plural
		self.kind = kind
		self.namespaced = namespaced
		self.singular = singular or kind.lower()
		self.short_names = list(short_names)
		self.categories = list(categories)
		self.status = status           # has a /status subresource
		self.generation = generation   # maintains metadata.generation
		self.schema = schema           # structural openAPIV3Schema or None
		self.crd = crd
		self.list_kind = list_kind or kind + 'List'
		self.printer_columns = printer_columns or []
		self.storage_version = storage_version or version
		self.scale = scale
		self.api_version = version if not group else group + '/' + version
		self.key = (group, plural)
		self.qualified = plural + ('.' + group if group else '')
		self.gvr = (group, version, plural)

	def __repr__(self):
		return 'Resource(%s)' % '/'.join(self.gvr)


# --- watch ----------------------------------------------------------------------------------------

class WatchEvent:
	__slots__ = ('type', 'obj', 'raw', 'rv', 'res_key', 'old')

	def __init__(self, etype, obj, raw, rv, res_key=None, old=None):
		self.type = etype
		self.obj = obj      # shared, never mutate
		self.raw = raw      # JSON bytes of obj
		self.rv = rv
		self.res_key = res_key
		self.old = old      # previous (obj) for MODIFIED / DELETED, shared

	@property
	def object(self):
		return json.loads(self.raw)

	def line(self):
		return b'{"type":"' + self.type.encode() + b'","object":' + self.raw + b'}\n'


class Watcher:
	MAX_QUEUE = 200000

	def __init__(self, store, res, namespace, lsel, fsel):
		self.store = store
		self.res = res
		self.key = res.key
		self.namespace = namespace
		self.lsel = lsel
		self.fsel = fsel
		self.closed = False
		self._q = collections.deque()
		self._cv = threading.Condition(threading.Lock())

	def _match(self, obj):
		if obj is None:
			return False
		md = obj['metadata']
		if self.namespace is not None and md.get('namespace') != self.namespace:
			return False
		if not self.lsel.empty() and not self.lsel.matches(md.get('labels')):
			return False
		if not self.fsel.empty() and not self.fsel.matches(obj):
			return False
		return True

	def _offer(self, ev):
		"""Called under the store lock."""
		newm = self._match(ev.obj)
		if ev.type == 'DELETED':
			if not newm:
				return
			out = ev
		elif ev.type == 'ADDED':
			if not newm:
				return
			out = ev
		else:
			oldm = self._match(ev.old) if ev.old is not None else False
			if newm and oldm:
				out = ev
			elif newm:
				out = WatchEvent('ADDED', ev.obj, ev.raw, ev.rv, ev.res_key)
			elif oldm:
				# Like the watch cache: an object that stops matching is sent as DELETED carrying
				# its PREVIOUS content (the state that matched) with the new resourceVersion.
				prev = copy.deepcopy(ev.old)
				prev['metadata']['resourceVersion'] = str(ev.rv)
				out = WatchEvent('DELETED', prev, encode(prev), ev.rv, ev.res_key)
			else:
				return
		self._push(out)

	def _push(self, ev):
		with self._cv:
			if self.closed:
				return
			if len(self._q) >= self.MAX_QUEUE:
				self.closed = True
			else:
				self._q.append(ev)
			self._cv.notify()

	def next(self, timeout=None):
		"""Next WatchEvent, or None on timeout or when closed (check .closed)."""
		with self._cv:
			if not self._q and not self.closed:
				self._cv.wait(timeout)
			if self._q:
				return self._q.popleft()
			return None

	def pending(self):
		return len(self._q)

	def close(self):
		with self._cv:
			self.closed = True
			self._cv.notify_all()
		self.store._remove_watcher(self)


# --- helpers --------------------------------------------------------------------------------------

_DNS1123_SUB = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')
_DNS1123_LABEL = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')
_GEN_CHARS = 'bcdfghjklmnpqrstvwxz2456789'
_DUMPS = json.JSONEncoder(separators=(',', ':'), ensure_ascii=False).encode


def now_rfc3339():
	return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())


def encode(obj):
	return _DUMPS(obj).encode()


def _deep_eq_ignoring(a, b, keys):
	if a.keys() != b.keys():
		ka = set(a) - set(keys)
		kb = set(b) - set(keys)
		if ka != kb:
			return False
	for k in a:
		if k in keys:
			continue
		if a.get(k) != b.get(k):
			return False
	return True


_META_SERVER = ('uid', 'resourceVersion', 'creationTimestamp', 'generation', 'deletionTimestamp',
		'deletionGracePeriodSeconds', 'selfLink', 'managedFields')


class _Entry:
	__slots__ = ('obj', 'raw')

	def __init__(self, obj, raw):
		self.obj = obj
		self.raw = raw


class _Table:
	def __init__(self):
		self.objs = {}     # (ns, name) -> _Entry
		self.keys = []     # sorted (ns, name)


# --- the store ------------------------------------------------------------------------------------

class Store:
	def __init__(self, validate=True, history=20000, bookmark_interval=30.0):
		self.validate = validate
		self._lock = threading.RLock()
		self._rv = 0
		self._tables = {}
		self._res = {}           # gvr -> Resource
		self._kinds = {}         # (group, version, kind) -> Resource
		self._history = collections.deque(maxlen=max(1, history))
		self._compacted = 0      # every event with rv <= this is gone from history
		self._watchers = {}      # res key -> set(Watcher)
		self._subs = {}          # token -> (key or None, callback)
		self._sub_seq = 0
		self._sub_q = collections.deque()
		self._sub_cv = threading.Condition(threading.Lock())
		self._sub_thread = None
		self._admission = {}     # res key -> [fn]
		self._owners = collections.defaultdict(set)   # owner uid -> {(key, ns, name)}
		self._uids = {}          # uid -> (key, ns, name)
		self._rv_cv = threading.Condition(self._lock)
		self.bookmark_interval = bookmark_interval
		self.discovery_listeners = []   # fn() called after the set of served resources changed
		self._install_builtins()

	# ---- resources ----
	def _install_builtins(self):
		B = self._register
		B(Resource('', 'v1', 'namespaces', 'Namespace', namespaced=False, short_names=['ns'],
			   status=True, generation=False))
		B(Resource('', 'v1', 'configmaps', 'ConfigMap', short_names=['cm'], status=False, generation=False))
		B(Resource('', 'v1', 'secrets', 'Secret', status=False, generation=False))
		B(Resource('', 'v1', 'serviceaccounts', 'ServiceAccount', short_names=['sa'], status=False,
			   generation=False))
		B(Resource('', 'v1', 'events', 'Event', short_names=['ev'], status=False, generation=False))
		B(Resource('events.k8s.io', 'v1', 'events', 'Event', short_names=['ev'], status=False,
			   generation=False))
		B(Resource('coordination.k8s.io', 'v1', 'leases', 'Lease', status=False, generation=False))
		B(Resource('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition',
			   namespaced=False, short_names=['crd', 'crds'], categories=['api-extensions'],
			   status=True, generation=True))

	def _register(self, res):
		with self._lock:
			self._res[res.gvr] = res
			self._kinds[(res.group, res.version, res.kind)] = res
			self._tables.setdefault(res.key, _Table())
		return res

	def _notify_discovery(self):
		for fn in list(self.discovery_listeners):
			try:
				fn()
			except Exception:   # noqa: BLE001 - listeners must not break writes
				pass

	def resources(self):
		with self._lock:
			return list(self._res.values())

	def resource(self, group, version, plural):
		r = self._res.get((group, version, plural))
		if r is None:
			raise ApiError(404, 'NotFound', 'the server could not find the requested resource',
				       {'group': group, 'kind': plural})
		return r

	def resource_for_kind(self, api_version, kind):
		group, _, version = api_version.rpartition('/')
		r = self._kinds.get((group, version, kind))
		if r is None:
			raise ApiError(404, 'NotFound', 'no matches for kind "%s" in version "%s"' % (kind, api_version))
		return r

	def ensure_resource(self, api_version, kind, plural, namespaced=True, status=True, generation=True):
		group, _, version = api_version.rpartition('/')
		with self._lock:
			r = self._res.get((group, version, plural))
			if r is None:
				r = self._register(Resource(group, version, plural, kind, namespaced=namespaced,
							    status=status, generation=generation))
				changed = True
			else:
				changed = False
		if changed:
			self._notify_discovery()
		return r

	def _r(self, res):
		if isinstance(res, Resource):
			return res
		if isinstance(res, tuple) and len(res) == 3:
			return self.resource(*res)
		raise TypeError('res must be a Resource or (group, version, plural)')

	def add_admission(self, group, plural, fn):
		self._admission.setdefault((group, plural), []).append(fn)

	def current_rv(self):
		return self._rv

	def count(self):
		return sum(len(t.objs) for t in self._tables.values())

	# ---- reads ----
	def _out(self, res, entry):
		obj = json.loads(entry.raw)
		if obj.get('apiVersion') != res.api_version:
			obj['apiVersion'] = res.api_version
		return obj

	def raw_of(self, res, entry):
		"""JSON bytes of an entry as served through `res` (its version)."""
		if entry.obj.get('apiVersion') == res.api_version:
			return entry.raw
		o = dict(entry.obj)
		o['apiVersion'] = res.api_version
		return encode(o)

	def _ns_of(self, res, namespace, obj=None):
		if not res.namespaced:
			return ''
		if namespace is None and obj is not None:
			namespace = (obj.get('metadata') or {}).get('namespace')
		if not namespace:
			raise bad_request('an empty namespace may not be set when a resource name is provided')
		return namespace

	def get_entry(self, res, name, namespace=None):
		res = self._r(res)
		ns = self._ns_of(res, namespace)
		e = self._tables[res.key].objs.get((ns, name))
		if e is None:
			raise not_found(res, name)
		return e

	def get(self, res, name, namespace=None):
		res = self._r(res)
		return self._out(res, self.get_entry(res, name, namespace))

	def list(self, res, namespace=None, label_selector=None, field_selector=None, limit=None,
		 continue_token=None, resource_version=None, resource_version_match=None):
		res = self._r(res)
		entries, meta = self.list_entries(res, namespace, label_selector, field_selector, limit,
						  continue_token, resource_version, resource_version_match)
		return {'apiVersion': res.api_version, 'kind': res.list_kind, 'metadata': meta,
			'items': [self._out(res, e) for e in entries]}

	@staticmethod
	def parse_selectors(label_selector, field_selector, res=None):
		try:
			ls = label_selector if isinstance(label_selector, LabelSelector) else \
				LabelSelector.parse(label_selector or '')
			fs = field_selector if isinstance(field_selector, FieldSelector) else \
				FieldSelector.parse(field_selector or '')
		except SelectorError as e:
			raise bad_request(str(e)) from None
		if res is not None:
			allowed = _field_selectable(res)
			for f in fs.fields():
				if f not in allowed:
					raise bad_request('field label not supported: %s' % f)
		return ls, fs

	def list_entries(self, res, namespace=None, label_selector=None, field_selector=None, limit=None,
			 continue_token=None, resource_version=None, resource_version_match=None):
		"""-> ([_Entry], list metadata dict).  Snapshot-consistent paging over the history ring."""
		res = self._r(res)
		ls, fs = self.parse_selectors(label_selector, field_selector, res)
		if limit is not None:
			try:
				limit = int(limit)
			except (TypeError, ValueError):
				raise bad_request('invalid limit') from None
			if limit <= 0:
				limit = None
		ns = namespace if res.namespaced and namespace else None
		start = None
		snap_rv = None
		if continue_token:
			try:
				tok = json.loads(base64.urlsafe_b64decode(continue_token.encode() + b'=='))
				snap_rv = int(tok['rv'])
				start = tuple(tok['start'])
			except (ValueError, KeyError, TypeError):
				raise bad_request('continue key is not valid: incorrect encoded start resourceVersion '
						  '(version meta.k8s.io/v1)') from None
			if resource_version not in (None, ''):
				raise bad_request('specifying resource version is not allowed when using continue')
		elif resource_version not in (None, '', '0'):
			try:
				want = int(resource_version)
			except ValueError:
				raise bad_request('invalid resource version: %s' % resource_version) from None
			if resource_version_match == 'Exact':
				snap_rv = want
			else:
				self._wait_rv(want)
		with self._lock:
			cur = self._rv
			table = self._tables[res.key]
			if snap_rv is not None and snap_rv < cur:
				if snap_rv < self._compacted:
					if continue_token:
						raise ApiError(410, 'Expired', 'The provided continue parameter is too old to '
							       'display a consistent list result. You can start a new list '
							       'without the continue parameter, or use the continue token in '
							       'this response to retrieve the remainder of the results. '
							       'Continuing with the provided token results in an inconsistent '
							       'list - objects that were created, modified, or deleted between '
							       'the time the first chunk was returned and now may show up in '
							       'the list.')
					raise ApiError(410, 'Expired', 'too old resource version: %d (%d)'
						       % (snap_rv, self._compacted + 1))
				overlay = {}
				for ev in reversed(self._history):
					if ev.rv <= snap_rv:
						break
					if ev.res_key != res.key:
						continue
					md = ev.obj['metadata']
					k = (md.get('namespace', ''), md['name'])
					overlay[k] = None if ev.type == 'ADDED' else ev.old
				stream = _merged(table, overlay)
				list_rv = snap_rv
			else:
				stream = None
				list_rv = cur if snap_rv is None else snap_rv
			out = []
			if stream is None:
				keys = table.keys
				if ns is not None:
					lo = bisect.bisect_left(keys, (ns, ''))
					hi = bisect.bisect_left(keys, (ns + '\x00', ''))
				else:
					lo, hi = 0, len(keys)
				if start is not None:
					lo = max(lo, bisect.bisect_right(keys, start))
				objs = table.objs
				i = lo
				selecting = not ls.empty() or not fs.empty()
				while i < hi:
					e = objs[keys[i]]
					i += 1
					if selecting and not _sel(e.obj, ls, fs):
						continue
					out.append(e)
					if limit is not None and len(out) >= limit:
						break
				more = False
				if limit is not None and len(out) >= limit:
					if not selecting:
						more = i < hi
					else:
						for j in range(i, hi):
							if _sel(objs[keys[j]].obj, ls, fs):
								more = True
								break
				remaining = (hi - i) if (more and not selecting) else None
			else:
				more = False
				remaining = None
				for k, e in stream:
					if ns is not None and k[0] != ns:
						continue
					if start is not None and k <= start:
						continue
					if not _sel(e.obj, ls, fs):
						continue
					if limit is not None and len(out) >= limit:
						more = True
						break
					out.append(e)
			meta = {'resourceVersion': str(list_rv)}
			if more and out:
				last = out[-1].obj['metadata']
				tok = {'v': 'meta.k8s.io/v1', 'rv': list_rv,
				       'start': [last.get('namespace', ''), last['name']]}
				meta['continue'] = base64.urlsafe_b64encode(encode(tok)).decode().rstrip('=')
				if remaining is not None:
					meta['remainingItemCount'] = remaining
			return out, meta

	def _wait_rv(self, want, timeout=3.0):
		with self._lock:
			deadline = time.monotonic() + timeout
			while self._rv < want:
				left = deadline - time.monotonic()
				if left <= 0:
					raise ApiError(504, 'Timeout', 'Timeout: Too large resource version: %d, current: %d'
						       % (want, self._rv),
						       {'causes': [{'reason': 'ResourceVersionTooLarge',
								    'message': 'Too large resource version'}],
							'retryAfterSeconds': 1})
				self._rv_cv.wait(left)

	# ---- watch ----
	def watch(self, res, namespace=None, resource_version=None, label_selector=None, field_selector=None):
		res = self._r(res)
		ls, fs = self.parse_selectors(label_selector, field_selector, res)
		w = Watcher(self, res, namespace if res.namespaced and namespace else None, ls, fs)
		with self._lock:
			if resource_version in (None, '', '0'):
				table = self._tables[res.key]
				for k in table.keys:
					e = table.objs[k]
					if w._match(e.obj):
						w._q.append(WatchEvent('ADDED', e.obj, e.raw, int(e.obj['metadata']['resourceVersion']),
								       res.key))
			else:
				try:
					rv = int(resource_version)
				except ValueError:
					raise bad_request('invalid resource version: %s' % resource_version) from None
				if rv < self._compacted:
					st = ApiError(410, 'Expired', 'too old resource version: %d (%d)'
						      % (rv, self._compacted + 1)).status()
					raw = encode(st)
					w._q.append(WatchEvent('ERROR', st, raw, rv))
					w.closed = True
					return w
				for ev in self._history:
					if ev.rv > rv and ev.res_key == res.key:
						w._offer(ev)
			self._watchers.setdefault(res.key, set()).add(w)
		return w

	def _remove_watcher(self, w):
		with self._lock:
			s = self._watchers.get(w.key)
			if s is not None:
				s.discard(w)

	def close_watchers(self):
		"""Drop every open watch (fault injection). Returns how many were closed."""
		with self._lock:
			ws = [w for s in self._watchers.values() for w in s]
			self._watchers = {}
		for w in ws:
			with w._cv:
				w.closed = True
				w._cv.notify_all()
		return len(ws)

	def compact(self):
		with self._lock:
			self._history.clear()
			self._compacted = self._rv
			return self._rv

	def subscribe(self, callback, res=None):
		key = self._r(res).key if res is not None else None
		with self._sub_cv:
			self._sub_seq += 1
			tok = self._sub_seq
			self._subs[tok] = (key, callback)
			if self._sub_thread is None:
				self._sub_thread = threading.Thread(target=self._dispatch, name='store-dispatch', daemon=True)
				self._sub_thread.start()
		return tok

	def unsubscribe(self, token):
		with self._sub_cv:
			self._subs.pop(token, None)

	def _dispatch(self):
		while True:
			with self._sub_cv:
				while not self._sub_q:
					self._sub_cv.wait()
				ev = self._sub_q.popleft()
				subs = list(self._subs.values())
			for key, cb in subs:
				if key is None or key == ev.res_key:
					try:
						cb(ev)
					except Exception as e:  # noqa: BLE001 - a bad subscriber must not stop others
						import sys
						print('store: subscriber error: %r' % e, file=sys.stderr)

	def wait_idle(self, timeout=5.0):
		"""Wait until subscribers have been handed every committed event (tests)."""
		deadline = time.monotonic() + timeout
		while time.monotonic() < deadline:
			if not self._sub_q:
				return True
			time.sleep(0.005)
		return False

	# ---- commit ----
	def _commit(self, res, etype, new_obj, old_entry):
		"""Store new_obj (DELETED: remove), assign a new rv, record and dispatch the event. Lock held."""
		self._rv += 1
		rv = self._rv
		md = new_obj['metadata']
		md['resourceVersion'] = str(rv)
		raw = encode(new_obj)
		table = self._tables[res.key]
		k = (md.get('namespace', ''), md['name'])
		uid = md.get('uid')
		if etype == 'DELETED':
			table.objs.pop(k, None)
			i = bisect.bisect_left(table.keys, k)
			if i < len(table.keys) and table.keys[i] == k:
				del table.keys[i]
			self._uids.pop(uid, None)
			for ref in md.get('ownerReferences') or []:
				self._owners.get(ref.get('uid'), set()).discard((res.key, k[0], k[1]))
		else:
			if k not in table.objs:
				bisect.insort(table.keys, k)
			table.objs[k] = _Entry(new_obj, raw)
			self._uids[uid] = (res.key, k[0], k[1])
			oldrefs = {r.get('uid') for r in ((old_entry.obj['metadata'].get('ownerReferences') or [])
							 if old_entry else [])}
			newrefs = {r.get('uid') for r in md.get('ownerReferences') or []}
			for u in oldrefs - newrefs:
				self._owners.get(u, set()).discard((res.key, k[0], k[1]))
			for u in newrefs - oldrefs:
				self._owners[u].add((res.key, k[0], k[1]))
		ev = WatchEvent(etype, new_obj, raw, rv, res.key, old_entry.obj if old_entry else None)
		if len(self._history) == self._history.maxlen:
			self._compacted = self._history[0].rv
		self._history.append(ev)
		for w in list(self._watchers.get(res.key, ())):
			w._offer(ev)
		if self._subs:
			with self._sub_cv:
				self._sub_q.append(ev)
				self._sub_cv.notify()
		self._rv_cv.notify_all()
		return ev

	# ---- writes ----
	def create(self, res, obj, namespace=None, field_manager=None, dry_run=False, field_validation=None,
		   warnings=None, _apply=False):
		res = self._r(res)
		if not isinstance(obj, dict):
			raise bad_request('the body of the request was not a JSON object')
		obj = copy.deepcopy(obj)
		md = obj.get('metadata')
		if md is None or not isinstance(md, dict):
			md = obj['metadata'] = {}
		self._check_type_meta(res, obj)
		ns = ''
		if res.namespaced:
			body_ns = md.get('namespace')
			if namespace and body_ns and body_ns != namespace:
				raise bad_request('the namespace of the provided object does not match the namespace sent on '
						  'the request')
			ns = namespace or body_ns
			if not ns:
				raise bad_request('an empty namespace may not be set during creation')
			md['namespace'] = ns
		else:
			md.pop('namespace', None)
		if md.get('resourceVersion'):
			raise bad_request('resourceVersion should not be set on objects to be created')
		with self._lock:
			if not md.get('name') and md.get('generateName'):
				for _ in range(8):
					cand = md['generateName'] + ''.join(random.choice(_GEN_CHARS) for _ in range(5))
					if (ns, cand) not in self._tables[res.key].objs:
						md['name'] = cand
						break
			name = md.get('name') or ''
			errs = self._validate_meta(res, md, create=True)
			if errs:
				raise invalid(res, name, errs)
			if res.namespaced:
				nse = self._tables[('', 'namespaces')].objs.get(('', ns))
				if nse is None:
					raise ApiError(404, 'NotFound', 'namespaces "%s" not found' % ns,
						       {'name': ns, 'kind': 'namespaces'})
				if nse.obj['metadata'].get('deletionTimestamp'):
					raise ApiError(403, 'Forbidden', '%s "%s" is forbidden: unable to create new content in '
						       'namespace %s because it is being terminated' % (res.qualified, name, ns),
						       {'name': name, 'group': res.group, 'kind': res.plural,
							'causes': [{'reason': 'NamespaceTerminating', 'message':
								    'namespace %s is being terminated' % ns,
								    'field': 'metadata.namespace'}]})
			if (ns, name) in self._tables[res.key].objs:
				raise already_exists(res, name)
			for f in _META_SERVER:
				md.pop(f, None)
			md['uid'] = str(uuid.uuid4())
			md['creationTimestamp'] = now_rfc3339()
			if res.generation:
				md['generation'] = 1
			if res.status:
				obj.pop('status', None)
			applied = copy.deepcopy(obj) if _apply else None
			self._builtin_mutate(res, obj, None)
			obj['apiVersion'] = res.storage_api_version if hasattr(res, 'storage_api_version') else res.api_version
			if self.validate:
				self._validate_schema(res, obj, name, field_validation, warnings)
				self._admit(res, 'CREATE', obj, None)
			obj['metadata']['managedFields'] = ssa.managed_after_write(
				res, None, applied if _apply else obj, field_manager or 'unknown',
				'Apply' if _apply else 'Update', None)
			if not obj['metadata']['managedFields']:
				del obj['metadata']['managedFields']
			if dry_run:
				obj['metadata']['resourceVersion'] = ''
				return obj
			self._commit(res, 'ADDED', obj, None)
			self._after_commit(res, obj, None)
			return self._out(res, self._tables[res.key].objs[(ns, name)])

	def _check_type_meta(self, res, obj):
		av = obj.get('apiVersion')
		kind = obj.get('kind')
		if av and av != res.api_version:
			group = av.rpartition('/')[0]
			if group != res.group:
				raise bad_request('the API version in the data (%s) does not match the expected API version '
						  '(%s)' % (av, res.api_version))
		if kind and kind != res.kind:
			raise bad_request('the kind in the data (%s) does not match the expected kind (%s)' % (kind, res.kind))
		obj['apiVersion'] = res.api_version
		obj['kind'] = res.kind

	def _validate_meta(self, res, md, create):
		errs = []
		name = md.get('name')
		if not name:
			errs.append(('metadata.name', 'Required value', 'name or generateName is required'))
		elif res.key == ('', 'namespaces'):
			if len(name) > 63 or not _DNS1123_LABEL.match(name):
				errs.append(('metadata.name', 'Invalid value',
					     '"%s": a lowercase RFC 1123 label must consist of lower case alphanumeric '
					     'characters or \'-\', and must start and end with an alphanumeric character '
					     '(e.g. \'my-name\',  or \'123-abc\', regex used for validation is '
					     '\'[a-z0-9]([-a-z0-9]*[a-z0-9])?\')' % name))
		elif len(name) > 253 or not _DNS1123_SUB.match(name):
			errs.append(('metadata.name', 'Invalid value',
				     '"%s": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric '
				     'characters, \'-\' or \'.\', and must start and end with an alphanumeric character '
				     '(e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?'
				     '(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')' % name))
		for fld in ('labels', 'annotations'):
			v = md.get(fld)
			if v is not None and (not isinstance(v, dict) or
					      any(not isinstance(x, str) for x in v.values())):
				errs.append(('metadata.' + fld, 'Invalid value', 'must be a map of string to string'))
		for k, v in (md.get('labels') or {}).items():
			if isinstance(v, str) and len(v) > 63:
				errs.append(('metadata.labels', 'Invalid value', '"%s": must be no more than 63 characters' % v))
		fin = md.get('finalizers')
		if fin is not None and (not isinstance(fin, list) or any(not isinstance(x, str) for x in fin)):
			errs.append(('metadata.finalizers', 'Invalid value', 'must be a list of strings'))
		return errs

	def _validate_schema(self, res, obj, name, field_validation, warnings):
		if res.schema is None:
			return
		errs, unknown = schema_mod.process(res.schema, obj, embedded_root=True)
		if unknown:
			if field_validation == 'Strict':
				raise bad_request('strict decoding error: ' + ', '.join('unknown field "%s"' % u for u in unknown))
			if warnings is not None and field_validation != 'Ignore':
				warnings.extend('unknown field "%s"' % u for u in unknown)
		if errs:
			raise invalid(res, name, errs)

	def _admit(self, res, op, new, old):
		for fn in self._admission.get(res.key, ()):
			fn(op, new, old)

	def _builtin_mutate(self, res, obj, old):
		if res.key == ('', 'namespaces'):
			obj.setdefault('spec', {})
			if old is None:
				obj['spec'].setdefault('finalizers', ['kubernetes'])
				obj['status'] = {'phase': 'Active'}
			md = obj['metadata']
			md.setdefault('labels', {})['kubernetes.io/metadata.name'] = md['name']
		elif res.key == ('', 'secrets'):
			sd = obj.pop('stringData', None)
			if sd:
				data = obj.setdefault('data', {})
				for k, v in sd.items():
					data[k] = base64.b64encode(str(v).encode()).decode()
			for k, v in (obj.get('data') or {}).items():
				try:
					base64.b64decode(v, validate=True)
				except (ValueError, TypeError):
					raise bad_request('illegal base64 data in secret key %s' % k) from None
			obj.setdefault('type', 'Opaque')

	# update / patch ---------------------------------------------------------------------------
	def update(self, res, obj, namespace=None, subresource=None, field_manager=None, dry_run=False,
		   field_validation=None, warnings=None):
		res = self._r(res)
		if not isinstance(obj, dict):
			raise bad_request('the body of the request was not a JSON object')
		md = obj.get('metadata') or {}
		name = md.get('name')
		if not name:
			raise invalid(res, '', [('metadata.name', 'Required value', 'name is required')])
		ns = self._ns_of(res, namespace, obj)
		if res.namespaced and md.get('namespace') and md['namespace'] != ns:
			raise bad_request('the namespace of the provided object does not match the namespace sent on the '
					  'request')
		with self._lock:
			old = self._tables[res.key].objs.get((ns, name))
			if old is None:
				raise not_found(res, name)
			rv = md.get('resourceVersion')
			if rv:
				if rv != old.obj['metadata']['resourceVersion']:
					raise conflict(res, name, 'the object has been modified; please apply your changes to the '
						       'latest version and try again')
			elif res.crd:
				raise invalid(res, name, [('metadata.resourceVersion', 'Invalid value',
							   '0x0: must be specified for an update')])
			return self._write(res, old, copy.deepcopy(obj), subresource, field_manager or 'unknown',
					   'Update', dry_run, field_validation, warnings)

	def patch(self, res, name, body, patch_type='merge', namespace=None, subresource=None, field_manager=None,
		  force=False, dry_run=False, field_validation=None, warnings=None):
		res = self._r(res)
		ns = self._ns_of(res, namespace)
		if patch_type == 'apply':
			if not field_manager:
				raise ApiError(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required '
					       'value: is required for apply patch',
					       {'group': 'meta.k8s.io', 'kind': 'PatchOptions',
						'causes': [{'reason': 'FieldValueRequired', 'message': 'Required value: is '
							    'required for apply patch', 'field': 'fieldManager'}]})
			return self._apply(res, name, ns, body, field_manager, force, subresource, dry_run,
					   field_validation, warnings)
		if force:
			raise ApiError(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be '
				       'specified for non-apply patch')
		if patch_type == 'strategic' and res.crd:
			raise ApiError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - '
				       'accepted media types include: application/json-patch+json, '
				       'application/merge-patch+json, application/apply-patch+yaml')
		with self._lock:
			old = self._tables[res.key].objs.get((ns, name))
			if old is None:
				raise not_found(res, name)
			cur = self._out(res, old)
			try:
				if patch_type == 'merge':
					if not isinstance(body, dict):
						raise PatchError('json: cannot unmarshal into map', 400)
					new = merge_patch(cur, body)
				elif patch_type == 'json':
					new = json_patch(cur, body)
				elif patch_type == 'strategic':
					if not isinstance(body, dict):
						raise PatchError('json: cannot unmarshal into map', 400)
					new = strategic_merge(cur, body)
				else:
					raise ApiError(415, 'UnsupportedMediaType', 'unsupported patch type %s' % patch_type)
			except PatchError as e:
				if e.code == 400:
					raise bad_request(str(e)) from None
				raise ApiError(422, 'Invalid', str(e)) from None
			if not isinstance(new, dict):
				raise bad_request('patch result is not an object')
			nmd = new.get('metadata')
			if not isinstance(nmd, dict):
				nmd = new['metadata'] = {}
			prv = nmd.get('resourceVersion')
			if prv and prv != old.obj['metadata']['resourceVersion']:
				raise conflict(res, name, 'the object has been modified; please apply your changes to the '
					       'latest version and try again')
			if nmd.get('name') != name:
				raise bad_request('the name of the object (%s) does not match the name on the URL (%s)'
						  % (nmd.get('name'), name))
			return self._write(res, old, new, subresource, field_manager or 'unknown', 'Update', dry_run,
					   field_validation, warnings)

	def apply(self, res, obj, field_manager, namespace=None, force=False, subresource=None, dry_run=False):
		res = self._r(res)
		md = obj.get('metadata') or {}
		return self.patch(res, md.get('name'), obj, 'apply', namespace or md.get('namespace'), subresource,
				  field_manager, force, dry_run)

	def _apply(self, res, name, ns, body, manager, force, subresource, dry_run, field_validation, warnings):
		if not isinstance(body, dict):
			raise bad_request('error decoding YAML: the apply configuration must be an object')
		if not body.get('apiVersion') or not body.get('kind'):
			raise bad_request('apply patch must set apiVersion and kind')
		body = copy.deepcopy(body)
		md = body.setdefault('metadata', {})
		if md.get('name') not in (None, name):
			raise bad_request('the name of the object (%s) does not match the name on the URL (%s)'
					  % (md.get('name'), name))
		md['name'] = name
		if res.namespaced:
			if md.get('namespace') not in (None, '', ns):
				raise bad_request('the namespace of the provided object does not match the namespace sent '
						  'on the request')
			md['namespace'] = ns
		self._check_type_meta(res, body)
		with self._lock:
			old = self._tables[res.key].objs.get((ns, name))
			if old is None:
				if subresource:
					raise not_found(res, name)
				return self.create(res, body, ns, manager, dry_run, field_validation, warnings, _apply=True)
			if md.get('resourceVersion') and md['resourceVersion'] != old.obj['metadata']['resourceVersion']:
				raise conflict(res, name, 'the object has been modified; please apply your changes to the '
					       'latest version and try again')
			cur = self._out(res, old)
			try:
				new, managed = ssa.apply(res, cur, body, manager, force, subresource)
			except ssa.Conflicts as c:
				raise ApiError(409, 'Conflict', c.message(), {
					'causes': [{'reason': 'FieldManagerConflict', 'message': 'conflict with %s' % m,
						    'field': p} for m, p in c.items]}) from None
			return self._write(res, old, new, subresource, manager, 'Apply', dry_run, field_validation,
					   warnings, managed=managed)

	def _write(self, res, old, new, subresource, manager, operation, dry_run, field_validation, warnings,
		   managed=None):
		"""Common update path. Lock held. `new` is owned by us."""
		oobj = old.obj
		omd = oobj['metadata']
		name = omd['name']
		if subresource not in (None, '', 'status'):
			raise ApiError(404, 'NotFound', 'the server could not find the requested resource')
		if subresource == 'status' and not res.status:
			raise ApiError(404, 'NotFound', 'the server could not find the requested resource')
		self._check_type_meta(res, new)
		if subresource == 'status':
			st = new.get('status')
			new = json.loads(old.raw)
			if st is None:
				new.pop('status', None)
			else:
				new['status'] = st
		else:
			nmd = new.get('metadata')
			if not isinstance(nmd, dict):
				nmd = new['metadata'] = {}
			if res.status:
				if 'status' in oobj:
					new['status'] = copy.deepcopy(oobj['status'])
				else:
					new.pop('status', None)
			for f in ('uid', 'creationTimestamp', 'generation', 'deletionTimestamp',
				  'deletionGracePeriodSeconds', 'name', 'namespace', 'selfLink', 'generateName'):
				if f in omd:
					nmd[f] = omd[f]
				else:
					nmd.pop(f, None)
			if omd.get('deletionTimestamp'):
				oldf = set(omd.get('finalizers') or [])
				added = [f for f in (nmd.get('finalizers') or []) if f not in oldf]
				if added:
					raise invalid(res, name, [('metadata.finalizers', 'Forbidden',
								   'no new finalizers can be added if the object is being '
								   'deleted, found new finalizers %s' % json.dumps(added))])
			errs = self._validate_meta(res, nmd, create=False)
			if errs:
				raise invalid(res, name, errs)
			self._builtin_mutate(res, new, oobj)
		nmd = new['metadata']
		nmd['resourceVersion'] = omd['resourceVersion']
		if self.validate:
			self._validate_schema(res, new, name, field_validation, warnings)
		# generation: bumped when anything outside metadata (and status, with a status subresource) changed
		if res.generation:
			skip = ('metadata', 'status') if res.status else ('metadata',)
			if not _deep_eq_ignoring(oobj, new, skip):
				nmd['generation'] = (omd.get('generation') or 0) + 1
		if managed is None:
			managed = ssa.managed_after_write(res, oobj, new, manager, operation, subresource)
		if managed:
			nmd['managedFields'] = managed
		else:
			nmd.pop('managedFields', None)
		# no-op: nothing but managedFields timestamps changed -> no new resourceVersion
		if _same_object(oobj, new):
			return self._out(res, old)
		if self.validate:
			self._admit(res, 'UPDATE', new, oobj)
		if dry_run:
			return new
		if nmd.get('deletionTimestamp') and not nmd.get('finalizers') and not _ns_spec_finalizers(res, new):
			self._remove(res, new, old)
			return copy.deepcopy(new)
		ev = self._commit(res, 'MODIFIED', new, old)
		self._after_commit(res, new, oobj)
		return json.loads(ev.raw)

	# delete -------------------------------------------------------------------------------------
	def delete(self, res, name, namespace=None, propagation_policy=None, preconditions=None,
		   grace_period_seconds=None, dry_run=False):
		res = self._r(res)
		ns = self._ns_of(res, namespace)
		if propagation_policy not in (None, '', 'Orphan', 'Foreground', 'Background'):
			raise ApiError(422, 'Invalid', 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: '
				       'Unsupported value: "%s": supported values: "Foreground", "Background", "Orphan", '
				       'nil' % propagation_policy)
		with self._lock:
			old = self._tables[res.key].objs.get((ns, name))
			if old is None:
				raise not_found(res, name)
			omd = old.obj['metadata']
			pre = preconditions or {}
			if pre.get('uid') and pre['uid'] != omd['uid']:
				raise conflict(res, name, 'Precondition failed: UID in precondition: %s, UID in object meta: %s'
					       % (pre['uid'], omd['uid']))
			if pre.get('resourceVersion') and pre['resourceVersion'] != omd['resourceVersion']:
				raise conflict(res, name, 'Precondition failed: ResourceVersion in precondition: %s, '
					       'ResourceVersion in object meta: %s' % (pre['resourceVersion'],
										  omd['resourceVersion']))
			if dry_run:
				return self._out(res, old)
			fins = list(omd.get('finalizers') or [])
			pol = propagation_policy or ''
			if pol == 'Orphan' and 'orphan' not in fins and not omd.get('deletionTimestamp'):
				fins.append('orphan')
			if pol == 'Foreground' and 'foregroundDeletion' not in fins and not omd.get('deletionTimestamp'):
				fins.append('foregroundDeletion')
			if res.key == ('', 'namespaces'):
				return self._delete_namespace(res, old)
			if fins:
				if omd.get('deletionTimestamp') and fins == list(omd.get('finalizers') or []):
					return self._out(res, old)
				new = json.loads(old.raw)
				md = new['metadata']
				md['finalizers'] = fins
				if not md.get('deletionTimestamp'):
					md['deletionTimestamp'] = now_rfc3339()
					md['deletionGracePeriodSeconds'] = 0
					if res.generation:
						md['generation'] = (md.get('generation') or 0) + 1
				self._commit(res, 'MODIFIED', new, old)
				self._after_commit(res, new, old.obj)
				self._run_gc_finalizers(res, new)
				cur = self._tables[res.key].objs.get((ns, name))
				return self._out(res, cur) if cur else copy.deepcopy(new)
			final = json.loads(old.raw)
			self._remove(res, final, old)
			st = {'kind': 'Status', 'apiVersion': 'v1', 'metadata': {}, 'status': 'Success',
			      'details': {'name': name, 'kind': res.plural, 'uid': omd['uid']}}
			if res.group:
				st['details']['group'] = res.group
			return st

	def _remove(self, res, obj, old):
		"""Final removal (DELETED event) plus garbage collection. Lock held."""
		self._commit(res, 'DELETED', obj, old)
		self._after_delete(res, obj)

	def _after_delete(self, res, obj):
		md = obj['metadata']
		uid = md['uid']
		# background GC of dependents whose owners are all gone
		for (k, ns, name) in list(self._owners.pop(uid, ())):
			self._gc_dependent(k, ns, name, uid, delete=True)
		# foreground owners waiting for this dependent
		for ref in md.get('ownerReferences') or []:
			loc = self._uids.get(ref.get('uid'))
			if loc is None:
				continue
			oe = self._tables[loc[0]].objs.get((loc[1], loc[2]))
			if oe and oe.obj['metadata'].get('deletionTimestamp') and \
					'foregroundDeletion' in (oe.obj['metadata'].get('finalizers') or []):
				self._run_gc_finalizers(self._res_by_key(loc[0]), oe.obj)
		# namespace controller
		if res.namespaced:
			nse = self._tables[('', 'namespaces')].objs.get(('', md.get('namespace')))
			if nse and nse.obj['metadata'].get('deletionTimestamp'):
				self._try_finish_namespace(nse)
		if res.key == ('apiextensions.k8s.io', 'customresourcedefinitions'):
			self._crd_removed(obj)

	def _res_by_key(self, key):
		for r in self._res.values():
			if r.key == key:
				return r
		return None

	def _gc_dependent(self, key, ns, name, owner_uid, delete):
		e = self._tables.get(key, _Table()).objs.get((ns, name))
		if e is None:
			return
		r = self._res_by_key(key)
		refs = e.obj['metadata'].get('ownerReferences') or []
		alive = [x for x in refs if x.get('uid') != owner_uid and x.get('uid') in self._uids]
		if delete and not alive:
			if not e.obj['metadata'].get('deletionTimestamp'):
				self.delete(r, name, ns or None, propagation_policy='Background')
		else:
			new = json.loads(e.raw)
			keep = [x for x in refs if x.get('uid') != owner_uid]
			if keep:
				new['metadata']['ownerReferences'] = keep
			else:
				new['metadata'].pop('ownerReferences', None)
			self._commit(r, 'MODIFIED', new, e)

	def _run_gc_finalizers(self, res, obj):
		"""The garbage collector's handling of the orphan / foregroundDeletion finalizers."""
		md = obj['metadata']
		fins = md.get('finalizers') or []
		uid = md['uid']
		ns = md.get('namespace', '')
		if 'orphan' in fins:
			for (k, dns, dname) in list(self._owners.get(uid, ())):
				self._gc_dependent(k, dns, dname, uid, delete=False)
			self._drop_finalizer(res, ns, md['name'], 'orphan')
		elif 'foregroundDeletion' in fins:
			deps = list(self._owners.get(uid, ()))
			for (k, dns, dname) in deps:
				e = self._tables[k].objs.get((dns, dname))
				if e is not None and not e.obj['metadata'].get('deletionTimestamp'):
					self.delete(self._res_by_key(k), dname, dns or None, propagation_policy='Foreground')
			if not self._owners.get(uid):
				self._drop_finalizer(res, ns, md['name'], 'foregroundDeletion')

	def _drop_finalizer(self, res, ns, name, fin):
		e = self._tables[res.key].objs.get((ns, name))
		if e is None:
			return
		new = json.loads(e.raw)
		new['metadata']['finalizers'] = [f for f in new['metadata'].get('finalizers') or [] if f != fin]
		if not new['metadata']['finalizers']:
			del new['metadata']['finalizers']
			if new['metadata'].get('deletionTimestamp'):
				self._remove(res, new, e)
				return
		self._commit(res, 'MODIFIED', new, e)

	def _delete_namespace(self, res, old):
		md = old.obj['metadata']
		if not md.get('deletionTimestamp'):
			new = json.loads(old.raw)
			new['metadata']['deletionTimestamp'] = now_rfc3339()
			new['metadata']['deletionGracePeriodSeconds'] = 0
			new.setdefault('status', {})['phase'] = 'Terminating'
			self._commit(res, 'MODIFIED', new, old)
			ns = md['name']
			for key, table in list(self._tables.items()):
				r = self._res_by_key(key)
				if r is None or not r.namespaced:
					continue
				lo = bisect.bisect_left(table.keys, (ns, ''))
				hi = bisect.bisect_left(table.keys, (ns + '\x00', ''))
				for k in list(table.keys[lo:hi]):
					e = table.objs.get(k)
					if e is not None and not e.obj['metadata'].get('deletionTimestamp'):
						self.delete(r, k[1], ns)
			nse = self._tables[res.key].objs.get(('', ns))
			if nse is not None:  # may already be gone when its last object went
				self._try_finish_namespace(nse)
		cur = self._tables[res.key].objs.get(('', md['name']))
		return self._out(res, cur) if cur else json.loads(old.raw)

	def _try_finish_namespace(self, nse):
		ns = nse.obj['metadata']['name']
		for key, table in self._tables.items():
			lo = bisect.bisect_left(table.keys, (ns, ''))
			if lo < len(table.keys) and table.keys[lo][0] == ns:
				r = self._res_by_key(key)
				if r is not None and r.namespaced:
					return
		res = self._res[('', 'v1', 'namespaces')]
		new = json.loads(nse.raw)
		new['spec']['finalizers'] = []
		if new['metadata'].get('finalizers'):
			self._commit(res, 'MODIFIED', new, nse)
			return
		self._remove(res, new, nse)

	# ---- CRDs ----
	def _after_commit(self, res, obj, old):
		if res.key == ('apiextensions.k8s.io', 'customresourcedefinitions'):
			self._crd_changed(obj)

	def _crd_changed(self, crd):
		spec = crd.get('spec') or {}
		names = spec.get('names') or {}
		group = spec.get('group', '')
		plural = names.get('plural')
		if not plural:
			return
		storage = next((v.get('name') for v in spec.get('versions') or [] if v.get('storage')), None)
		# drop versions no longer served
		for gvr in [g for g, r in self._res.items() if r.key == (group, plural)]:
			self._res.pop(gvr, None)
		for v in spec.get('versions') or []:
			if not v.get('served', True):
				continue
			sub = v.get('subresources') or {}
			sch = (v.get('schema') or {}).get('openAPIV3Schema')
			r = Resource(group, v['name'], plural, names.get('kind'), namespaced=spec.get('scope') == 'Namespaced',
				     singular=names.get('singular'), short_names=names.get('shortNames') or (),
				     categories=names.get('categories') or (), status='status' in sub, generation=True,
				     schema=sch, crd=True, list_kind=names.get('listKind'),
				     printer_columns=v.get('additionalPrinterColumns') or [], storage_version=storage,
				     scale='scale' in sub)
			r.storage_api_version = group + '/' + (storage or v['name'])
			self._register(r)
		st = crd.get('status') or {}
		if not any(c.get('type') == 'Established' for c in st.get('conditions') or []):
			new = copy.deepcopy(crd)
			now = now_rfc3339()
			new['status'] = {
				'acceptedNames': {k: v for k, v in names.items()},
				'storedVersions': [storage] if storage else [],
				'conditions': [
					{'type': 'NamesAccepted', 'status': 'True', 'reason': 'NoConflicts',
					 'message': 'no conflicts found', 'lastTransitionTime': now},
					{'type': 'Established', 'status': 'True', 'reason': 'InitialNamesAccepted',
					 'message': 'the initial names have been accepted', 'lastTransitionTime': now}]}
			crdres = self._res[('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')]
			e = self._tables[crdres.key].objs[('', crd['metadata']['name'])]
			self._commit(crdres, 'MODIFIED', new, e)
		threading.Thread(target=self._notify_discovery, daemon=True).start()

	def _crd_removed(self, crd):
		spec = crd.get('spec') or {}
		group = spec.get('group', '')
		plural = (spec.get('names') or {}).get('plural')
		key = (group, plural)
		table = self._tables.get(key)
		res = self._res_by_key(key)
		if table is not None and res is not None:
			for k in list(table.keys):
				e = table.objs.get(k)
				if e is not None:
					final = json.loads(e.raw)
					self._commit(res, 'DELETED', final, e)
		for gvr in [g for g, r in self._res.items() if r.key == key]:
			self._res.pop(gvr, None)
		for kk in [k for k, r in self._kinds.items() if r.key == key]:
			self._kinds.pop(kk, None)
		for w in list(self._watchers.pop(key, ())):
			with w._cv:
				w.closed = True
				w._cv.notify_all()
		threading.Thread(target=self._notify_discovery, daemon=True).start()

	def install_crd(self, crd):
		"""Create (or replace the spec of) a CRD object; returns it."""
		res = self._res[('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')]
		name = crd['metadata']['name']
		with self._lock:
			if ('', name) in self._tables[res.key].objs:
				cur = self.get(res, name)
				cur['spec'] = crd['spec']
				return self.update(res, cur)
			return self.create(res, crd)


# --- module helpers -------------------------------------------------------------------------------

def _sel(obj, ls, fs):
	if not ls.empty() and not ls.matches(obj['metadata'].get('labels')):
		return False
	if not fs.empty() and not fs.matches(obj):
		return False
	return True


def _merged(table, overlay):
	"""Sorted (key, entry-like) over current entries with `overlay` (key -> old obj or None) applied."""
	okeys = sorted(overlay)
	keys = table.keys
	i = j = 0
	while i < len(keys) or j < len(okeys):
		if j >= len(okeys) or (i < len(keys) and keys[i] < okeys[j]):
			k = keys[i]
			i += 1
			yield k, table.objs[k]
		else:
			k = okeys[j]
			j += 1
			if i < len(keys) and keys[i] == k:
				i += 1
			o = overlay[k]
			if o is not None:
				yield k, _Entry(o, encode(o))


def _field_selectable(res):
	base = {'metadata.name', 'metadata.namespace'}
	if res.key == ('', 'events') or res.key == ('events.k8s.io', 'events'):
		base |= {'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name',
			 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion',
			 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type',
			 'regarding.kind', 'regarding.name', 'regarding.namespace', 'regarding.uid'}
	elif res.key == ('', 'secrets'):
		base.add('type')
	elif res.key == ('', 'namespaces'):
		base.add('status.phase')
	return base


def _same_object(a, b):
	ma = a['metadata']
	mb = b['metadata']
	if not _deep_eq_ignoring(a, b, ('metadata',)):
		return False
	return _deep_eq_ignoring(ma, mb, ('managedFields', 'resourceVersion')) and \
		_strip_times(ma.get('managedFields')) == _strip_times(mb.get('managedFields'))


def _strip_times(mf):
	if not mf:
		return []
	return [{k: v for k, v in e.items() if k != 'time'} for e in mf]


def _ns_spec_finalizers(res, obj):
	return res.key == ('', 'namespaces') and bool((obj.get('spec') or {}).get('finalizers'))

