"""Builders for the OpenChoreo objects the daemon tests apply (plain dicts)."""

NS = 'default'
CELL = 'dp-default-demo-dev-00000000'
LABELS = {'openchoreo.dev/namespace': NS, 'openchoreo.dev/project': 'demo'}


def dataplane(name, plane_id, enabled=True, ns=NS, cluster_scoped=False, annotations=None):
	md = {'name': name, 'labels': {}}
	if not cluster_scoped:
		md['namespace'] = ns
	if enabled:
		md['labels']['ocm.openchoreo.dev/enabled'] = 'true'
	if annotations:
		md['annotations'] = dict(annotations)
	return {'apiVersion': 'openchoreo.dev/v1alpha1', 'kind': 'ClusterDataPlane' if cluster_scoped else 'DataPlane',
		'metadata': md,
		'spec': {'planeID': plane_id, 'clusterAgent': {'clientCA': {'value': 'unused'}}}}


def environment(name, dp, ns=NS, dp_kind='DataPlane'):
	return {'apiVersion': 'openchoreo.dev/v1alpha1', 'kind': 'Environment',
		'metadata': {'name': name, 'namespace': ns},
		'spec': {'dataPlaneRef': {'kind': dp_kind, 'name': dp}, 'isProduction': False}}


def configmap(name, ns=CELL, data=None):
	return {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': name, 'namespace': ns,
		'labels': dict(LABELS)}, 'data': data or {'GREETING': 'hello'}}


def deployment(name, ns=CELL, replicas=1, image='registry.k8s.io/e2e-test-images/agnhost:2.53',
	       annotations=None):
	sel = dict(LABELS, **{'openchoreo.dev/component': name})
	md = {'name': name, 'namespace': ns, 'labels': dict(sel)}
	if annotations:
		md['annotations'] = dict(annotations)
	return {'apiVersion': 'apps/v1', 'kind': 'Deployment', 'metadata': md,
		'spec': {'replicas': replicas, 'selector': {'matchLabels': sel},
			 'template': {'metadata': {'labels': sel},
				      'spec': {'containers': [{'name': 'main', 'image': image}]}}}}


def service(name, ns=CELL):
	sel = dict(LABELS, **{'openchoreo.dev/component': name})
	return {'apiVersion': 'v1', 'kind': 'Service', 'metadata': {'name': name, 'namespace': ns, 'labels': dict(LABELS)},
		'spec': {'selector': sel, 'ports': [{'name': 'http', 'port': 80, 'targetPort': 8080}]}}


def release(name, env, objs, kind='RenderedRelease', ns=NS):
	res = [{'id': '%s-%s' % (o['kind'].lower(), o['metadata']['name']), 'object': o} for o in objs]
	return {'apiVersion': 'openchoreo.dev/v1alpha1', 'kind': kind,
		'metadata': {'name': name, 'namespace': ns, 'labels': dict(LABELS)},
		'spec': {'owner': {'projectName': 'demo', 'componentName': name}, 'environmentName': env,
			 'targetPlane': 'dataplane', 'resources': res}}


def service_release(name, env, kind='RenderedRelease', replicas=1, image=None, ns=NS, cell=CELL,
		    annotations=None):
	d = deployment(name, cell, replicas, annotations=annotations, **({'image': image} if image else {}))
	return release(name, env, [configmap(name + '-env', cell), d, service(name, cell)], kind, ns)


def observability_plane(name, plane_id, enabled=True, ns=NS, cluster_scoped=False):
	op = dataplane(name, plane_id, enabled, ns, cluster_scoped)
	op['kind'] = 'ClusterObservabilityPlane' if cluster_scoped else 'ObservabilityPlane'
	return op


def observability_release(name, env, objs, kind='RenderedRelease', ns=NS):
	r = release(name, env, objs, kind, ns)
	r['spec']['targetPlane'] = 'observabilityplane'
	return r
