"""A minimal OpenAPI v3 endpoint (/openapi/v3 and /openapi/v3/<api|apis/g/v>), enough for kubectl:
every resource path with its operations tagged x-kubernetes-group-version-kind, PATCH declaring the
fieldValidation / fieldManager / force / dryRun query parameters (kubectl's server-side-validation
probe), and CRD kinds' schemas in components (kubectl explain).  Built-in kinds carry no component
schema, so kubectl falls back to its compiled-in types for strategic merge patches.
"""

import hashlib
import json

_PARAMS = [{'name': n, 'in': 'query', 'schema': {'type': t, 'uniqueItems': True}}
	   for n, t in (('dryRun', 'string'), ('fieldManager', 'string'), ('fieldValidation', 'string'),
			('force', 'boolean'), ('pretty', 'string'))]


def _schema_name(r):
	g = '.'.join(reversed(r.group.split('.'))) if r.group else 'io.k8s.api.core'
	return '%s.%s.%s' % (g, r.version, r.kind)


def gv_paths(store):
	out = {}
	for r in store.resources():
		key = 'api/v1' if not r.group else 'apis/%s/%s' % (r.group, r.version)
		out.setdefault(key, []).append(r)
	return out


def index(store):
	paths = {}
	for key, rs in sorted(gv_paths(store).items()):
		h = hashlib.sha256(json.dumps(sorted((r.plural, r.kind, r.namespaced, r.status, bool(r.schema))
						     for r in rs)).encode()).hexdigest()[:32].upper()
		paths[key] = {'serverRelativeURL': '/openapi/v3/%s?hash=%s' % (key, h)}
	return {'paths': paths}


def document(store, key):
	rs = gv_paths(store).get(key)
	if not rs:
		return None
	paths = {}
	schemas = {}
	for r in rs:
		gvk = {'group': r.group, 'version': r.version, 'kind': r.kind}
		base = '/' + key
		coll = base + ('/namespaces/{namespace}/' if r.namespaced else '/') + r.plural
		item = coll + '/{name}'
		ref = None
		if r.schema is not None:
			sn = _schema_name(r)
			sch = json.loads(json.dumps(r.schema))
			sch.setdefault('properties', {})
			sch['x-kubernetes-group-version-kind'] = [gvk]
			schemas[sn] = sch
			ref = {'$ref': '#/components/schemas/' + sn}

		def op(verb, action, body=False):
			o = {'operationId': verb + r.kind, 'x-kubernetes-action': action, 'x-kubernetes-group-version-kind': gvk,
			     'parameters': list(_PARAMS) if action in ('patch', 'post', 'put') else [],
			     'responses': {'200': {'description': 'OK', 'content': {'application/json': {'schema': ref or {
				     'type': 'object'}}}}}}
			if body:
				o['requestBody'] = {'content': {'application/json': {'schema': ref or {'type': 'object'}}}}
			return o
		paths[coll] = {'get': op('list', 'list'), 'post': op('create', 'post', True),
			       'delete': op('deletecollection', 'deletecollection')}
		paths[item] = {'get': op('read', 'get'), 'put': op('replace', 'put', True), 'patch': op('patch', 'patch', True),
			       'delete': op('delete', 'delete')}
		if r.status:
			paths[item + '/status'] = {'get': op('read', 'get'), 'put': op('replace', 'put', True),
						   'patch': op('patch', 'patch', True)}
	return {'openapi': '3.0.0', 'info': {'title': 'Kubernetes', 'version': 'v1.32.0'}, 'paths': paths,
		'components': {'schemas': schemas}}
