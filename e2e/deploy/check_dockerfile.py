#!/usr/bin/env python3
"""Lints hub-addon/Dockerfile (no container engine runs here) and checks its runtime package list
against the libraries the build links.

usage: check_dockerfile.py SOURCE_DIR BINARY
Exit 0 = pass, 1 = problems (one per line on stderr), 77 = skipped (not Debian bookworm / no dpkg).

Checks
  * two stages: `FROM debian:bookworm AS build`, final `FROM debian:bookworm-slim`;
  * final stage: USER 65532 (non-root), ENTRYPOINT ["/usr/local/bin/choreo-ocm"] in exec form,
    apt-get install with --no-install-recommends and the lists removed in the same RUN,
    the binary copied from the build stage; no ADD, no `latest` tags, no curl|sh;
  * runtime packages == ca-certificates + the Debian packages that ship the shared libraries of the
    pkg-config modules the top-level CMakeLists.txt requires (libuv, libcjson, yaml-0.1, zlib,
    libcurl, openssl), mapped with `dpkg -S`;
  * every library the built binary needs (readelf NEEDED, resolved with ldd) comes from a runtime
    package or from the base image (libc6, libgcc-s1: Essential in bookworm-slim).
"""
import os
import re
import shlex
import subprocess
import sys

BASE_IMAGE_PKGS = {'libc6', 'libgcc-s1'}
SANITIZER_PKG = re.compile(r'^lib(asan|ubsan|tsan|lsan)[0-9]*$')   # sanitizer builds, never the image
MODULES = {  # pkg-config module -> how CMakeLists.txt asks for it
    'libuv': r'pkg_check_modules\(UV REQUIRED',
    'libcjson': r'pkg_check_modules\(CJSON REQUIRED',
    'yaml-0.1': r'pkg_check_modules\(YAML REQUIRED',
    'zlib': r'pkg_check_modules\(ZLIB REQUIRED',
    'libcurl': r'find_package\(CURL [0-9.]+ REQUIRED',
    'libssl': r'find_package\(OpenSSL [0-9]+ REQUIRED',
    'libcrypto': r'find_package\(OpenSSL [0-9]+ REQUIRED',
}


def stages(text):
    """-> list of (from_line, [(instruction, args)]) with line continuations joined."""
    joined = re.sub(r'\\\n', ' ', text)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        instr, _, args = line.partition(' ')
        instr = instr.upper()
        args = ' '.join(args.split())
        if instr == 'FROM':
            out.append((args, []))
        elif out:
            out[-1][1].append((instr, args))
    return out


def apt_packages(run_args):
    m = re.search(r'apt-get install ([^&;|]*)', run_args)
    if not m:
        return None
    return {w for w in shlex.split(m.group(1)) if not w.startswith('-')}


def dpkg_owner(path):
    cands = [path, os.path.realpath(path)]
    for p in list(cands):
        if p.startswith('/lib'):
            cands.append('/usr' + p)
        elif p.startswith('/usr/lib'):
            cands.append(p[4:])
    for p in cands:
        r = subprocess.run(['dpkg', '-S', p], capture_output=True, text=True)
        if r.returncode == 0:
            return r.stdout.split(':', 1)[0].strip()
    return None


