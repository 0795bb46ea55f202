"""Resolution and activation of side versions (see INDEX.md for the rules).

Loaded only when something is actually required, never at plain interpreter
start: this is where json, the PEP 440/508 code and importlib come in.
"""

import _thread
import os
import sys

from . import _hook, _pep
from ._errors import DistributionNotFound, ResolutionError, VersionConflict

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
                 requires=(), requires_python=None, format="installed", top_level=()):
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
    with _lock:
        return _Resolver().resolve(_parse(requirements, _by))


def require(*requirements):
    """Resolve and activate; return the distributions now active for
    ``requirements`` (dependencies included).  Raises ResolutionError."""
    with _lock:
        dists = _Resolver().resolve(_parse(requirements, "require()"))
        _activate(dists)
        return dists


def require_text(text, who):
    """Activation for the start-up hook (SIDEWHEEL_REQUIRES)."""
    with _lock:
        _activate(_Resolver().resolve(_parse(text, who)))


def require_main(value):
    """Activation for ``__main__.__requires__``; always raises ResolutionError,
    whatever went wrong, because it surfaces from an import statement."""
    try:
        if not isinstance(value, str) and not _is_string_list(value):
            raise ResolutionError(
                "__main__.__requires__ must be a string or a list of strings, not %s"
                % type(value).__name__)
        require_text(value, "__main__.__requires__")
    except ResolutionError:
        raise
    except Exception as exc:
        raise ResolutionError("cannot honour __main__.__requires__: %s: %s"
                              % (type(exc).__name__, exc))


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
            raise ResolutionError("requirements must be strings, not %s (from %s)"
                                  % (type(item).__name__, who))

    add(requirements)
    parsed = []
    for line in lines:
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        try:
            parsed.append((_pep.Requirement(line), who))
        except _pep.InvalidRequirement as exc:
            raise ResolutionError("invalid requirement %r from %s: %s" % (line, who, exc),
                                  requirement=line, required_by=who)
    return parsed


# ----------------------------------------------------------------- index, defaults

_index_cache = {}  # path -> ((mtime_ns, size), projects, error)


def load_index(path=INDEX_PATH):
    """Return (projects, error): projects maps a normalized name to its display
    name and side Distributions (highest first); error is a one-line reason
    when the index is unreadable (then projects is empty).  A missing index is
    simply empty: no side version was ever installed."""
    try:
        st = os.stat(path)
    except OSError:
        return {}, None
    stamp = (st.st_mtime_ns, st.st_size)
    cached = _index_cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1], cached[2]
    try:
        import json

        with open(path, "rb") as f:
            data = json.loads(f.read().decode("utf-8"))
        projects = _read_index(data)
        error = None
    except Exception as exc:  # OSError, ValueError, a wrong shape: all unreadable
        projects, error = {}, "index %s is unreadable (%s: %s)" % (path, type(exc).__name__, exc)
    _index_cache[path] = (stamp, projects, error)
    return projects, error


def _read_index(data):
    if not isinstance(data, dict) or data.get("format") != INDEX_FORMAT:
        raise ValueError("not a sidewheel index")
    if data.get("version") != INDEX_VERSION:
        raise ValueError("index version %r, this runtime reads %d" % (data.get("version"), INDEX_VERSION))
    projects = {}
    for key, project in data["projects"].items():
        name = project.get("name") or key
        sides = []
        for e in project.get("side", ()):
            location = e["location"]
            sides.append(Distribution(
                name, e["version"], location, False,
                paths=e.get("paths") or [location],
                dist_info=os.path.join(location, e["dist_info"]) if e.get("dist_info") else None,
                requires=e.get("requires_dist") or (),
                requires_python=e.get("requires_python"),
                format=e.get("format", "directory"),
                top_level=e.get("top_level") or ()))
        projects[_pep.canonicalize_name(key)] = (name, sides)
    return projects


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


class _Defaults(object):
    """Default versions: the first ``*.dist-info`` of each project along
    sys.path (what importlib.metadata.version() finds), skipping entries that
    belong to active side versions.  One listdir per sys.path entry, done when
    the first project is looked up; METADATA is read only for projects needed."""

    def __init__(self, skip):
        self.skip = skip
        self.found = None

    def get(self, key):
        if self.found is None:
            self.found = {}
            for entry in sys.path:
                directory = entry or "."
                if entry in self.skip:
                    continue
                try:
                    names = os.listdir(directory)
                except OSError:  # missing, not a directory (zip), unreadable
                    continue
                for n in names:
                    if n[-10:].lower() == ".dist-info":
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
            requires=meta.get("requires-dist", ()))


# ------------------------------------------------------------------------ resolver


def _under(path, directory):
    """Both already _norm()ed."""
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


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

    def all(self):
        return ([self.default] if self.default is not None else []) + self.sides


