"""Label schemas: the default news schema, and every validation error with its file and line."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.labels import (
    PALETTE,
    RESERVED_KEYS,
    SchemaError,
    default_schema_path,
    load_default_schema,
    load_schema,
    parse_schema,
)
from annotator.model import ATTRIBUTE_TYPES, LabelSchema

ROOT = Path(__file__).resolve().parent.parent

HEAD = 'name = "t"\nversion = 1\n'  # lines 1-2 of most bad schemas below


def errors(text: str) -> str:
    """Parse `text` as bad.toml and return the rendered SchemaError."""
    with pytest.raises(SchemaError) as info:
        parse_schema(textwrap.dedent(text), "bad.toml")
    rendered = str(info.value)
    assert rendered.splitlines() == [str(p) for p in info.value.problems]
    return rendered


def toml_str(text: str) -> str:
    """A TOML basic string for any text (escapes everything that is not plainly printable)."""
    return (
        '"'
        + "".join(c if c.isprintable() and c not in '"\\' else f"\\U{ord(c):08x}" for c in text)
        + '"'
    )


def one_error(text: str) -> str:
    rendered = errors(text)
    assert len(rendered.splitlines()) == 1, rendered
    return rendered


# --- the default schema --------------------------------------------------------------------


def test_default_schema_loads_with_everything_it_should_have() -> None:
    schema = load_default_schema()
    assert (schema.name, schema.version, schema.ref) == ("news", 2, "news@2")
    assert schema.description
    names = [lab.name for lab in schema.labels]
    assert names[:6] == ["PERSON", "ORG", "LOC", "DATE", "NUMBER", "CLAIM"]
    assert {"EQUIPMENT", "EVENT"} <= set(names)
    keys = {lab.name: lab.key for lab in schema.labels}
    assert keys["PERSON"] == "1"
    assert keys["ORG"] == "2"
    assert keys["LOC"] == "3"
    assert keys["DATE"] == "4"
    assert keys["NUMBER"] == "5"
    assert keys["CLAIM"] == "6"
    assert len(set(keys.values())) == len(keys)
    assert not set(keys.values()) & set(RESERVED_KEYS)
    colors = [lab.color for lab in schema.labels]
    assert len(set(colors)) == len(colors)
    assert all(c.startswith("#") and len(c) == 7 for c in colors)
    assert all(lab.description for lab in schema.labels)
    assert schema.label_for_key("5") == schema.label("NUMBER")

    number = schema.label("NUMBER")
    assert number is not None
    assert number.kind == "number"
    assert [(a.name, a.type) for a in number.attributes] == [
        ("value", "number"),
        ("unit", "text"),
        ("qualifier", "choice"),
    ]
    qualifier = number.attribute("qualifier")
    assert qualifier is not None
    assert qualifier.choices == ("exact", "approximate", "at least", "at most")

    claim = schema.label("CLAIM")
    assert claim is not None
    assert claim.kind == "claim"
    speaker, stance, certainty = (claim.attribute(n) for n in ("speaker", "stance", "certainty"))
    assert speaker is not None
    assert speaker.type == "span"
    assert speaker.labels == ("PERSON", "ORG")
    assert stance is not None
    assert stance.choices == ("asserts", "denies", "questions", "reports")
    assert certainty is not None
    assert certainty.choices == ("certain", "probable", "possible", "doubtful")
    for name in ("PERSON", "ORG", "LOC", "DATE", "EQUIPMENT", "EVENT"):
        assert schema.label(name).kind == "entity"  # type: ignore[union-attr]


def test_default_schema_link_types() -> None:
    schema = load_default_schema()
    names = ("SAME_CLAIM", "CONTRADICTS", "SUPPORTS")
    same, contradicts, supports = (schema.link_type(n) for n in names)
    assert same is not None
    assert same.key == "s"
    assert same.symmetric
    assert same.from_labels == same.to_labels == ("CLAIM",)
    assert contradicts is not None
    assert contradicts.symmetric
    assert contradicts.allows("CLAIM", "CLAIM")
    assert contradicts.allows("NUMBER", "NUMBER")
    assert supports is not None
    assert not supports.symmetric
    assert supports.allows("CLAIM", "CLAIM")
    link_keys = [lt.key for lt in schema.links]
    assert len(set(link_keys)) == len(link_keys)
    assert not set(link_keys) & set(RESERVED_KEYS)
    assert not set(link_keys) & {lab.key for lab in schema.labels}
    assert [lt.name for lt in schema.link_types_between("PERSON", "CLAIM")] == []


def test_packaged_and_repo_news_schemas_are_byte_identical() -> None:
    packaged = default_schema_path()
    assert packaged.parts[-3:] == ("resources", "labels", "news.toml")
    assert packaged.read_bytes() == (ROOT / "labels" / "news.toml").read_bytes()


def test_reparsing_the_source_gives_an_equal_schema() -> None:
    schema = load_default_schema()
    assert schema.source == default_schema_path().read_text(encoding="utf-8")
    again = parse_schema(schema.source, "other.toml")
    assert again == schema
    assert load_schema(ROOT / "labels" / "news.toml") == schema


def test_importing_labels_does_not_load_textual() -> None:
    code = "import sys, annotator.labels; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_reserved_keys_cover_design_section_7() -> None:
    expected = set("hjklwb{}gGvx[]<>eLonNuDq?/c") | {
        "tab", "escape", "enter", "space", "delete", "ctrl+w", "ctrl+r", "shift+tab",
    }  # fmt: skip
    assert expected <= set(RESERVED_KEYS)
    assert RESERVED_KEYS["u"] == "undo"
    assert RESERVED_KEYS["ctrl+r"] == "redo"
    assert all(isinstance(v, str) and v for v in RESERVED_KEYS.values())
    assert not set("0123456789") & set(RESERVED_KEYS)


# --- a minimal valid schema, colours ------------------------------------------------------------


def test_minimal_schema_gets_palette_colours_by_position() -> None:
    text = HEAD + textwrap.dedent("""\
        [[labels]]
        name = "A"
        kind = "entity"
        key = "1"
        [[labels]]
        name = "B"
        kind = "entity"
        key = "2"
        color = "#5FAFFF"
        [[labels]]
        name = "C"
        kind = "claim"
        key = "3"
        """)
    schema = parse_schema(text)
    assert isinstance(schema, LabelSchema)
    a, b, c = schema.labels
    assert b.color == "#5fafff"  # normalised to lower case
    # the explicit colour is not handed out again; the others take the palette in order
    assert (a.color, c.color) == (PALETTE[1], PALETTE[2])
    assert parse_schema(text) == schema  # deterministic
    assert schema.links == ()
    assert schema.description == ""
    assert schema.source == text


@pytest.mark.parametrize(
    ("color", "stored"),
    [("#abc", "#aabbcc"), ("#A0B1C2", "#a0b1c2"), ("red", "red"), ("dodger_blue1", "dodger_blue1")],
)
def test_accepted_colours(color: str, stored: str) -> None:
    text = HEAD + f'[[labels]]\nname = "A"\nkind = "entity"\nkey = "1"\ncolor = "{color}"\n'
    assert parse_schema(text).labels[0].color == stored


@pytest.mark.parametrize("color", ["#abcd", "blurple", "default", "5fafff", "#ggg"])
def test_bad_colour(color: str) -> None:
    text = HEAD + f'[[labels]]\nname = "A"\nkind = "entity"\nkey = "1"\ncolor = "{color}"\n'
    assert f'bad.toml:7: label "A": color "{color}" is not a colour' in one_error(text)


# --- top level ---------------------------------------------------------------------------------

LABEL = '[[labels]]\nname = "A"\nkind = "entity"\nkey = "1"\n'


def test_missing_name_and_version() -> None:
    err = errors("description = 'x'\n" + LABEL)
    assert "bad.toml: schema name is missing" in err
    assert "bad.toml: schema version is missing" in err


def test_empty_name() -> None:
    assert "bad.toml:1: schema name must be a non-empty string" in one_error(
        'name = "  "\nversion = 1\n' + LABEL
    )


@pytest.mark.parametrize("version", ["0", "-3", '"1"', "1.5", "true", "[1]"])
def test_version_must_be_a_positive_int(version: str) -> None:
    err = one_error(f'name = "t"\nversion = {version}\n' + LABEL)
    assert f"bad.toml:2: schema version must be a positive integer, not {version}" in err


def test_no_labels() -> None:
    assert "bad.toml: the schema has no labels" in one_error(HEAD)
    assert "bad.toml:3: the schema has no labels" in one_error(HEAD + "labels = []\n")


def test_labels_must_be_tables() -> None:
    err = one_error(HEAD + 'labels = ["A"]\n')
    assert "bad.toml:3: labels must be an array of tables ([[labels]])" in err


def test_unknown_top_level_field() -> None:
    err = one_error(HEAD + 'descripton = "typo"\n' + LABEL)
    assert 'bad.toml:3: unknown field "descripton" (did you mean "description"?)' in err


# --- labels ------------------------------------------------------------------------------------


def test_label_without_name() -> None:
    err = one_error(HEAD + '[[labels]]\nkind = "entity"\nkey = "1"\n')
    assert "bad.toml:3: label #1: name is missing" in err


def test_duplicate_label_name() -> None:
    err = one_error(HEAD + LABEL + '[[labels]]\nname = "A"\nkind = "entity"\nkey = "2"\n')
    assert 'bad.toml:8: duplicate label name "A" (first on line 4)' in err


@pytest.mark.parametrize("kind", ['"person"', '"Entity"', "1"])
def test_bad_kind(kind: str) -> None:
    err = one_error(HEAD + f'[[labels]]\nname = "A"\nkind = {kind}\nkey = "1"\n')
    assert 'bad.toml:5: label "A": kind ' in err
    assert "is not one of entity, number, claim" in err


def test_missing_kind_points_at_the_table() -> None:
    err = one_error(HEAD + '\n[[labels]]\nname = "A"\nkey = "1"\n')
    assert 'bad.toml:4: label "A": kind is missing, it must be one of entity, number, claim' in err


def test_missing_key() -> None:
    err = one_error(HEAD + '[[labels]]\nname = "A"\nkind = "entity"\n')
    assert 'bad.toml:3: label "A": key is missing' in err


@pytest.mark.parametrize("key", ['"12"', '""', '"\\t"', "1", '"ctrl+a"'])
def test_key_must_be_one_printable_character(key: str) -> None:
    err = one_error(HEAD + f'[[labels]]\nname = "A"\nkind = "entity"\nkey = {key}\n')
    assert 'bad.toml:6: label "A": key ' in err
    assert "must be exactly one printable character" in err


@pytest.mark.parametrize(
    ("key", "action"),
    [("u", "undo"), ("q", "quit"), ("?", "help"), ("c", "toggle character-precision selection"),
     ("L", "link spans"), ("[", "previous span"), (" ", RESERVED_KEYS["space"])],
)  # fmt: skip
def test_reserved_key_says_which_binding_it_shadows(key: str, action: str) -> None:
    err = one_error(HEAD + f'[[labels]]\nname = "A"\nkind = "entity"\nkey = "{key}"\n')
    assert f'bad.toml:6: label "A": key "{key}" is reserved for {action}' in err


def test_uppercase_and_lowercase_keys_are_distinct() -> None:
    text = HEAD + LABEL + '[[labels]]\nname = "B"\nkind = "entity"\nkey = "d"\n'
    assert parse_schema(text).label_for_key("d").name == "B"  # type: ignore[union-attr]
    bad = HEAD + LABEL + '[[labels]]\nname = "B"\nkind = "entity"\nkey = "D"\n'
    assert 'bad.toml:10: label "B": key "D" is reserved for mark document done' in one_error(bad)


def test_duplicate_label_key() -> None:
    err = one_error(HEAD + LABEL + '[[labels]]\nname = "B"\nkind = "entity"\nkey = "1"\n')
    assert 'bad.toml:10: label "B": key "1" is already used by label "A"' in err


def test_unknown_label_field_suggests_the_right_one() -> None:
    err = one_error(HEAD + LABEL + 'colour = "#fff"\n')
    assert 'bad.toml:7: label "A": unknown field "colour" (did you mean "color"?)' in err


# --- attributes --------------------------------------------------------------------------------

NUM = HEAD + '[[labels]]\nname = "N"\nkind = "number"\nkey = "5"\n'  # attributes start on line 7


def test_bad_attribute_type() -> None:
    err = one_error(NUM + '  [[labels.attributes]]\n  name = "value"\n  type = "integer"\n')
    assert 'bad.toml:9: label "N": attribute "value": type "integer" is not one of ' in err
    assert ", ".join(ATTRIBUTE_TYPES) in err


def test_missing_attribute_type_and_name() -> None:
    err = errors(NUM + "  [[labels.attributes]]\n  description = 'x'\n")
    assert 'bad.toml:7: label "N": attribute #1: name is missing' in err
    assert 'bad.toml:7: label "N": attribute #1: type is missing, it must be one of' in err


def test_choice_without_choices() -> None:
    missing = one_error(NUM + '[[labels.attributes]]\nname = "q"\ntype = "choice"\n')
    assert 'bad.toml:7: label "N": attribute "q": a choice attribute needs a non-empty' in missing
    empty = one_error(NUM + '[[labels.attributes]]\nname = "q"\ntype = "choice"\nchoices = []\n')
    assert 'bad.toml:10: label "N": attribute "q": a choice attribute needs a non-empty' in empty


def test_bad_choices() -> None:
    attr = NUM + '[[labels.attributes]]\nname = "q"\ntype = "choice"\n'
    assert "bad.toml:10: " in one_error(attr + 'choices = ["a", 2]\n')
    assert "must not repeat" in one_error(attr + 'choices = ["a", "a"]\n')
    text = NUM + '[[labels.attributes]]\nname = "u"\ntype = "text"\nchoices = ["a"]\n'
    assert 'bad.toml:10: label "N": attribute "u": choices only apply to choice' in one_error(text)


def test_duplicate_attribute_names() -> None:
    attr = '  [[labels.attributes]]\n  name = "value"\n  type = "number"\n'
    err = one_error(NUM + attr + attr)
    assert 'bad.toml:11: label "N": duplicate attribute "value"' in err


def test_span_attribute_with_unknown_label() -> None:
    text = HEAD + textwrap.dedent("""\
        [[labels]]
        name = "CLAIM"
        kind = "claim"
        key = "6"
          [[labels.attributes]]
          name = "speaker"
          type = "span"
          labels = ["PERSON", "CLAIM"]
        """)
    err = one_error(text)
    assert 'bad.toml:10: label "CLAIM": attribute "speaker": unknown label "PERSON"' in err


def test_span_labels_may_name_a_label_defined_later() -> None:
    text = HEAD + textwrap.dedent("""\
        [[labels]]
        name = "CLAIM"
        kind = "claim"
        key = "6"
        attributes = [{name = "speaker", type = "span", labels = ["PERSON"]}]
        [[labels]]
        name = "PERSON"
        kind = "entity"
        key = "1"
        """)
    speaker = parse_schema(text).label("CLAIM").attribute("speaker")  # type: ignore[union-attr]
    assert speaker is not None
    assert speaker.labels == ("PERSON",)


def test_attribute_defaults_must_fit() -> None:
    attr = NUM + '[[labels.attributes]]\nname = "q"\n'
    good = attr + 'type = "choice"\nchoices = ["a", "b"]\ndefault = "b"\n'
    assert parse_schema(good).labels[0].attributes[0].default == "b"
    assert "bad.toml:11: " in one_error(attr + 'type = "choice"\nchoices = ["a"]\ndefault = "z"\n')
    assert "bad.toml:10: " in one_error(attr + 'type = "number"\ndefault = "3"\n')
    assert "bad.toml:10: " in one_error(attr + 'type = "bool"\ndefault = 1\n')


def test_unknown_attribute_field() -> None:
    err = one_error(NUM + '[[labels.attributes]]\nname = "v"\ntype = "number"\nchoice = ["a"]\n')
    assert 'bad.toml:10: label "N": attribute "v": unknown field "choice"' in err


# --- links -------------------------------------------------------------------------------------

TWO = HEAD + LABEL + '[[labels]]\nname = "B"\nkind = "claim"\nkey = "2"\n'  # links start on line 11


def link(name: str = "L1", key: str = "s", extra: str = "") -> str:
    return f'[[links]]\nname = "{name}"\nkey = "{key}"\nfrom = ["A"]\nto = ["B"]\n{extra}'


def test_valid_links() -> None:
    schema = parse_schema(TWO + link() + link("L2", "t", "symmetric = true\n"))
    assert [(lt.name, lt.key, lt.symmetric) for lt in schema.links] == [
        ("L1", "s", False),
        ("L2", "t", True),
    ]
    assert schema.links[0].allows("A", "B")
    assert not schema.links[0].allows("B", "A")


def test_duplicate_link_name_and_key() -> None:
    err = errors(TWO + link() + link())
    assert 'bad.toml:17: duplicate link name "L1"' in err
    assert 'bad.toml:18: link "L1": key "s" is already used by link "L1"' in err


def test_link_key_reserved_or_used_by_a_label() -> None:
    err = one_error(TWO + link(key="c"))
    assert 'bad.toml:13: link "L1": key "c" is reserved for toggle character-precision' in err
    assert 'bad.toml:13: link "L1": key "2" is already used by label "B"' in one_error(
        TWO + link(key="2")
    )


def test_link_with_unknown_labels() -> None:
    err = errors(TWO + '[[links]]\nname = "X"\nkey = "s"\nfrom = ["A", "Z"]\nto = ["Q"]\n')
    assert 'bad.toml:14: link "X": unknown label "Z" in from' in err
    assert 'bad.toml:15: link "X": unknown label "Q" in to' in err


def test_link_bad_fields() -> None:
    err = errors(TWO + link(extra='symmetric = "yes"\nfrom_labels = ["A"]\n'))
    assert 'bad.toml:16: link "L1": symmetric must be true or false' in err
    assert 'bad.toml:17: link "L1": unknown field "from_labels"' in err
    assert "bad.toml:11: link #1: name is missing" in one_error(TWO + '[[links]]\nkey = "s"\n')


# --- several problems, syntax errors, files ---------------------------------------------------


def test_all_problems_are_reported_together_in_line_order() -> None:
    text = textwrap.dedent("""\
        name = "t"
        version = 0
        colour = "red"

        [[labels]]
        name = "PERSON"
        kind = "entity"
        key = "u"

        [[labels]]
        name = "PERSON"
        kind = "thing"
        key = "12"
        color = "nope"

        [[labels]]
        name = "CLAIM"
        kind = "claim"
        key = "6"
          [[labels.attributes]]
          name = "speaker"
          type = "span"
          labels = ["NOBODY"]
          [[labels.attributes]]
          name = "stance"
          type = "choice"

        [[links]]
        name = "SAME"
        key = "6"
        from = ["CLAIM"]
        to = ["GHOST"]
        """)
    lines = errors(text).splitlines()
    assert [line.split(":")[1] for line in lines] == [
        "2", "3", "8", "11", "12", "13", "14", "23", "24", "30", "32",
    ]  # fmt: skip
    assert lines[2] == 'bad.toml:8: label "PERSON": key "u" is reserved for undo'
    assert all(line.startswith("bad.toml:") for line in lines)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('name = "t"\nversion = \n', 2),
        ('name = "t"\nversion = 1\n\n[[labels]\nname = "A"\n', 4),
        ('name = "t"\nname = "u"\n', 2),
        ('name = "t"\ndescription = "unterminated\n', 2),
    ],
)
def test_syntax_errors_carry_the_line(text: str, line: int) -> None:
    err = one_error(text)
    assert err.startswith(f"bad.toml:{line}: TOML syntax error: ")
    assert "(at line" not in err


@pytest.mark.parametrize("nested", ["[" * 5000 + "]" * 5000, "{a = " * 3000 + "1" + "}" * 3000])
def test_deep_nesting_is_refused_not_a_crash(nested: str) -> None:
    assert one_error(f'name = "t"\nversion = 1\nx = {nested}\n') == (
        "bad.toml: TOML nested too deeply")


def test_multiline_strings_and_comments_do_not_confuse_line_numbers() -> None:
    text = textwrap.dedent('''\
        name = "t"  # comment
        version = 1
        description = """
        [[labels]]
        key = "u"
        """
        # [[labels]]
        [[labels]]
        name = "A"
        kind = "entity"
        key = "x"
        ''')
    assert 'bad.toml:11: label "A": key "x" is reserved for delete span' in one_error(text)


def test_multiline_arrays_do_not_confuse_line_numbers() -> None:
    text = NUM + textwrap.dedent("""\
          [[labels.attributes]]
          name = "q"
          type = "choice"
          choices = [
            "a",   # [not a table]
            ["b"]
          ]
          default = "z"
        """)
    err = errors(text)
    assert 'bad.toml:10: label "N": attribute "q": choices must be a list of non-empty' in err
    assert 'bad.toml:14: label "N": attribute "q": default "z" is not a choice' in err


def test_load_schema_reports_the_path(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(HEAD + '[[labels]]\nname = "A"\nkind = "entity"\nkey = "u"\n', encoding="utf-8")
    with pytest.raises(SchemaError) as info:
        load_schema(bad)
    assert str(info.value) == f'{bad}:6: label "A": key "u" is reserved for undo'
    assert info.value.problems[0].file == str(bad)
    assert info.value.problems[0].line == 6
    missing = tmp_path / "missing.toml"
    with pytest.raises(SchemaError, match="missing.toml: cannot read"):
        load_schema(missing)
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b'name = "t"\n\xff\n')
    with pytest.raises(SchemaError, match=r"binary.toml:2: not valid UTF-8"):
        load_schema(binary)


def test_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + (HEAD + LABEL).encode())
    assert load_schema(path).labels[0].name == "A"


def test_schema_error_is_an_exception_with_problems() -> None:
    with pytest.raises(SchemaError) as info:
        parse_schema("")
    assert isinstance(info.value, Exception)
    assert {p.file for p in info.value.problems} == {"<string>"}
    assert all(p.line is None for p in info.value.problems)


# --- properties --------------------------------------------------------------------------------

# label keys nothing in the TUI is bound to
FREE_KEYS = [k for k in "0123456789dimpstBCEJMOPQSTVZ@#$%&+"]
assert not set(FREE_KEYS) & set(RESERVED_KEYS)

label_specs = st.lists(
    st.tuples(
        st.from_regex(r"[A-Z][A-Z_]{0,11}", fullmatch=True),
        st.sampled_from(["entity", "number", "claim"]),
        st.none() | st.sampled_from(PALETTE) | st.from_regex(r"#[0-9a-f]{6}", fullmatch=True),
        st.text(st.characters(codec="utf-8"), max_size=20),
    ),
    min_size=1,
    max_size=len(FREE_KEYS),
    unique_by=lambda spec: spec[0],
)


@settings(max_examples=60, deadline=None)
@given(label_specs)
def test_generated_schemas_round_trip(specs: list[tuple[str, str, str | None, str]]) -> None:
    parts = [HEAD]
    for (name, kind, color, description), key in zip(specs, FREE_KEYS, strict=False):
        parts.append(f"[[labels]]\nname = {toml_str(name)}\nkind = {toml_str(kind)}\n")
        parts.append(f"key = {toml_str(key)}\ndescription = {toml_str(description)}\n")
        if color:
            parts.append(f'color = "{color}"\n')
    schema = parse_schema("".join(parts))
    assert [(lab.name, lab.kind, lab.description) for lab in schema.labels] == [
        (name, kind, description) for name, kind, _, description in specs
    ]
    assert [lab.key for lab in schema.labels] == FREE_KEYS[: len(specs)]
    for lab, (_, _, color, _) in zip(schema.labels, specs, strict=True):
        assert lab.color == color if color else lab.color in PALETTE
    assert parse_schema(schema.source) == schema


@settings(max_examples=80, deadline=None)
@given(st.characters(codec="utf-8"))
def test_any_single_character_key_is_accepted_or_refused_with_a_reason(key: str) -> None:
    text = HEAD + f'[[labels]]\nname = "A"\nkind = "entity"\nkey = {toml_str(key)}\n'
    if key.isprintable() and key != " " and key not in RESERVED_KEYS:
        assert parse_schema(text).labels[0].key == key
    else:
        reason = r'^<string>:6: label "A": key .*(reserved for|one printable character)'
        with pytest.raises(SchemaError, match=reason):
            parse_schema(text)


# --- names that would rewrite the terminal or disguise themselves (issue #8, point 6) ------

HOSTILE_NAMES = {
    "escape": ("A\x1b]0;t\x07", "U+001B, U+0007"),
    "c1": ("A\x9b31m", "U+009B"),
    "bidi": ("A\u202eB", "U+202E"),
    "isolate": ("A\u2066B\u2069", "U+2066, U+2069"),
    "invisible": ("A\u200bB", "U+200B"),
    "newline": ("A\nB", "U+000A"),
}


@pytest.mark.parametrize(("name", "codes"), HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
def test_names_with_control_bidi_or_invisible_characters_are_refused(name: str,
                                                                      codes: str) -> None:
    shown = toml_str(name)
    err = errors(
        f"name = {shown}\nversion = 1\n"
        f"[[labels]]\nname = {shown}\nkind = \"entity\"\nkey = \"1\"\n"
        "[[labels]]\nname = \"B\"\nkind = \"claim\"\nkey = \"2\"\n"
        f"  [[labels.attributes]]\n  name = {shown}\n  type = \"choice\"\n"
        f"  choices = [\"ok\", {shown}]\n"
        f"[[links]]\nname = {shown}\nkey = \"s\"\n"
    )
    lines = err.splitlines()
    assert len(lines) == 5, err
    why = f"contains control, bidi or invisible characters ({codes})"
    assert lines[0].startswith("bad.toml:1: schema name ")
    assert lines[1].startswith("bad.toml:4: label ")
    assert lines[2].startswith("bad.toml:12: label \"B\": attribute ")
    assert lines[3].startswith("bad.toml:14: label \"B\": attribute ")
    assert "choice " in lines[3]
    assert lines[4].startswith("bad.toml:16: link ")
    assert all(line.endswith(why) for line in lines)
    for line in lines:  # the message shows them escaped or as placeholders, never raw
        assert not any(c in line for c in name if not c.isprintable())


def test_names_with_joiners_and_marks_are_fine() -> None:
    schema = parse_schema(HEAD + '[[labels]]\nname = "Zoë e\u0301 می\u200cخواهم"\n'
                          'kind = "entity"\nkey = "1"\n')
    assert schema.labels[0].name == "Zoë e\u0301 می\u200cخواهم"
