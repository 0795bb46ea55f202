"""PEP 508 environment markers: the Marker class and evaluation."""

import sys

from ._specifiers import _WHOLE_SPECIFIER, _Specifier
from ._syntax import (_SET_KEYS, _SyntaxError, _Tokenizer, _format_marker, _normalize_extra_values,
                      _parse_marker, _shape)
from ._version import _coerce, _regex, canonicalize_name


class InvalidMarker(ValueError):
    """An environment marker that is not PEP 508."""


class UndefinedComparison(ValueError):
    """A marker comparison that PEP 508 leaves undefined (e.g. `os_name ~= "posix"`)."""


class UndefinedEnvironmentName(ValueError):
    """A marker names a key the evaluation environment lacks."""


_VERSION_KEYS = ("implementation_version", "platform_release", "python_full_version", "python_version")
_default_environment = None


def _format_full_version(info):
    version = "%d.%d.%d" % (info.major, info.minor, info.micro)
    if info.releaselevel != "final":
        version += info.releaselevel[0] + str(info.serial)
    return version


def default_environment():
    """The PEP 508 environment of the running interpreter."""
    global _default_environment
    if _default_environment is None:
        import os
        import platform

        _default_environment = {
            "implementation_name": sys.implementation.name,
            "implementation_version": _format_full_version(sys.implementation.version),
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
    return dict(_default_environment)


def _compare(lhs, op, rhs, key):
    if key in _VERSION_KEYS and isinstance(rhs, str):
        # Both sides versions: compare as PEP 440 (pre-releases count); otherwise
        # fall through to plain string rules.
        text = op + rhs
        if _regex(_WHOLE_SPECIFIER).fullmatch(text):
            spec = _Specifier(text)
            parsed = _coerce(lhs)
            if parsed is None:
                return spec.operator == "===" and lhs.lower() == spec.version.lower()
            return spec.matches(parsed, lhs)
    if op == "in":
        return lhs in rhs
    if op == "not in":
        return lhs not in rhs
    if op in ("==", "<=", ">="):
        return lhs == rhs
    if op == "!=":
        return lhs != rhs
    if op in ("<", ">"):
        return False
    raise UndefinedComparison("Undefined %r on %r and %r." % (op, lhs, rhs))


def _lookup(environment, key):
    try:
        return environment[key]
    except KeyError:
        raise UndefinedEnvironmentName("%r is not in the marker environment" % (key,)) from None


def _evaluate(markers, environment):
    groups = [[]]
    for marker in markers:
        if isinstance(marker, list):
            groups[-1].append(_evaluate(marker, environment))
        elif isinstance(marker, tuple):
            lhs, op, rhs = marker
            if lhs[0] == "var":
                key = lhs[1]
                lhs_value, rhs_value = _lookup(environment, key), rhs[1]
            else:
                key = rhs[1]
                lhs_value, rhs_value = lhs[1], _lookup(environment, key)
            if not isinstance(lhs_value, str):
                raise UndefinedComparison("%s must be on the right of %r" % (key, op))
            if key in _SET_KEYS:
                lhs_value = canonicalize_name(lhs_value)
                if isinstance(rhs_value, str):
                    rhs_value = canonicalize_name(rhs_value)
                else:
                    rhs_value = {canonicalize_name(v) for v in rhs_value}
            groups[-1].append(_compare(lhs_value, op, rhs_value, key))
        elif marker == "or":
            groups.append([])
    return any(all(group) for group in groups)


class Marker(object):
    """A parsed PEP 508 environment marker."""

    __slots__ = ("_markers",)

    def __init__(self, marker):
        t = _Tokenizer(marker)
        try:
            parsed = _parse_marker(t)
            t.expect("END", "end of marker expression")
        except _SyntaxError as e:
            raise InvalidMarker(str(e)) from None
        self._markers = _normalize_extra_values(parsed)

    @classmethod
    def _from_parsed(cls, markers):
        m = cls.__new__(cls)
        m._markers = _normalize_extra_values(markers)
        return m

    def __str__(self):
        return _format_marker(self._markers)

    def __repr__(self):
        return "<Marker(%r)>" % str(self)

    def depends_on(self, name):
        """Does any comparison of the marker read the variable ``name``?"""
        return _reads(self._markers, ("var", name))

    def __eq__(self, other):
        if not isinstance(other, Marker):
            return NotImplemented
        return _shape(self._markers) == _shape(other._markers)

    def __hash__(self):
        return hash(_shape(self._markers))

    def evaluate(self, environment=None):
        """Evaluate over default_environment(), updated with `environment`.

        `extra` is "" unless given; a given one compares normalized.
        """
        env = default_environment()
        env["extra"] = ""
        if environment is not None:
            env.update(environment)
            if "extra" in env:
                env["extra"] = canonicalize_name(env["extra"]) if env["extra"] else ""
        full = env["python_full_version"]
        if isinstance(full, str) and full.endswith("+"):
            # Untagged source builds report e.g. "3.12.0+", which is not PEP 440.
            env["python_full_version"] = full + "local"
        return _evaluate(self._markers, env)


def _reads(markers, variable):
    for item in markers:
        if isinstance(item, list):
            if _reads(item, variable):
                return True
        elif isinstance(item, tuple) and variable in (item[0], item[2]):
            return True
    return False
