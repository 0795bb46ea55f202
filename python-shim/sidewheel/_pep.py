"""PEP 440 versions and specifiers, PEP 508 requirements and markers; stdlib only.

The runtime cannot assume `packaging` is installed, so it carries this module. It
follows packaging 26.2 case for case, quirks included (an unnormalized `~=` version
such as `~=2.0.RC1` keeps its last release segment in the prefix; `<` and `>` on
non-version marker values are always false), because the CLI and the runtime must
pick the same versions as pip would, and packaging 26.3's marker rules (INDEX.md,
"Markers"): printing keeps a nested group's parentheses, `extra` values and names
tested `in extras` are normalized at every depth, a trailing newline is not the end
of a requirement or marker. test/python/check_pep.py proves it against
fixtures/pep-vectors.json, which packaging itself computed.

Deliberate differences: every malformed input raises the documented Invalid* error
(packaging lets a SyntaxError escape from a bad string escape, and an
InvalidSpecifier from `name ===a,b`), and evaluating a marker that names a missing
environment key raises UndefinedEnvironmentName, not KeyError.

Runs on CPython 3.8+. Importing it is cheap: regular expressions are compiled (and
`re` imported) on first use, `platform` only when a marker needs the default
environment, `ast` only when a quoted marker string holds an escape.
"""

import sys

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


class InvalidVersion(ValueError):
    """A version string that is not PEP 440."""


class InvalidSpecifier(ValueError):
    """A version specifier that is not PEP 440."""


class InvalidRequirement(ValueError):
    """A dependency specifier that is not PEP 508."""


class InvalidMarker(ValueError):
    """An environment marker that is not PEP 508."""


class UndefinedComparison(ValueError):
    """A marker comparison that PEP 508 leaves undefined (e.g. `os_name ~= "posix"`)."""


class UndefinedEnvironmentName(ValueError):
    """A marker names a key the evaluation environment lacks."""


_compiled = {}


def _regex(pattern):
    """`pattern` compiled, once; flags are inline so callers need not import `re`."""
    rx = _compiled.get(pattern)
    if rx is None:
        import re

        rx = _compiled[pattern] = re.compile(pattern)
    return rx


def canonicalize_name(name):
    """PEP 503: lower case, runs of `-`, `_`, `.` become one `-`."""
    value = name.lower().replace("_", "-").replace(".", "-")
    while "--" in value:
        value = value.replace("--", "-")
    return value


# --------------------------------------------------------------------------------------
# Versions
# --------------------------------------------------------------------------------------

# packaging's pattern. The letter groups are ASCII-only, or IGNORECASE would let
# 'ı' match the 'i' of "preview" and the Kelvin sign match a 'k' in a local label;
# the surrounding \s* is Unicode, as in packaging.
_VERSION_PATTERN = r"""(?xi)
    \s*
    v?
    (?a:
        (?:(?P<epoch>[0-9]+)!)?
        (?P<release>[0-9]+(?:\.[0-9]+)*)
        (?:[._-]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[._-]?(?P<pre_n>[0-9]+)?)?
        (?:-(?P<post_n1>[0-9]+)|[._-]?(?P<post_l>post|rev|r)[._-]?(?P<post_n2>[0-9]+)?)?
        (?:[._-]?(?P<dev_l>dev)[._-]?(?P<dev_n>[0-9]+)?)?
    )
    (?a:\+(?P<local>[a-z0-9]+(?:[._-][a-z0-9]+)*))?
    \s*
"""
_LOCAL_SEPARATORS = r"[._-]"
_SIMPLE_VERSION_CHARS = frozenset(".0123456789")
_PRE_SPELLINGS = {"alpha": "a", "beta": "b", "c": "rc", "pre": "rc", "preview": "rc"}
_PRE_RANK = {"a": 0, "b": 1, "rc": 2}
_STABLE_SUFFIX = (3, 0, 0, 0, 1, 0)