class _Resolver(object):
    def __init__(self):
        self.index, self.index_error = load_index()
        self.active = set(sys.path)
        skip = set()
        for _, sides in self.index.values():
            for side in sides:
                if side.paths and side.paths[0] in self.active:
                    skip.update(side.paths)
        self.defaults = _Defaults(skip)
        self.projects = {}
        self.conflicts = []
        self.attempts = 0
        self.position = insert_position(
            [os.path.dirname(s.location) for _, sides in self.index.values() for s in sides])
        self.early = [_norm(p) for p in sys.path[:self.position] if p]
        self.startup = _hook.startup_modules or frozenset()
        self.python = _python_version()
        self.parsed = {}   # id(Distribution) -> its parsed Requires-Dist
        self.markers = {}  # (marker text, extra) -> bool

    # -- candidates

    def project(self, key, display):
        project = self.projects.get(key)
        if project is not None:
            return project
        name, sides = self.index.get(key, (display, []))
        sides = sorted((d for d in sides if d.parsed_version is not None),
                       key=lambda d: d.parsed_version, reverse=True) + [
            d for d in sides if d.parsed_version is None]
        default = self.defaults.get(key)
        project = _Project(key, default.name if default is not None else name, default, sides)
        active = [s for s in sides if s.paths and s.paths[0] in self.active]
        if active:
            # Already on sys.path (activated earlier): it is the only choice.
            pinned = min(active, key=lambda s: sys.path.index(s.paths[0]))
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
        if not os.path.exists(dist.location):
            return "is missing on disk (%s)" % dist.location, False
        if dist.requires_python:
            try:
                spec = _pep.SpecifierSet(dist.requires_python)
                if not spec.contains(self.python, prereleases=True):
                    return "requires Python %s" % dist.requires_python, False
            except _pep.InvalidSpecifier:
                return "has an invalid Requires-Python %r" % dist.requires_python, False
        kept = []
        for name in dist.top_level:
            module = sys.modules.get(name)
            path = getattr(module, "__file__", None)
            if not isinstance(path, str):
                continue  # not loaded, namespace package, built-in: nothing to clash with
            path = _norm(path)
            if _under(path, _norm(dist.location)):
                continue
            if any(_under(path, e) for e in self.early):
                continue  # loaded from before site-packages: activation changes nothing
            if name in self.startup:
                kept.append(name)  # start-up helper: stays as it is (INDEX.md)
                continue
            return "cannot be activated: module %r is already imported from %s" % (
                name, module.__file__), True
        dist.kept_modules = kept
        return None, False

    def allowed(self, project, req):
        """Usable versions of ``project`` that ``req`` admits, pre-releases as
        SpecifierSet.filter decides over the usable versions."""
        if req.url:
            return set(d.parsed_version for d in project.usable)
        key = str(req.specifier)
        allowed = project.allowed_cache.get(key)
        if allowed is None:
            versions = [d.parsed_version for d in project.usable]
            allowed = project.allowed_cache[key] = set(req.specifier.filter(versions))
        return allowed

    def ok(self, project, dist, req):
        return dist in project.usable and dist.parsed_version in self.allowed(project, req)

    def dependencies(self, dist, extras, new_only=()):
        """(Requirement, who) for Requires-Dist lines whose markers hold for
        this interpreter with one of ``extras`` ('' = no extra); with
        ``new_only``, just those that hold for one of these extras only."""
        parsed = self.parsed.get(id(dist))
        if parsed is None:
            parsed = []
            for line in dist.requires:
                try:
                    parsed.append(_pep.Requirement(line))
                except _pep.InvalidRequirement:
                    pass  # a broken line in someone's METADATA cannot be followed
            self.parsed[id(dist)] = parsed
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

    def marker(self, req, extra):
        key = (str(req.marker), extra)
        value = self.markers.get(key)
        if value is None:
            try:
                value = req.marker.evaluate({"extra": extra})
            except ValueError as exc:  # all _pep errors are ValueErrors
                raise ResolutionError("cannot evaluate the marker of %s: %s" % (req, exc))
            self.markers[key] = value
        return value

    # -- search

    def resolve(self, roots):
        roots = [(r, who) for r, who in roots if r.marker is None or self.marker(r, "")]
        chosen = self.search({}, {}, roots, 0)
        if chosen is None:
            raise self.failure()
        return [dist for dist, _ in chosen.values()]

    def search(self, chosen, constraints, queue, i):
        """Depth-first: take requirements from ``queue`` in order; a project is
        decided when first met, trying its candidates in preference order, and
        every later requirement on it is checked against that choice.  Returns
        {key: (dist, extras)} or None after recording why it failed."""
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
            for dist in options:
                self.attempts += 1
                if self.attempts > MAX_ATTEMPTS:
                    raise ResolutionError("resolution abandoned after %d attempts; last problem: %s"
                                          % (MAX_ATTEMPTS, self.failure()))
                found = self.search(_with(chosen, key, (dist, extras)), constraints,
                                    queue + self.dependencies(dist, extras), i)
                if found is not None:
                    return found
            return None
        return chosen

    # -- explaining failures

    def failure(self):
        """The exception for the most telling recorded conflict: the first one
        in which every candidate is ruled out by a stated reason, else the first."""
        if not self.conflicts:
            return ResolutionError("no resolution found")
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
        cls = VersionConflict if alone else DistributionNotFound
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


def insert_position(extra_sites=()):
    """Index in sys.path where side versions go: after the standard library
    and anything before it (script dir, PYTHONPATH), before the first
    site-packages directory."""
    import sysconfig

    paths = sysconfig.get_paths()
    stdlib = set(_norm(paths[k]) for k in ("stdlib", "platstdlib") if paths.get(k))
    stdlib.update(_norm(os.path.join(p, "lib-dynload")) for p in list(stdlib))
    sites = set(_norm(paths[k]) for k in ("purelib", "platlib") if paths.get(k))
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
    import importlib

    importlib.invalidate_caches()
    if sys.version_info < (3, 10):
        _dedupe_entry_points()


def _dedupe_entry_points():
    """Python 3.8/3.9's importlib.metadata.entry_points() returns the entry
    points of every distribution on sys.path, so an activated side version's
    and the default's would both show.  Make it keep the first distribution of
    each name, as 3.10+ does (the side version precedes site-packages)."""
    import importlib.metadata as md

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
