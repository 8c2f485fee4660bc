#!/usr/bin/env python3
"""Dry run of the kind scripts (up, test, down) against stand-ins for docker, kind, kubectl and
clusteradm, since no container engine runs here. The stand-ins check every command line against
what the real tools accept (the clusteradm flags of reference/ocm.md section 7.1, kubectl's
argument rules) and keep a little state (clusters, joined/accepted ManagedClusters, the sample
Releases and hence the ManifestWorks per cluster), so the scripts run their whole course.

Checked: prerequisites are reported by name; `up` makes three clusters, installs OCM once, joins
each data plane with --force-internal-endpoint-lookup using the token and API server that
`clusteradm get token` printed, accepts them, labels them, installs crds/, builds and loads the
image, applies the overlay, creates the agent-RBAC work and enables the add-on; a second `up`
creates, installs, joins and accepts nothing; `test` passes all four scenarios; `down` deletes the
clusters and a second `down` nothing. A stand-in refuses what the real tool refuses (e.g. several
resource types with a bare name in `kubectl get`), so such a script bug fails here.

usage: check_scripts.py SOURCE_DIR
Exit 0 = pass, 1 = failure, 77 = skipped (no bash).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

STUB = r'''#!/usr/bin/env python3
import json, os, re, sys
tool = os.path.basename(sys.argv[0]); args = sys.argv[1:]
state_path = os.environ['STUB_STATE']
with open(state_path) as fh:
	st = json.load(fh)
with open(os.environ['STUB_LOG'], 'a') as fh:
	fh.write(json.dumps([tool] + args) + '\n')

def save():
	with open(state_path, 'w') as fh:
		json.dump(st, fh)

def fail(msg, code=1):
	sys.stderr.write('%s: %s\n' % (tool, msg)); save(); sys.exit(code)

def take(flag, boolean=False):
	"""Removes --flag[=v] / --flag v from args; returns v, True (boolean) or None."""
	for i, a in enumerate(args):
		if a == flag:
			if boolean:
				del args[i]; return True
			if i + 1 >= len(args):
				fail('flag needs an argument: ' + flag)
			v = args[i + 1]; del args[i:i + 2]; return v
		if a.startswith(flag + '='):
			del args[i]; return a.split('=', 1)[1]
	return None

def only(allowed):
	for a in args:
		if a.startswith('-') and a.split('=')[0] not in allowed:
			fail('unknown flag: ' + a)

if tool == 'docker':
	if args[:1] == ['info']:
		sys.exit(0)
	if args[:1] == ['build']:
		del args[0]
		f, t = take('-f'), take('-t')
		only(set())
		if not f or not os.path.isfile(f) or not t or len(args) != 1 or not os.path.isdir(args[0]):
			fail('build needs -f FILE -t TAG CONTEXT')
		st['images'].append(t); save(); sys.exit(0)
	fail('unexpected: ' + ' '.join(args))

if tool == 'kind':
	if args == ['get', 'clusters']:
		print('\n'.join(st['kind'])); sys.exit(0)
	if args[:2] in (['create', 'cluster'], ['delete', 'cluster']):
		verb = args[0]; del args[:2]
		name = take('--name'); take('--wait')
		only(set())
		if not name or args:
			fail('%s cluster: --name NAME' % verb)
		if verb == 'create':
			if name in st['kind']:
				fail('node(s) already exist for a cluster with the name "%s"' % name)
			st['kind'].append(name)
		elif name in st['kind']:
			st['kind'].remove(name)
		save(); sys.exit(0)
	if args[:2] == ['load', 'docker-image']:
		del args[:2]
		name = take('--name'); only(set())
		if len(args) != 1 or args[0] not in st['images'] or name not in st['kind']:
			fail('load docker-image: unknown image or cluster')
		sys.exit(0)
	fail('unexpected: ' + ' '.join(args))

if tool == 'clusteradm':
	ctx = take('--context')
	if not ctx or not ctx.startswith('kind-'):
		fail('every call here must name a kind context with --context')
	hub = 'kind-' + st['hub']
	if args[:1] == ['init']:
		del args[0]; take('--wait', True); only(set())
		if ctx != hub or args:
			fail('init on the hub only')
		st['ocm'] = True; save(); sys.exit(0)
	if args[:2] == ['get', 'token']:
		if ctx != hub or not st['ocm']:
			fail('no hub')
		print('token=tok.en-123\nplease log on spoke and run:\nclusteradm join --hub-token tok.en-123 '
		      '--hub-apiserver https://127.0.0.1:41234 --cluster-name <cluster_name>')
		sys.exit(0)
	if args[:1] == ['join']:
		del args[0]
		tok, api, name = take('--hub-token'), take('--hub-apiserver'), take('--cluster-name')
		take('--wait', True)
		if not take('--force-internal-endpoint-lookup', True):
			fail('kind needs --force-internal-endpoint-lookup')
		only(set())
		if tok != 'tok.en-123' or api != 'https://127.0.0.1:41234' or not name or args:
			fail('join: wrong --hub-token/--hub-apiserver/--cluster-name')
		if ctx != 'kind-' + name:
			fail('join must run on the data plane itself')
		st['joined'].append(name); save(); sys.exit(0)
	if args[:1] == ['accept']:
		del args[0]
		cl = take('--clusters'); take('--wait', True); only(set())
		if ctx != hub or not cl or args:
			fail('accept --clusters a,b on the hub')
		for c in cl.split(','):
			if c not in st['joined']:
				fail('no pending CSR for ' + c)
			st['accepted'].append(c)
		save(); sys.exit(0)
	if args[:2] == ['create', 'work']:
		del args[:2]
		f, cl = take('-f'), take('--clusters'); take('--overwrite', True); only(set())
		if ctx != hub or len(args) != 1 or not f or not os.path.isfile(f) or not cl:
			fail('create work NAME -f FILE --clusters a,b')
		for c in cl.split(','):
			if c not in st['accepted']:
				fail('cluster %s not found' % c)
		st['works'].append(args[0]); save(); sys.exit(0)
	if args[:2] == ['addon', 'enable']:
		del args[:2]
		names, cl = take('--names'), take('--clusters'); only(set())
		if ctx != hub or not names or not cl or args:
			fail('addon enable --names a --clusters b')
		if 'cma' not in st:
			fail('enabling the unknown addon %s is not supported' % names)
		sys.exit(0)
	fail('unexpected: ' + ' '.join(args))

# kubectl
if args[:2] == ['version', '--client']:
	print(json.dumps({'clientVersion': {'major': '1', 'minor': '30', 'gitVersion': 'v1.30.2'}}))
	sys.exit(0)
ctx = take('--context')
if not ctx or not ctx.startswith('kind-') or ctx[5:] not in st['kind']:
	fail('--context must name an existing kind cluster, got %r' % ctx)
ns = take('-n') or take('--namespace')
out = take('-o')
sel = take('-l')
verb = args[0] if args else ''
hub = ctx == 'kind-' + st['hub']
RELS = {'greeter-development': ['dp-east'], 'greeter-production': ['dp-east', 'dp-west']}
if verb == 'get':
	rest = [a for a in args[1:] if not a.startswith('-')]
	if len(rest) >= 2 and ',' in rest[0] and '/' not in rest[0]:
		fail('error: you must specify only one resource')
	what = rest[0] if rest else ''
	if out and out.startswith('jsonpath='):
		jp = out[len('jsonpath='):]
		if jp == '{.spec.hubAcceptsClient}':
			print('true' if rest[1] in st['accepted'] else '', end='')
		elif jp == '{.metadata.generation}':
			print(st['gen'].get(rest[1], 1), end='')
		elif jp.startswith('{range .spec.resources[*]}'):
			print('xxxxx' if 'production' in rest[1] else 'xxx', end='')
		elif jp == '{.data.GREETING}':
			print('hello again', end='')
		else:
			fail('unexpected jsonpath ' + jp)
		sys.exit(0)
	if what.startswith('manifestwork'):
		if out != 'name' or not sel or not ns:
			fail('works are counted with -n CLUSTER -l SELECTOR -o name')
		for r in sorted(st['releases']):
			if ns in RELS[r]:
				print('manifestwork.work.open-cluster-management.io/default-' + r)
		sys.exit(0)
	if what == 'clustermanager':
		sys.exit(0 if st['ocm'] else 1)
	if what == 'managedcluster':
		sys.exit(0 if rest[1] in st['joined'] else 1)
	if what == 'crd':
		sys.exit(1)  # no OpenChoreo installed
	sys.exit(0)
if verb == 'wait':
	f = take('--for'); take('--timeout'); take('--all', True)
	if f is None or not (f == 'delete' or f.startswith('condition=') or
			     re.match(r'^jsonpath=\{[^}]+\}(=.*)?$', f)):
		fail('bad --for %r' % f)
	sys.exit(0)
if verb == 'apply':
	k = take('-k')
	files = []
	while True:
		f = take('-f')
		if f is None:
			break
		files.append(f)
	if k:
		if not os.path.isfile(os.path.join(k, 'kustomization.yaml')):
			fail('no kustomization.yaml in ' + k)
		st['cma'] = True
	for f in files:
		if not os.path.exists(f):
			fail('the path "%s" does not exist' % f)
		b = os.path.basename(f)
		if b.startswith('30-') or b.startswith('31-'):
			st['releases'] = sorted(set(st['releases']) | {'greeter-development'})
			st['gen']['greeter-development'] = 2 if b.startswith('31-') else 1
		if b.startswith('32-'):
			st['releases'] = sorted(set(st['releases']) | {'greeter-production'})
	if not files and not k:
		fail('apply needs -f or -k')
	save(); sys.exit(0)
if verb == 'delete':
	take('--ignore-not-found', True); take('--wait', True); take('--timeout')
	if len(args) != 3:
		fail('delete TYPE NAME')
	if args[2] in st['releases']:
		st['releases'].remove(args[2])
	save(); sys.exit(0)
if verb in ('label', 'rollout'):
	sys.exit(0)
fail('unexpected: ' + ' '.join(args))
'''


def run(script, env, *args):
	return subprocess.run(['bash', script, *args], env=env, capture_output=True, text=True,
			      timeout=120)


def calls(log, start=0):
	with open(log) as fh:
		return [json.loads(l) for l in fh.read().splitlines()[start:]]


def main():
	if len(sys.argv) != 2:
		print(__doc__)
		return 2
	src = os.path.abspath(sys.argv[1])
	if shutil.which('bash') is None:
		print('SKIP: no bash')
		return 77
	kind_dir = os.path.join(src, 'e2e', 'kind')
	errs = []
	with tempfile.TemporaryDirectory() as tmp:
		bindir = os.path.join(tmp, 'bin')
		os.mkdir(bindir)
		for tool in ('docker', 'kind', 'kubectl', 'clusteradm'):
			p = os.path.join(bindir, tool)
			with open(p, 'w') as fh:
				fh.write(STUB.replace('#!/usr/bin/env python3', '#!' + sys.executable + ' -S', 1))
			os.chmod(p, 0o755)
		state, log = os.path.join(tmp, 'state.json'), os.path.join(tmp, 'calls.jsonl')
		with open(state, 'w') as fh:
			json.dump({'hub': 'hub', 'kind': [], 'images': [], 'ocm': False, 'joined': [],
				   'accepted': [], 'works': [], 'releases': [], 'gen': {}}, fh)
		open(log, 'w').close()
		base = {k: v for k, v in os.environ.items() if not k.startswith('COCM_KIND_')}
		env = dict(base, STUB_STATE=state, STUB_LOG=log, PATH=bindir + os.pathsep + '/usr/bin:/bin')

		# prerequisites: a missing tool is named
		bare = os.path.join(tmp, 'bare')
		os.mkdir(bare)
		for tool in ('docker', 'kind', 'kubectl'):
			os.symlink(os.path.join(bindir, tool), os.path.join(bare, tool))
		p = run(os.path.join(kind_dir, 'up'), dict(env, PATH=bare + os.pathsep + '/usr/bin:/bin'))
		if p.returncode == 0 or 'missing prerequisites: clusteradm' not in p.stderr:
			errs.append('up without clusteradm: want a "missing prerequisites: clusteradm" error, '
				    'got exit %d: %s' % (p.returncode, p.stderr.strip()[-300:]))

		def step(name, script, check):
			n = len(calls(log))
			p = run(os.path.join(kind_dir, script), env)
			if p.returncode != 0:
				errs.append('%s: exit %d\n%s\n%s' % (name, p.returncode, p.stdout[-1500:],
								     p.stderr[-1500:]))
				return
			check(calls(log, n), p.stdout)

		def first_up(cs, out):
			def has(pred, what):
				if not any(pred(c) for c in cs):
					errs.append('up: no call ' + what)
			creates = [c for c in cs if c[:3] == ['kind', 'create', 'cluster']]
			if len(creates) != 3:
				errs.append('up: %d kind clusters created, want 3' % len(creates))
			for dp in ('dp-east', 'dp-west'):
				has(lambda c, dp=dp: c[:2] == ['clusteradm', 'join'] and dp in c and
				    '--force-internal-endpoint-lookup' in c, 'clusteradm join for ' + dp)
				has(lambda c, dp=dp: c[0] == 'kubectl' and 'label' in c and
				    'openchoreo.dev/plane-id=' + dp in c, 'label plane-id for ' + dp)
			has(lambda c: c[:2] == ['clusteradm', 'init'] and '--wait' in c, 'clusteradm init --wait')
			has(lambda c: c[:2] == ['clusteradm', 'accept'] and 'dp-east,dp-west' in c,
			    'clusteradm accept --clusters dp-east,dp-west')
			has(lambda c: c[0] == 'kubectl' and 'apply' in c and
			    os.path.join(src, 'crds', 'openchoreo') + '/' in c, 'kubectl apply -f crds/openchoreo/')
			has(lambda c: c[:2] == ['docker', 'build'], 'docker build')
			has(lambda c: c[:3] == ['kind', 'load', 'docker-image'], 'kind load docker-image')
			has(lambda c: c[0] == 'kubectl' and '-k' in c, 'kubectl apply -k overlay')
			if any(c[:3] == ['clusteradm', 'create', 'work'] for c in cs):
				errs.append('up: clusteradm create work (the daemon delivers the work-agent RBAC itself)')
			has(lambda c: c[:3] == ['clusteradm', 'addon', 'enable'], 'clusteradm addon enable')

		def second_up(cs, out):
			for pre, what in ((['kind', 'create'], 'kind create'), (['clusteradm', 'init'], 'init'),
					  (['clusteradm', 'join'], 'join'), (['clusteradm', 'accept'], 'accept')):
				if any(c[:len(pre)] == pre for c in cs):
					errs.append('second up repeated ' + what + ' (not idempotent)')

		def test(cs, out):
			if 'all scenarios passed' not in out:
				errs.append('test: did not reach the end')
			for what in ('create', 'update', 'multi-cluster', 'delete'):
				if 'scenario ' + what not in out:
					errs.append('test: scenario %s missing' % what)

		def down(want):
			def check(cs, out):
				n = sum(1 for c in cs if c[:3] == ['kind', 'delete', 'cluster'])
				if n != want:
					errs.append('down: %d clusters deleted, want %d' % (n, want))
			return check

		step('up', 'up', first_up)
		step('up again', 'up', second_up)
		step('test', 'test', test)
		step('test again', 'test', test)
		step('down', 'down', down(3))
		step('down again', 'down', down(0))
		ncalls = len(calls(log))
	for e in errs:
		print('FAIL ' + e)
	if not errs:
		print('kind scripts: up, up again, test x2, down x2 passed against the stand-ins '
		      '(%d tool calls checked)' % ncalls)
	return 1 if errs else 0


if __name__ == '__main__':
	sys.exit(main())