class Version(object):
    """A parsed PEP 440 version: ordered, hashable, printed in normal form."""

    __slots__ = ("epoch", "release", "pre", "post", "dev", "_local", "_key")

    def __init__(self, version):
        # Digits and dots only: the common case, and no regex needed.
        if _SIMPLE_VERSION_CHARS.issuperset(version):
            parts = version.split(".")
            if "" in parts:
                raise InvalidVersion("Invalid version: %r" % (version,))
            self._set(0, tuple(map(int, parts)), None, None, None, None)
            return
        m = _regex(_VERSION_PATTERN).fullmatch(version)
        if m is None:
            raise InvalidVersion("Invalid version: %r" % (version,))
        pre = None
        if m.group("pre_l"):
            letter = m.group("pre_l").lower()
            pre = (_PRE_SPELLINGS.get(letter, letter), int(m.group("pre_n") or 0))
        post_n = m.group("post_n1") or m.group("post_n2")
        post = int(post_n or 0) if (m.group("post_l") or post_n) else None
        dev = int(m.group("dev_n") or 0) if m.group("dev_l") else None
        local = m.group("local")
        self._set(
            int(m.group("epoch") or 0),
            tuple(map(int, m.group("release").split("."))),
            pre,
            post,
            dev,
            None if local is None else _parse_local(local),
        )

    def _set(self, epoch, release, pre, post, dev, local):
        self.epoch = epoch
        self.release = release
        self.pre = pre
        self.post = post
        self.dev = dev
        self._local = local
        self._key = None

    @classmethod
    def _from_parts(cls, epoch, release, pre=None, post=None, dev=None, local=None):
        v = cls.__new__(cls)
        v._set(epoch, release, pre, post, dev, local)
        return v

    def _replace(self, **changes):
        parts = dict(epoch=self.epoch, release=self.release, pre=self.pre, post=self.post,
                     dev=self.dev, local=self._local)
        parts.update(changes)
        return Version._from_parts(**parts)

    @property
    def local(self):
        if not self._local:
            return None
        return ".".join(str(x) for x in self._local)

    @property
    def public(self):
        return str(self).split("+", 1)[0]

    @property
    def base_version(self):
        release = ".".join(map(str, self.release))
        return "%d!%s" % (self.epoch, release) if self.epoch else release

    @property
    def is_prerelease(self):
        return self.dev is not None or self.pre is not None

    @property
    def is_postrelease(self):
        return self.post is not None

    @property
    def is_devrelease(self):
        return self.dev is not None

    def __str__(self):
        out = ".".join(map(str, self.release))
        if self.epoch:
            out = "%d!%s" % (self.epoch, out)
        if self.pre is not None:
            out += "%s%d" % self.pre
        if self.post is not None:
            out += ".post%d" % self.post
        if self.dev is not None:
            out += ".dev%d" % self.dev
        if self._local is not None:
            out += "+" + ".".join(str(x) for x in self._local)
        return out

    def __repr__(self):
        return "<Version(%r)>" % str(self)

    @property
    def _cmpkey(self):
        if self._key is None:
            self._key = _cmpkey(self)
        return self._key

    def __hash__(self):
        return hash(self._cmpkey)

    def __eq__(self, other):
        if not isinstance(other, Version):
            return NotImplemented
        return self._cmpkey == other._cmpkey

    def __ne__(self, other):
        if not isinstance(other, Version):
            return NotImplemented
        return self._cmpkey != other._cmpkey

    def __lt__(self, other):
        if not isinstance(other, Version):
            return NotImplemented
        return self._cmpkey < other._cmpkey

    def __le__(self, other):
        if not isinstance(other, Version):
            return NotImplemented
        return self._cmpkey <= other._cmpkey

    def __gt__(self, other):
        if not isinstance(other, Version):
            return NotImplemented
        return self._cmpkey > other._cmpkey

    def __ge__(self, other):
        if not isinstance(other, Version):
            return NotImplemented
        return self._cmpkey >= other._cmpkey


def _parse_local(text):
    return tuple(
        int(part) if part.isdigit() else part.lower() for part in _regex(_LOCAL_SEPARATORS).split(text)
    )


def _trim_zeros(release):
    end = len(release)
    while end and release[end - 1] == 0:
        end -= 1
    return release[:end]


def _cmpkey(v):
    """A tuple whose natural order is PEP 440 order (packaging's layout)."""
    release = _trim_zeros(v.release)
    if v.pre is None and v.post is None and v.dev is None and v._local is None:
        return v.epoch, release, _STABLE_SUFFIX
    if v.pre is None and v.post is None and v.dev is not None:
        pre_rank, pre_n = -1, 0  # 1.0.dev0 sorts before 1.0a0
    elif v.pre is None:
        pre_rank, pre_n = 3, 0
    else:
        pre_rank, pre_n = _PRE_RANK[v.pre[0]], v.pre[1]
    suffix = (
        pre_rank,
        pre_n,
        0 if v.post is None else 1,
        0 if v.post is None else v.post,
        1 if v.dev is None else 0,
        0 if v.dev is None else v.dev,
    )
    if v._local is None:
        return v.epoch, release, suffix
    # In local labels strings sort before numbers; the rank keeps them apart.
    local = tuple((seg, "") if isinstance(seg, int) else (-1, seg) for seg in v._local)
    return v.epoch, release, suffix, local


