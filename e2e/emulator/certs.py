"""Test PKI with the openssl command line (Python's ssl module cannot create certificates).

make_pki(dir) -> dict of paths: ca.crt/ca.key, server.crt/.key (SAN 127.0.0.1, ::1, localhost),
admin.crt/.key (CN=admin, O=system:masters).  issue_client(pki, dir, cn, groups) -> (crt, key).
EC P-256 keys, 10-day validity.  Private keys are written 0600 and never logged.
"""

import os
import subprocess


def _run(args, cwd):
	r = subprocess.run(['openssl'] + args, cwd=cwd, capture_output=True, text=True)
	if r.returncode != 0:
		raise RuntimeError('openssl %s failed: %s' % (args[0], r.stderr.strip()[-400:]))


def _key(path, cwd):
	_run(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', path], cwd)
	os.chmod(os.path.join(cwd, path), 0o600)


def _subj(cn, groups=()):
	s = ''.join('/O=%s' % g.replace('/', '\\/') for g in groups)
	return s + '/CN=%s' % cn.replace('/', '\\/')


def issue(d, name, cn, groups=(), server=False):
	_key(name + '.key', d)
	_run(['req', '-new', '-key', name + '.key', '-subj', _subj(cn, groups), '-out', name + '.csr'], d)
	ext = os.path.join(d, name + '.ext')
	with open(ext, 'w') as f:
		f.write('basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n')
		if server:
			f.write('extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\n')
		else:
			f.write('extendedKeyUsage=clientAuth\n')
	_run(['x509', '-req', '-in', name + '.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
	      '-days', '10', '-sha256', '-extfile', name + '.ext', '-out', name + '.crt'], d)
	for p in (name + '.csr', name + '.ext'):
		try:
			os.unlink(os.path.join(d, p))
		except OSError:
			pass
	return os.path.join(d, name + '.crt'), os.path.join(d, name + '.key')


def make_pki(d):
	os.makedirs(d, exist_ok=True)
	_key('ca.key', d)
	_run(['req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=choreo-ocm-emulator-ca', '-days', '10',
	      '-sha256', '-addext', 'basicConstraints=critical,CA:TRUE',
	      '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'ca.crt'], d)
	sc, sk = issue(d, 'server', 'choreo-ocm-emulator', server=True)
	ac, ak = issue(d, 'admin', 'admin', ['system:masters'])
	return {'dir': d, 'ca': os.path.join(d, 'ca.crt'), 'ca_key': os.path.join(d, 'ca.key'),
		'server_crt': sc, 'server_key': sk, 'admin_crt': ac, 'admin_key': ak}


def kubeconfig(server_url, ca_path, crt_path, key_path, user='admin', context='emulator'):
	"""A kubeconfig (JSON is valid YAML) with the CA pinned and client-certificate auth, inline data."""
	import base64
	import json

	def b64(p):
		with open(p, 'rb') as f:
			return base64.b64encode(f.read()).decode()
	return json.dumps({
		'apiVersion': 'v1', 'kind': 'Config', 'current-context': context, 'preferences': {},
		'clusters': [{'name': context, 'cluster': {'server': server_url,
							   'certificate-authority-data': b64(ca_path)}}],
		'users': [{'name': user, 'user': {'client-certificate-data': b64(crt_path),
						  'client-key-data': b64(key_path)}}],
		'contexts': [{'name': context, 'context': {'cluster': context, 'user': user, 'namespace': 'default'}}],
	}, indent=2) + '\n'
