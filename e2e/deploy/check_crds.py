#!/usr/bin/env python3
"""Checks choreo-ocm's CRD files: the plain YAML subset the emulator parses, and the
structural-schema rules of apiextensions.k8s.io/v1 that a real API server enforces.

usage: check_crds.py FILE_OR_DIR...   (exit 0 when every file passes, 1 otherwise)
"""
import os
import re
import sys

import yaml

TYPES = {'object', 'array', 'string', 'integer', 'number', 'boolean'}
FORMATS = {'int32', 'int64', 'date-time', 'byte', 'double', 'float', 'date', 'uri', 'duration'}


def lint_subset(path, text):
    """The YAML subset documented in crds/README.md."""
    errs = []
    for n, line in enumerate(text.splitlines(), 1):
        where = f'{path}:{n}'
        if '\t' in line:
            errs.append(f'{where}: tab character')
        body = line.strip()
        if not body or body.startswith('#'):
            continue
        if (len(line) - len(line.lstrip(' '))) % 2:
            errs.append(f'{where}: indentation is not a multiple of two')
        if body.startswith('- '):
            body = body[2:]
        m = re.match(r'^([A-Za-z0-9_.\-/]+):(?: (.*))?$', body)
        value = m.group(2) if m else body
        if value is None:
            continue
        if value in ('|', '>', '|-', '>-') or value.startswith(('&', '*', '!', "'")):
            errs.append(f'{where}: anchors, aliases, tags, block or single-quoted scalars are not allowed')
        elif value.startswith(('[', '{')) and value != '{}':
            errs.append(f'{where}: flow collection (only an empty {{}} is allowed)')
        elif value.startswith('"'):
            if not value.endswith('"') or len(value) < 2:
                errs.append(f'{where}: unterminated double-quoted string')
            elif re.search(r'\\[^"]', value.replace('\\"', '')):
                errs.append(f'{where}: escape other than \\" in a double-quoted string')
        elif ': ' in value or ' #' in value:
            errs.append(f'{where}: plain scalar with ": " or " #" (quote it)')
    return errs


def check_schema(s, where, errs, root=False, in_free=False):
    if not isinstance(s, dict):
        errs.append(f'{where}: schema is not a map')
        return
    free = s.get('x-kubernetes-preserve-unknown-fields') is True
    ios = s.get('x-kubernetes-int-or-string') is True
    t = s.get('type')
    if t is None and not (free or ios):
        errs.append(f'{where}: no type (structural schemas need one unless preserve-unknown-fields or int-or-string)')
    if t is not None and t not in TYPES:
        errs.append(f'{where}: unknown type {t!r}')
    if 'anyOf' in s and not ios:
        errs.append(f'{where}: anyOf without x-kubernetes-int-or-string')
    if 'format' in s and s['format'] not in FORMATS:
        errs.append(f'{where}: unknown format {s["format"]!r}')
    if 'properties' in s and 'additionalProperties' in s:
        errs.append(f'{where}: both properties and additionalProperties')
    if s.get('x-kubernetes-embedded-resource') and t != 'object':
        errs.append(f'{where}: embedded resource must be an object')
    props = s.get('properties', {})
    if props and t != 'object':
        errs.append(f'{where}: properties on a non-object')
    for r in s.get('required', []):
        if r not in props:
            errs.append(f'{where}: required field {r!r} is not a property')
    if 'pattern' in s:
        if t != 'string' and not ios:
            errs.append(f'{where}: pattern on a non-string')
        try:
            re.compile(s['pattern'])
        except re.error as e:
            errs.append(f'{where}: bad pattern: {e}')
    if 'enum' in s:
        for v in s['enum']:
            if t == 'string' and not isinstance(v, str):
                errs.append(f'{where}: enum value {v!r} is not a string')
        if 'default' in s and s['default'] not in s['enum']:
            errs.append(f'{where}: default {s["default"]!r} not in enum')
    if 'default' in s and t == 'string' and not isinstance(s['default'], str):
        errs.append(f'{where}: string default {s["default"]!r} is not a string')
    if 'default' in s and 'pattern' in s and isinstance(s['default'], str) and \
            not re.search(s['pattern'], s['default']):
        errs.append(f'{where}: default {s["default"]!r} does not match its pattern')
    if s.get('x-kubernetes-list-type') == 'map':
        keys = s.get('x-kubernetes-list-map-keys') or []
        item = s.get('items', {})
        if not keys:
            errs.append(f'{where}: list-type map without list-map-keys')
        for k in keys:
            if k not in item.get('properties', {}):
                errs.append(f'{where}: list-map key {k!r} is not an item property')
            elif k not in item.get('required', []) and 'default' not in item['properties'][k]:
                errs.append(f'{where}: list-map key {k!r} must be required or defaulted')
    for v in s.get('x-kubernetes-validations', []):
        if not v.get('rule'):
            errs.append(f'{where}: validation rule without rule')
    if t == 'array':
        if 'items' not in s:
            errs.append(f'{where}: array without items')
        else:
            check_schema(s['items'], where + '[]', errs)
    for k, v in props.items():
        check_schema(v, f'{where}.{k}', errs)
    if isinstance(s.get('additionalProperties'), dict):
        check_schema(s['additionalProperties'], where + '{}', errs)
    if root:
        md = props.get('metadata')
        if md is None or md.get('type') != 'object' or set(md) - {'type'}:
            errs.append(f'{where}.metadata: must be exactly {{type: object}}')


