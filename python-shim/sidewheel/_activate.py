"""Activation: the selected side versions' entries go onto sys.path, and the
caches that would hide them are refreshed (INDEX.md section 5)."""

import os
import sys

from . import _hook
from ._version import canonicalize_name


def norm(path):
    """A path compared as the import system would meet it: absolute, case-normalized."""
    return os.path.normcase(os.path.abspath(path))


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
    normed = set(norm(d) for d in dirs)
    normed.update(norm(os.path.join(d, "lib-dynload")) for d in dirs)
    return normed


def insert_position(extra_sites=()):
    """Index in sys.path where side versions go: after the standard library
    and anything before it (script dir, PYTHONPATH), before the first
    site-packages directory (site's, the user site, the one holding this
    runtime, or ``extra_sites``)."""
    stdlib = _stdlib_dirs()
    sites = set([norm(_RUNTIME_SITE)])
    site = sys.modules.get("site")
    try:
        sites.update(norm(p) for p in site.getsitepackages())
        if site.ENABLE_USER_SITE:
            sites.add(norm(site.getusersitepackages()))
    except Exception:
        pass  # -S, or a site.py without these functions (old virtualenv)
    sites.update(norm(p) for p in extra_sites)
    floor = 0
    normed = [norm(p) if p else None for p in sys.path]
    for i, p in enumerate(normed):
        if p in stdlib:
            floor = i + 1
    for i in range(floor, len(normed)):
        if normed[i] in sites:
            return i
    return len(sys.path)


def activate(dists):
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
    refresh_namespace_paths(external)
    # PathFinder.invalidate_caches() does this on 3.13+ (a classmethod only there).
    metadata = sys.modules.get("importlib.metadata")
    if sys.version_info >= (3, 13) and hasattr(metadata, "MetadataPathFinder"):
        metadata.MetadataPathFinder.invalidate_caches()


def refresh_namespace_paths(external):
    """Make namespace packages recompute their ``__path__`` on next use.  On
    3.9+ bumping ``_NamespacePath._epoch`` (a CPython internal) does it; a
    ``_NamespacePath`` also recomputes whenever its parent path changed, and
    a top-level one's parent path is sys.path, which activation just changed:
    so where there is no epoch (3.8, or an interpreter that dropped it) the
    answer is the same (test_fast_paths checks both ways)."""
    namespace_path = getattr(external, "_NamespacePath", None)
    if isinstance(getattr(namespace_path, "_epoch", None), int):
        namespace_path._epoch += 1


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
            key = canonicalize_name(name) if name else None
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
