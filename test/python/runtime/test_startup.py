"""Interpreter start: cheap when nothing is required, never broken."""

import json
import os
import shutil
import unittest

from swhelper import SHIM, EnvTestCase

MODULES = "import sys, json; print(json.dumps(sorted(sys.modules)))"


class CheapStart(EnvTestCase):
    def test_plain_start_is_silent(self):
        out = self.env.run_raw(["-c", "pass"])
        self.assertEqual((out.returncode, out.stdout, out.stderr), (0, "", ""))

    def test_only_the_hook_is_loaded_at_start(self):
        with_runtime = set(json.loads(self.env.run_raw(["-c", MODULES]).stdout))
        # Baseline: the same site-packages with an inert .pth instead of ours
        # (reading any .pth loads an encoding module on some versions).
        os.remove(os.path.join(self.env.purelib, "sidewheel.pth"))
        with open(os.path.join(self.env.purelib, "inert.pth"), "w") as f:
            f.write("# nothing\n")
        without = set(json.loads(self.env.run_raw(["-c", MODULES]).stdout))
        added = with_runtime - without
        self.assertEqual(added, {"sidewheel", "sidewheel._hook"})

    def test_import_sidewheel_is_lazy(self):
        out = self.env.check("""
            import sys
            import sidewheel
            seen = [n for n in ('sidewheel._resolve', 'sidewheel._pep', 'json', 're') if n in sys.modules]
            sidewheel.ResolutionError, sidewheel.VersionConflict
            seen.append('sidewheel._resolve' in sys.modules)
            sidewheel.resolve([])
            seen.append('sidewheel._resolve' in sys.modules)
            import json
            print(json.dumps(seen))
        """)
        self.assertEqual(out, [False, True])

    def test_finder_first_on_meta_path_and_once(self):
        # venvs make site.py process site-packages twice on some versions,
        # and both hook files are installed: still one finder.
        out = self.env.check("""
            import sys, json
            import sidewheel._hook as h
            h.start()
            names = [type(f).__name__ for f in sys.meta_path]
            print(json.dumps([names[0], names.count('_Finder')]))
        """)
        self.assertEqual(out, ["_Finder", 1])

    def test_start_file_entry_point_does_not_double_activate(self):
        # What a PEP 829 interpreter does with sidewheel.start, on top of the .pth.
        with open(os.path.join(SHIM, "sidewheel.start")) as f:
            entry = [l.strip() for l in f if l.strip() and not l.startswith("#")]
        self.assertEqual(entry, ["sidewheel._hook:start"])
        out = self.env.check("""
            import importlib, sys, json
            mod, _, func = %r.partition(':')
            getattr(importlib.import_module(mod), func)()
            print(json.dumps(sum(type(f).__name__ == '_Finder' for f in sys.meta_path)))
        """ % entry[0])
        self.assertEqual(out, 1)

    def test_pth_is_one_import_line(self):
        with open(os.path.join(SHIM, "sidewheel.pth")) as f:
            lines = f.read().splitlines()
        self.assertEqual(len(lines), 1)
        self.assertTrue(lines[0].startswith("import "))
        with open(os.path.join(SHIM, "INDEX.md")) as f:
            self.assertIn("\n" + lines[0] + "\n", f.read())  # the documented copy is current

    def test_no_requires_leaves_sys_path_alone(self):
        self.env.install_side(self.env.wheel("foo", "1.0"))
        base = self.env.check("import sys, json; print(json.dumps(sys.path))", flags=["-S"])
        out = self.env.check("import sys, json; print(json.dumps(sys.path))")
        self.assertEqual(out[: len(base)], base)
        self.assertFalse(any(p.endswith(".whl") for p in out))


