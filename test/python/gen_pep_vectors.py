"""Generate PEP 440 / PEP 508 test vectors, with `packaging` as the oracle.

    python gen_pep_vectors.py [--seed N] [--scale F] [--out FILE|-] [--oracle auto|installed|vendored]
                              [--only CATEGORY,...] [--describe]

The cases are built to be awkward (epochs, pre/post/dev/local segments, spelling and
separator variants, zero padding, wildcards, `~=`, `===`, whitespace, invalid input,
marker expressions over several environments); the oracle computes every expected
result. Both the TypeScript side (src/versions.ts) and the Python runtime
(python-shim/sidewheel/_pep.py) are checked against the output.

The oracle is `import packaging` when it works, else the copy vendored in the pip
wheel that ensurepip bundles with this interpreter, or where it bundles none the first
wheel in $SIDEWHEEL_TEST_PIP_WHEELS (older, and its rules differ in places; the
output's "oracle" field says which one was used, and its "rules" which packaging
release's rules the vectors hold: 26.3 from packaging 26.2 or 26.3, see RULES).

Runs on CPython 3.8+.
"""

import argparse
import glob
import importlib
import json
import os
import random
import re
import sys
import sysconfig
import warnings

# --------------------------------------------------------------------------------------
# Oracle
# --------------------------------------------------------------------------------------


class Oracle:
    def __init__(self, base, source):
        self.source = source
        self.version_mod = importlib.import_module(base + ".version")
        self.specifiers_mod = importlib.import_module(base + ".specifiers")
        self.requirements_mod = importlib.import_module(base + ".requirements")
        self.markers_mod = importlib.import_module(base + ".markers")
        self.utils_mod = importlib.import_module(base + ".utils")
        self.version = importlib.import_module(base).__version__
        self.Version = self.version_mod.Version
        self.SpecifierSet = self.specifiers_mod.SpecifierSet
        self.Requirement = self.requirements_mod.Requirement
        self.Marker = self.markers_mod.Marker
        self.canonicalize_name = self.utils_mod.canonicalize_name
        self.newer_rules = follow_newer_rules(self, base)
        self.rules = rules_followed(self.version)

    def describe(self):
        return {"packaging": self.version, "source": self.source, "python": sys.version.split()[0],
                "newerRules": self.newer_rules, "rules": self.rules}


# --------------------------------------------------------------------------------------
# Rules newer than the oracle
# --------------------------------------------------------------------------------------
#
# The vectors hold packaging 26.3's rules, plus one change made after it (ASCII-only
# `~=`, pypa/packaging#1384). An oracle that predates a change gets it here, each one
# only where the oracle is seen to lack it (so 26.3 itself gets #1384 only); the
# output's "oracle" field lists what was applied. Run on packaging 26.2, the result is
# what 26.3 computes, error class names included: machines that have only 26.2 (CI, and
# the tests' live differential) produce the committed vectors' rules.


# A `~=` operand with a letter outside ASCII, whitespace aside: what pypa/packaging#1384
# made `~=` refuse, as every other operator already did. Under re.IGNORECASE without
# re.ASCII, "\u017f" (long s) matched "s" and "\u0131" (dotless i) matched "i". Safe in
# re.VERBOSE patterns (no blanks, no #), it skips leading whitespace itself, and it is
# case-sensitive: under IGNORECASE, [^\x00-\x7f] would not match "\u017f" either.
_NON_ASCII_RELEASE = r"(?-i:(?!\s*~=\s*[^\s,;)]*(?:(?!\s)[^\x00-\x7f])))"


def _ascii_compatible_release(pattern):
    if isinstance(pattern, str):
        return _NON_ASCII_RELEASE + pattern
    return re.compile(_NON_ASCII_RELEASE + pattern.pattern, pattern.flags)


def _refuses(make, text, error):
    """Whether make(text) fails with `error` (failing otherwise is not refusing so)."""
    try:
        make(text)
    except error:
        return True
    except Exception:  # noqa: BLE001
        return False
    return False


def _error_name(fn):
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - which class is the question
        return type(exc).__name__
    return None


def _printed(o, marker):
    """str(Marker(marker)), or "" where the oracle cannot parse it (older ones lack `extras`)."""
    try:
        return str(o.Marker(marker))
    except o.markers_mod.InvalidMarker:
        return ""


def _ascii_only_compatible_release(o, tokenizer):
    Specifier = o.specifiers_mod.Specifier
    if _refuses(Specifier, "~=1.0prev\u0131ew1", o.specifiers_mod.InvalidSpecifier):
        return None
    Specifier._regex = _ascii_compatible_release(Specifier._regex)
    if tokenizer is not None:
        tokenizer.DEFAULT_RULES["SPECIFIER"] = _ascii_compatible_release(tokenizer.DEFAULT_RULES["SPECIFIER"])
    return "ASCII-only ~= (#1384)"


def _compatible_prefix_from_parsed_version(o):
    """26.3: `~=2.0.RC1` is `>=2.0.RC1, ==2.*`; 26.2 cut the prefix from the text as
    written, where `RC1` (upper case) or a leading `v` was not seen as a suffix."""
    Specifier = o.specifiers_mod.Specifier
    if o.SpecifierSet("~=2.0.RC1").contains("2.5"):
        return None

    def compare_compatible(self, prospective, spec):
        v = o.Version(spec)
        prefix = "%d!%s.*" % (v.epoch, ".".join(str(n) for n in v.release[:-1]))
        return self._compare_greater_than_equal(prospective, spec) and self._compare_equal(prospective, prefix)

    Specifier._compare_compatible = compare_compatible
    return "~= prefix from the parsed version"


def _no_trailing_newline(o, tokenizer):
    if re.compile(tokenizer.DEFAULT_RULES["END"]).match("\n") is None:
        return None
    tokenizer.DEFAULT_RULES["END"] = re.compile(r"\Z")
    return "no trailing newline"


def _printing_keeps_parentheses(o):
    if "(" in str(o.Marker('os_name == "a" and ((os_name == "b" or os_name == "c"))')):
        return None

    def format_marker(marker, first=True):
        if isinstance(marker, list) and len(marker) == 1 and isinstance(marker[0], (list, tuple)):
            return format_marker(marker[0], first)
        if isinstance(marker, list):
            inner = " ".join(format_marker(m, first=False) for m in marker)
            return inner if first else "(" + inner + ")"
        if isinstance(marker, tuple):
            return " ".join(m.serialize() for m in marker)
        return marker

    o.markers_mod._format_marker = format_marker
    return "printing keeps needed parentheses (#1316)"


