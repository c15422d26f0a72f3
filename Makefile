# The README's two commands are `make all` (set up, then run the main job) and `make test`.
PY      := .venv/bin/python
XXGK    := .venv/bin/xxgk
DEB     := fonts-noto-cjk chromium
YEAR    ?= 2023

.PHONY: all setup deb venv bytecode run test test-fast lab clean

all: setup run

setup: deb venv bytecode

# Debian packages the project needs: a CJK font for chart labels, Chromium for the browser tests.
deb:
	@missing=""; for p in $(DEB); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

venv: .venv/.installed

.venv/.installed: pyproject.toml
	python3 -m venv .venv
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

# The package's bytecode, compiled ahead (only what changed, each time): Python reads a current .pyc even where
# PYTHONDONTWRITEBYTECODE is set, as in many containers and CI, where every process of a run (the driver, the
# kernels' zygote, each sandboxed reader) would otherwise compile the package from source again.
bytecode: venv
	@$(PY) -m compileall -q lib

run: setup
	$(XXGK) run --year all

test: setup
	$(PY) -m pytest

# Day-to-day: every test but the end-to-end ones (notebooks, batch runs, Chromium), in a few minutes.
test-fast: setup
	$(PY) -m pytest -m "not slow"

lab: setup
	.venv/bin/jupyter lab notebooks/

clean:
	rm -rf reports/
