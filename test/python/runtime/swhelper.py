"""Test helper: tiny fixture wheels, throw-away venvs, and installs laid out
exactly as the sidewheel CLI lays them out (python-shim/INDEX.md).

Nothing here touches the interpreter running the tests: every test gets its
own venv (``python -m venv --without-pip`` takes ~60 ms) and every check runs
in a child process of that venv, so the start-up hook really runs.
"""

import base64
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
import unittest
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
SHIM = os.environ.get("SIDEWHEEL_SHIM_DIR") or os.path.join(REPO, "python-shim")

# The PEP 440 code, in-process (pure functions); no __pycache__ in python-shim/.
_dont_write, sys.dont_write_bytecode = sys.dont_write_bytecode, True
sys.path.insert(0, SHIM)
from sidewheel import _pep  # noqa: E402

del sys.path[0]
sys.dont_write_bytecode = _dont_write


# ------------------------------------------------------------------ fixture wheels


def escape(name):
    return re.sub(r"[-_.]+", "_", name)


def build_wheel(out_dir, name, version, files=None, requires=(), requires_python=None,
                extras=(), tag="py3-none-any", entry_points=None, purelib=None,
                platlib=None, root_is_purelib=True):
    """Write ``<name>-<version>-<tag>.whl`` into ``out_dir`` and return its path.

    ``files`` maps paths at the wheel root to text; by default one package
    ``<name>/__init__.py`` defining ``__version__``.  ``purelib``/``platlib``
    map paths inside ``<name>-<version>.data/purelib|platlib``.
    """
    module = escape(name).lower()
    if files is None:
        files = {module + "/__init__.py": "__version__ = %r\n" % version}
    dist_info = "%s-%s.dist-info" % (escape(name), version)
    data = "%s-%s.data" % (escape(name), version)
    meta = ["Metadata-Version: 2.1", "Name: " + name, "Version: " + version]
    if requires_python:
        meta.append("Requires-Python: " + requires_python)
    meta += ["Provides-Extra: " + e for e in extras]
    meta += ["Requires-Dist: " + r for r in requires]
    entries = dict(files)
    for sub, tree in (("purelib", purelib), ("platlib", platlib)):
        for path, text in (tree or {}).items():
            entries["%s/%s/%s" % (data, sub, path)] = text
    entries[dist_info + "/METADATA"] = "\n".join(meta) + "\n\n"
    entries[dist_info + "/WHEEL"] = ("Wheel-Version: 1.0\nGenerator: swhelper\nRoot-Is-Purelib: %s\nTag: %s\n"
                                     % ("true" if root_is_purelib else "false", tag))
    if entry_points:
        entries[dist_info + "/entry_points.txt"] = entry_points
    record = []
    path = os.path.join(out_dir, "%s-%s-%s.whl" % (escape(name), version, tag))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for arc, text in entries.items():
            raw = text.encode("utf-8") if isinstance(text, str) else text
            zf.writestr(arc, raw)
            digest = base64.urlsafe_b64encode(hashlib.sha256(raw).digest()).rstrip(b"=").decode()
            record.append("%s,sha256=%s,%d" % (arc, digest, len(raw)))
        record.append(dist_info + "/RECORD,,")
        zf.writestr(dist_info + "/RECORD", "\n".join(record) + "\n")
    return path


def read_headers(text):
    headers = {}
    for line in text.split("\n\n", 1)[0].splitlines():
        key, sep, value = line.partition(":")
        if sep and not line[:1].isspace():
            headers.setdefault(key.strip().lower(), []).append(value.strip())
    return headers


