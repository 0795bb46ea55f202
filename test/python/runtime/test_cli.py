"""python -m sidewheel list / resolve: the exact output format of INDEX.md."""

import json
import os
import unittest

from swhelper import EnvTestCase, _pep


def table(rows):
    """The text format, computed independently from the spec in INDEX.md."""
    cells = [["name", "version", "default", "format", "path"]] + [
        [r["name"], r["version"], "yes" if r["default"] else "no", r["format"], r["path"]] for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(5)]
    return "".join("  ".join(c[i] + " " * (widths[i] - len(c[i])) for i in range(5)).rstrip() + "\n"
                   for c in cells)


class List(EnvTestCase):
    def setUp(self):
        EnvTestCase.setUp(self)
        env = self.env
        self.rows = []

        def default(name, version):
            info = env.install_default(env.wheel(name, version, files={}))
            self.rows.append({"name": name, "version": version, "default": True,
                              "path": os.path.join(env.purelib, info["dist_info"]), "format": "installed"})

        def side(name, version, format="directory"):
            location = env.install_side(env.wheel(name, version, files={}), format=format)
            self.rows.append({"name": name, "version": version, "default": False,
                              "path": location, "format": format})

        # The runtime's own dist-info, written by install_runtime().
        self.rows.append({"name": "sidewheel", "version": "0.1.0", "default": True,
                          "path": os.path.join(env.purelib, "sidewheel-0.1.0.dist-info"),
                          "format": "installed"})
        default("foo", "2.0")
        side("foo", "1.9")
        side("foo", "1.10", format="zip")
        side("foo", "1.9rc1")
        side("foo", "10.0")
        default("Zeta_Pkg", "1.0")
        side("zeta-pkg", "0.5")
        default("alpha", "1.0rc1")
        side("beta", "3.0")

    def expected(self):
        # name (normalized), the default first, version descending: spelled out.
        order = [("alpha", True, "1.0rc1"), ("beta", False, "3.0"), ("foo", True, "2.0"),
                 ("foo", False, "10.0"), ("foo", False, "1.10"), ("foo", False, "1.9"),
                 ("foo", False, "1.9rc1"), ("sidewheel", True, "0.1.0"),
                 ("zeta-pkg", True, "1.0"), ("zeta-pkg", False, "0.5")]
        by_key = {(_pep.canonicalize_name(r["name"]), r["default"], r["version"]): r for r in self.rows}
        return [by_key[k] for k in order]

    def test_text(self):
        out = self.env.run_raw(["-m", "sidewheel", "list"])
        self.assertEqual((out.returncode, out.stderr), (0, ""))
        self.assertEqual(out.stdout, table(self.expected()))
        header = out.stdout.splitlines()[0]
        self.assertRegex(header, r"^name {7}version  default  format {5}path$")

    def test_json(self):
        out = self.env.run_raw(["-m", "sidewheel", "list", "--json"])
        self.assertEqual((out.returncode, out.stderr), (0, ""))
        self.assertEqual(out.stdout, json.dumps(self.expected(), indent=2) + "\n")
        self.assertEqual(list(json.loads(out.stdout)[0]), ["name", "version", "default", "path", "format"])

    def test_damaged_index_lists_defaults_and_says_so(self):
        self.env.write_index('{"format": "sidewheel-index"')
        out = self.env.run_raw(["-m", "sidewheel", "list", "--json"])
        self.assertEqual(out.returncode, 1)
        self.assertEqual(len(out.stderr.splitlines()), 1)
        self.assertIn("unreadable", out.stderr)
        rows = json.loads(out.stdout)
        self.assertEqual([r for r in rows if r["default"]], [r for r in self.expected() if r["default"]])
        # Side versions are still seen, from the directories and files on disk.
        self.assertEqual(sorted(r["path"] for r in rows if not r["default"]),
                         sorted(r["path"] for r in self.expected() if not r["default"]))

    def test_empty(self):
        os.remove(os.path.join(self.env.purelib, "sidewheel", "index.json"))
        for name in os.listdir(self.env.purelib):
            if name.endswith((".dist-info", ".whl")):
                os.rename(os.path.join(self.env.purelib, name), os.path.join(self.env.purelib, name + ".x"))
        out = self.env.run_raw(["-m", "sidewheel", "list"])
        self.assertEqual(out.stdout, "name  version  default  format  path\n")
        out = self.env.run_raw(["-m", "sidewheel", "list", "--json"])
        self.assertEqual(out.stdout, "[]\n")


class Resolve(EnvTestCase):
    def test_rows_and_failure(self):
        self.env.install_default(self.env.wheel("foo", "2.0"))
        location = self.env.install_side(self.env.wheel("foo", "1.0"))
        out = self.env.run_raw(["-m", "sidewheel", "resolve", "--json", "foo<2"])
        self.assertEqual((out.returncode, out.stderr), (0, ""))
        rows = [{"name": "foo", "version": "1.0", "default": False, "path": location, "format": "directory",
                 "reason": "side: highest version satisfying foo<2 (required by resolve()); default 2.0 does not"}]
        self.assertEqual(out.stdout, json.dumps(rows, indent=2) + "\n")  # keys in this order
        out = self.env.run_raw(["-m", "sidewheel", "resolve", "foo<2"])
        self.assertEqual((out.returncode, out.stderr), (0, ""))
        self.assertEqual(out.stdout, table(rows) + "foo 1.0: " + rows[0]["reason"] + "\n")
        out = self.env.run_raw(["-m", "sidewheel", "resolve", "foo>5"])
        self.assertEqual(out.returncode, 1)
        self.assertEqual(len(out.stderr.splitlines()), 1)
        self.assertTrue(out.stderr.startswith("sidewheel: foo 2.0 (default) does not satisfy foo>5"))

    def test_usage(self):
        out = self.env.run_raw(["-m", "sidewheel"])
        self.assertEqual(out.returncode, 2)
        out = self.env.run_raw(["-m", "sidewheel", "frobnicate"])
        self.assertEqual(out.returncode, 2)
        self.assertEqual(len(out.stderr.splitlines()), 1)


if __name__ == "__main__":
    unittest.main()
