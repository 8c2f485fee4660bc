"""Server-side apply: field ownership (managedFields, FieldsV1) and the apply merge.

Field paths are tuples of elements: ('f', name) map field, ('k', keyjson) list-map item,
('v', valuejson) set item, ('.',) the list item itself.  A manager owns leaves: scalars, atomic
lists, empty maps, set values and list-map items ('.').  List semantics come from the CRD schema
(x-kubernetes-list-type / -list-map-keys; default atomic) or, for schema-less kinds, from the
built-in kinds' patch merge keys (containers by name, ...).  metadata.finalizers is a set,
metadata.ownerReferences a map keyed by uid, labels/annotations are granular maps.

apply(res, live, config, manager, force, subresource) -> (merged object, managedFields)
	raises Conflicts (message() is the API server's text) when another manager owns a field the
	config sets to a different value and force is false.
managed_after_write(res, old, new, manager, operation, subresource) -> managedFields for a
	non-apply write (the writer takes every field it changed).
"""

import copy
import json
import time

from patch import MERGE_KEYS

MISSING = object()
_META_TRACKED = ('labels', 'annotations', 'finalizers', 'ownerReferences')


def _now():
	return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())


def _kjson(v):
	return json.dumps(v, sort_keys=True, separators=(',', ':'), ensure_ascii=False)


class Conflicts(Exception):
	def __init__(self, items):
		super().__init__('conflicts')
		self.items = items   # [(manager description, path string)]

	def message(self):
		if len(self.items) == 1:
			m, p = self.items[0]
			return 'Apply failed with 1 conflict: conflict with %s: %s' % (m, p)
		by = {}
		for m, p in self.items:
			by.setdefault(m, []).append(p)
		lines = []
		for m in sorted(by):
			lines.append('conflicts with %s:' % m)
			lines.extend('- %s' % p for p in sorted(by[m]))
		return 'Apply failed with %d conflicts: %s' % (len(self.items), '\n'.join(lines))


# --- list semantics --------------------------------------------------------------------------------

def _sub(snode, name):
	if snode is None:
		return None
	props = snode.get('properties')
	if props and name in props:
		return props[name]
	ap = snode.get('additionalProperties')
	if isinstance(ap, dict):
		return ap
	return None


def _list_kind(snode, has_schema, fname, items, in_meta):
	if in_meta:
		if fname == 'finalizers':
			return 'set', None
		if fname == 'ownerReferences':
			return 'map', ['uid']
		return 'atomic', None
	if snode is not None:
		lt = snode.get('x-kubernetes-list-type')
		if lt == 'map':
			return 'map', list(snode.get('x-kubernetes-list-map-keys') or [])
		if lt == 'set':
			return 'set', None
		return 'atomic', None
	if has_schema:
		return 'atomic', None
	key = MERGE_KEYS.get(fname)
	if key and items and all(isinstance(x, dict) and key in x for x in items):
		return 'map', [key]
	return 'atomic', None


def _item_key(item, keys):
	return _kjson({k: item.get(k) for k in keys if k in item})


# --- field sets --------------------------------------------------------------------------------------

def _walk(obj, snode, has_schema, prefix, out, in_meta=False):
	for k, v in obj.items():
		p = prefix + (('f', k),)
		sn = _sub(snode, k)
		if isinstance(v, dict):
			if not v:
				out[p] = v
			else:
				_walk(v, sn, has_schema, p, out, in_meta)
		elif isinstance(v, list):
			lk, keys = _list_kind(sn, has_schema, k, v, in_meta)
			if lk == 'atomic' or not v:
				out[p] = v
			elif lk == 'set':
				for x in v:
					out[p + (('v', _kjson(x)),)] = x
			else:
				isn = sn.get('items') if isinstance(sn, dict) else None
				for x in v:
					if not isinstance(x, dict):
						out[p] = v
						break
					ip = p + (('k', _item_key(x, keys)),)
					out[ip + (('.',),)] = None
					_walk(x, isn, has_schema, ip, out, False)
		else:
			out[p] = v


def fieldset(res, obj, subresource=None):
	"""{path: value} of the leaves of obj that a manager can own (scoped to the endpoint)."""
	out = {}
	has_schema = res.schema is not None
	root = res.schema
	for k, v in obj.items():
		if k in ('apiVersion', 'kind'):
			continue
		if k == 'metadata':
			if not isinstance(v, dict):
				continue
			for mk in _META_TRACKED:
				if mk in v and v[mk] is not None:
					_walk({mk: v[mk]}, None, False, (('f', 'metadata'),), out, in_meta=True)
			continue
		if res.status:
			if subresource == 'status' and k != 'status':
				continue
			if subresource != 'status' and k == 'status':
				continue
		_walk({k: v}, {'properties': {k: _sub(root, k)}} if root else None, has_schema, (), out)
	return out