def check_crd(path, doc):
    errs = []
    if doc.get('apiVersion') != 'apiextensions.k8s.io/v1' or doc.get('kind') != 'CustomResourceDefinition':
        return [f'{path}: not an apiextensions.k8s.io/v1 CustomResourceDefinition']
    spec = doc.get('spec', {})
    names = spec.get('names', {})
    group = spec.get('group', '')
    for k in ('kind', 'listKind', 'plural', 'singular'):
        if not names.get(k):
            errs.append(f'{path}: spec.names.{k} missing')
    if names.get('listKind') != names.get('kind', '') + 'List':
        errs.append(f'{path}: listKind must be kind + "List"')
    if doc.get('metadata', {}).get('name') != f'{names.get("plural")}.{group}':
        errs.append(f'{path}: metadata.name must be <plural>.<group>')
    if spec.get('scope') not in ('Namespaced', 'Cluster'):
        errs.append(f'{path}: scope must be Namespaced or Cluster')
    versions = spec.get('versions') or []
    if sum(1 for v in versions if v.get('storage')) != 1:
        errs.append(f'{path}: exactly one storage version')
    for v in versions:
        w = f'{path}[{v.get("name")}]'
        schema = v.get('schema', {}).get('openAPIV3Schema')
        if schema is None:
            errs.append(f'{w}: no openAPIV3Schema')
            continue
        check_schema(schema, w, errs, root=True)
        sub = v.get('subresources', {})
        if 'status' in sub:
            if sub['status'] != {}:
                errs.append(f'{w}: subresources.status must be {{}}')
            if 'status' not in schema.get('properties', {}):
                errs.append(f'{w}: status subresource without a status property')
        for c in v.get('additionalPrinterColumns', []):
            if not c.get('jsonPath', '').startswith('.'):
                errs.append(f'{w}: printer column {c.get("name")} jsonPath must start with "."')
    return errs


def main(argv):
    files = []
    for a in argv[1:]:
        if os.path.isdir(a):
            files += sorted(os.path.join(a, f) for f in os.listdir(a) if f.endswith('.yaml'))
        else:
            files.append(a)
    if not files:
        print('check_crds: no files', file=sys.stderr)
        return 1
    errs = []
    for f in files:
        with open(f, encoding='utf-8') as fh:
            text = fh.read()
        errs += lint_subset(f, text)
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
        if len(docs) != 1:
            errs.append(f'{f}: expected exactly one document, found {len(docs)}')
            continue
        errs += check_crd(f, docs[0])
    for e in errs:
        print(e, file=sys.stderr)
    print(f'check_crds: {len(files)} files, {len(errs)} problems')
    return 1 if errs else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
