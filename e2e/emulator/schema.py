"""Structural-schema processing of custom resources, in the API server's order:
drop nulls of non-nullable fields, prune unknown fields, apply defaults, validate.

process(schema, obj, embedded_root=True) mutates obj in place and returns (errors, unknown):
  errors  [(field path, error type, detail)] rendered like k8s.io/apimachinery field.Error
  unknown ["spec.foo", ...] pruned field paths (for fieldValidation Warn/Strict)
Supported: type (object/array/string/integer/number/boolean), nullable, properties,
additionalProperties, items, required, enum, pattern, minLength/maxLength, minimum/maximum
(+exclusive), multipleOf, minItems/maxItems, uniqueItems, minProperties/maxProperties,
x-kubernetes-preserve-unknown-fields, x-kubernetes-embedded-resource, x-kubernetes-int-or-string,
x-kubernetes-list-type set/map (duplicates), default, format int32/int64 (range), allOf/anyOf/oneOf/not
(validation only).  Not evaluated: x-kubernetes-validations (CEL) — documented in docs/emulator.md.
"""

import copy
import json
import re

_OBJECTMETA = {'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation',
	       'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations',
	       'ownerReferences', 'finalizers', 'managedFields'}
_RE_CACHE = {}


def _type_name(v):
	if v is None:
		return 'null'
	if isinstance(v, bool):
		return 'boolean'
	if isinstance(v, int):
		return 'integer'
	if isinstance(v, float):
		return 'number'
	if isinstance(v, str):
		return 'string'
	if isinstance(v, list):
		return 'array'
	return 'object'


def go_value(v):
	"""Render a value like field.Error does (%#v-ish for scalars)."""
	if isinstance(v, str):
		return json.dumps(v, ensure_ascii=False)
	if isinstance(v, bool):
		return 'true' if v else 'false'
	if v is None:
		return 'null'
	if isinstance(v, float) and v.is_integer():
		return str(int(v))
	if isinstance(v, (int, float)):
		return str(v)
	return json.dumps(v, separators=(',', ':'), sort_keys=True)


def _num(v):
	if isinstance(v, float) and v.is_integer():
		return str(int(v))
	return str(v)


def _join(path, name):
	return name if not path else path + '.' + name


def process(schema, obj, embedded_root=True):
	errs = []
	unknown = []
	if not isinstance(schema, dict):
		return errs, unknown
	# the root: apiVersion/kind/metadata are always kept; metadata is ObjectMeta
	props = schema.get('properties') or {}
	for k in list(obj.keys()):
		if k in ('apiVersion', 'kind'):
			continue
		if k == 'metadata':
			md = obj[k]
			if isinstance(md, dict):
				for mk in list(md.keys()):
					if mk not in _OBJECTMETA:
						del md[mk]
						unknown.append('metadata.' + mk)
			continue
		if k not in props and not schema.get('x-kubernetes-preserve-unknown-fields'):
			del obj[k]
			unknown.append(k)
	_nulls(schema, obj)
	_default(schema, obj, root=True)
	for k, sub in props.items():
		if k in ('metadata', 'apiVersion', 'kind'):
			continue
		if k in obj:
			_validate(sub, obj[k], k, errs, unknown)
	for r in schema.get('required') or []:
		if r not in obj and r not in ('metadata',):
			errs.append((r, 'Required value', ''))
	return errs, unknown


def _nulls(s, v):
	"""Drop null values of fields that are not nullable (before defaulting)."""
	if not isinstance(s, dict):
		return
	if isinstance(v, dict):
		props = s.get('properties') or {}
		ap = s.get('additionalProperties')
		for k in list(v.keys()):
			sub = props.get(k, ap if isinstance(ap, dict) else None)
			if v[k] is None:
				if sub is not None and not sub.get('nullable'):
					del v[k]
			else:
				_nulls(sub, v[k])
	elif isinstance(v, list):
		it = s.get('items')
		for x in v:
			_nulls(it, x)


