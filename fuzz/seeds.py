#!/usr/bin/env python3
"""Writes the seed corpora fuzz/corpus/<target>/seed-*.  Run from anywhere: fuzz/seeds.py
Seeds are built from the project's own test data (samples, goldens) plus hand-written edge
cases; files named regress-* (inputs that once found a bug) are never touched. Existing seeds are
kept as they are (the kubeconfig seeds hold a freshly made throwaway key) unless --force."""
import glob
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, 'e2e', 'emulator'))
import yamlmini  # noqa: E402

MAX_SEED = 16 * 1024


def write(target, name, data):
	d = os.path.join(HERE, 'corpus', target)
	os.makedirs(d, exist_ok=True)
	if isinstance(data, str):
		data = data.encode()
	if len(data) > MAX_SEED:
		return
	path = os.path.join(d, 'seed-' + name)
	if os.path.exists(path) and '--force' not in sys.argv:
		return
	with open(path, 'wb') as f:
		f.write(data)


def rd(path):
	with open(os.path.join(ROOT, path), 'rb') as f:
		return f.read()


def compact(obj):
	return json.dumps(obj, separators=(',', ':'))


# kubeconfig: a throwaway EC certificate/key made here (test material, used nowhere else) ----
def pem_pair():
	import subprocess
	import tempfile
	with tempfile.TemporaryDirectory() as d:
		subprocess.run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
				'-nodes', '-subj', '/CN=fuzz', '-days', '1', '-keyout', d + '/k', '-out', d + '/c'],
			       check=True, capture_output=True)
		return open(d + '/c', 'rb').read(), open(d + '/k', 'rb').read()


import base64  # noqa: E402
_cert, _key = pem_pair()
CERT64, KEY64 = base64.b64encode(_cert).decode(), base64.b64encode(_key).decode()
KC = '''apiVersion: v1
kind: Config
current-context: %(ctx)s
clusters:
- name: hub
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: %(ca)s
    tls-server-name: hub.example
contexts:
- name: hub
  context: {cluster: hub, user: %(user)s, namespace: ns1}
- name: other
  context: {cluster: hub, user: tok}
users:
- name: cert
  user:
    client-certificate-data: %(ca)s
    client-key-data: %(key)s
- name: tok
  user:
    token: abcdef
- name: tokfile
  user:
    tokenFile: token
'''
for u in ('cert', 'tok', 'tokfile'):
	write('kubeconfig', 'user-' + u, KC % {'ctx': 'hub', 'user': u, 'ca': CERT64, 'key': KEY64})
write('kubeconfig', 'context-other', '#ctx=other\n' + KC % {'ctx': 'hub', 'user': 'cert', 'ca': CERT64, 'key': KEY64})
write('kubeconfig', 'missing-context', KC % {'ctx': 'nope', 'user': 'cert', 'ca': CERT64, 'key': KEY64})
write('kubeconfig', 'bad-base64', (KC % {'ctx': 'hub', 'user': 'cert', 'ca': CERT64, 'key': KEY64}).replace(KEY64[:8], KEY64[:4] + '*!' + KEY64[6:8]))
write('kubeconfig', 'exec', KC.replace('    token: abcdef', '    exec: {command: aws}') % {'ctx': 'other', 'user': 'x', 'ca': CERT64, 'key': KEY64})
write('kubeconfig', 'insecure', (KC % {'ctx': 'hub', 'user': 'tok', 'ca': CERT64, 'key': KEY64}).replace(
	'    tls-server-name: hub.example', '    insecure-skip-tls-verify: true'))
write('kubeconfig', 'files', (KC % {'ctx': 'hub', 'user': 'cert', 'ca': CERT64, 'key': KEY64}).replace(
	'certificate-authority-data: ' + CERT64, 'certificate-authority: /nonexistent/ca.crt'))
write('kubeconfig', 'json', compact({'apiVersion': 'v1', 'kind': 'Config', 'current-context': 'a',
	'clusters': [{'name': 'c', 'cluster': {'server': 'https://h:1'}}],
	'users': [{'name': 'u', 'user': {'token': 't'}}],
	'contexts': [{'name': 'a', 'context': {'cluster': 'c', 'user': 'u'}}]}))
