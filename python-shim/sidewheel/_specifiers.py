"""PEP 440 version specifiers and sets of them (packaging 26.3's rules)."""

from ._version import Version, _canonical_version, _coerce, _regex


class InvalidSpecifier(ValueError):
    """A version specifier that is not PEP 440."""


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
        # ~=V is V <= x < the next prefix's .dev0, the prefix being V's release less
        # its last segment, read from V parsed (packaging 26.3; 26.2 cut it from the
        # text as written, so `~=2.0.RC1` kept "2.0" and `~=V1.4.5` matched nothing).
        spec = self._spec
        release = spec.release[:-1]
        upper = Version._from_parts(spec.epoch, release[:-1] + (release[-1] + 1,), dev=0)
        return _public(parsed) >= spec and parsed < upper

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
        if any(s.prereleases for s in self._distinct()):
            return True
        return None

    @prereleases.setter
    def prereleases(self, value):
        self._prereleases = value

    def _distinct(self):
        """One clause per text: a set may repeat one clause many times, and
        what a clause says depends only on its text."""
        return list(dict((str(s), s) for s in self._specs).values())

    def _canonical_specs(self):
        seen = {}
        for spec in sorted(self._distinct(), key=str):
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


# Specifier sets without regular expressions, for the plainest clauses: the
# patterns above are compiled on first use, and importing re alone costs as
# much as everything else an activation does.
_RELEASE_CHARS = frozenset("0123456789.")
_TWO_CHAR_OPS = ("<=", ">=", "==", "!=", "~=")
_WS = " \t"
_plain_sets = {}


def plain_specifier_set(text):
    """SpecifierSet(text), built without regular expressions, when ``text`` is
    a comma-separated list of ``<``, ``<=``, ``>``, ``>=``, ``==``, ``!=``,
    ``~=`` clauses on versions of digits and dots (``==``/``!=`` also with
    ``.*``), or empty; else None (SpecifierSet(text) decides, and says what is
    wrong).  Cached: the same text is met again and again in one resolution."""
    cached = _plain_sets.get(text)
    if cached is not None:
        return cached
    specs = []
    if text.strip(_WS):
        for part in text.split(","):
            part = part.strip(_WS)
            op = part[:2] if part[:2] in _TWO_CHAR_OPS else part[:1]
            if op not in _TWO_CHAR_OPS and op not in ("<", ">"):
                return None
            version = part[len(op):].strip(_WS)
            release = version[:-2] if op in ("==", "!=") and version.endswith(".*") else version
            if not release or not _RELEASE_CHARS.issuperset(release) or "" in release.split("."):
                return None
            if op == "~=" and "." not in release:
                return None  # invalid: SpecifierSet says why
            specs.append(_PlainSpecifier._plain(op, version))
    result = SpecifierSet("")
    result._specs = tuple(specs)
    _plain_sets[text] = result
    return result


def _plain(v):
    return v.epoch == 0 and v.pre is None and v.post is None and v.dev is None and v._local is None


class _PlainSpecifier(_Specifier):
    """A clause on a version of digits and dots.  For candidates that are
    plain releases too, prefix matching (``==V.*``, ``!=V.*``, ``~=V``)
    compares release tuples instead of regex-split strings; the result is the
    same (test_fast_paths proves it against _Specifier on a grid)."""

    __slots__ = ()

    @classmethod
    def _plain(cls, op, version):
        spec = cls.__new__(cls)
        spec.operator, spec.version, spec._spec_version = op, version, None
        return spec

    def _equal(self, parsed, spec):
        if spec.endswith(".*") and _plain(parsed):
            return _release_prefix(parsed.release, tuple(map(int, spec[:-2].split("."))))
        return _Specifier._equal(self, parsed, spec)

    def _compatible(self, parsed):
        if _plain(parsed):
            spec = self._spec
            return parsed >= spec and _release_prefix(parsed.release, spec.release[:-1])
        return _Specifier._compatible(self, parsed)


def _release_prefix(release, prefix):
    """Does ``release``, padded with zeros, start with ``prefix``?"""
    if len(release) < len(prefix):
        release = release + (0,) * (len(prefix) - len(release))
    return release[:len(prefix)] == prefix
