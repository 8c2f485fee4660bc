"""The `emulator` command: ready line, kubeconfig, bundled CRDs served, admin API, SIGTERM."""

import base64
import http.client
import json
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
EMU = os.path.dirname(HERE)
sys.path.insert(0, EMU)
import yamlmini  # noqa: E402


class Entry(unittest.TestCase):
	def test_start_serve_stop(self):
		d = tempfile.mkdtemp()
		kc = os.path.join(d, 'kc')
		p = subprocess.Popen([sys.executable, '-B', os.path.join(EMU, 'emulator'), '--listen', '127.0.0.1:0',
				      '--kubeconfig-out', kc, '--admin-listen', '127.0.0.1:0', '--no-sims'],
				     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
		try:
			line = p.stdout.readline()
			self.assertIn('emulator ready: https://127.0.0.1:', line)
			admin = line.split('admin=')[1].split()[0]
			self.assertEqual(oct(os.stat(kc).st_mode & 0o777), '0o600')
			with open(kc) as f:
				cfg = yamlmini.load(f.read())
			cl = cfg['clusters'][0]['cluster']
			us = cfg['users'][0]['user']
			files = {}
			for k, v in (('ca', cl['certificate-authority-data']), ('crt', us['client-certificate-data']),
				     ('key', us['client-key-data'])):
				files[k] = os.path.join(d, k)
				with open(files[k], 'wb') as f:
					f.write(base64.b64decode(v))
			ctx = ssl.create_default_context(cafile=files['ca'])   # CA pinned, hostname verified
			ctx.load_cert_chain(files['crt'], files['key'])
			host, port = cl['server'][len('https://'):].rsplit(':', 1)
			c = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=20)
			for path in ('/apis/openchoreo.dev/v1alpha1', '/apis/work.open-cluster-management.io/v1',
				     '/apis/cluster.open-cluster-management.io/v1beta1'):
				c.request('GET', path)
				r = c.getresponse()
				body = json.loads(r.read())
				self.assertEqual(r.status, 200, path)
				self.assertTrue(body['resources'], path)
			c.request('GET', '/api/v1/namespaces/kube-system')
			r = c.getresponse()
			r.read()
			self.assertEqual(r.status, 200)
			c.close()
			ah, ap = admin[len('http://'):].rsplit(':', 1)
			a = http.client.HTTPConnection(ah, int(ap), timeout=20)
			a.request('GET', '/admin/stats')
			st = json.loads(a.getresponse().read())
			self.assertGreaterEqual(st['requests'], 4)
			a.close()
		finally:
			p.send_signal(signal.SIGTERM)
			rc = p.wait(timeout=20)
			p.stdout.close()
			p.stderr.close()
		self.assertEqual(rc, 0)


if __name__ == '__main__':
	unittest.main()
