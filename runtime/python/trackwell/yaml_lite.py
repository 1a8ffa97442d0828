"""A small YAML subset loader, so `init(config="params.yaml")` works without PyYAML.

`load_yaml(path)` uses PyYAML's safe loader when it is importable and this module otherwise.
Supported here: block mappings and sequences (nested by indentation, `- key: v` items), flow lists
and maps (`[a, 1]`, `{a: 1}`, also spanning lines), single/double-quoted and plain scalars, literal
and folded block scalars (`|`, `>`, with `-`/`+`), comments, and a leading `---`.
Plain scalars are typed like PyYAML: null/~, booleans (true/false/yes/no/on/off in any of the usual
cases), ints (with 0x/0o/0b and `_`), floats (`.inf`, `.nan`) — except that `1e-4` is a float here
(YAML 1.2), where PyYAML keeps it a string. Anchors, aliases, tags and multi-document files are not.
"""
import json
import re

__all__ = ["YAMLError", "loads", "load_yaml"]


class YAMLError(ValueError):
    pass


_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"}
_FALSE = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"}
_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*|0[0-9_]+)$")
_INT_BASE = re.compile(r"^[-+]?0([xX][0-9a-fA-F_]+|[oO][0-7_]+|[bB][01_]+)$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9][0-9_]*|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(inf|Inf|INF)$")
_NAN = re.compile(r"^\.(nan|NaN|NAN)$")


def resolve_plain(text):
    """Types a plain (unquoted) scalar the way PyYAML does (see module docstring for the one difference)."""
    t = text.strip()
    if t in _NULLS:
        return None
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    if _INT.match(t):
        return int(t.replace("_", ""), 10)
    if _INT_BASE.match(t):
        sign = -1 if t.startswith("-") else 1
        body = t.lstrip("+-").replace("_", "")
        return sign * int(body, 0)
    if _FLOAT.match(t) and any(c.isdigit() for c in t):
        return float(t.replace("_", ""))
    if _INF.match(t):
        return float("-inf") if t.startswith("-") else float("inf")
    if _NAN.match(t):
        return float("nan")
    return t


def _unquote_double(s, lineno):
    try:
        return json.loads(s)
    except ValueError:
        pass
    # YAML escapes JSON lacks (\x41, \e, \0, \/ ...): decode them by hand.
    out, i, body = [], 0, s[1:-1]
    simple = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "a": "\a", "b": "\b", "e": "\x1b", "f": "\f",
              "v": "\v", '"': '"', "\\": "\\", "/": "/", " ": " ", "N": "\x85", "_": "\xa0"}
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        n = body[i + 1: i + 2]
        if n in simple:
            out.append(simple[n])
            i += 2
        elif n in ("x", "u", "U"):
            width = {"x": 2, "u": 4, "U": 8}[n]
            out.append(chr(int(body[i + 2: i + 2 + width], 16)))
            i += 2 + width
        else:
            raise YAMLError("line %d: unknown escape \\%s" % (lineno, n))
    return "".join(out)


def _strip_comment(text):
    """Removes a trailing `# comment` that is outside quotes (a `#` must follow whitespace)."""
    quote = None
    for i, c in enumerate(text):
        if quote:
            if c == quote:
                if quote == "'" and text[i + 1: i + 2] == "'":
                    continue
                quote = None
            elif c == "\\" and quote == '"':
                continue
        elif c in "\"'" and (i == 0 or text[i - 1] in " \t[{,:-"):
            quote = c
        elif c == "#" and (i == 0 or text[i - 1] in " \t"):
            return text[:i].rstrip()
    return text.rstrip()


def _find_colon(text):
    """Index of the `:` that separates a mapping key from its value, or -1."""
    quote, depth = None, 0
    if text[0] in "\"'":
        q = text[0]
        j = 1
        while j < len(text):
            if text[j] == q:
                if q == "'" and text[j + 1: j + 2] == "'":
                    j += 2
                    continue
                break
            if text[j] == "\\" and q == '"':
                j += 1
            j += 1
        rest = text[j + 1:].lstrip()
        if rest.startswith(":") and (len(rest) == 1 or rest[1] in " \t"):
            return j + 1 + (len(text[j + 1:]) - len(rest))
        return -1
    if text[0] in "[{":
        return -1
    for i, c in enumerate(text):
        if quote:
            if c == quote:
                quote = None
        elif c == ":" and depth == 0 and (i + 1 == len(text) or text[i + 1] in " \t"):
            return i
    return -1


