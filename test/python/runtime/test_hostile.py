"""Issue 11: a damaged runtime never stops an interpreter from starting (at
most one stderr line), and hostile requirement text is refused with one clean
ResolutionError in bounded time and memory.

Tests run as root, for whom chmod 000 changes nothing: an unreadable file is
simulated by a directory of the same name (opening or importing it fails for
any user), next to the cases test_startup already covers (garbage, truncated
and wrongly shaped index, an index that is a directory, a deleted package, a
hook with a syntax error)."""

import json
import os
import shutil
import unittest

from swhelper import SHIM, EnvTestCase, index_text

REQUIRES_SCRIPT = """
__requires__ = 'foo<2'
try:
    import foo
    print("imported", foo.__version__)
except ImportError as e:
    print(type(e).__name__, e)
"""


class DamagedRuntime(EnvTestCase):
    def setUp(self):
        EnvTestCase.setUp(self)
        self.env.install_default(self.env.wheel("foo", "2.0"))
        self.env.install_side(self.env.wheel("foo", "1.0"))
        self.package = os.path.join(self.env.purelib, "sidewheel")

    def starts(self, damage):
        """``python -c pass``, with SIDEWHEEL_REQUIRES, and a script with
        __requires__: each exits 0 with at most one stderr line."""
        outs = [self.env.run_raw(["-c", "pass"]),
                self.env.run_raw(["-c", "pass"], env={"SIDEWHEEL_REQUIRES": "foo<2"}),
                self.env.run(REQUIRES_SCRIPT)]
        for out in outs:
            self.assertEqual(out.returncode, 0, (damage, out.stderr))
            self.assertLessEqual(len(out.stderr.splitlines()), 1, (damage, out.stderr))
        self.assertLessEqual(len(outs[2].stdout.splitlines()), 1, (damage, outs[2].stdout))
        return outs

    def fresh_runtime(self):
        shutil.rmtree(self.package)
        shutil.copytree(os.path.join(SHIM, "sidewheel"), self.package,
                        ignore=shutil.ignore_patterns("__pycache__", "index.json"))
        self.env.write_index()

    def replace(self, name, with_directory=False, text=None):
        path = os.path.join(self.package, name)
        if os.path.isdir(path):
            shutil.rmtree(path)
        else:
            os.remove(path)
        if with_directory:
            os.mkdir(path)
        else:
            with open(path, "w") as f:
                f.write(text)

    def test_index_empty_not_utf8_huge(self):
        for damage, data in (("empty", b""), ("not UTF-8", b'{"format":"sidewheel-index",\xff\xfe}'),
                             ("NUL bytes", b"\0" * 1000)):
            with open(os.path.join(self.package, "index.json"), "wb") as f:
                f.write(data)
            plain, env_var, script = self.starts(damage)
            self.assertEqual(plain.stderr, "", damage)
            self.assertIn("unreadable", env_var.stderr + script.stdout, damage)

    def test_huge_index(self):
        data = self.env.index_data()
        side = data["projects"]["foo"]["side"][0]
        for i in range(20000):  # ~10 MB of other projects' side versions
            data["projects"]["p%05d" % i] = {"name": "p%05d" % i, "side": [dict(side, version="1.%d" % i)]}
        data["projects"] = dict(sorted(data["projects"].items()))
        self.env.write_index(index_text(data))
        self.assertGreater(os.path.getsize(os.path.join(self.package, "index.json")), 5 * 2 ** 20)
        plain, env_var, script = self.starts("huge")
        self.assertEqual((plain.stderr, env_var.stderr, script.stdout), ("", "", "imported 1.0\n"))

    def test_runtime_files_unreadable(self):
        # A directory where the file should be: unreadable whoever runs it.
        for name in ("__init__.py", "_hook.py", "_resolve.py", "_search.py", "_pep.py", "_errors.py"):
            self.fresh_runtime()
            self.replace(name, with_directory=True)
            plain, env_var, script = self.starts(name)
            if name == "__init__.py":
                continue  # "sidewheel" is then a namespace package, and the hook still works
            if name == "_hook.py":
                self.assertIn("start-up hook not loaded", plain.stderr, name)
            else:
                self.assertEqual(plain.stderr, "", name)
                self.assertIn("SIDEWHEEL_REQUIRES not honoured", env_var.stderr, name)
                self.assertIn("doctor --fix", script.stdout, name)

    def test_runtime_files_with_a_syntax_error(self):
        for name in ("_search.py", "_pep.py", "_version.py", "_index.py"):
            self.fresh_runtime()
            self.replace(name, text="def broken(:\n")
            plain, env_var, script = self.starts(name)
            self.assertEqual(plain.stderr, "", name)
            self.assertIn("SyntaxError", env_var.stderr + script.stdout, name)


