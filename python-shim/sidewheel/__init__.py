"""sidewheel runtime: activate side-by-side installed wheel versions.

    import sidewheel
    sidewheel.require("foo<2", "bar[extra]>=1")   # activate, return Distributions
    sidewheel.resolve(["foo<2"])                  # same answer, nothing activated

A program can also say ``__requires__ = ["foo<2"]`` in ``__main__`` before its
imports, or run with ``SIDEWHEEL_REQUIRES`` set; see INDEX.md.

This module is imported at every interpreter start (by the start-up hook), so
it defines nothing eagerly: public names are loaded from submodules on first
use (PEP 562).
"""

# The version of sidewheel this runtime ships with (package.json's; a test keeps them equal).
__version__ = "0.1.0"

__all__ = [
    "require",
    "resolve",
    "Distribution",
    "ResolutionError",
    "DistributionNotFound",
    "VersionConflict",
]

_LAZY = {
    "require": "_resolve",
    "resolve": "_resolve",
    "Distribution": "_distribution",
    "ResolutionError": "_errors",
    "DistributionNotFound": "_errors",
    "VersionConflict": "_errors",
}


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError("module %r has no attribute %r" % (__name__, name))
    value = getattr(__import__(__name__ + "." + module, fromlist=["_"]), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
