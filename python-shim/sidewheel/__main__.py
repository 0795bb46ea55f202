"""python -m sidewheel list [--json]
python -m sidewheel resolve [--json] REQUIREMENT...
python -m sidewheel --version

``list`` prints exactly what the CLI's ``sidewheel list`` prints (format in
INDEX.md; the CLI runs this very code, shipped with it, in the target
interpreter); ``resolve`` prints the distributions the runtime would activate
for the requirements, in the same row format plus why each was chosen,
without activating them (what the CLI's ``sidewheel resolve`` prints).

``list`` reads the environment of the interpreter running it (its default
scheme's purelib and platlib, and the index in purelib), whichever copy of
the runtime runs it, and works on Python 3.6+ (defaults only there: side
versions need 3.8+).
"""

import os
import sys

USAGE = "usage: python -m sidewheel list [--json] | resolve [--json] REQUIREMENT... | --version"
COLUMNS = ("name", "version", "default", "format", "path")


def scheme_dirs():
    """purelib then platlib of the interpreter's default install scheme, once each."""
    import sysconfig

    paths = sysconfig.get_paths()
    dirs = []
    for key in ("purelib", "platlib"):
        if paths.get(key) and paths[key] not in dirs:
            dirs.append(paths[key])
    return dirs


def default_rows(dirs):
    from ._installed import site_defaults

    return [row(d.name, d.version, True, d.dist_info, "installed") for directory in dirs
            for d in site_defaults(directory)]


def side_rows(projects):
    return [row(name, d.version, False, d.location, d.format)
            for name, sides in projects.values() for d in sides]


def unindexed_side_rows(dirs, projects):
    """Side versions on disk that the index does not list (the runtime was
    removed, or the index lost): named by their wheel file name, so that they
    can still be seen and uninstalled."""
    indexed = set(d.location for _, sides in projects.values() for d in sides)
    rows = []
    for directory in dirs:
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        for n in names:
            parts = n[:-4].split("-") if n.endswith(".whl") else ()
            location = os.path.join(directory, n)
            if len(parts) in (5, 6) and location not in indexed:
                kind = "directory" if os.path.isdir(location) else "zip"
                rows.append(row(parts[0], parts[1], False, location, kind))
    return rows


def row(name, version, default, path, format):
    return {"name": name, "version": version, "default": default, "path": path, "format": format}


def sort_rows(rows):
    """By normalized name, the default first, then version descending
    (versions that are not PEP 440 after the others), then path."""
    from ._version import InvalidVersion, Version, canonicalize_name

    def version_key(r):
        try:
            return (1, Version(r["version"]))
        except InvalidVersion:
            return (0, r["version"])

    # Stable sorts, least significant key first.
    rows.sort(key=lambda r: r["path"])
    rows.sort(key=version_key, reverse=True)
    rows.sort(key=lambda r: (canonicalize_name(r["name"]), not r["default"]))
    return rows


def render(rows, as_json):
    if as_json:
        import json

        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    table = [COLUMNS] + [(r["name"], r["version"], "yes" if r["default"] else "no",
                          r["format"], r["path"]) for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    return "".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() + "\n"
                   for line in table)


def write(text):
    # UTF-8 whatever the locale, so the output matches the CLI byte for byte.
    out = getattr(sys.stdout, "buffer", None)
    if out is None:
        sys.stdout.write(text)
    else:
        sys.stdout.flush()
        out.write(text.encode("utf-8"))
        out.flush()


def fail(message, status=1):
    sys.stderr.write("sidewheel: %s\n" % " ".join(str(message).split()))
    return status


def list_command(as_json):
    from ._index import INDEX_NAME, load_index

    dirs = scheme_dirs()
    # The environment's index (purelib/sidewheel/index.json), not this copy's.
    projects, error = load_index(os.path.join(dirs[0], "sidewheel", INDEX_NAME)) if dirs else ({}, None)
    rows = default_rows(dirs) + side_rows(projects) + unindexed_side_rows(dirs, projects)
    write(render(sort_rows(rows), as_json))
    return fail(error) if error else 0


def resolve_command(requirements, as_json):
    from ._errors import ResolutionError
    from ._resolve import explain

    try:
        explained = explain(requirements)
    except ResolutionError as exc:
        return fail(exc)
    rows = []
    for d, reason in explained:
        r = row(d.name, d.version, d.is_default, d.dist_info if d.is_default else d.location, d.format)
        r["reason"] = reason
        rows.append(r)
    text = render(rows, as_json)
    if not as_json:  # the table, then one line per row: "name version: reason"
        text += "".join("%s %s: %s\n" % (r["name"], r["version"], r["reason"]) for r in rows)
    write(text)
    return 0


def main(argv):
    args = list(argv)
    if args in (["--version"], ["-V"]):
        from . import __version__

        write("sidewheel %s (runtime at %s, Python %d.%d)\n" % (
            __version__, os.path.dirname(os.path.abspath(__file__)), sys.version_info[0], sys.version_info[1]))
        return 0
    as_json = "--json" in args
    args = [a for a in args if a != "--json"]
    if not args or args[0] in ("-h", "--help"):
        sys.stdout.write(USAGE + "\n")
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command == "list":
        return fail(USAGE, 2) if rest else list_command(as_json)
    if command == "resolve":
        return resolve_command(rest, as_json) if rest else fail(USAGE, 2)
    return fail("unknown command %r; %s" % (command, USAGE), 2)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
