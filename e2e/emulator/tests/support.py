"""Shared helpers of the emulator's own tests: an in-process API server with a test PKI and a small
HTTPS client (keep-alive, client certificate or bearer token)."""

import http.client
import json
import os
import ssl
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
EMU = os.path.dirname(HERE)
sys.path.insert(0, EMU)

import admin  # noqa: E402
import auth  # noqa: E402
import certs  # noqa: E402
import server  # noqa: E402
import store  # noqa: E402
import webhooks  # noqa: E402

NS = ('', 'v1', 'namespaces')
CM = ('', 'v1', 'configmaps')
CRDS = ('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')
WIDGETS = ('example.com', 'v1', 'widgets')

WIDGET_CRD = {
	'apiVersion': 'apiextensions.k8s.io/v1', 'kind': 'CustomResourceDefinition',
	'metadata': {'name': 'widgets.example.com'},
	'spec': {'group': 'example.com', 'scope': 'Namespaced',
		 'names': {'plural': 'widgets', 'singular': 'widget', 'kind': 'Widget', 'listKind': 'WidgetList',
			   'shortNames': ['wd']},
		 'versions': [{'name': 'v1', 'served': True, 'storage': True, 'subresources': {'status': {}},
			       'additionalPrinterColumns': [{'name': 'Size', 'type': 'integer', 'jsonPath': '.spec.size'}],
			       'schema': {'openAPIV3Schema': {
				       'type': 'object', 'properties': {
					       'spec': {'type': 'object', 'required': ['size'], 'properties': {
						       'size': {'type': 'integer', 'minimum': 1, 'maximum': 10},
						       'color': {'type': 'string', 'enum': ['red', 'blue'], 'default': 'red'},
						       'name': {'type': 'string', 'pattern': '^[a-z]+$', 'minLength': 2,
								'maxLength': 8},
						       'tags': {'type': 'array', 'maxItems': 2, 'minItems': 1,
								'items': {'type': 'string'}},
						       'ports': {'type': 'array', 'x-kubernetes-list-type': 'map',
								 'x-kubernetes-list-map-keys': ['name'],
								 'items': {'type': 'object', 'required': ['name'], 'properties': {
									 'name': {'type': 'string'}, 'port': {'type': 'integer'}}}},
						       'raw': {'type': 'object', 'x-kubernetes-preserve-unknown-fields': True},
						       'embedded': {'type': 'object', 'x-kubernetes-embedded-resource': True,
								    'x-kubernetes-preserve-unknown-fields': True},
						       'replicas': {'type': 'integer'}}},
					       'status': {'type': 'object', 'properties': {
						       'phase': {'type': 'string'},
						       'conditions': {'type': 'array', 'items': {
							       'type': 'object', 'x-kubernetes-preserve-unknown-fields': True}}}}}}}}]}}


def new_store(**kw):
	st = store.Store(**kw)
	webhooks.install(st)
	st.create(NS, {'metadata': {'name': 'default'}})
	return st


def with_widgets(st):
	st.create(CRDS, WIDGET_CRD)
	return st


class Server:
	"""An ApiServer on 127.0.0.1:0 over a fresh store; .client() makes HTTPS clients."""

	_pki = None

	def __init__(self, st=None, token_file=None, history=20000):
		if Server._pki is None:
			Server._pki = certs.make_pki(tempfile.mkdtemp(prefix='cocm-emu-test-'))
		self.pki = Server._pki
		self.store = st or new_store(history=history)
		self.auth = auth.Authenticator(token_file)
		self.audit = admin.Audit()
		self.faults = admin.Faults(self.store)
		self.api = server.ApiServer(self.store, '127.0.0.1', 0, self.pki['server_crt'], self.pki['server_key'],
					    self.pki['ca'], self.auth, self.faults, self.audit)
		self.api.start()
		self.port = self.api.port
		self.admin = admin.AdminServer('127.0.0.1', 0, self.api, self.store, self.faults, self.audit)
		self.admin.start()

	def stop(self):
		self.admin.stop()
		self.api.stop()

	def client(self, cert=True, token=None, certfile=None, keyfile=None):
		return Client(self, cert, token, certfile, keyfile)

	def admin_call(self, method, path, body=None):
		c = http.client.HTTPConnection('127.0.0.1', self.admin.port, timeout=30)
		c.request(method, path, body=json.dumps(body) if body is not None else None,
			  headers={'Content-Type': 'application/json'})
		r = c.getresponse()
		data = r.read()
		c.close()
		return r.status, json.loads(data) if data else None


class Client:
	def __init__(self, srv, cert, token, certfile, keyfile):
		self.srv = srv
		ctx = ssl.create_default_context(cafile=srv.pki['ca'])
		if cert:
			ctx.load_cert_chain(certfile or srv.pki['admin_crt'], keyfile or srv.pki['admin_key'])
		self.ctx = ctx
		self.token = token
		self.conn = None

	def _conn(self):
		if self.conn is None:
			self.conn = http.client.HTTPSConnection('127.0.0.1', self.srv.api.port, context=self.ctx, timeout=30)
		return self.conn

	def request(self, method, path, body=None, ctype='application/json', headers=None):
		h = {'Accept': 'application/json'}
		if self.token:
			h['Authorization'] = 'Bearer ' + self.token
		if body is not None:
			h['Content-Type'] = ctype
			if not isinstance(body, (bytes, str)):
				body = json.dumps(body)
		h.update(headers or {})
		for attempt in range(2):
			c = self._conn()
			try:
				c.request(method, path, body=body, headers=h)
				r = c.getresponse()
				data = r.read()
				break
			except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
				self.close()
				if attempt:
					raise
		try:
			obj = json.loads(data) if data else None
		except ValueError:
			obj = data
		return r.status, obj, r

	def stream(self, path, timeout=30):
		"""Open a watch; returns (response, iterator of events)."""
		c = http.client.HTTPSConnection('127.0.0.1', self.srv.api.port, context=self.ctx, timeout=timeout)
		h = {'Accept': 'application/json'}
		if self.token:
			h['Authorization'] = 'Bearer ' + self.token
		c.request('GET', path, headers=h)
		r = c.getresponse()

		def it():
			while True:
				line = r.readline()
				if not line:
					return
				yield json.loads(line)
		return r, it(), c

	def close(self):
		if self.conn is not None:
			self.conn.close()
			self.conn = None
