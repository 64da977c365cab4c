"""Importers: .txt/.md files, folders and JSONL (ours, doccano, Prodigy, plain) into the store.

- Folders are walked recursively in sorted order; *.txt, *.md and *.jsonl are read, hidden
  files and README.md are skipped, anything else is listed as ignored (pipes, devices and
  links to folders say what they are), and so are symbolic links whose target is missing. A
  folder that cannot be read is a problem, and so is the database itself.
- A text file is one document: id = file stem, title = first non-empty line (without leading
  `#` for Markdown), text = UTF-8 without a leading BOM, CRLF/CR turned into LF (the report
  says so); UTF-16/UTF-32 and SQLite files are refused whole. JSONL is streamed line by line
  and its text kept exactly (jsonl_shapes.py); numbers Python reads as infinite are refused.
- One transaction: any invalid record raises IngestError listing every problem as
  `file:line: reason` and nothing is written, unless skip_invalid leaves the bad records out.
- A link may point to a span further on in the import; that line's annotations wait until the
  end of the import (its document is written in place, keeping the import order).
"""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
import stat
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from annotator.file_kinds import DatabaseFiles, not_text, special_kind
from annotator.jsonl_shapes import (
    LinkIn,
    Record,
    RecordReader,
    annotator_name_problem,
    detect,
    title_of,
)
from annotator.labelstudio_shape import TaskReader
from annotator.model import Document, LabelSchema, Link
from annotator.store import Store
from annotator.store.importer import ImportConflict, ImportSession
from annotator.store.suggestions import SuggestionRow

__all__ = ["FileReport", "ImportError_", "ImportReport", "IngestError", "annotator_name_problem",
           "import_paths"]

SUFFIXES = (".txt", ".md", ".jsonl", ".json")
BOM = b"\xef\xbb\xbf"
KEEP_PROBLEMS = 1000  # problems kept for the message; the rest are only counted
COUNTS = ("documents", "documents_same", "spans", "spans_same", "links", "links_same")
Progress = Callable[[int, int], None]  # (bytes read so far, bytes in all)


class IngestError(Exception):
    """Bad input; nothing was imported. str() is one `file:line: reason` per problem."""

    def __init__(self, problems: list[str], total: int | None = None) -> None:
        self.problems = problems
        self.total = max(total or 0, len(problems))
        super().__init__("\n".join(problems))


ImportError_ = IngestError


@dataclass
class FileReport:
    """What one input file contributed."""

    path: str
    shape: str  # text | markdown | annotator | doccano | prodigy | labelstudio | plain
    records: int = 0
    skipped: int = 0
    documents: int = 0
    documents_same: int = 0
    spans: int = 0
    spans_same: int = 0
    links: int = 0
    links_same: int = 0
    notes: list[str] = field(default_factory=list)
    left_out: Counter[str] = field(default_factory=Counter)  # what was read but not imported
    dropped_links: list[str] = field(default_factory=list)  # `link id -> document`
    ignored_meta: set[str] = field(default_factory=set)  # Label Studio task meta keys

    def left_out_lines(self) -> list[str]:
        """One line per kind of thing read and deliberately not imported."""
        out = [f"{self.path}: skipped {n} {_plural(n, what)}{LEFT_OUT[what]}"
               for what, n in sorted(self.left_out.items())]
        if self.ignored_meta:
            out.append(f"{self.path}: ignored the task meta keys"
                       f" {', '.join(sorted(self.ignored_meta))} (nothing to map them to)")
        if n := len(self.dropped_links):
            shown = ", ".join(self.dropped_links[:5]) + (" ..." if n > 5 else "")
            out.append(f"{self.path}: dropped {n} {_plural(n, 'link')} to spans of annotation"
                       " sets not in this import (a filtered export leaves them out; nothing"
                       f" links to a missing span): {shown}")
        return out


# Things read but deliberately not imported: why, for the report
LEFT_OUT = {
    "rejected answer": " (Prodigy: only accepted answers are annotations; a text no accepted"
                       " record has is not imported)",
    "ignored answer": " (Prodigy: only accepted answers are annotations; a text no accepted"
                      " record has is not imported)",
    "prediction": " (Label Studio model predictions are not annotations)",
    "cancelled annotation": " (Label Studio: skipped by the annotator)",
    "draft": " (Label Studio: not submitted)",
    "document-level result": " (Label Studio results on no labelled region: a span attribute"
                             " needs its region)",
}