def _default(s, v, root=False):
	if not isinstance(s, dict):
		return
	if isinstance(v, dict):
		props = s.get('properties') or {}
		for k, sub in props.items():
			if root and k in ('metadata', 'apiVersion', 'kind'):
				continue
			if k not in v and isinstance(sub, dict) and 'default' in sub:
				v[k] = copy.deepcopy(sub['default'])
			if k in v:
				_default(sub, v[k])
		ap = s.get('additionalProperties')
		if isinstance(ap, dict):
			for k in v:
				if k not in props:
					_default(ap, v[k])
	elif isinstance(v, list):
		it = s.get('items')
		for x in v:
			_default(it, x)


def _re(p):
	r = _RE_CACHE.get(p)
	if r is None:
		try:
			r = re.compile(p)
		except re.error:
			r = re.compile(re.escape(p))
		_RE_CACHE[p] = r
	return r


def _validate(s, v, path, errs, unknown):
	if not isinstance(s, dict):
		return
	if v is None:
		if s.get('nullable'):
			return
		errs.append((path, 'Invalid value', '"null": %s in body must be of type %s: "null"'
			     % (path, s.get('type', 'object'))))
		return
	t = s.get('type')
	tn = _type_name(v)
	if s.get('x-kubernetes-int-or-string'):
		if tn not in ('integer', 'string'):
			errs.append((path, 'Invalid value', '"%s": %s in body must be of type integer,string: "%s"'
				     % (tn, path, tn)))
			return
	elif t:
		ok = tn == t or (t == 'number' and tn == 'integer')
		if not ok:
			errs.append((path, 'Invalid value', '"%s": %s in body must be of type %s: "%s"' % (tn, path, t, tn)))
			return
	if 'enum' in s and v not in s['enum']:
		errs.append((path, 'Unsupported value', '%s: supported values: %s'
			     % (go_value(v), ', '.join(go_value(x) for x in s['enum']))))
	if tn == 'string':
		n = len(v)
		if 'maxLength' in s and n > s['maxLength']:
			errs.append((path, 'Too long', 'may not be more than %d bytes' % s['maxLength']))
		if 'minLength' in s and n < s['minLength']:
			errs.append((path, 'Invalid value', '%s: %s in body should be at least %d chars long'
				     % (go_value(v), path, s['minLength'])))
		if 'pattern' in s and not _re(s['pattern']).search(v):
			errs.append((path, 'Invalid value', '%s: %s in body should match \'%s\''
				     % (go_value(v), path, s['pattern'])))
	elif tn in ('integer', 'number'):
		fmt = s.get('format')
		if tn == 'integer' and fmt == 'int32' and not (-2**31 <= v < 2**31):
			errs.append((path, 'Invalid value', '%s: %s in body should be a valid int32' % (v, path)))
		if 'minimum' in s:
			m = s['minimum']
			if s.get('exclusiveMinimum') and not v > m:
				errs.append((path, 'Invalid value', '%s: %s in body should be greater than %s'
					     % (_num(v), path, _num(m))))
			elif v < m:
				errs.append((path, 'Invalid value', '%s: %s in body should be greater than or equal to %s'
					     % (_num(v), path, _num(m))))
		if 'maximum' in s:
			m = s['maximum']
			if s.get('exclusiveMaximum') and not v < m:
				errs.append((path, 'Invalid value', '%s: %s in body should be less than %s'
					     % (_num(v), path, _num(m))))
			elif v > m:
				errs.append((path, 'Invalid value', '%s: %s in body should be less than or equal to %s'
					     % (_num(v), path, _num(m))))
		if s.get('multipleOf') and (v / s['multipleOf']) != int(v / s['multipleOf']):
			errs.append((path, 'Invalid value', '%s: %s in body should be a multiple of %s'
				     % (_num(v), path, _num(s['multipleOf']))))
	elif tn == 'array':
		n = len(v)
		if 'maxItems' in s and n > s['maxItems']:
			errs.append((path, 'Too many', '%d: must have at most %d items' % (n, s['maxItems'])))
		if 'minItems' in s and n < s['minItems']:
			errs.append((path, 'Invalid value', '%d: %s in body should have at least %d items'
				     % (n, path, s['minItems'])))
		lt = s.get('x-kubernetes-list-type')
		if s.get('uniqueItems') or lt == 'set':
			seen = []
			for i, x in enumerate(v):
				if x in seen:
					errs.append(('%s[%d]' % (path, i), 'Duplicate value', go_value(x)))
				seen.append(x)
		if lt == 'map':
			keys = s.get('x-kubernetes-list-map-keys') or []
			seen = []
			for i, x in enumerate(v):
				if isinstance(x, dict):
					kv = {k: x.get(k) for k in keys}
					if kv in seen:
						errs.append(('%s[%d]' % (path, i), 'Duplicate value', go_value(kv)))
					seen.append(kv)
		it = s.get('items')
		if isinstance(it, dict):
			for i, x in enumerate(v):
				_validate(it, x, '%s[%d]' % (path, i), errs, unknown)
	elif tn == 'object':
		_validate_object(s, v, path, errs, unknown)
	for sub in s.get('allOf') or []:
		_validate(dict(sub, type=sub.get('type')), v, path, errs, unknown)
	if s.get('anyOf'):
		if not any(not _errs_of(sub, v, path) for sub in s['anyOf']):
			e = _errs_of(s['anyOf'][0], v, path)
			errs.extend(e[:1] or [(path, 'Invalid value', '%s: %s in body must match any of the schemas'
						% (go_value(v), path))])
	if s.get('oneOf'):
		n = sum(1 for sub in s['oneOf'] if not _errs_of(sub, v, path))
		if n != 1:
			errs.append((path, 'Invalid value', '%s: %s in body must validate one and only one schema (oneOf)'
				     % (go_value(v), path)))
	if isinstance(s.get('not'), dict) and not _errs_of(s['not'], v, path):
		errs.append((path, 'Invalid value', '%s: %s in body must not validate the schema (not)'
			     % (go_value(v), path)))


