"""Load and validate label schemas (labels/*.toml, docs/labels.md) into model.LabelSchema."""

from __future__ import annotations

import difflib
import itertools
import json
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rich.color import Color, ColorParseError

from annotator import suggest_rules
from annotator.keymap import reserved_keys
from annotator.model import ATTRIBUTE_TYPES, AttributeDef, Kind, LabelDef, LabelSchema, LinkTypeDef
from annotator.sanitize import escape_json_controls, safe_line, unsafe_characters

RESERVED_KEYS: dict[str, str] = reserved_keys()
"""Every key of the annotation screen (annotator/keymap.py, docs/keys.md) and its action; label
and link keys must avoid them."""

PALETTE = (
    "#5fafff", "#ffaf5f", "#5fd787", "#d787d7", "#ffd75f", "#ff8787",
    "#5fd7d7", "#af87ff", "#d7af87", "#87d700", "#ff87af", "#87afd7",
)  # fmt: skip
"""Mid-lightness xterm-256 colours: exact on 256-colour terminals, readable on dark and light."""

_TOP = ("name", "version", "description", "labels", "links", "suggest", "suggest_numbers")
_LABEL = ("name", "kind", "key", "color", "description", "attributes", "form_on_label")
_ATTR = ("name", "type", "choices", "description", "labels", "default")
_LINK = ("name", "key", "from", "to", "symmetric", "description")
_KINDS = tuple(k.value for k in Kind)
_Table = dict[str, Any]
_Loc = tuple[Any, ...]  # where a value sits in the TOML: ("labels", 2, "attributes", 0, "name")
_HEADER = re.compile(r"^\s*(\[\[?)([^\[\]]+)\]\]?\s*(?:#.*)?$")
_KEY_LINE = re.compile(r"""^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")
_STRINGS = re.compile(r""""(?:[^"\\]|\\.)*"|'[^']*'""")
_SYNTAX_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a schema is refused; `line` is None when no single line is to blame."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"


class SchemaError(Exception):
    """A schema that cannot be used; `problems` lists every reason, one line each in str()."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.line is not None, p.line or 0))
        super().__init__("\n".join(str(p) for p in self.problems))


def default_schema_path() -> Path:
    return Path(__file__).parent / "resources" / "labels" / "news.toml"


def load_default_schema() -> LabelSchema:
    return load_schema(default_schema_path())


def load_schema(path: str | Path) -> LabelSchema:
    filename = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise SchemaError([Problem(filename, None, f"cannot read: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SchemaError([Problem(filename, line, "not valid UTF-8")]) from None
    return parse_schema(text, filename)


def parse_schema(text: str, filename: str = "<string>") -> LabelSchema:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg, line = str(exc), None
        if m := _SYNTAX_AT.search(msg):
            msg, line = f"{msg[: m.start()]} (column {m.group(2)})", int(m.group(1))
        elif msg.endswith(" (at end of document)"):
            msg, line = msg.removesuffix(" (at end of document)"), max(1, len(text.splitlines()))
        raise SchemaError([Problem(filename, line, f"TOML syntax error: {msg}")]) from None
    except RecursionError:
        raise SchemaError([Problem(filename, None, "TOML nested too deeply")]) from None
    checker = _Checker(filename, text)
    schema = checker.schema(data)
    if checker.problems:
        raise SchemaError(checker.problems)
    return schema


def _line_map(text: str) -> dict[tuple[Any, ...], int]:
    """Map table paths like ("labels", 2) and field paths ("labels", 2, "key") to 1-based lines."""
    lines: dict[tuple[Any, ...], int] = {}
    arrays: dict[tuple[Any, ...], int] = {}  # array-of-tables path -> index of its last element
    current: tuple[Any, ...] = ()
    in_string: str | None = None  # the delimiter of a multi-line string we are inside
    depth = 0  # open brackets of a multi-line array value

    def resolve(parts: list[str]) -> tuple[Any, ...]:
        path: tuple[Any, ...] = ()
        for part in parts:
            path += (part,)
            if path in arrays:
                path += (arrays[path],)
        return path

    for number, line in enumerate(text.splitlines(), start=1):
        if in_string:
            if in_string in line:
                in_string = None
            continue
        bare = _STRINGS.sub("", line).split("#")[0]  # brackets outside strings and comments
        if depth:
            depth = max(0, depth + bare.count("[") - bare.count("]"))
        elif m := _HEADER.match(line):
            parts = [p.strip().strip("\"'") for p in m.group(2).split(".")]
            if m.group(1) == "[[":
                array = resolve(parts[:-1]) + (parts[-1],)
                arrays[array] = arrays.get(array, -1) + 1
                current = array + (arrays[array],)
            else:
                current = resolve(parts)
            lines.setdefault(current, number)
        elif m := _KEY_LINE.match(line):
            lines.setdefault(current + (m.group(1).strip("\"'"),), number)
            depth = max(0, bare.count("[") - bare.count("]"))
        for delim in ('"""', "'''"):
            if line.count(delim) % 2:
                in_string = delim
    return lines


