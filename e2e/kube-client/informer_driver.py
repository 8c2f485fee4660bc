#!/usr/bin/env python3
"""Runs one kube/ informer or lease integration scenario against the emulator's API server.

  informer_driver.py <emulator-dir> <test-binary> <scenario>

Hosts e2e/emulator's Store + ApiServer in this process (TLS with a throw-away CA made by the
openssl CLI, bearer-token auth), writes a kubeconfig, and runs the C test binary with
KUBECONFIG and COCM_IT_CONTROL set. The binary drives the scenario through the real client and
asks for server-side faults on a plain-HTTP control endpoint bound to 127.0.0.1:

  POST /restart?down=S[&create=ns/name][&delete=ns/name][&compact=1]
      answers at once, then (on a thread) drops every connection, applies the ConfigMap
      create/delete straight to the store while the server is down (so no watch sees it),
      optionally compacts the watch history (a resume from an older resourceVersion then gets
      410 Expired), and serves again after S seconds.

Exit status: the binary's (0 = pass). Standard library only.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

TOKEN = 'it-informer-token-0123456789'


def make_pki(d):
	ca_key, ca = os.path.join(d, 'ca.key'), os.path.join(d, 'ca.crt')
	key, csr, crt = os.path.join(d, 'srv.key'), os.path.join(d, 'srv.csr'), os.path.join(d, 'srv.crt')
	ext = os.path.join(d, 'ext.cnf')
	with open(ext, 'w') as f:
		f.write('subjectAltName=IP:127.0.0.1,DNS:localhost\n')
	run = lambda *a: subprocess.run(['openssl', *a], check=True, capture_output=True)
	run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
	    '-subj', '/CN=it-ca', '-keyout', ca_key, '-out', ca)
	run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=localhost',
	    '-keyout', key, '-out', csr)
	run('x509', '-req', '-in', csr, '-CA', ca, '-CAkey', ca_key, '-CAcreateserial', '-days', '2',
	    '-extfile', ext, '-out', crt)
	return ca, crt, key


def main():
	emu, binary, scenario = sys.argv[1], sys.argv[2], sys.argv[3]
	sys.path.insert(0, emu)
	import auth
	import server
	import store as store_mod

	d = tempfile.mkdtemp(prefix='cocm-it-')
	try:
		ca, crt, key = make_pki(d)
		tokens = os.path.join(d, 'tokens.csv')
		with open(tokens, 'w') as f:
			f.write('%s,tester,uid-1\n' % TOKEN)
		st = store_mod.Store(validate=True)
		api = server.ApiServer(st, '127.0.0.1', 0, crt, key, ca, auth.Authenticator(tokens))
		api.start()
		cm = ('', 'v1', 'configmaps')

		def restart(q):
			down = float(q.get('down', ['0'])[0])
			api.stop()
			for ref in q.get('delete', []):
				ns, name = ref.split('/', 1)
				st.delete(cm, name, namespace=ns)
			for ref in q.get('create', []):
				ns, name = ref.split('/', 1)
				st.create(cm, {'apiVersion': 'v1', 'kind': 'ConfigMap',
					       'metadata': {'name': name, 'namespace': ns, 'labels': {'app': 'it'}}},
					  namespace=ns)
			if q.get('compact'):
				st.compact()
			time.sleep(down)
			for _ in range(50):
				try:
					api.start()
					return
				except OSError:
					time.sleep(0.1)

		class Control(BaseHTTPRequestHandler):
			def log_message(self, *a):
				pass

			def do_POST(self):
				u = urllib.parse.urlsplit(self.path)
				q = urllib.parse.parse_qs(u.query)
				if u.path != '/restart':
					self.send_response(404)
					self.end_headers()
					return
				self.send_response(200)
				self.send_header('Content-Length', '0')
				self.end_headers()
				threading.Thread(target=restart, args=(q,), daemon=True).start()

		ctl = HTTPServer(('127.0.0.1', 0), Control)
		threading.Thread(target=ctl.serve_forever, daemon=True).start()

		kc = os.path.join(d, 'kubeconfig')
		with open(kc, 'w') as f:
			f.write('apiVersion: v1\nkind: Config\ncurrent-context: it\n'
				'clusters:\n- name: it\n  cluster:\n    server: https://127.0.0.1:%d\n'
				'    certificate-authority: %s\n'
				'users:\n- name: it\n  user:\n    token: %s\n'
				'contexts:\n- name: it\n  context:\n    cluster: it\n    user: it\n    namespace: it\n'
				% (api.port, ca, TOKEN))
		env = dict(os.environ, KUBECONFIG=kc,
			   COCM_IT_CONTROL='http://127.0.0.1:%d' % ctl.server_address[1])
		try:
			rc = subprocess.run([binary, scenario], env=env, timeout=120).returncode
		except subprocess.TimeoutExpired:
			print('informer_driver: %s %s timed out' % (binary, scenario), file=sys.stderr)
			rc = 124
		ctl.shutdown()
		api.stop()
		return rc
	finally:
		shutil.rmtree(d, ignore_errors=True)


if __name__ == '__main__':
	sys.exit(main())
