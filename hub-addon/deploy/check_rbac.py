#!/usr/bin/env python3
"""Checks choreo-ocm's deploy manifests against the API calls the daemon really makes.

Inputs
  --kustomize DIR      render DIR with `kubectl kustomize` (or, without kubectl or with
                       --no-kubectl, with the small built-in renderer: resources, namespace, images)
  --rendered FILE      already rendered multi-document YAML ('-' = stdin); instead of --kustomize
  --calls FILE         calls, one per line: VERB GROUP RESOURCE[/SUB] SCOPE [NAME]
                       (format in hub-addon/deploy/expected-calls.txt)
  --audit FILE         the emulator's audit log (GET /admin/audit): JSON lines with at least
                       "verb" (HTTP method or Kubernetes verb) and "path" (request path + query);
                       optional "user" (see --user), "namespace", "name"
  --user NAME          only audit records whose "user" is NAME (when records carry a user)
  --service-account NS/NAME   the subject whose rights are checked (default
                       choreo-ocm-system/choreo-ocm)
  --spoke FILE         also check the work-agent ClusterRole delivered to data planes
  --fail-unused        fail when a rule grants something no call uses
  --print-calls        print the calls (from --audit / --calls) in the expected-calls format and exit

Checks (exit 1 on any failure, with one line per problem on stderr)
  * a server-side apply PATCH in the audit log (see is_apply) also counts as a `create` of the same
    object: when the object does not exist the API server creates it and authorizes `create` too
    (besides `patch`), so both verbs are needed wherever the daemon applies;
  * every call is allowed to the ServiceAccount by the rendered (Cluster)Roles and bindings,
    with Kubernetes RBAC semantics (apiGroups, resources incl. subresources, verbs, resourceNames,
    RoleBinding namespace); `create managedclustersets/bind <set>` is implied by every write of a
    ManagedClusterSetBinding named <set> (OCM's webhook asks exactly that);
  * no wildcard anywhere in any rule; no access to Secrets; no escalate/bind/impersonate verbs;
  * the Deployment: 2 replicas, --leader-elect, probes /healthz and /readyz, requests and limits,
    runAsNonRoot, readOnlyRootFilesystem, allowPrivilegeEscalation false, drop ALL, seccomp RuntimeDefault;
  * the ClusterManagementAddOn has lifecycle `self`;
  * rules that no call uses are reported (and fail with --fail-unused), except the permissions an
    admission webhook checks (WEBHOOK_CHECKED: `execute-as` on manifestworks for spec.executor),
    which are listed as documented extras.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import yaml

CLUSTER_SCOPED_KINDS = {
    'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition',
    'ClusterManagementAddOn', 'ManagedCluster', 'ManagedClusterSet', 'AddOnTemplate',
    'ClusterDataPlane', 'PriorityClass', 'StorageClass', 'PersistentVolume',
    'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'APIService',
}
HTTP_TO_VERB = {'POST': 'create', 'PUT': 'update', 'PATCH': 'patch'}
DANGEROUS_VERBS = {'escalate', 'bind', 'impersonate'}
# Spoke ClusterRole: the kinds OpenChoreo renders that the work agent's `admin` does not cover.
SPOKE_REQUIRED = [
    ('gateway.networking.k8s.io', 'httproutes'), ('gateway.networking.k8s.io', 'grpcroutes'),
    ('gateway.networking.k8s.io', 'gateways'), ('cilium.io', 'ciliumnetworkpolicies'),
    ('external-secrets.io', 'externalsecrets'), ('external-secrets.io', 'secretstores'),
    ('autoscaling', 'horizontalpodautoscalers'), ('policy', 'poddisruptionbudgets'),
]
# Permissions an admission webhook checks with a SubjectAccessReview (not API calls the daemon
# makes): allowed in a rule as documented extras, never reported unused. OCM's ManifestWork webhook
# asks `execute-as manifestworks system:serviceaccount:<ns>:<name>` of whoever writes a work with
# spec.executor (the opt-in plane annotation ocm.openchoreo.dev/executor).
WEBHOOK_CHECKED = {('work.open-cluster-management.io', 'manifestworks', 'execute-as')}
SPOKE_VERBS = {'get', 'list', 'watch', 'create', 'update', 'patch', 'delete'}


class Call:
    __slots__ = ('verb', 'group', 'resource', 'scope', 'namespace', 'name', 'origin')

    def __init__(self, verb, group, resource, scope, namespace=None, name=None, origin=''):
        self.verb, self.group, self.resource = verb, group, resource
        self.scope = scope            # 'CLUSTER' | 'NAMESPACED' (any namespace) | 'NS' (namespace given)
        self.namespace, self.name, self.origin = namespace, name, origin

    def key(self):
        return (self.verb, self.group, self.resource, self.scope, self.namespace or '', self.name or '')

    def __str__(self):
        g = self.group or 'core'
        sc = self.scope if self.scope != 'NS' else f'NAMESPACED:{self.namespace}'
        return ' '.join(x for x in (self.verb, g, self.resource, sc, self.name or '') if x)


# ---------------------------------------------------------------------------------------- render

def render_builtin(d):
    """The subset of kustomize this project uses: resources (files or directories), namespace, images."""
    with open(os.path.join(d, 'kustomization.yaml'), encoding='utf-8') as fh:
        k = yaml.safe_load(fh) or {}
    docs = []
    for r in k.get('resources', []):
        p = os.path.join(d, r)
        if os.path.isdir(p):
            docs += render_builtin(p)
            continue
        with open(p, encoding='utf-8') as fh:
            docs += [x for x in yaml.safe_load_all(fh) if x]
    ns = k.get('namespace')
    images = {i['name']: i for i in k.get('images', [])}
    for doc in docs:
        if ns and doc.get('kind') not in CLUSTER_SCOPED_KINDS:
            doc.setdefault('metadata', {})['namespace'] = ns
        if ns and doc.get('kind') in ('RoleBinding', 'ClusterRoleBinding'):
            for s in doc.get('subjects') or []:
                if s.get('kind') == 'ServiceAccount' and not s.get('namespace'):
                    s['namespace'] = ns
        spec = (doc.get('spec') or {}).get('template', {}).get('spec', {})
        for c in spec.get('containers', []) + spec.get('initContainers', []):
            img = c.get('image', '')
            base, _, tag = img.partition(':')
            if base in images:
                i = images[base]
                c['image'] = i.get('newName', base) + ':' + str(i.get('newTag', tag or 'latest'))
    return docs


def render(d, use_kubectl=True):
    if use_kubectl and shutil.which('kubectl'):
        out = subprocess.run(['kubectl', 'kustomize', d], check=True, capture_output=True, text=True).stdout
        return [x for x in yaml.safe_load_all(out) if x], 'kubectl kustomize'
    return render_builtin(d), 'built-in renderer'


# ----------------------------------------------------------------------------------------- calls

def parse_calls(path):
    calls = []
    with open(path, encoding='utf-8') as fh:
        for n, line in enumerate(fh, 1):
            line = line.split('#', 1)[0].strip()
            if not line:
                continue
            f = line.split()
            if len(f) not in (4, 5):
                raise ValueError(f'{path}:{n}: want VERB GROUP RESOURCE[/SUB] SCOPE [NAME]')
            verb, group, res, scope = f[:4]
            group = '' if group in ('core', '""', '-') else group
            ns = None
            if scope.startswith('NAMESPACED:'):
                scope, ns = 'NS', scope.split(':', 1)[1]
            elif scope not in ('CLUSTER', 'NAMESPACED'):
                raise ValueError(f'{path}:{n}: SCOPE must be CLUSTER, NAMESPACED or NAMESPACED:<ns>')
            calls.append(Call(verb, group, res, scope, ns, f[4] if len(f) == 5 else None, f'{path}:{n}'))
    return calls


def parse_path(method, raw):
    """Kubernetes request path -> (verb, group, resource[/sub], namespace, name) or None for
    non-resource paths (discovery, /version, /healthz ...)."""
    u = urlsplit(raw)
    q = parse_qs(u.query)
    parts = [p for p in u.path.split('/') if p]
    if parts[:2] == ['api', 'v1']:
        group, rest = '', parts[2:]
    elif parts[:1] == ['apis'] and len(parts) >= 3:
        group, rest = parts[1], parts[3:]
    else:
        return None
    watch = q.get('watch', ['false'])[0] in ('true', '1')
    if rest[:1] == ['watch']:
        watch, rest = True, rest[1:]
    if not rest:
        return None
    ns = None
    if rest[0] == 'namespaces' and len(rest) >= 3:
        ns, rest = rest[1], rest[2:]
    res, name, sub = rest[0], rest[1] if len(rest) > 1 else None, rest[2] if len(rest) > 2 else None
    m = method.upper()
    if m in ('GET', 'HEAD'):
        verb = 'watch' if watch else ('get' if name else 'list')
    elif m == 'DELETE':
        verb = 'delete' if name else 'deletecollection'
    elif m in HTTP_TO_VERB:
        verb = HTTP_TO_VERB[m]
    else:
        verb = method.lower()      # already a Kubernetes verb
        if verb in ('get', 'list') and watch:
            verb = 'watch'
    return verb, group, res + ('/' + sub if sub else ''), ns, name


def parse_audit(path, user=None):
    calls = []
    with open(path, encoding='utf-8') as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            rec = json.loads(line)
            if user and rec.get('user') not in (None, user):
                continue
            p = parse_path(rec.get('verb') or rec.get('method', ''), rec.get('path', ''))
            if p is None:
                continue
            verb, group, res, ns, name = p
            ns = rec.get('namespace') or ns
            name = name or rec.get('name')
            scope = 'NS' if ns else 'CLUSTER'
            calls.append(Call(verb, group, res, scope, ns, name, f'{path}:{n}'))
            if verb == 'patch' and is_apply(rec):
                calls.append(Call('create', group, res, scope, ns, name, f'{path}:{n} (server-side apply)'))
    return calls


def is_apply(rec):
    """A server-side apply PATCH: the record names the patch type or content type, or the query
    carries `force` (the API server accepts `force` only on apply patches)."""
    pt = str(rec.get('patchType') or rec.get('contentType') or '')
    if pt:
        return pt == 'apply' or pt.startswith('application/apply-patch')
    return 'force' in parse_qs(urlsplit(rec.get('path', '')).query)


def implied_calls(calls):
    """OCM's ManagedClusterSetBinding webhook: `create managedclustersets/bind <spec.clusterSet>`,
    and the binding's name must equal spec.clusterSet."""
    out = []
    for c in calls:
        if c.group == 'cluster.open-cluster-management.io' and c.resource == 'managedclustersetbindings' \
                and c.verb in ('create', 'update', 'patch') and c.name:
            out.append(Call('create', c.group, 'managedclustersets/bind', 'CLUSTER', None, c.name,
                            c.origin + ' (OCM webhook)'))
    return out