write('kubeconfig', 'not-pem', (KC % {'ctx': 'hub', 'user': 'cert', 'ca': 'aGVsbG8=', 'key': 'a2V5'}))
write('kubeconfig', 'wrong-types', 'clusters: {a: 1}\nusers: 7\ncontexts: [[1]]\ncurrent-context: [x]\n')
write('kubeconfig', 'alias-bomb', 'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a]\n'
	'c: &c [*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c]\n')

# yaml --------------------------------------------------------------------------------------
for p in sorted(glob.glob(os.path.join(ROOT, 'e2e', 'samples', '*.yaml'))):
	write('yaml', os.path.basename(p), rd(p))
write('yaml', 'scalars', 'a: 0x1F\nb: 0o17\nc: 1e3\nd: ~\ne: yes\nf: "true"\ng: !!str 12\nh: .inf\n'
	'i: -0\nj: 9223372036854775808\nk: \'q\'\'s\'\n')
write('yaml', 'anchors', 'base: &b {x: 1, y: [1, 2]}\nuse: *b\nmerge:\n  <<: *b\n  z: 3\n')
write('yaml', 'blocks', 'lit: |\n  line1\n  line2\nfold: >-\n  a\n  b\nkeep: |+\n  k\n\n')
write('yaml', 'multi', '---\na: 1\n---\n---\n- 1\n- [2, {b: c}]\n...\n')
write('yaml', 'json', '{"a":[1,2.5,"x\\u00e9",null,true],"b":{}}')
write('yaml', 'unicode', 'name: "caf\xc3\xa9 \\U0001F600"\nkey\xc3\xa9: v\n'.encode('latin-1'))
write('yaml', 'complex-key', '? [a, b]\n: c\n')
write('yaml', 'deep', '[' * 300 + ']' * 300)

# input -------------------------------------------------------------------------------------
for p in sorted(glob.glob(os.path.join(ROOT, 'tests', 'data', 'hub-addon', 'render', '*'))):
	if 'golden' not in p:
		write('input', os.path.basename(p), rd(p))
write('input', 'list-of-lists', compact({'kind': 'List', 'items': [{'kind': 'ConfigMapList',
	'items': [{'kind': 'ConfigMap'}]}, 3]}))
write('input', 'scalar-doc', '--- 5\n--- {kind: A}\n')
write('input', 'list-no-items', 'kind: FooList\nitems: 3\n')
write('input', 'cli-works', rd('tests/data/status-sync/cli/works.yaml'))

# watch: byte 0 = chunk size - 1 -----------------------------------------------------------
def ev(t, obj):
	return compact({'type': t, 'object': obj})


CM = {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'a', 'namespace': 'n', 'resourceVersion': '17'}}
STATUS410 = {'kind': 'Status', 'apiVersion': 'v1', 'status': 'Failure', 'reason': 'Expired',
	     'message': 'too old resource version: 1 (5)', 'code': 410}
frames = [ev('ADDED', CM), ev('MODIFIED', CM), ev('DELETED', CM),
	  ev('BOOKMARK', {'kind': 'ConfigMap', 'metadata': {'resourceVersion': '20'}}), ev('ERROR', STATUS410)]
write('watch', 'stream', b'\x07' + '\n'.join(frames).encode() + b'\n')
write('watch', 'crlf', b'\x00' + '\r\n'.join(frames).encode() + b'\r\n\n\n')
write('watch', 'cut', b'\x20' + (frames[0] + '\n' + frames[1][:30]).encode())
write('watch', 'bad', b'\x03{"type":"NOPE","object":{}}\n{"type":"ADDED","object":3}\n[1]\nnot json\n'
	b'{"type":"ADDED"}\n{"type":"ERROR","object":{"code":"x"}}\n')
write('watch', 'utf8', b'\x01' + ev('ADDED', {'metadata': {'name': 'caf\u00e9', 'resourceVersion': 'x'}}).encode('utf-8') + b'\n')
write('watch', 'long', b'\xff' + b'{"type":"ADDED","object":{"a":"' + b'x' * 5000 + b'"}}\n')
write('watch', 'stop', b'\x05' + frames[0].encode() + b'\nX\n' + frames[1].encode() + b'\n')

# status: 2 bytes HTTP status + body ------------------------------------------------------
def st(code, body):
	return struct.pack('>H', code) + (body.encode() if isinstance(body, str) else body)