class _Checker:
    """Turns parsed TOML into a LabelSchema, collecting every problem with its line.

    `where` prefixes messages with the table being checked ('label "NUMBER": attribute "unit": ').
    """

    def __init__(self, filename: str, source: str) -> None:
        self.file, self.source = filename, source
        self.lines = _line_map(source)
        self.problems: list[Problem] = []
        self.where = ""
        self.known: set[str] = set()  # label names
        self.taken: dict[str, str] = {}  # key -> 'label "X"' / 'link "Y"'

    def add(self, path: _Loc, message: str, prefix: bool = True) -> None:
        while path and path not in self.lines:
            path = path[:-1]
        text = self.where + message if prefix else message
        self.problems.append(Problem(self.file, self.lines.get(path), text))

    def enter(self, what: str, table: _Table, number: int) -> None:
        name = table.get("name")
        if isinstance(name, str):
            self.where += f'{what} "{safe_line(name, 60)}": '
        else:
            self.where += f"{what} #{number + 1}: "

    def unknown(self, table: _Table, path: _Loc, allowed: tuple[str, ...]) -> None:
        for field in table:
            if field not in allowed:
                close = difflib.get_close_matches(field, allowed, n=1)
                hint = f' (did you mean "{close[0]}"?)' if close else ""
                self.add(path + (field,), f'unknown field "{field}"{hint}')

    def string(self, table: _Table, path: _Loc, field: str, required: bool = False) -> str:
        value = table.get(field)
        if value is None:
            if required:
                self.add(path, f"{field} is missing")
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            self.add(path + (field,), f"{field} must be a non-empty string")
            return ""
        return value

    def name(self, table: _Table, path: _Loc, field: str = "name") -> str:
        """A required name shown on screen, in keys' help and in exports: no control, bidi or
        invisible characters (they would rewrite the terminal or disguise the name)."""
        value = self.string(table, path, field, required=True)
        if value and (bad := unsafe_characters(value)):
            self.add(path + (field,), f"{field} {_show(value)} contains control, bidi or"
                                      f" invisible characters ({', '.join(bad)})")
            return ""
        return value

    def tables(self, table: _Table, path: _Loc, field: str) -> list[_Table]:
        value = table.get(field, [])
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            return value
        self.add(path + (field,), f"{field} must be an array of tables ([[{field}]])")
        return []

    def names(self, table: _Table, path: _Loc, field: str) -> tuple[str, ...]:
        value = table.get(field, [])
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(path + (field,), f"{field} must be a list of label names")
            return ()
        for name in value:
            if name not in self.known:
                self.add(path + (field,), f'unknown label "{name}" in {field}')
        return tuple(value)

    def key(self, table: _Table, path: _Loc, owner: str) -> str:
        key = table.get("key")
        if key is None:
            self.add(path, "key is missing")
        elif not isinstance(key, str) or len(key) != 1 or not key.isprintable():
            self.add(path + ("key",), f"key {_show(key)} must be exactly one printable character")
        elif action := RESERVED_KEYS.get("space" if key == " " else key):
            self.add(path + ("key",), f'key "{key}" is reserved for {action}')
        elif key in self.taken:
            self.add(path + ("key",), f'key "{key}" is already used by {self.taken[key]}')
        else:
            self.taken[key] = owner
            return key
        return ""

    def color(self, table: _Table, path: _Loc) -> str:
        value = table.get("color")
        if value is None:
            return ""
        if isinstance(value, str) and _HEX.fullmatch(value):
            value = value.lower()
            return "#" + "".join(c * 2 for c in value[1:]) if len(value) == 4 else value
        try:
            if isinstance(value, str) and not Color.parse(value).is_default:
                return value.lower()
        except ColorParseError:
            pass
        hint = '(use "#rrggbb", "#rgb" or a colour name such as "dodger_blue1")'
        self.add(path + ("color",), f"color {_show(value)} is not a colour {hint}")
        return ""

    def schema(self, data: _Table) -> LabelSchema:
        self.unknown(data, (), _TOP)
        self.where = "schema "
        name = self.name(data, ())
        description = self.string(data, (), "description")
        version = data.get("version")
        if type(version) is not int or version < 1:
            got = f"must be a positive integer, not {_show(version)}"
            self.add(("version",), f"version {'is missing' if version is None else got}")
        self.where = ""
        raw_labels = self.tables(data, (), "labels")
        if data.get("labels", []) == []:
            self.add(("labels",), "the schema has no labels: add at least one [[labels]] table")
        self.known = {t["name"] for t in raw_labels if isinstance(t.get("name"), str)}
        labels = [
            self.label(table, ("labels", i), raw_labels) for i, table in enumerate(raw_labels)
        ]
        used = {lab.color for lab in labels if lab.color}
        spare = itertools.cycle([c for c in PALETTE if c not in used] or PALETTE)
        labels = [lab if lab.color else replace(lab, color=next(spare)) for lab in labels]
        links: list[LinkTypeDef] = []
        for i, table in enumerate(self.tables(data, (), "links")):
            links.append(self.link(table, ("links", i), links))
        version = version if isinstance(version, int) else 0
        suggest = suggest_rules.check(self, data)
        return LabelSchema(name, version, tuple(labels), tuple(links), description, self.source,
                           suggest, data.get("suggest_numbers", True) is not False)

    def label(self, table: _Table, path: _Loc, raw_labels: list[_Table]) -> LabelDef:
        self.where = ""
        self.enter("label", table, path[1])
        self.unknown(table, path, _LABEL)
        name = self.name(table, path)
        first = next(i for i, t in enumerate(raw_labels) if t.get("name") == table.get("name"))
        if name and first < path[1]:
            line = self.lines.get(("labels", first, "name"))
            first_on = f" (first on line {line})" if line else ""
            self.add(path + ("name",), f'duplicate label name "{name}"{first_on}', prefix=False)
        kind = table.get("kind")
        if kind not in _KINDS:
            got = "is missing, it must be" if kind is None else f"{_show(kind)} is not"
            self.add(path + ("kind",), f"kind {got} one of {', '.join(_KINDS)}")
        key = self.key(table, path, f'label "{name}"')
        color = self.color(table, path)
        description = self.string(table, path, "description")
        attributes: list[AttributeDef] = []
        label_where = self.where
        for j, attr in enumerate(self.tables(table, path, "attributes")):
            attributes.append(self.attribute(attr, path + ("attributes", j), attributes))
            self.where = label_where
        form = table.get("form_on_label", kind == "claim")
        if not isinstance(form, bool):
            self.add(path + ("form_on_label",), "form_on_label must be true or false")
        return LabelDef(name, str(kind), key, color, description, tuple(attributes),
                        form is True and bool(attributes))

    def attribute(self, table: _Table, path: _Loc, earlier: list[AttributeDef]) -> AttributeDef:
        if isinstance(name := table.get("name"), str) and any(a.name == name for a in earlier):
            self.add(path + ("name",), f'duplicate attribute "{name}"')
        self.enter("attribute", table, path[3])
        self.unknown(table, path, _ATTR)
        name = self.name(table, path)
        kind = table.get("type")
        if kind not in ATTRIBUTE_TYPES:
            got = "is missing, it must be" if kind is None else f"{_show(kind)} is not"
            self.add(path + ("type",), f"type {got} one of {', '.join(ATTRIBUTE_TYPES)}")
            kind = ""
        choices = self.choices(table, path, kind)
        labels = self.names(table, path, "labels")
        if kind not in ("span", "") and labels:
            self.add(path + ("labels",), "labels only apply to span attributes")
        default = table.get("default")
        if default is not None and kind and not _fits(default, kind, choices):
            self.add(path + ("default",), f"default {_show(default)} is not a {kind}")
        description = self.string(table, path, "description")
        return AttributeDef(name, kind, choices, description, labels, default)

    def choices(self, table: _Table, path: _Loc, kind: str) -> tuple[str, ...]:
        value = table.get("choices", [])
        path += ("choices",)
        if not isinstance(value, list) or not all(isinstance(c, str) and c for c in value):
            self.add(path, "choices must be a list of non-empty strings")
        elif len(set(value)) != len(value):
            self.add(path, "choices must not repeat")
        elif kind == "choice" and not value:
            self.add(path, "a choice attribute needs a non-empty list of choices")
        elif kind not in ("choice", "") and value:
            self.add(path, "choices only apply to choice attributes")
        elif bad := [c for c in value if unsafe_characters(c)]:
            chars = ", ".join(dict.fromkeys(u for c in bad for u in unsafe_characters(c)))
            self.add(path, f"choice {_show(bad[0])} contains control, bidi or invisible"
                           f" characters ({chars})")
        else:
            return tuple(value)
        return ()

    def link(self, table: _Table, path: _Loc, earlier: list[LinkTypeDef]) -> LinkTypeDef:
        self.where = ""
        if isinstance(name := table.get("name"), str) and any(lt.name == name for lt in earlier):
            self.add(path + ("name",), f'duplicate link name "{name}"')
        self.enter("link", table, path[1])
        self.unknown(table, path, _LINK)
        name = self.name(table, path)
        key = self.key(table, path, f'link "{name}"')
        symmetric = table.get("symmetric", False)
        if not isinstance(symmetric, bool):
            self.add(path + ("symmetric",), "symmetric must be true or false")
        from_, to = self.names(table, path, "from"), self.names(table, path, "to")
        description = self.string(table, path, "description")
        return LinkTypeDef(name, key, from_, to, symmetric is True, description)


def _show(value: Any) -> str:
    """A value as it would be written in TOML, for messages (controls, bidi and invisible
    characters as \\u escapes, as TOML would write them too)."""
    return escape_json_controls(json.dumps(value, ensure_ascii=False, default=str))


def _fits(value: Any, kind: str, choices: tuple[str, ...]) -> bool:
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "choice":
        return value in choices
    return {"text": str, "bool": bool}.get(kind, type(None)) is type(value)
