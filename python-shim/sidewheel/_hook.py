"""Interpreter start-up hook, run by ``sidewheel.pth`` (``import`` line) or
``sidewheel.start`` (PEP 829 entry point, Python 3.15+).

Every interpreter of the environment runs this, so it must cost almost nothing
and must never fail: it only uses ``sys`` and ``os`` (already loaded by
``site``) and installs one tiny finder first on ``sys.meta_path``.  The finder
does the real work lazily:

* at ``import sitecustomize`` (which ``site`` attempts after every ``.pth``
  file has been processed) it records which modules were loaded during start-up
  (see "start-up helper modules" in INDEX.md) and honours ``SIDEWHEEL_REQUIRES``;
* at every later import of a module not yet loaded it looks for
  ``__main__.__requires__`` (one dict lookup), activates it, and removes itself.
"""

import os
import sys

ENV_VAR = "SIDEWHEEL_REQUIRES"

# Module names in sys.modules when site finished processing .pth files, or None
# when the hook did not run during interpreter start-up.  Read by _resolve.
startup_modules = None
# One-line reason when SIDEWHEEL_REQUIRES could not be honoured, else None.
startup_error = None

_started = False
_CUSTOMIZE = ("sitecustomize", "usercustomize")


def start():
    """Install the finder.  Called by both hook files; runs once per process
    (site.py processes a venv's site-packages twice, and a 3.15+ interpreter
    may see both the .pth and the .start file)."""
    global _started
    if _started:
        return
    _started = True
    try:
        env = None
        # -E and -I ignore PYTHON* variables; ignore ours too, for the same reason.
        if not sys.flags.ignore_environment:
            env = os.environ.get(ENV_VAR) or None
        finder = _Finder(env)
        sys.meta_path.insert(0, finder)
        if not _in_site_main():
            # Called late (site.addsitedir at run time): no sitecustomize import
            # will follow, so start-up is over now.
            finder.end_of_startup(snapshot=False)
    except Exception as exc:  # never break interpreter start
        warn("start-up hook failed: %s: %s" % (type(exc).__name__, exc))


def warn(message):
    """Write one line to stderr (whitespace collapsed, so never more than one)."""
    try:
        text = " ".join(str(message)[:4000].split())
        sys.stderr.write("sidewheel: %s\n" % (text if len(text) <= 1000 else text[:1000] + "..."))
        sys.stderr.flush()
    except Exception:
        pass  # no usable stderr (pythonw, closed fd): stay silent


def _in_site_main(frame=None):
    """Are we running inside site.main(), i.e. during interpreter start-up?"""
    if frame is None:
        frame = _current_frame()
    while frame is not None:
        if frame.f_code.co_name == "main" and frame.f_globals.get("__name__") == "site":
            return True
        frame = frame.f_back
    return False


def _current_frame():
    """The caller's frame: sys._getframe (a CPython detail) when there is
    one, else the frame a traceback records, which every implementation
    keeps (test_fast_paths compares the two walks)."""
    getframe = getattr(sys, "_getframe", None)
    if getframe is not None:
        return getframe(1)
    return _frame_from_traceback()


def _frame_from_traceback():
    try:
        raise RuntimeError
    except RuntimeError:
        return sys.exc_info()[2].tb_frame.f_back.f_back


class _Finder(object):
    """A meta path finder that never finds anything: it only watches imports."""

    def __init__(self, env):
        self.env = env
        self.busy = False  # True while we resolve (nested imports) and once done

    def find_spec(self, name, path=None, target=None):
        if self.busy:
            return None
        if path is None and name in _CUSTOMIZE and _in_site_main():
            self.end_of_startup()
        main = sys.modules.get("__main__")
        namespace = getattr(main, "__dict__", None)
        if namespace is not None:
            requires = namespace.get("__requires__")
            if requires is not None:
                self.requires(requires)
                if name in sys.modules:
                    # Our own work imported the very module being looked for
                    # (json, re, importlib...): the import system would run it
                    # a second time unless we hand it over.
                    return _reuse_spec(sys.modules.pop(name))
        return None

    def end_of_startup(self, snapshot=True):
        global startup_modules, startup_error
        if snapshot:
            startup_modules = frozenset(sys.modules)
        env, self.env = self.env, None
        if not env:
            return
        self.busy = True
        try:
            from sidewheel import _resolve

            _resolve.require_text(env, ENV_VAR)
        except Exception as exc:
            startup_error = str(exc)
            warn("%s not honoured: %s" % (ENV_VAR, exc))
        finally:
            self.busy = False

    def requires(self, requires):
        # Done after this, whatever happens.  Rebind sys.meta_path rather than
        # remove() from it: the import system is iterating the current list.
        self.busy = True
        sys.meta_path = [f for f in sys.meta_path if f is not self]
        try:
            from sidewheel import _resolve
        except Exception as exc:  # a damaged runtime: still one line from the import statement
            raise ImportError("sidewheel cannot honour __main__.__requires__: its runtime is damaged "
                              "(%s: %s); run sidewheel doctor --fix" % (type(exc).__name__, " ".join(str(exc).split()))) from None
        try:
            _resolve.require_main(requires)
        except ImportError as exc:  # ResolutionError: raised from the import statement
            # The resolver's frames and what it caught on the way tell the user nothing.
            raise exc.with_traceback(None) from None


class _Reuse(object):
    """Loader that gives the import system an already executed module."""

    def __init__(self, module):
        self.module = module
        self.spec = getattr(module, "__spec__", None)

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        if self.spec is not None:
            module.__spec__ = self.spec  # module_from_spec() replaced it with ours


def _reuse_spec(module):
    from importlib.machinery import ModuleSpec

    return ModuleSpec(module.__name__, _Reuse(module))