def path_string(path):
	s = []
	for el in path:
		if el[0] == 'f':
			s.append('.' + el[1])
		elif el[0] == 'k':
			kv = json.loads(el[1])
			s.append('[' + ','.join('%s=%s' % (k, _kjson(v)) for k, v in sorted(kv.items())) + ']')
		elif el[0] == 'v':
			s.append('[=%s]' % el[1])
		elif el[0] == 'i':
			s.append('[%s]' % el[1])
	return ''.join(s)


def to_fields_v1(paths):
	root = {}
	for p in sorted(paths, key=lambda x: tuple(':'.join(e) for e in x)):
		node = root
		for el in p:
			if el[0] == '.':
				key = '.'
			else:
				key = el[0] + ':' + el[1]
			node = node.setdefault(key, {})
	return root


def from_fields_v1(fv, prefix=()):
	out = set()
	for key, sub in (fv or {}).items():
		if key == '.':
			if prefix and prefix[-1][0] == 'k':
				out.add(prefix + (('.',),))
			continue
		t, _, rest = key.partition(':')
		p = prefix + ((t, rest),)
		if not sub or list(sub.keys()) == ['.']:
			if sub and prefix is not None and t == 'k':
				out.add(p + (('.',),))
			else:
				out.add(p)
		else:
			out |= from_fields_v1(sub, p)
	return out


def _entries(obj):
	"""Parsed managedFields: list of dicts with an extra 'set'."""
	out = []
	for e in (obj.get('metadata') or {}).get('managedFields') or []:
		if not isinstance(e, dict) or not e.get('manager'):
			continue
		d = {k: v for k, v in e.items() if k != 'fieldsV1'}
		d['set'] = from_fields_v1(e.get('fieldsV1') or {})
		out.append(d)
	return out


def _serialize(entries):
	out = []
	for e in entries:
		if not e['set']:
			continue
		d = {'manager': e['manager'], 'operation': e['operation'], 'apiVersion': e.get('apiVersion'),
		     'time': e.get('time') or _now(), 'fieldsType': 'FieldsV1', 'fieldsV1': to_fields_v1(e['set'])}
		if e.get('subresource'):
			d['subresource'] = e['subresource']
		out.append(d)
	return out


def _entry_for(entries, manager, operation, subresource, api_version):
	for e in entries:
		if e['manager'] == manager and e['operation'] == operation and \
				(e.get('subresource') or '') == (subresource or ''):
			e['apiVersion'] = api_version
			e['time'] = _now()
			return e
	e = {'manager': manager, 'operation': operation, 'apiVersion': api_version, 'time': _now(), 'set': set()}
	if subresource:
		e['subresource'] = subresource
	entries.append(e)
	return e


def _related(p, s):
	"""Does set s contain p or an ancestor of p?"""
	if p in s:
		return p
	for i in range(len(p) - 1, 0, -1):
		if p[:i] in s:
			return p[:i]
	return None


def managed_after_write(res, old, new, manager, operation, subresource):
	md = new.get('metadata') or {}
	if md.get('managedFields') == [{}]:
		return []
	if old is None:
		fs = fieldset(res, new, subresource)
		entries = []
		_entry_for(entries, manager, operation, subresource, res.api_version)['set'] = set(fs)
		return _serialize(entries)
	of = fieldset(res, old, subresource)
	nf = fieldset(res, new, subresource)
	changed = {p for p, v in nf.items() if p not in of or of[p] != v}
	removed = set(of) - set(nf)
	entries = _entries(old)
	if changed or removed:
		for e in entries:
			e['set'] -= changed
			e['set'] -= removed
		_entry_for(entries, manager, operation, subresource, res.api_version)['set'] |= changed
	return _serialize(entries)


# --- values at paths ---------------------------------------------------------------------------------

def get_path(obj, path):
	cur = obj
	for el in path:
		t = el[0]
		if t == 'f':
			if not isinstance(cur, dict) or el[1] not in cur:
				return MISSING
			cur = cur[el[1]]
		elif t == 'k':
			if not isinstance(cur, list):
				return MISSING
			kv = json.loads(el[1])
			for it in cur:
				if isinstance(it, dict) and all(it.get(k) == v for k, v in kv.items()):
					cur = it
					break
			else:
				return MISSING
		elif t == 'v':
			if not isinstance(cur, list):
				return MISSING
			v = json.loads(el[1])
			return v if v in cur else MISSING
		elif t == '.':
			return cur
	return cur


