#!/usr/bin/env python3
"""Regenerates hub-addon/deploy/expected-calls.txt from the API calls the daemon really makes.

Runs the daemon e2e scenarios (test_daemon.py) with COCM_AUDIT_OUT set, so every class appends its
daemons' requests from the emulator audit log to one JSON-lines file, then turns that log into the
expected-calls format with hub-addon/deploy/check_rbac.py --print-calls. The comment header of
the existing file is kept; review the diff before committing.

  e2e/daemon/record_calls.py build/hub-addon/choreo-ocm [--out FILE] [--keep-audit FILE]
"""
import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


# Objects the daemon always addresses by one fixed name (checked against resourceNames);
# every other name and namespace depends on the user's objects and is generalized away.
FIXED_NAMES = {'clustermanagementaddons', 'managedclusteraddons', 'managedclusteraddons/status', 'leases',
	       'managedclustersets/bind'}
ADDON_NS_ONLY = {'leases'}  # only ever in the add-on namespace


def generalize(text):
	"""Instance calls (NAMESPACED:<ns> <name>) -> the rule-shaped lines of expected-calls.txt."""
	out, seen = [], set()
	for line in text.splitlines():
		f = line.split()
		if not f or line.startswith('#') or len(f) < 4:
			continue
		verb, group, resource, scope = f[:4]
		name = f[4] if len(f) > 4 else ''
		if scope.startswith('NAMESPACED:') and resource not in ADDON_NS_ONLY:
			scope = 'NAMESPACED'
		if resource not in FIXED_NAMES or verb in ('list', 'watch') or (verb == 'create' and resource != 'managedclustersets/bind'):
			name = ''
		keys = [(verb, group, resource, scope, name)]
		if verb == 'list':  # informers: a watch still open when the emulator stops is not audited
			keys.append(('watch', group, resource, scope, name))
		for key in keys:
			if key not in seen:
				seen.add(key)
				out.append(key)
	order = {'list': 0, 'watch': 1, 'get': 2, 'create': 3, 'update': 4, 'patch': 5, 'delete': 6}
	out.sort(key=lambda k: (k[1], k[2].split('/')[0], k[2], order.get(k[0], 9), k[3], k[4]))
	lines, group = [], None
	for k in out:
		if k[1] != group:
			group = k[1]
			lines.append('%s# %s\n' % ('\n' if lines else '', group))
		lines.append(' '.join(x for x in k if x) + '\n')
	return ''.join(lines)


def main():
	ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
	ap.add_argument('binary')
	ap.add_argument('--out', default=os.path.join(ROOT, 'hub-addon', 'deploy', 'expected-calls.txt'))
	ap.add_argument('--keep-audit', default=None, help='also keep the audit JSON lines here')
	a = ap.parse_args()
	fd, audit = tempfile.mkstemp(prefix='cocm-audit-', suffix='.jsonl')
	os.close(fd)
	env = dict(os.environ, COCM_BIN=os.path.abspath(a.binary), COCM_AUDIT_OUT=audit,
		   PYTHONDONTWRITEBYTECODE='1')
	rc = subprocess.call([sys.executable, '-m', 'unittest', 'test_daemon'], cwd=HERE, env=env)
	if rc != 0:
		sys.exit('record_calls: the e2e scenarios failed; expected-calls.txt not rewritten')
	calls = subprocess.run([sys.executable, os.path.join(ROOT, 'hub-addon', 'deploy', 'check_rbac.py'),
				'--audit', audit, '--print-calls'], check=True, capture_output=True, text=True).stdout
	calls = generalize(calls)
	header = []
	if os.path.exists(a.out):
		with open(a.out) as f:
			for line in f:
				if not line.startswith('#'):
					break
				header.append(line)
	with open(a.out, 'w') as f:
		f.writelines(header)
		f.write('\n' if header else '')
		f.write(calls)
	if a.keep_audit:
		os.replace(audit, a.keep_audit)
	else:
		os.unlink(audit)
	print('record_calls: wrote %s (%d calls)' % (a.out, sum(1 for l in calls.splitlines() if l and not l.startswith('#'))))


if __name__ == '__main__':
	main()
