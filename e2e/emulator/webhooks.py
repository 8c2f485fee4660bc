"""The OCM hub validating webhooks the emulator reproduces (texts from open-cluster-management-io/ocm):

ManifestWork (work.open-cluster-management.io, CREATE/UPDATE), webhook
  manifestworkvalidators.admission.work.open-cluster-management.io:
  - "manifests should not be empty"
  - "the size of manifests is N bytes which exceeds the 512000 limit" (sum of each manifest's JSON size)
  - "name must be set in manifest", "generateName must not be set in manifest"
  - "duplicate manifest for resource NS/NAME with resource type APIVERSION.KIND"
ManagedClusterSetBinding (cluster.open-cluster-management.io, CREATE/UPDATE), webhook
  managedclustersetbindingvalidators.admission.cluster.open-cluster-management.io:
  - "The ManagedClusterSetBinding must have the same name as the target ManagedClusterSet"
All are answered like the API server relays a webhook's BadRequest: 400, reason BadRequest, message
`admission webhook "<name>" denied the request: <text>`.
"""

import json

from store import ApiError

MANIFEST_LIMIT = 500 * 1024
WORK_WEBHOOK = 'manifestworkvalidators.admission.work.open-cluster-management.io'
BINDING_WEBHOOK = 'managedclustersetbindingvalidators.admission.cluster.open-cluster-management.io'


def _deny(hook, msg):
	return ApiError(400, 'BadRequest', 'admission webhook "%s" denied the request: %s' % (hook, msg))


def go_json_size(obj):
	"""Length of Go's json.Marshal of an unstructured object (sorted keys, HTML-escaped)."""
	s = json.dumps(obj, sort_keys=True, separators=(',', ':'), ensure_ascii=False)
	s = s.replace('<', '\\u003c').replace('>', '\\u003e').replace('&', '\\u0026') \
		.replace('\u2028', '\\u2028').replace('\u2029', '\\u2029')
	return len(s.encode('utf-8'))


def validate_manifests(manifests, limit=MANIFEST_LIMIT):
	"""-> None or the webhook's error text."""
	if not manifests:
		return 'manifests should not be empty'
	total = sum(go_json_size(m) for m in manifests)
	if total > limit:
		return 'the size of manifests is %d bytes which exceeds the %d limit' % (total, limit)
	seen = set()
	for m in manifests:
		md = (m.get('metadata') if isinstance(m, dict) else None) or {}
		if not md.get('name'):
			return 'name must be set in manifest'
		if md.get('generateName'):
			return 'generateName must not be set in manifest'
		av = m.get('apiVersion', '')
		kind = m.get('kind', '')
		key = (av, kind, md.get('namespace', ''), md['name'])
		if key in seen:
			return 'duplicate manifest for resource %s/%s with resource type %s.%s' % (
				md.get('namespace', ''), md['name'], av, kind)
		seen.add(key)
	return None


def manifestwork(op, new, old):
	manifests = ((new.get('spec') or {}).get('workload') or {}).get('manifests') or []
	err = validate_manifests(manifests)
	if err:
		raise _deny(WORK_WEBHOOK, err)


def clustersetbinding(op, new, old):
	if new['metadata'].get('name') != (new.get('spec') or {}).get('clusterSet'):
		raise _deny(BINDING_WEBHOOK, 'The ManagedClusterSetBinding must have the same name as the target '
			    'ManagedClusterSet')


def install(store):
	store.add_admission('work.open-cluster-management.io', 'manifestworks', manifestwork)
	store.add_admission('cluster.open-cluster-management.io', 'managedclustersetbindings', clustersetbinding)
