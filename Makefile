# `make run` and `make test` bootstrap .venv on first use; only Python 3.11+ and make are needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DB     ?= annotations.db
# AS is also make's built-in name for the assembler (`as`), so `?=` never took $USER: every
# `make run` annotated as "as". Take $USER unless AS was given (make run AS=alice).
ifeq ($(origin AS),default)
AS     := $(USER)
endif
QUICK  ?=

.PHONY: run test bench lint clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "annotator needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	@test -f "$(DB)" || $(BIN)/annotator --db "$(DB)" import data/
	$(BIN)/annotator --db "$(DB)" annotate $(if $(AS),--as "$(AS)")

# bytecode is written even where the environment says not to (PYTHONDONTWRITEBYTECODE): each
# test process and each program a test starts would compile the package and the tests again
# (docs/architecture.md, "How the suite stays fast")
test: $(STAMP)
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n 2 -q

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench $(if $(QUICK),--quick)

lint: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[lint]'
	$(BIN)/ruff check annotator tests bench
	$(BIN)/mypy --strict annotator

clean:
	rm -rf $(VENV) build *.egg-info