def _single_quotes_around_double(o, parser):
    if "'" in str(o.Marker("os_name == 'a\"b'")):
        return None

    def serialize(self):
        value = str(self)
        if '"' not in value:
            return '"%s"' % value
        if "'" not in value:
            return "'%s'" % value
        raise ValueError("Cannot serialize marker value containing both quote characters")

    parser.Value.serialize = serialize
    return "a value holding \" printed in single quotes"


def _names_normalized_when_parsed(o, parser):
    """26.3 normalizes `extra` values inside parentheses too (#1246), only a quoted string
    beside `extra` (26.2 turned a variable there into a string), and a quoted string on
    the left of `extras` or `dependency_groups`."""
    applied = []
    if "A_B" in str(o.Marker('(extra == "A_B") and os_name == "x"')):
        applied.append("extras normalized inside parentheses (#1246)")
    if "A_B" in _printed(o, '"A_B" in extras'):
        applied.append("names left of extras and dependency_groups normalized")
    if not applied:
        return applied
    Variable, Value = parser.Variable, parser.Value
    set_keys = ("extras", "dependency_groups")

    def normalize(node):
        if isinstance(node, list):
            return [normalize(n) for n in node]
        if not isinstance(node, tuple):
            return node
        lhs, op, rhs = node
        if isinstance(lhs, Variable) and lhs.value == "extra" and isinstance(rhs, Value):
            rhs = Value(o.canonicalize_name(rhs.value))
        elif isinstance(rhs, Variable) and (rhs.value == "extra" or rhs.value in set_keys) and isinstance(lhs, Value):
            lhs = Value(o.canonicalize_name(lhs.value))
        return lhs, op, rhs

    def normalize_extra_values(results):
        return [normalize(r) for r in results]

    o.markers_mod._normalize_extra_values = normalize_extra_values
    o.requirements_mod._normalize_extra_values = normalize_extra_values
    return applied


class _Environment(dict):
    """What 26.3 raises for a name the environment lacks, where 26.2 raised KeyError."""

    undefined = KeyError

    def __missing__(self, key):
        raise self.undefined(key)


def _evaluation_errors_named(o):
    """26.3 raises UndefinedEnvironmentName for a name the environment lacks and
    UndefinedComparison for a set (`extras`) on the left; 26.2 raised KeyError and
    AssertionError."""
    markers = o.markers_mod
    missing = _error_name(lambda: o.Marker('"a" == "b"').evaluate({}))
    on_the_left = _error_name(lambda: o.Marker('extras == "a"').evaluate({"extras": frozenset()}))
    if (missing, on_the_left) == ("UndefinedEnvironmentName", "UndefinedComparison"):
        return None
    evaluate_markers = markers._evaluate_markers

    class Environment(_Environment):
        undefined = markers.UndefinedEnvironmentName

    def evaluate(nodes, environment):
        try:
            return evaluate_markers(nodes, Environment(environment))
        except AssertionError as exc:
            if str(exc) != "lhs must be a string":
                raise
            raise markers.UndefinedComparison("a set-valued marker on the left") from None

    markers._evaluate_markers = evaluate
    return "evaluation errors UndefinedEnvironmentName, UndefinedComparison"


def _bad_quoted_string_is_a_parse_error(o, tokenizer, parser):
    """26.3: a quoted string Python cannot read fails as the marker or requirement does
    (InvalidMarker, InvalidRequirement); 26.2 let SyntaxError or ValueError out."""
    if _refuses(o.Marker, "os_name == '\\x4'", o.markers_mod.InvalidMarker):
        return None
    parse_marker_var = parser._parse_marker_var

    def parse_quoted_or_variable(t):
        if not t.check("QUOTED_STRING"):
            return parse_marker_var(t)
        token = t.read()
        try:
            return parser.process_python_str(token.text)
        except (SyntaxError, ValueError) as exc:
            raise tokenizer.ParserSyntaxError(
                "Invalid quoted string", source=t.source, span=(token.position, token.position + len(token.text))
            ) from exc

    parser._parse_marker_var = parse_quoted_or_variable
    return "a bad quoted string is a parse error"


def _bad_specifier_is_a_bad_requirement(o):
    """26.3: a specifier the tokenizer passed but SpecifierSet refuses is InvalidRequirement."""
    requirements = o.requirements_mod
    if _refuses(o.Requirement, "foo ===a,b", requirements.InvalidRequirement):
        return None
    init = o.Requirement.__init__

    def requirement_init(self, text):
        try:
            init(self, text)
        except o.specifiers_mod.InvalidSpecifier as exc:
            raise requirements.InvalidRequirement(str(exc)) from exc

    o.Requirement.__init__ = requirement_init
    return "a bad specifier is InvalidRequirement"


# The packaging release whose rules follow_newer_rules brings an oracle up to, and the
# oldest series it brings up all the way: vectors from 26.2 and from 26.3 are the same
# (checked by diffing the two over many seeds), so either can judge the committed ones.
RULES = "26.3"
RULES_FROM = (26, 2)


def rules_followed(version):
    """The packaging series whose rules vectors from this oracle hold, e.g. "26.3"."""
    series = tuple(int(x) if x.isdigit() else 0 for x in version.split(".")[:2])
    if RULES_FROM <= series <= tuple(int(x) for x in RULES.split(".")):
        return RULES
    return "%d.%d" % series


def follow_newer_rules(o, base):
    try:
        tokenizer = importlib.import_module(base + "._tokenizer")
        parser = importlib.import_module(base + "._parser")
    except ImportError:
        # A pyparsing-era packaging: its marker rules are older still.
        return [r for r in (_ascii_only_compatible_release(o, None), _compatible_prefix_from_parsed_version(o)) if r]
    applied = [
        _ascii_only_compatible_release(o, tokenizer),
        _compatible_prefix_from_parsed_version(o),
        _no_trailing_newline(o, tokenizer),
        _printing_keeps_parentheses(o),
        _single_quotes_around_double(o, parser),
        _evaluation_errors_named(o),
        _bad_quoted_string_is_a_parse_error(o, tokenizer, parser),
        _bad_specifier_is_a_bad_requirement(o),
    ] + _names_normalized_when_parsed(o, parser)
    return [r for r in applied if r]


def wheel_version(path):
    version = os.path.basename(path).split("-")[1]
    return [int(x) if x.isdigit() else 0 for x in version.split(".")]


