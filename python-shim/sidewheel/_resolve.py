"""Resolution and activation of side versions (see INDEX.md for the rules).

Loaded only when something is actually required, never at plain interpreter
start.  An activation is budgeted at a few milliseconds, so it avoids what
would cost more than the work itself: ``re`` (about as expensive to import as
the whole activation; the plainest requirements are parsed without it),
the ``json`` package (which imports ``re``; the C scanner is used directly),
``sysconfig``, ``importlib.metadata`` (``importlib.invalidate_caches()``
imports it on 3.13+) and parsing the whole index (a project's entry is
looked up in the CLI's compact index text and parsed alone).
"""

import _thread
import os
import sys

from . import _hook, _pep


def _error(name):
    """The exception class ``sidewheel._errors.<name>``: that module is
    imported when an error is raised, never by a successful activation."""
    from . import _errors

    return getattr(_errors, name)

INDEX_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "index.json")
INDEX_FORMAT, INDEX_VERSION = "sidewheel-index", 1

# A resolution that needs more candidate attempts than this is abandoned
# (backtracking is exponential in the worst case; real graphs need a handful).
MAX_ATTEMPTS = 10000

_lock = _thread.RLock()  # one activation at a time: sys.path is shared state


class Distribution(object):
    """One installed version of a project: the default one (found along
    sys.path like importlib.metadata does) or a side version from the index."""

    def __init__(self, name, version, location, is_default, paths=(), dist_info=None,
                 requires=(), requires_python=None, format="installed", top_level=(), provides_extra=()):
        self.name = name
        self.version = version
        self.location = location          # sys.path dir (default) or side location
        self.is_default = is_default
        self.paths = list(paths)           # sys.path entries a side version adds
        self.dist_info = dist_info         # absolute path of its .dist-info
        self.requires = list(requires)     # Requires-Dist strings
        self.requires_python = requires_python
        self.format = format               # installed | directory | zip
        self.top_level = list(top_level)
        self.provides_extra = list(provides_extra)  # Provides-Extra, as written
        # Start-up helper modules this version also ships that stay loaded from
        # the default version (see INDEX.md); filled in when it is selected.
        self.kept_modules = []
        try:
            self.parsed_version = _pep.Version(version)
        except _pep.InvalidVersion:
            self.parsed_version = None

    def __repr__(self):
        kind = "default" if self.is_default else "side, " + self.format
        return "<Distribution %s %s (%s) at %s>" % (self.name, self.version, kind, self.location)


# --------------------------------------------------------------------- public API


def resolve(requirements, _by="resolve()"):
    """Return the distributions that satisfy ``requirements`` (a string, one
    requirement a line, or an iterable of them) with their dependencies,
    without activating anything.  Raises ResolutionError."""
    return _run(requirements, _by, lambda resolver, dists: resolver.refuse_unknown_extras(dists))


def explain(requirements, _by="resolve()"):
    """Like resolve(), but return (Distribution, reason) pairs: why each
    version was chosen, one line (format in INDEX.md)."""
    return _run(requirements, _by, lambda resolver, dists: [
        (d, "; warning: ".join([resolver.why(d)] + resolver.unknown_extras(d))) for d in dists])


def require(*requirements):
    """Resolve and activate; return the distributions now active for
    ``requirements`` (dependencies included).  Raises ResolutionError."""
    return _run(requirements, "require()", _activated)


def require_text(text, who):
    """Activation for the start-up hook (SIDEWHEEL_REQUIRES)."""
    _run(text, who, _activated)


def require_main(value):
    """Activation for ``__main__.__requires__``."""
    if not isinstance(value, str) and not _is_string_list(value):
        raise _error("ResolutionError")(
            "__main__.__requires__ must be a string or a list of strings, not %s" % type(value).__name__)
    _run(value, "__main__.__requires__", _activated)


def _activated(resolver, dists):
    _activate(resolver.refuse_unknown_extras(dists))
    return dists


def _run(requirements, who, then):
    """Parse, resolve, then ``then(resolver, dists)``, one at a time.  Every
    failure is a ResolutionError, alone (no chained context): a bug here or
    in _pep too, so that ``except ResolutionError`` and the one-line report
    of ``__requires__`` hold whatever went wrong."""
    with _lock:
        try:
            resolver = _Resolver()
            return then(resolver, resolver.resolve(_parse(requirements, who)))
        except Exception as exc:
            resolution_error = _error("ResolutionError")
            if not isinstance(exc, resolution_error):
                exc = resolution_error("cannot honour the requirements from %s: %s: %s" % (
                    who, type(exc).__name__, _clip(str(exc))))
            raise exc from None


def _clip(text, limit=500):
    """One line of at most ``limit`` characters (input may be megabytes long)."""
    text = " ".join(text.split()) if len(text) < 4 * limit else " ".join(text[:4 * limit].split())
    return text if len(text) <= limit else text[:limit] + "..."


def _is_string_list(value):
    return isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)


