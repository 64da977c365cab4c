"""`python -m annotator ...`: the same command line as the `annotator` script."""

from annotator.cli import main

if __name__ == "__main__":
    main(prog_name="annotator")
