"""Issue 7: a venv inside the project (``proj/.venv``, what uv and most guides
make) with the script at ``proj/app.py``.  A module the program imported from
the default version lives under the script's directory, yet it was found
through site-packages, an entry after the insertion point: activating a side
version must be refused (VersionConflict) exactly as when the script lives
elsewhere, never leave ``foo.__version__`` and ``importlib.metadata`` disagreeing."""

import json
import os
import unittest

from swhelper import EnvTestCase

APP = """
import importlib.metadata as md, json, sidewheel
import foo
try:
    sidewheel.require("foo<2")
    outcome = "activated"
except sidewheel.ResolutionError as e:
    outcome = type(e).__name__
print(json.dumps([outcome, foo.__version__, md.version("foo")]))
"""


class ProjectVenv(EnvTestCase):
    venv = os.path.join("proj", ".venv")

    def setUp(self):
        EnvTestCase.setUp(self)
        self.env.install_default(self.env.wheel("foo", "2.0"))
        self.env.install_side(self.env.wheel("foo", "1.0"))
        self.proj = os.path.join(self.tmp, "proj")
        with open(os.path.join(self.proj, "app.py"), "w") as f:
            f.write(APP)

    def outcome(self, args, cwd):
        out = self.env.run_raw(args, cwd=cwd)
        self.assertEqual((out.returncode, out.stderr), (0, ""), out.stdout)
        return json.loads(out.stdout)

    def test_script_in_the_project(self):
        self.assertEqual(self.outcome(["app.py"], self.proj), ["VersionConflict", "2.0", "2.0"])

    def test_script_run_from_another_directory(self):
        self.assertEqual(self.outcome([os.path.join(self.proj, "app.py")], self.env.scripts),
                         ["VersionConflict", "2.0", "2.0"])

    def test_dash_m_from_the_project(self):
        self.assertEqual(self.outcome(["-m", "app"], self.proj), ["VersionConflict", "2.0", "2.0"])

    def test_isolated_mode(self):
        self.assertEqual(self.outcome(["-I", os.path.join(self.proj, "app.py")], self.proj),
                         ["VersionConflict", "2.0", "2.0"])

    def test_script_outside_the_project_as_before(self):
        with open(os.path.join(self.env.scripts, "app.py"), "w") as f:
            f.write(APP)
        self.assertEqual(self.outcome(["app.py"], self.env.scripts), ["VersionConflict", "2.0", "2.0"])

    def test_module_of_the_script_directory_is_still_early(self):
        # A foo next to the script shadows every version: activation changes
        # nothing for it, so it does not block the side version.
        os.makedirs(os.path.join(self.proj, "foo"))
        with open(os.path.join(self.proj, "foo", "__init__.py"), "w") as f:
            f.write("__version__ = 'local'\n")
        self.assertEqual(self.outcome(["app.py"], self.proj), ["activated", "local", "1.0"])


if __name__ == "__main__":
    unittest.main()