def wheel_info(path):
    """What the CLI puts in the index about a wheel, computed from the zip."""
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        dist_info = next(n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info"))
        meta = read_headers(zf.read(dist_info + "/METADATA").decode("utf-8"))
        wheel = read_headers(zf.read(dist_info + "/WHEEL").decode("utf-8"))
    data = dist_info[: -len(".dist-info")] + ".data"
    top, subtrees = set(), []
    for n in names:
        if n.startswith(dist_info + "/") or n.endswith("/"):
            continue
        if n.startswith(data + "/"):
            parts = n.split("/")
            if parts[1] not in ("purelib", "platlib"):
                continue
            if parts[1] not in subtrees:
                subtrees.append(parts[1])
            n = "/".join(parts[2:])
        head, sep, _ = n.partition("/")
        if sep:
            if head.isidentifier():
                top.add(head)
        elif head.endswith((".py", ".so", ".pyd")):
            top.add(head.split(".")[0])
    return {
        "name": meta["name"][0],
        "version": meta["version"][0],
        "dist_info": dist_info,
        "data_subtrees": [s for s in ("purelib", "platlib") if s in subtrees],
        "root_is_purelib": wheel.get("root-is-purelib", ["true"])[0].lower() == "true",
        "requires_dist": meta.get("requires-dist", []),
        "requires_python": (meta.get("requires-python") or [None])[0],
        "provides_extra": meta.get("provides-extra", []),
        "top_level": sorted(top),
    }


# ----------------------------------------------------------------------- real wheels


def bundled_wheels(project):
    """ensurepip's bundled wheels of ``project`` from this interpreter and from
    every path in SIDEWHEEL_TEST_WHEELS (os.pathsep separated; the TS test
    collects them from every interpreter it finds), newest first, one per version."""
    paths = glob.glob(os.path.join(sysconfig.get_paths()["stdlib"], "ensurepip", "_bundled", "*.whl"))
    paths += [p for p in os.environ.get("SIDEWHEEL_TEST_WHEELS", "").split(os.pathsep) if p]
    found = {}
    for p in paths:
        base = os.path.basename(p)
        parts = base[:-4].split("-")
        if base.endswith(".whl") and len(parts) >= 5 and _pep.canonicalize_name(parts[0]) == project \
                and os.path.isfile(p):
            found.setdefault(parts[1], p)
    return [found[v] for v in sorted(found, key=_pep.Version, reverse=True)]


# ------------------------------------------------------------------------------ envs


def index_text(data, style="compact"):
    """The index file's text: "compact" is byte for byte what the CLI writes
    (JSON.stringify(data) + "\\n"), "indented" the same data laid out."""
    if style == "indented":
        return json.dumps(data, indent=2)
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n"


class Env(object):
    """A throw-away venv with helpers to install into its site-packages."""

    def __init__(self, root, venv="venv"):
        self.root = root
        self.venv = os.path.join(root, venv)
        self.wheels = os.path.join(root, "wheels")
        self.scripts = os.path.join(root, "scripts")
        os.makedirs(self.wheels)
        os.makedirs(self.scripts)
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", self.venv], check=True)
        self.python = os.path.join(self.venv, "bin", "python")
        if not os.path.exists(self.python):  # Windows layout
            self.python = os.path.join(self.venv, "Scripts", "python.exe")
        out = self.run_raw(["-c", "import sysconfig,json;p=sysconfig.get_paths();"
                                  "print(json.dumps([p['purelib'],p['platlib']]))"])
        self.purelib, self.platlib = json.loads(out.stdout)
        self.side = []  # (wheel info, location, format) of installed side versions

    # -- installing

    def wheel(self, name, version, **kw):
        return build_wheel(self.wheels, name, version, **kw)

    def install_runtime(self, pth=True, start=True, index=True):
        """What the CLI installs: the package, its dist-info, the hook files."""
        target = os.path.join(self.purelib, "sidewheel")
        shutil.copytree(os.path.join(SHIM, "sidewheel"), target,
                        ignore=shutil.ignore_patterns("__pycache__", "index.json"))
        for hook, wanted in (("sidewheel.pth", pth), ("sidewheel.start", start)):
            if wanted:
                shutil.copyfile(os.path.join(SHIM, hook), os.path.join(self.purelib, hook))
        dist_info = os.path.join(self.purelib, "sidewheel-0.1.0.dist-info")
        os.makedirs(dist_info)
        with open(os.path.join(dist_info, "METADATA"), "w") as f:
            f.write("Metadata-Version: 2.1\nName: sidewheel\nVersion: 0.1.0\n\n")
        with open(os.path.join(dist_info, "INSTALLER"), "w") as f:
            f.write("sidewheel\n")
        if index:
            self.write_index()

    def install_default(self, wheel):
        """Unpack like pip: root and .data/purelib|platlib into site-packages."""
        info = wheel_info(wheel)
        data = info["dist_info"][: -len(".dist-info")] + ".data/"
        root = self.purelib if info["root_is_purelib"] else self.platlib
        with zipfile.ZipFile(wheel) as zf:
            for member in zf.namelist():
                target = root
                name = member
                if member.startswith(data):
                    sub, _, name = member[len(data):].partition("/")
                    if sub not in ("purelib", "platlib"):
                        continue
                    target = self.purelib if sub == "purelib" else self.platlib
                dest = os.path.join(target, name)
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                with open(dest, "wb") as f:
                    f.write(zf.read(member))
        with open(os.path.join(root, info["dist_info"], "INSTALLER"), "w") as f:
            f.write("sidewheel\n")
        return info

    def install_side(self, wheel, format="directory", index=True):
        """``<purelib or platlib>/<wheel file name>``: unpacked or the zip itself."""
        info = wheel_info(wheel)
        site = self.purelib if info["root_is_purelib"] else self.platlib
        location = os.path.join(site, os.path.basename(wheel))
        if format == "zip":
            shutil.copyfile(wheel, location)
        else:
            with zipfile.ZipFile(wheel) as zf:
                zf.extractall(location)
        self.side.append((info, location, format))
        if index and os.path.exists(os.path.join(self.purelib, "sidewheel")):
            self.write_index()
        return location

    def index_data(self):
        projects = {}
        for info, location, format in self.side:
            key = _pep.canonicalize_name(info["name"])
            project = projects.setdefault(key, {"name": info["name"], "side": []})
            data = info["dist_info"][: -len(".dist-info")] + ".data"
            project["side"].append({
                "version": info["version"],
                "wheel": os.path.basename(location),
                "location": location,
                "format": format,
                "paths": [location] + [os.path.join(location, data, s) for s in info["data_subtrees"]],
                "dist_info": info["dist_info"],
                "top_level": info["top_level"],
                "requires_dist": info["requires_dist"],
                "requires_python": info["requires_python"],
                "provides_extra": info["provides_extra"],
            })
        for project in projects.values():
            project["side"].sort(key=lambda e: _pep.Version(e["version"]), reverse=True)
        return {"format": "sidewheel-index", "version": 1,
                "projects": dict(sorted(projects.items()))}

    # The index as the CLI writes it (JSON.stringify: no spaces, non-ASCII as
    # is), which the runtime reads project by project; "indented" makes every
    # test run the runtime's whole-file reading instead.
    index_style = os.environ.get("SIDEWHEEL_TEST_INDEX_STYLE", "compact")

    def write_index(self, text=None):
        path = os.path.join(self.purelib, "sidewheel", "index.json")
        if text is None:
            text = index_text(self.index_data(), self.index_style)
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(path + ".tmp", path)
        return path

    # -- running

    def child_env(self, extra=None):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("PYTHON") and k not in ("SIDEWHEEL_REQUIRES", "VIRTUAL_ENV")}
        env["PYTHONDONTWRITEBYTECODE"] = "1"  # keep the venv as the CLI left it
        env.update(extra or {})
        return env

    def run_raw(self, args, env=None, cwd=None):
        return subprocess.run([self.python] + list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True,
                              env=self.child_env(env), cwd=cwd or self.root, timeout=120)

    def run(self, code, flags=(), env=None, args=()):
        """Run ``code`` as a script file (so __main__ is a real script)."""
        path = os.path.join(self.scripts, "main_%d.py" % len(os.listdir(self.scripts)))
        with open(path, "w") as f:
            f.write(textwrap.dedent(code))
        return self.run_raw(list(flags) + [path] + list(args), env=env)

    def check(self, code, flags=(), env=None):
        """Run ``code``, demand success and a silent stderr, and return the
        JSON value of its last stdout line."""
        out = self.run(code, flags=flags, env=env)
        if out.returncode != 0 or out.stderr:
            raise AssertionError("child failed (%d):\nstdout:\n%s\nstderr:\n%s"
                                 % (out.returncode, out.stdout, out.stderr))
        return json.loads(out.stdout.strip().splitlines()[-1])


class EnvTestCase(unittest.TestCase):
    """Gives each test a fresh Env in ``self.env`` with the runtime installed."""

    runtime = True
    venv = "venv"  # where the venv goes, relative to the test's directory

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sidewheel-test-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.env = Env(self.tmp, self.venv)
        if self.runtime:
            self.env.install_runtime()

    def assertStartsClean(self, out, max_stderr_lines=0):
        lines = out.stderr.splitlines()
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertLessEqual(len(lines), max_stderr_lines, out.stderr)