def load_oracle(kind):
    if kind in ("auto", "installed"):
        try:
            importlib.import_module("packaging.requirements")
            return Oracle("packaging", "installed")
        except ImportError:
            if kind == "installed":
                raise
    stdlib = sysconfig.get_path("stdlib")
    wheels = sorted(glob.glob(os.path.join(stdlib, "ensurepip", "_bundled", "pip-*.whl")), key=wheel_version)
    # Where ensurepip bundles none (Debian's PyPy), the newest pip wheel of another interpreter.
    wheels = wheels or [w for w in os.environ.get("SIDEWHEEL_TEST_PIP_WHEELS", "").split(os.pathsep) if w][:1]
    if not wheels:
        raise SystemExit("no oracle: packaging is not importable and ensurepip has no pip wheel")
    sys.path.insert(0, wheels[-1])
    return Oracle("pip._vendor.packaging", "vendored in " + os.path.basename(wheels[-1]))


# --------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------

# Python's str.isspace() set differs from JavaScript's \s (\x1c-\x1f and \x85 are
# Python-only, \ufeff is JavaScript-only), so both kinds appear around versions.
WS_AROUND = [" ", "\t", "\n", "  ", "\x0c", "\xa0", "\u2003", "\x1c", "\x85", "\ufeff", "\u3000"]
NUMS = ["0", "0", "1", "1", "2", "3", "9", "10", "00", "01", "007", "2023", "20231231",
        "99999999999999999999", "18446744073709551617"]
SEPS = ["", "", "", ".", "-", "_"]
PRE_LETTERS = ["a", "a", "b", "rc", "c", "alpha", "beta", "pre", "preview", "A", "RC", "Alpha", "BETA", "Pre"]
POST_LETTERS = ["post", "post", "rev", "r", "POST", "Rev"]
LOCAL_SEGS = ["ubuntu", "1", "01", "abc1", "1e3", "0x10", "Infinity", "nan", "00", "ABC", "local",
              "deb11u2", "2", "10", "a", "z"]
CURATED_VERSIONS = [
    "", " ", "1", "1.0", "v1.0", "V1.0", "1.0.0.0.0", "0", "0.0", "00", "1!1.0", "0!1.0",
    "1.0a", "1.0.a.1", "1.0-a-1", "1.0_alpha_1", "1.0ALPHA1", "1.0c1", "1.0pre1",
    "1.0preview1", "1.0-1", "1.0-r1", "1.0rev", "1.0.post", "1.0-post-1", "1.0.dev",
    "1.0-dev-1", "1.0+ubuntu-1", "1.0+1e3", "1.0+0x10", "1.0+Infinity", "1.0+NaN",
    "1.0+abc.1.TWELVE", "1.0+", "1.0+.", "1.0+a..b", "1..0", ".1", "1.", "1.0.", "1!",
    "!1", "1!2!3", "1.0a1a1", "1.0.post1.post2", "1.0dev1dev2", "1.0.dev1.post1",
    "1.0-1-1", "\u0661.\u0660", "1.0\n", "\t1.0 ", "\xa01.0", "\x1c1.0", "\ufeff1.0",
    "1.0\x85", "1_0", "1.0-", "1.0a-", "1.0a.", "1.0post.dev", "1.0-dev", "1.0a1-1",
    "1.0a1.post1.dev1+local.7", "1.0rc1-1", "1.0--1", "1.0-_1", "1.0-post", "1.0.r",
    "1.0.0-1", "1.0.0.post0", "2!1.0.dev0", "1.0+local\n", "1.0 +local", "1.0+ local",
    "1.0 a1", "v 1.0", "vv1.0", "1.0v", "1.0+ab_cd-ef.gh", "1.0+AB", "1.0e3", "1e3",
    "1.2.3.4.5.6.7.8.9.10", "0.0.0.0.1", "1.0.dev456", "1.0a12.dev456", "1.0b2.post345.dev456",
    "1.0.post456.dev34", "1.1.dev1", "1.0+5", "1.0+abc.5", "1.0+abc.7", "1.0rc",
    "1.0RC1", "1.0Rc1", "1.0preview", "1.0PREVIEW2", "1.0.b", "1.0-beta.2", "1.0.post-1",
    "1.0.post_1", "1.0-rev.3", "1.0.dev.3", "1.0.dev-3", "1.0.dev_3", "1!1!1.0",
    "99999999999999999999999999.1", "1.0+99999999999999999999", "0!0.0.0", "01!01.01",
]

