#!/usr/bin/env python3
"""Generates the inputs of the micro benchmarks (deterministic: same bytes on every run).

  gen_data.py --choreo-ocm BIN --out DIR

DIR/release_typical.json  a Release with 7 resources (~8 KB): Deployment, Service, 2 HTTPRoutes,
                          ConfigMap, ExternalSecret, NetworkPolicy; what OpenChoreo renders for one
                          web service.
DIR/release_large.json    a Release with 25 resources (~40 KB): three services plus a StatefulSet,
                          PVC, CronJob, HPA and a Secret-backed config set.
DIR/works_typical.json    the typical Release rendered for dp-east, dp-west, dp-north (by the real
                          render, `choreo-ocm render -o json`) with the status the work agent writes:
                          Applied/Available conditions and statusFeedback values evaluated by the
                          emulator's agent code (e2e/emulator/ocm_agent.py) over synthetic live objects
                          (one cluster still rolling out, so the fold has a real worst-wins to do).
Also used by daemon.py: release_object(name, ns, env, cell, kind, size) builds a typical Release.
"""

import argparse
import copy
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, 'e2e', 'emulator'))

UID = '7f3c2a10-4b5d-4e8f-9a1b-2c3d4e5f6a7b'
T0 = '2026-11-21T09:00:00Z'
T0_S = 1795251600  # T0 in seconds


def _labels(comp, env='development', project='shop', ns='default'):
	return {'openchoreo.dev/namespace': ns, 'openchoreo.dev/project': project,
		'openchoreo.dev/component': comp, 'openchoreo.dev/environment': env,
		'openchoreo.dev/component-uid': '6c1f3e2a-5d4b-4a9e-8f7c-%012x' % (hash_str(comp) & 0xffffffffffff),
		'openchoreo.dev/environment-uid': '0a9b8c7d-6e5f-4d3c-2b1a-0f9e8d7c6b5a',
		'openchoreo.dev/project-uid': '9e8d7c6b-5a4f-3e2d-1c0b-a9f8e7d6c5b4'}


def hash_str(s):
	h = 2166136261
	for ch in s.encode():
		h = ((h ^ ch) * 16777619) & 0xffffffff
	return h


def deployment(name, cell, comp, image, replicas=2, nenv=8):
	lab = _labels(comp)
	env = [{'name': 'SETTING_%02d' % i, 'value': 'value-%s-%02d' % (comp, i)} for i in range(nenv)]
	return {'apiVersion': 'apps/v1', 'kind': 'Deployment',
		'metadata': {'name': name, 'namespace': cell, 'labels': dict(lab)},
		'spec': {'replicas': replicas, 'selector': {'matchLabels': dict(lab)},
			 'template': {'metadata': {'labels': dict(lab)},
				      'spec': {'containers': [{
					      'name': 'main', 'image': image,
					      'ports': [{'containerPort': 8080, 'name': 'http'}],
					      'env': env,
					      'envFrom': [{'configMapRef': {'name': name + '-env'}},
							  {'secretRef': {'name': name + '-secrets'}}],
					      'resources': {'requests': {'cpu': '100m', 'memory': '128Mi'},
							    'limits': {'cpu': '500m', 'memory': '256Mi'}},
					      'readinessProbe': {'httpGet': {'path': '/healthz', 'port': 8080},
								 'periodSeconds': 10},
					      'livenessProbe': {'httpGet': {'path': '/livez', 'port': 8080},
								'periodSeconds': 20}}]}}}}


def service(name, cell, comp):
	lab = _labels(comp)
	return {'apiVersion': 'v1', 'kind': 'Service',
		'metadata': {'name': name, 'namespace': cell, 'labels': dict(lab)},
		'spec': {'type': 'ClusterIP', 'selector': dict(lab),
			 'ports': [{'name': 'http', 'port': 80, 'targetPort': 8080, 'protocol': 'TCP'}]}}