# ------------------------------------------------------------------------------------------ rbac

def subject_matches(s, sa_ns, sa_name):
    if s.get('kind') == 'ServiceAccount':
        return s.get('name') == sa_name and s.get('namespace') == sa_ns
    if s.get('kind') == 'Group':
        return s.get('name') in ('system:serviceaccounts', f'system:serviceaccounts:{sa_ns}', 'system:authenticated')
    if s.get('kind') == 'User':
        return s.get('name') == f'system:serviceaccount:{sa_ns}:{sa_name}'
    return False


def grants(docs, sa_ns, sa_name):
    """-> list of (where, namespace or None for cluster-wide, rule)."""
    croles = {d['metadata']['name']: d for d in docs if d.get('kind') == 'ClusterRole'}
    roles = {(d['metadata'].get('namespace'), d['metadata']['name']): d for d in docs if d.get('kind') == 'Role'}
    out = []
    for b in docs:
        if b.get('kind') not in ('RoleBinding', 'ClusterRoleBinding'):
            continue
        if not any(subject_matches(s, sa_ns, sa_name) for s in b.get('subjects') or []):
            continue
        ref = b['roleRef']
        bns = b['metadata'].get('namespace') if b['kind'] == 'RoleBinding' else None
        role = croles.get(ref['name']) if ref['kind'] == 'ClusterRole' else roles.get((bns, ref['name']))
        if role is None:
            print(f'warning: {b["kind"]} {b["metadata"]["name"]} refers to {ref["kind"]} {ref["name"]}, '
                  f'not in the manifests', file=sys.stderr)
            continue
        for i, r in enumerate(role.get('rules') or []):
            out.append((f'{role["kind"]} {role["metadata"]["name"]} rule {i}', bns, r))
    return out


