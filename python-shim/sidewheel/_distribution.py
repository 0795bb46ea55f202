"""What the runtime knows of one installed version of a project, and how it
reads a ``.dist-info`` (the few METADATA headers it needs)."""

import os

from ._version import InvalidVersion, Version


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
            self.parsed_version = Version(version)
        except InvalidVersion:
            self.parsed_version = None

    def __repr__(self):
        kind = "default" if self.is_default else "side, " + self.format
        return "<Distribution %s %s (%s) at %s>" % (self.name, self.version, kind, self.location)


def installed(directory, dist_info_name):
    """The default Distribution of ``<directory>/<dist_info_name>``: name and
    version from its METADATA, else from the directory name split at the
    first ``-`` (no METADATA, unreadable, or without those headers)."""
    dist_info = os.path.join(directory, dist_info_name)
    try:
        meta = read_metadata(os.path.join(dist_info, "METADATA"))
    except (OSError, ValueError):
        meta = {}
    stem_name, _, stem_version = dist_info_name[:-10].partition("-")
    return Distribution(
        (meta.get("name") or [stem_name])[0],
        (meta.get("version") or [stem_version])[0],
        os.path.abspath(directory), True, dist_info=dist_info,
        requires=meta.get("requires-dist", ()), provides_extra=meta.get("provides-extra", ()))


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
