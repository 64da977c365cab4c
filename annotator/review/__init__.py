"""Review: adjudicating the annotators' versions of a document into the gold set (docs/review.md).

clusters.py and links.py say where the versions meet and how they differ, session.py makes
the decisions (each one action of the gold set), queue.py orders the documents worst agreement
first. Plain Python: no SQL (annotator/store/review.py writes), no Textual (the review screen
is annotator/tui/)."""
