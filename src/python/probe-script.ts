/**
 * The Python source run once per interpreter (and then cached) to learn its scheme,
 * tags and PEP 508 marker environment. It must run on any CPython 3.6+ with only the stdlib, so it avoids f-strings
 * that newer syntax would need and imports nothing third-party. Scheme logic follows
 * pip's sysconfig-based `get_scheme`, including its special venv header path.
 */
export const PROBE_SCRIPT = String.raw`
import json, os, platform, struct, sys, sysconfig

def scheme_name():
    preferred = getattr(sysconfig, "get_preferred_scheme", None)
    if preferred:
        return preferred("prefix")
    available = sysconfig.get_scheme_names()
    for name in ("%s_%s" % (sys.implementation.name, os.name), sys.implementation.name, "%s_prefix" % os.name, os.name):
        if name in available:
            return name
    return "posix_prefix"

def in_venv():
    return sys.prefix != getattr(sys, "base_prefix", sys.prefix) or hasattr(sys, "real_prefix")

def libc():
    try:
        name, version = os.confstr("CS_GNU_LIBC_VERSION").split()
        major, minor = version.split(".")[:2]
        return {"kind": "glibc", "major": int(major), "minor": int(minor)}
    except Exception:
        pass
    try:
        import re, subprocess
        with open(sys.executable, "rb") as f:
            head = f.read(4096)
        m = re.search(rb"/lib/ld-musl-[^\x00]+", head)
        if m:
            out = subprocess.run([m.group(0).decode()], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL).stderr.decode()
            v = re.search(r"Version (\d+)\.(\d+)", out)
            if v:
                return {"kind": "musl", "major": int(v.group(1)), "minor": int(v.group(2))}
    except Exception:
        pass
    return None

def full_version(info):
    out = "%d.%d.%d" % (info.major, info.minor, info.micro)
    return out if info.releaselevel == "final" else out + info.releaselevel[0] + str(info.serial)

def marker_environment():
    # packaging's default_environment(), key for key.
    return {
        "implementation_name": sys.implementation.name,
        "implementation_version": full_version(sys.implementation.version),
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "platform_python_implementation": platform.python_implementation(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    }

def externally_managed():
    if in_venv():
        return None
    path = os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")
    if not os.path.isfile(path):
        return None
    message = "This environment is externally managed (PEP 668)."
    try:
        import configparser
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(path, encoding="utf-8")
        message = parser.get("externally-managed", "Error", fallback=message)
    except Exception:
        pass
    return message

paths = sysconfig.get_paths(scheme=scheme_name())
include = paths["include"]
if in_venv():
    include = os.path.join(sys.prefix, "include", "site", "python%d.%d" % sys.version_info[:2])
config = sysconfig.get_config_var
print(json.dumps({
    "implementation": sys.implementation.name,
    "version": list(sys.version_info[:3]),
    "soabi": config("SOABI"),
    "abiflags": getattr(sys, "abiflags", ""),
    "debug": bool(config("Py_DEBUG")),
    "freeThreaded": bool(config("Py_GIL_DISABLED")),
    "platform": sysconfig.get_platform(),
    "machine": platform.machine(),
    "is32bit": struct.calcsize("P") == 4,
    "libc": libc(),
    "isVenv": in_venv(),
    "prefix": sys.prefix,
    "scheme": {"purelib": paths["purelib"], "platlib": paths["platlib"], "scripts": paths["scripts"],
               "data": paths["data"], "headers": include},
    "externallyManaged": externally_managed(),
    "markers": marker_environment(),
}))
`;