CURATED_SPECIFIERS = [
    "", ",", " , ", ">=1.0,,<2", "\x1c>=1.0", ">=\xa01.0", ">=1.0\x85", "\ufeff>=1.0", "===\xa0foo",
    "=== foo bar", "===", "==", ">=", "=>1.0", "=<1.0", "~=1", "~=1.0", "~=V1.0", "~=1.0.RC1", "~=2.0.c1",
    "~=1.4.5.DEV1", "~=1!1.0", "~=1.0.post1", "~=1.0-1", "==1.0.*", "==1.0.*.*", "==1.0a1.*", "==1.0+local.*",
    "!=1.0.*", "==v1.0.*", "==1!1.*", ">=1.0.*", "<1.0+local", "==1.0+local", "!=1.0+LOCAL", "<=1.0.dev0",
    "> 1.0", "<  1.0", ">= 1.0 ,< 2.0", ">=1.0;", "(>=1.0)", ">=1.0,<=1.0", "==1.0,!=1.0", "===1.0,===1.0",
    ">=1.0, >=1.0.0, >=1", "~=1.0,~=1.0.0", "<1!1.0", ">1!1.0", "!=1.0.0.*", "==0.*", "<0.dev0", "<0",
    ">=1.0\n", "\t>=1.0\t", ">=1.0 <2.0", "==1.0 ", "== 1.0", "===1.0 ", "=== 1.0+local", "===foo;bar",
    "===a)b", "==\u0661.0", ">=1.0a", ">=1.0-", "==1.0-1", "==1.0_post_1", "~=1.0.0.0",
]
CURATED_CONTAINS = [
    ("<1!1.0", "1.0"), (">1!1.0", "2.0"), ("!=1.0.0.*", "1.0"), ("==1.0.0.*", "1.0"), ("==1.*", "1.0a1"),
    ("~=2.0.RC1", "2.5"), ("~=V1.4.5", "1.4.6"), (">1.0", "1.0.post1"), (">1.0", "1.0+local"),
    (">1.0a1", "1.0a1+local"), (">1.0a1", "1.0a1.post1"), ("<1.0", "1.0a1"), ("<1.0", "1.0.dev0"),
    ("<1.0.post1", "1.0.post1.dev0"), ("<1.0.post1", "1.0a1"), ("<=1.0", "1.0+local"), ("==1.0", "1.0+local"),
    ("==1.0+local", "1.0"), ("===1.0", "1.0.0"), ("===foobar", "FooBar"), ("", "garbage"), ("", "1.0a1"),
    (">=1.0", "garbage"), ("<0.dev0", "0.dev0"), (">=1.0b1", "1.0a1"), ("!=1.0a1", "1.0a1"),
    ("===1.0-1", "1.0-1"), ("===v1.0", "V1.0"), ("===1.0.post1", "1.0-1"), ("===1.0,>=0.5", "1.0.0"),
    ("===1.0, >=0.5", "1.0"), ("===1.0a1", "1.0A1"),
]
CURATED_REQUIREMENTS = [
    "foo", "foo\n", "foo\n\n", "foo>=1\n", "foo @ http://x\n", "foo; os_name=='a'\n", "foo ===a,b",
    "foo ===a,>=1", "foo\xe9>=1", "foo\xb2", "foo_\xe9", "a-\xe9", "foo\xa0>=1", "foo[bar\xe9]",
    "foo[ bar , baz ]", "foo[]", "foo[bar,]", "foo (>=1.0)", "foo(>=1.0 ;", "foo >=1.0 ; ", "foo;",
    "foo ; os_name == 'a'", "foo@http://x", "foo @http://x;os_name=='a'", "foo @ http://x ;os_name=='a'",
    "foo @ http://x ; os_name=='a'", "foo @ ", "foo @\thttp://x\t", "foo>=1.0.*", "foo<1.0+local",
    "foo==1.0+LOCAL", "foo (>=1, <2)", "foo (>=1, <2", "foo >=1 <2", "-foo", "foo-", "foo.", "1foo",
    "Foo.Bar_baz[Extra_1]", "foo[a.b-c_d]", "name [extra] >= 1.0 ; extra == 'Extra'",
]
CURATED_MARKERS = [
    'os_name == "a"\n', 'os_name\xe9 == "a"', 'os_name == "a" and\xe9', '"a" in\xf6 os_name',
    'os_name=="a"andos_name=="b"', 'os_name=="a"and os_name=="b"', "os_name=='a' or\u0663",
    'extra == "Foo_Bar"', '(extra == "Foo_Bar")', 'extra == os_name', 'os_name == sys_platform',
    '"a" == "b"', '"3.8" < "python_version"', 'extras == "a"', '"a" in extras', '"Foo_Bar" in extras',
    '"dev" in dependency_groups', 'python_version >= "3.8"', 'python_version > "3.*"', 'python_version == "3.*"',
    'python_full_version >= "3.12.0"', 'python_full_version == "3.12.0+local"', 'platform_release >= "5.0"',
    'platform_version >= "1.0"', 'os_name < "z"', 'os_name ~= "posix"', 'os_name === "posix"',
    'python_version === "3.11"', 'python_version ~= "3.1"', 'python_version in "3.10 3.11"',
    # No \\N{NAME} escape: the TypeScript side has no Unicode name table and refuses it.
    'implementation_version >= "7.3"', "os_name == '\\x41'", "os_name == '\\u00e9'",
    "os_name == 'a\\'", 'os_name == "\\"', "os_name == 'a\\\nb'", "os_name == 'a\nb'",
    "platform.release == '1'", "python.version == '3'", "os.name == 'posix'", "python_implementation == 'CPython'",
    "(os_name == 'a'", "os_name == 'a')", "()", "", " ", "os_name", "os_name ==", "not in", "os_name not in",
    "os_name notin 'a'", "os_name not  in 'a'", "os_name not\tin 'a'", "'a' in'abc'", "'a'in 'abc'",
    'os_name == "\ud800"', 'os_name == "\U0001F600"', 'os_name == "\\U00110000"', 'os_name == "\\U0010FFFF"',
    'os_name == "\\d\\8\\777\\0"', 'os_name == "\\ud800"', 'os_name == "\\x41\\x4g"', "os_name == 'a\\\r\nb'",
    "os_name == '\\a\\b\\f\\n\\r\\t\\v\\'\\\"\\\\'", 'os_name == "\\a\\b\\f\\n\\r\\t\\v\\\'\\\\"',
]

# Cases added after the file was first generated: appended after the random ones, so
# that the random cases (one stream for all categories) stay as they were.
# Look-alike letters that re.IGNORECASE without re.ASCII folds onto ASCII ones:
# \u017f (long s) ~ s, \u0131 (dotless i) ~ i, \u212a (Kelvin sign) ~ k, \u0130 ~ i.
LOOK_ALIKES = ["1.2.3po\u017ft1", "1.0prev\u0131ew1", "1.0+\u212a", "1.0+\u0130", "1.0a\u017f", "1.0.po\u017ft"]
LATE_VERSIONS = LOOK_ALIKES
LATE_SPECIFIERS = [op + v for v in LOOK_ALIKES for op in ("~=", "==", ">=", "!=")]
LATE_REQUIREMENTS = ["foo" + s for s in LATE_SPECIFIERS] + [
    "foo~=1.2.3po\u017ft1,>=1", "foo (~=1.0prev\u0131ew1)",
    'liba; sys_platform == "win32" and python_version >= "3" or os_name == "posix"',
    'libb; sys_platform == "win32" and ((python_version >= "3" or os_name == "posix"))',
    'foo; (extra == "Foo_Bar") or os_name == "x"', "foo; os_name == 'a'\n", "foo==1.0\n",
]
LATE_CONTAINS = [
    ("===1.0\u017f", "1.0S"), ("===1.0\u017f", "1.0\u017f"), ("===1.0+\u212a", "1.0+k"), ("===1.0+\u212a", "1.0+K"),
    ("===\u0130", "i\u0307"), ("===\u03a3\u03a3", "\u03c3\u03c2"), ("===1.0\u00df", "1.0SS"),
]
LATE_MARKERS = [
    'sys_platform == "win32" and ((python_version >= "3" or os_name == "posix"))',
    '((sys_platform == "win32" or os_name == "posix")) and python_version >= "3"',
    '(((os_name == "a" or os_name == "b"))) and (((os_name == "c")))',
    'os_name == "a" or ((os_name == "b" and os_name == "c"))',
    '(extra == "Foo_Bar")', '(os_name == "x" or (extra == "Foo.Bar"))', '"Foo_Bar" == extra and (extra == os_name)',
    'python_version ~= "3.1po\u017ft1"', 'python_version ~= "3.10"', 'os_name == "a"\n\n', 'os_name == "a" \n',
]


