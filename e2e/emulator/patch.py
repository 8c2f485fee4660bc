"""Patches: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and a strategic-merge subset.

All functions return NEW objects and never mutate their inputs (inputs may be shared, immutable
store objects).  Errors raise PatchError (the server maps it to 422 / 400 like the real one).
"""

import copy
import json


class PatchError(ValueError):
	def __init__(self, message, code=422):
		super().__init__(message)
		self.code = code


def merge_patch(target, patch):
	"""RFC 7386: objects merge recursively, null deletes, anything else replaces."""
	if not isinstance(patch, dict):
		return copy.deepcopy(patch)
	if not isinstance(target, dict):
		target = {}
	out = dict(target)
	for k, v in patch.items():
		if v is None:
			out.pop(k, None)
		elif isinstance(v, dict):
			out[k] = merge_patch(target.get(k), v)
		else:
			out[k] = copy.deepcopy(v)
	return out


# --- RFC 6902 ---------------------------------------------------------------------------------

def _pointer(path):
	if path == '':
		return []
	if not path.startswith('/'):
		raise PatchError('invalid JSON pointer %r' % path, 422)
	return [p.replace('~1', '/').replace('~0', '~') for p in path[1:].split('/')]


def _index(token, n, allow_end):
	if token == '-' and allow_end:
		return n
	if not token.isdigit() or (len(token) > 1 and token[0] == '0'):
		raise PatchError('Unable to access invalid index: %s' % token)
	i = int(token)
	if i > n or (i == n and not allow_end):
		raise PatchError('Unable to access invalid index: %d' % i)
	return i


def _get(doc, toks):
	cur = doc
	for t in toks:
		if isinstance(cur, dict):
			if t not in cur:
				raise PatchError('missing path: /%s' % '/'.join(toks))
			cur = cur[t]
		elif isinstance(cur, list):
			cur = cur[_index(t, len(cur), False)]
		else:
			raise PatchError('missing path: /%s' % '/'.join(toks))
	return cur


def _parent(doc, toks):
	if not toks:
		raise PatchError('cannot operate on the whole document')
	parent = _get(doc, toks[:-1])
	return parent, toks[-1]


def json_patch(target, ops):
	if not isinstance(ops, list):
		raise PatchError('json patch must be a list of operations', 400)
	doc = copy.deepcopy(target)
	for op in ops:
		if not isinstance(op, dict) or 'op' not in op:
			raise PatchError('Unexpected kind: %s' % json.dumps(op), 400)
		kind = op['op']
		if 'path' not in op:
			raise PatchError('%s operation missing path' % kind, 400)
		toks = _pointer(op['path'])
		if kind == 'add':
			if 'value' not in op:
				raise PatchError('add operation does not apply: doc is missing value', 422)
			doc = _add(doc, toks, copy.deepcopy(op['value']))
		elif kind == 'remove':
			doc = _remove(doc, toks)
		elif kind == 'replace':
			if 'value' not in op:
				raise PatchError('replace operation does not apply: doc is missing value', 422)
			_get(doc, toks)
			if not toks:
				doc = copy.deepcopy(op['value'])
			else:
				parent, last = _parent(doc, toks)
				if isinstance(parent, list):
					parent[_index(last, len(parent), False)] = copy.deepcopy(op['value'])
				else:
					parent[last] = copy.deepcopy(op['value'])
		elif kind in ('move', 'copy'):
			if 'from' not in op:
				raise PatchError('%s operation missing from' % kind, 400)
			ftoks = _pointer(op['from'])
			val = copy.deepcopy(_get(doc, ftoks))
			if kind == 'move':
				doc = _remove(doc, ftoks)
			doc = _add(doc, toks, val)
		elif kind == 'test':
			have = _get(doc, toks)
			if have != op.get('value'):
				raise PatchError('testing value %s failed' % op['path'], 422)
		else:
			raise PatchError('Unexpected kind: %s' % kind, 400)
	return doc


def _add(doc, toks, val):
	if not toks:
		return val
	parent, last = _parent(doc, toks)
	if isinstance(parent, dict):
		parent[last] = val
	elif isinstance(parent, list):
		parent.insert(_index(last, len(parent), True), val)
	else:
		raise PatchError('add operation does not apply: doc is missing path: "%s"' % '/'.join(toks))
	return doc


def _remove(doc, toks):
	parent, last = _parent(doc, toks)
	if isinstance(parent, dict):
		if last not in parent:
			raise PatchError('remove operation does not apply: doc is missing path: "/%s"' % '/'.join(toks))
		del parent[last]
	elif isinstance(parent, list):
		del parent[_index(last, len(parent), False)]
	else:
		raise PatchError('remove operation does not apply: doc is missing path: "/%s"' % '/'.join(toks))
	return doc


# --- strategic merge (built-in kinds only) -------------------------------------------------------

# patchMergeKey of the list fields of the built-in kinds the emulator serves (and common workload
# fields for spoke stores); any other list is replaced.
MERGE_KEYS = {
	'containers': 'name', 'initContainers': 'name', 'ephemeralContainers': 'name', 'env': 'name',
	'volumes': 'name', 'volumeMounts': 'mountPath', 'ports': 'containerPort', 'conditions': 'type',
	'imagePullSecrets': 'name', 'secrets': 'name', 'ownerReferences': 'uid', 'tolerations': None,
}


def strategic_merge(target, patch):
	if not isinstance(patch, dict):
		return copy.deepcopy(patch)
	if patch.get('$patch') == 'replace':
		return {k: copy.deepcopy(v) for k, v in patch.items() if not k.startswith('$')}
	if patch.get('$patch') == 'delete':
		return None
	out = dict(target) if isinstance(target, dict) else {}
	retain = patch.get('$retainKeys')
	for k, v in patch.items():
		if k.startswith('$'):
			if k.startswith('$deleteFromPrimitiveList/'):
				name = k.split('/', 1)[1]
				cur = out.get(name) or []
				out[name] = [x for x in cur if x not in (v or [])]
			continue
		if v is None:
			out.pop(k, None)
		elif isinstance(v, dict):
			res = strategic_merge(out.get(k), v)
			if res is None:
				out.pop(k, None)
			else:
				out[k] = res
		elif isinstance(v, list) and MERGE_KEYS.get(k) and isinstance(out.get(k), list) \
				and all(isinstance(x, dict) for x in v):
			out[k] = _merge_list(out[k], v, MERGE_KEYS[k])
		else:
			out[k] = copy.deepcopy(v)
	if isinstance(retain, list):
		for k in list(out.keys()):
			if k not in retain and k not in patch:
				del out[k]
	return out


def _merge_list(cur, patch, key):
	out = list(cur)
	for item in patch:
		kv = item.get(key)
		idx = next((i for i, x in enumerate(out) if isinstance(x, dict) and x.get(key) == kv), None)
		if item.get('$patch') == 'delete':
			if idx is not None:
				del out[idx]
			continue
		if idx is None:
			out.append({k: copy.deepcopy(v) for k, v in item.items() if not k.startswith('$')})
		else:
			out[idx] = strategic_merge(out[idx], item)
	return out
