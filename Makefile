# Two commands set up a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test bench clean pywb system-packages

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || (apt-get update && apt-get install -y python3-venv)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test,parquet]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/arshif demo

test: $(STAMP) system-packages
	$(BIN)/python -m pytest -q

# Debian packages the tests drive for real: redis-server (tests/test_distributed.py)
# and chromium with an Arabic font (tests/test_browser.py); a test whose program is missing
# skips and says why. Each entry: a command or file to look for, then its Debian package.
SYSTEM_PROGRAMS := redis-server:redis-server chromium:chromium \
	/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf:fonts-noto-core
system-packages:
	@missing=""; for pair in $(SYSTEM_PROGRAMS); do \
		{ command -v $${pair%%:*} || test -e $${pair%%:*}; } >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; done; \
	if [ -n "$$missing" ]; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) \
		|| echo "could not install$$missing: the tests that need them will skip"; fi

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