class _Parser:
    def __init__(self, text):
        self.raw = text.splitlines()
        self.lines = []  # (lineno, indent, text, raw index)
        for idx, raw in enumerate(self.raw):
            if "\t" in raw[: len(raw) - len(raw.lstrip())]:
                raise YAMLError("line %d: tabs are not allowed for indentation" % (idx + 1))
            stripped = _strip_comment(raw)
            body = stripped.strip()
            if not body or body in ("---", "...") or body.startswith("%"):
                continue
            if body.startswith("--- "):
                body = body[4:].strip()
            self.lines.append((idx + 1, len(stripped) - len(stripped.lstrip()), body, idx))
        self.i = 0

    def parse(self):
        if not self.lines:
            return None
        value = self.node(self.lines[0][1])
        if self.i < len(self.lines):
            raise YAMLError("line %d: unexpected content (bad indentation?)" % self.lines[self.i][0])
        return value

    def node(self, indent):
        lineno, ind, text, _ = self.lines[self.i]
        if text == "-" or text.startswith("- "):
            return self.seq(ind)
        if _find_colon(text) >= 0:
            return self.mapping(ind)
        self.i += 1
        return self.inline_value(text, lineno, ind)

    def seq(self, indent):
        out = []
        while self.i < len(self.lines):
            lineno, ind, text, raw = self.lines[self.i]
            if ind != indent or not (text == "-" or text.startswith("- ")):
                break
            item = text[1:].lstrip()
            if not item:
                self.i += 1
                if self.i < len(self.lines) and self.lines[self.i][1] > indent:
                    out.append(self.node(self.lines[self.i][1]))
                else:
                    out.append(None)
                continue
            sub = ind + (len(text) - len(item))
            if item == "-" or item.startswith("- ") or _find_colon(item) >= 0:
                # `- key: v` or `- - x`: the item is a block node starting inside this line.
                self.lines[self.i] = (lineno, sub, item, raw)
                out.append(self.node(sub))
            else:
                self.i += 1
                out.append(self.inline_value(item, lineno, ind))
        return out

    def mapping(self, indent):
        out = {}
        while self.i < len(self.lines):
            lineno, ind, text, raw = self.lines[self.i]
            if ind != indent:
                if ind > indent:
                    raise YAMLError("line %d: unexpected indentation" % lineno)
                break
            c = _find_colon(text)
            if c < 0:
                raise YAMLError("line %d: expected `key: value`" % lineno)
            key = self.scalar(text[:c].strip(), lineno)
            if isinstance(key, (list, dict)):
                raise YAMLError("line %d: complex keys are not supported" % lineno)
            rest = text[c + 1:].strip()
            self.i += 1
            if rest:
                out[key] = self.inline_value(rest, lineno, ind)
            elif self.i < len(self.lines) and self.lines[self.i][1] > indent:
                out[key] = self.node(self.lines[self.i][1])
            elif self.i < len(self.lines) and self.lines[self.i][1] == indent and (
                self.lines[self.i][2] == "-" or self.lines[self.i][2].startswith("- ")
            ):
                out[key] = self.seq(indent)  # `key:` followed by a list at the same indentation
            else:
                out[key] = None
        return out

    def inline_value(self, text, lineno, indent):
        if text[0] in "|>":
            return self.block_scalar(text, lineno, indent)
        if text[0] in "[{":
            # A flow collection may span lines: join until the brackets balance.
            buf = text
            while not _balanced(buf):
                if self.i >= len(self.lines):
                    raise YAMLError("line %d: unterminated flow collection" % lineno)
                buf += " " + self.lines[self.i][2]
                self.i += 1
            value, pos = _Flow(buf, lineno).value(0)
            if buf[pos:].strip():
                raise YAMLError("line %d: unexpected text after flow collection" % lineno)
            return value
        return self.scalar(text, lineno)

    def scalar(self, text, lineno):
        if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
            return _unquote_double(text, lineno)
        if len(text) >= 2 and text[0] == "'" and text[-1] == "'":
            return text[1:-1].replace("''", "'")
        if text and text[0] in "&*!":
            raise YAMLError("line %d: anchors, aliases and tags are not supported" % lineno)
        return resolve_plain(text)

    def block_scalar(self, header, lineno, indent):
        style, chomp = header[0], "clip"
        if "-" in header:
            chomp = "strip"
        elif "+" in header:
            chomp = "keep"
        # Block contents are taken from the raw text: comments inside them are content.
        start_raw = self.raw_index_after(lineno)
        body, j = [], start_raw
        block_indent = None
        while j < len(self.raw):
            line = self.raw[j]
            if line.strip() == "":
                body.append("")
                j += 1
                continue
            ind = len(line) - len(line.lstrip())
            if ind <= indent:
                break
            if block_indent is None:
                block_indent = ind
            if ind < block_indent:
                break
            body.append(line[block_indent:])
            j += 1
        while self.i < len(self.lines) and self.lines[self.i][3] < j:
            self.i += 1
        trailing = 0
        while body and body[-1] == "":
            body.pop()
            trailing += 1
        if style == "|":
            text = "\n".join(body)
        else:
            parts, para = [], []
            for line in body:
                if line == "":
                    parts.append(" ".join(para))
                    para = []
                else:
                    para.append(line)
            parts.append(" ".join(para))
            text = "\n".join(parts)
        if chomp == "strip" or not body:
            return text
        return text + "\n" + ("\n" * trailing if chomp == "keep" else "")

    def raw_index_after(self, lineno):
        return lineno  # raw lines are 0-based, line numbers 1-based: the next raw line


