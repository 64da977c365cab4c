"""A spaCy DocBin: one Doc per annotation set, named in `user_data`.

Tokens are spaCy's (`spacy.blank("en")`), cut further wherever a span starts or ends inside
one (or at the space after one), so "Russia" in "Turkish-Russian" stays "Russia". A span that
still does not fall on token boundaries is never widened: it is left out and reported.
Every aligned span is in `doc.spans["sc"]`; those whose label is an entity or a NUMBER go to
`doc.ents` (unless it starts or ends with whitespace), overlaps resolved by
`spacy.util.filter_spans` (the longest wins); CLAIMs are only in `doc.spans`. Attributes, ids
and links are in `user_data`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO, Any

from annotator.exports.common import AnnotationSet, Losses, tokens
from annotator.model import Kind, LabelSchema

LANG = "en"
MISSING = ("the spacy format needs spaCy, which is not installed; in the annotator checkout"
           " run: .venv/bin/pip install -e '.[spacy]'")


class SpacyMissing(Exception):
    pass


def write(sets: Iterator[AnnotationSet], out: IO[Any],
          schema_of: Callable[[str], LabelSchema | None], losses: Losses,
          progress: Callable[[int], None] | None) -> int:
    """(A DocBin is one binary blob, so this format is not streamed.)"""
    try:
        import spacy
        from spacy.tokens import Doc, DocBin
    except ImportError:
        raise SpacyMissing(MISSING) from None
    nlp = spacy.blank(LANG)
    bin_ = DocBin(store_user_data=True)
    n = 0
    for doc, who, status, spans, links in sets:
        base = [(t.idx, t.idx + len(t.text), bool(t.whitespace_)) for t in nlp.make_doc(doc.text)]
        toks = tokens(doc.text, spans, base)
        sdoc = Doc(nlp.vocab, words=[doc.text[a:b] for a, b, _ in toks],
                   spaces=[ws for _, _, ws in toks])
        assert sdoc.text == doc.text
        schema = schema_of(doc.schema)
        ent_labels = ({lab.name for lab in schema.labels if lab.kind != Kind.CLAIM}
                      if schema else None)
        aligned, kept = [], []
        for s in spans:
            sp = sdoc.char_span(s.start, s.end, label=s.label, alignment_mode="strict")
            if sp is None:
                losses.add("unaligned spans")
                losses.details.append(f"{doc.id} ({who}): span {s.id} {s.label} {s.start}-{s.end}"
                                      f" {doc.text[s.start:s.end]!r} is not on token boundaries")
                continue
            aligned.append(sp)
            kept.append(s)
        sdoc.spans["sc"] = aligned
        # spaCy's NER cannot learn an entity that starts or ends with whitespace
        sdoc.ents = spacy.util.filter_spans(
            [sp for sp in aligned if (ent_labels is None or sp.label_ in ent_labels)
             and not sp.text[0].isspace() and not sp.text[-1].isspace()])
        sdoc.user_data.update({
            "id": doc.id, "title": doc.title, "annotator": who, "status": status.value,
            "schema": doc.schema,
            # doc.spans["sc"][i] is spans[i]
            "spans": [{"id": s.id, "start": s.start, "end": s.end, "label": s.label,
                       "attrs": s.attrs} for s in kept],
            "links": [{"id": lk.id, "type": lk.type, "from": lk.from_span, "to": lk.to_span,
                       "to_doc": lk.to_doc} for lk in links],
        })
        bin_.add(sdoc)
        n += 1
        if progress:
            progress(n)
    getattr(out, "buffer", out).write(bin_.to_bytes())
    return n
