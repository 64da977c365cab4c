"""The documentation in the repository (README.md, docs/*.md) stays true to the code.

Links resolve in a clone; nothing points at files outside the repository; every command and
flag the CLI has is in docs/cli.md, and no command it does not have; every key binding is in
docs/keys.md and every reserved key in docs/labels.md; worked examples match what the code
prints today.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from textual.binding import Binding
from textual.keys import KEY_NAME_REPLACEMENTS, _character_to_key

from annotator.cli import main
from annotator.labels import RESERVED_KEYS, load_default_schema
from annotator.numbers import parse_number
from annotator.tui import keys
from annotator.tui.screens.attributes import AttributeForm
from annotator.tui.screens.help import HelpScreen
from annotator.tui.screens.link_type import LinkTypeChooser
from annotator.tui.screens.picker import DocumentPicker
from annotator.tui.widgets.span_list import SpanList

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]

# Built from pieces so that this file does not match itself.
OUTSIDE = ("DESIGN" + ".md", "STYLE" + ".md", ".." + "/shared", "/work" + "/shared")
SKIP_DIRS = {"__pycache__", "build", "node_modules", "exports"}
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
INLINE_CODE = re.compile(r"`[^`\n]*`")


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def prose(text: str) -> str:
    """Markdown without code blocks and inline code, where link syntax means nothing."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    text = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LN")
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6}\s+(.+?)\s*#*$",
                                                    FENCE.sub("", read(path)), re.M)}


# -- links ----------------------------------------------------------------------------------


def test_there_are_pages_to_check() -> None:
    names = {p.name for p in DOCS.glob("*.md")}
    assert {"README.md", "cli.md", "keys.md", "jsonl.md", "labels.md", "numbers.md",
            "architecture.md"} <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves_in_the_repository(page: Path) -> None:
    broken = []
    for target in LINK.findall(prose(read(page))):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto: ...
            continue
        file_part, _, anchor = target.partition("#")
        resolved = (page.parent / file_part).resolve() if file_part else page
        if not resolved.is_relative_to(ROOT) or not resolved.exists():
            broken.append(f"{target}: no such file in the repository")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            broken.append(f"{target}: {resolved.name} has no heading #{anchor}")
    assert not broken, f"{page.relative_to(ROOT)}:\n" + "\n".join(broken)