def rule_allows(r, c):
    if c.group not in r.get('apiGroups', []):
        return False
    if c.resource not in r.get('resources', []):
        return False
    if c.verb not in r.get('verbs', []):
        return False
    names = r.get('resourceNames')
    if names:
        return c.name is not None and c.name in names
    return True


def allowed(gs, c):
    hits = []
    for where, ns, r in gs:
        if ns is not None:
            if c.scope != 'NS' or c.namespace != ns:
                continue
        if rule_allows(r, c):
            hits.append((where, ns, r))
    return hits


def unused(gs, calls):
    used = set()
    for c in calls:
        for where, ns, r in allowed(gs, c):
            used.add((where, c.group, c.resource, c.verb, c.name if r.get('resourceNames') else None))
    out = []
    for where, ns, r in gs:
        for g in r.get('apiGroups', []):
            for res in r.get('resources', []):
                for v in r.get('verbs', []):
                    if (g, res, v) in WEBHOOK_CHECKED:
                        continue  # documented extra (see webhook_extras)
                    for nm in (r.get('resourceNames') or [None]):
                        if (where, g, res, v, nm) not in used:
                            out.append(f'{where}: {v} {g or "core"} {res}' + (f' {nm}' if nm else ''))
    return out


def webhook_extras(gs):
    """The grants that only a webhook checks (WEBHOOK_CHECKED), for the report."""
    out = []
    for where, ns, r in gs:
        for g in r.get('apiGroups', []):
            for res in r.get('resources', []):
                for v in r.get('verbs', []):
                    if (g, res, v) in WEBHOOK_CHECKED:
                        names = r.get('resourceNames')
                        out.append(f'{where}: {v} {g} {res}' + (f' {",".join(names)}' if names else ' (any name)'))
    return out


