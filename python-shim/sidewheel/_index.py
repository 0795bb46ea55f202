"""The index of side versions, ``<purelib>/sidewheel/index.json`` (INDEX.md
section 2), read the cheap way when it is in the CLI's compact form: only
the projects a resolution reaches are decoded and parsed."""

import os

from ._distribution import Distribution
from ._json_scan import loads, scan
from ._version import canonicalize_name

INDEX_NAME = "index.json"
INDEX_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), INDEX_NAME)
INDEX_FORMAT, INDEX_VERSION = "sidewheel-index", 1

_index_cache = {}  # path -> ((mtime_ns, size), Index)

# How the CLI writes the index (JSON.stringify, no spaces): in that form a
# project's entry is found by its key and parsed alone.
_COMPACT_PREFIX = b'{"format":"sidewheel-index","version":1,"projects":{'
_JSON_WS_BYTES = b" \t\n\r"
_PROJECT_START = b'":{"name":'
# `:{"` cannot occur inside a JSON string (its quote would be escaped): each
# occurrence after the prefix opens an object that is the value of a key.
_KEYED_OBJECT = b':{"'


def load_index(path=INDEX_PATH):
    """Return (projects, error): projects maps a normalized name to its display
    name and side Distributions (highest first); error is a one-line reason
    when the index is unreadable (then projects is empty).  A missing index is
    simply empty: no side version was ever installed.  Reads the whole index."""
    index = load(path)
    return index.all(), index.error


def load(path=INDEX_PATH):
    """The Index of ``path``, cached while its mtime and size stay the same."""
    try:
        st = os.stat(path)
    except OSError:
        return Index(path, None)
    stamp = (st.st_mtime_ns, st.st_size)
    cached = _index_cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        index = Index(path, None, _unreadable(path, exc))
    else:
        index = Index(path, data)
    _index_cache[path] = (stamp, index)
    return index


def _unreadable(path, exc):
    return "index %s is unreadable (%s: %s)" % (path, type(exc).__name__, " ".join(str(exc).split())[:300])


class Index(object):
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
        if data.startswith(_COMPACT_PREFIX) and (
                body.endswith(b"]}}}") or data.rstrip(_JSON_WS_BYTES) == _COMPACT_PREFIX + b"}}"):
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
                self.spans = project_spans(self.data)
            span = self.spans.get(key.encode("utf-8"))
            found = None
            if span is not None:
                found = _project(key, _scan_project(self.data, span))
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
            data = loads(data.decode("utf-8"))
            if not isinstance(data, dict) or data.get("format") != INDEX_FORMAT:
                raise ValueError("not a sidewheel index")
            if data.get("version") != INDEX_VERSION:
                raise ValueError("index version %r, this runtime reads %d" % (data.get("version"), INDEX_VERSION))
            projects = {}
            for key, project in data["projects"].items():
                projects[canonicalize_name(key)] = _project(key, project)
        except Exception as exc:  # UnicodeDecodeError, ValueError, a wrong shape: all unreadable
            self.projects, self.error = {}, _unreadable(self.path, exc)
        else:
            # Keep the Distributions already handed out for the same projects.
            projects.update((k, v) for k, v in self.projects.items() if v is not None and k in projects)
            self.projects = projects


class NotCompact(ValueError):
    """The bytes are not laid out as the CLI writes the index."""


def project_spans(data):
    """{key (bytes): (start, end)} of every project's value in the compact form, in
    one pass (``end`` is where the next key starts: the scanner stops before).
    ``"<key>":{"name":`` cannot occur inside a JSON string (its quotes would
    be escaped), and after the prefix only the projects object has keys whose
    value is an object starting with "name".  Verified: every object that is a
    key's value must be one of those projects (a project whose first key is
    not "name", or an object the CLI never writes, raises NotCompact)."""
    spans = {}
    previous = None
    found = 0
    at = data.find(_PROJECT_START, len(_COMPACT_PREFIX))
    while at >= 0:
        found += 1
        quote = data.rfind(b'"', 0, at)
        if previous is not None:
            spans[previous[0]] = (previous[1], quote)
        previous = (data[quote + 1:at], at + 2)
        at = data.find(_PROJECT_START, at + 10)
    if previous is not None:
        spans[previous[0]] = (previous[1], len(data))
    if data.count(_KEYED_OBJECT, len(_COMPACT_PREFIX)) != found:
        raise NotCompact("an object that is not a project starting with its name")
    return spans  # a key met twice: the last one wins, as in json.loads


def _scan_project(data, span):
    """The project object at ``span``, checked to fill it: what follows is
    the comma before the next key, or the end of the projects and the whole."""
    text = data[span[0]:span[1]].decode("utf-8")
    value, end = scan(text, 0)
    if text[end:].rstrip(" \t\n\r") not in (",", "}}"):
        raise NotCompact("a project's value does not end where the next key starts")
    return value


def _project(key, project):
    """(display name, side Distributions) from one project's index entry;
    raises when a side entry lacks its version or location, or holds a value
    of the wrong type (it would end up on sys.path or in a message)."""
    name = project.get("name") or key
    if not isinstance(name, str):
        raise ValueError("project %s with a non-string name" % key)
    sides = []
    for e in project.get("side", ()):
        version, location = e["version"], e["location"]
        if not isinstance(version, str) or not isinstance(location, str):
            raise ValueError("side entry of %s with a non-string version or location" % key)
        dist_info, requires_python, format = e.get("dist_info"), e.get("requires_python"), e.get("format", "directory")
        if not all(v is None or isinstance(v, str) for v in (dist_info, requires_python, format)):
            raise ValueError("side entry of %s %s with a non-string field" % (key, version))
        sides.append(Distribution(
            name, version, location, False,
            paths=_strings(e, "paths") or [location],
            dist_info=os.path.join(location, dist_info) if dist_info else None,
            requires=_strings(e, "requires_dist"),
            requires_python=requires_python,
            format=format,
            top_level=_strings(e, "top_level"),
            provides_extra=_strings(e, "provides_extra")))
    return name, sides


def _strings(entry, field):
    value = entry.get(field) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("side entry field %s is not a list of strings" % field)
    return value