def httproute(name, cell, comp, svc, host, gw):
	return {'apiVersion': 'gateway.networking.k8s.io/v1', 'kind': 'HTTPRoute',
		'metadata': {'name': name, 'namespace': cell, 'labels': _labels(comp)},
		'spec': {'parentRefs': [{'name': gw, 'namespace': 'openchoreo-data-plane'}],
			 'hostnames': [host],
			 'rules': [{'matches': [{'path': {'type': 'PathPrefix', 'value': '/' + comp}}],
				    'filters': [{'type': 'URLRewrite', 'urlRewrite': {'path': {
					    'type': 'ReplacePrefixMatch', 'replacePrefixMatch': '/'}}}],
				    'backendRefs': [{'name': svc, 'port': 80}]}]}}


def configmap(name, cell, comp, nkeys=10):
	return {'apiVersion': 'v1', 'kind': 'ConfigMap',
		'metadata': {'name': name, 'namespace': cell, 'labels': _labels(comp)},
		'data': {'KEY_%02d' % i: 'configuration-value-%s-%02d' % (comp, i) for i in range(nkeys)}}


def externalsecret(name, cell, comp, nkeys=4):
	return {'apiVersion': 'external-secrets.io/v1', 'kind': 'ExternalSecret',
		'metadata': {'name': name, 'namespace': cell, 'labels': _labels(comp)},
		'spec': {'refreshInterval': '1h',
			 'secretStoreRef': {'kind': 'ClusterSecretStore', 'name': 'default'},
			 'target': {'name': name, 'creationPolicy': 'Owner'},
			 'data': [{'secretKey': 'SECRET_%d' % i,
				   'remoteRef': {'key': 'shop/%s' % comp, 'property': 'secret-%d' % i}}
				  for i in range(nkeys)]}}


def networkpolicy(name, cell, comp):
	lab = _labels(comp)
	return {'apiVersion': 'networking.k8s.io/v1', 'kind': 'NetworkPolicy',
		'metadata': {'name': name, 'namespace': cell, 'labels': dict(lab)},
		'spec': {'podSelector': {'matchLabels': {'openchoreo.dev/component': comp}},
			 'policyTypes': ['Ingress', 'Egress'],
			 'ingress': [{'from': [{'namespaceSelector': {'matchLabels': {
				 'openchoreo.dev/project': 'shop'}}}]}],
			 'egress': [{'to': [{'namespaceSelector': {}}]}]}}


def component(comp, cell, suffix, nenv=8):
	"""The 7 resources OpenChoreo renders for one web service."""
	n = '%s-%s' % (comp, suffix)
	return [
		('deployment-' + n, deployment(n, cell, comp, 'ghcr.io/acme/%s:1.4.2' % comp, nenv=nenv)),
		('service-' + n, service(n, cell, comp)),
		('httproute-%s-external' % n, httproute(n + '-external', cell, comp, n, '%s.example.com' % comp,
							 'gateway-external')),
		('httproute-%s-internal' % n, httproute(n + '-internal', cell, comp, n, '%s.internal' % comp,
							 'gateway-internal')),
		('configmap-%s-env' % n, configmap(n + '-env', cell, comp)),
		('externalsecret-%s-secrets' % n, externalsecret(n + '-secrets', cell, comp)),
		('networkpolicy-' + n, networkpolicy(n, cell, comp)),
	]