# ---------------------------------------------------------------------------------------- policy

def policy(docs, sa_ns, sa_name):
    errs = []
    for d in docs:
        if d.get('kind') not in ('Role', 'ClusterRole'):
            continue
        w = f'{d["kind"]} {d["metadata"]["name"]}'
        for i, r in enumerate(d.get('rules') or []):
            for k in ('apiGroups', 'resources', 'verbs', 'resourceNames', 'nonResourceURLs'):
                if any('*' in str(x) for x in r.get(k) or []):
                    errs.append(f'{w} rule {i}: wildcard in {k}')
            if '' in r.get('apiGroups', []) and any(x.split('/')[0] == 'secrets' for x in r.get('resources', [])):
                errs.append(f'{w} rule {i}: grants access to Secrets')
            bad = DANGEROUS_VERBS & set(r.get('verbs', []))
            if bad:
                errs.append(f'{w} rule {i}: dangerous verbs {sorted(bad)}')
        if d.get('aggregationRule'):
            errs.append(f'{w}: aggregationRule (rights must be explicit)')
    deps = [d for d in docs if d.get('kind') == 'Deployment']
    if len(deps) != 1:
        errs.append(f'want exactly one Deployment, found {len(deps)}')
    for d in deps:
        w = f'Deployment {d["metadata"]["name"]}'
        spec = d['spec']
        if spec.get('replicas') != 2:
            errs.append(f'{w}: replicas {spec.get("replicas")}, want 2')
        pod = spec['template']['spec']
        if pod.get('serviceAccountName') != sa_name or d['metadata'].get('namespace') != sa_ns:
            errs.append(f'{w}: must run as ServiceAccount {sa_ns}/{sa_name}')
        psc = pod.get('securityContext') or {}
        if psc.get('runAsNonRoot') is not True:
            errs.append(f'{w}: pod securityContext.runAsNonRoot must be true')
        if (psc.get('seccompProfile') or {}).get('type') != 'RuntimeDefault':
            errs.append(f'{w}: pod seccompProfile must be RuntimeDefault')
        if pod.get('hostNetwork') or pod.get('hostPID') or pod.get('hostIPC'):
            errs.append(f'{w}: host namespaces are not allowed')
        for c in pod.get('containers', []):
            cw = f'{w} container {c["name"]}'
            sc = c.get('securityContext') or {}
            if sc.get('readOnlyRootFilesystem') is not True:
                errs.append(f'{cw}: readOnlyRootFilesystem must be true')
            if sc.get('allowPrivilegeEscalation') is not False:
                errs.append(f'{cw}: allowPrivilegeEscalation must be false')
            if sc.get('privileged'):
                errs.append(f'{cw}: privileged')
            if (sc.get('capabilities') or {}).get('drop') != ['ALL'] or (sc.get('capabilities') or {}).get('add'):
                errs.append(f'{cw}: capabilities must drop ALL and add nothing')
            if sc.get('runAsNonRoot') is False or sc.get('runAsUser') == 0:
                errs.append(f'{cw}: runs as root')
            if sc.get('seccompProfile') and sc['seccompProfile'].get('type') != 'RuntimeDefault':
                errs.append(f'{cw}: seccompProfile must be RuntimeDefault')
            args = c.get('args') or []
            for a in ('run', '--leader-elect', '--metrics-bind-address=:8080', '--health-probe-bind-address=:8081'):
                if a not in args:
                    errs.append(f'{cw}: args lack {a}')
            res = c.get('resources') or {}
            for k in ('requests', 'limits'):
                for r in ('cpu', 'memory'):
                    if r not in (res.get(k) or {}):
                        errs.append(f'{cw}: resources.{k}.{r} missing')
            for probe, path in (('livenessProbe', '/healthz'), ('readinessProbe', '/readyz')):
                g = (c.get(probe) or {}).get('httpGet') or {}
                port = g.get('port')
                ports = {p.get('name'): p.get('containerPort') for p in c.get('ports', [])}
                if g.get('path') != path or ports.get(port, port) != 8081:
                    errs.append(f'{cw}: {probe} must be GET {path} on port 8081')
            for e in c.get('env', []):
                if 'secretKeyRef' in (e.get('valueFrom') or {}):
                    errs.append(f'{cw}: env {e["name"]} reads a Secret')
    cmas = [d for d in docs if d.get('kind') == 'ClusterManagementAddOn']
    if len(cmas) != 1 or cmas[0]['metadata']['name'] != 'choreo-ocm' or \
            (cmas[0]['metadata'].get('annotations') or {}).get('addon.open-cluster-management.io/lifecycle') != 'self':
        errs.append('want one ClusterManagementAddOn choreo-ocm with addon.open-cluster-management.io/lifecycle: self')
    svcs = [d for d in docs if d.get('kind') == 'Service']
    if not any(p.get('port') == 8080 for s in svcs for p in s['spec'].get('ports', [])):
        errs.append('want a metrics Service on port 8080')
    return errs


