"""The search: candidates for each project (the default, then side versions
highest first), which of them are usable, and a depth-first search with
backtracking over them (INDEX.md section 4)."""

import os
import sys

from . import _hook
from ._activate import insert_position, norm
from ._errors import ResolutionError
from ._explain import Explanations, clip, unchain
from ._index import load
from ._installed import Defaults
from ._pep import InvalidRequirement, Requirement
from ._specifiers import InvalidSpecifier, SpecifierSet, plain_specifier_set
from ._version import canonicalize_name

# A resolution that needs more candidate attempts than this is abandoned
# (backtracking is exponential in the worst case; real graphs need a handful).
MAX_ATTEMPTS = 10000


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
    return norm(entry)


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


class Resolver(Explanations):
    def __init__(self):
        self.index = load()
        self.active = set(sys.path)
        self.defaults = Defaults(self.active_side_paths())
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
            key = canonicalize_name(os.path.basename(entry).partition("-")[0])
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
            self._early = set(norm(p or ".") for p in sys.path[:insert_position()] if isinstance(p, str))
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
                    spec = plain_specifier_set(dist.requires_python) or SpecifierSet(dist.requires_python)
                    fits = self.python_fits[dist.requires_python] = spec.contains(
                        self.python, prereleases=True)
                if not fits:
                    return "requires Python %s" % dist.requires_python, False
            except InvalidSpecifier:
                return "has an invalid Requires-Python %r" % dist.requires_python, False
        kept = []
        own = None
        for name in dist.top_level:
            module = sys.modules.get(name)
            entry = _entry_of(module)
            if entry is None:
                continue  # not loaded, namespace package, built-in: nothing to clash with
            if own is None:
                own = set(norm(p) for p in dist.paths)
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
            if req.marker is not None and not req.marker.depends_on("extra"):
                # The same answer for every extra: once, not once per extra
                # (a request may name thousands).
                holds = lambda extras: self.marker(req, "")  # noqa: E731
            else:
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
                    parsed.append(Requirement.parse(line))
                except InvalidRequirement as exc:
                    project.usable.remove(dist)
                    project.excluded[dist] = "has an invalid Requires-Dist %s (%s)" % (
                        clip(repr(line), 200), clip(str(exc), 200))
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
                raise ResolutionError("cannot evaluate the marker of %s: %s" % (req, exc))
            self.markers[key] = value
        return value

    # -- search

    def resolve(self, roots):
        roots = [(r, who) for r, who in roots if r.marker is None or self.marker(r, "")]
        found = self.search({}, {}, roots, 0)
        if found is None:
            raise self.failure()
        chosen, constraints = found
        self.constraints = dict((key, unchain(chain)) for key, chain in constraints.items())
        self.chosen = chosen
        return [dist for dist, _ in chosen.values()]

    def search(self, chosen, constraints, queue, i):
        """Depth-first: take requirements from ``queue`` in order; a project is
        decided when first met, trying its candidates in preference order, and
        every later requirement on it is checked against that choice.  Returns
        ({key: (dist, extras)}, {key: chain of (req, who)}) or None after
        recording why it failed (a chain: see unchain)."""
        chosen = dict(chosen)
        constraints = dict(constraints)
        queue = list(queue)
        while i < len(queue):
            req, who = queue[i]
            i += 1
            key = canonicalize_name(req.name)
            extras = frozenset(canonicalize_name(e) for e in req.extras)
            # A chain (item, previous): adding is O(1), however many requirements
            # name the project; each branch of the search keeps its own head.
            constraints[key] = ((req, who), constraints.get(key))
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
                    raise ResolutionError(
                        "resolution abandoned after %d attempts; last problem: %s" % (MAX_ATTEMPTS, self.failure()))
                found = self.search(_with(chosen, key, (dist, extras)), constraints,
                                    queue + self.dependencies(dist, extras), i)
                if found is not None:
                    return found
            if not tried:  # every option had unreadable requirements: say so
                self.conflicts.append((project, req, who, constraints[key]))
            return None
        return chosen, constraints

def _with(mapping, key, value):
    copy = dict(mapping)
    copy[key] = value
    return copy