class Gen:
    """Random but reproducible case builders."""

    def __init__(self, seed):
        self.r = random.Random(seed)

    def p(self, prob):
        return self.r.random() < prob

    def choice(self, seq):
        return self.r.choice(seq)

    def num(self):
        return self.choice(NUMS)

    def small(self):
        return self.choice(["0", "1", "2", "1", "0", "3", "10"])

    # ---- versions

    def pre(self, spelled):
        if not spelled:
            return self.choice(["a", "b", "rc"]) + self.small()
        return self.choice(SEPS) + self.choice(PRE_LETTERS) + self.choice(SEPS) + self.choice(["", self.small()])

    def post(self, spelled):
        if not spelled:
            return ".post" + self.small()
        if self.p(0.25):
            return "-" + self.small()
        return self.choice(SEPS) + self.choice(POST_LETTERS) + self.choice(SEPS) + self.choice(["", self.small()])

    def dev(self, spelled):
        if not spelled:
            return ".dev" + self.small()
        return self.choice(SEPS) + self.choice(["dev", "dev", "DEV", "Dev"]) + self.choice(SEPS) + self.choice(["", self.small()])

    def local(self):
        n = self.choice([1, 1, 1, 2, 2, 3])
        segs = [self.choice(LOCAL_SEGS) for _ in range(n)]
        out = segs[0]
        for s in segs[1:]:
            out += self.choice([".", ".", "-", "_"]) + s
        return "+" + out

    def version_text(self):
        """A version string, mostly valid, in every spelling PEP 440 allows."""
        spelled = self.p(0.5)
        out = ""
        if self.p(0.04):
            out += self.choice(WS_AROUND)
        if self.p(0.05):
            out += self.choice(["v", "V"])
        if self.p(0.12):
            out += self.choice(["0", "1", "2", "1", "00", "10", "99999999999999999999"]) + "!"
        n = self.choice([1, 2, 2, 2, 3, 3, 3, 4, 5, 6])
        out += ".".join(self.num() if self.p(0.3) else self.small() for _ in range(n))
        if self.p(0.25):
            out += self.pre(spelled)
        if self.p(0.2):
            out += self.post(spelled)
        if self.p(0.2):
            out += self.dev(spelled)
        if self.p(0.15):
            out += self.local()
        if self.p(0.04):
            out += self.choice(WS_AROUND)
        if self.p(0.12):
            out = self.mutate(out)
        return out

    def mutate(self, text):
        chars = "._-+!*vVaAxZ 1\u00e9\u0663/,;()=<>~"
        k = self.r.randint(0, 5)
        i = self.r.randint(0, len(text))
        if k == 0:
            return text[:i] + self.choice(chars) + text[i:]
        if k == 1 and text:
            i = min(i, len(text) - 1)
            return text[:i] + text[i + 1 :]
        if k == 2:
            return text + self.choice([".", "-", "_", "+", "!", ".*", "a", "post", "dev"])
        if k == 3:
            return self.choice([".", "-", "_", "+", "!", "v"]) + text
        if k == 4 and text:
            i = min(i, len(text) - 1)
            return text[:i] + text[i] + text[i:]
        return text.upper() if self.p(0.5) else text.replace(".", self.choice(["..", "-", "_", ""]), 1)

    # ---- families of related versions, for ordering and specifier matching

    def base(self):
        epoch = "1" if self.p(0.1) else "0"
        n = self.choice([1, 2, 2, 3, 3, 4])
        return epoch, [self.choice(["0", "1", "2", "3", "10"]) for _ in range(n)]

    def near(self, base, spelled=None):
        """A version close to `base`: padded, bumped, with pre/post/dev/local variants."""
        epoch, rel = base
        rel = list(rel)
        if spelled is None:
            spelled = self.p(0.15)
        if self.p(0.25):
            rel += ["0"] * self.r.randint(1, 2)
        if self.p(0.1) and len(rel) > 1:
            rel = rel[:-1]
        if self.p(0.25):
            i = self.r.randrange(len(rel))
            delta = self.choice([1, -1, 1])
            rel[i] = str(max(0, int(rel[i]) + delta))
        if self.p(0.08):
            rel.append(self.choice(["1", "5"]))
        if self.p(0.06):
            epoch = "1" if epoch == "0" else "0"
        out = ""
        if spelled and self.p(0.2):
            out += self.choice(["v", "V"])
        if epoch != "0" or (spelled and self.p(0.2)):
            out += epoch + "!"
        out += ".".join(("0" + x if spelled and self.p(0.1) else x) for x in rel)
        if self.p(0.3):
            out += self.pre(spelled)
        if self.p(0.25):
            out += self.post(spelled)
        if self.p(0.25):
            out += self.dev(spelled)
        if self.p(0.2):
            out += self.local()
        return out

    # ---- specifiers

    def ws(self):
        return self.choice(["", "", "", " ", "  ", "\t"])

    def specifier(self, base):
        op = self.choice(["==", "==", "!=", "<=", ">=", ">=", "<", "<", ">", ">", "~=", "~=", "==="])
        if op == "===":
            ver = self.choice([self.near(base), self.near(base), "foobar", "1.0+local", "1.0.*", "FooBar", "", "x;y", "a)b"])
        else:
            ver = self.near(base)
            if op not in ("==", "!=") and "+" in ver and self.p(0.8):
                ver = ver.split("+")[0]  # mostly valid: only == and != take a local label
            if self.p(0.06):
                ver = self.version_text()
            if op in ("==", "!=") and self.p(0.35):
                epoch, rel = base
                cut = rel[: self.r.randint(1, len(rel))]
                if self.p(0.3):
                    cut = cut + ["0"] * self.r.randint(1, 2)
                ver = ("" if epoch == "0" else epoch + "!") + ".".join(cut) + ".*"
            elif self.p(0.03):
                ver += ".*"
        return self.ws() + op + self.ws() + ver + self.ws()

    def specifier_set(self, base, sizes=(1, 1, 1, 2, 2, 3)):
        if self.p(0.05):
            return self.choice(["", " ", ",", " , "])
        n = self.choice(sizes)
        return self.choice([",", ",", ", ", " ,"]).join(self.specifier(base) for _ in range(n)) + (
            "," if self.p(0.02) else ""
        )

    def candidates(self, base, k):
        out = []
        for _ in range(k):
            if self.p(0.05):
                out.append(self.choice(["foobar", "FooBar", "1.0+local", "not a version", "1.0.*", ""]))
            else:
                out.append(self.near(base))
        return out

    # ---- names, requirements

    def name(self):
        if self.p(0.3):
            return self.choice([
                "foo", "Foo.Bar", "foo_bar", "foo-bar", "a", "A1", "1a", "foo..bar", "foo-",
                "-foo", "_foo", "foo.", "zope.interface", "caf\u00e9", "foo bar", "",
                "Django", "oslo.concurrency", "typing_extensions", "a-_.b", "FOO__BAR", "x1.2",
                "in", "and", "or", "not", "extra", "python_version",
            ])
        alphabet = "abcXYZ019._-"
        n = self.r.randint(1, 10)
        return "".join(self.choice(alphabet) for _ in range(n))

    def extras(self):
        return self.choice([
            "", "", "", "[]", "[ ]", "[a]", "[a,b]", "[ a , b ]", "[a b]", "[a,]", "[Foo_Bar,foo-bar]",
            "[a", "[1]", "[-a]", "[security,tests]", "[\ta\t]", "[a,,b]", "[a.b]", "[caf\u00e9]",
            "[" + self.name() + "]", "[" + self.name() + "," + self.name() + "]",
        ])

    def url(self):
        return self.choice([
            "https://example.com/foo-1.0.tar.gz", "file:///tmp/x.whl",
            "git+https://github.com/a/b@v1.0#egg=foo", "http://x;os_name=='nt'",
            "https://example.com/a b", "./local/path", "https://e.com/x.whl#sha256=abc",
        ])

    def requirement(self):
        base = self.base()
        name = self.name() if self.p(0.15) else self.choice(["foo", "Foo.Bar", "zope.interface", "a", "x_1-y"])
        extras = self.extras() if self.p(0.3) else self.choice(["", "", "[test]", "[a,b]", "[ A_b , c ]"])
        out = self.choice(["", "", "", " ", "\t"]) + name + self.ws() + extras + self.ws()
        kind = self.r.random()
        if kind < 0.15:
            out += self.choice(["@", " @", "@ ", " @ "]) + self.url()
            if self.p(0.5):
                out += self.choice([" ", "", "\t"]) + self.choice([";", "; ", " ; "]) + self.marker()
        else:
            if kind < 0.85:
                spec = self.specifier_set(base)
                if self.p(0.25):
                    spec = "(" + self.ws() + spec + self.ws() + ")"
                out += spec
            if self.p(0.35):
                out += self.choice([";", "; ", " ; ", " ;", ";"]) + self.marker()
        out += self.choice(["", "", "", " ", "\t", "\n"])
        if self.p(0.05):
            out = self.mutate(out)
        return out

    # ---- markers

    VARIABLES = {
        "python_version": ["python_version"],
        "python_full_version": ["python_full_version"],
        "implementation_version": ["implementation_version"],
        "platform_release": ["platform_release"],
        "os_name": ["os_name", "os.name"],
        "sys_platform": ["sys_platform", "sys.platform"],
        "platform_system": ["platform_system"],
        "platform_machine": ["platform_machine", "platform.machine"],
        "platform_python_implementation": [
            "platform_python_implementation", "platform.python_implementation", "python_implementation"],
        "implementation_name": ["implementation_name"],
        "platform_version": ["platform_version", "platform.version"],
        "extra": ["extra"],
    }
    VALUES = {
        "python_version": ["3.8", "3.11", "3", "3.*", "3.1*", "2.7", "3.10", "3.11.7", "3.13.0a2", "4",
                           "", "3.12.0+local", "lol", "3.11.*", "3.9", "3.13", " 3.8", "v3.11"],
        "python_full_version": ["3.11.7", "3.8.10", "3.13.0a2", "3.12.0+", "3.*", "3.11.*", "3.11.7+local",
                                "3.11.7.0", "3.12.0", "3.12.0+local", "3.10.13", "3.13", "", "3.8.*"],
        "implementation_version": ["3.11.7", "7.3.13", "7.3", "7.*", "3.13.0a2", "3.8.10", "7.3.13.0"],
        "platform_release": ["5.15.0", "5.15.0-91-generic", "6.1", "6.1.0-13-amd64", "10", "23.1.0", "NT",
                             "5.15.0+", "6", "23.*", ""],
        "os_name": ["posix", "nt", "java", "POSIX", "os", "pos", ""],
        "sys_platform": ["linux", "win32", "darwin", "linux2", "cygwin", "lin", "Linux"],
        "platform_system": ["Linux", "Windows", "Darwin", "Java", "", "linux"],
        "platform_machine": ["x86_64", "AMD64", "arm64", "aarch64", "i686", "x86", "86"],
        "platform_python_implementation": ["CPython", "PyPy", "Jython", "cpython", "Py"],
        "implementation_name": ["cpython", "pypy", "graalpy", "py"],
        "platform_version": ["#1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29)", "10.0.19045",
                             "Darwin Kernel Version 23.1.0", "Debian", "SMP", "1.0", "10.0"],
        "extra": ["test", "Test", "foo_bar", "Foo.Bar", "foo-bar", "", "doc", "DOC", "1.0", "tests",
                  "foo--bar", "te"],
    }
    OPS = ["==", "==", "!=", "<", "<=", ">", ">=", ">=", "~=", "===", "in", "not in", "not  in", "not\tin"]
    ESCAPED = ["\\x41", "\\t", "\\\\", "\\'", "\\u00e9", "\\d", "\\101", "\\n", "a\\\nb", "\\U0001F600",
               "\\x4", "\\u12", "\\", "\\8", "\\777", "\\a\\b\\f\\v\\r"]

    def quoted(self, value):
        if self.p(0.03):
            value = value + self.choice(self.ESCAPED)
        q = self.choice(["'", '"', '"'])
        if q in value:
            q = "'" if q == '"' else '"'
        return q + value + q

    def marker_var(self):
        key = self.choice(list(self.VARIABLES))
        if self.p(0.02):
            return self.choice(["extras", "dependency_groups", "platform.release", "python.version"]), key
        return self.choice(self.VARIABLES[key]), key

    def marker_item(self):
        var, key = self.marker_var()
        value = self.quoted(self.choice(self.VALUES[key]))
        op = self.choice(self.OPS)
        shape = self.r.random()
        w = self.ws
        if shape < 0.72:
            parts = [var, op, value]
        elif shape < 0.92:
            parts = [value, op, var]
        elif shape < 0.96:
            parts = [var, op, self.marker_var()[0]]
        else:
            parts = [value, op, self.quoted(self.choice(["python_version", "os_name", "b", "extra"]))]
        # `in` needs whitespace to be a word; leave it out now and then to exercise that rule.
        spaced = "in" in op and self.p(0.9)
        left = " " if spaced else self.choice(["", " ", " ", "\t"])
        right = " " if spaced else self.choice(["", " ", " "])
        return w() + parts[0] + left + parts[1] + right + parts[2] + w()

    def marker(self, depth=0):
        n = 1 if depth >= 2 else self.choice([1, 1, 2, 2, 3])
        out = ""
        for i in range(n):
            if i:
                out += self.choice([" and ", " or "] * 8 + ["and", " AND ", "\tor\t", " && ", ")or("])
            if depth < 2 and self.p(0.2):
                out += self.ws() + "(" + self.ws() + self.marker(depth + 1) + self.ws() + ")" + self.ws()
            else:
                out += self.marker_item()
        if depth == 0 and self.p(0.04):
            out = self.mutate(out)
        return out