def _parse(requirements, who):
    """Flatten strings (one requirement a line, # comments) and iterables of
    them into (Requirement, who) pairs; bad input is a ResolutionError."""
    lines = []

    def add(item):
        if isinstance(item, str):
            lines.extend(item.splitlines())
        elif isinstance(item, (list, tuple)):
            for sub in item:
                add(sub)
        else:
            raise _error("ResolutionError")(
                "requirements must be strings, not %s (from %s)" % (type(item).__name__, who))

    add(requirements)
    parsed = []
    for line in lines:
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        try:
            parsed.append((_requirement(line), who))
        except _pep.InvalidRequirement as exc:
            raise _error("ResolutionError")(
                "invalid requirement %r from %s: %s" % (line, who, exc), requirement=line, required_by=who) from None
    return parsed


# Requirements and specifiers without regular expressions, for the plainest
# forms: _pep compiles its patterns on first use, and importing re alone costs
# as much as everything else an activation does.  Anything else goes to _pep.
_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
_NAME_ENDS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_RELEASE_CHARS = frozenset("0123456789.")
_TWO_CHAR_OPS = ("<=", ">=", "==", "!=", "~=")
_WS = " \t"


def _requirement(text):
    """_pep.Requirement(text): an equivalent object, built without regular
    expressions when ``text`` is a name with at most a comma-separated list
    of ``<``, ``<=``, ``>``, ``>=``, ``==``, ``!=``, ``~=`` clauses on versions
    of digits and dots (``==``/``!=`` also with ``.*``); no extras, markers,
    URLs or ``===``."""
    text = text.strip(_WS)
    i, n = 0, len(text)
    while i < n and text[i] in _NAME_CHARS:
        i += 1
    name = text[:i]
    specifier = _specifier_set(text[i:]) if name and name[0] in _NAME_ENDS \
        and name[-1] in _NAME_ENDS else None
    if specifier is None:
        return _pep.Requirement(text)
    req = _pep.Requirement.__new__(_pep.Requirement)
    req.name, req.url, req.extras, req.specifier, req.marker = name, None, set(), specifier, None
    return req


_specifier_sets = {}


def _specifier_set(text):
    """_pep.SpecifierSet(text) for plain clauses (see _requirement), else None."""
    cached = _specifier_sets.get(text)
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
                return None  # invalid: _pep says why
            spec = _PlainSpecifier.__new__(_PlainSpecifier)
            spec.operator, spec.version, spec._spec_version = op, version, None
            specs.append(spec)
    result = _pep.SpecifierSet("")
    result._specs = tuple(specs)
    _specifier_sets[text] = result
    return result


def _plain(v):
    return v.epoch == 0 and v.pre is None and v.post is None and v.dev is None and v._local is None


class _PlainSpecifier(_pep._Specifier):
    """A clause on a version of digits and dots.  For candidates that are
    plain releases too, prefix matching (``==V.*``, ``!=V.*``, ``~=V``)
    compares release tuples instead of _pep's regex-split strings; the result
    is the same (test_fast_paths proves it against _pep on a grid)."""

    __slots__ = ()

    def _equal(self, parsed, spec):
        if spec.endswith(".*") and _plain(parsed):
            return _release_prefix(parsed.release, tuple(map(int, spec[:-2].split("."))))
        return _pep._Specifier._equal(self, parsed, spec)

    def _compatible(self, parsed):
        if _plain(parsed):
            spec = self._spec
            return parsed >= spec and _release_prefix(parsed.release, spec.release[:-1])
        return _pep._Specifier._compatible(self, parsed)


def _release_prefix(release, prefix):
    """Does ``release``, padded with zeros, start with ``prefix``?"""
    if len(release) < len(prefix):
        release = release + (0,) * (len(prefix) - len(release))
    return release[:len(prefix)] == prefix


def _requires_python(text):
    """SpecifierSet of a Requires-Python value (InvalidSpecifier when bad)."""
    return _specifier_set(text) or _pep.SpecifierSet(text)


# ----------------------------------------------------------------- index, defaults

_index_cache = {}  # path -> ((mtime_ns, size), _Index)

# How the CLI writes the index (JSON.stringify, no spaces): in that form a
# project's entry is found by its key and parsed alone.
_COMPACT_PREFIX_BYTES = b'{"format":"sidewheel-index","version":1,"projects":{'
_JSON_WS = " \t\n\r"
_JSON_WS_BYTES = b" \t\n\r"


def load_index(path=INDEX_PATH):
    """Return (projects, error): projects maps a normalized name to its display
    name and side Distributions (highest first); error is a one-line reason
    when the index is unreadable (then projects is empty).  A missing index is
    simply empty: no side version was ever installed.  Reads the whole index."""
    index = _load(path)
    return index.all(), index.error


def _load(path=INDEX_PATH):
    """The _Index of ``path``, cached while its mtime and size stay the same."""
    try:
        st = os.stat(path)
    except OSError:
        return _Index(path, None)
    stamp = (st.st_mtime_ns, st.st_size)
    cached = _index_cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        index = _Index(path, None, _unreadable(path, exc))
    else:
        index = _Index(path, data)
    _index_cache[path] = (stamp, index)
    return index


def _unreadable(path, exc):
    return "index %s is unreadable (%s: %s)" % (path, type(exc).__name__, exc)