def _errs_of(s, v, path):
	e = []
	_validate(s, v, path, e, [])
	return e


def _validate_object(s, v, path, errs, unknown):
	props = s.get('properties')
	ap = s.get('additionalProperties')
	preserve = s.get('x-kubernetes-preserve-unknown-fields')
	embedded = s.get('x-kubernetes-embedded-resource')
	if embedded:
		for f in ('apiVersion', 'kind'):
			if not v.get(f) and not (props and f in props):
				errs.append((_join(path, f), 'Required value', 'must not be empty'))
		md = v.get('metadata')
		if md is not None and not isinstance(md, dict):
			errs.append((_join(path, 'metadata'), 'Invalid value', 'must be an object'))
		elif isinstance(md, dict) and not preserve:
			for mk in list(md.keys()):
				if mk not in _OBJECTMETA:
					del md[mk]
	# prune unknown fields
	if props is not None or not preserve:
		if not preserve and not isinstance(ap, dict) and ap is not True:
			for k in list(v.keys()):
				if (props is None or k not in props) and not (embedded and k in ('apiVersion', 'kind', 'metadata')):
					del v[k]
					unknown.append(_join(path, k))
	if 'maxProperties' in s and len(v) > s['maxProperties']:
		errs.append((path, 'Too many', '%d: must have at most %d items' % (len(v), s['maxProperties'])))
	if 'minProperties' in s and len(v) < s['minProperties']:
		errs.append((path, 'Invalid value', '%d: %s in body should have at least %d properties'
			     % (len(v), path, s['minProperties'])))
	for r in s.get('required') or []:
		if r not in v:
			errs.append((_join(path, r), 'Required value', ''))
	for k, x in v.items():
		if props and k in props:
			_validate(props[k], x, _join(path, k), errs, unknown)
		elif isinstance(ap, dict):
			_validate(ap, x, _join(path, k), errs, unknown)