ENVIRONMENTS = [
    {
        "implementation_name": "cpython", "implementation_version": "3.11.7", "os_name": "posix",
        "platform_machine": "x86_64", "platform_release": "6.1.0-13-amd64", "platform_system": "Linux",
        "platform_version": "#1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29)",
        "python_full_version": "3.11.7", "platform_python_implementation": "CPython",
        "python_version": "3.11", "sys_platform": "linux",
    },
    {
        "implementation_name": "cpython", "implementation_version": "3.8.10", "os_name": "nt",
        "platform_machine": "AMD64", "platform_release": "10", "platform_system": "Windows",
        "platform_version": "10.0.19045", "python_full_version": "3.8.10",
        "platform_python_implementation": "CPython", "python_version": "3.8", "sys_platform": "win32",
        "extra": "test",
    },
    {
        "implementation_name": "pypy", "implementation_version": "7.3.13", "os_name": "posix",
        "platform_machine": "arm64", "platform_release": "23.1.0", "platform_system": "Darwin",
        "platform_version": "Darwin Kernel Version 23.1.0", "python_full_version": "3.10.13",
        "platform_python_implementation": "PyPy", "python_version": "3.10", "sys_platform": "darwin",
        "extra": "Foo_Bar",
    },
    {
        "implementation_name": "cpython", "implementation_version": "3.13.0a2", "os_name": "posix",
        "platform_machine": "aarch64", "platform_release": "5.15.0", "platform_system": "Linux",
        "platform_version": "#1 SMP", "python_full_version": "3.13.0a2",
        "platform_python_implementation": "CPython", "python_version": "3.13", "sys_platform": "linux",
        "extra": "",
    },
    {
        "implementation_name": "cpython", "implementation_version": "3.12.0+", "os_name": "posix",
        "platform_machine": "x86_64", "platform_release": "5.15.0+", "platform_system": "Linux",
        "platform_version": "1.0", "python_full_version": "3.12.0+",
        "platform_python_implementation": "CPython", "python_version": "3.12", "sys_platform": "linux",
        "extra": "DOC",
    },
    {
        "implementation_name": "cpython", "implementation_version": "3.9.18", "os_name": "posix",
        "platform_machine": "i686", "platform_release": "", "platform_system": "",
        "platform_version": "", "python_full_version": "3.9.18",
        "platform_python_implementation": "CPython", "python_version": "3.9", "sys_platform": "cygwin",
        "extra": "foo..bar", "extras": ["Foo_Bar", "test"], "dependency_groups": ["dev"],
    },
]