def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


@dataclass
class ImportReport:
    """What an import did: per file counts and notes, ignored files, skipped records."""

    schema: str = ""
    files: list[FileReport] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    broken_links: list[str] = field(default_factory=list)  # `link -> missing target`
    skipped: list[str] = field(default_factory=list)  # `file:line: reason`, with skip_invalid
    skipped_total: int = 0
    suggestions: tuple[int, int] | None = None  # --as-suggestions: (new ones, documents)

    def total(self, name: str) -> int:
        return sum(getattr(f, name) for f in self.files)

    @property
    def new(self) -> int:
        return self.total("documents") + self.total("spans") + self.total("links")

    def lines(self, limit: int = 50) -> list[str]:
        """A summary for people; at most `limit` skipped records are listed."""

        def n(count: int, word: str) -> str:
            return f"{count} {word}{'' if count == 1 else 's'}"

        docs, spans, links = (self.total(k) for k in ("documents", "spans", "links"))
        same = [self.total(k) for k in ("documents_same", "spans_same", "links_same")]
        out = [f"Imported {n(docs, 'new document')}, {n(spans, 'span')} and {n(links, 'link')}"
               f" from {n(len(self.files), 'file')} (schema {self.schema})."]
        if self.suggestions is not None:
            new, on = self.suggestions
            out.append(f"Kept {n(new, 'new suggestion')} on {n(on, 'document')} instead of"
                       " annotations (--as-suggestions; links are not kept).")
        if any(same):
            out.append(f"Unchanged (already there): {n(same[0], 'document')},"
                       f" {n(same[1], 'span')} and {n(same[2], 'link')}.")
        out += [f"{f.path}: {note}" for f in self.files for note in f.notes]
        out += [line for f in self.files for line in f.left_out_lines()]
        if self.ignored:
            out.append(f"Ignored {n(len(self.ignored), 'file')} (not .txt, .md, .jsonl or .json, a"
                       f" README, or not a file): {', '.join(self.ignored[:10])}"
                       + (" ..." if len(self.ignored) > 10 else ""))
        out += [f"Skipped broken link: {link}" for link in self.broken_links[:limit]]
        if len(self.broken_links) > limit:
            out.append(f"Skipped {n(len(self.broken_links) - limit, 'more broken link')}")
        if self.skipped_total:
            out.append(f"Skipped {n(self.skipped_total, 'invalid record')}:")
            out += [f"  {p}" for p in self.skipped[:limit]]
            if self.skipped_total > limit:
                out.append(f"  ... and {self.skipped_total - limit} more")
        return out


def import_paths(store: Store, paths: Iterable[str | Path], schema: LabelSchema, actor: str,
                 skip_invalid: bool = False, progress: Progress | None = None,
                 schema_path: str | None = None, as_suggestions: bool = False) -> ImportReport:
    """Import files and folders in one transaction; raise IngestError (and import nothing) on
    any invalid record unless skip_invalid, which leaves bad records out and lists them.
    as_suggestions: the records' spans are kept as suggestions for every annotator
    (docs/suggestions.md), written once the documents are in, not as annotation sets."""
    if why := annotator_name_problem(actor, allow_gold=True):
        raise ValueError(why)
    problems = _Problems()
    report = ImportReport(schema.ref)
    files = _sources(paths, problems, report.ignored, report.broken_links,
                     DatabaseFiles(store.path))
    try:
        with store.import_session(actor) as imp:
            try:
                imp.add_schema(schema.ref, schema.name, schema.version, schema.source)
            except ImportConflict as exc:
                raise IngestError([f"{schema_path or schema.ref}:1: {exc}"]) from None
            run = _Importer(imp, RecordReader(schema, actor), skip_invalid, problems, progress,
                            sum(_size(f) for f in files))
            run.suggested = {} if as_suggestions else None
            for path in files:
                run.file(path, report)
            run.finish()
            if problems.total and not skip_invalid:
                raise IngestError(problems.items, problems.total)
    except sqlite3.IntegrityError as exc:  # a last guard: the commit checks foreign keys
        where = f"{files[0]}:1" if files else "import"
        raise IngestError([f"{where}: the import refers to rows that were not imported ({exc});"
                           " nothing was imported"]) from None
    report.skipped, report.skipped_total = problems.items, problems.total
    if run.suggested is not None:
        report.suggestions = (sum(store.add_imported_suggestions(doc_id, rows, source)
                                  for doc_id, (source, rows) in run.suggested.items()),
                              len(run.suggested))
    return report


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []
        self.total = 0

    def add(self, file: str, line: int | None, message: str) -> None:
        self.total += 1
        if len(self.items) < KEEP_PROBLEMS:
            self.items.append(f"{file}:{line}: {message}" if line else f"{file}: {message}")