def test_the_link_checker_sees_a_broken_link(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text("[a](missing.md) `[b](in-code.md)` [c](https://x.org) [d](#top)\n# Top\n",
                    encoding="utf-8")
    assert LINK.findall(prose(read(page))) == ["missing.md", "https://x.org", "#top"]
    assert "top" in anchors(page)
    assert slug("Who you are: `--as`") == "who-you-are---as"


def _repository_files() -> Iterator[Path]:
    for path in sorted(ROOT.rglob("*")):
        parts = path.relative_to(ROOT).parts
        if any(p.startswith(".") or p in SKIP_DIRS or p.endswith(".egg-info") for p in parts):
            continue
        if path.is_file() and not path.name.endswith((".pyc", ".db", ".db-wal", ".db-shm")):
            yield path


def test_no_file_points_outside_the_repository() -> None:
    """A clone has no design file beside it: code, tests and docs cite docs/*.md instead."""
    found = []
    for path in _repository_files():
        data = path.read_bytes()
        if b"\0" in data:
            continue
        text = data.decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if any(needle in line for needle in OUTSIDE):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not found, "\n".join(found)


def test_the_repository_walk_sees_the_code() -> None:
    files = {p.relative_to(ROOT).as_posix() for p in _repository_files()}
    assert {"annotator/cli.py", "tests/test_docs.py", "docs/cli.md", "README.md"} <= files


# -- the command line -----------------------------------------------------------------------


def _commands(group: click.Group, path: str = "") -> Iterator[tuple[str, click.Command]]:
    for name, command in sorted(group.commands.items()):
        full = f"{path} {name}".strip()
        yield full, command
        if isinstance(command, click.Group):
            yield from _commands(command, full)


def _section(text: str, command: str) -> str:
    """The part of cli.md under the heading ## `annotator COMMAND ...`."""
    m = re.search(rf"^## `annotator {re.escape(command)}\b[^\n]*$", text, re.M)
    assert m, f"docs/cli.md has no section ## `annotator {command}`"
    end = text.find("\n## ", m.end())
    return text[m.start(): None if end < 0 else end]


def _options(command: click.Command) -> Iterator[click.Option]:
    for param in command.params:
        if isinstance(param, click.Option) and param.name != "help":
            yield param


def test_every_command_and_flag_is_in_cli_md() -> None:
    text = read(DOCS / "cli.md")
    missing = []
    for opt in _options(main):  # --db, --version: anywhere in the page
        missing += [o for o in opt.opts if not re.search(rf"{re.escape(o)}\b", text)]
        envvars = [opt.envvar] if isinstance(opt.envvar, str) else list(opt.envvar or [])
        missing += [f"${name}" for name in envvars if name not in text]
    for name, command in _commands(main):
        if isinstance(command, click.Group) and command.commands:
            assert f"annotator {name} " in text, f"annotator {name}"
            continue
        section = _section(text, name)
        for opt in _options(command):
            missing += [f"{name} {o}" for o in (*opt.opts, *opt.secondary_opts)
                        if f"`{o}" not in section]
            if isinstance(opt.type, click.Choice):
                missing += [f"{name} {opt.opts[0]} {choice}" for choice in opt.type.choices
                            if not re.search(rf"\b{re.escape(str(choice))}\b", section)]
    assert not missing, "not in docs/cli.md: " + ", ".join(missing)


def test_cli_md_documents_no_command_that_does_not_exist() -> None:
    known = {name for name, _ in _commands(main)}
    headings = re.findall(r"^## `annotator ((?:[a-z][a-z-]* ?)+)", read(DOCS / "cli.md"), re.M)
    assert headings
    for heading in headings:
        assert heading.strip() in known, f"docs/cli.md documents `annotator {heading}`"


def test_every_environment_variable_the_code_reads_is_in_cli_md() -> None:
    text = read(DOCS / "cli.md")
    names = set()
    for path in (ROOT / "annotator").rglob("*.py"):
        names |= set(re.findall(r"environ\.get\(\s*[\"']([A-Z_]+)[\"']", read(path)))
    assert names >= {"ANNOTATOR_DEBUG", "USER"}
    assert not [n for n in sorted(names) if f"`{n}`" not in text]


def test_the_labels_check_example_is_what_the_command_prints(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["labels", "check", "labels/news.toml"])
    assert result.exit_code == 0
    assert result.output in read(DOCS / "cli.md").replace("$ annotator labels check"
                                                          " labels/news.toml\n", "")


# -- keys -----------------------------------------------------------------------------------

_PRINTABLE = {KEY_NAME_REPLACEMENTS.get(k, k): c for c in map(chr, range(33, 127))
              if (k := _character_to_key(c))}


def _shown(key: str) -> str:
    """A Textual key name as docs/keys.md writes it: `}` for right_curly_bracket."""
    return _PRINTABLE.get(key, key)


def _bindings() -> Iterator[tuple[str, str]]:
    """(where, key) for every binding of the annotation screen and its dialogs."""
    sources: dict[str, Sequence[Binding | tuple[str, ...]]] = {
        "screen": keys.screen_bindings(), "document view": keys.view_bindings(),
        "help": HelpScreen.BINDINGS, "picker": DocumentPicker.BINDINGS,
        "attributes": AttributeForm.BINDINGS,
        "link type": LinkTypeChooser.BINDINGS,
        "span list": SpanList.BINDINGS,
    }
    for where, bindings in sources.items():
        for binding in bindings:  # a class's BINDINGS may also hold (keys, action, ...) tuples
            names = binding.key if isinstance(binding, Binding) else binding[0]
            for key in names.split(","):
                yield where, key.strip()
    for key in keys.SEARCH_EDITING:
        yield "search box", key


def test_key_names_are_shown_as_typed() -> None:
    assert [_shown(k) for k in ("right_curly_bracket", "question_mark", "slash",
                                "greater_than_sign", "G", "ctrl+w")] == ["}", "?", "/", ">",
                                                                         "G", "ctrl+w"]


def test_every_key_binding_is_in_keys_md() -> None:
    text = read(DOCS / "keys.md")
    found = list(_bindings())
    assert len(found) > 40
    missing = sorted({f"{where}: {_shown(key)}" for where, key in found
                      if f"`{_shown(key)}`" not in text})
    assert not missing, "not in docs/keys.md: " + ", ".join(missing)


def test_the_default_label_and_link_keys_are_in_keys_md() -> None:
    text = read(DOCS / "keys.md")
    schema = load_default_schema()
    pairs = [(lab.key, lab.name) for lab in schema.labels]
    pairs += [(lt.key, lt.name) for lt in schema.links]
    assert not [name for key, name in pairs if f"`{key}` {name}" not in text]


def test_every_reserved_key_is_in_labels_md() -> None:
    text = read(DOCS / "labels.md")
    missing = [key for key in RESERVED_KEYS
               if not (f"`{key}`" in text or (key == "space" and "space bar" in text))]
    assert not missing, "reserved keys not in docs/labels.md: " + " ".join(missing)


# -- numbers --------------------------------------------------------------------------------


def _number_rows() -> list[list[str]]:
    text = read(DOCS / "numbers.md")
    table = text[text.index("| span text |"):].split("\n\n")[0]
    return [[cell.strip() for cell in row.strip("|").split("|")]
            for row in table.splitlines()[2:]]


def test_the_numbers_examples_are_what_parse_number_reads() -> None:
    """Value and qualifier of every example row (the unit is being reworked separately)."""
    rows = _number_rows()
    assert len(rows) > 20
    wrong = []
    for text, value, qualifier, _unit in rows:
        got = parse_number(text)
        if (str(got.value), got.qualifier) != (value, qualifier):
            wrong.append(f"{text!r}: docs say {value} {qualifier}, code reads {got.value}"
                         f" {got.qualifier}")
    assert not wrong, "\n".join(wrong)


# -- the README -----------------------------------------------------------------------------


def test_readme_keeps_its_two_commands_first_and_links_the_docs() -> None:
    text = read(ROOT / "README.md")
    first_block = text[text.index("```"):].split("```")[1]
    assert "make run" in first_block
    assert "make test" in first_block
    for page in ("cli", "keys", "jsonl", "labels", "numbers", "architecture"):
        assert f"(docs/{page}.md)" in text