SET_KEYS = ("extras", "dependency_groups")


def env_for_oracle(env):
    return {k: (frozenset(v) if k in SET_KEYS else v) for k, v in env.items()}


# --------------------------------------------------------------------------------------
# Oracle runs, one per category
# --------------------------------------------------------------------------------------


def error_name(exc):
    return type(exc).__name__


def version_record(o, text):
    try:
        v = o.Version(text)
    except o.version_mod.InvalidVersion:
        return {"in": text, "valid": False}
    return {
        "in": text, "valid": True, "str": str(v), "public": v.public, "base": v.base_version,
        "epoch": str(v.epoch), "release": [str(x) for x in v.release],
        "pre": None if v.pre is None else [v.pre[0], str(v.pre[1])],
        "post": None if v.post is None else str(v.post), "dev": None if v.dev is None else str(v.dev),
        "local": v.local, "isPre": v.is_prerelease, "isPost": v.is_postrelease, "isDev": v.is_devrelease,
    }


def gen_versions(o, g, n):
    texts = list(CURATED_VERSIONS)
    while len(texts) < n:
        texts.append(g.version_text() if g.p(0.6) else g.near(g.base(), spelled=g.p(0.5)))
    return [version_record(o, t) for t in texts + LATE_VERSIONS]


def gen_compare(o, g, n):
    out = []
    seen = set()
    while len(out) < n:
        base = g.base()
        family = [g.near(base) for _ in range(8)]
        if g.p(0.2):
            family.append(g.near(g.base()))
        for _ in range(6):
            a, b = g.choice(family), g.choice(family)
            try:
                va, vb = o.Version(a), o.Version(b)
            except o.version_mod.InvalidVersion:
                continue
            if (a, b) in seen:
                continue
            seen.add((a, b))
            out.append([a, b, (va > vb) - (va < vb)])
    return out


def spec_record(o, text):
    try:
        s = o.SpecifierSet(text)
    except o.specifiers_mod.InvalidSpecifier:
        return {"in": text, "valid": False}
    n = len(s)  # before str(): packaging's str() drops duplicate clauses from the set itself
    return {"in": text, "valid": True, "str": str(s), "len": n, "prereleases": s.prereleases}


def gen_specifiers(o, g, n):
    out = [spec_record(o, text) for text in CURATED_SPECIFIERS]
    while len(out) < n:
        base = g.base()
        out.append(spec_record(o, g.specifier_set(base) if g.p(0.7) else g.specifier(base)))
    return out + [spec_record(o, t) for t in LATE_SPECIFIERS]


def gen_contains(o, g, n):
    out = []
    for text, version in CURATED_CONTAINS:
        s = o.SpecifierSet(text)
        for pre in (None, True, False):
            out.append([text, version, pre, bool(s.contains(version, prereleases=pre))])
    while len(out) < n:
        base = g.base()
        text = g.specifier_set(base)
        try:
            s = o.SpecifierSet(text)
        except o.specifiers_mod.InvalidSpecifier:
            continue
        for cand in g.candidates(base, 4):
            pre = g.choice([None, None, True, False])
            installed = True if g.p(0.08) else None
            as_version = g.p(0.1)
            item = cand
            if as_version:
                try:
                    item = o.Version(cand)
                except o.version_mod.InvalidVersion:
                    as_version = False
            try:
                if installed is None:
                    res = s.contains(item, prereleases=pre)
                else:
                    res = s.contains(item, prereleases=pre, installed=installed)
            except AssertionError:
                continue
            case = [text, cand, pre, bool(res)]
            if installed or as_version:
                case.append({"installed": installed, "asVersion": as_version})
            out.append(case)
    for text, version in LATE_CONTAINS:
        s = o.SpecifierSet(text)
        out.extend([text, version, pre, bool(s.contains(version, prereleases=pre))] for pre in (None, True, False))
    return out


