"""Why: the one-line reason each chosen version was chosen (``sidewheel
resolve``), the message of a failed resolution, and extras a chosen version
does not provide (INDEX.md section 4)."""

from ._errors import DistributionNotFound, ResolutionError, VersionConflict
from ._version import canonicalize_name


def unchain(chain):
    """The items of a chain ``(item, previous chain or None)``, oldest first."""
    items = []
    while chain is not None:
        items.append(chain[0])
        chain = chain[1]
    items.reverse()
    return tuple(items)


def clip(text, limit=500):
    """One line of at most ``limit`` characters (input may be megabytes long)."""
    text = " ".join(text[:4 * limit].split())
    return text if len(text) <= limit else text[:limit] + "..."


class Explanations(object):
    """What the search (search.Resolver) says about its result and its
    failures; reads its ``projects``, ``constraints``, ``chosen``,
    ``conflicts`` and ``index_error``."""

    def why(self, dist):
        """Why the last resolve() chose ``dist``, in one line (INDEX.md)."""
        key = canonicalize_name(dist.name)
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

    def failure(self):
        """The exception for the most telling recorded conflict: the first one
        in which every candidate is ruled out by a stated reason, else the first."""
        if not self.conflicts:
            return ResolutionError("no resolution found")
        best = None
        for project, req, who, chain in self.conflicts:
            conflict = (project, req, who, unchain(chain))
            if best is None:
                best = conflict
            if all(self.reason(project, d, conflict[3]) for d in project.all()):
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
        cls = (VersionConflict if alone else DistributionNotFound)
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


    def unknown_extras(self, dist):
        """One line per extra requested of ``dist`` in the last solution that
        it does not provide (its Provides-Extra, names PEP 685 normalized),
        as pip words its warning, with who asked."""
        key = canonicalize_name(dist.name)
        requested = self.chosen[key][1]
        if not requested:
            return []
        missing = sorted(requested - set(canonicalize_name(e) for e in dist.provides_extra))
        asked = {}
        for req, who in self.constraints[key]:
            for extra in req.extras:
                asked.setdefault(canonicalize_name(extra), (req, who))
        out = ["%s %s does not provide the extra %r (%s required by %s)" % (
            dist.name, dist.version, clip(extra, 100), clip(asked[extra][0].without_marker(), 200), asked[extra][1])
            for extra in missing[:3]]
        if len(missing) > 3:
            out.append("%s %s does not provide %d more of the extras requested" % (
                dist.name, dist.version, len(missing) - 3))
        return out

    def refuse_unknown_extras(self, dists):
        """``dists``, or a ResolutionError for the first extra requested of one
        that it does not provide (pip warns and installs without it; a
        program that says it needs the extra would run without it)."""
        for dist in dists:
            problems = self.unknown_extras(dist)
            if problems:
                key = canonicalize_name(dist.name)
                req, who = self.constraints[key][0]
                raise ResolutionError(problems[0], requirement=str(req), required_by=who)
        return dists
