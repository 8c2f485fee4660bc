"""Authentication: client certificates (CN = user, O = groups) and bearer tokens.

Token file format (like kube-apiserver --token-auth-file): one `token,user,uid[,"group1,group2"]` per
line; lines starting with # are ignored.  Tokens are never logged.  Unknown credentials -> None
(the server answers 401).  There is no authorization (RBAC): every authenticated user may do
everything (documented difference).
"""

import csv
import hmac
import threading


class User:
	__slots__ = ('name', 'groups', 'uid')

	def __init__(self, name, groups=(), uid=''):
		self.name = name
		self.groups = list(groups)
		self.uid = uid

	def __repr__(self):
		return 'User(%r, %r)' % (self.name, self.groups)


class Authenticator:
	def __init__(self, token_file=None):
		self._tokens = {}
		self._lock = threading.Lock()
		if token_file:
			self.load_tokens(token_file)

	def load_tokens(self, path):
		toks = {}
		with open(path, newline='') as f:
			for row in csv.reader(f):
				if not row or row[0].startswith('#'):
					continue
				if len(row) < 3:
					continue
				groups = [g for g in (row[3].split(',') if len(row) > 3 else []) if g]
				toks[row[0]] = User(row[1], groups + ['system:authenticated'], row[2])
		with self._lock:
			self._tokens = toks

	def add_token(self, token, user, groups=()):
		with self._lock:
			self._tokens[token] = User(user, list(groups) + ['system:authenticated'])

	def from_token(self, token):
		with self._lock:
			for t, u in self._tokens.items():
				if hmac.compare_digest(t.encode(), token.encode()):
					return u
		return None

	@staticmethod
	def from_cert(cert):
		"""cert: ssl getpeercert() dict (already verified against the CA by the TLS layer)."""
		if not cert:
			return None
		cn = None
		groups = []
		for rdn in cert.get('subject', ()):
			for k, v in rdn:
				if k == 'commonName':
					cn = v
				elif k == 'organizationName':
					groups.append(v)
		if not cn:
			return None
		return User(cn, groups + ['system:authenticated'])

	def authenticate(self, headers, cert):
		"""Like the API server's union authenticator: x509 first, then bearer token."""
		u = self.from_cert(cert)
		if u is not None:
			return u
		auth = headers.get('Authorization')
		if auth:
			scheme, _, tok = auth.partition(' ')
			if scheme.lower() != 'bearer' or not tok.strip():
				return None
			return self.from_token(tok.strip())
		return None
