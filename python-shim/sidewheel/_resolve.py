"""The public API: resolve(), explain(), require(), and what the start-up
hook calls for SIDEWHEEL_REQUIRES and ``__main__.__requires__`` (INDEX.md).

Loaded only when something is actually required, never at plain interpreter
start.  An activation is budgeted at a few milliseconds, so it avoids what
would cost more than the work itself: ``re`` (about as expensive to import as
the whole activation; the plainest requirements are parsed without it,
Requirement.parse), the ``json`` package (which imports ``re``; _json_scan),
``sysconfig``, ``importlib.metadata`` (``importlib.invalidate_caches()``
imports it on 3.13+) and parsing the whole index (a project's entry is
looked up in the CLI's compact index text and parsed alone, _index).
"""

import _thread

from ._activate import activate
from ._distribution import Distribution
from ._errors import ResolutionError
from ._explain import clip
from ._pep import InvalidRequirement, Requirement
from ._search import Resolver

__all__ = ["Distribution", "explain", "require", "resolve"]

_lock = _thread.RLock()  # one activation at a time: sys.path is shared state


def resolve(requirements, _by="resolve()"):
    """Return the distributions that satisfy ``requirements`` (a string, one
    requirement a line, or an iterable of them) with their dependencies,
    without activating anything.  Raises ResolutionError."""
    return _run(requirements, _by, lambda resolver, dists: resolver.refuse_unknown_extras(dists))


def explain(requirements, _by="resolve()"):
    """Like resolve(), but return (Distribution, reason) pairs: why each
    version was chosen, one line (format in INDEX.md); an extra a version
    does not provide is a warning at the end of its reason, not a failure."""
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
        raise ResolutionError(
            "__main__.__requires__ must be a string or a list of strings, not %s" % type(value).__name__)
    _run(value, "__main__.__requires__", _activated)


def _activated(resolver, dists):
    activate(resolver.refuse_unknown_extras(dists))
    return dists


def _run(requirements, who, then):
    """Parse, resolve, then ``then(resolver, dists)``, one at a time.  Every
    failure is a ResolutionError, alone (no chained context): a bug here or
    in _pep too, so that ``except ResolutionError`` and the one-line report
    of ``__requires__`` hold whatever went wrong."""
    with _lock:
        try:
            resolver = Resolver()
            return then(resolver, resolver.resolve(_parse(requirements, who)))
        except Exception as exc:
            if not isinstance(exc, ResolutionError):
                exc = ResolutionError("cannot honour the requirements from %s: %s: %s" % (
                    who, type(exc).__name__, clip(str(exc))))
            raise exc from None


def _is_string_list(value):
    return isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)


def _parse(requirements, who):
    """Flatten strings (one requirement a line, # comments) and lists or
    tuples of them, nested to any depth, into (Requirement, who) pairs; bad
    input is a ResolutionError."""
    lines = []
    pending = [requirements]
    while pending:  # a stack, not recursion: nesting depth is the caller's
        item = pending.pop()
        if isinstance(item, str):
            lines.extend(item.splitlines())
        elif isinstance(item, (list, tuple)):
            pending.extend(reversed(item))
        else:
            raise ResolutionError("requirements must be strings, not %s (from %s)" % (type(item).__name__, who))
    parsed = []
    for line in lines:
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        try:
            parsed.append((Requirement.parse(line), who))
        except InvalidRequirement as exc:
            raise ResolutionError("invalid requirement %s from %s: %s" % (clip(repr(line), 200), who, clip(str(exc))),
                                  requirement=line, required_by=who) from None
    return parsed
