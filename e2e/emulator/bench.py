#!/usr/bin/env python3
"""Throughput benchmark of the API emulator: starts `emulator --no-sims --preload-objects N`, then C
client processes with keep-alive HTTPS connections send a request mix for D seconds:
  70% GET one object, 10% LIST one namespace (limit=100), 10% merge PATCH, 10% CREATE.
Prints emulator_objects=N, emulator_req_per_s=R, error count, per-verb latency p50/p99.

  bench.py [--objects 50000] [--seconds 10] [--clients 4] [--procs 2] [--min-rps 0]
Exit status 1 if any request failed or R < --min-rps.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import random
import ssl
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def _kc(path):
	sys.path.insert(0, HERE)
	import yamlmini
	with open(path) as f:
		kc = yamlmini.load(f.read())
	import base64
	u = kc['users'][0]['user']
	c = kc['clusters'][0]['cluster']
	d = tempfile.mkdtemp(prefix='cocm-bench-')
	paths = {}
	for k, v in (('ca', c['certificate-authority-data']), ('crt', u['client-certificate-data']),
		     ('key', u['client-key-data'])):
		p = os.path.join(d, k)
		with open(p, 'wb') as f:
			f.write(base64.b64decode(v))
		paths[k] = p
	host, port = c['server'][len('https://'):].rsplit(':', 1)
	return host, int(port), paths


def worker(args):
	host, port, paths, seconds, nobj, nns, seed, conns = args
	ctx = ssl.create_default_context(cafile=paths['ca'])
	ctx.load_cert_chain(paths['crt'], paths['key'])
	rnd = random.Random(seed)
	cs = [http.client.HTTPSConnection(host, port, context=ctx, timeout=30) for _ in range(conns)]
	lat = {'get': [], 'list': [], 'patch': [], 'create': []}
	errors = 0
	n = 0
	end = time.monotonic() + seconds
	k = 0
	while time.monotonic() < end:
		c = cs[k % len(cs)]
		k += 1
		r = rnd.random()
		i = rnd.randrange(nobj)
		ns = 'bench-%d' % (i % nns)
		if r < 0.7:
			verb, m, path, body, ct = 'get', 'GET', '/api/v1/namespaces/%s/configmaps/cm-%d' % (ns, i), None, None
		elif r < 0.8:
			verb, m, path, body, ct = 'list', 'GET', '/api/v1/namespaces/%s/configmaps?limit=100' % ns, None, None
		elif r < 0.9:
			verb, m, path = 'patch', 'PATCH', '/api/v1/namespaces/%s/configmaps/cm-%d' % (ns, i)
			body = json.dumps({'data': {'n': str(rnd.random())}})
			ct = 'application/merge-patch+json'
		else:
			verb, m, path = 'create', 'POST', '/api/v1/namespaces/%s/configmaps' % ns
			body = json.dumps({'apiVersion': 'v1', 'kind': 'ConfigMap',
					   'metadata': {'generateName': 'new-'}, 'data': {'a': 'b'}})
			ct = 'application/json'
		t0 = time.monotonic()
		try:
			hdrs = {'Accept': 'application/json'}
			if ct:
				hdrs['Content-Type'] = ct
			c.request(m, path, body=body, headers=hdrs)
			resp = c.getresponse()
			resp.read()
			if resp.status >= 300:
				errors += 1
		except (OSError, http.client.HTTPException):
			errors += 1
			c.close()
			cs[(k - 1) % len(cs)] = http.client.HTTPSConnection(host, port, context=ctx, timeout=30)
		lat[verb].append(time.monotonic() - t0)
		n += 1
	return n, errors, lat


def main():
	ap = argparse.ArgumentParser()
	ap.add_argument('--objects', type=int, default=50000)
	ap.add_argument('--namespaces', type=int, default=50)
	ap.add_argument('--seconds', type=float, default=10)
	ap.add_argument('--procs', type=int, default=2)
	ap.add_argument('--clients', type=int, default=2, help='keep-alive connections per process')
	ap.add_argument('--min-rps', type=float, default=0)
	a = ap.parse_args()
	d = tempfile.mkdtemp(prefix='cocm-bench-')
	kc = os.path.join(d, 'kubeconfig')
	t0 = time.monotonic()
	p = subprocess.Popen([sys.executable, os.path.join(HERE, 'emulator'), '--listen', '127.0.0.1:0',
			      '--kubeconfig-out', kc, '--no-sims', '--preload-objects', str(a.objects),
			      '--preload-namespaces', str(a.namespaces)], stdout=subprocess.PIPE, text=True)
	try:
		line = p.stdout.readline()
		if 'emulator ready' not in line:
			print('bench: emulator failed to start', file=sys.stderr)
			return 1
		print('emulator_startup_s=%.1f' % (time.monotonic() - t0))
		host, port, paths = _kc(kc)
		jobs = [(host, port, paths, a.seconds, a.objects, a.namespaces, s, a.clients) for s in range(a.procs)]
		t1 = time.monotonic()
		with multiprocessing.Pool(a.procs) as pool:
			res = pool.map(worker, jobs)
		el = time.monotonic() - t1
		total = sum(r[0] for r in res)
		errors = sum(r[1] for r in res)
		rps = total / el
		print('emulator_objects=%d' % a.objects)
		print('emulator_requests=%d' % total)
		print('emulator_errors=%d' % errors)
		for verb in ('get', 'list', 'patch', 'create'):
			ls = sorted(x for r in res for x in r[2][verb])
			if ls:
				print('emulator_%s_p50_ms=%.2f emulator_%s_p99_ms=%.2f' % (
					verb, 1000 * ls[len(ls) // 2], verb, 1000 * ls[min(len(ls) - 1, int(len(ls) * 0.99))]))
		print('emulator_req_per_s=%d' % rps)
		if errors or rps < a.min_rps:
			return 1
		return 0
	finally:
		p.terminate()
		try:
			p.wait(timeout=10)
		except subprocess.TimeoutExpired:
			p.kill()


if __name__ == '__main__':
	sys.exit(main())
