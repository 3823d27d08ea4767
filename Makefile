# Two entry points do all set-up on a fresh machine: `make bench` and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: bench test setup toolchain clean

bench: setup
	$(VENV)/bin/mcubench run

# Two workers (the machine has two cores), a test file on one worker (a file may sum up
# what its own tests did).
test: setup
	$(PY) -m pytest -n 2 --dist loadfile

setup: toolchain $(STAMP)

toolchain:
	@scripts/ensure-toolchain.sh

$(STAMP): pyproject.toml
	@scripts/ensure-venv.sh $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

clean:
	rm -rf build .cache
