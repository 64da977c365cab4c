"""One small module per export format; `annotator.export` dispatches to them.

common: what every format shares (the set tuple, offsets, tokens, the list of what was dropped);
jsonl: ours and the full backup; doccano, prodigy, labelstudio, spacy_bin: other tools' shapes.
"""