class _Index(object):
    """The index of one (mtime, size) of the file.

    In the CLI's compact form, each project's entry is decoded and parsed
    when the resolution first asks for it (``get``); anything else, and every
    doubt about the compact form, decodes, parses and checks the whole file
    (``all``).  Distributions are built once per project and reused."""

    def __init__(self, path, data, error=None):
        self.path = path
        self.error = error
        self.data = None     # compact form: the file's bytes, parsed project by project
        self.spans = None    # compact form: key -> (start, end) of its project in data
        self.projects = {}   # key -> (name, [Distribution]), or None: not in the index
        self.complete = True
        if data is None:
            return
        # The compact form ends with the last entry's list and project, the
        # projects object and the whole (or is empty): a cheap check against
        # truncation, which the CLI's atomic writes make unlikely anyway.
        body = data[-16:].rstrip(_JSON_WS_BYTES)
        if data.startswith(_COMPACT_PREFIX_BYTES) and (
                body.endswith(b"]}}}") or data.rstrip(_JSON_WS_BYTES) == _COMPACT_PREFIX_BYTES + b"}}"):
            self.data = data
            self.complete = False
        else:
            self._parse_all(data)

    def get(self, key):
        """(display name, side Distributions highest first) of project ``key``
        (PEP 503 normalized), or None when it has no side version."""
        if key in self.projects or self.complete:
            return self.projects.get(key)
        try:
            if self.spans is None:
                self.spans = _project_spans(self.data)
            span = self.spans.get(key.encode("utf-8"))
            found = None
            if span is not None:
                found = _project(key, _scan(self.data[span[0]:span[1]].decode("utf-8"), 0)[0])
        except Exception:  # not what the CLI writes after all: read and check it all
            self._parse_all(self.data)
            return self.projects.get(key)
        self.projects[key] = found
        return found

    def all(self):
        """Every project: {key: (display name, side Distributions)}."""
        if not self.complete:
            self._parse_all(self.data)
        return self.projects

    def _parse_all(self, data):
        self.data = self.spans = None
        self.complete = True
        try:
            data = _json_loads(data.decode("utf-8"))
            if not isinstance(data, dict) or data.get("format") != INDEX_FORMAT:
                raise ValueError("not a sidewheel index")
            if data.get("version") != INDEX_VERSION:
                raise ValueError("index version %r, this runtime reads %d" % (data.get("version"), INDEX_VERSION))
            projects = {}
            for key, project in data["projects"].items():
                projects[_pep.canonicalize_name(key)] = _project(key, project)
        except Exception as exc:  # UnicodeDecodeError, ValueError, a wrong shape: all unreadable
            self.projects, self.error = {}, _unreadable(self.path, exc)
        else:
            # Keep the Distributions already handed out for the same projects.
            projects.update((k, v) for k, v in self.projects.items() if v is not None and k in projects)
            self.projects = projects


_PROJECT_START = b'":{"name":'


def _project_spans(data):
    """{key (bytes): (start, end)} of every project's value in the compact form, in
    one pass (``end`` is where the next key starts: the scanner stops before).
    ``"<key>":{"name":`` cannot occur inside a JSON string (its quotes would
    be escaped), and after the prefix only the projects object has keys whose
    value is an object starting with "name"."""
    spans = {}
    previous = None
    at = data.find(_PROJECT_START, len(_COMPACT_PREFIX_BYTES))
    while at >= 0:
        quote = data.rfind(b'"', 0, at)
        if previous is not None:
            spans[previous[0]] = (previous[1], quote)
        previous = (data[quote + 1:at], at + 2)
        at = data.find(_PROJECT_START, at + 10)
    if previous is not None:
        spans[previous[0]] = (previous[1], len(data))
    return spans  # a key met twice: the last one wins, as in json.loads


def _project(key, project):
    """(display name, side Distributions) from one project's index entry;
    raises when a side entry lacks its version or location."""
    name = project.get("name") or key
    sides = []
    for e in project.get("side", ()):
        version, location = e["version"], e["location"]
        if not isinstance(version, str) or not isinstance(location, str):
            raise ValueError("side entry of %s with a non-string version or location" % key)
        sides.append(Distribution(
            name, version, location, False,
            paths=e.get("paths") or [location],
            dist_info=os.path.join(location, e["dist_info"]) if e.get("dist_info") else None,
            requires=e.get("requires_dist") or (),
            requires_python=e.get("requires_python"),
            format=e.get("format", "directory"),
            top_level=e.get("top_level") or (),
            provides_extra=e.get("provides_extra") or ()))
    return name, sides


def _json_loads(text):
    """json.loads(text) through the C scanner, without importing the json
    package (which imports re); json.loads itself on any error, for its message."""
    try:
        start = len(text) - len(text.lstrip(_JSON_WS))
        value, end = _scan(text, start)
        if text[end:].strip(_JSON_WS):
            raise ValueError("extra data")
        return value
    except Exception:
        import json

        return json.loads(text)


_scanner = []


def _scan(text, position):
    """(value, end) of the JSON value at ``position``, as json.loads reads it."""
    if not _scanner:
        try:
            from _json import make_scanner
        except ImportError:
            make_scanner = None
        if make_scanner is None:  # no C accelerator: the json package's decoder
            import json

            _scanner.append(json.JSONDecoder().raw_decode)
        else:
            context = _ScanContext()
            _scanner.append(make_scanner(context))
    try:
        return _scanner[0](text, position)
    except StopIteration as exc:  # the C scanner's "expecting value"
        raise ValueError("expecting a JSON value at %s" % exc.value)


