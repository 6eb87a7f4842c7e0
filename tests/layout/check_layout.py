#!/usr/bin/python3
"""Holds tavolo's layout: third-party header homes, no cycles, an engine without libpq/uv/h2o.

Usage: check_layout.py [--root DIR] [--table FILE] [--build DIR]

Rules (docs/include-homes.md is the one table they read; every failure names the file and line):

1. Homes. Every `#include <X>` in a .c/.h file under engine/, api/, include/, bench/ or tests/
   (git ls-files, or a walk of those folders outside git) is checked against the "Homes" table:
   - X matches a row's header (a shell pattern, e.g. `h2o/*`): the file must lie in one of the
     row's homes (a home ending in '/' is a folder with its subfolders, else one file) or be
     listed with X in the "Exceptions" table;
   - else X must be a C11, POSIX or glibc system header (SYSTEM_HEADERS below) or a project
     header found in an include folder; anything else is a library without a home.
   An exception that no longer matches an include, and a home that does not exist, fail too, so
   the table cannot go stale. The same holds for the "Cycles" table below.
2. Folder cycles. A part is a folder of the first two levels (engine/match, api/daemon,
   tests/engine, include/tavolo; bench for files right in bench/); deeper folders belong to their
   part (api/daemon/handlers is the daemon). `#include "X"` is resolved relative to the including
   file, then to the include folders named by target_include_directories/include_directories in
   the CMakeLists.txt files (the first that holds the name wins; all targets' folders together);
   unresolved names (system or generated headers) are skipped. Part A
   depends on part B when a file of A includes a file of B; any cycle fails, naming each edge
   with one include line.
3. Arrows. The "Arrows" table forbids some includes outright: a file under a "From" path must
   not include a file under a "Must not include" path (the daemon includes no CLI header).
4. Module cycles (include level). A module is a path without its extension: engine/x.c and
   engine/x.h are module engine/x, while include/tavolo/x.h is a module of its own. Module A
   depends on module B when a file of A includes a file of B; any cycle fails (api/cli.c
   including pgembed.h while api/pgembed.c includes cli.h).
With --build DIR (a configured and built CMake binary folder):
5. File cycles (link level). For each target, the objects under DIR/**/CMakeFiles/<target>.dir
   are read with `nm -P`: object A depends on object B when A uses a global symbol that B
   defines. Any cycle fails: two .c files that call each other through a shared internal header
   (engine/schedule.c and engine/schedule_colour.c) are one module split in two, or two modules
   leaning on each other.
6. Engine link. No object of the tavolo_engine target (libtavolo_engine.a) may reference a
   libpq (PQ*), libuv (uv_*) or libh2o (h2o_*) symbol; and no executable that links
   libtavolo_engine.a and no other library built here (ics_sample) may get libpq, libuv or
   libh2o on its link line, so the engine's link interface does not carry them either. A build
   without a tavolo_engine target fails.
   Targets are those of DIR/CMakeFiles/TargetDirectories.txt; a target's objects are those its
   link.txt names (Makefile generators) or else every .o of its CMakeFiles/<target>.dir, so
   leftovers of an earlier layout in a reused build folder are not read.
Cycles (rules 2, 4, 5) named in the "Cycles" table, by the exact set of their nodes, are accepted;
with --build, a listed cycle that no longer exists fails.
Exit status: 0 when every rule holds, 1 with one line per violation on stderr otherwise, 2 on
bad usage.
"""

import argparse
import fnmatch
import os
import re
import subprocess
import sys

SYSTEM_HEADERS = set(
    """assert.h complex.h ctype.h errno.h fenv.h float.h inttypes.h iso646.h limits.h locale.h
    math.h setjmp.h signal.h stdalign.h stdarg.h stdatomic.h stdbool.h stddef.h stdint.h stdio.h
    stdlib.h stdnoreturn.h string.h tgmath.h threads.h time.h uchar.h wchar.h wctype.h
    aio.h arpa/inet.h cpio.h dirent.h dlfcn.h fcntl.h fnmatch.h ftw.h glob.h grp.h iconv.h
    langinfo.h libgen.h monetary.h mqueue.h netdb.h net/if.h netinet/in.h netinet/tcp.h
    nl_types.h poll.h pthread.h pwd.h regex.h sched.h search.h semaphore.h spawn.h strings.h
    syslog.h tar.h termios.h ulimit.h unistd.h utime.h utmpx.h wordexp.h
    getopt.h""".split())
