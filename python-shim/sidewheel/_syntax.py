"""PEP 508 syntax: the tokenizer packaging uses, the requirement and marker
grammar, and how a parsed marker is normalized, compared and printed.

A parsed marker is packaging's shape: a list of items, "and"/"or", and nested
lists; an item is (lhs, op, rhs) with each side ("var", name) or ("str", value).
"""

from ._specifiers import _SPECIFIER_PATTERN
from ._version import _regex, canonicalize_name

_SET_KEYS = ("extras", "dependency_groups")


_TOKENS = {
    "LEFT_PARENTHESIS": r"\(",
    "RIGHT_PARENTHESIS": r"\)",
    "LEFT_BRACKET": r"\[",
    "RIGHT_BRACKET": r"\]",
    "SEMICOLON": r";",
    "COMMA": r",",
    "QUOTED_STRING": r"('[^']*')|(\"[^\"]*\")",
    "OP": r"(===|==|~=|!=|<=|>=|<|>)",
    "BOOLOP": r"\b(or|and)\b",
    "IN": r"\bin\b",
    "NOT": r"\bnot\b",
    "VARIABLE": (
        r"\b(python_version|python_full_version|os[._]name|sys[._]platform"
        r"|platform_(release|system)|platform[._](version|machine|python_implementation)"
        r"|python_implementation|implementation_(name|version)|extras?|dependency_groups)\b"
    ),
    "SPECIFIER": "(?xi)" + _SPECIFIER_PATTERN,
    "AT": r"@",
    "URL": r"[^ \t]+",
    "IDENTIFIER": r"\b[a-zA-Z0-9][a-zA-Z0-9._-]*\b",
    "VERSION_PREFIX_TRAIL": r"\.\*",
    "VERSION_LOCAL_LABEL_TRAIL": r"\+[a-z0-9]+(?:[-_\.][a-z0-9]+)*",
    "WS": r"[ \t]+",
    "END": r"\Z",  # not "$": a trailing newline is not the end (packaging 26.3)
}


class _SyntaxError(Exception):
    pass


# Parentheses nest at most this deep in a marker. packaging has no limit of its own
# and fails with a RecursionError somewhere past 300 (the interpreter's recursion
# limit); a limit well below it keeps every layer here (parse, print, evaluate)
# clear of the recursion limit, and makes deeper nesting an InvalidMarker.
MAX_NESTING = 200


class _Tokenizer(object):
    __slots__ = ("source", "position", "depth")

    def __init__(self, source):
        self.source = source
        self.position = 0
        self.depth = 0

    def peek(self, name):
        """The text of token `name` at the current position, or None."""
        m = _regex(_TOKENS[name]).match(self.source, self.position)
        return None if m is None else m.group(0)

    def take(self, name):
        text = self.peek(name)
        if text is not None:
            self.position += len(text)
        return text

    def expect(self, name, expected):
        text = self.take(name)
        if text is None:
            self.fail("Expected " + expected)
        return text

    def fail(self, message):
        source = self.source if len(self.source) <= 1000 else self.source[:1000] + "..."
        raise _SyntaxError("%s at position %d of %r" % (message, self.position, source))


def _parse_requirement(t):
    t.take("WS")
    name = t.expect("IDENTIFIER", "package name at the start of dependency specifier")
    t.take("WS")
    extras = _parse_extras(t)
    t.take("WS")
    url, specifier, marker = "", "", None
    if t.take("AT") is not None:
        t.take("WS")
        url = t.expect("URL", "URL after @")
        if t.peek("END") is None:
            t.expect("WS", "whitespace after URL")
            if t.peek("END") is None:
                marker = _parse_requirement_marker(t, "semicolon (after URL and whitespace)")
    else:
        specifier = _parse_specifier(t)
        t.take("WS")
        if t.peek("END") is None:
            expected = (
                "comma (within version specifier), semicolon (after version specifier)"
                if specifier
                else "semicolon (after name with no version specifier)"
            )
            marker = _parse_requirement_marker(t, expected)
    t.expect("END", "end of dependency specifier")
    return name, url, extras, specifier, marker


def _parse_requirement_marker(t, expected):
    if t.take("SEMICOLON") is None:
        t.fail("Expected %s or end" % expected)
    marker = _parse_marker(t)
    t.take("WS")
    return marker


def _parse_extras(t):
    if t.take("LEFT_BRACKET") is None:
        return []
    t.take("WS")
    extras = []
    name = t.take("IDENTIFIER")
    if name is not None:
        extras.append(name)
        while True:
            t.take("WS")
            if t.peek("IDENTIFIER") is not None:
                t.fail("Expected comma between extra names")
            if t.take("COMMA") is None:
                break
            t.take("WS")
            extras.append(t.expect("IDENTIFIER", "extra name after comma"))
    t.take("WS")
    t.expect("RIGHT_BRACKET", "matching RIGHT_BRACKET for LEFT_BRACKET, after extras")
    return extras


