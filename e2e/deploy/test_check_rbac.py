#!/usr/bin/env python3
"""Proves hub-addon/deploy/check_rbac.py is not vacuous: each broken input must be refused with
the right message, the real input must pass, and audit records must map to the right calls.

usage: test_check_rbac.py SOURCE_DIR
"""
import copy
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

SRC = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else '.')
DEPLOY = os.path.join(SRC, 'hub-addon', 'deploy')
CHECK = os.path.join(DEPLOY, 'check_rbac.py')
CALLS = os.path.join(DEPLOY, 'expected-calls.txt')
SPOKE = os.path.join(DEPLOY, 'spoke', 'clusterrole-work-agent.yaml')
failures = []


def run(*args):
    p = subprocess.run([sys.executable, CHECK, *args], capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def expect(name, args, rc, needle=None):
    got, out = run(*args)
    ok = got == rc and (needle is None or needle in out)
    print(f'{"ok  " if ok else "FAIL"} {name}')
    if not ok:
        failures.append(name)
        print(f'  want rc {rc} and {needle!r}; got rc {got}:\n' + out[-2000:])


def builtin_docs():
    sys.path.insert(0, DEPLOY)
    import check_rbac  # noqa: E402
    return check_rbac.render_builtin(DEPLOY)


def write_docs(d, docs):
    with tempfile.NamedTemporaryFile('w', suffix='.yaml', dir=d, delete=False, encoding='utf-8') as fh:
        yaml.safe_dump_all(docs, fh)
        return fh.name


def mutate(docs, kind, fn):
    out = copy.deepcopy(docs)
    for doc in out:
        if doc.get('kind') == kind:
            fn(doc)
    return out


def main():
    tmp = tempfile.mkdtemp(prefix='cocm-rbac-')
    try:
        base = builtin_docs()
        good = write_docs(tmp, base)
        full = ['--calls', CALLS, '--spoke', SPOKE, '--fail-unused']
        expect('real manifests pass (built-in renderer)', ['--rendered', good, *full], 0, '0 problems')
        if shutil.which('kubectl'):
            expect('real manifests pass (kubectl kustomize)', ['--kustomize', DEPLOY, *full], 0, '0 problems')

        extra = os.path.join(tmp, 'extra-calls.txt')
        with open(extra, 'w') as fh:
            fh.write('get core secrets NAMESPACED\n'
                     'update coordination.k8s.io leases NAMESPACED:default choreo-ocm\n'
                     'create cluster.open-cluster-management.io managedclustersets/bind CLUSTER prod\n'
                     'delete openchoreo.dev releases NAMESPACED\n')
        _, out = run('--rendered', good, '--calls', extra)
        for needle in ('not allowed: get core secrets NAMESPACED',
                       'not allowed: update coordination.k8s.io leases NAMESPACED:default choreo-ocm',
                       'not allowed: create cluster.open-cluster-management.io managedclustersets/bind CLUSTER prod',
                       'not allowed: delete openchoreo.dev releases NAMESPACED'):
            ok = needle in out
            print(f'{"ok  " if ok else "FAIL"} denied: {needle}')
            if not ok:
                failures.append(needle)

        short = os.path.join(tmp, 'short-calls.txt')
        with open(CALLS) as fh, open(short, 'w') as out_fh:
            out_fh.writelines(l for l in fh if not l.startswith('delete work.'))
        expect('unused rule fails with --fail-unused', ['--rendered', good, '--calls', short, '--fail-unused'], 1,
               'rule never used: ClusterRole choreo-ocm rule 3: delete work.open-cluster-management.io manifestworks')

        _, out = run('--rendered', good, *full)
        needle = 'documented extra (checked by a webhook, not an API call): ClusterRole choreo-ocm'
        ok = needle in out and 'execute-as work.open-cluster-management.io manifestworks' in out
        print(f'{"ok  " if ok else "FAIL"} execute-as is a documented extra, not unused')
        if not ok:
            failures.append('execute-as documented extra')

        def execute_as_elsewhere(d):
            d['rules'].append({'apiGroups': ['work.open-cluster-management.io'],
                               'resources': ['manifestworkreplicasets'], 'verbs': ['execute-as']})
        expect('execute-as on another resource is unused',
               ['--rendered', write_docs(tmp, mutate(base, 'ClusterRole', execute_as_elsewhere)), *full], 1,
               'rule never used: ClusterRole choreo-ocm rule')

        def wildcard(d):
            d['rules'][0]['verbs'] = ['*']
        expect('wildcard verb refused', ['--rendered', write_docs(tmp, mutate(base, 'ClusterRole', wildcard))],
               1, 'wildcard in verbs')

        def secrets(d):
            d['rules'].append({'apiGroups': [''], 'resources': ['secrets'], 'verbs': ['get']})
        expect('Secrets refused', ['--rendered', write_docs(tmp, mutate(base, 'Role', secrets))], 1,
               'grants access to Secrets')

        def rw_root(d):
            d['spec']['template']['spec']['containers'][0]['securityContext']['readOnlyRootFilesystem'] = False
        expect('writable root fs refused', ['--rendered', write_docs(tmp, mutate(base, 'Deployment', rw_root))],
               1, 'readOnlyRootFilesystem must be true')

        def one_replica(d):
            d['spec']['replicas'] = 1
        expect('1 replica refused', ['--rendered', write_docs(tmp, mutate(base, 'Deployment', one_replica))],
               1, 'replicas 1, want 2')

        def no_caps_drop(d):
            del d['spec']['template']['spec']['containers'][0]['securityContext']['capabilities']
        expect('missing drop ALL refused', ['--rendered', write_docs(tmp, mutate(base, 'Deployment', no_caps_drop))],
               1, 'capabilities must drop ALL')

        def bad_probe(d):
            d['spec']['template']['spec']['containers'][0]['readinessProbe']['httpGet']['path'] = '/healthz'
        expect('wrong readiness path refused', ['--rendered', write_docs(tmp, mutate(base, 'Deployment', bad_probe))],
               1, 'readinessProbe must be GET /readyz')

        def not_self(d):
            d['metadata']['annotations'] = {}
        expect('CMA without lifecycle self refused',
               ['--rendered', write_docs(tmp, mutate(base, 'ClusterManagementAddOn', not_self))], 1, 'lifecycle: self')

        with open(SPOKE) as fh:
            spoke = yaml.safe_load(fh)
        spoke['metadata']['labels'].pop('open-cluster-management.io/aggregate-to-work')
        spoke['rules'] = [r for r in spoke['rules'] if 'cilium.io' not in r['apiGroups']]
        bad_spoke = os.path.join(tmp, 'spoke.yaml')
        with open(bad_spoke, 'w') as fh:
            yaml.safe_dump(spoke, fh)
        expect('spoke role without label refused', ['--rendered', good, '--spoke', bad_spoke], 1,
               'aggregate-to-work: "true" missing')
        expect('spoke role without cilium refused', ['--rendered', good, '--spoke', bad_spoke], 1,
               'cilium.io/ciliumnetworkpolicies lacks verbs')

        audit = os.path.join(tmp, 'audit.jsonl')
        with open(audit, 'w') as fh:
            for rec in (
                '{"verb": "GET", "path": "/apis/openchoreo.dev/v1alpha1/releases?watch=true&resourceVersion=5", "user": "choreo-ocm"}',
                '{"verb": "GET", "path": "/apis/openchoreo.dev/v1alpha1/releases?limit=500", "user": "choreo-ocm"}',
                '{"verb": "PATCH", "path": "/apis/openchoreo.dev/v1alpha1/namespaces/default/releases/web/status", "user": "choreo-ocm"}',
                '{"verb": "PATCH", "path": "/apis/cluster.open-cluster-management.io/v1beta2/namespaces/default/managedclustersetbindings/global?fieldManager=choreo-ocm", "user": "choreo-ocm"}',
                '{"verb": "PATCH", "path": "/apis/work.open-cluster-management.io/v1/namespaces/dp-east/manifestworks/default-web?fieldManager=choreo-ocm&force=true", "user": "choreo-ocm"}',
                '{"verb": "PUT", "path": "/apis/coordination.k8s.io/v1/namespaces/choreo-ocm-system/leases/choreo-ocm", "user": "choreo-ocm"}',
                '{"verb": "DELETE", "path": "/apis/work.open-cluster-management.io/v1/namespaces/dp-east/manifestworks/default-web", "user": "choreo-ocm"}',
                '{"verb": "GET", "path": "/api/v1/namespaces/default/secrets/x", "user": "work-agent-dp-east"}',
                '{"verb": "GET", "path": "/apis", "user": "choreo-ocm"}',
            ):
                fh.write(rec + '\n')
        p = subprocess.run([sys.executable, CHECK, '--audit', audit, '--user', 'choreo-ocm', '--print-calls'],
                           capture_output=True, text=True)
        want = ['watch openchoreo.dev releases CLUSTER',
                'list openchoreo.dev releases CLUSTER',
                'patch openchoreo.dev releases/status NAMESPACED:default web',
                'patch cluster.open-cluster-management.io managedclustersetbindings NAMESPACED:default global',
                'patch work.open-cluster-management.io manifestworks NAMESPACED:dp-east default-web',
                'create work.open-cluster-management.io manifestworks NAMESPACED:dp-east default-web',
                'update coordination.k8s.io leases NAMESPACED:choreo-ocm-system choreo-ocm',
                'delete work.open-cluster-management.io manifestworks NAMESPACED:dp-east default-web',
                'create cluster.open-cluster-management.io managedclustersets/bind CLUSTER global']
        got = p.stdout.split('\n')[:-1]
        ok = got == want
        print(f'{"ok  " if ok else "FAIL"} audit records map to calls')
        if not ok:
            failures.append('audit mapping')
            print('  got:\n   ' + '\n   '.join(got))
        expect('audit calls are allowed', ['--rendered', good, '--audit', audit, '--user', 'choreo-ocm'], 0,
               '0 denied')
        expect('other users are checked without --user', ['--rendered', good, '--audit', audit], 1,
               'not allowed: get core secrets NAMESPACED:default x')
    finally:
        shutil.rmtree(tmp)
    print(f'{len(failures)} failures')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
