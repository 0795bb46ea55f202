"""Default versions: what is installed along sys.path, found the way
importlib.metadata finds it, and the ``.dist-info`` directories of a site
directory (what ``python -m sidewheel list`` shows)."""

import os
import sys

from ._distribution import installed
from ._version import canonicalize_name


def finder_listing(entry, directory):
    """The names in ``directory`` as the import system's FileFinder for the
    sys.path ``entry`` last listed them, while the directory's mtime is the
    one it saw (the finder's own rule), else None.  A CPython internal
    (``_path_cache``, ``_path_mtime``): listdir() is the fallback, with the
    same answer (test_fast_paths compares them)."""
    finder = sys.path_importer_cache.get(entry)
    cached = getattr(finder, "_path_cache", None)
    if not isinstance(cached, set):
        return None
    try:
        if getattr(finder, "_path_mtime", None) == os.stat(directory).st_mtime:
            return cached
    except OSError:
        pass
    return None


def listdir(entry, directory, cached=finder_listing):
    """The names in ``directory`` (a set), or None when it cannot be listed."""
    names = cached(entry, directory) if cached is not None else None
    if names is not None:
        return names
    try:
        return set(os.listdir(directory))
    except OSError:
        return None


def dist_infos(names):
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


def site_defaults(directory):
    """Every ``*.dist-info`` directory directly in ``directory`` (any case,
    with or without METADATA), as default Distributions, in name order."""
    names = listdir(None, directory, cached=None) or ()
    return [installed(directory, n) for n in dist_infos(names)
            if os.path.isdir(os.path.join(directory, n))]


class Defaults(object):
    """Default versions: the first ``*.dist-info`` of each project along
    sys.path (what importlib.metadata.version() finds), skipping entries that
    belong to active side versions.  One listing per sys.path entry, done when
    the first project is looked up; METADATA is read only for projects needed."""

    def __init__(self, skip, cached=finder_listing):
        self.skip = skip
        self.cached = cached
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
        """The default Distribution of project ``key`` (normalized), or None."""
        if self.found is None:
            self.found = {}
            for entry in sys.path:
                if not isinstance(entry, str) or entry in self.skip:
                    continue
                directory = entry or "."
                names = listdir(entry, directory, self.cached)
                if names is None:  # missing, not a directory (zip), unreadable
                    continue
                if entry:
                    self.listed[entry] = names
                for n in dist_infos(names):
                    self.found.setdefault(canonicalize_name(n[:-10].partition("-")[0]), (directory, n))
        hit = self.found.get(key)
        return None if hit is None else installed(*hit)
