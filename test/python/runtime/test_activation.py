"""__requires__ and SIDEWHEEL_REQUIRES: what gets activated, where it goes on
sys.path, and whether importlib.metadata agrees."""

import os
import unittest

from swhelper import EnvTestCase

# Printed by the scripts below: what the program now sees of foo.
SEE_FOO = """
import importlib.metadata as md, json, sys
import foo
print(json.dumps({
    "version": foo.__version__,
    "file": foo.__file__,
    "metadata": md.version("foo"),
    "foo_dists": sorted(d.version for d in md.distributions() if d.metadata["Name"] == "foo"),
    "path": sys.path,
    "finders": [type(f).__name__ for f in sys.meta_path],
}))
"""


def entry_points(group):
    return """
import importlib.metadata as md, sys
def eps(group):
    if sys.version_info >= (3, 10):
        return list(md.entry_points(group=group))
    return list(md.entry_points().get(group, ()))
found = [(ep.name, ep.value) for ep in eps(%r)]
""" % group


class Requires(EnvTestCase):
    def setUp(self):
        EnvTestCase.setUp(self)
        self.env.install_default(self.env.wheel("foo", "2.0"))
        self.side = self.env.install_side(self.env.wheel("foo", "1.0"))

    def test_string_picks_side_version(self):
        out = self.env.check("__requires__ = 'foo<2'\n" + SEE_FOO)
        self.assertEqual((out["version"], out["metadata"]), ("1.0", "1.0"))
        self.assertTrue(out["file"].startswith(self.side + os.sep))
        self.assertNotIn("_Finder", out["finders"])  # removed itself once done

    def test_list_form(self):
        self.env.install_side(self.env.wheel("bar", "1.0"))
        out = self.env.check("__requires__ = ['foo<2', 'bar==1.0']\nimport bar\n" + SEE_FOO)
        self.assertEqual(out["version"], "1.0")
        self.assertEqual(sum(p.endswith(".whl") for p in out["path"]), 2)

    def test_multi_line_string_form(self):
        out = self.env.check("__requires__ = '''\n# comment\nfoo<2  # why\n'''\n" + SEE_FOO)
        self.assertEqual(out["version"], "1.0")

    def test_without_requires_the_default_and_side_invisible(self):
        out = self.env.check(SEE_FOO)
        self.assertEqual((out["version"], out["metadata"], out["foo_dists"]), ("2.0", "2.0", ["2.0"]))
        self.assertFalse(any(p.endswith(".whl") for p in out["path"]))

    def test_satisfied_by_default_changes_nothing(self):
        out = self.env.check("__requires__ = 'foo>=1'\n" + SEE_FOO)
        self.assertEqual(out["version"], "2.0")
        self.assertFalse(any(p.endswith(".whl") for p in out["path"]))

    def test_side_goes_after_stdlib_and_script_dir_before_site_packages(self):
        out = self.env.check("__requires__ = 'foo<2'\n" + SEE_FOO)
        path = out["path"]
        position = path.index(self.side)
        self.assertEqual(path[0], self.env.scripts)
        stdlib = [i for i, p in enumerate(path) if os.path.isfile(os.path.join(p, "os.py"))]
        self.assertTrue(stdlib and stdlib[-1] < position, path)
        self.assertEqual(path[position + 1], self.env.purelib)
        # Only the needed entry was added.
        base = self.env.check("import sys, json; print(json.dumps(sys.path))")
        self.assertEqual(len(path), len(base) + 1)

    def test_fails_at_first_import_even_for_defaults_only(self):
        out = self.env.run("""
            __requires__ = 'foo>=3'
            try:
                import csv
            except ImportError as e:
                import sidewheel
                print(type(e).__name__, isinstance(e, sidewheel.ResolutionError))
                print(e)
        """)
        self.assertStartsClean(out)
        first, message = out.stdout.splitlines()
        self.assertEqual(first, "DistributionNotFound True")
        self.assertIn("foo 2.0 (default) does not satisfy foo>=3 required by __main__.__requires__", message)

    def test_first_import_is_one_the_runtime_itself_needs(self):
        # Activation imports json, re, importlib...: when the triggering import
        # is one of those, it must still be executed once and be complete.
        for first in ("import importlib.util", "import json", "import re", "import importlib.metadata",
                      "from sidewheel import require"):
            out = self.env.check("""
                __requires__ = 'foo<2'
                %s
                import importlib, importlib.util, importlib.metadata, json, sys
                mods = [sys.modules[m] for m in ('importlib', 'json', 'sidewheel._resolve')]
                print(json.dumps([hasattr(importlib, 'util'), hasattr(importlib, 'metadata'),
                                  [type(m.__spec__.loader).__name__ for m in mods],
                                  importlib.metadata.version('foo')]))
            """ % first)
            self.assertEqual(out, [True, True, ["SourceFileLoader"] * 3, "1.0"], first)

    def test_uncaught_failure_is_an_import_error_traceback(self):
        out = self.env.run("__requires__ = 'foo>=3'\nimport foo\n")
        self.assertEqual(out.returncode, 1)
        self.assertIn("sidewheel.DistributionNotFound: foo 2.0 (default)", out.stderr)

    def test_dash_c_and_dash_m(self):
        out = self.env.run_raw(["-c", "__requires__ = 'foo<2'\nimport foo; print(foo.__version__)"])
        self.assertEqual((out.stdout, out.stderr), ("1.0\n", ""))
        with open(os.path.join(self.env.scripts, "as_module.py"), "w") as f:
            f.write("__requires__ = 'foo<2'\nimport foo\nprint(foo.__version__)\n")
        out = self.env.run_raw(["-m", "as_module"], env={"PYTHONPATH": self.env.scripts})
        self.assertEqual((out.stdout, out.stderr), ("1.0\n", ""))