# The child reports, for each hostile input: the exception's class, whether it
# is a ResolutionError, the message's length and its first 200 characters.
HOSTILE = """
import json, sys
if sys.implementation.name == "cpython":
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # 1 GiB: bounded memory
import sidewheel
extras = ",".join("e%d" % i for i in range(100000))
cases = {
    "1 MB name": "a" * 2 ** 20,
    "1 MB specifier": "foo" + ",".join(["<2"] * 2 ** 18),
    "5,000 parentheses": "foo; " + "(" * 5000 + 'os_name == "posix"' + ")" * 5000,
    "100,000 extras": "foo[" + extras + "]",
    "50,000 lines": "\\n".join("p%d" % i for i in range(50000)),
    "50,000 lines on one project": "\\n".join(["foo>=1"] * 49999 + ["foo<1"]),
    "NUL": "foo\\0",
    "NUL in a marker": "foo; os_name == '\\0'",
    "int": 42,
    "None": None,
    "bytes": b"foo",
    "list with an int": ["foo", 7],
    "dict": {"foo": 1},
}
out = {}
for label, value in cases.items():
    try:  # resolve() shares require()'s path up to activation
        sidewheel.require(value)
        result = ["accepted"]
    except Exception as e:
        result = [type(e).__name__, isinstance(e, sidewheel.ResolutionError), len(str(e)), str(e)[:200]]
    out[label] = result
print(json.dumps(out))
"""


class HostileRequirementText(EnvTestCase):
    def test_each_a_clean_resolution_error(self):
        self.env.install_default(self.env.wheel("foo", "2.0"))
        expected = {
            "1 MB name": "no version of aaaa",
            "1 MB specifier": "foo 2.0 (default) does not satisfy",
            "5,000 parentheses": "invalid requirement",
            "100,000 extras": "foo 2.0 does not provide the extra 'e0'",
            "50,000 lines": "no version of p0 is installed",
            "50,000 lines on one project": "foo 2.0 (default) does not satisfy foo<1",
            "NUL": "invalid requirement 'foo\\x00'",
            "NUL in a marker": "invalid requirement",
            "int": "requirements must be strings, not int",
            "None": "requirements must be strings, not NoneType",
            "bytes": "requirements must be strings, not bytes",
            "list with an int": "requirements must be strings, not int",
            "dict": "requirements must be strings, not dict",
        }
        out = self.env.check(HOSTILE)
        self.assertEqual(sorted(out), sorted(expected))
        for label, result in out.items():
            kind, is_resolution_error, length, message = result
            self.assertTrue(is_resolution_error, (label, result))
            self.assertLessEqual(length, 4003, label)
            self.assertIn(expected[label], message, label)

    def test_hostile_environment_variable_is_one_short_line(self):
        # Linux caps one environment string at 128 KiB (MAX_ARG_STRLEN): the
        # largest inputs here are just below it.
        for value in ("a" * 120000, "foo; " + "(" * 5000 + 'os_name == "posix"' + ")" * 5000,
                      "\n".join("p%d" % i for i in range(15000))):
            out = self.env.run_raw(["-c", "pass"], env={"SIDEWHEEL_REQUIRES": value})
            self.assertEqual(out.returncode, 0)
            self.assertEqual(len(out.stderr.splitlines()), 1, out.stderr[:300])
            self.assertLessEqual(len(out.stderr), 1100)
            self.assertTrue(out.stderr.startswith("sidewheel: SIDEWHEEL_REQUIRES not honoured: "), out.stderr[:300])


if __name__ == "__main__":
    unittest.main()