def _coerce(item):
    if isinstance(item, Version):
        return item
    try:
        return Version(item)
    except InvalidVersion:
        return None


def _canonical_version(text, strip_trailing_zero):
    """packaging.utils.canonicalize_version: the normal form, or the text if invalid."""
    v = _coerce(text)
    if v is None:
        return text
    if strip_trailing_zero:
        release = _trim_zeros(v.release) or (0,)
        v = v._replace(release=release)
    return str(v)


# --------------------------------------------------------------------------------------
# Specifiers
# --------------------------------------------------------------------------------------

# packaging's specifier grammar. It is matched whole for a specifier, and as a prefix
# by the requirement tokenizer (where `===`'s argument may swallow commas). Letters are
# ASCII-only in every branch: packaging's `~=` branch lets IGNORECASE match look-alikes
# (`~=1.0poſt1`, `~=1.0prevıew`), then fails with an AssertionError when comparing;
# here they are invalid when parsed, as their version is (and so in src/versions).
_SPECIFIER_PATTERN = r"""
    (?:
        (?:===\s*[^\s;)]*)
        |
        (?:
            (?:==|!=)
            \s*
            v?
            (?:[0-9]+!)?
            [0-9]+(?:\.[0-9]+)*
            (?:
                \.\*
                |
                (?a:[-_\.]?(alpha|beta|preview|pre|a|b|c|rc)[-_\.]?[0-9]*)?
                (?a:(?:-[0-9]+)|(?:[-_\.]?(post|rev|r)[-_\.]?[0-9]*))?
                (?a:[-_\.]?dev[-_\.]?[0-9]*)?
                (?a:\+[a-z0-9]+(?:[-_\.][a-z0-9]+)*)?
            )?
        )
        |
        (?:
            (?:~=)
            \s*
            v?
            (?:[0-9]+!)?
            [0-9]+(?:\.[0-9]+)+
            (?a:[-_\.]?(alpha|beta|preview|pre|a|b|c|rc)[-_\.]?[0-9]*)?
            (?a:(?:-[0-9]+)|(?:[-_\.]?(post|rev|r)[-_\.]?[0-9]*))?
            (?a:[-_\.]?dev[-_\.]?[0-9]*)?
        )
        |
        (?:
            (?:<=|>=|<|>)
            \s*
            v?
            (?:[0-9]+!)?
            [0-9]+(?:\.[0-9]+)*
            (?a:[-_\.]?(alpha|beta|preview|pre|a|b|c|rc)[-_\.]?[0-9]*)?
            (?a:(?:-[0-9]+)|(?:[-_\.]?(post|rev|r)[-_\.]?[0-9]*))?
            (?a:[-_\.]?dev[-_\.]?[0-9]*)?
        )
    )
"""
_WHOLE_SPECIFIER = r"(?xi)\s*" + _SPECIFIER_PATTERN + r"\s*"
_PREFIX_SPLIT = r"([0-9]+)((?:a|b|c|rc)[0-9]+)"
_SUFFIX_STARTS = ("dev", "a", "b", "rc", "post")


def _version_split(version):
    """packaging's _version_split: epoch, then dot parts, `1rc2` cut into `1`, `rc2`."""
    epoch, _, rest = version.rpartition("!")
    result = [epoch or "0"]
    for item in rest.split("."):
        m = _regex(_PREFIX_SPLIT).fullmatch(item)
        if m:
            result.extend(m.groups())
        else:
            result.append(item)
    return result


def _numeric_prefix_len(split):
    count = 0
    for segment in split:
        if not segment.isdigit():
            break
        count += 1
    return count


def _public(v):
    return v if v._local is None else v._replace(local=None)