class NeverBreaksStart(EnvTestCase):
    def start_ok(self, max_lines=0, flags=(), env=None, code="pass"):
        out = self.env.run_raw(list(flags) + ["-c", code], env=env)
        self.assertStartsClean(out, max_lines)
        return out

    def test_garbage_index(self):
        self.env.write_index("{this is not json")
        self.start_ok()
        self.env.install_side(self.env.wheel("foo", "1.0"), index=False)
        out = self.env.run("""
            __requires__ = 'foo'
            try:
                import foo
            except ImportError as e:
                print(type(e).__name__, e)
        """)
        self.assertEqual(out.stderr, "")
        self.assertIn("DistributionNotFound", out.stdout)
        self.assertIn("unreadable", out.stdout)

    def test_truncated_index(self):
        self.env.install_side(self.env.wheel("foo", "1.0"))
        path = self.env.write_index()
        with open(path) as f:
            text = f.read()
        self.env.write_index(text[: len(text) // 2])
        self.start_ok()
        self.start_ok(max_lines=1, env={"SIDEWHEEL_REQUIRES": "foo"})

    def test_index_of_wrong_shape_or_version(self):
        for text in ('[]', '{"format": "sidewheel-index", "version": 99, "projects": {}}',
                     '{"format": "sidewheel-index", "version": 1, "projects": {"foo": {"side": [{}]}}}'):
            self.env.write_index(text)
            self.start_ok()
            out = self.env.check("""
                import sidewheel, json
                try:
                    sidewheel.require('nothing-here')
                except sidewheel.DistributionNotFound as e:
                    print(json.dumps(str(e)))
            """)
            self.assertIn("unreadable", out)

    def test_unreadable_index(self):
        path = self.env.write_index()
        os.remove(path)
        os.mkdir(path)  # reading a directory fails even for root
        self.start_ok()
        self.start_ok(max_lines=1, env={"SIDEWHEEL_REQUIRES": "foo"})

    def test_missing_index_is_just_empty(self):
        os.remove(self.env.write_index())
        self.start_ok()
        self.env.install_default(self.env.wheel("foo", "2.0"))
        out = self.env.check("""
            __requires__ = 'foo'
            import foo, json
            print(json.dumps(foo.__version__))
        """)
        self.assertEqual(out, "2.0")

    def test_deleted_runtime_package(self):
        shutil.rmtree(os.path.join(self.env.purelib, "sidewheel"))
        out = self.start_ok(max_lines=1)
        self.assertIn("sidewheel", out.stderr)
        out = self.env.run("__requires__ = 'foo'\nimport json\nprint('ran')\n")
        self.assertStartsClean(out, 1)
        self.assertEqual(out.stdout, "ran\n")

    def test_runtime_package_without_init(self):
        # Leaves a namespace package "sidewheel" behind.
        for name in os.listdir(os.path.join(self.env.purelib, "sidewheel")):
            if name.endswith(".py"):
                os.remove(os.path.join(self.env.purelib, "sidewheel", name))
        self.start_ok(max_lines=1)

    def test_broken_hook_module(self):
        with open(os.path.join(self.env.purelib, "sidewheel", "_hook.py"), "w") as f:
            f.write("def start(:\n")
        out = self.start_ok(max_lines=1)
        self.assertIn("SyntaxError", out.stderr)
        with open(os.path.join(self.env.purelib, "sidewheel", "_hook.py"), "w") as f:
            f.write("def start():\n    raise RuntimeError('boom\\nsecond line')\n")
        out = self.start_ok(max_lines=1)
        self.assertIn("boom second line", out.stderr)

    def test_garbage_requires_starts_and_fails_at_import(self):
        for value in ("42", "'foo >>> 1'", "['foo', 7]", "{'foo': 1}", "'@@@'"):
            out = self.env.run("""
                __requires__ = %s
                try:
                    import csv
                except ImportError as e:
                    import sidewheel
                    print(type(e).__name__, isinstance(e, sidewheel.ResolutionError))
                else:
                    print('imported')
            """ % value)
            self.assertStartsClean(out)
            self.assertEqual(out.stdout, "ResolutionError True\n", value)
        # Never imported anything after it: nothing happens at all.
        self.start_ok(code="__requires__ = '!!!'")

    def test_env_var_failure_is_one_line(self):
        self.env.install_default(self.env.wheel("foo", "2.0"))
        for value in ("foo>=9", "!!!", "nothing-here", "foo\n\n  bar>"):
            out = self.start_ok(max_lines=1, env={"SIDEWHEEL_REQUIRES": value},
                                code="import foo; print(foo.__version__)")
            self.assertEqual(out.stdout, "2.0\n")
            self.assertTrue(out.stderr.startswith("sidewheel: SIDEWHEEL_REQUIRES not honoured"), out.stderr)

    def test_no_site(self):
        self.env.install_side(self.env.wheel("foo", "1.0"))
        out = self.env.check("""
            __requires__ = 'foo'
            import json, sys
            print(json.dumps(['sidewheel' in sys.modules, any(p.endswith('.whl') for p in sys.path)]))
        """, flags=["-S"], env={"SIDEWHEEL_REQUIRES": "foo"})
        self.assertEqual(out, [False, False])

    def test_isolated_mode_keeps_the_hook_but_ignores_the_env_var(self):
        self.env.install_side(self.env.wheel("foo", "1.0"))
        out = self.env.check("""
            import json, sys
            print(json.dumps(['sidewheel._hook' in sys.modules, any(p.endswith('.whl') for p in sys.path)]))
        """, flags=["-I"], env={"SIDEWHEEL_REQUIRES": "foo"})
        self.assertEqual(out, [True, False])
        for flag in ("-E", "-I"):
            out = self.env.check("""
                __requires__ = 'foo'
                import foo, json
                print(json.dumps(foo.__version__))
            """, flags=[flag])
            self.assertEqual(out, "1.0")

    def test_hook_run_late_by_addsitedir(self):
        self.env.install_side(self.env.wheel("foo", "1.0"))
        out = self.env.check("""
            import site, sys, json
            site.addsitedir(%r)
            import foo
            print(json.dumps(foo.__version__))
        """ % self.env.purelib, flags=["-S"], env={"SIDEWHEEL_REQUIRES": "foo"})
        self.assertEqual(out, "1.0")


if __name__ == "__main__":
    unittest.main()
