"""python -m sidewheel resolve: the reason given for every version chosen
(format in INDEX.md section 6)."""

import json
import os
import unittest

from swhelper import EnvTestCase


class Reasons(EnvTestCase):
    def default(self, name, version, **kw):
        return self.env.install_default(self.env.wheel(name, version, **kw))

    def side(self, name, version, **kw):
        return self.env.install_side(self.env.wheel(name, version, **kw))

    def reasons(self, *requirements):
        """{name version: reason} from `resolve --json`, in resolution order."""
        out = self.env.run_raw(["-m", "sidewheel", "resolve", "--json"] + list(requirements))
        self.assertEqual((out.returncode, out.stderr), (0, ""))
        rows = json.loads(out.stdout)
        for r in rows:
            self.assertEqual(list(r), ["name", "version", "default", "path", "format", "reason"])
        return [("%s %s" % (r["name"], r["version"]), r["reason"]) for r in rows]

    def test_default(self):
        self.default("greeting", "2.0")
        self.side("greeting", "1.0")
        self.assertEqual(self.reasons("greeting>=1"), [
            ("greeting 2.0", "default; satisfies greeting>=1 (required by resolve())")])
        self.assertEqual(self.reasons("greeting"), [
            ("greeting 2.0", "default; satisfies greeting (required by resolve())")])

    def test_side_because_the_default_does_not_satisfy(self):
        self.default("greeting", "2.0")
        self.side("greeting", "1.0")
        self.side("greeting", "1.5")
        self.assertEqual(self.reasons("greeting<2"), [
            ("greeting 1.5", "side: highest version satisfying greeting<2 (required by resolve()); "
                             "default 2.0 does not")])

    def test_side_without_a_default(self):
        self.side("greeting", "1.0")
        self.assertEqual(self.reasons("greeting"), [
            ("greeting 1.0", "side: highest version satisfying greeting (required by resolve()); "
                             "no default version")])

    def test_dependencies(self):
        self.default("app", "2.0", requires=["lib>=2"])
        self.side("app", "1.0", requires=["lib<2"])
        self.default("lib", "2.0")
        self.side("lib", "1.0")
        self.assertEqual(self.reasons("app<2"), [
            ("app 1.0", "side: highest version satisfying app<2 (required by resolve()); default 2.0 does not"),
            ("lib 1.0", "side: highest version satisfying lib<2 (required by app 1.0); default 2.0 does not")])
        self.assertEqual(self.reasons("app"), [
            ("app 2.0", "default; satisfies app (required by resolve())"),
            ("lib 2.0", "default; satisfies lib>=2 (required by app 2.0)")])

    def test_several_requirements_name_the_one_the_default_fails(self):
        self.default("app", "1.0", requires=["lib<2"])
        self.default("lib", "2.0")
        self.side("lib", "1.5")
        self.assertEqual(self.reasons("lib>=1", "app"), [
            ("lib 1.5", "side: highest version satisfying lib>=1 (required by resolve()), "
                        "lib<2 (required by app 1.0); default 2.0 does not satisfy lib<2 required by app 1.0"),
            ("app 1.0", "default; satisfies app (required by resolve())")])

    def test_default_abandoned_by_backtracking(self):
        # app 2.0 (default) fits "app" but needs lib>=2, which lib<2 rules out.
        self.default("app", "2.0", requires=["lib>=2"])
        self.side("app", "1.0", requires=["lib"])
        self.default("lib", "1.0")
        self.side("lib", "2.0")
        self.assertEqual(self.reasons("app", "lib<2"), [
            ("app 1.0", "side: highest version satisfying app (required by resolve()); "
                        "default 2.0 fits, but its own requirements conflict"),
            ("lib 1.0", "default; satisfies lib<2 (required by resolve()), lib (required by app 1.0)")])

    def test_higher_side_versions_passed_over_are_named(self):
        self.default("foo", "3.0")
        self.side("foo", "1.0")
        self.side("foo", "2.0", requires_python=">=99")
        self.side("foo", "2.5", requires=["nothing-installed"])
        self.assertEqual(self.reasons("foo<3"), [
            ("foo 1.0", "side: highest usable version satisfying foo<3 (required by resolve()) "
                        "(side 2.5 fits, but its own requirements conflict; side 2.0 requires Python >=99); "
                        "default 3.0 does not")])

    def test_already_active_side_version(self):
        self.default("foo", "2.0")
        self.side("foo", "1.0")
        self.side("foo", "1.5")
        out = self.env.check("""
            import json, sidewheel
            from sidewheel import _resolve
            sidewheel.require("foo<1.5")
            print(json.dumps([[d.version, why] for d, why in _resolve.explain("foo")]))
        """)
        self.assertEqual(out, [["1.0", "side: already active in this process; satisfies foo (required by resolve())"]])

    def test_extras_and_duplicates(self):
        self.default("app", "1.0", extras=["x"], requires=['lib<2; extra == "x"'])
        self.default("lib", "2.0")
        self.side("lib", "1.0")
        self.assertEqual(self.reasons("app[x]", "app[x]"), [
            ("app 1.0", "default; satisfies app[x] (required by resolve())"),
            ("lib 1.0", "side: highest version satisfying lib<2 (required by app 1.0); default 2.0 does not")])

    def test_text_form_is_the_table_then_one_line_a_row(self):
        self.default("greeting", "2.0")
        location = self.side("greeting", "1.0")
        out = self.env.run_raw(["-m", "sidewheel", "resolve", "greeting<2"])
        self.assertEqual((out.returncode, out.stderr), (0, ""))
        lines = out.stdout.splitlines()
        self.assertEqual(len(lines), 3)
        self.assertEqual(lines[0].split(), ["name", "version", "default", "format", "path"])
        self.assertEqual(lines[1].split(), ["greeting", "1.0", "no", "directory", location])
        self.assertEqual(lines[2], "greeting 1.0: side: highest version satisfying greeting<2 "
                                   "(required by resolve()); default 2.0 does not")

    def test_failure_prints_no_rows(self):
        self.default("greeting", "2.0")
        out = self.env.run_raw(["-m", "sidewheel", "resolve", "greeting>5"])
        self.assertEqual((out.returncode, out.stdout), (1, ""))
        self.assertEqual(len(out.stderr.splitlines()), 1)

    def test_list_has_no_reasons(self):
        self.default("greeting", "2.0")
        self.side("greeting", "1.0")
        out = self.env.run_raw(["-m", "sidewheel", "list", "--json"])
        self.assertEqual(out.returncode, 0)
        for row in json.loads(out.stdout):
            self.assertEqual(list(row), ["name", "version", "default", "path", "format"])
        self.assertTrue(os.path.isdir(os.path.join(self.env.purelib, "sidewheel")))


if __name__ == "__main__":
    unittest.main()