def _sources(paths: Iterable[str | Path], problems: _Problems, ignored: list[str],
             broken: list[str], database: DatabaseFiles | None = None) -> list[Path]:
    """Files to read, in order: given files as given, folders recursively and sorted.

    An unreadable folder, a pipe or device named on the command line and the database itself
    are problems; pipes, devices and links to folders met in a folder are listed as ignored."""
    out: list[Path] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        if database is not None and (part := database.part(path)):
            problems.add(str(path), None, f"this is {part} (--db), not a document")
            return
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            out.append(path)

    for given in paths:
        path = Path(given)
        if path.is_dir():
            for found in _walk(path, problems):
                if not found.is_file():
                    if found.is_symlink() and not found.exists():  # missing target, or a loop
                        broken.append(f"{found} -> {_link_target(found)}")
                    elif what := _not_a_file(found):
                        ignored.append(f"{found} ({what})")
                    continue
                if found.suffix.lower() in SUFFIXES and found.name.lower() != "readme.md":
                    add(found)
                else:
                    ignored.append(str(found))
        elif path.is_file():
            if path.suffix.lower() in SUFFIXES or database is not None and database.part(path):
                add(path)
            else:
                problems.add(str(path), None, "not a .txt, .md, .jsonl or .json file")
        elif what := _not_a_file(path):
            problems.add(str(path), None, f"this is {what}, not a file or folder")
        elif path.is_symlink():
            problems.add(str(path), None, f"a symbolic link to {_link_target(path)}, which does"
                         " not exist")
        else:
            problems.add(str(path), None, "no such file or folder")
    return out


def _walk(folder: Path, problems: _Problems) -> list[Path]:
    """Everything under `folder` but hidden names, sorted; folders are not followed through
    symbolic links, and one that cannot be read is a problem (its files would be missing)."""

    def unreadable(exc: OSError) -> None:
        problems.add(exc.filename or str(folder), None,
                     f"cannot read this folder ({exc.strerror or exc}); its files were not"
                     " imported")

    found: list[Path] = []
    for top, dirs, files in os.walk(folder, onerror=unreadable):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        here = Path(top)
        found += (here / name for name in files if not name.startswith("."))
        found += (here / d for d in dirs if (here / d).is_symlink())  # listed, not walked
    return sorted(found)


def _not_a_file(path: Path) -> str | None:
    """What `path` is when it is neither a regular file nor a folder (a pipe, a device, a link
    to a folder met in a walk), else None."""
    try:
        st = path.stat()
    except OSError:
        return None
    if stat.S_ISDIR(st.st_mode):
        return "a symbolic link to a folder, not followed" if path.is_symlink() else None
    return special_kind(st.st_mode)


@dataclass(slots=True)
class _Pending:
    """A valid record and where it came from."""

    file: FileReport
    line: int
    record: Record
    dropped: list[str] = field(default_factory=list)  # links left out (`id -> document`)


