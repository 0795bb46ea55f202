"""Requirement text the runtime refuses (issues 7 and 11): whatever is wrong
with it, require(), resolve() and __requires__ fail with a ResolutionError
(never a ValueError from _pep), and an uncaught one from __requires__ reports
one line after the user's own import, with no chained traceback and no frame
of the resolver."""

import json
import sys
import unittest

from swhelper import SHIM, EnvTestCase

_dont_write, sys.dont_write_bytecode = sys.dont_write_bytecode, True
sys.path.insert(0, SHIM)
from sidewheel import _pep  # noqa: E402

del sys.path[0]
sys.dont_write_bytecode = _dont_write

# Non-ASCII letters that case-insensitive Unicode matching takes for ASCII ones
# ('ſ' ~ 's', 'ı' ~ 'i', Kelvin 'K' ~ 'k'), and non-ASCII digits int() accepts.
LOOK_ALIKES = ["foo~=1.2.3poſt1", "foo~=1.0prevıew1", "foo~=1.0.ſ", "foo==1.2.3poſt1", "foo>=1.0poſt1",
               "foo<1.0prevıew", "foo==1.0+\u212a", "foo==１.0", "foo>=1.0.٣", "fooſ>=1", "foo[ſ]"]


class LookAlikes(unittest.TestCase):
    def test_pep_refuses_them_as_invalid_requirements(self):
        for text in LOOK_ALIKES + ["foo; os_name == 'posix'\n"]:
            with self.assertRaises(_pep.InvalidRequirement, msg=text):
                _pep.Requirement(text)
        for text in ("1.2.3poſt1", "１.0", "1.0+\u212a"):
            with self.assertRaises(_pep.InvalidVersion, msg=text):
                _pep.Version(text)
        for text in ("~=1.2.3poſt1", "~=1.0prevıew1"):
            with self.assertRaises(_pep.InvalidSpecifier, msg=text):
                _pep.SpecifierSet(text)


PRELUDE = """
import json, sidewheel
def outcome(fn):
    try:
        fn()
    except Exception as e:
        return [type(e).__name__, isinstance(e, sidewheel.ResolutionError), str(e)]
    return "accepted"
"""


class EveryFailureIsAResolutionError(EnvTestCase):
    def setUp(self):
        EnvTestCase.setUp(self)
        self.env.install_default(self.env.wheel("foo", "2.0"))
        self.env.install_side(self.env.wheel("foo", "1.0"))

    def test_require_and_resolve(self):
        out = self.env.check(PRELUDE + """
texts = %r
print(json.dumps([[outcome(lambda: fn(t)) for fn in (sidewheel.require, sidewheel.resolve)] for t in texts]))
""" % (LOOK_ALIKES,))
        for text, results in zip(LOOK_ALIKES, out):
            for kind, is_resolution_error, message in results:
                self.assertEqual((kind, is_resolution_error), ("ResolutionError", True), (text, message))
                self.assertIn("invalid requirement", message)
                self.assertNotIn("\n", message)

    def test_uncaught_invalid_requires_is_one_clean_report(self):
        for value in ("'foo~=1.2.3poſt1'", "'foo >>> 1'", "42"):
            out = self.env.run("__requires__ = %s\nimport csv\n" % value)
            self.assertEqual(out.returncode, 1)
            lines = out.stderr.splitlines()
            self.assertEqual(sum(line.startswith("Traceback") for line in lines), 1, out.stderr)
            self.assertNotIn("During handling", out.stderr)
            self.assertNotIn("_resolve", out.stderr)
            self.assertNotIn("_pep", out.stderr)
            self.assertTrue(lines[-1].startswith("sidewheel.ResolutionError: "), out.stderr)

    def test_an_internal_failure_is_a_resolution_error_too(self):
        # A bug in the resolver (simulated: _pep's Version broken) still
        # surfaces as a ResolutionError naming what went wrong.
        out = self.env.check(PRELUDE + """
from sidewheel import _pep
def broken(self, *a):
    raise ValueError("boom")
_pep.SpecifierSet.filter = broken
print(json.dumps(outcome(lambda: sidewheel.require("foo<2"))))
""")
        self.assertEqual(out[:2], ["ResolutionError", True])
        self.assertIn("ValueError: boom", out[2])


if __name__ == "__main__":
    unittest.main()