def spoke_policy(path):
    with open(path, encoding='utf-8') as fh:
        docs = [d for d in yaml.safe_load_all(fh) if d]
    errs = []
    if len(docs) != 1 or docs[0].get('kind') != 'ClusterRole':
        return [f'{path}: want exactly one ClusterRole']
    d = docs[0]
    if (d['metadata'].get('labels') or {}).get('open-cluster-management.io/aggregate-to-work') != 'true':
        errs.append(f'{path}: label open-cluster-management.io/aggregate-to-work: "true" missing')
    for i, r in enumerate(d.get('rules') or []):
        for k in ('apiGroups', 'resources', 'verbs', 'resourceNames'):
            if any('*' in str(x) for x in r.get(k) or []):
                errs.append(f'{path} rule {i}: wildcard in {k}')
        if '' in r.get('apiGroups', []) and 'secrets' in r.get('resources', []):
            errs.append(f'{path} rule {i}: grants access to Secrets')
        if DANGEROUS_VERBS & set(r.get('verbs', [])):
            errs.append(f'{path} rule {i}: dangerous verbs')
    for g, res in SPOKE_REQUIRED:
        have = set()
        for r in d.get('rules') or []:
            if g in r.get('apiGroups', []) and res in r.get('resources', []):
                have |= set(r.get('verbs', []))
        if not SPOKE_VERBS <= have:
            errs.append(f'{path}: {g}/{res} lacks verbs {sorted(SPOKE_VERBS - have)}')
    return errs


