"""PEP 440 versions and specifiers, PEP 508 requirements and markers; stdlib only.

The runtime cannot assume `packaging` is installed, so it carries this module. It
follows packaging 26.3 case for case, quirks included (`<` and `>` on non-version
marker values are always false), because the CLI and the runtime must pick the same
versions as pip would: among 26.3's changes, printing keeps a nested group's
parentheses, `extra` values and names tested `in extras` are normalized at every
depth, a trailing newline is not the end of a requirement or marker (INDEX.md,
"Markers"), and `~=V` reads its prefix from V parsed (`~=2.0.RC1` is `>=2.0rc1, <3.dev0`).
test/python/check_pep.py proves it against fixtures/pep-vectors.json, which
packaging itself computed.

Deliberate differences: every malformed input raises the documented Invalid* error
(packaging lets a SyntaxError escape from a bad string escape, and an
InvalidSpecifier from `name ===a,b`), evaluating a marker that names a missing
environment key raises UndefinedEnvironmentName, not KeyError, and parentheses nested
more than 200 deep are an InvalidMarker (packaging fails with a RecursionError
somewhere past 300).

Runs on CPython 3.8+. Importing it is cheap: regular expressions are compiled (and
`re` imported) on first use, `platform` only when a marker needs the default
environment, `ast` only when a quoted marker string holds an escape.
"""

from ._specifiers import InvalidSpecifier, SpecifierSet, plain_specifier_set
from ._version import InvalidVersion, Version, canonicalize_name

# The grammar and markers are loaded on first use: the plainest requirements
# (Requirement.parse) need neither, and each module costs an activation time.
_FROM_MARKERS = ("InvalidMarker", "Marker", "UndefinedComparison", "UndefinedEnvironmentName", "default_environment")


def __getattr__(name):
    if name not in _FROM_MARKERS:
        raise AttributeError("module %r has no attribute %r" % (__name__, name))
    from . import _markers

    value = globals()[name] = getattr(_markers, name)
    return value

__all__ = [
    "InvalidMarker",
    "InvalidRequirement",
    "InvalidSpecifier",
    "InvalidVersion",
    "Marker",
    "Requirement",
    "SpecifierSet",
    "UndefinedComparison",
    "UndefinedEnvironmentName",
    "Version",
    "canonicalize_name",
    "default_environment",
]


_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
_NAME_ENDS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_WS = " \t"


class InvalidRequirement(ValueError):
    """A dependency specifier that is not PEP 508."""


class Requirement(object):
    """A parsed PEP 508 dependency specifier."""

    __slots__ = ("name", "url", "extras", "specifier", "marker")

    def __init__(self, requirement_string):
        from ._markers import Marker
        from ._syntax import _parse_requirement, _SyntaxError, _Tokenizer

        t = _Tokenizer(requirement_string)
        try:
            name, url, extras, specifier, marker = _parse_requirement(t)
            specifier_set = SpecifierSet(specifier)
        except (_SyntaxError, InvalidSpecifier) as e:
            raise InvalidRequirement(str(e)) from None
        self._set(name, url or None, set(extras), specifier_set, None if marker is None else Marker._from_parsed(marker))

    def _set(self, name, url, extras, specifier, marker):
        self.name = name
        self.url = url
        self.extras = extras
        self.specifier = specifier
        self.marker = marker

    @classmethod
    def parse(cls, text):
        """Requirement(text), built without regular expressions when ``text``
        (less surrounding spaces and tabs) is a name alone or followed by the
        plain clauses of plain_specifier_set(): no extras, markers, URLs or
        ``===``.  The object and every answer it gives are the same (proven
        against Requirement(text) on a grid, test_fast_paths); the runtime
        parses requirements this way because importing re alone costs as much
        as the rest of an activation."""
        text = text.strip(_WS)
        i, n = 0, len(text)
        while i < n and text[i] in _NAME_CHARS:
            i += 1
        name = text[:i]
        specifier = None
        if name and name[0] in _NAME_ENDS and name[-1] in _NAME_ENDS:
            specifier = plain_specifier_set(text[i:])
        if specifier is None:
            return cls(text)
        req = cls.__new__(cls)
        req._set(name, None, set(), specifier, None)
        return req

    def without_marker(self):
        """The requirement as str() writes it, less its marker."""
        out = self.name
        if self.extras:
            out += "[%s]" % ",".join(sorted(self.extras))
        if len(self.specifier):
            out += str(self.specifier)
        if self.url:
            out += " @ " + self.url
        return out

    def __str__(self):
        out = self.without_marker()
        if self.marker:
            # A space keeps the URL from swallowing the ";" (packaging writes it so).
            out += (" ; " if self.url else "; ") + str(self.marker)
        return out

    def __repr__(self):
        return "<Requirement(%r)>" % str(self)
