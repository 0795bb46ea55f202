"""JSON values read as json.loads reads them, without importing the json
package (it imports re, which costs as much as a whole activation).

The fast path hands the C scanner of ``_json`` (a CPython internal) a context
object built here, the attributes json.decoder.JSONDecoder gives it, with
json.loads' defaults.  Which attributes it reads changes between versions
(CPython 3.15 reads ``array_hook``), so every ``*_hook`` it may ask for is
None, and the scanner is checked on a sample covering every kind of value
before it is used.  Anything wrong with it, or no ``_json`` at all (PyPy),
means the fallback: the json package's own decoder, with the same answers
(test_fast_paths runs both on the same documents).
"""

WHITESPACE = " \t\n\r"

# Every kind of value, escapes and nesting: what the fast scanner must read
# exactly as json.loads does before it is trusted.
_SAMPLE = '{"a":[1,-2.5e1,true,false,null,"x\\u00e9\\n"],"b":{},"c":[]}'
_SAMPLE_VALUE = {"a": [1, -25.0, True, False, None, "x\u00e9\n"], "b": {}, "c": []}

_scanner = []  # [scan function], made on first use


class _ScanContext(object):
    """What json.decoder.JSONDecoder gives the C scanner, with json.loads' defaults."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    array_hook = None
    parse_float = float
    parse_int = int
    parse_constant = float  # "NaN", "Infinity", "-Infinity"

    def __getattr__(self, name):
        if name.endswith("_hook"):
            return None  # a hook a newer scanner asks for: none, as in json.loads
        raise AttributeError(name)


def c_scanner():
    """The C scanner over our context, or None when there is none or it does
    not read the sample as json.loads would."""
    try:
        from _json import make_scanner

        scan = make_scanner(_ScanContext())
        if scan(_SAMPLE, 0) == (_SAMPLE_VALUE, len(_SAMPLE)):
            return scan
    except Exception:
        pass
    return None


def python_scanner():
    """The json package's decoder: the fallback, slower to import."""
    import json

    return json.JSONDecoder().raw_decode


def scan(text, position):
    """(value, end) of the JSON value at ``position``, as json.loads reads it."""
    if not _scanner:
        _scanner.append(c_scanner() or python_scanner())
    try:
        return _scanner[0](text, position)
    except StopIteration as exc:  # the C scanner's "expecting value"
        raise ValueError("expecting a JSON value at %s" % exc.value)


def loads(text):
    """json.loads(text) through scan(); json.loads itself on any error, for its message."""
    try:
        start = len(text) - len(text.lstrip(WHITESPACE))
        value, end = scan(text, start)
        if text[end:].strip(WHITESPACE):
            raise ValueError("extra data")
        return value
    except Exception:
        import json

        return json.loads(text)
