#!/usr/bin/python3
"""Plants each kind of layout violation and checks that check_layout.py fails on it, naming it.

Usage: test_check_layout.py SOURCE_DIR. Synthetic trees (and a synthetic build folder made with
cc, ar) hold one violation each; a copy of the real tree gets violations planted into its own
files, so the real table is what catches them.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.realpath(__file__))
CHECK = os.path.join(HERE, "check_layout.py")
SOURCE = os.path.realpath(sys.argv.pop(1) if len(sys.argv) > 1 else os.path.join(HERE, "..", ".."))

TABLE = """# Include homes

| Header | Home(s) | Why |
|---|---|---|
| `libpq-fe.h` | `engine/store/` | The store. |
| `h2o.h`, `h2o/*` | `api/daemon/` | The daemon. |
| `cmocka.h` | `tests/` | Tests. |

| From | Must not include | Why |
|---|---|---|
| `api/daemon/` | `api/cli/` | The daemon needs no CLI. |

| File | Header | Reason |
|---|---|---|
{exceptions}
"""

CLEAN = {
    "CMakeLists.txt": "target_include_directories(tavolo_engine PUBLIC include PRIVATE "
                      "engine/core)\n",
    "include/tavolo/score.h": "#include <stddef.h>\n",
    "engine/core/internal.h": '#include "tavolo/score.h"\n',
    "engine/match/score.c": '#include <string.h>\n#include "internal.h"\n'
                            '#include "tavolo/score.h"\n',
    "engine/store/store.c": '#include <libpq-fe.h>\n#include "internal.h"\n',
    "api/daemon/server.c": '#include <h2o.h>\n#include <h2o/http1.h>\n#include <sys/stat.h>\n',
    "api/cli/cli.c": '#include "cli.h"\n#include "pgembed.h"\n',
    "api/cli/cli.h": "",
    "api/cli/pgembed.c": '#include "pgembed.h"\n',
    "api/cli/pgembed.h": "",
    "tests/engine/test_score.c": '#include <cmocka.h>\n#include "tavolo/score.h"\n',
}


def write_tree(root, files, exceptions=""):
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    os.makedirs(os.path.join(root, "docs"), exist_ok=True)
    with open(os.path.join(root, "docs/include-homes.md"), "w", encoding="utf-8") as f:
        f.write(TABLE.format(exceptions=exceptions))


def run(root, *extra):
    p = subprocess.run(["/usr/bin/python3", CHECK, "--root", root] + list(extra),
                       capture_output=True, text=True)
    return p.returncode, p.stderr


def compile_object(build, target, rel, code):
    """Compiles 'code' to BUILD/CMakeFiles/<target>.dir/<rel>.o, as CMake names objects."""
    obj = os.path.join(build, "CMakeFiles", f"{target}.dir", rel + ".o")
    os.makedirs(os.path.dirname(obj), exist_ok=True)
    src = obj[:-2]
    with open(src, "w", encoding="utf-8") as f:
        f.write(code)
    subprocess.run([os.environ.get("CC", "cc"), "-c", src, "-o", obj], check=True)
    os.remove(src)
    return obj


def archive(build, name, objs):
    subprocess.run(["ar", "rcs", os.path.join(build, name)] + objs, check=True)


class Synthetic(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="layout-")
        self.addCleanup(shutil.rmtree, self.root)

    def tree(self, changes=None, exceptions=""):
        files = dict(CLEAN)
        files.update(changes or {})
        write_tree(self.root, files, exceptions)

    def assert_fails_with(self, *needles, build=None):
        rc, err = run(self.root, *(["--build", build] if build else []))
        self.assertEqual(rc, 1, err)
        for needle in needles:
            self.assertIn(needle, err)

    def test_clean_tree_passes(self):
        self.tree()
        self.assertEqual(run(self.root), (0, ""))

    def test_header_outside_its_home_fails_naming_file_line_and_homes(self):
        self.tree({"engine/match/score.c": "#include <string.h>\n#include <libpq-fe.h>\n"})
        self.assert_fails_with("engine/match/score.c:2: <libpq-fe.h> included outside its "
                               "home(s) engine/store/")

    def test_header_pattern_outside_its_home_fails(self):
        self.tree({"api/cli/cli.c": "#include <h2o/memory.h>\n"})
        self.assert_fails_with("api/cli/cli.c:1: <h2o/memory.h> included outside")

    def test_library_without_a_home_fails(self):
        self.tree({"engine/match/score.c": "#include <zlib.h>\n"})
        self.assert_fails_with("engine/match/score.c:1: <zlib.h> has no home")

    def test_listed_exception_passes_and_stale_one_fails(self):
        self.tree({"api/cli/cli.c": "#include <h2o.h>\n"}, "| `api/cli/cli.c` | `h2o.h` | x |")
        self.assertEqual(run(self.root)[0], 0)
        self.tree(exceptions="| `api/cli/cli.c` | `h2o.h` | x |")
        self.assert_fails_with("exception api/cli/cli.c <h2o.h> matches no include")

    def test_home_that_does_not_exist_fails(self):
        self.tree()
        shutil.rmtree(os.path.join(self.root, "api/daemon"))
        self.assert_fails_with("home api/daemon/ does not exist")

    def test_folder_cycle_fails_naming_each_edge(self):
        self.tree({"engine/core/internal.h": '#include "../match/score.h"\n',
                   "engine/match/score.h": ""})
        self.assert_fails_with("folder cycle: engine/core -> engine/match -> engine/core",
                               "engine/core/internal.h:1 includes engine/match/score.h",
                               "engine/match/score.c:2 includes engine/core/internal.h")

    def test_forbidden_arrow_fails_naming_the_include(self):
        self.tree({"api/daemon/server.c": '#include <h2o.h>\n#include "../cli/cli.h"\n'})
        self.assert_fails_with("api/daemon/server.c:2 includes api/cli/cli.h: api/daemon/ must "
                               "not include api/cli/")

    def test_module_cycle_fails(self):
        self.tree({"api/cli/pgembed.c": '#include "pgembed.h"\n#include "cli.h"\n'})
        self.assert_fails_with("module cycle: api/cli/cli -> api/cli/pgembed -> api/cli/cli",
                               "api/cli/pgembed.c:2 includes api/cli/cli.h")

    def write(self, build, rel, text):
        os.makedirs(os.path.dirname(os.path.join(build, rel)), exist_ok=True)
        with open(os.path.join(build, rel), "w", encoding="utf-8") as f:
            f.write(text)

    def synthetic_build(self, schedule_calls_back=False, engine_calls_pq=False, link_pq=False):
        build = os.path.join(self.root, "build")
        objs = [compile_object(build, "tavolo_engine", "engine/schedule/schedule.c",
                               "int tv__colour_place(void);\nint tv__sched_put(void);\n"
                               "int tv__sched_put(void) { return 1; }\n"
                               "int tv_schedule_run(void) { return tv__colour_place(); }\n"),
                compile_object(build, "tavolo_engine", "engine/schedule/schedule_colour.c",
                               "int tv__sched_put(void);\nint tv__colour_place(void)\n{ return "
                               + ("tv__sched_put();" if schedule_calls_back else "0;") + " }\n")]
        if engine_calls_pq:
            objs.append(compile_object(build, "tavolo_engine", "engine/match/score.c",
                                       "void *PQexec(void *, const char *);\n"
                                       "void *tv_score(void) { return PQexec(0, \"\"); }\n"))
        archive(build, "libtavolo_engine.a", objs)
        self.write(build, "CMakeFiles/tavolo_engine.dir/link.txt",
                   "/usr/bin/ar qc libtavolo_engine.a "
                   + " ".join(os.path.relpath(o, build) for o in objs) + "\n")
        # Left over from an earlier layout: a cycle in a target the build no longer has, and
        # an object that tavolo_engine's link.txt no longer names.
        for a, b in (("a", "b"), ("b", "a")):
            compile_object(build, "tavolo_api", f"api/{a}.c",
                           f"int {b}(void);\nint {a}(void) {{ return {b}(); }}\n")
        compile_object(build, "tavolo_engine", "engine/store.c",
                       "void *PQexec(void *, const char *);\n"
                       "void *tv_store(void) { return PQexec(0, \"\"); }\n")
        self.write(build, "CMakeFiles/ics_sample.dir/link.txt",
                   "/usr/bin/cc CMakeFiles/ics_sample.dir/ics_sample.c.o -o ics_sample "
                   "libtavolo_engine.a /usr/lib/libjansson.so "
                   + ("/usr/lib/x86_64-linux-gnu/libpq.so " if link_pq else "") + "-lm\n")
        self.write(build, "CMakeFiles/TargetDirectories.txt",
                   "".join(os.path.join(build, "CMakeFiles", t + ".dir") + "\n"
                           for t in ("test", "tavolo_engine", "ics_sample")))
        return build

    def test_clean_build_passes(self):
        self.tree()
        self.assertEqual(run(self.root, "--build", self.synthetic_build()), (0, ""))

    def test_file_cycle_through_symbols_fails(self):
        self.tree()
        self.assert_fails_with(
            "file (target tavolo_engine) cycle: engine/schedule/schedule.c -> "
            "engine/schedule/schedule_colour.c -> engine/schedule/schedule.c",
            "engine/schedule/schedule_colour.c uses tv__sched_put from",
            build=self.synthetic_build(schedule_calls_back=True))

    def test_accepted_cycle_passes_and_stale_one_fails(self):
        cycle = ("| `engine/schedule/schedule.c`, `engine/schedule/schedule_colour.c` | x |")
        self.tree(exceptions="\n| Cycle | Reason |\n|---|---|\n" + cycle)
        build = self.synthetic_build(schedule_calls_back=True)
        self.assertEqual(run(self.root, "--build", build), (0, ""))
        shutil.rmtree(build)
        self.assert_fails_with("accepted cycle engine/schedule/schedule.c, "
                               "engine/schedule/schedule_colour.c is no longer a cycle",
                               build=self.synthetic_build())

    def test_engine_calling_libpq_fails(self):
        self.tree()
        self.assert_fails_with("tavolo_engine: engine/match/score.c references PQexec",
                               build=self.synthetic_build(engine_calls_pq=True))

    def test_engine_link_interface_carrying_libpq_fails(self):
        self.tree()
        self.assert_fails_with("links only tavolo_engine yet gets "
                               "/usr/lib/x86_64-linux-gnu/libpq.so",
                               build=self.synthetic_build(link_pq=True))

    def test_missing_engine_library_fails(self):
        self.tree()
        os.makedirs(os.path.join(self.root, "build"))
        self.assert_fails_with("no tavolo_engine target", build=os.path.join(self.root, "build"))


class RealTreeCopy(unittest.TestCase):
    """The real table and tree, copied, with violations planted in real files."""

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="layout-real-")
        self.addCleanup(shutil.rmtree, self.root)
        ignore = shutil.ignore_patterns("build*", ".git", "__pycache__")
        for top in ("engine", "api", "include", "bench", "tests", "docs"):
            shutil.copytree(os.path.join(SOURCE, top), os.path.join(self.root, top),
                            ignore=ignore)
        shutil.copy(os.path.join(SOURCE, "CMakeLists.txt"), self.root)

    def plant(self, rel, line):
        path = os.path.join(self.root, rel)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        with open(path, "w", encoding="utf-8") as f:
            f.write(line + "\n" + text)

    def test_libpq_planted_in_the_engine_fails(self):
        self.plant("engine/match/score.c", "#include <libpq-fe.h>")
        rc, err = run(self.root)
        self.assertEqual(rc, 1)
        self.assertIn("engine/match/score.c:1: <libpq-fe.h> included outside its home(s)", err)

    def test_h2o_planted_in_the_cli_fails(self):
        self.plant("api/cli/main.c", "#include <h2o.h>")
        rc, err = run(self.root)
        self.assertEqual(rc, 1)
        self.assertIn("api/cli/main.c:1: <h2o.h> included outside its home(s)", err)

    def test_cli_header_planted_in_the_daemon_fails(self):
        self.plant("api/daemon/server.c", '#include "../cli/cli.h"')
        rc, err = run(self.root)
        self.assertEqual(rc, 1)
        self.assertIn("api/daemon/server.c:1 includes api/cli/cli.h: api/daemon/ must not", err)

    def test_folder_cycle_planted_between_core_and_match_fails(self):
        self.plant("engine/core/alloc.c", '#include "../match/screen.h"')
        self.plant("engine/match/screen.c", '#include "../core/internal.h"')
        rc, err = run(self.root)
        self.assertEqual(rc, 1)
        self.assertIn("folder cycle: engine/core -> engine/match -> engine/core", err)
        self.assertIn("engine/core/alloc.c:1 includes engine/match/screen.h", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