def _parse_specifier(t):
    parenthesized = t.take("LEFT_PARENTHESIS") is not None
    t.take("WS")
    out = ""
    while True:
        spec = t.take("SPECIFIER")
        if spec is None:
            break
        out += spec
        if t.peek("VERSION_PREFIX_TRAIL") is not None:
            t.fail(".* suffix can only be used with `==` or `!=` operators")
        if t.peek("VERSION_LOCAL_LABEL_TRAIL") is not None:
            t.fail("Local version label can only be used with `==` or `!=` operators")
        t.take("WS")
        if t.take("COMMA") is None:
            break
        out += ","
        t.take("WS")
    t.take("WS")
    if parenthesized:
        t.expect("RIGHT_PARENTHESIS", "matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after version specifier")
    return out


def _parse_marker(t):
    expression = [_parse_marker_atom(t)]
    while True:
        op = t.take("BOOLOP")
        if op is None:
            return expression
        expression.extend((op, _parse_marker_atom(t)))


def _parse_marker_atom(t):
    t.take("WS")
    if t.take("LEFT_PARENTHESIS") is not None:
        t.depth += 1
        if t.depth > MAX_NESTING:
            t.fail("Parentheses nested more than %d deep" % MAX_NESTING)
        t.take("WS")
        marker = _parse_marker(t)
        t.take("WS")
        t.expect("RIGHT_PARENTHESIS", "matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after marker expression")
        t.depth -= 1
    else:
        marker = _parse_marker_item(t)
    t.take("WS")
    return marker


def _parse_marker_item(t):
    t.take("WS")
    lhs = _parse_marker_var(t)
    t.take("WS")
    op = _parse_marker_op(t)
    t.take("WS")
    rhs = _parse_marker_var(t)
    t.take("WS")
    return (lhs, op, rhs)


def _parse_marker_var(t):
    name = t.take("VARIABLE")
    if name is not None:
        name = name.replace(".", "_")
        if name == "python_implementation":
            name = "platform_python_implementation"
        return ("var", name)
    quoted = t.take("QUOTED_STRING")
    if quoted is not None:
        return ("str", _python_string(quoted, t))
    t.fail("Expected a marker variable or quoted string")


def _parse_marker_op(t):
    if t.take("IN") is not None:
        return "in"
    if t.take("NOT") is not None:
        t.expect("WS", "whitespace after 'not'")
        t.expect("IN", "'in' after 'not'")
        return "not in"
    op = t.take("OP")
    if op is None:
        t.fail("Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in")
    return op


_NEEDS_LITERAL_EVAL = "[\\\\\n\r\x00\ud800-\udfff]"


def _python_string(token, t):
    """The value of a quoted marker string, read as a Python literal (as packaging does)."""
    if _regex(_NEEDS_LITERAL_EVAL).search(token) is None:
        return token[1:-1]
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return str(ast.literal_eval(token))
    except (SyntaxError, ValueError) as e:
        t.fail("Bad string %s (%s)" % (token, e.__class__.__name__))


def _normalize_extra_values(markers):
    """Values compared with `extra`, and names tested `in extras` / `in
    dependency_groups`, are stored normalized (PEP 685), at every depth, as
    packaging 26.3 does: printing, equality and evaluation then agree."""
    out = []
    for item in markers:
        if isinstance(item, list):
            item = _normalize_extra_values(item)
        elif isinstance(item, tuple):
            lhs, op, rhs = item
            if lhs == ("var", "extra") and rhs[0] == "str":
                rhs = ("str", canonicalize_name(rhs[1]))
            elif rhs[0] == "var" and rhs[1] in ("extra",) + _SET_KEYS and lhs[0] == "str":
                lhs = ("str", canonicalize_name(lhs[1]))
            item = (lhs, op, rhs)
        out.append(item)
    return out


def _shape(markers):
    """A hashable form of a parsed marker that differs exactly when the meaning
    written differs: redundant parentheses (single-item groups) are dropped,
    quoting is not kept.  Marker equality and every cache key use it, never a
    printed form."""
    while len(markers) == 1 and isinstance(markers[0], list):
        markers = markers[0]
    return tuple(_shape(m) if isinstance(m, list) else m for m in markers)


def _format_marker(marker, first=True):
    # Doubled parentheses print as one pair, but a nested group keeps its pair
    # (packaging 26.3): `a and ((b or c))` must not print as `a and b or c`.
    if isinstance(marker, list) and len(marker) == 1 and isinstance(marker[0], (list, tuple)):
        return _format_marker(marker[0], first)
    if isinstance(marker, list):
        inner = " ".join(_format_marker(m, first=False) for m in marker)
        return inner if first else "(" + inner + ")"
    if isinstance(marker, tuple):
        lhs, op, rhs = marker
        return "%s %s %s" % (_format_side(lhs), op, _format_side(rhs))
    return marker


def _format_side(side):
    kind, value = side
    if kind == "var":
        return value
    # packaging 26.3 quotes with ' a value holding " (and refuses to print one
    # holding both, which only escapes can write; we print it with ").
    return "'%s'" % value if '"' in value and "'" not in value else '"%s"' % value
