"""PEP 440 versions (packaging's rules); the lowest layer of _pep, stdlib only.

Also the two helpers every layer uses: `_regex` (patterns compiled, and `re`
imported, on first use) and `canonicalize_name` (PEP 503).
"""


class InvalidVersion(ValueError):
    """A version string that is not PEP 440."""


_compiled = {}


def _regex(pattern):
    """`pattern` compiled, once; flags are inline so callers need not import `re`."""
    rx = _compiled.get(pattern)
    if rx is None:
        import re

        try:
            rx = re.compile(pattern)
        except re.error:
            # Python 3.6 (where only `python -m sidewheel list` runs) has no
            # scoped (?a:...) groups: the whole pattern ASCII there instead.
            rx = re.compile("(?a)" + pattern.replace("(?a:", "(?:"))
        _compiled[pattern] = rx
    return rx


def canonicalize_name(name):
    """PEP 503: lower case, runs of `-`, `_`, `.` become one `-`."""
    value = name.lower().replace("_", "-").replace(".", "-")
    while "--" in value:
        value = value.replace("--", "-")
    return value


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