class _Specifier(object):
    """One `<op><version>` clause of a SpecifierSet."""

    __slots__ = ("operator", "version", "_spec_version")

    def __init__(self, text):
        if not _regex(_WHOLE_SPECIFIER).fullmatch(text):
            raise InvalidSpecifier("Invalid specifier: %r" % (text,))
        text = text.strip()
        if text.startswith("==="):
            self.operator, self.version = "===", text[3:].strip()
        elif text[:2] in ("~=", "==", "!=", "<=", ">="):
            self.operator, self.version = text[:2], text[2:].strip()
        else:
            self.operator, self.version = text[:1], text[1:].strip()
        self._spec_version = None

    def __str__(self):
        return self.operator + self.version

    @property
    def _spec(self):
        if self._spec_version is None:
            self._spec_version = Version(self.version)
        return self._spec_version

    @property
    def canonical(self):
        """What packaging compares (and deduplicates) specifiers by."""
        if self.operator == "===" or self.version.endswith(".*"):
            return self.operator, self.version
        return self.operator, _canonical_version(self._spec, self.operator != "~=")

    @property
    def prereleases(self):
        """Whether this clause by itself lets pre-releases in (None: cannot tell)."""
        if self.operator == "!=" or (self.operator == "==" and self.version.endswith(".*")):
            return False
        v = _coerce(self.version)
        return None if v is None else v.is_prerelease

    def matches(self, parsed, item):
        """`parsed` is `item` as a Version; `===` compares the item as given."""
        op = self.operator
        if op == "===":
            return str(item).lower() == self.version.lower()
        if op == "==":
            return self._equal(parsed, self.version)
        if op == "!=":
            return not self._equal(parsed, self.version)
        if op == "~=":
            return self._compatible(parsed)
        if op == "<=":
            return _public(parsed) <= self._spec
        if op == ">=":
            return _public(parsed) >= self._spec
        if op == "<":
            return self._less_than(parsed)
        return self._greater_than(parsed)

    def _equal(self, parsed, spec):
        if spec.endswith(".*"):
            return _prefix_match(parsed, spec[:-2])
        spec_version = self._spec
        if not spec_version.local:
            parsed = _public(parsed)
        return parsed == spec_version

    def _compatible(self, parsed):
        # ~=V is >=V plus a prefix match on V less its last release segment, with the
        # prefix cut from the text as written (as packaging does).
        split = _version_split(self.version)
        kept = []
        for segment in split:
            if segment.startswith(_SUFFIX_STARTS):
                break
            kept.append(segment)
        kept = kept[:-1]
        prefix = "%s!%s" % (kept[0], ".".join(kept[1:]))
        return _public(parsed) >= self._spec and _prefix_match(parsed, prefix)

    def _less_than(self, parsed):
        spec = self._spec
        if not parsed < spec:
            return False
        # <V keeps out V's own pre-releases unless V is one.
        if not spec.is_prerelease and parsed.is_prerelease:
            if parsed >= spec._replace(dev=0, local=None):
                return False
        return True

    def _greater_than(self, parsed):
        spec = self._spec
        if not parsed > spec:
            return False
        # >V keeps out V's post-releases unless V is one, and V's local versions.
        if not spec.is_postrelease and parsed.is_postrelease:
            if parsed._replace(post=None, dev=None, local=None) == spec:
                return False
        if parsed._local is not None and _public(parsed) == spec:
            return False
        return True


def _prefix_match(parsed, spec_prefix):
    split_spec = _version_split(_canonical_version(spec_prefix, False))
    target = _numeric_prefix_len(split_spec)
    split = _version_split(str(_public(parsed)))
    have = _numeric_prefix_len(split)
    if have < target:
        split = split[:have] + ["0"] * (target - have) + split[have:]
    return split[: len(split_spec)] == split_spec


def _without_hidden_prereleases(items):
    """PEP 440's default: pre-releases only when no final release is left.

    Items that are not versions at all (only `===` lets them through) always stay,
    but do not count as final releases.
    """
    parsed = [_coerce(item) for item in items]
    if not any(v is not None and not v.is_prerelease for v in parsed):
        return list(items)
    return [item for item, v in zip(items, parsed) if v is None or not v.is_prerelease]