SYSTEM_PATTERNS = ("sys/*.h",)  # POSIX and Linux sys/ headers.
SOURCE_TOPS = ("engine", "api", "include", "bench", "tests")
ANGLE_RE = re.compile(r'^\s*#\s*include\s*<([^>]+)>')
QUOTE_RE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')
ENGINE_FORBIDDEN = re.compile(r'^(PQ[A-Za-z]\w*|uv_\w+|h2o_\w+)$')
FORBIDDEN_LIBS = re.compile(r'(^|[/\s])(lib(pq|uv|h2o)[.\w-]*\.(a|so)[.\d]*|-l(pq|uv|h2o))(\s|$)')
INCDIR_RE = re.compile(r'\b(target_include_directories|include_directories)\s*\(([^)]*)\)', re.S)
INCDIR_KEYWORDS = {"PUBLIC", "PRIVATE", "INTERFACE", "SYSTEM", "BEFORE", "AFTER"}


class Failures:
    """Collects violations; each is one line for stderr."""

    def __init__(self, accepted):
        self.lines = []
        self.accepted, self.used = accepted, set()  # Cycles the table accepts; those seen.

    def add(self, msg):
        self.lines.append(msg)


# ---- the table -----------------------------------------------------------------------------

def md_tables(text):
    """Yields (header cells, rows of cells) for every Markdown table of 'text'."""
    block = []
    for line in text.splitlines() + [""]:
        if line.strip().startswith("|"):
            block.append([c.strip() for c in line.strip().strip("|").split("|")])
            continue
        if len(block) >= 2 and all(set(c) <= set("-: ") for c in block[1]):
            yield [c.lower() for c in block[0]], block[2:]
        block = []


def ticked(cell):
    """The `code` items of a table cell."""
    return re.findall(r'`([^`]+)`', cell)