def release_object(name, ns='default', env='development', cell='dp-default-shop-development-3f9c1a2e',
		   kind='Release', uid=None, size='typical', comp=None):
	comp = comp or name
	if size == 'typical':
		res = component(comp, cell, '5d2c8b1a', nenv=1)
	else:
		res = []
		for i, c in enumerate(('checkout', 'cart', 'catalog')):
			res += component('%s-%s' % (comp, c), cell, '%08x' % hash_str(c), nenv=50)
		lab = _labels(comp)
		res.append(('statefulset-db', {'apiVersion': 'apps/v1', 'kind': 'StatefulSet',
			'metadata': {'name': comp + '-db', 'namespace': cell, 'labels': dict(lab)},
			'spec': {'replicas': 1, 'serviceName': comp + '-db', 'selector': {'matchLabels': dict(lab)},
				 'template': {'metadata': {'labels': dict(lab)}, 'spec': {'containers': [{
					 'name': 'db', 'image': 'postgres:16',
					 'volumeMounts': [{'name': 'data', 'mountPath': '/var/lib/postgresql/data'}]}]}},
				 'volumeClaimTemplates': [{'metadata': {'name': 'data'}, 'spec': {
					 'accessModes': ['ReadWriteOnce'],
					 'resources': {'requests': {'storage': '10Gi'}}}}]}}))
		res.append(('pvc-shared', {'apiVersion': 'v1', 'kind': 'PersistentVolumeClaim',
			'metadata': {'name': comp + '-shared', 'namespace': cell, 'labels': dict(lab)},
			'spec': {'accessModes': ['ReadWriteMany'], 'resources': {'requests': {'storage': '5Gi'}}}}))
		res.append(('cronjob-report', {'apiVersion': 'batch/v1', 'kind': 'CronJob',
			'metadata': {'name': comp + '-report', 'namespace': cell, 'labels': dict(lab)},
			'spec': {'schedule': '0 * * * *', 'jobTemplate': {'spec': {'template': {'spec': {
				'restartPolicy': 'OnFailure',
				'containers': [{'name': 'report', 'image': 'ghcr.io/acme/report:2.0.0',
						'args': ['--since', '1h', '--format', 'json']}]}}}}}}))
		res.append(('hpa-checkout', {'apiVersion': 'autoscaling/v2', 'kind': 'HorizontalPodAutoscaler',
			'metadata': {'name': comp + '-checkout', 'namespace': cell, 'labels': dict(lab)},
			'spec': {'scaleTargetRef': {'apiVersion': 'apps/v1', 'kind': 'Deployment',
						    'name': '%s-checkout-%08x' % (comp, hash_str('checkout'))},
				 'minReplicas': 2, 'maxReplicas': 10,
				 'metrics': [{'type': 'Resource', 'resource': {'name': 'cpu', 'target': {
					 'type': 'Utilization', 'averageUtilization': 70}}}]}}))
	obj = {'apiVersion': 'openchoreo.dev/v1alpha1', 'kind': kind,
	       'metadata': {'name': name, 'namespace': ns, 'generation': 1,
			    'labels': {'openchoreo.dev/namespace': ns, 'openchoreo.dev/project': 'shop',
				       'openchoreo.dev/environment': env}},
	       'spec': {'owner': {'projectName': 'shop', 'componentName': comp}, 'environmentName': env,
			'targetPlane': 'dataplane',
			'resources': [{'id': i, 'object': o} for i, o in res]}}
	if uid:
		obj['metadata']['uid'] = uid
	return obj


def render(binary, release_path, cluster):
	out = subprocess.run([binary, 'render', '-f', release_path, '--cluster', cluster, '-o', 'json'],
			     check=True, capture_output=True, text=True).stdout
	doc = json.loads(out)
	return [w for w in doc['items'] if w.get('kind') == 'ManifestWork']


def live_status(kind, desired, rolling):
	"""A plausible spoke object for a manifest (desired + metadata.generation + status)."""
	o = copy.deepcopy(desired)
	o['metadata']['generation'] = 2
	if kind == 'Deployment':
		r = desired['spec'].get('replicas', 1)
		ready = r - 1 if rolling else r
		o['status'] = {'observedGeneration': 2, 'replicas': r, 'updatedReplicas': r, 'readyReplicas': ready,
			       'availableReplicas': ready,
			       'conditions': [{'type': 'Available', 'status': 'True' if not rolling else 'False',
					       'reason': 'MinimumReplicasAvailable'},
					      {'type': 'Progressing', 'status': 'True',
					       'reason': 'ReplicaSetUpdated' if rolling else 'NewReplicaSetAvailable'}]}
		if rolling:
			o['status']['unavailableReplicas'] = 1
	elif kind == 'StatefulSet':
		o['status'] = {'observedGeneration': 2, 'replicas': 1, 'readyReplicas': 1, 'currentReplicas': 1,
			       'updatedReplicas': 1, 'availableReplicas': 1}
	elif kind == 'HTTPRoute':
		o['status'] = {'parents': [{'parentRef': desired['spec']['parentRefs'][0],
					    'controllerName': 'gateway.envoyproxy.io/gatewayclass-controller',
					    'conditions': [{'type': 'Accepted', 'status': 'True', 'reason': 'Accepted',
							    'observedGeneration': 2},
							   {'type': 'ResolvedRefs', 'status': 'True', 'reason': 'ResolvedRefs',
							    'observedGeneration': 2}]}]}
	elif kind == 'ExternalSecret':
		o['status'] = {'refreshTime': T0, 'syncedResourceVersion': '1-abc',
			       'conditions': [{'type': 'Ready', 'status': 'True', 'reason': 'SecretSynced',
					       'message': 'Secret was synced'}]}
	elif kind == 'PersistentVolumeClaim':
		o['status'] = {'phase': 'Bound'}
	elif kind == 'CronJob':
		o['status'] = {'lastScheduleTime': T0}
	elif kind == 'HorizontalPodAutoscaler':
		o['status'] = {'currentReplicas': 2, 'desiredReplicas': 2}
	return o


