"""Server-side table printing (Accept: application/json;as=Table;g=meta.k8s.io;v=v1), as kubectl asks.

table(res, objs, rv, include) -> meta.k8s.io/v1 Table.  Columns: CRD additionalPrinterColumns (simple
JSONPath: .a.b, [n], [?(@.k=="v")]) or built-in columns for core kinds; Name first, Age last.
"""

import calendar
import re
import time


def age(ts):
	if not ts:
		return '<unknown>'
	try:
		t = calendar.timegm(time.strptime(ts, '%Y-%m-%dT%H:%M:%SZ'))
	except ValueError:
		return '<unknown>'
	d = max(0, int(time.time() - t))
	if d < 120:
		return '%ds' % d
	m = d // 60
	if m < 10:
		s = d % 60
		return '%dm%ds' % (m, s) if s else '%dm' % m
	if m < 180:
		return '%dm' % m
	h = d // 3600
	if h < 8:
		mm = (d % 3600) // 60
		return '%dh%dm' % (h, mm) if mm else '%dh' % h
	if h < 48:
		return '%dh' % h
	days = h // 24
	if days < 8:
		hh = h % 24
		return '%dd%dh' % (days, hh) if hh else '%dd' % days
	if days < 365 * 2:
		return '%dd' % days
	return '%dy' % (days // 365)


_TOK = re.compile(r'\.([A-Za-z0-9_\-]+)|\[(\d+)\]|\[\?\(@\.([A-Za-z0-9_.\-]+)\s*==\s*["\']([^"\']*)["\']\)\]')


def jsonpath(obj, path):
	path = path.strip()
	if path.startswith('{') and path.endswith('}'):
		path = path[1:-1]
	cur = [obj]
	pos = 0
	while pos < len(path):
		m = _TOK.match(path, pos)
		if not m:
			return None
		pos = m.end()
		nxt = []
		for c in cur:
			if m.group(1) is not None:
				if isinstance(c, dict) and m.group(1) in c:
					nxt.append(c[m.group(1)])
			elif m.group(2) is not None:
				i = int(m.group(2))
				if isinstance(c, list) and i < len(c):
					nxt.append(c[i])
			else:
				if isinstance(c, list):
					for it in c:
						v = it
						for p in m.group(3).split('.'):
							v = v.get(p) if isinstance(v, dict) else None
						if v is not None and str(v) == m.group(4):
							nxt.append(it)
		cur = nxt
	if not cur:
		return None
	return cur[0]


def _fmt(v, typ):
	if v is None:
		return None
	if typ == 'date':
		return age(v) if isinstance(v, str) else v
	if isinstance(v, (dict, list)):
		import json
		return json.dumps(v, separators=(',', ':'))
	return v


_BUILTIN = {
	('', 'namespaces'): [('Status', 'string', lambda o: (o.get('status') or {}).get('phase', ''))],
	('', 'configmaps'): [('Data', 'integer', lambda o: len(o.get('data') or {}) + len(o.get('binaryData') or {}))],
	('', 'secrets'): [('Type', 'string', lambda o: o.get('type', '')),
			  ('Data', 'integer', lambda o: len(o.get('data') or {}))],
	('', 'serviceaccounts'): [('Secrets', 'integer', lambda o: len(o.get('secrets') or []))],
	('coordination.k8s.io', 'leases'): [('Holder', 'string',
					     lambda o: (o.get('spec') or {}).get('holderIdentity', ''))],
	('', 'events'): [('Type', 'string', lambda o: o.get('type', '')),
			 ('Reason', 'string', lambda o: o.get('reason', '')),
			 ('Object', 'string', lambda o: '%s/%s' % (((o.get('involvedObject') or {}).get('kind') or '').lower(),
								   (o.get('involvedObject') or {}).get('name', ''))),
			 ('Message', 'string', lambda o: o.get('message', ''))],
}


def columns(res):
	cols = [{'name': 'Name', 'type': 'string', 'format': 'name', 'description': 'Name must be unique within a '
		 'namespace.', 'priority': 0}]
	getters = []
	if res.crd:
		has_age = False
		for c in res.printer_columns:
			cols.append({'name': c.get('name'), 'type': c.get('type', 'string'), 'format': c.get('format', ''),
				     'description': c.get('description', ''), 'priority': c.get('priority', 0)})
			jp = c.get('jsonPath', '')
			getters.append((lambda o, jp=jp, t=c.get('type'): _fmt(jsonpath(o, jp), t)))
			if jp == '.metadata.creationTimestamp':
				has_age = True
		if not has_age:
			cols.append({'name': 'Age', 'type': 'date', 'format': '', 'description': 'creation time', 'priority': 0})
			getters.append(lambda o: age(o['metadata'].get('creationTimestamp')))
	else:
		for name, typ, fn in _BUILTIN.get(res.key, []):
			cols.append({'name': name, 'type': typ, 'format': '', 'description': '', 'priority': 0})
			getters.append(fn)
		cols.append({'name': 'Age', 'type': 'string', 'format': '', 'description': 'creation time', 'priority': 0})
		getters.append(lambda o: age(o['metadata'].get('creationTimestamp')))
	return cols, getters


def row(res, obj, getters, include):
	r = {'cells': [obj['metadata'].get('name')] + [g(obj) for g in getters]}
	if include == 'Object':
		r['object'] = obj
	elif include != 'None':
		r['object'] = {'kind': 'PartialObjectMetadata', 'apiVersion': 'meta.k8s.io/v1', 'metadata': obj['metadata']}
	return r


def table(res, objs, meta, include='Metadata', with_columns=True):
	cols, getters = columns(res)
	t = {'kind': 'Table', 'apiVersion': 'meta.k8s.io/v1', 'metadata': meta,
	     'columnDefinitions': cols if with_columns else None,
	     'rows': [row(res, o, getters, include) for o in objs]}
	return t
