"""Secret hygiene of `choreo-ocm run` on the API emulator (issue 9, Security).

The daemon runs with a bearer-token kubeconfig at the highest verbosity (-v 5: trace) and
delivers Releases that carry Secrets with unique values: one that applies, one the data plane
refuses (bad base64, so the agent reports an error about that very Secret), then a rotation of
the value, then deletion. Afterwards the daemon's log, every Event in the emulator, the
Releases' status and /metrics are searched for the token and for every Secret value (plain
and base64): none may appear. The Secret must still have been CARRIED: its value reaches the
data plane intact (otherwise the test would prove nothing).

The daemon binary comes from $COCM_BIN (e2e/security/valgrind.sh passes a valgrind wrapper);
$COCM_E2E_SLOW multiplies every timeout (valgrind runs the daemon ~20x slower).
"""

import base64
import json
import os
import shutil
import sys
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'daemon'))

from lib import Daemon, Emulator, cond, tmpdir, wait_for  # noqa: E402
import objects as O  # noqa: E402

BIN = os.environ.get('COCM_BIN', '')
SLOW = float(os.environ.get('COCM_E2E_SLOW', '1'))
T = 60 * SLOW
LABELS = {'dp-east': {'openchoreo.dev/plane-id': 'dp-east'}}


def b64(s):
	return base64.b64encode(s.encode()).decode()


def secret(name, data=None, string_data=None, ns=O.CELL):
	s = {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': name, 'namespace': ns,
		'labels': dict(O.LABELS)}, 'type': 'Opaque'}
	if data is not None:
		s['data'] = data
	if string_data is not None:
		s['stringData'] = string_data
	return s


class SecretHygiene(unittest.TestCase):
	@classmethod
	def setUpClass(cls):
		if not BIN or not os.access(BIN, os.X_OK):
			raise unittest.SkipTest('COCM_BIN is not set to the choreo-ocm binary')
		cls.dir = tmpdir('cocm-e2e-secrets-')
		cls.emu = Emulator(cls.dir, ['dp-east'], users=('choreo-ocm',), labels=LABELS)
		cls.k = cls.emu.kube
		cls.k.ensure_namespace('choreo-ocm-system')
		cls.token = cls.emu.tokens['choreo-ocm']
		cls.d = Daemon(BIN, cls.emu, 'choreo-ocm', ('-v', '5', '--resync', '3s'))
		cls.d.wait_ready(T)
		tag = uuid.uuid4().hex
		cls.values = {
			'data': 'data-value-%s' % tag,         # in Secret.data (base64 on the wire)
			'string': 'string-value-%s' % tag,     # in Secret.stringData (plain)
			'rotated': 'rotated-value-%s' % tag,   # the value after rotation
			'refused': 'NOT*BASE64*%s' % tag,      # a data value the data plane refuses
		}
		cls.exit_code = None

	@classmethod
	def tearDownClass(cls):
		try:
			if cls.exit_code is None:
				cls.d.stop(timeout=30 * SLOW)
		finally:
			cls.emu.stop()
		if os.environ.get('COCM_KEEP') is None:
			shutil.rmtree(cls.dir, ignore_errors=True)
		else:
			sys.stderr.write('e2e: logs kept in %s\n' % cls.dir)

	def wait_applied(self, kind, name, want='True'):
		def ok():
			r = self.k.get_or_none(kind, O.NS, name)
			c = cond(r, 'ResourcesApplied')
			return r if c and c['status'] == want and \
				c.get('observedGeneration') == r['metadata'].get('generation') else None
		return wait_for(ok, T, what='%s %s ResourcesApplied=%s' % (kind, name, want))

	def spoke_secret(self, name):
		items = self.emu.admin.spoke_objects('dp-east', 'Secret')
		for o in items:
			if o['metadata']['name'] == name:
				return o
		return None

	def test_01_secrets_are_carried(self):
		v = self.values
		self.k.create(O.dataplane('east', 'dp-east'))
		self.k.create(O.environment('dev', 'east'))
		self.k.create(O.release('vault', 'dev', [
			secret('creds', data={'password': b64(v['data'])}, string_data={'api-key': v['string']}),
			O.configmap('vault-cfg')]))
		self.wait_applied('RenderedRelease', 'vault')
		s = wait_for(lambda: self.spoke_secret('creds'), T, what='Secret creds on dp-east')
		self.assertEqual(base64.b64decode(s['data']['password']).decode(), v['data'])
		self.assertEqual(base64.b64decode(s['data']['api-key']).decode(), v['string'])

	def test_02_a_refused_secret_reports_without_its_value(self):
		self.k.create(O.release('vault-bad', 'dev', [secret('bad-creds', data={'pw': self.values['refused']})]))
		r = self.wait_applied('RenderedRelease', 'vault-bad', want='False')
		msg = cond(r, 'ResourcesApplied').get('message', '')
		self.assertIn('bad-creds', msg, 'the failure names the Secret')

	def test_03_rotation_reaches_the_data_plane(self):
		def rotate(r):
			for res in r['spec']['resources']:
				if res['object']['kind'] == 'Secret':
					res['object']['data']['password'] = b64(self.values['rotated'])
		self.k.modify('RenderedRelease', O.NS, 'vault', rotate)
		wait_for(lambda: (self.spoke_secret('creds') or {}).get('data', {}).get('password') ==
			 b64(self.values['rotated']), T, what='rotated Secret on dp-east')
		self.wait_applied('RenderedRelease', 'vault')

	def test_04_nothing_secret_in_logs_events_status_or_metrics(self):
		# collect everything the daemon produced while the objects still exist
		statuses = json.dumps([self.k.get('RenderedRelease', O.NS, n).get('status', {})
				       for n in ('vault', 'vault-bad')])
		code, metrics = self.d.http('/metrics')
		self.assertEqual(code, 200)
		for n in ('vault', 'vault-bad'):
			self.k.delete('RenderedRelease', O.NS, n)
		wait_for(lambda: not [w for w in self.k.list('ManifestWork', 'dp-east')
				      if 'vault' in w['metadata']['name']], T, what='works deleted')
		events = json.dumps(self.k.list('Event'))
		type(self).exit_code = self.d.stop(timeout=30 * SLOW)
		log = self.d.logtext()
		self.assertEqual(self.exit_code, 0, 'daemon exit code')
		self.assertIn('level=trace', log, 'the daemon ran at trace verbosity')
		self.assertGreater(len(events), 100, 'the daemon wrote Events')

		needles = {'bearer token': self.token}
		for k, val in self.values.items():
			needles['secret %s' % k] = val
			needles['secret %s (base64)' % k] = b64(val)
		places = {'daemon log': log, 'Events': events, 'Release status': statuses, '/metrics': metrics}
		leaks = ['%s in %s' % (what, where) for what, n in needles.items()
			 for where, text in places.items() if n in text]
		self.assertEqual(leaks, [], 'secrets leaked (logs kept with COCM_KEEP=1)')


if __name__ == '__main__':
	unittest.main()