class SpecifierSet(object):
    """A comma-separated set of PEP 440 version specifiers (possibly empty)."""

    __slots__ = ("_specs", "_prereleases", "_has_arbitrary")

    def __init__(self, specifiers="", prereleases=None):
        parts = [s.strip() for s in specifiers.split(",")]
        self._specs = tuple(_Specifier(s) for s in parts if s)
        self._has_arbitrary = "===" in specifiers
        self._prereleases = prereleases

    @property
    def prereleases(self):
        if self._prereleases is not None:
            return self._prereleases
        if not self._specs:
            return None
        if any(s.prereleases for s in self._specs):
            return True
        return None

    @prereleases.setter
    def prereleases(self, value):
        self._prereleases = value

    def _canonical_specs(self):
        seen = {}
        for spec in sorted(self._specs, key=str):
            seen.setdefault(spec.canonical, spec)
        return list(seen.values())

    def __str__(self):
        return ",".join(str(s) for s in self._canonical_specs())

    def __repr__(self):
        return "<SpecifierSet(%r)>" % str(self)

    def __len__(self):
        return len(self._specs)

    def __and__(self, other):
        if isinstance(other, str):
            other = SpecifierSet(other)
        elif not isinstance(other, SpecifierSet):
            return NotImplemented
        combined = SpecifierSet()
        combined._specs = self._specs + other._specs
        combined._has_arbitrary = self._has_arbitrary or other._has_arbitrary
        if self._prereleases is None or self._prereleases == other._prereleases:
            combined._prereleases = other._prereleases
        elif other._prereleases is None:
            combined._prereleases = self._prereleases
        else:
            raise ValueError("Cannot combine SpecifierSets with True and False prerelease overrides.")
        return combined

    def __contains__(self, item):
        return self.contains(item)

    def contains(self, version, prereleases=None, installed=None):
        parsed = _coerce(version)
        if parsed is not None and installed and parsed.is_prerelease:
            prereleases = True
        # `===` compares the string as given; anything else compares versions.
        if parsed is None or (self._has_arbitrary and not isinstance(version, Version)):
            item = version
        else:
            item = parsed
        return bool(self.filter([item], prereleases=prereleases))

    def filter(self, iterable, prereleases=None):
        """The items (strings or Versions) that satisfy every specifier, in order.

        With `prereleases` None, pre-releases come back only when no final release
        (or non-version string) does.
        """
        if prereleases is None and self.prereleases is not None:
            prereleases = self.prereleases
        items = list(iterable)
        if self._specs:
            allow = True if prereleases is None else prereleases
            kept = [item for item in items if self._matches_all(item, allow)]
            return kept if prereleases is not None else _without_hidden_prereleases(kept)
        if prereleases is True:
            return items
        if prereleases is False:
            return [item for item in items if not _is_prerelease_item(item)]
        return _without_hidden_prereleases(items)

    def _matches_all(self, item, allow_prereleases):
        parsed = _coerce(item)
        if parsed is None:
            text = str(item).lower()
            return all(s.operator == "===" and text == s.version.lower() for s in self._specs)
        if parsed.is_prerelease and not allow_prereleases:
            return False
        return all(s.matches(parsed, item) for s in self._specs)


def _is_prerelease_item(item):
    v = _coerce(item)
    return v is not None and v.is_prerelease


# --------------------------------------------------------------------------------------
# Requirement and marker syntax (PEP 508), the tokenizer packaging uses
# --------------------------------------------------------------------------------------

_TOKENS = {
    "LEFT_PARENTHESIS": r"\(",
    "RIGHT_PARENTHESIS": r"\)",
    "LEFT_BRACKET": r"\[",
    "RIGHT_BRACKET": r"\]",
    "SEMICOLON": r";",
    "COMMA": r",",
    "QUOTED_STRING": r"('[^']*')|(\"[^\"]*\")",
    "OP": r"(===|==|~=|!=|<=|>=|<|>)",
    "BOOLOP": r"\b(or|and)\b",
    "IN": r"\bin\b",
    "NOT": r"\bnot\b",
    "VARIABLE": (
        r"\b(python_version|python_full_version|os[._]name|sys[._]platform"
        r"|platform_(release|system)|platform[._](version|machine|python_implementation)"
        r"|python_implementation|implementation_(name|version)|extras?|dependency_groups)\b"
    ),
    "SPECIFIER": "(?xi)" + _SPECIFIER_PATTERN,
    "AT": r"@",
    "URL": r"[^ \t]+",
    "IDENTIFIER": r"\b[a-zA-Z0-9][a-zA-Z0-9._-]*\b",
    "VERSION_PREFIX_TRAIL": r"\.\*",
    "VERSION_LOCAL_LABEL_TRAIL": r"\+[a-z0-9]+(?:[-_\.][a-z0-9]+)*",
    "WS": r"[ \t]+",
    "END": r"\Z",  # not "$": a trailing newline is not the end (packaging 26.3)
}