for code, reason in ((404, 'NotFound'), (409, 'AlreadyExists'), (409, 'Conflict'), (410, 'Expired'),
		     (422, 'Invalid'), (429, 'TooManyRequests'), (403, 'Forbidden'), (500, 'InternalError')):
	write('status', '%d-%s' % (code, reason), st(code, compact({'kind': 'Status', 'apiVersion': 'v1',
		'status': 'Failure', 'reason': reason, 'message': 'm', 'code': code})))
write('status', '502-html', st(502, '<html>\r\n<body>Bad\tGateway</body></html>'))
write('status', '200-empty', st(200, ''))
write('status', 'wrong-types', st(400, '{"kind":"Status","reason":7,"message":["x"],"code":"409"}'))
write('status', 'code-out-of-range', st(500, '{"kind":"Status","reason":"Gone","code":99999999999}'))
write('status', 'long-message', st(503, compact({'kind': 'Status', 'message': '\u00e9' * 600})))

# selector ----------------------------------------------------------------------------------
for i, s in enumerate(['a=b', 'a==b,c!=d', 'env in (prod, staging),!legacy', 'tier notin (a,b),x',
		       'openchoreo.dev/plane-id=east', 'a=', 'a in ()', ' a = b , c ', 'a=b,', '!', 'x>1',
		       'example.com/k-1_2.3=v_1-2.3']):
	write('selector', 'str-%02d' % i, s)
write('selector', 'obj-full', compact({'matchLabels': {'a': 'b', 'c': ''}, 'matchExpressions': [
	{'key': 'e', 'operator': 'In', 'values': ['x', 'y']}, {'key': 'f', 'operator': 'NotIn', 'values': ['z']},
	{'key': 'g', 'operator': 'Exists'}, {'key': 'h', 'operator': 'DoesNotExist'}]}))
write('selector', 'obj-empty', '{}')
# "k!=v" re-encodes as "k notin (v)": under the 4 KiB annotation cap here, over it encoded
write('selector', 'notin-growth', ','.join('k%d!=b' % i for i in range(500)))
write('selector', 'obj-bad', compact({'matchLabels': {'a b': 'c'}, 'matchExpressions': [{'key': 'k', 'operator': 'Gt'}]}))
write('selector', 'obj-types', compact({'matchLabels': [1], 'matchExpressions': {'a': 1}}))

# render: byte 0 = options ------------------------------------------------------------------
for p in sorted(glob.glob(os.path.join(ROOT, 'tests', 'data', 'manifestwork', '*.release.json'))):
	rel = json.loads(rd(p))
	base = os.path.basename(p).replace('.release.json', '')
	write('render', base, b'\x00' + compact(rel).encode())
	write('render', base + '-small-budget', b'\x05' + compact(rel).encode())
for p in ('e2e/samples/30-renderedrelease-greeter-development.yaml', 'e2e/samples/32-release-greeter-production.yaml'):
	rel = yamlmini.load(rd(p).decode())
	write('render', os.path.basename(p), b'\x01' + compact(rel).encode())

# fold: {"release", "works", "clusters", ...} ----------------------------------------------
rel = yamlmini.load(rd('tests/data/status-sync/cli/release.yaml').decode())
works = yamlmini.load(rd('tests/data/status-sync/cli/works.yaml').decode())['items']
write('fold', 'cli', compact({'release': rel, 'works': works, 'clusters': ['dp-east', 'dp-west']}))
write('fold', 'cli-missing-cluster', compact({'release': rel, 'works': works[:1],
	'clusters': ['dp-east', 'dp-west', 'dp-north'], 'scheduled': {'status': 'True'}}))
write('fold', 'cli-deleting', compact({'release': rel, 'works': works, 'deleting': True,
	'cleanupFailed': 'cluster dp-west unreachable'}))
write('fold', 'cli-not-scheduled', compact({'release': rel, 'works': [], 'clusters': [],
	'scheduled': {'status': 'False', 'reason': 'EnvironmentNotFound'}}))
write('fold', 'bad-now', compact({'release': rel, 'works': works, 'now': '2026-08-01 10:00'}))
write('fold', 'not-object', compact({'release': [1]}))
print('seeds written under', os.path.join(HERE, 'corpus'))