class _ScanContext(object):
    """What json.decoder.JSONDecoder gives the C scanner, with json.loads' defaults."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = float  # "NaN", "Infinity", "-Infinity"


def read_metadata(path):
    """The few METADATA headers we need, as {lower-case name: [values]}.
    Hand-parsed (no email package): headers end at the first blank line."""
    headers = {}
    last = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.strip():
                break
            if line[0] in " \t" and last is not None:
                headers[last][-1] += " " + line.strip()
                continue
            key, sep, value = line.partition(":")
            if sep:
                last = key.strip().lower()
                headers.setdefault(last, []).append(value.strip())
    return headers


def _listdir(entry, directory):
    """The names in ``directory`` (a set), or None when it cannot be listed.
    The import system's FileFinder for the sys.path ``entry`` has usually
    listed it already: its listing is used while the directory's mtime is the
    one the finder saw (the finder's own rule)."""
    finder = sys.path_importer_cache.get(entry)
    cached = getattr(finder, "_path_cache", None)
    try:
        if isinstance(cached, set) and getattr(finder, "_path_mtime", None) == os.stat(directory).st_mtime:
            return cached
        return set(os.listdir(directory))
    except OSError:
        return None


def _dist_infos(names):
    """The names ending in .dist-info (any case), sorted.  site-packages
    with side versions holds thousands of names: they are searched as one
    string rather than one by one."""
    blob = "\n".join(names)
    low = blob.lower()
    if len(low) != len(blob) or blob.count("\n") != len(names) - 1:
        # lower() changed a length, or a name holds a newline: one by one
        return sorted(n for n in names if n[-10:].lower() == ".dist-info")
    out = []
    at = low.find(".dist-info\n")
    while at >= 0:
        out.append(blob[low.rfind("\n", 0, at) + 1:at + 10])
        at = low.find(".dist-info\n", at + 11)
    if low.endswith(".dist-info"):
        out.append(blob[low.rfind("\n") + 1:])
    return sorted(out)


class _Defaults(object):
    """Default versions: the first ``*.dist-info`` of each project along
    sys.path (what importlib.metadata.version() finds), skipping entries that
    belong to active side versions.  One listdir per sys.path entry, done when
    the first project is looked up; METADATA is read only for projects needed."""

    def __init__(self, skip):
        self.skip = skip
        self.found = None
        self.listed = {}  # sys.path entry -> the names in it

    def exists(self, path):
        """os.path.exists(path), from the listing of its directory when that
        directory is a sys.path entry listed for this resolution."""
        directory, name = os.path.split(path)
        names = self.listed.get(directory)
        if names is not None and name:
            return name in names
        return os.path.exists(path)

    def get(self, key):
        if self.found is None:
            self.found = {}
            for entry in sys.path:
                directory = entry or "."
                if entry in self.skip:
                    continue
                names = _listdir(entry, directory)
                if names is None:  # missing, not a directory (zip), unreadable
                    continue
                if entry:
                    self.listed[entry] = names
                for n in _dist_infos(names):
                    k = _pep.canonicalize_name(n[:-10].partition("-")[0])
                    self.found.setdefault(k, (directory, n))
        hit = self.found.get(key)
        if hit is None:
            return None
        directory, n = hit
        dist_info = os.path.join(directory, n)
        try:
            meta = read_metadata(os.path.join(dist_info, "METADATA"))
        except OSError:
            meta = {}
        stem_name, _, stem_version = n[:-10].partition("-")
        return Distribution(
            (meta.get("name") or [stem_name])[0],
            (meta.get("version") or [stem_version])[0],
            os.path.abspath(directory), True, dist_info=dist_info,
            requires=meta.get("requires-dist", ()), provides_extra=meta.get("provides-extra", ()))


# ------------------------------------------------------------------------ resolver


def _entry_of(module):
    """The normalized sys.path entry a loaded top-level module was found
    under (the directory holding ``name.py`` or ``name/``, a zip's path
    included), or None when it has no file (namespace package, built-in)."""
    path = getattr(module, "__file__", None)
    if not isinstance(path, str):
        return None
    entry = os.path.dirname(path)
    if hasattr(module, "__path__"):  # a package: <entry>/<name>/__init__.py
        entry = os.path.dirname(entry)
    return _norm(entry)


def _norm(path):
    return os.path.normcase(os.path.abspath(path))


def _python_version():
    return "%d.%d.%d" % sys.version_info[:3]


class _Project(object):
    """Everything about one project for one resolution: its candidates in
    preference order (default, then side versions highest first) and why the
    others cannot be used."""

    def __init__(self, key, name, default, sides):
        self.key = key
        self.name = name
        self.default = default
        self.sides = sides
        self.usable = []
        self.excluded = {}  # Distribution -> reason
        self.blocked = []   # excluded only by process state (already imported or active)
        self.allowed_cache = {}
        self.pinned = None  # the side version already active, if any

    def all(self):
        return ([self.default] if self.default is not None else []) + self.sides


class _Resolver(object):
    def __init__(self):
        self.index = _load()
        self.active = set(sys.path)
        self.defaults = _Defaults(self.active_side_paths())
        self.projects = {}
        self.conflicts = []
        self.attempts = 0
        self._early = None
        self.startup = _hook.startup_modules or frozenset()
        self.python = _python_version()
        self.python_fits = {}  # Requires-Python text -> bool
        self.parsed = {}   # id(Distribution) -> its parsed Requires-Dist
        self.markers = {}  # (Marker, extra) -> bool
        self.constraints = {}  # key -> ((Requirement, who), ...) of the solution found
        self.chosen = {}  # key -> (Distribution, requested extras) of the solution found

    @property
    def index_error(self):
        return self.index.error

    def sides(self, key, display):
        found = self.index.get(key)
        return found if found is not None else (display, [])

    def active_side_paths(self):
        """sys.path entries of side versions already active (their paths[0],
        the location, is on sys.path).  A location is <site dir>/<wheel file
        name>, so only entries ending in .whl are looked up, under the project
        their file name names; anything else ending in .whl means reading the
        whole index."""
        skip = set()
        for entry in sys.path:
            if not isinstance(entry, str) or not entry.endswith(".whl"):
                continue
            key = _pep.canonicalize_name(os.path.basename(entry).partition("-")[0])
            found = [s for s in self.sides(key, key)[1] if s.paths and s.paths[0] == entry]
            if not found:
                found = [s for _, sides in self.index.all().values() for s in sides
                         if s.paths and s.paths[0] == entry]
            for side in found:
                skip.update(side.paths)
        return skip

    @property
    def early(self):
        """Normalized sys.path entries before the insertion point (stdlib,
        script directory, PYTHONPATH), as a set of entries, never prefixes: a
        venv inside the script's directory is under an early entry, yet its
        site-packages is not one.  Computed only when needed."""
        if self._early is None:
            self._early = set(_norm(p or ".") for p in sys.path[:insert_position()] if isinstance(p, str))
        return self._early

    # -- candidates

    def project(self, key, display):
        project = self.projects.get(key)
        if project is not None:
            return project
        name, sides = self.sides(key, display)
        sides = sorted((d for d in sides if d.parsed_version is not None),
                       key=lambda d: d.parsed_version, reverse=True) + [
            d for d in sides if d.parsed_version is None]
        default = self.defaults.get(key)
        project = _Project(key, default.name if default is not None else name, default, sides)
        active = [s for s in sides if s.paths and s.paths[0] in self.active]
        if active:
            # Already on sys.path (activated earlier): it is the only choice.
            pinned = project.pinned = min(active, key=lambda s: sys.path.index(s.paths[0]))
            for d in project.all():
                if d is not pinned:
                    project.excluded[d] = "cannot be used: %s %s (side) is already active" % (
                        pinned.name, pinned.version)
                    project.blocked.append(d)
            project.usable = [pinned]
        else:
            for d in project.all():
                reason, blocked = self.unusable(d)
                if reason:
                    project.excluded[d] = reason
                    if blocked:
                        project.blocked.append(d)
                else:
                    project.usable.append(d)
        self.projects[key] = project
        return project

    def unusable(self, dist):
        """(reason, blocked): why ``dist`` cannot be used at all (reason None
        when it can), and whether only the state of this process is to blame."""
        if dist.parsed_version is None:
            return "has a version that is not PEP 440 (%r)" % dist.version, False
        if dist.is_default:
            return None, False
        if not self.defaults.exists(dist.location):
            return "is missing on disk (%s)" % dist.location, False
        if dist.requires_python:
            try:
                fits = self.python_fits.get(dist.requires_python)
                if fits is None:
                    spec = _requires_python(dist.requires_python)
                    fits = self.python_fits[dist.requires_python] = spec.contains(
                        self.python, prereleases=True)
                if not fits:
                    return "requires Python %s" % dist.requires_python, False
            except _pep.InvalidSpecifier:
                return "has an invalid Requires-Python %r" % dist.requires_python, False
        kept = []
        own = None
        for name in dist.top_level:
            module = sys.modules.get(name)
            entry = _entry_of(module)
            if entry is None:
                continue  # not loaded, namespace package, built-in: nothing to clash with
            if own is None:
                own = set(_norm(p) for p in dist.paths)
            if entry in own:
                continue  # loaded from this very side version
            if entry in self.early:
                continue  # found through an entry before site-packages: activation changes nothing
            if name in self.startup:
                kept.append(name)  # start-up helper: stays as it is (INDEX.md)
                continue
            return "cannot be activated: module %r is already imported from %s" % (
                name, module.__file__), True
        dist.kept_modules = kept
        return None, False

    def allowed(self, project, req):
        """Usable versions of ``project`` that ``req`` admits: pre-releases as
        SpecifierSet.filter decides over the usable versions, plus the default
        when it satisfies ``req`` even though it is a pre-release."""
        if req.url:
            return set(d.parsed_version for d in project.usable)
        # By identity (str() of a specifier costs more than filtering); the
        # entry holds the specifier, so its id cannot be reused meanwhile.
        cached = project.allowed_cache.get(id(req.specifier))
        if cached is None:
            versions = [d.parsed_version for d in project.usable]
            allowed = set(req.specifier.filter(versions))
            default = project.default
            if default in project.usable and req.specifier.contains(default.parsed_version, installed=True):
                # An installed pre-release that satisfies the specifier stays,
                # as pip says "already satisfied" for it.
                allowed.add(default.parsed_version)
            cached = project.allowed_cache[id(req.specifier)] = (req.specifier, allowed)
        return cached[1]

    def ok(self, project, dist, req):
        return dist in project.usable and dist.parsed_version in self.allowed(project, req)

    def dependencies(self, dist, extras, new_only=()):
        """(Requirement, who) for Requires-Dist lines whose markers hold for
        this interpreter with one of ``extras`` ('' = no extra); with
        ``new_only``, just those that hold for one of these extras only."""
        parsed = self.parsed[id(dist)]
        old = [""] + sorted(set(extras) - set(new_only))
        out = []
        for req in parsed:
            holds = lambda extras: any(self.marker(req, e) for e in extras)  # noqa: E731
            if req.marker is None:
                wanted = not new_only
            elif new_only:  # only what the new extras add: the rest was followed already
                wanted = holds(sorted(new_only)) and not holds(old)
            else:
                wanted = holds(old)
            if wanted:
                out.append((req, "%s %s" % (dist.name, dist.version)))
        return out

    def readable(self, project, dist):
        """Parse ``dist``'s Requires-Dist once.  A line that is not PEP 508
        makes the version unusable, with the line as its reason (pip refuses
        such a wheel; skipping the line would activate it without a
        dependency it declares).  Done when the version is first tried, not
        for every candidate: parsing a marker costs an import of re."""
        parsed = self.parsed.get(id(dist))
        if parsed is None:
            parsed = []
            for line in dist.requires:
                try:
                    parsed.append(_requirement(line))
                except _pep.InvalidRequirement as exc:
                    project.usable.remove(dist)
                    project.excluded[dist] = "has an invalid Requires-Dist %s (%s)" % (
                        _clip(repr(line), 200), _clip(str(exc), 200))
                    parsed = False
                    break
            self.parsed[id(dist)] = parsed
        return parsed is not False

    def marker(self, req, extra):
        # Keyed by the marker itself (it hashes its structure), never by a
        # printed form: two markers that print alike may mean different things.
        key = (req.marker, extra)
        value = self.markers.get(key)
        if value is None:
            try:
                value = req.marker.evaluate({"extra": extra})
            except ValueError as exc:  # all _pep errors are ValueErrors
                raise _error("ResolutionError")("cannot evaluate the marker of %s: %s" % (req, exc))
            self.markers[key] = value
        return value

    # -- search

    def resolve(self, roots):
        roots = [(r, who) for r, who in roots if r.marker is None or self.marker(r, "")]
        found = self.search({}, {}, roots, 0)
        if found is None:
            raise self.failure()
        chosen, self.constraints = found
        self.chosen = chosen
        return [dist for dist, _ in chosen.values()]

    def unknown_extras(self, dist):
        """One line per extra requested of ``dist`` in the last solution that
        it does not provide (its Provides-Extra, names PEP 685 normalized),
        as pip words its warning, with who asked."""
        key = _pep.canonicalize_name(dist.name)
        requested = self.chosen[key][1]
        if not requested:
            return []
        provided = set(_pep.canonicalize_name(e) for e in dist.provides_extra)
        out = []
        for extra in sorted(requested - provided):
            asked = next((req, who) for req, who in self.constraints[key]
                         if extra in set(_pep.canonicalize_name(e) for e in req.extras))
            out.append("%s %s does not provide the extra %r (%s required by %s)" % (
                dist.name, dist.version, extra, asked[0].without_marker(), asked[1]))
        return out

    def refuse_unknown_extras(self, dists):
        """``dists``, or a ResolutionError for the first extra requested of one
        that it does not provide (pip warns and installs without it; a
        program that says it needs the extra would run without it)."""
        for dist in dists:
            problems = self.unknown_extras(dist)
            if problems:
                key = _pep.canonicalize_name(dist.name)
                req, who = self.constraints[key][0]
                raise _error("ResolutionError")(problems[0], requirement=str(req), required_by=who)
        return dists

    def search(self, chosen, constraints, queue, i):
        """Depth-first: take requirements from ``queue`` in order; a project is
        decided when first met, trying its candidates in preference order, and
        every later requirement on it is checked against that choice.  Returns
        ({key: (dist, extras)}, {key: ((req, who), ...)}) or None after
        recording why it failed."""
        chosen = dict(chosen)
        constraints = dict(constraints)
        queue = list(queue)
        while i < len(queue):
            req, who = queue[i]
            i += 1
            key = _pep.canonicalize_name(req.name)
            extras = frozenset(_pep.canonicalize_name(e) for e in req.extras)
            constraints[key] = constraints.get(key, ()) + ((req, who),)
            project = self.project(key, req.name)
            if key in chosen:
                dist, had = chosen[key]
                if not self.ok(project, dist, req):
                    self.conflicts.append((project, req, who, constraints[key]))
                    return None
                if extras - had:
                    chosen[key] = (dist, had | extras)
                    queue.extend(self.dependencies(dist, had | extras, extras - had))
                continue
            options = [d for d in project.usable if self.ok(project, d, req)]
            if not options:
                self.conflicts.append((project, req, who, constraints[key]))
                return None
            tried = False
            for dist in options:
                if not self.readable(project, dist):
                    continue
                tried = True
                self.attempts += 1
                if self.attempts > MAX_ATTEMPTS:
                    raise _error("ResolutionError")(
                        "resolution abandoned after %d attempts; last problem: %s" % (MAX_ATTEMPTS, self.failure()))
                found = self.search(_with(chosen, key, (dist, extras)), constraints,
                                    queue + self.dependencies(dist, extras), i)
                if found is not None:
                    return found
            if not tried:  # every option had unreadable requirements: say so
                self.conflicts.append((project, req, who, constraints[key]))
            return None
        return chosen, constraints

    # -- explaining choices

    def why(self, dist):
        """Why the last resolve() chose ``dist``, in one line (INDEX.md)."""
        key = _pep.canonicalize_name(dist.name)
        project = self.projects[key]
        constraints, seen = [], set()
        for req, who in self.constraints.get(key, ()):
            text = "%s (required by %s)" % (req.without_marker(), who)
            if text not in seen:  # the same requirement from the same requester
                seen.add(text)
                constraints.append((req, who))
        wanted = ", ".join("%s (required by %s)" % (r.without_marker(), w) for r, w in constraints)
        if dist.is_default:
            return "default; satisfies " + wanted
        if project.pinned is dist:
            return "side: already active in this process; satisfies " + wanted
        passed = []  # higher side versions that satisfy every requirement but were not chosen
        for side in project.sides:
            if side is dist:
                break
            reason = self.reason(project, side, constraints)
            if reason is None or not reason.startswith("does not satisfy "):
                passed.append("side %s %s" % (side.version, reason or "fits, but its own requirements conflict"))
        if passed:
            out = "side: highest usable version satisfying %s (%s)" % (wanted, "; ".join(passed))
        else:
            out = "side: highest version satisfying " + wanted
        default = project.default
        if default is None:
            return out + "; no default version"
        reason = self.reason(project, default, constraints)
        if reason is None:
            reason = "fits, but its own requirements conflict"
        elif len(constraints) == 1 and reason.startswith("does not satisfy "):
            reason = "does not"
        return "%s; default %s %s" % (out, default.version, reason)

    # -- explaining failures

    def failure(self):
        """The exception for the most telling recorded conflict: the first one
        in which every candidate is ruled out by a stated reason, else the first."""
        if not self.conflicts:
            return _error("ResolutionError")("no resolution found")
        best = self.conflicts[0]
        for conflict in self.conflicts:
            if all(self.reason(conflict[0], d, conflict[3]) for d in conflict[0].all()):
                best = conflict
                break
        project, req, who, constraints = best
        message = self.explain(project, req, who, constraints)
        if self.index_error:
            message += " (note: sidewheel " + self.index_error + ")"
        # Not found: nothing installed and usable here satisfies ``req`` even on
        # its own.  Conflict: something does, but not with the rest.
        candidates = project.usable + project.blocked
        if req.url:
            alone = bool(candidates)
        else:
            alone = bool(list(req.specifier.filter(d.parsed_version for d in candidates)))
        cls = _error("VersionConflict" if alone else "DistributionNotFound")
        return cls(message, requirement=str(req), required_by=who)

    def reason(self, project, dist, constraints):
        """Why ``dist`` cannot serve ``constraints``: a requirement it fails
        (checked first: that holds whatever the state of the process), else
        why it is unusable; None when it fits."""
        excluded = project.excluded.get(dist)
        for req, who in constraints:
            if excluded is None:
                fits = self.ok(project, dist, req)
            else:  # not among the usable versions: judge it on its own
                fits = dist.parsed_version is None or req.url or req.specifier.contains(
                    dist.parsed_version, prereleases=True)
            if not fits:
                return "does not satisfy %s required by %s" % (req, who)
        return excluded

    def explain(self, project, req, who, constraints):
        if not project.all():
            return "no version of %s is installed (%s required by %s)" % (project.name, req, who)
        parts = []
        if project.default is not None:
            reason = self.reason(project, project.default, constraints)
            parts.append("%s %s (default) %s" % (
                project.name, project.default.version,
                reason or "fits, but its own requirements conflict"))
        else:
            parts.append("%s has no default version" % project.name)
        if not project.sides:
            parts.append("no side version of %s is installed" % project.name)
        else:
            if len(constraints) == 1:
                wanted = "%s required by %s" % constraints[0]
            else:
                wanted = "all of " + ", ".join("%s (required by %s)" % c for c in constraints)
            parts.append("no side version of %s satisfies %s (%s)" % (
                project.name, wanted, "; ".join(
                    "side %s: %s" % (d.version, self.reason(project, d, constraints)
                                     or "fits, but its own requirements conflict")
                    for d in project.sides)))
        return "; ".join(parts)


def _with(mapping, key, value):
    copy = dict(mapping)
    copy[key] = value
    return copy


# ---------------------------------------------------------------------- activation


_RUNTIME_SITE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _stdlib_dirs():
    """The standard library's directories, without importing sysconfig: the
    one holding os (sys._stdlib_dir on 3.11+), its lib-dynload, and
    sysconfig's stdlib/platstdlib when something already imported it."""
    dirs = set()
    for d in (getattr(sys, "_stdlib_dir", None), os.path.dirname(getattr(os, "__file__", "") or "")):
        if d:
            dirs.add(d)
    sysconfig = sys.modules.get("sysconfig")
    if sysconfig is not None:
        try:
            paths = sysconfig.get_paths()
            dirs.update(paths[k] for k in ("stdlib", "platstdlib") if paths.get(k))
        except Exception:
            pass
    normed = set(_norm(d) for d in dirs)
    normed.update(_norm(os.path.join(d, "lib-dynload")) for d in dirs)
    return normed


def insert_position(extra_sites=()):
    """Index in sys.path where side versions go: after the standard library
    and anything before it (script dir, PYTHONPATH), before the first
    site-packages directory (site's, the user site, the one holding this
    runtime, or ``extra_sites``)."""
    stdlib = _stdlib_dirs()
    sites = set([_norm(_RUNTIME_SITE)])
    site = sys.modules.get("site")
    try:
        sites.update(_norm(p) for p in site.getsitepackages())
        if site.ENABLE_USER_SITE:
            sites.add(_norm(site.getusersitepackages()))
    except Exception:
        pass  # -S, or a site.py without these functions (old virtualenv)
    sites.update(_norm(p) for p in extra_sites)
    floor = 0
    normed = [_norm(p) if p else None for p in sys.path]
    for i, p in enumerate(normed):
        if p in stdlib:
            floor = i + 1
    for i in range(floor, len(normed)):
        if normed[i] in sites:
            return i
    return len(sys.path)


def _activate(dists):
    new = []
    for dist in dists:
        if not dist.is_default:
            for path in dist.paths:
                if path not in sys.path and path not in new:
                    new.append(path)
    if not new:
        return
    position = insert_position(os.path.dirname(d.location) for d in dists if not d.is_default)
    sys.path[position:position] = new
    for path in new:
        sys.path_importer_cache.pop(path, None)  # a stale "nothing here" entry
    _invalidate_caches()
    if sys.version_info < (3, 10):
        _dedupe_entry_points()


def _invalidate_caches():
    """What importlib.invalidate_caches() does that matters when entries are
    added to sys.path (and no file is created): other meta path finders'
    caches, namespace packages' paths, importlib.metadata's path cache if it
    is loaded.  Not PathFinder's own pass, which makes every directory be
    listed again and, on 3.13+, imports importlib.metadata (tens of ms)."""
    external = sys.modules.get("_frozen_importlib_external")
    path_finder = getattr(external, "PathFinder", None)
    if path_finder is None:  # not CPython's import system: the plain way
        import importlib

        importlib.invalidate_caches()
        return
    for finder in list(sys.meta_path):
        if finder is not path_finder and hasattr(finder, "invalidate_caches"):
            finder.invalidate_caches()
    namespace_path = getattr(external, "_NamespacePath", None)
    if hasattr(namespace_path, "_epoch"):
        namespace_path._epoch += 1
    # PathFinder.invalidate_caches() does this on 3.13+ (a classmethod only there).
    metadata = sys.modules.get("importlib.metadata")
    if sys.version_info >= (3, 13) and hasattr(metadata, "MetadataPathFinder"):
        metadata.MetadataPathFinder.invalidate_caches()


def _dedupe_entry_points():
    """Python 3.8/3.9's importlib.metadata.entry_points() returns the entry
    points of every distribution on sys.path, so an activated side version's
    and the default's would both show.  Make it keep the first distribution of
    each name, as 3.10+ does (the side version precedes site-packages): now
    if importlib.metadata is loaded, else when it is (importing it here would
    cost more than the whole activation)."""
    md = sys.modules.get("importlib.metadata")
    if md is not None:
        _patch_entry_points(md)
    elif not any(isinstance(f, _PatchMetadataOnImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _PatchMetadataOnImport())


class _PatchMetadataOnImport(object):
    """Meta path finder waiting for ``import importlib.metadata``: it imports
    it the usual way (nested), patches it, and hands the import system the
    module already executed (as the start-up hook does, _hook._reuse_spec)."""

    def find_spec(self, name, path=None, target=None):
        if name != "importlib.metadata":
            return None
        # Rebind rather than remove(): the import system is iterating the list.
        sys.meta_path = [f for f in sys.meta_path if f is not self]
        import importlib.metadata as md

        _patch_entry_points(md)
        return _hook._reuse_spec(sys.modules.pop(name))


def _patch_entry_points(md):
    if getattr(md.entry_points, "_sidewheel", False):
        return
    import itertools

    def entry_points():
        seen = set()
        eps = []
        for dist in md.distributions():
            name = dist.metadata["Name"]
            key = _pep.canonicalize_name(name) if name else None
            if key is not None:
                if key in seen:
                    continue
                seen.add(key)
            eps.extend(dist.entry_points)
        by_group = lambda ep: ep.group  # noqa: E731
        return {group: tuple(group_eps)
                for group, group_eps in itertools.groupby(sorted(eps, key=by_group), by_group)}

    entry_points._sidewheel = True
    entry_points.__doc__ = md.entry_points.__doc__
    md.entry_points = entry_points