def gen_filter(o, g, n):
    out = []
    while len(out) < n:
        base = g.base()
        text = g.specifier_set(base, sizes=(1, 1, 2))
        try:
            s = o.SpecifierSet(text)
        except o.specifiers_mod.InvalidSpecifier:
            continue
        items = g.candidates(base, g.r.randint(1, 8))
        pre = g.choice([None, None, True, False])
        try:
            kept_items = list(s.filter(items, prereleases=pre))
        except AssertionError:
            continue
        out.append([text, items, pre, positions(items, kept_items)])
    return out


def positions(items, kept_items):
    """Map kept items back to their indexes (filter keeps input order).

    Not `filter(key=...)`: packaging compares `===` against the item, not the key."""
    out, i = [], 0
    for k in kept_items:
        while items[i] != k:
            i += 1
        out.append(i)
        i += 1
    return out


def gen_and(o, g, n):
    out = []
    while len(out) < n:
        base = g.base()
        a, b = g.specifier_set(base), g.specifier_set(base)
        try:
            out.append([a, b, str(o.SpecifierSet(a) & o.SpecifierSet(b))])
        except o.specifiers_mod.InvalidSpecifier:
            continue
    return out


def marker_results(marker, envs):
    results = []
    for env in envs:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                results.append(bool(marker.evaluate(env_for_oracle(env))))
        except Exception as exc:  # noqa: BLE001 - the kind of failure is recorded, not judged
            results.append({"error": error_name(exc)})
    return results


def parse_or_error(make, text):
    """(make(text), None), or (None, the error record) when the oracle refuses the text."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return make(text), None
    except Exception as exc:  # noqa: BLE001
        return None, {"in": text, "error": error_name(exc)}


def marker_record(o, text):
    m, error = parse_or_error(o.Marker, text)
    if error:
        return error
    return {"in": text, "str": str(m), "eval": marker_results(m, ENVIRONMENTS)}


def gen_markers(o, g, n):
    texts = list(CURATED_MARKERS)
    while len(texts) < n:
        texts.append(g.marker())
    return [marker_record(o, t) for t in texts + LATE_MARKERS]


def requirement_record(o, text):
    r, error = parse_or_error(o.Requirement, text)
    if error:
        return error
    rec = {
        "in": text, "name": r.name, "extras": sorted(r.extras), "specifier": str(r.specifier),
        "url": r.url, "marker": None if r.marker is None else str(r.marker), "str": str(r),
    }
    if r.marker is not None:
        rec["eval"] = marker_results(r.marker, ENVIRONMENTS)
    return rec


def gen_requirements(o, g, n):
    texts = list(CURATED_REQUIREMENTS)
    while len(texts) < n:
        texts.append(g.requirement())
    return [requirement_record(o, t) for t in texts + LATE_REQUIREMENTS]


def gen_names(o, g, n):
    extra = ["Foo.Bar", "foo__bar", "FOO-._-bar", "caf\u00c9", "\u0130stanbul", "A", "a-", "--a--"]
    names = extra + [g.name() for _ in range(n - len(extra))]
    return [[x, o.canonicalize_name(x)] for x in names]


# --------------------------------------------------------------------------------------
# Output: one case per line, so diffs of the committed file stay readable
# --------------------------------------------------------------------------------------


def dump(doc, fh):
    fh.write("{\n")
    keys = list(doc)
    for i, key in enumerate(keys):
        value = doc[key]
        comma = "," if i < len(keys) - 1 else ""
        if isinstance(value, list) and key != "environments":
            fh.write("  %s: [\n" % json.dumps(key))
            for j, item in enumerate(value):
                fh.write("    " + json.dumps(item, ensure_ascii=True, separators=(",", ":")))
                fh.write(",\n" if j < len(value) - 1 else "\n")
            fh.write("  ]%s\n" % comma)
        else:
            fh.write("  %s: %s%s\n" % (json.dumps(key), json.dumps(value, ensure_ascii=True), comma))
    fh.write("}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=440508)
    ap.add_argument("--scale", type=float, default=1.0, help="multiplies every category's case count")
    ap.add_argument("--out", default="-")
    ap.add_argument("--oracle", choices=["auto", "installed", "vendored"], default="auto")
    ap.add_argument("--only", help="comma-separated categories (older oracles lack some APIs)")
    ap.add_argument("--describe", action="store_true", help="print only the oracle's description, rules included")
    args = ap.parse_args()

    o = load_oracle(args.oracle)
    if args.describe:
        json.dump(o.describe(), sys.stdout)
        sys.stdout.write("\n")
        return
    g = Gen(args.seed)

    def count(n):
        return max(10, int(n * args.scale))

    doc = {
        "note": (
            "Generated by test/python/gen_pep_vectors.py (seed %d, scale %s); expected results computed "
            "by packaging %s (%s)%s on Python %s. Regenerate: python test/python/gen_pep_vectors.py "
            "--out fixtures/pep-vectors.json" % (
                args.seed, args.scale, o.version, o.source,
                " with newer rules applied: " + ", ".join(o.newer_rules) if o.newer_rules else "",
                sys.version.split()[0],
            )
        ),
        "generator": "test/python/gen_pep_vectors.py",
        "oracle": o.describe(),
        "seed": args.seed,
        "environments": ENVIRONMENTS,
    }
    categories = [
        ("versions", gen_versions, 2500),
        ("compare", gen_compare, 4000),
        ("specifiers", gen_specifiers, 2500),
        ("contains", gen_contains, 11000),
        ("filter", gen_filter, 2000),
        ("and", gen_and, 400),
        ("markers", gen_markers, 2500),
        ("requirements", gen_requirements, 2500),
        ("names", gen_names, 400),
    ]
    only = set(args.only.split(",")) if args.only else None
    for name, generate, n in categories:
        if only is None or name in only:
            doc[name] = generate(o, g, count(n))

    if args.out == "-":
        dump(doc, sys.stdout)
    else:
        with open(args.out, "w", encoding="ascii", newline="\n") as fh:
            dump(doc, fh)


if __name__ == "__main__":
    main()
