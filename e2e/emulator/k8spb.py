"""Decoding of Kubernetes protobuf request bodies (application/vnd.kubernetes.protobuf) for the few
built-in kinds kubectl's generators send that way (create namespace / configmap / secret /
serviceaccount).  Responses are always JSON (clients accept it).  Other kinds -> UnsupportedKind.

Envelope: b'k8s\\x00' + runtime.Unknown{typeMeta=1{apiVersion=1, kind=2}, raw=2, contentEncoding=3,
contentType=4}; raw is the kind's message.  Field numbers follow k8s.io/api generated.proto.
"""

import base64

MAGIC = b'k8s\x00'


class PbError(ValueError):
	pass


class UnsupportedKind(PbError):
	pass


def _varint(b, i):
	shift = 0
	v = 0
	while True:
		if i >= len(b):
			raise PbError('truncated varint')
		c = b[i]
		i += 1
		v |= (c & 0x7f) << shift
		if not c & 0x80:
			return v, i
		shift += 7
		if shift > 63:
			raise PbError('varint too long')


def fields(b):
	"""-> [(field number, wire type, value)] where value is int or bytes."""
	out = []
	i = 0
	while i < len(b):
		key, i = _varint(b, i)
		fn, wt = key >> 3, key & 7
		if wt == 0:
			v, i = _varint(b, i)
		elif wt == 1:
			v = int.from_bytes(b[i:i + 8], 'little')
			i += 8
		elif wt == 2:
			n, i = _varint(b, i)
			if i + n > len(b):
				raise PbError('truncated field')
			v = bytes(b[i:i + n])
			i += n
		elif wt == 5:
			v = int.from_bytes(b[i:i + 4], 'little')
			i += 4
		else:
			raise PbError('unsupported wire type %d' % wt)
		out.append((fn, wt, v))
	return out


def _s(v):
	return v.decode('utf-8')


def _map(entries, val=_s):
	out = {}
	for e in entries:
		k = ''
		v = None
		for fn, _wt, x in fields(e):
			if fn == 1:
				k = _s(x)
			elif fn == 2:
				v = val(x)
		out[k] = v if v is not None else val(b'')
	return out


def _signed(v):
	return v - (1 << 64) if v >= 1 << 63 else v


def _msg(b, spec):
	"""spec: field number -> (json name, kind[, sub]) kinds: s, i, b, msg, rs (repeated string),
	rmsg (repeated message), map, mapb (map string->bytes as base64)."""
	out = {}
	rep = {}
	for fn, _wt, v in fields(b):
		if fn not in spec:
			continue
		name, kind = spec[fn][0], spec[fn][1]
		if kind == 's':
			if v:
				out[name] = _s(v)
		elif kind == 'i':
			if v:
				out[name] = _signed(v)
		elif kind == 'b':
			out[name] = bool(v)
		elif kind == 'msg':
			out[name] = _msg(v, spec[fn][2])
		elif kind in ('rs', 'rmsg', 'map', 'mapb'):
			rep.setdefault(fn, []).append(v)
	for fn, vals in rep.items():
		name, kind = spec[fn][0], spec[fn][1]
		if kind == 'rs':
			out[name] = [_s(v) for v in vals]
		elif kind == 'rmsg':
			out[name] = [_msg(v, spec[fn][2]) for v in vals]
		elif kind == 'map':
			out[name] = _map(vals)
		elif kind == 'mapb':
			out[name] = _map(vals, lambda x: base64.b64encode(x).decode())
	return out


_OWNER = {1: ('kind', 's'), 3: ('name', 's'), 4: ('uid', 's'), 5: ('apiVersion', 's'), 6: ('controller', 'b'),
	  7: ('blockOwnerDeletion', 'b')}
_META = {1: ('name', 's'), 2: ('generateName', 's'), 3: ('namespace', 's'), 5: ('uid', 's'),
	 6: ('resourceVersion', 's'), 7: ('generation', 'i'), 11: ('labels', 'map'), 12: ('annotations', 'map'),
	 13: ('ownerReferences', 'rmsg', _OWNER), 14: ('finalizers', 'rs')}
_OBJREF = {1: ('kind', 's'), 2: ('namespace', 's'), 3: ('name', 's'), 4: ('uid', 's'), 5: ('apiVersion', 's')}
_LOCALREF = {1: ('name', 's')}
KINDS = {
	('v1', 'Namespace'): {1: ('metadata', 'msg', _META), 2: ('spec', 'msg', {1: ('finalizers', 'rs')})},
	('v1', 'ConfigMap'): {1: ('metadata', 'msg', _META), 2: ('data', 'map'), 3: ('binaryData', 'mapb'),
			      4: ('immutable', 'b')},
	('v1', 'Secret'): {1: ('metadata', 'msg', _META), 2: ('data', 'mapb'), 3: ('type', 's'),
			   4: ('stringData', 'map'), 5: ('immutable', 'b')},
	('v1', 'ServiceAccount'): {1: ('metadata', 'msg', _META), 2: ('secrets', 'rmsg', _OBJREF),
				   3: ('imagePullSecrets', 'rmsg', _LOCALREF),
				   4: ('automountServiceAccountToken', 'b')},
}


def decode(body):
	if not body.startswith(MAGIC):
		raise PbError('missing protobuf magic')
	av = kind = ''
	raw = b''
	for fn, _wt, v in fields(body[4:]):
		if fn == 1:
			for f2, _w2, x in fields(v):
				if f2 == 1:
					av = _s(x)
				elif f2 == 2:
					kind = _s(x)
		elif fn == 2:
			raw = v
	spec = KINDS.get((av, kind))
	if spec is None:
		raise UnsupportedKind('protobuf bodies are only supported for %s' %
				      ', '.join(k for _v, k in sorted(KINDS)))
	obj = {'apiVersion': av, 'kind': kind}
	obj.update(_msg(raw, spec))
	return obj