class _SyntaxError(Exception):
    pass


class _Tokenizer(object):
    __slots__ = ("source", "position")

    def __init__(self, source):
        self.source = source
        self.position = 0

    def peek(self, name):
        """The text of token `name` at the current position, or None."""
        m = _regex(_TOKENS[name]).match(self.source, self.position)
        return None if m is None else m.group(0)

    def take(self, name):
        text = self.peek(name)
        if text is not None:
            self.position += len(text)
        return text

    def expect(self, name, expected):
        text = self.take(name)
        if text is None:
            self.fail("Expected " + expected)
        return text

    def fail(self, message):
        raise _SyntaxError("%s at position %d of %r" % (message, self.position, self.source))


def _parse_requirement(t):
    t.take("WS")
    name = t.expect("IDENTIFIER", "package name at the start of dependency specifier")
    t.take("WS")
    extras = _parse_extras(t)
    t.take("WS")
    url, specifier, marker = "", "", None
    if t.take("AT") is not None:
        t.take("WS")
        url = t.expect("URL", "URL after @")
        if t.peek("END") is None:
            t.expect("WS", "whitespace after URL")
            if t.peek("END") is None:
                marker = _parse_requirement_marker(t, "semicolon (after URL and whitespace)")
    else:
        specifier = _parse_specifier(t)
        t.take("WS")
        if t.peek("END") is None:
            expected = (
                "comma (within version specifier), semicolon (after version specifier)"
                if specifier
                else "semicolon (after name with no version specifier)"
            )
            marker = _parse_requirement_marker(t, expected)
    t.expect("END", "end of dependency specifier")
    return name, url, extras, specifier, marker


def _parse_requirement_marker(t, expected):
    if t.take("SEMICOLON") is None:
        t.fail("Expected %s or end" % expected)
    marker = _parse_marker(t)
    t.take("WS")
    return marker


def _parse_extras(t):
    if t.take("LEFT_BRACKET") is None:
        return []
    t.take("WS")
    extras = []
    name = t.take("IDENTIFIER")
    if name is not None:
        extras.append(name)
        while True:
            t.take("WS")
            if t.peek("IDENTIFIER") is not None:
                t.fail("Expected comma between extra names")
            if t.take("COMMA") is None:
                break
            t.take("WS")
            extras.append(t.expect("IDENTIFIER", "extra name after comma"))
    t.take("WS")
    t.expect("RIGHT_BRACKET", "matching RIGHT_BRACKET for LEFT_BRACKET, after extras")
    return extras


def _parse_specifier(t):
    parenthesized = t.take("LEFT_PARENTHESIS") is not None
    t.take("WS")
    out = ""
    while True:
        spec = t.take("SPECIFIER")
        if spec is None:
            break
        out += spec
        if t.peek("VERSION_PREFIX_TRAIL") is not None:
            t.fail(".* suffix can only be used with `==` or `!=` operators")
        if t.peek("VERSION_LOCAL_LABEL_TRAIL") is not None:
            t.fail("Local version label can only be used with `==` or `!=` operators")
        t.take("WS")
        if t.take("COMMA") is None:
            break
        out += ","
        t.take("WS")
    t.take("WS")
    if parenthesized:
        t.expect("RIGHT_PARENTHESIS", "matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after version specifier")
    return out


# A parsed marker is packaging's shape: a list of items, "and"/"or", and nested lists;
# an item is (lhs, op, rhs) with each side ("var", name) or ("str", value).


def _parse_marker(t):
    expression = [_parse_marker_atom(t)]
    while True:
        op = t.take("BOOLOP")
        if op is None:
            return expression
        expression.extend((op, _parse_marker_atom(t)))


def _parse_marker_atom(t):
    t.take("WS")
    if t.take("LEFT_PARENTHESIS") is not None:
        t.take("WS")
        marker = _parse_marker(t)
        t.take("WS")
        t.expect("RIGHT_PARENTHESIS", "matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after marker expression")
    else:
        marker = _parse_marker_item(t)
    t.take("WS")
    return marker


def _parse_marker_item(t):
    t.take("WS")
    lhs = _parse_marker_var(t)
    t.take("WS")
    op = _parse_marker_op(t)
    t.take("WS")
    rhs = _parse_marker_var(t)
    t.take("WS")
    return (lhs, op, rhs)