def agent_status(work, rolling):
	"""status as the emulator's work agent writes it after a successful apply."""
	import ocm_agent
	import ocm_common as oc
	import ocm_kinds
	gen = work['metadata'].get('generation', 1)
	configs = work['spec'].get('manifestConfigs') or []
	manifests = []
	for ordinal, m in enumerate(work['spec']['workload']['manifests']):
		group, version = ocm_kinds.split_api_version(m['apiVersion'])
		kind = m['kind']
		resource, namespaced = ocm_kinds.resource_for(group, kind)
		ns = m['metadata'].get('namespace', '') if namespaced else ''
		meta = {'ordinal': ordinal, 'group': group, 'version': version, 'kind': kind, 'resource': resource,
			'name': m['metadata']['name'], 'namespace': ns}
		conds = []
		oc.set_condition(conds, 'Applied', 'True', 'AppliedManifestComplete', 'Apply manifest complete', gen, now=T0_S)
		oc.set_condition(conds, 'Available', 'True', 'ResourceAvailable', 'Resource is available', now=T0_S)
		_, rules = ocm_agent.matching_config(configs, group, resource, ns, meta['name'])
		entry = {'resourceMeta': meta, 'conditions': conds}
		if rules:
			values, errors = ocm_agent.evaluate_feedback(live_status(kind, m, rolling), rules, group, version, kind)
			if values:
				entry['statusFeedback'] = {'values': values}
			oc.set_condition(conds, 'StatusFeedbackSynced', 'True', 'StatusFeedbackSynced', '', now=T0_S)
		else:
			oc.set_condition(conds, 'StatusFeedbackSynced', 'True', 'NoStatusFeedbackSynced', '', now=T0_S)
		manifests.append(entry)
	wc = []
	oc.set_condition(wc, 'Applied', 'True', 'AppliedManifestWorkComplete', 'Apply manifest work complete', gen, now=T0_S)
	oc.set_condition(wc, 'Available', 'True', 'ResourcesAvailable', 'All resources are available', gen, now=T0_S)
	return {'conditions': wc, 'resourceStatus': {'manifests': manifests}}


def main():
	ap = argparse.ArgumentParser()
	ap.add_argument('--choreo-ocm', required=True)
	ap.add_argument('--out', default=os.path.join(HERE, 'data'))
	a = ap.parse_args()
	os.makedirs(a.out, exist_ok=True)
	paths = {}
	for size, name in (('typical', 'checkout-development'), ('large', 'shop-development')):
		obj = release_object(name, uid=UID, size=size)
		p = os.path.join(a.out, 'release_%s.json' % size)
		with open(p, 'w') as f:
			json.dump(obj, f, separators=(',', ':'), sort_keys=True)
			f.write('\n')
		paths[size] = p
	works = []
	for i, cluster in enumerate(('dp-east', 'dp-west', 'dp-north')):
		for w in render(a.choreo_ocm, paths['typical'], cluster):
			w['metadata']['generation'] = 1
			w['metadata']['uid'] = '00000000-0000-4000-8000-%012d' % i
			w['metadata']['resourceVersion'] = str(1000 + i)
			w['status'] = agent_status(w, rolling=(cluster == 'dp-west'))
			works.append(w)
	with open(os.path.join(a.out, 'works_typical.json'), 'w') as f:
		json.dump(works, f, separators=(',', ':'), sort_keys=True)
		f.write('\n')
	for k in ('release_typical.json', 'release_large.json', 'works_typical.json'):
		print('%s %d bytes' % (k, os.path.getsize(os.path.join(a.out, k))))
	return 0


if __name__ == '__main__':
	sys.exit(main())
