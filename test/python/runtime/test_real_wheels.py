"""Real wheels: the setuptools and pip wheels every CPython's ensurepip bundles
(from this interpreter and from the others the TS test found)."""

import os
import sys
import unittest
import zipfile

from swhelper import EnvTestCase, bundled_wheels, wheel_info, _pep


def fits(wheel):
    requires_python = wheel_info(wheel)["requires_python"]
    here = "%d.%d.%d" % sys.version_info[:3]
    return not requires_python or _pep.SpecifierSet(requires_python).contains(here, prereleases=True)


def ships(wheel, module):
    return module in wheel_info(wheel)["top_level"]


def hook_imports_at_start(wheel):
    """setuptools >= 60 imports _distutils_hack from its .pth by default."""
    with zipfile.ZipFile(wheel) as zf:
        pth = [zf.read(n).decode() for n in zf.namelist() if n.endswith(".pth")]
    return any("'local') == 'local'" in text for text in pth)


def console_scripts(wheel):
    info = wheel_info(wheel)
    with zipfile.ZipFile(wheel) as zf:
        text = zf.read(info["dist_info"] + "/entry_points.txt").decode()
    section, found = None, []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line[1:-1]
        elif "=" in line and section == "console_scripts":
            name, _, value = line.partition("=")
            found.append([name.strip(), value.strip()])
    return sorted(found)


class Setuptools(EnvTestCase):
    """setuptools' distutils-precedence.pth imports _distutils_hack at start;
    an older setuptools side version ships _distutils_hack too."""

    def setUp(self):
        EnvTestCase.setUp(self)
        wheels = [w for w in bundled_wheels("setuptools") if fits(w)]
        defaults = [w for w in wheels if hook_imports_at_start(w)]
        if not defaults:
            self.skipTest("no bundled setuptools >= 60 wheel found")
        self.default_wheel = defaults[0]
        older = [w for w in wheels if ships(w, "_distutils_hack")
                 and wheel_info(w)["version"] != wheel_info(self.default_wheel)["version"]]
        if not older:
            self.skipTest("no second bundled setuptools wheel that ships _distutils_hack")
        self.side_wheel = older[0]
        self.old = wheel_info(self.side_wheel)["version"]
        self.new = self.env.install_default(self.default_wheel)["version"]
        self.location = self.env.install_side(self.side_wheel)

    def test_older_setuptools_activates_despite_the_startup_helper(self):
        out = self.env.check("""
            import sys, json
            hack_at_start = '_distutils_hack' in sys.modules
            __requires__ = 'setuptools==%s'
            import importlib.util, importlib.metadata, sidewheel
            dist, = sidewheel.require('setuptools==%s')
            print(json.dumps([hack_at_start, importlib.metadata.version('setuptools'),
                              importlib.util.find_spec('setuptools').origin,
                              importlib.util.find_spec('pkg_resources').origin,
                              sys.modules['_distutils_hack'].__file__, dist.kept_modules]))
        """ % (self.old, self.old))
        at_start, version, origin, pkg_resources, hack, kept = out
        self.assertTrue(at_start)
        self.assertEqual(version, self.old)
        self.assertTrue(origin.startswith(self.location + os.sep))
        self.assertTrue(pkg_resources.startswith(self.location + os.sep))
        self.assertTrue(hack.startswith(os.path.join(self.env.purelib, "_distutils_hack")))
        self.assertEqual(kept, ["_distutils_hack"])

    @unittest.skipIf(sys.version_info >= (3, 12), "old setuptools do not import on 3.12+")
    def test_older_setuptools_imports(self):
        out = self.env.check("""
            __requires__ = 'setuptools==%s'
            import setuptools, distutils.core, json
            print(json.dumps([setuptools.__version__, distutils.core.__file__]))
        """ % self.old)
        self.assertEqual(out[0], self.old)

    def test_without_requires_the_default(self):
        out = self.env.check("import json, importlib.util, importlib.metadata as md\n"
                             "print(json.dumps([importlib.util.find_spec('setuptools').origin,"
                             " md.version('setuptools')]))")
        self.assertEqual(out, [os.path.join(self.env.purelib, "setuptools", "__init__.py"), self.new])

    def test_helper_imported_by_the_program_conflicts(self):
        # Without the start-up import, the program's own import pins the default.
        out = self.env.run("""
            import _distutils_hack, sidewheel
            try:
                sidewheel.require('setuptools==%s')
            except sidewheel.VersionConflict as e:
                print(e)
        """ % self.old, env={"SETUPTOOLS_USE_DISTUTILS": "stdlib"})
        self.assertStartsClean(out)
        self.assertIn("module '_distutils_hack' is already imported", out.stdout)


class Pip(EnvTestCase):
    """A pip side version as a zip (imported through zipimport)."""

    def setUp(self):
        EnvTestCase.setUp(self)
        wheels = [w for w in bundled_wheels("pip") if fits(w)]
        if len(wheels) < 2:
            self.skipTest("fewer than two bundled pip versions found")
        self.default_wheel, self.side_wheel = wheels[0], wheels[-1]
        self.new = self.env.install_default(self.default_wheel)["version"]
        self.old = wheel_info(self.side_wheel)["version"]
        self.location = self.env.install_side(self.side_wheel, format="zip")

    def test_zip_side_version_import_metadata_and_entry_points(self):
        out = self.env.check("""
            __requires__ = 'pip==%s'
            import pip, json, sys, importlib.metadata as md
            if sys.version_info >= (3, 10):
                eps = md.entry_points(group='console_scripts')
            else:
                eps = md.entry_points().get('console_scripts', ())
            print(json.dumps([pip.__version__, pip.__file__, md.version('pip'),
                              sorted([ep.name, ep.value] for ep in eps)]))
        """ % self.old)
        version, path, metadata, eps = out
        self.assertEqual((version, metadata), (self.old, self.old))
        self.assertTrue(path.startswith(self.location + os.sep))
        self.assertEqual(eps, console_scripts(self.side_wheel))
        self.assertNotEqual(console_scripts(self.side_wheel), console_scripts(self.default_wheel))

    def test_pip_does_not_see_side_versions(self):
        out = self.env.run_raw(["-m", "pip", "list", "--format=json", "--disable-pip-version-check",
                                "--no-python-version-warning"])
        self.assertEqual(out.returncode, 0, out.stderr)
        import json

        listed = {_pep.canonicalize_name(d["name"]): d["version"] for d in json.loads(out.stdout)}
        self.assertEqual(listed.get("pip"), self.new)


if __name__ == "__main__":
    unittest.main()
