"""Markers (issue 7): two markers that printed alike but meant different
things shared one cached answer; and how the runtime follows packaging 26.3's
marker rules (INDEX.md section 4, "Markers"): printing keeps the parentheses
the meaning needs, `extra` names are normalized at every depth, a trailing
newline is refused."""

import sys
import unittest

from swhelper import SHIM, EnvTestCase

_dont_write, sys.dont_write_bytecode = sys.dont_write_bytecode, True
sys.path.insert(0, SHIM)
from sidewheel import _pep  # noqa: E402

del sys.path[0]
sys.dont_write_bytecode = _dont_write

# True on Linux and every posix: `or os_name == "posix"` stands alone.
LIBA = 'liba; sys_platform == "win32" and python_version >= "3" or os_name == "posix"'
# Always false off Windows: the `or` is inside the `and`.
LIBB = 'libb; sys_platform == "win32" and ((python_version >= "3" or os_name == "posix"))'


class SameTextDifferentMeaning(EnvTestCase):
    def setUp(self):
        EnvTestCase.setUp(self)
        self.env.install_side(self.env.wheel("liba", "1.0"))
        self.env.install_side(self.env.wheel("libb", "1.0"))

    def resolved(self, requires):
        self.env.install_side(self.env.wheel("app", "1.0", requires=requires))
        return self.env.check("""
            import json, sidewheel
            print(json.dumps(sorted(d.name for d in sidewheel.resolve("app"))))
        """)

    @unittest.skipIf(sys.platform == "win32", "the markers are written for a posix interpreter")
    def test_liba_only_whatever_the_order(self):
        self.assertEqual(self.resolved([LIBA, LIBB]), ["app", "liba"])

    @unittest.skipIf(sys.platform == "win32", "the markers are written for a posix interpreter")
    def test_liba_only_swapped(self):
        self.assertEqual(self.resolved([LIBB, LIBA]), ["app", "liba"])


class Packaging263(unittest.TestCase):
    def test_printing_keeps_the_parentheses_the_meaning_needs(self):
        self.assertEqual(str(_pep.Requirement(LIBB).marker),
                         'sys_platform == "win32" and (python_version >= "3" or os_name == "posix")')
        self.assertEqual(str(_pep.Requirement(LIBA).marker),
                         'sys_platform == "win32" and python_version >= "3" or os_name == "posix"')
        self.assertEqual(str(_pep.Marker('((os_name == "a"))')), 'os_name == "a"')
        self.assertEqual(str(_pep.Marker('(os_name == "a" or os_name == "b") and ((os_name == "c"))')),
                         '(os_name == "a" or os_name == "b") and os_name == "c"')

    def test_printed_form_reads_back_to_the_same_meaning(self):
        for text in (LIBA.split("; ")[1], LIBB.split("; ")[1], 'os_name == "a" and (os_name == "b" or '
                     '(os_name == "c" and (os_name == "d" or os_name == "e")))'):
            marker = _pep.Marker(text)
            self.assertEqual(_pep.Marker(str(marker)), marker, text)

    def test_equality_and_hash_follow_meaning_not_text(self):
        a, b = _pep.Requirement(LIBA).marker, _pep.Requirement(LIBB).marker
        self.assertNotEqual(a, b)
        self.assertEqual(len({a, b}), 2)
        self.assertEqual(_pep.Marker('(os_name == "a")'), _pep.Marker("os_name=='a'"))

    def test_extras_normalized_inside_parentheses(self):
        marker = _pep.Marker('os_name == "nt" or (extra == "Foo_Bar")')
        self.assertEqual(str(marker), 'os_name == "nt" or extra == "foo-bar"')
        self.assertTrue(marker.evaluate({"extra": "foo.bar", "os_name": "posix"}))
        self.assertEqual(str(_pep.Marker('"Foo_Bar" in extras')), '"foo-bar" in extras')
        # Only a value is normalized: a variable compared with extra stays one.
        self.assertEqual(str(_pep.Marker("extra == os_name")), "extra == os_name")

    def test_trailing_newline_refused(self):
        for text in ("foo>=1\n", "foo; os_name == 'posix'\n", "foo\n"):
            with self.assertRaises(_pep.InvalidRequirement, msg=text):
                _pep.Requirement(text)
        with self.assertRaises(_pep.InvalidMarker):
            _pep.Marker('os_name == "a"\n')
        self.assertEqual(str(_pep.Requirement("foo>=1 ")), "foo>=1")

    def test_value_holding_a_double_quote_prints_with_single_quotes(self):
        marker = _pep.Marker("""os_name == 'a"b'""")
        self.assertEqual(str(marker), """os_name == 'a"b'""")
        self.assertEqual(_pep.Marker(str(marker)), marker)


if __name__ == "__main__":
    unittest.main()
