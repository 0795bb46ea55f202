"""Oracle for test/tags.test.ts: what `packaging.tags` says, so sidewheel's tags can be diffed.

Runs on any CPython 3.6+ (so: no walrus, no `from __future__ import annotations`).

    python -I oracle.py sys-tags   real sys_tags() of *this* interpreter, computed with the
                                   newest packaging it can reach (its own `packaging`, its
                                   installed pip's vendored copy, or its ensurepip pip wheel's)
    python -I oracle.py version    which packaging that would be, as JSON
    python -I oracle.py emulate    reads {"cases": [...], "mac": [...]} on stdin; runs packaging's
                                   own tag functions with the interpreter facts of each case
                                   (an InterpreterInfo-shaped object) patched in, so one modern
                                   packaging can judge interpreters that lack one, and synthetic
                                   ones (musl, aarch64, 32-bit, free-threaded) that do not exist here

Output is JSON on stdout.
"""
import glob
import importlib.util
import json
import os
import re
import sys
import sysconfig
import types
import zipfile

VERSION_RE = re.compile(r"""__version__\s*=\s*["']([^"']+)["']""")


def _version_key(text):
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


def _read_version(read):
    # packaging keeps __version__ in __about__.py up to 21.x, in __init__.py since 22.
    for name in ("__about__.py", "__init__.py"):
        try:
            m = VERSION_RE.search(read(name))
        except (OSError, KeyError):
            continue
        if m:
            return m.group(1)
    return None


def candidates():
    """Every packaging this interpreter can import, as (version, source, location), any order."""
    found = []
    spec = importlib.util.find_spec("packaging")
    if spec is not None and spec.origin:
        base = os.path.dirname(spec.origin)
        version = _read_version(lambda n: open(os.path.join(base, n), encoding="utf-8").read())
        if version:
            found.append((version, "packaging", base))
    spec = importlib.util.find_spec("pip")
    if spec is not None and spec.origin:
        base = os.path.join(os.path.dirname(spec.origin), "_vendor", "packaging")
        version = _read_version(lambda n: open(os.path.join(base, n), encoding="utf-8").read())
        if version:
            found.append((version, "pip", os.path.dirname(spec.origin)))
    bundled = os.path.join(sysconfig.get_path("stdlib"), "ensurepip", "_bundled")
    wheels = sorted(glob.glob(os.path.join(bundled, "pip-*.whl")))
    if not found and not wheels:
        # Nothing of its own (Debian's PyPy bundles no pip): the newest pip wheel of another
        # interpreter, which the test passes in SIDEWHEEL_TEST_PIP_WHEELS.
        wheels = [w for w in os.environ.get("SIDEWHEEL_TEST_PIP_WHEELS", "").split(os.pathsep) if w][:1]
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as z:
            version = _read_version(lambda n: z.read("pip/_vendor/packaging/" + n).decode("utf-8"))
        if version:
            found.append((version, "ensurepip", wheel))
    return found


def import_tags(source, location):
    """packaging.tags from one candidate, or None when that packaging predates the module (< 19.1)."""
    try:
        if source == "packaging":
            from packaging import tags
        else:
            if source == "ensurepip":
                sys.path.insert(0, location)
            from pip._vendor.packaging import tags
        return tags
    except ImportError:
        return None


def best_tags_module():
    """The newest packaging that has `tags`; prefers a real install over a vendored copy on ties."""
    order = {"packaging": 0, "pip": 1, "ensurepip": 2}
    ranked = sorted(candidates(), key=lambda c: (_version_key(c[0]), -order[c[1]]), reverse=True)
    for version, source, location in ranked:
        # pip and an ensurepip wheel both provide the top-level `pip`: only the first import wins,
        # so stop at the first candidate that is importable at all.
        tags = import_tags(source, location)
        if tags is not None:
            return tags, {"version": version, "source": source, "location": location}
        if source != "packaging":
            break
    newest = ranked[0] if ranked else None
    return None, ({"version": newest[0], "source": newest[1], "location": newest[2]} if newest else None)


def legacy_pip_tags():
    """pip < 19.3 computed tags itself in pip._internal.pep425tags; used only as a diagnostic."""
    try:
        from pip._internal import pep425tags
        import pip
    except ImportError:
        return None
    return {"pip": pip.__version__, "tags": ["-".join(t) for t in pep425tags.get_supported()]}


def cmd_sys_tags():
    tags, found = best_tags_module()
    if tags is None:
        return {"packaging": found, "tags": None, "legacy": legacy_pip_tags()}
    return {"packaging": found, "tags": [str(t) for t in tags.sys_tags()]}