def remove_path(obj, path):
	"""Remove the leaf at path from obj (in place); prunes emptied maps below the top level."""
	if not path:
		return
	parents = []
	cur = obj
	for el in path[:-1]:
		parents.append(cur)
		nxt = get_path(cur, (el,))
		if nxt is MISSING:
			return
		cur = nxt
	last = path[-1]
	if last[0] == 'f':
		if isinstance(cur, dict):
			cur.pop(last[1], None)
	elif last[0] == 'v':
		if isinstance(cur, list):
			v = json.loads(last[1])
			while v in cur:
				cur.remove(v)
	elif last[0] == '.':
		# cur is the item; remove it from its list (parents[-1])
		lst = parents[-1] if parents else None
		if isinstance(lst, list):
			for i, it in enumerate(lst):
				if it is cur:
					del lst[i]
					break
		return
	# prune emptied intermediate maps (not top-level fields like spec)
	for depth in range(len(path) - 2, 0, -1):
		node = get_path(obj, path[:depth + 1])
		if isinstance(node, dict) and not node and path[depth][0] == 'f':
			parent = get_path(obj, path[:depth])
			if isinstance(parent, dict):
				parent.pop(path[depth][1], None)
		else:
			break


# --- merge -------------------------------------------------------------------------------------------

def _merge(live, cfg, snode, has_schema, in_meta=False, top=False):
	out = dict(live) if isinstance(live, dict) else {}
	for k, v in cfg.items():
		sn = _sub(snode, k)
		lv = out.get(k)
		meta = in_meta or (top and k == 'metadata')
		if isinstance(v, dict) and isinstance(lv, dict):
			out[k] = _merge(lv, v, sn, has_schema, meta)
		elif isinstance(v, list) and isinstance(lv, list):
			lk, keys = _list_kind(sn, has_schema, k, v, in_meta)
			if lk == 'set':
				out[k] = list(lv) + [copy.deepcopy(x) for x in v if x not in lv]
			elif lk == 'map' and all(isinstance(x, dict) for x in v + lv):
				isn = sn.get('items') if isinstance(sn, dict) else None
				res = list(lv)
				for x in v:
					kx = _item_key(x, keys)
					for i, y in enumerate(res):
						if _item_key(y, keys) == kx:
							res[i] = _merge(y, x, isn, has_schema)
							break
					else:
						res.append(copy.deepcopy(x))
				out[k] = res
			else:
				out[k] = copy.deepcopy(v)
		else:
			out[k] = copy.deepcopy(v)
	return out


def _describe(e):
	m = json.dumps(e['manager'])
	if e.get('subresource'):
		m += ' with subresource %s' % json.dumps(e['subresource'])
	if e['operation'] == 'Update':
		m += ' using %s' % e.get('apiVersion')
	return m


def apply(res, live, config, manager, force, subresource):
	cfg_f = fieldset(res, config, subresource)
	entries = _entries(live)
	mine = None
	for e in entries:
		if e['manager'] == manager and e['operation'] == 'Apply' and \
				(e.get('subresource') or '') == (subresource or ''):
			mine = e
	conflicts = []
	conflict_paths = []
	for e in entries:
		if e is mine:
			continue
		for p, v in cfg_f.items():
			q = _related(p, e['set'])
			if q is None:
				continue
			if q[-1][0] == '.' or p[-1][0] == '.':
				continue
			lv = get_path(live, q)
			cv = get_path(config, q) if q != p else v
			if lv != cv:
				conflicts.append((_describe(e), path_string(q), e, q))
	if conflicts and not force:
		seen = set()
		items = []
		for d, ps, _e, _q in conflicts:
			if (d, ps) not in seen:
				seen.add((d, ps))
				items.append((d, ps))
		raise Conflicts(items)
	for _d, _ps, e, q in conflicts:
		e['set'].discard(q)
		conflict_paths.append(q)
	merged = _merge(live, {k: v for k, v in config.items()}, res.schema, res.schema is not None, top=True)
	# fields this manager stops applying are removed when nobody else owns them
	if mine is not None:
		others = set()
		for e in entries:
			if e is not mine:
				others |= e['set']
		gone = mine['set'] - set(cfg_f)
		# whole list items first (shallowest first), then fields deepest first
		for p in sorted(gone, key=lambda x: (x[-1][0] != '.', len(x) if x[-1][0] == '.' else -len(x))):
			if _related(p, others) is not None:
				continue
			if p[-1][0] == '.' and any(o[:len(p) - 1] == p[:-1] for o in others):
				continue
			remove_path(merged, p)
	mine = _entry_for(entries, manager, 'Apply', subresource, res.api_version)
	mine['set'] = set(cfg_f)
	return merged, _serialize(entries)