# ------------------------------------------------------------------------------------------ main

def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    src = ap.add_mutually_exclusive_group()
    src.add_argument('--kustomize')
    src.add_argument('--rendered')
    ap.add_argument('--no-kubectl', action='store_true')
    ap.add_argument('--calls', action='append', default=[])
    ap.add_argument('--audit', action='append', default=[])
    ap.add_argument('--user')
    ap.add_argument('--service-account', default='choreo-ocm-system/choreo-ocm')
    ap.add_argument('--spoke')
    ap.add_argument('--fail-unused', action='store_true')
    ap.add_argument('--print-calls', action='store_true')
    a = ap.parse_args(argv[1:])

    calls = []
    for f in a.calls:
        calls += parse_calls(f)
    for f in a.audit:
        calls += parse_audit(f, a.user)
    calls += implied_calls(calls)
    if a.print_calls:
        seen = set()
        for c in calls:
            if c.key() not in seen:
                seen.add(c.key())
                print(c)
        return 0
    if not (a.kustomize or a.rendered):
        ap.error('--kustomize or --rendered is required')

    if a.kustomize:
        docs, how = render(a.kustomize, not a.no_kubectl)
    else:
        fh = sys.stdin if a.rendered == '-' else open(a.rendered, encoding='utf-8')
        docs, how = [d for d in yaml.safe_load_all(fh) if d], a.rendered
    sa_ns, _, sa_name = a.service_account.partition('/')
    errs = policy(docs, sa_ns, sa_name)
    if a.spoke:
        errs += spoke_policy(a.spoke)
    gs = grants(docs, sa_ns, sa_name)
    if not gs:
        errs.append(f'no rules are bound to ServiceAccount {a.service_account}')
    denied = 0
    for c in calls:
        if not allowed(gs, c):
            denied += 1
            errs.append(f'{c.origin}: not allowed: {c}')
    unused_rules = unused(gs, calls) if calls else []
    for u in unused_rules:
        print(f'unused: {u}', file=sys.stderr)
        if a.fail_unused:
            errs.append(f'rule never used: {u}')
    for x in webhook_extras(gs):
        print(f'documented extra (checked by a webhook, not an API call): {x}')
    for e in errs:
        print(e, file=sys.stderr)
    print(f'check_rbac: {len(docs)} objects ({how}), {len(gs)} rules, {len(calls)} calls, '
          f'{denied} denied, {len(unused_rules)} unused rule grants, {len(errs)} problems')
    return 1 if errs else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