class _Importer:
    """Reads files into one ImportSession, collecting every problem with its file and line."""

    def __init__(self, imp: ImportSession, reader: RecordReader, skip_invalid: bool,
                 problems: _Problems, progress: Progress | None, total_bytes: int) -> None:
        self.imp, self.reader, self.skip_invalid = imp, reader, skip_invalid
        self.problems, self.progress, self.total_bytes = problems, progress, total_bytes
        self.done_bytes = 0
        self.docs: dict[str, tuple[str, str]] = {}  # doc id -> (sha256, "file:line") this import
        self.sets: set[tuple[str, str]] = set()  # (doc id, annotator) of the records read
        self.tasks = TaskReader(reader)
        self.deferred: list[_Pending] = []
        # --as-suggestions: doc id -> (the file, the spans read) instead of annotation sets
        self.suggested: dict[str, tuple[str, list[SuggestionRow]]] | None = None

    # -- files ----------------------------------------------------------------------------

    def file(self, path: Path, report: ImportReport) -> None:
        markdown = path.suffix.lower() == ".md"
        suffix = path.suffix.lower()
        shape = suffix[1:] if suffix in (".jsonl", ".json") else "markdown" if markdown else "text"
        rep = FileReport(str(path), shape)
        report.files.append(rep)
        if _undecodable(str(path)):  # its name would be a document id no one can store
            self.fail(rep, None, ["the file name is not valid UTF-8; rename the file"])
            return
        with self._counted(rep):
            try:
                if shape == "jsonl":
                    self._jsonl(path, rep)
                elif shape == "json":
                    self._json(path, rep)
                else:
                    self._text(path, rep, markdown)
            except OSError as exc:
                self.fail(rep, None, [f"cannot read: {exc.strerror or exc}"])
        if self.progress:
            self.progress(self.done_bytes, self.total_bytes)

    def _text(self, path: Path, rep: FileReport, markdown: bool) -> None:
        raw = path.read_bytes()
        self.done_bytes += len(raw)
        rep.records = 1
        if why := not_text(raw):
            self.fail(rep, None, [why])
            return
        if raw.startswith(BOM):
            raw = raw[len(BOM):]
            rep.notes.append("leading byte-order mark removed")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            self.fail(rep, line, [f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})"])
            return
        if "\r" in text:
            kinds = (["CRLF"] if "\r\n" in text else []) + (
                ["CR"] if "\r" in text.replace("\r\n", "") else [])
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            rep.notes.append(f"{' and '.join(kinds)} line endings normalised to LF")
        if not text.strip():
            self.fail(rep, 1, ["the file has no text"])
            return
        doc = Document(path.stem, text, title_of(text, markdown), meta={"source": str(path)},
                       schema=self.reader.ref)
        self.write(_Pending(rep, 1, Record(doc)))

    def _jsonl(self, path: Path, rep: FileReport) -> None:
        shape = ""
        with path.open("rb") as f:
            for lineno, raw in enumerate(f, 1):
                self.done_bytes += len(raw)
                if self.progress and lineno % 512 == 0:
                    self.progress(self.done_bytes, self.total_bytes)
                if lineno == 1 and (why := not_text(raw)):
                    self.fail(rep, None, [why])
                    return
                if lineno == 1 and raw.startswith(BOM):
                    raw = raw[len(BOM):]
                if not raw.strip():
                    continue
                rep.records += 1
                try:
                    rec = json.loads(raw.decode("utf-8"), parse_constant=_no_constant,
                                     parse_float=_finite)
                except UnicodeDecodeError as exc:
                    self.fail(rep, lineno, [f"not valid UTF-8 (byte {exc.start + 1} of the line)"])
                    continue
                except (ValueError, RecursionError) as exc:
                    self.fail(rep, lineno, [_json_problem(exc)])
                    continue
                if not isinstance(rec, dict):
                    self.fail(rep, lineno, [f"expected a JSON object, got {type(rec).__name__}"])
                    continue
                shape = self._record(path, rep, lineno, rec, shape)

    def _json(self, path: Path, rep: FileReport) -> None:
        """A .json file: an array of records (Label Studio's export: tasks), each reported
        at the line it starts on."""
        raw = path.read_bytes()
        self.done_bytes += len(raw)
        if why := not_text(raw):
            self.fail(rep, None, [why])
            return
        try:
            text = raw.removeprefix(BOM).decode("utf-8")
        except UnicodeDecodeError as exc:
            self.fail(rep, raw[: exc.start].count(b"\n") + 1,
                      [f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})"])
            return
        shape = ""
        try:
            for lineno, rec in _json_array(text):
                rep.records += 1
                if not isinstance(rec, dict):
                    self.fail(rep, lineno, [f"expected a JSON object, got {type(rec).__name__}"])
                    continue
                shape = self._record(path, rep, lineno, rec, shape)
        except (ValueError, RecursionError) as exc:
            self.fail(rep, getattr(exc, "lineno", None), [_json_problem(exc)])

    def _record(self, path: Path, rep: FileReport, lineno: int, rec: dict[str, Any],
                shape: str) -> str:
        """Read and write one record of a file whose shape so far is `shape`; the shape now."""
        kind = detect(rec)
        if shape in ("", "plain"):  # records without spans say nothing of the shape
            shape = rep.shape = kind
        elif kind not in ("plain", shape):
            self.fail(rep, lineno, [f"a {kind} record in a file of {shape} records"
                                    " (one shape per file)"])
            return shape
        errs: list[str] = []
        try:
            if kind == "labelstudio":
                records = self.tasks.read(rec, path, lineno, errs, rep.left_out,
                                          rep.ignored_meta)
            else:
                one = self.reader.read(kind if kind == "plain" else shape, rec, path, lineno,
                                       errs)
                records = [one] if one is not None else []
            if errs or not records:
                self.fail(rep, lineno, errs)
            for record in records if not errs else []:
                self.write(_Pending(rep, lineno, record))
        except UnicodeEncodeError as exc:
            bad = exc.object[exc.start : exc.end]
            self.fail(rep, lineno, [f"contains {bad!a}, an unpaired surrogate, which is"
                                    " not valid Unicode text"])
        return shape

    # -- writing --------------------------------------------------------------------------

    def fail(self, rep: FileReport, line: int | None, errs: list[str]) -> None:
        rep.skipped += 1
        for e in errs:
            self.problems.add(rep.path, line, e)

    @contextmanager
    def _counted(self, rep: FileReport) -> Iterator[None]:
        before = [self.imp.counts[k] for k in COUNTS]
        yield
        for k, b in zip(COUNTS, before, strict=True):
            setattr(rep, k, getattr(rep, k) + self.imp.counts[k] - b)

    def write(self, pending: _Pending) -> None:
        """Write a valid record; links to spans not yet seen wait for the end of the import."""
        rec = pending.record
        if rec.skipped:
            pending.file.left_out[rec.skipped] += 1
            return
        doc, errs = rec.doc, []
        seen = self.docs.get(doc.id)
        if seen is not None and seen[0] != doc.sha256:
            errs.append(f"document {doc.id!r} has different text than on {seen[1]}")
        if rec.annotator is not None and self.suggested is not None:
            rows = self.suggested.setdefault(doc.id, (pending.file.path, []))[1]
            rows += [(s.start, s.end, s.label, s.attrs) for s in rec.spans]
            rec = pending.record = replace(rec, annotator=None, spans=[], links=[])
        if rec.annotator is not None:
            self.sets.add((doc.id, rec.annotator))
            if not rec.strict and (rec.spans or rec.links) and not errs and (
                    seen is not None or self.imp.has_document(doc.id) is not None):
                rec = pending.record = self._as_stored(rec)
        links = self._links(rec, errs, None) if rec.links and not errs else []
        if errs:
            self.fail(pending.file, pending.line, errs)
            return
        counts = dict(self.imp.counts)
        try:
            with self.imp.savepoint() if self.skip_invalid else nullcontext():
                if seen is None:
                    self.imp.add_document(doc)
                if links is None:
                    self.deferred.append(pending)
                elif rec.annotator is not None:
                    self.imp.add_annotation_set(doc.id, rec.annotator, rec.spans, links,
                                                rec.status, rec.strict)
        except ImportConflict as exc:
            if self.skip_invalid:  # the savepoint undid the writes: undo their counts too
                self.imp.counts.update(counts)
            self.fail(pending.file, pending.line, [str(exc)])
            return
        self.docs.setdefault(doc.id, (doc.sha256, f"{pending.file.path}:{pending.line}"))

    def _as_stored(self, rec: Record) -> Record:
        """Another tool's record (no ids of its own) with the ids of the spans and links of
        its set that are already stored with the same offsets and label (type and ends): a
        re-imported export is the same spans, whatever ids they were given on screen."""
        assert rec.annotator is not None
        stored_spans, stored_links = self.imp.set_contents(rec.doc.id, rec.annotator)
        ids: dict[str, str] = {}
        spans = []
        for s in rec.spans:
            old = stored_spans.get((s.start, s.end, s.label))
            if old is not None and old != s.id:
                ids[s.id] = old
                s = replace(s, id=old)
            spans.append(s)
        links = []
        for lk in rec.links:
            a, b = ids.get(lk.from_, lk.from_), ids.get(lk.to, lk.to)
            if old := stored_links.get((lk.type, a, b)):
                lk = LinkIn(old, lk.type, a, b, lk.to_doc)
            elif self.reader.link_types[lk.type].symmetric and (
                    old := stored_links.get((lk.type, b, a))):
                lk = LinkIn(old, lk.type, b, a, None)  # the stored way round
            elif (a, b) != (lk.from_, lk.to):
                lk = LinkIn(lk.id, lk.type, a, b, lk.to_doc)
            links.append(lk)
        return replace(rec, spans=spans, links=links)

    def _links(self, rec: Record, errs: list[str], later: dict[str, tuple[str, str, str]] | None,
               dropped: list[str] | None = None) -> list[Link] | None:
        """Resolve a record's links; None when a target may come later in the import. At the
        end (`later` given), a link whose `to` span is in a set this import has no record of
        (a filtered export) is left out and listed in `dropped`."""
        local = {s.id: (s.doc_id, s.annotator, s.label) for s in rec.spans}
        need = sorted({x for lk in rec.links for x in (lk.from_, lk.to) if x not in local})
        found = self.imp.span_info(need) if need else {}
        if later is None and len(found) < len(need):
            return None
        for x in need:
            if x not in found and later and x in later:
                found[x] = later[x]
        out = []
        for lk in rec.links:
            ends = []
            for x in (lk.from_, lk.to):
                info = local.get(x) or found.get(x)
                if (info is None and dropped is not None and x == lk.to and lk.to_doc
                        and (lk.to_doc, rec.annotator) not in self.sets):
                    dropped.append(f"{lk.id} -> {lk.to_doc}")
                    break
                if info is None:
                    errs.append(f"link {lk.id}: span {x} is neither in this import nor in the"
                                " database")
                elif info[1] != rec.annotator:
                    errs.append(f"link {lk.id}: span {x} belongs to {info[1]},"
                                f" not {rec.annotator}")
                else:
                    ends.append(info)
            if len(ends) < 2:  # an error, or dropped
                continue
            (a_doc, _, a_label), (b_doc, _, b_label) = ends
            if lk.from_ == lk.to:
                errs.append(f"link {lk.id}: a span cannot be linked to itself")
            elif not self.reader.link_types[lk.type].allows(a_label, b_label):
                errs.append(f"link {lk.id}: {lk.type} cannot link {a_label} to {b_label}")
            elif lk.to_doc is not None and lk.to_doc != b_doc:
                errs.append(f"link {lk.id}: to_doc is {lk.to_doc!r} but span {lk.to} is in"
                            f" {b_doc!r}")
            out.append(Link(lk.id, rec.annotator or "", lk.type, lk.from_, lk.to, a_doc, b_doc))
        return out

    def finish(self) -> None:
        """Write the records that linked forward. Records whose links cannot resolve are
        dropped in rounds (their spans are then gone for the others); with skip_invalid, a record
        the store refuses undoes the round, which is tried again without it."""
        pending = self.deferred
        while pending:
            ok = self._resolvable(pending)
            counts = dict(self.imp.counts)
            gains: list[tuple[FileReport, list[int]]] = []
            try:
                with self.imp.savepoint() if self.skip_invalid else nullcontext():
                    for p, links in ok:
                        before = [self.imp.counts[k] for k in COUNTS]
                        try:
                            self.imp.add_annotation_set(p.record.doc.id, p.record.annotator or "",
                                                        p.record.spans, links, p.record.status,
                                                        p.record.strict)
                        except ImportConflict as exc:
                            if self.skip_invalid:
                                raise _Refused(p, str(exc)) from None
                            self.fail(p.file, p.line, [str(exc)])
                        gains.append((p.file, [self.imp.counts[k] - b
                                               for k, b in zip(COUNTS, before, strict=True)]))
            except _Refused as refused:
                self.imp.counts.update(counts)
                self.fail(refused.pending.file, refused.pending.line, [refused.message])
                pending = [p for p, _ in ok if p is not refused.pending]
                continue
            for rep, gain in gains:  # kept until the round stands
                for k, g in zip(COUNTS, gain, strict=True):
                    setattr(rep, k, getattr(rep, k) + g)
            for p, _ in ok:
                p.file.dropped_links += p.dropped
            return

    def _resolvable(self, pending: list[_Pending]) -> list[tuple[_Pending, list[Link]]]:
        """The records whose links all resolve, failing the others round by round; links to
        sets the import has no record of are dropped (listed on their file)."""
        while True:
            later = {s.id: (s.doc_id, s.annotator, s.label)
                     for p in pending for s in p.record.spans}
            ok: list[tuple[_Pending, list[Link]]] = []
            bad = 0
            for p in pending:
                errs: list[str] = []
                p.dropped = []
                links = self._links(p.record, errs, later, p.dropped) or []
                if errs:
                    bad += 1
                    self.fail(p.file, p.line, [e + " (the line's annotations were skipped)"
                                               if self.skip_invalid else e for e in errs])
                else:
                    ok.append((p, links))
            if not bad:
                return ok
            pending = [p for p, _ in ok]


