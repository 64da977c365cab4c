"""annotator: a terminal annotation tool for news and other documents."""

__version__ = "0.1.0"