def _parse_marker_var(t):
    name = t.take("VARIABLE")
    if name is not None:
        name = name.replace(".", "_")
        if name == "python_implementation":
            name = "platform_python_implementation"
        return ("var", name)
    quoted = t.take("QUOTED_STRING")
    if quoted is not None:
        return ("str", _python_string(quoted, t))
    t.fail("Expected a marker variable or quoted string")


def _parse_marker_op(t):
    if t.take("IN") is not None:
        return "in"
    if t.take("NOT") is not None:
        t.expect("WS", "whitespace after 'not'")
        t.expect("IN", "'in' after 'not'")
        return "not in"
    op = t.take("OP")
    if op is None:
        t.fail("Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in")
    return op


_NEEDS_LITERAL_EVAL = "[\\\\\n\r\x00\ud800-\udfff]"


def _python_string(token, t):
    """The value of a quoted marker string, read as a Python literal (as packaging does)."""
    if _regex(_NEEDS_LITERAL_EVAL).search(token) is None:
        return token[1:-1]
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return str(ast.literal_eval(token))
    except (SyntaxError, ValueError) as e:
        t.fail("Bad string %s (%s)" % (token, e.__class__.__name__))


def _normalize_extra_values(markers):
    """Values compared with `extra`, and names tested `in extras` / `in
    dependency_groups`, are stored normalized (PEP 685), at every depth, as
    packaging 26.3 does: printing, equality and evaluation then agree."""
    out = []
    for item in markers:
        if isinstance(item, list):
            item = _normalize_extra_values(item)
        elif isinstance(item, tuple):
            lhs, op, rhs = item
            if lhs == ("var", "extra") and rhs[0] == "str":
                rhs = ("str", canonicalize_name(rhs[1]))
            elif rhs[0] == "var" and rhs[1] in ("extra",) + _SET_KEYS and lhs[0] == "str":
                lhs = ("str", canonicalize_name(lhs[1]))
            item = (lhs, op, rhs)
        out.append(item)
    return out


def _shape(markers):
    """A hashable form of a parsed marker that differs exactly when the meaning
    written differs: redundant parentheses (single-item groups) are dropped,
    quoting is not kept.  Marker equality and every cache key use it, never a
    printed form."""
    while len(markers) == 1 and isinstance(markers[0], list):
        markers = markers[0]
    return tuple(_shape(m) if isinstance(m, list) else m for m in markers)


def _format_marker(marker, first=True):
    # Doubled parentheses print as one pair, but a nested group keeps its pair
    # (packaging 26.3): `a and ((b or c))` must not print as `a and b or c`.
    if isinstance(marker, list) and len(marker) == 1 and isinstance(marker[0], (list, tuple)):
        return _format_marker(marker[0], first)
    if isinstance(marker, list):
        inner = " ".join(_format_marker(m, first=False) for m in marker)
        return inner if first else "(" + inner + ")"
    if isinstance(marker, tuple):
        lhs, op, rhs = marker
        return "%s %s %s" % (_format_side(lhs), op, _format_side(rhs))
    return marker


def _format_side(side):
    kind, value = side
    if kind == "var":
        return value
    # packaging 26.3 quotes with ' a value holding " (and refuses to print one
    # holding both, which only escapes can write; we print it with ").
    return "'%s'" % value if '"' in value and "'" not in value else '"%s"' % value


# --------------------------------------------------------------------------------------
# Marker evaluation
# --------------------------------------------------------------------------------------

_SET_KEYS = ("extras", "dependency_groups")
_VERSION_KEYS = ("implementation_version", "platform_release", "python_full_version", "python_version")
_default_environment = None


def _format_full_version(info):
    version = "%d.%d.%d" % (info.major, info.minor, info.micro)
    if info.releaselevel != "final":
        version += info.releaselevel[0] + str(info.serial)
    return version


def default_environment():
    """The PEP 508 environment of the running interpreter."""
    global _default_environment
    if _default_environment is None:
        import os
        import platform

        _default_environment = {
            "implementation_name": sys.implementation.name,
            "implementation_version": _format_full_version(sys.implementation.version),
            "os_name": os.name,
            "platform_machine": platform.machine(),
            "platform_release": platform.release(),
            "platform_system": platform.system(),
            "platform_version": platform.version(),
            "python_full_version": platform.python_version(),
            "platform_python_implementation": platform.python_implementation(),
            "python_version": ".".join(platform.python_version_tuple()[:2]),
            "sys_platform": sys.platform,
        }
    return dict(_default_environment)