class EnvironmentVariable(EnvTestCase):
    def setUp(self):
        EnvTestCase.setUp(self)
        self.env.install_default(self.env.wheel("foo", "2.0"))
        self.env.install_side(self.env.wheel("foo", "1.0"))
        self.env.install_side(self.env.wheel("bar", "3.0"))

    def test_activated_at_start(self):
        out = self.env.check("""
            import sys, json
            print(json.dumps([p.rsplit('/', 1)[-1] for p in sys.path if p.endswith('.whl')]))
        """, env={"SIDEWHEEL_REQUIRES": "foo<2\n\nbar"})
        self.assertEqual(sorted(out), ["bar-3.0-py3-none-any.whl", "foo-1.0-py3-none-any.whl"])
        out = self.env.check(SEE_FOO, env={"SIDEWHEEL_REQUIRES": "foo<2"})
        self.assertEqual((out["version"], out["metadata"]), ("1.0", "1.0"))

    def test_combined_with_requires(self):
        out = self.env.check("__requires__ = 'bar'\nimport bar\n" + SEE_FOO,
                             env={"SIDEWHEEL_REQUIRES": "foo<2"})
        self.assertEqual(out["version"], "1.0")


class Layouts(EnvTestCase):
    def test_zip_side_version(self):
        self.env.install_default(self.env.wheel("foo", "2.0", entry_points="[console_scripts]\nfoo = foo:two\n"))
        side = self.env.install_side(self.env.wheel(
            "foo", "1.5", entry_points="[console_scripts]\nfoo = foo:one_five\n"), format="zip")
        out = self.env.check("__requires__ = 'foo==1.5'\n" + SEE_FOO)
        self.assertEqual((out["version"], out["metadata"]), ("1.5", "1.5"))
        self.assertTrue(out["file"].startswith(side + os.sep))
        out = self.env.check("__requires__ = 'foo==1.5'\nimport foo\n" + entry_points("console_scripts")
                             + "import json; print(json.dumps(found))")
        self.assertEqual(out, [["foo", "foo:one_five"]])

    def test_entry_points_agree_for_directories(self):
        self.env.install_default(self.env.wheel("foo", "2.0", entry_points="[foo.plugins]\np = foo:two\n"))
        self.env.install_side(self.env.wheel("foo", "1.0", entry_points="[foo.plugins]\np = foo:one\n"))
        script = entry_points("foo.plugins") + "import json; print(json.dumps(found))"
        self.assertEqual(self.env.check(script), [["p", "foo:two"]])
        self.assertEqual(self.env.check("__requires__ = 'foo<2'\nimport foo\n" + script), [["p", "foo:one"]])

    def test_data_purelib_and_platlib(self):
        wheel = self.env.wheel("spam", "1.0", files={"spam/__init__.py": "V = 'root'\n"},
                               purelib={"spam_pure.py": "V = 'pure'\n"},
                               platlib={"spam_plat/__init__.py": "V = 'plat'\n"})
        location = self.env.install_side(wheel)
        out = self.env.check("""
            __requires__ = 'spam'
            import spam, spam_pure, spam_plat, json, sys
            print(json.dumps([[m.V for m in (spam, spam_pure, spam_plat)],
                              [p for p in sys.path if '.whl' in p]]))
        """)
        data = os.path.join(location, "spam-1.0.data")
        self.assertEqual(out, [["root", "pure", "plat"],
                               [location, os.path.join(data, "purelib"), os.path.join(data, "platlib")]])

    def test_platlib_wheel(self):
        wheel = self.env.wheel("ham", "1.0", root_is_purelib=False, tag="py3-none-any")
        location = self.env.install_side(wheel)
        self.assertTrue(location.startswith(self.env.platlib))
        out = self.env.check("__requires__ = 'ham'\nimport ham, json\nprint(json.dumps(ham.__version__))")
        self.assertEqual(out, "1.0")


if __name__ == "__main__":
    unittest.main()