def _balanced(s):
    depth, quote = 0, None
    for c in s:
        if quote:
            if c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
    return depth <= 0


class _Flow:
    def __init__(self, s, lineno):
        self.s, self.lineno = s, lineno

    def err(self, msg):
        return YAMLError("line %d: %s" % (self.lineno, msg))

    def ws(self, p):
        while p < len(self.s) and self.s[p] in " \t":
            p += 1
        return p

    def value(self, p):
        p = self.ws(p)
        if p >= len(self.s):
            raise self.err("unexpected end of flow collection")
        c = self.s[p]
        if c == "[":
            out, p = [], self.ws(p + 1)
            if self.s[p: p + 1] == "]":
                return out, p + 1
            while True:
                v, p = self.value(p)
                out.append(v)
                p = self.ws(p)
                if self.s[p: p + 1] == ",":
                    p = self.ws(p + 1)
                    if self.s[p: p + 1] == "]":
                        return out, p + 1
                elif self.s[p: p + 1] == "]":
                    return out, p + 1
                else:
                    raise self.err("expected , or ] in flow list")
        if c == "{":
            out, p = {}, self.ws(p + 1)
            if self.s[p: p + 1] == "}":
                return out, p + 1
            while True:
                k, p = self.value(p)
                p = self.ws(p)
                if self.s[p: p + 1] == ":":
                    v, p = self.value(p + 1)
                else:
                    v = None
                out[k] = v
                p = self.ws(p)
                if self.s[p: p + 1] == ",":
                    p = self.ws(p + 1)
                    if self.s[p: p + 1] == "}":
                        return out, p + 1
                elif self.s[p: p + 1] == "}":
                    return out, p + 1
                else:
                    raise self.err("expected , or } in flow map")
        if c in "\"'":
            j = p + 1
            while j < len(self.s):
                if self.s[j] == c:
                    if c == "'" and self.s[j + 1: j + 2] == "'":
                        j += 2
                        continue
                    break
                if self.s[j] == "\\" and c == '"':
                    j += 1
                j += 1
            if j >= len(self.s):
                raise self.err("unterminated string")
            text = self.s[p: j + 1]
            return (_unquote_double(text, self.lineno) if c == '"' else text[1:-1].replace("''", "'")), j + 1
        j = p
        while j < len(self.s):
            ch = self.s[j]
            if ch in ",]}" or (ch == ":" and (j + 1 == len(self.s) or self.s[j + 1] in " \t,]}")):
                break
            j += 1
        return resolve_plain(self.s[p:j]), j


def loads(text):
    """Parses YAML text with this module's subset (never PyYAML)."""
    return _Parser(text).parse()


def load_yaml(path):
    """Loads a YAML file with PyYAML's safe loader if importable, else with `loads`."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        import yaml  # type: ignore
    except Exception:
        return loads(text)
    return yaml.safe_load(text)
