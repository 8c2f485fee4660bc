#!/usr/bin/env python3
"""Keeps the user docs true to the code (issue 7): what the docs promise is read from the sources
and the built binary, so a renamed flag, reason or metric fails here instead of misleading users.

usage: check_docs.py SOURCE_DIR CHOREO_OCM
Exit 0 = consistent, 1 = findings (one per line).

Checks
  * README.md opens with `make demo` and `make test` (first code block), stays short (<= 80 lines)
    and links architecture, install, configuration, operations, troubleshooting and comparison;
  * every relative link in README.md, docs/*.md and the READMEs of crds/, e2e/kind/ and
    hub-addon/deploy/ points at an existing file (anchors are not checked);
  * `choreo-ocm run --help` flags == the flags of docs/configuration.md's flag table;
  * `choreo-ocm render --help` and `fold --help` flags appear in docs/render.md / docs/status.md;
  * every condition type and reason status-sync/fold.h defines appears in docs/status.md and
    docs/troubleshooting.md, and every reason those pages' tables name is defined;
  * every metric the daemon registers (cocm_metrics_add in hub-addon/*.c) is in
    docs/operations.md, and every cocm_* metric named there is registered.
"""
import glob
import os
import re
import subprocess
import sys

README_MAX_LINES = 80
README_LINKS = ['docs/architecture.md', 'docs/install.md', 'docs/configuration.md',
		'docs/operations.md', 'docs/troubleshooting.md', 'docs/comparison.md']


def read(src, rel):
	with open(os.path.join(src, rel), encoding='utf-8') as fh:
		return fh.read()


def help_flags(binary, *args):
	"""Long flags (--name) a subcommand's --help prints, minus --help itself."""
	p = subprocess.run([binary, *args, '--help'], capture_output=True, text=True, timeout=30)
	if p.returncode != 0:
		raise SystemExit('%s %s --help: exit %d: %s' % (binary, ' '.join(args), p.returncode,
								 p.stderr.strip()))
	return set(re.findall(r'(?<![\w-])(--[a-z][a-z0-9-]*)', p.stdout)) - {'--help'}


def check_readme(src, errs):
	text = read(src, 'README.md')
	lines = text.splitlines()
	if len(lines) > README_MAX_LINES:
		errs.append('README.md: %d lines, keep it under %d (details belong in docs/)'
			    % (len(lines), README_MAX_LINES))
	m = re.search(r'```[a-z]*\n(.*?)```', text, re.S)
	cmds = [l.split('#')[0].strip() for l in (m.group(1).splitlines() if m else [])]
	cmds = [c for c in cmds if c]
	if cmds[:2] != ['make demo', 'make test']:
		errs.append('README.md: the first code block must start with `make demo` and `make test`, '
			    'has %r' % cmds[:2])
	for target in README_LINKS:
		if '(%s)' % target not in text:
			errs.append('README.md: no link to %s' % target)


def check_links(src, errs):
	files = ['README.md'] + sorted(os.path.relpath(f, src) for f in glob.glob(os.path.join(src, 'docs', '*.md')))
	files += [f for f in ('crds/README.md', 'e2e/kind/README.md', 'hub-addon/deploy/README.md')
		  if os.path.exists(os.path.join(src, f))]
	for rel in files:
		text = read(src, rel)
		text = re.sub(r'```.*?```', '', text, flags=re.S)  # links in code blocks are not links
		for target in re.findall(r'\]\(([^)\s]+)\)', text):
			if re.match(r'^[a-z]+:', target) or target.startswith('#'):
				continue
			path = target.split('#', 1)[0]
			full = os.path.normpath(os.path.join(src, os.path.dirname(rel), path))
			if not os.path.exists(full):
				errs.append('%s: broken link %s' % (rel, target))


def check_flags(src, binary, errs):
	run = help_flags(binary, 'run')
	conf = read(src, 'docs/configuration.md')
	section = conf.split('## `choreo-ocm run` flags', 1)[-1].split('\n## ', 1)[0]
	documented = set(re.findall(r'^\| `(--[a-z][a-z0-9-]*)', section, re.M))
	for f in sorted(run - documented):
		errs.append('docs/configuration.md: flag %s of `choreo-ocm run` is not in the flag table' % f)
	for f in sorted(documented - run):
		errs.append('docs/configuration.md: documents %s, which `choreo-ocm run --help` does not list' % f)
	for sub, doc in (('render', 'docs/render.md'), ('fold', 'docs/status.md')):
		text = read(src, doc)
		for f in sorted(help_flags(binary, sub)):
			if f not in text:
				errs.append('%s: flag %s of `choreo-ocm %s` is not documented' % (doc, f, sub))


def check_reasons(src, errs):
	fold_h = read(src, 'status-sync/fold.h')
	conds = set(re.findall(r'#define COCM_COND_\w+ "(\w+)"', fold_h))
	reasons = set(re.findall(r'#define COCM_REASON_\w+ "(\w+)"', fold_h))
	if not conds or not reasons:
		errs.append('status-sync/fold.h: no COCM_COND_/COCM_REASON_ definitions found')
		return
	for doc in ('docs/status.md', 'docs/troubleshooting.md'):
		text = read(src, doc)
		for name in sorted(conds | reasons):
			if '`%s`' % name not in text:
				errs.append('%s: condition type/reason %s (status-sync/fold.h) is not explained'
					    % (doc, name))
		# reasons named in the condition tables: "| True `X` | ..." (troubleshooting.md) or
		# "| `Type` | False | `X`, `Y` | ..." (status.md)
		for line in re.findall(r'^\|.*\|$', text, re.M):
			cells = [c.strip() for c in line.strip('|').split('|')]
			for i, cell in enumerate(cells):
				m = re.match(r'^(True|False|Unknown)(\s|$)', cell)
				if not m:
					continue
				named = cell if cell != m.group(1) else (cells[i + 1] if i + 1 < len(cells) else '')
				for name in re.findall(r'`([A-Z][A-Za-z]+)`', named):
					if name not in reasons:
						errs.append('%s: table names reason %s, which status-sync/fold.h '
							    'does not define' % (doc, name))
				break


def check_metrics(src, errs):
	code = ''
	for f in sorted(glob.glob(os.path.join(src, 'hub-addon', '*.c'))):
		with open(f, encoding='utf-8') as fh:
			code += fh.read()
	registered = set(re.findall(r'cocm_metrics_add\([^;]*?"(cocm_[a-z0-9_]+)"', code, re.S))
	if not registered:
		errs.append('hub-addon/*.c: no cocm_metrics_add registrations found')
		return
	ops = read(src, 'docs/operations.md')
	named = set(re.findall(r'\b(cocm_[a-z0-9_]+)', ops))
	for m in sorted(registered - named):
		errs.append('docs/operations.md: metric %s is registered by the daemon but not documented' % m)
	for m in sorted(named - registered):
		errs.append('docs/operations.md: names metric %s, which the daemon does not register' % m)


def main():
	if len(sys.argv) != 3:
		print(__doc__)
		return 2
	src, binary = sys.argv[1], sys.argv[2]
	errs = []
	check_readme(src, errs)
	check_links(src, errs)
	check_flags(src, binary, errs)
	check_reasons(src, errs)
	check_metrics(src, errs)
	for e in errs:
		print('FAIL ' + e)
	if not errs:
		print('docs consistent with the flags, condition reasons and metrics of the code')
	return 1 if errs else 0


if __name__ == '__main__':
	sys.exit(main())