def _compare(lhs, op, rhs, key):
    if key in _VERSION_KEYS and isinstance(rhs, str):
        # Both sides versions: compare as PEP 440 (pre-releases count); otherwise
        # fall through to plain string rules.
        text = op + rhs
        if _regex(_WHOLE_SPECIFIER).fullmatch(text):
            spec = _Specifier(text)
            parsed = _coerce(lhs)
            if parsed is None:
                return spec.operator == "===" and lhs.lower() == spec.version.lower()
            return spec.matches(parsed, lhs)
    if op == "in":
        return lhs in rhs
    if op == "not in":
        return lhs not in rhs
    if op in ("==", "<=", ">="):
        return lhs == rhs
    if op == "!=":
        return lhs != rhs
    if op in ("<", ">"):
        return False
    raise UndefinedComparison("Undefined %r on %r and %r." % (op, lhs, rhs))


def _lookup(environment, key):
    try:
        return environment[key]
    except KeyError:
        raise UndefinedEnvironmentName("%r is not in the marker environment" % (key,)) from None


def _evaluate(markers, environment):
    groups = [[]]
    for marker in markers:
        if isinstance(marker, list):
            groups[-1].append(_evaluate(marker, environment))
        elif isinstance(marker, tuple):
            lhs, op, rhs = marker
            if lhs[0] == "var":
                key = lhs[1]
                lhs_value, rhs_value = _lookup(environment, key), rhs[1]
            else:
                key = rhs[1]
                lhs_value, rhs_value = lhs[1], _lookup(environment, key)
            if not isinstance(lhs_value, str):
                raise UndefinedComparison("%s must be on the right of %r" % (key, op))
            if key in _SET_KEYS:
                lhs_value = canonicalize_name(lhs_value)
                if isinstance(rhs_value, str):
                    rhs_value = canonicalize_name(rhs_value)
                else:
                    rhs_value = {canonicalize_name(v) for v in rhs_value}
            groups[-1].append(_compare(lhs_value, op, rhs_value, key))
        elif marker == "or":
            groups.append([])
    return any(all(group) for group in groups)


class Marker(object):
    """A parsed PEP 508 environment marker."""

    __slots__ = ("_markers",)

    def __init__(self, marker):
        t = _Tokenizer(marker)
        try:
            parsed = _parse_marker(t)
            t.expect("END", "end of marker expression")
        except _SyntaxError as e:
            raise InvalidMarker(str(e)) from None
        self._markers = _normalize_extra_values(parsed)

    @classmethod
    def _from_parsed(cls, markers):
        m = cls.__new__(cls)
        m._markers = _normalize_extra_values(markers)
        return m

    def __str__(self):
        return _format_marker(self._markers)

    def __repr__(self):
        return "<Marker(%r)>" % str(self)

    def __eq__(self, other):
        if not isinstance(other, Marker):
            return NotImplemented
        return _shape(self._markers) == _shape(other._markers)

    def __hash__(self):
        return hash(_shape(self._markers))

    def evaluate(self, environment=None):
        """Evaluate over default_environment(), updated with `environment`.

        `extra` is "" unless given; a given one compares normalized.
        """
        env = default_environment()
        env["extra"] = ""
        if environment is not None:
            env.update(environment)
            if "extra" in env:
                env["extra"] = canonicalize_name(env["extra"]) if env["extra"] else ""
        full = env["python_full_version"]
        if isinstance(full, str) and full.endswith("+"):
            # Untagged source builds report e.g. "3.12.0+", which is not PEP 440.
            env["python_full_version"] = full + "local"
        return _evaluate(self._markers, env)


class Requirement(object):
    """A parsed PEP 508 dependency specifier."""

    __slots__ = ("name", "url", "extras", "specifier", "marker")

    def __init__(self, requirement_string):
        t = _Tokenizer(requirement_string)
        try:
            name, url, extras, specifier, marker = _parse_requirement(t)
            specifier_set = SpecifierSet(specifier)
        except (_SyntaxError, InvalidSpecifier) as e:
            raise InvalidRequirement(str(e)) from None
        self.name = name
        self.url = url or None
        self.extras = set(extras)
        self.specifier = specifier_set
        self.marker = None if marker is None else Marker._from_parsed(marker)

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