def _link_target(link: Path) -> str:
    try:
        return str(link.readlink())
    except OSError:  # removed since the walk
        return "?"


def _undecodable(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # bytes the file system could not decode (surrogateescape)
        return True
    return False


def _json_problem(exc: ValueError | RecursionError) -> str:
    """What is wrong with JSON that json.loads refused."""
    if isinstance(exc, RecursionError):
        return "not valid JSON: nested too deeply"
    if isinstance(exc, _OutOfRange | _NotArray):
        return str(exc)
    if not isinstance(exc, json.JSONDecodeError | _NotJson):  # int(): too long
        return f"a number has more than {sys.get_int_max_str_digits()} digits"
    msg = getattr(exc, "msg", str(exc)).removesuffix(" at")
    col = getattr(exc, "colno", None)
    return f"not valid JSON: {msg}" + (f" at column {col}" if col else "")


_SPACE = re.compile(r"[ \t\n\r]*")


def _json_array(text: str) -> Iterator[tuple[int, Any]]:
    """The items of a JSON array, one at a time, with the line each starts on."""
    decoder = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite)

    def space(at: int) -> int:
        match = _SPACE.match(text, at)
        return match.end() if match else at

    pos = space(0)
    if text[pos : pos + 1] != "[":
        exc = _NotArray("expected a JSON array of records (as Label Studio exports its tasks)")
        exc.lineno = text.count("\n", 0, pos) + 1
        raise exc
    pos, line, counted = space(pos + 1), 1, 0
    while text[pos : pos + 1] != "]":
        line, counted = line + text.count("\n", counted, pos), pos
        item, pos = decoder.raw_decode(text, pos)
        yield line, item
        pos = space(pos)
        if text[pos : pos + 1] == ",":
            pos = space(pos + 1)
        elif text[pos : pos + 1] != "]":
            raise json.JSONDecodeError("expected , or ] after an item", text, pos)
    if space(pos + 1) != len(text):
        raise json.JSONDecodeError("Extra data", text, space(pos + 1))


class _NotArray(ValueError):
    """A .json file that is not an array."""

    lineno = 1


def _no_constant(name: str) -> None:
    # Python's json reads NaN and Infinity, which JSON has not: they would export as invalid JSON
    raise _NotJson(f"{name} is not a JSON value")


class _NotJson(ValueError):
    """Text Python's json reads but JSON has not."""


class _OutOfRange(ValueError):
    """A JSON number Python can only read as infinity."""


def _finite(text: str) -> float:
    # 1e400 would be read as inf: an id "inf", an offset or a value no export can write back
    value = float(text)
    if not math.isfinite(value):
        raise _OutOfRange(f"the number {text[:40]} is out of range (it would be infinite)")
    return value


class _Refused(Exception):
    def __init__(self, pending: _Pending, message: str) -> None:
        self.pending, self.message = pending, message