def read_table(path):
    """Returns (homes, exceptions, arrows, accepted): [(patterns, homes)], {(file, header):
    reason}, [(from paths, forbidden paths)], {frozenset of a cycle's nodes: reason}."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    homes, exceptions, arrows, accepted = [], {}, [], {}
    for head, rows in md_tables(text):
        if head[:2] == ["header", "home(s)"]:
            homes += [(ticked(r[0]), ticked(r[1])) for r in rows if len(r) >= 2]
        elif head[:2] == ["file", "header"]:
            for r in rows:
                for hdr in ticked(r[1]):
                    exceptions[(ticked(r[0])[0], hdr)] = r[2] if len(r) > 2 else ""
        elif head[:2] == ["cycle", "reason"]:
            accepted.update({frozenset(ticked(r[0])): r[1] for r in rows if len(r) >= 2})
        elif head[:2] == ["from", "must not include"]:
            arrows += [(ticked(r[0]), ticked(r[1])) for r in rows if len(r) >= 2]
    if not homes:
        raise SystemExit(f"{path}: no table with columns 'Header | Home(s) | Why'")
    return homes, exceptions, arrows, accepted


# ---- the sources ---------------------------------------------------------------------------

def source_files(root):
    """Relative paths of the .c/.h files under SOURCE_TOPS: tracked or new, not ignored."""
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "--cached", "--others",
                              "--exclude-standard", "--"] + list(SOURCE_TOPS),
                             capture_output=True, text=True, check=True).stdout.split("\n")
    except (subprocess.CalledProcessError, FileNotFoundError):
        out = []
        for top in SOURCE_TOPS:
            for dp, _, fns in os.walk(os.path.join(root, top)):
                out += [os.path.relpath(os.path.join(dp, f), root) for f in fns]
    return sorted({p for p in out if p.endswith((".c", ".h"))
                   and os.path.isfile(os.path.join(root, p))})


def includes(root, rel, regex):
    """Yields (line number, name) for each include of 'rel' that 'regex' matches."""
    with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            m = regex.match(line)
            if m:
                yield n, m.group(1)


def include_dirs(root):
    """Folders (relative to root) named by the include commands of every CMakeLists.txt."""
    root, dirs = os.path.realpath(root), []
    for dp, dns, fns in os.walk(root):
        dns[:] = [d for d in dns if not d.startswith((".", "build"))]
        if "CMakeLists.txt" not in fns:
            continue
        with open(os.path.join(dp, "CMakeLists.txt"), encoding="utf-8") as f:
            text = re.sub(r'#[^\n]*', '', f.read())
        for m in INCDIR_RE.finditer(text):
            args = m.group(2).split()
            args = args[1:] if m.group(1).startswith("target") else args
            for a in args:
                a = a.replace("${PROJECT_SOURCE_DIR}", root).replace("${CMAKE_SOURCE_DIR}", root)
                a = a.replace("${CMAKE_CURRENT_SOURCE_DIR}", dp)
                if a in INCDIR_KEYWORDS or "$" in a:
                    continue
                d = os.path.relpath(os.path.normpath(os.path.join(dp, a)), root)
                if os.path.isdir(os.path.join(root, d)) and d not in dirs:
                    dirs.append(d)
    return dirs


# ---- rule 1: homes -------------------------------------------------------------------------

def in_home(rel, home):
    return rel.startswith(home) if home.endswith("/") else rel == home


def check_homes(root, files, homes, exceptions, incdirs, fails):
    used = set()
    for home in {h for _, hs in homes for h in hs}:
        if not os.path.exists(os.path.join(root, home)):
            fails.add(f"docs/include-homes.md: home {home} does not exist")
    for rel in files:
        for n, hdr in includes(root, rel, ANGLE_RE):
            row = next((r for r in homes if any(fnmatch.fnmatch(hdr, p) for p in r[0])), None)
            if row is None:
                if not is_system(hdr) and not find_in(root, incdirs, hdr):
                    fails.add(f"{rel}:{n}: <{hdr}> has no home in docs/include-homes.md")
                continue
            if any(in_home(rel, h) for h in row[1]):
                continue
            if (rel, hdr) in exceptions:
                used.add((rel, hdr))
                continue
            fails.add(f"{rel}:{n}: <{hdr}> included outside its home(s) {', '.join(row[1])}")
    for rel, hdr in sorted(set(exceptions) - used):
        fails.add(f"docs/include-homes.md: exception {rel} <{hdr}> matches no include outside "
                  f"the header's homes: remove it")


def is_system(hdr):
    return hdr in SYSTEM_HEADERS or any(fnmatch.fnmatch(hdr, p) for p in SYSTEM_PATTERNS)


def find_in(root, dirs, name):
    for d in dirs:
        p = os.path.normpath(os.path.join(d, name))
        if os.path.isfile(os.path.join(root, p)):
            return p
    return None


# ---- rules 2 to 4: include cycles and arrows ----------------------------------------------

def include_edges(root, files, incdirs):
    """Yields (including file, line, included file) for each resolvable `#include "..."`."""
    for rel in files:
        for n, name in includes(root, rel, QUOTE_RE):
            target = find_in(root, [os.path.dirname(rel)] + incdirs, name)
            if target is not None:
                yield rel, n, target


def check_arrows(edges, arrows, fails):
    for src, n, dst in edges:
        for froms, nots in arrows:
            if any(in_home(src, f) for f in froms) and any(in_home(dst, x) for x in nots):
                fails.add(f"{src}:{n} includes {dst}: {', '.join(froms)} must not include "
                          f"{', '.join(nots)}")


def part_of(rel):
    parts = rel.split("/")[:-1]
    return "/".join(parts[:2]) if parts else "."


def module_of(rel):
    return os.path.splitext(rel)[0]


def graph(edges, node_of):
    """{node: {node: 'file:line includes "x"'}}: one example line per edge, self-loops left out."""
    g = {}
    for src, n, dst in edges:
        a, b = node_of(src), node_of(dst)
        g.setdefault(a, {})
        g.setdefault(b, {})
        if a != b and b not in g[a]:
            g[a][b] = f"{src}:{n} includes {dst}"
    return g


def cycles(g):
    """(nodes, one cycle through them) per strongly connected component of over one node."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):  # Tarjan's algorithm; the graphs here are small enough for recursion.
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(g[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append((frozenset(comp), one_cycle(g, set(comp))))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def one_cycle(g, comp):
    """A path start -> ... -> start inside the component 'comp' (breadth first, so short)."""
    start = min(comp)
    prev, todo = {start: None}, [start]
    while todo:
        v = todo.pop(0)
        for w in sorted(g[v]):
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return list(reversed(path)) + [start]
            if w in comp and w not in prev:
                prev[w] = v
                todo.append(w)
    return [start, start]


def report_cycles(g, what, fails):
    for nodes, cyc in cycles(g):
        if nodes in fails.accepted:
            fails.used.add(nodes)
            continue
        fails.add(f"{what} cycle: {' -> '.join(cyc)}")
        for a, b in zip(cyc, cyc[1:]):
            fails.add(f"    {a} -> {b}: {g[a][b]}")


# ---- rules 4 and 5: the build --------------------------------------------------------------

def nm(path):
    """(defined, undefined) global symbol names of an object or archive."""
    out = subprocess.run(["nm", "-P", path], capture_output=True, text=True, check=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 2 and not f[0].endswith(":") and f[0] != "nm:":
            if f[1] == "U":
                undefined.add(f[0])
            elif f[1] in "TDBRCGSVWi":
                defined.add(f[0])
    return defined, undefined


def targets(build):
    """{target: (objects, link line or "")} for the targets of the build folder 'build'.

    CMake lists the current targets' folders in CMakeFiles/TargetDirectories.txt, so targets
    of an earlier layout left in a reused build folder are not read; without that list, every
    CMakeFiles/<target>.dir counts. A target's objects are those of its link.txt (Makefile
    generators), so objects of sources it no longer has are not read either; without link.txt
    (Ninja), every .o of its folder."""
    listing = os.path.join(build, "CMakeFiles", "TargetDirectories.txt")
    if os.path.isfile(listing):
        with open(listing, encoding="utf-8") as f:
            dirs = [d for d in f.read().split("\n") if d.endswith(".dir")]
    else:
        dirs = [dp for dp, _, _ in os.walk(build) if re.search(r'CMakeFiles/[^/]+\.dir$', dp)]
    found = {}
    for d in dirs:
        files = target_files(d)
        if files[0] or files[1]:
            found[os.path.basename(d)[:-4]] = files
    return found


def objects_in(tdir):
    return [os.path.join(dp, f) for dp, _, fns in os.walk(tdir) for f in fns if f.endswith(".o")]


def target_files(tdir):
    link = os.path.join(tdir, "link.txt")
    if not os.path.isfile(link):
        return sorted(objects_in(tdir)), ""
    with open(link, encoding="utf-8") as f:
        line = f.read()
    base = os.path.dirname(os.path.dirname(tdir))  # The folder that holds CMakeFiles.
    objs = [os.path.join(base, t) for t in line.split() if t.endswith(".o")]
    return sorted(o for o in objs if os.path.isfile(o)), line


def object_name(build, obj):
    """The source path of an object: its target's folder below 'build' and CMake's name."""
    base, rel = re.split(r'CMakeFiles/[^/]+\.dir/', obj, maxsplit=1)
    return os.path.normpath(os.path.join(os.path.relpath(base, build), rel[:-2]))


def check_object_cycles(build, found, fails):
    for target, (objs, _) in sorted(found.items()):
        syms, defs = {}, {}
        for o in objs:
            d, u = nm(o)
            syms[o] = u
            for s in d:
                defs[s] = o
        short = {o: object_name(build, o) for o in objs}
        g = {short[o]: {} for o in objs}
        for o in objs:
            for s in sorted(syms[o]):
                b = defs.get(s)
                if b is not None and b != o and short[b] not in g[short[o]]:
                    g[short[o]][short[b]] = f"{short[o]} uses {s} from {short[b]}"
        report_cycles(g, f"file (target {target})", fails)


def check_engine_link(build, found, fails):
    if "tavolo_engine" not in found:
        fails.add(f"{build}: no tavolo_engine target: build the tree first")
        return
    for o in found["tavolo_engine"][0]:
        for s in sorted(s for s in nm(o)[1] if ENGINE_FORBIDDEN.match(s)):
            name = object_name(build, o)
            fails.add(f"tavolo_engine: {name} references {s}: the engine calls libpq, libuv or "
                      f"libh2o")
    for target, (_, line) in sorted(found.items()):
        check_link_line(target, line, fails)


def check_link_line(target, line, fails):
    """An executable linking the engine and no other library of ours shows its interface."""
    ours = set(re.findall(r'(lib\w+)\.a\b', line))
    if " -o " not in line or ours != {"libtavolo_engine"}:
        return
    for tok in line.split():
        if FORBIDDEN_LIBS.search(" " + tok + " "):
            fails.add(f"{target}: links only tavolo_engine yet gets {tok}: the engine's link "
                      f"interface carries it")


# ---- main ----------------------------------------------------------------------------------

def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.join(os.path.dirname(__file__), "..", ".."))
    ap.add_argument("--table", help="default: ROOT/docs/include-homes.md")
    ap.add_argument("--build", help="a built CMake binary folder: link-level rules 5 and 6")
    args = ap.parse_args(argv)
    root = os.path.realpath(args.root)
    table = args.table or os.path.join(root, "docs/include-homes.md")
    homes, exceptions, arrows, accepted = read_table(table)
    files = source_files(root)
    incdirs = include_dirs(root)
    fails = Failures(accepted)
    check_homes(root, files, homes, exceptions, incdirs, fails)
    edges = list(include_edges(root, files, incdirs))
    check_arrows(edges, arrows, fails)
    report_cycles(graph(edges, part_of), "folder", fails)
    report_cycles(graph(edges, module_of), "module", fails)
    if args.build:
        found = targets(args.build)
        check_object_cycles(args.build, found, fails)
        check_engine_link(args.build, found, fails)
        for nodes in sorted(set(accepted) - fails.used, key=sorted):
            fails.add(f"docs/include-homes.md: accepted cycle {', '.join(sorted(nodes))} is no "
                      f"longer a cycle: remove it")
    for line in fails.lines:
        print(line, file=sys.stderr)
    print(f"check_layout: {len(files)} files, {len(edges)} includes, "
          f"{'FAILED' if fails.lines else 'ok'}")
    return 1 if fails.lines else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
