# Two commands set up a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test bench clean pywb redis-server

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || (apt-get update && apt-get install -y python3-venv)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test,parquet]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/arshif demo

test: $(STAMP) redis-server
	$(BIN)/python -m pytest -q

# tests/test_distributed.py runs two crawlers against a real Redis (Debian package);
# without it those tests skip and say why
redis-server:
	@command -v redis-server >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq redis-server) \
		|| echo "redis-server could not be installed: tests/test_distributed.py will skip"

# pywb pins old redis/pyOpenSSL: its own venv, for tests/test_replay.py (which
# also creates it on first use) and for replaying data/ by hand
PYWB_VENV := .venv-pywb
PYWB_VERSION := 2.10.0
$(PYWB_VENV)/.installed-pywb-$(PYWB_VERSION):
	$(PYTHON) -m venv $(PYWB_VENV)
	$(PYWB_VENV)/bin/pip install --quiet --upgrade pip
	$(PYWB_VENV)/bin/pip install --quiet pywb==$(PYWB_VERSION)
	echo $(PYWB_VERSION) > $@

pywb: $(PYWB_VENV)/.installed-pywb-$(PYWB_VERSION)

clean:
	rm -rf $(VENV) data .pytest_cache .venv-pywb