def emulator():
    """The top-level `packaging` when it has the internals emulate_case patches, else None."""
    try:
        from packaging import tags, _manylinux, _musllinux
    except ImportError:
        return None
    needed = [(_manylinux, "_get_glibc_version"), (_musllinux, "_get_musl_version"), (tags, "_linux_platforms")]
    if not all(hasattr(module, name) for module, name in needed):
        return None
    found = [c for c in candidates() if c[1] == "packaging"]
    return {"version": found[0][0], "source": "packaging", "location": found[0][2]} if found else None


def cmd_version():
    return {"packaging": emulator()}


class Patched(object):
    """Swap module attributes for the duration of one case."""

    def __init__(self, changes):
        self.changes = changes
        self.saved = []

    def __enter__(self):
        for module, name, value in self.changes:
            self.saved.append((module, name, getattr(module, name)))
            setattr(module, name, value)

    def __exit__(self, *exc):
        for module, name, value in reversed(self.saved):
            setattr(module, name, value)


def emulate_case(case):
    from packaging import tags, _manylinux, _musllinux

    version = tuple(case["version"][:2])
    platform_name = case["platform"]
    windows = platform_name.startswith("win")
    pymalloc = 1 if "m" in case["abiflags"] else (None if windows else 0)
    soabi = case["soabi"]
    config = {
        "Py_DEBUG": 1 if case["debug"] else 0,
        "Py_GIL_DISABLED": 1 if case["freeThreaded"] else 0,
        "WITH_PYMALLOC": pymalloc,
        "py_version_nodot": "%d%d" % version,
        "SOABI": soabi,
        # On POSIX, EXT_SUFFIX is "." + SOABI + a shared-library suffix.
        "EXT_SUFFIX": ("." + soabi + ".so") if soabi else ".so",
    }
    libc = case.get("libc")
    glibc = _manylinux._GLibCVersion(libc["major"], libc["minor"]) if libc and libc["kind"] == "glibc" \
        else _manylinux._GLibCVersion(-1, -1)
    musl = _musllinux._MuslVersion(libc["major"], libc["minor"]) if libc and libc["kind"] == "musl" else None
    fake_sysconfig = types.SimpleNamespace(get_platform=lambda: platform_name, get_config_var=config.get)
    changes = [
        (tags, "sysconfig", fake_sysconfig),
        (_manylinux, "_get_glibc_version", lambda: glibc),
        (_musllinux, "_get_musl_version", lambda executable: musl),
        # The ELF checks of sys.executable cannot be replayed from facts (sidewheel decides them
        # from SOABI, see src/tags.ts): a case says what they would answer, by default yes.
        (_manylinux, "_is_linux_armhf", lambda *a: case.get("elfCheck", True)),
        (_manylinux, "_is_linux_i686", lambda *a: case.get("elfCheck", True)),
    ]
    with Patched(changes):
        if platform_name.startswith("linux-"):
            platforms = list(tags._linux_platforms(is_32bit=case["is32bit"]))
        elif platform_name.startswith("macosx-") and case.get("macosVersion"):
            arch = tags._mac_arch(case["machine"], is_32bit=case["is32bit"])
            platforms = list(tags.mac_platforms(tuple(case["macosVersion"]), arch))
        else:
            platforms = list(tags._generic_platforms())
        extra = [p for p in case.get("extraPlatforms", [])]
        platforms = list(dict.fromkeys(extra + platforms))
        # sys_tags(), with the interpreter's identity passed in rather than read from sys.
        name = tags.INTERPRETER_SHORT_NAMES.get(case["implementation"]) or case["implementation"]
        if name == "cp":
            first = tags.cpython_tags(version, platforms=platforms)
        else:
            first = tags.generic_tags(interpreter=name + tags.interpreter_version(), platforms=platforms)
        first = list(first)
        if name == "pp":
            interp = "pp3"
        elif name == "cp":
            interp = "cp" + tags.interpreter_version()
        else:
            interp = None
        second = list(tags.compatible_tags(version, interp, platforms))
    return [str(t) for t in first + second]


def cmd_emulate():
    request = json.load(sys.stdin)
    found = emulator()
    if found is None:
        return {"packaging": None}
    from packaging import tags
    return {
        "packaging": found,
        "cases": [emulate_case(c) for c in request.get("cases", [])],
        "mac": [list(tags.mac_platforms(tuple(m["version"]), m["arch"])) for m in request.get("mac", [])],
    }


def main():
    commands = {"sys-tags": cmd_sys_tags, "version": cmd_version, "emulate": cmd_emulate}
    print(json.dumps(commands[sys.argv[1]]()))


if __name__ == "__main__":
    main()
