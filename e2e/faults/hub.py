"""Hub access for the fault campaign, on top of e2e/daemon/lib.py (imported, not copied).

RetryKube  lib.Kube whose requests survive the faults the campaign injects: injected 500/503/429
           answers, a restarted API listener (connection refused/reset), added latency. A retried
           create that meets 409 AlreadyExists and a retried delete that meets 404 count as done
           (the first attempt may have gone through before the connection broke). Each call gives
           up after `budget` seconds (then the last error is raised).
audit_len  the number of entries in the emulator's audit log (a "mark"), without fetching them.
"""

import http.client
import os
import random
import ssl
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'daemon'))

import lib  # noqa: E402  e2e/daemon/lib.py
from lib import ApiError  # noqa: E402,F401

RETRY_CODES = (429, 500, 502, 503, 504)


class RetryKube(lib.Kube):
	def __init__(self, kubeconfig, workdir, budget=90.0):
		super().__init__(kubeconfig, workdir)
		self.budget = budget
		self.retries = 0

	def request(self, method, path, body=None, ctype='application/json', query=None):
		deadline = time.monotonic() + self.budget
		delay = 0.1
		while True:
			try:
				return super().request(method, path, body, ctype, query)
			except ApiError as e:
				if e.code not in RETRY_CODES or time.monotonic() > deadline:
					raise
				ra = e.body.get('details', {}).get('retryAfterSeconds') if isinstance(e.body, dict) else None
				wait = float(ra) if isinstance(ra, (int, float)) and 0 < ra <= 10 else delay
			except (OSError, http.client.HTTPException, ssl.SSLError) as e:
				if time.monotonic() > deadline:
					raise ApiError(599, 'transport: %r' % (e,)) from None
				wait = delay
			self.retries += 1
			time.sleep(wait * random.uniform(0.8, 1.3))
			delay = min(delay * 2, 2.0)

	def create_idempotent(self, obj):
		"""Create; AlreadyExists after a retry means an earlier attempt went through."""
		try:
			return self.create(obj)
		except ApiError as e:
			if e.code != 409:
				raise
			return self.get(obj['kind'], obj['metadata'].get('namespace'), obj['metadata']['name'])


def audit_len(admin):
	return admin.call('GET', '/admin/audit?recent=0')['total']