def lint(path):
    errs = []
    with open(path, encoding='utf-8') as fh:
        st = stages(fh.read())
    if len(st) < 2:
        return [f'{path}: want a multi-stage build (build + runtime)'], None
    if not re.fullmatch(r'debian:bookworm AS build', st[0][0], re.I):
        errs.append(f'{path}: first stage must be `FROM debian:bookworm AS build`, is `FROM {st[0][0]}`')
    final_from, final = st[-1]
    if final_from != 'debian:bookworm-slim':
        errs.append(f'{path}: final stage must be FROM debian:bookworm-slim, is {final_from}')
    for frm, body in st:
        if ':latest' in frm or ':' not in frm.split()[0]:
            errs.append(f'{path}: FROM {frm}: pin a tag, not latest')
        for instr, args in body:
            if instr == 'ADD':
                errs.append(f'{path}: use COPY, not ADD')
            if instr == 'RUN' and re.search(r'(curl|wget)[^|]*\|\s*(ba)?sh', args):
                errs.append(f'{path}: RUN pipes a download into a shell')
            if instr == 'RUN' and 'apt-get install' in args:
                if '--no-install-recommends' not in args:
                    errs.append(f'{path}: apt-get install without --no-install-recommends')
                if 'rm -rf /var/lib/apt/lists' not in args:
                    errs.append(f'{path}: apt lists not removed in the same RUN')
                if 'apt-get update' not in args:
                    errs.append(f'{path}: apt-get install without apt-get update in the same RUN')
    users = [a for i, a in final if i == 'USER']
    if not users or users[-1].split(':')[0] != '65532':
        errs.append(f'{path}: final stage must end as USER 65532 (non-root)')
    eps = [a for i, a in final if i == 'ENTRYPOINT']
    if eps != ['["/usr/local/bin/choreo-ocm"]']:
        errs.append(f'{path}: ENTRYPOINT must be ["/usr/local/bin/choreo-ocm"] (exec form), is {eps}')
    if not any(i == 'COPY' and args.startswith('--from=build ') and args.endswith(' /usr/local/bin/choreo-ocm')
               for i, args in final):
        errs.append(f'{path}: final stage must COPY --from=build the binary to /usr/local/bin/choreo-ocm')
    runtime = set()
    for i, args in final:
        if i == 'RUN':
            runtime |= apt_packages(args) or set()
    if not runtime:
        errs.append(f'{path}: final stage installs no packages')
    return errs, runtime


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    src, binary = argv[1], argv[2]
    if not os.path.isfile(binary):
        print(f'check_dockerfile: {binary} does not exist (build the choreo-ocm target first)', file=sys.stderr)
        return 1
    errs, runtime = lint(os.path.join(src, 'hub-addon', 'Dockerfile'))
    if not os.path.exists(os.path.join(src, '.dockerignore')):
        errs.append('.dockerignore missing at the repository root (the build context)')
    osr = open('/etc/os-release').read() if os.path.exists('/etc/os-release') else ''
    if 'VERSION_CODENAME=bookworm' not in osr or subprocess.run(['which', 'dpkg'], capture_output=True).returncode:
        for e in errs:
            print(e, file=sys.stderr)
        print('check_dockerfile: lint done; package mapping skipped (needs Debian bookworm with dpkg)')
        return 1 if errs else 77
    if runtime is not None:
        with open(os.path.join(src, 'CMakeLists.txt'), encoding='utf-8') as fh:
            cm = fh.read()
        declared = set()
        for mod, pat in MODULES.items():
            if not re.search(pat, cm):
                errs.append(f'CMakeLists.txt no longer requires {mod} ({pat}); update this check')
                continue
            libdir = subprocess.run(['pkg-config', '--variable=libdir', mod], capture_output=True,
                                    text=True).stdout.strip()
            libs = subprocess.run(['pkg-config', '--libs-only-l', mod], capture_output=True, text=True).stdout.split()
            own = [lib[2:] for lib in libs if lib.startswith('-l')][:1]   # the module's own library
            for lib in own:
                so = os.path.join(libdir, f'lib{lib}.so')
                pkg = dpkg_owner(os.path.realpath(so)) if os.path.exists(so) else None
                if pkg is None:
                    errs.append(f'cannot map {mod} ({so}) to a Debian package')
                else:
                    declared.add(pkg)
        want = declared | {'ca-certificates'}
        if runtime != want:
            if want - runtime:
                errs.append(f'runtime image lacks {sorted(want - runtime)}')
            if runtime - want:
                errs.append(f'runtime image installs packages the build does not link: {sorted(runtime - want)}')
        needed = re.findall(r'\(NEEDED\)\s+Shared library: \[([^\]]+)\]',
                            subprocess.run(['readelf', '-d', binary], capture_output=True, text=True,
                                           check=True).stdout)
        resolved = dict(re.findall(r'^\s*(\S+) => (\S+)', subprocess.run(['ldd', binary], capture_output=True,
                                                                         text=True, check=True).stdout, re.M))
        for lib in needed:
            path = resolved.get(lib)
            pkg = dpkg_owner(path) if path else None
            if pkg is None:
                errs.append(f'{binary}: cannot map {lib} to a package')
            elif pkg not in runtime and pkg not in BASE_IMAGE_PKGS and not SANITIZER_PKG.match(pkg):
                errs.append(f'{binary} needs {lib} from {pkg}, which the runtime image does not install')
        print(f'check_dockerfile: binary needs {len(needed)} libraries ({", ".join(needed)}); '
              f'runtime packages {sorted(runtime)}')
    for e in errs:
        print(e, file=sys.stderr)
    print(f'check_dockerfile: {len(errs)} problems')
    return 1 if errs else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
