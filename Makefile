# Two entry points: `make demo` and `make test`. Both work on a fresh Debian machine: they install the
# Debian packages they need (only those missing), create .venv and install the project into it. Every
# install step lives here, so CI on a clean clone sees what a person sees.
#
#   make demo         set up, then `smecluster demo`: a demo SQLite database with demo accounts, served on
#                     http://127.0.0.1:8000/ (DEMO_PORT=8001 make demo for another port; Ctrl-C stops it)
#   make test         Debian packages, venv, lint, type check, then pytest (unit, web and the Playwright
#                     browser test) against a throwaway PostgreSQL 15 server on loopback
#   make unit         only the pytest part of `make test` (PYTEST_ARGS="-k matrix" to narrow it), on
#                     PYTEST_WORKERS processes (pytest-xdist; default: the cores, at most 2; 0 runs in-process)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_PORT ?= 8000
PYTEST_ARGS ?=
# One pytest-xdist worker per core, capped at 2: each worker has its own test database (test_<name>_gw0…)
# and its own SMECLUSTER_DATA_DIR (settings_test), and more workers than cores only slows the run.
PYTEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); [ $$n -gt 2 ] && n=2; echo $$n)

# postgresql: the test server; chromium: the browser test; fonts-noto-cjk and pango: WeasyPrint's PDFs;
# fonts-dejavu-core: the TrueType font of the objection form's challenge image (CAPTCHA_FONT_PATH);
# gettext: msgfmt, which compiles the English catalog; nginx and openssl: the production stack's test
# (tests/e2e/test_behind_nginx.py runs deploy/nginx/smecluster.conf with a throwaway certificate);
# openjdk-17-jre-headless: the JVM PySpark starts for the Spark parity test (discovery on a cluster engine).
TEST_PACKAGES := postgresql chromium fonts-noto-cjk fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 gettext \
	nginx openssl openjdk-17-jre-headless
DEMO_PACKAGES := fonts-noto-cjk fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 gettext
# en: the English UI; zh_Hans: the platform's wording where a third-party catalog would override Django's.
CATALOGS := $(foreach language,en zh_Hans,src/smecluster/locale/$(language)/LC_MESSAGES/django)

.PHONY: demo test lint typecheck unit venv system-packages demo-packages load-test clean

venv: $(STAMP) $(CATALOGS:=.mo)

# The compiled catalogs are built, not committed: the .po is the source.
%/django.mo: %/django.po
	msgfmt --check -o $@ $<

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,spark]'
	touch $(STAMP)

system-packages:
	scripts/install-system-packages $(TEST_PACKAGES)

demo-packages:
	scripts/install-system-packages $(DEMO_PACKAGES)

demo: demo-packages venv
	$(BIN)/smecluster demo --port $(DEMO_PORT)

lint: venv
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/ruff format --check src tests scripts benchmarks

typecheck: venv
	$(BIN)/mypy

# The browser test drives Debian's chromium (/usr/bin/chromium); Playwright never downloads a browser.
# --dist loadgroup: a permission matrix's cases of one page share a world built once (their xdist_group),
# so each group runs on one worker; every other test is handed out singly.
unit: system-packages venv
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/with-postgres \
		$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# `makemigrations --check` runs inside `unit`: tests/web/test_migrations_complete.py calls it with the test
# settings (which supply a key) and fails naming the models whose migration is missing, so no second target.
test: system-packages venv lint typecheck unit

# Not part of `test` (timings on a shared machine are noise): the province-scale seed and locust's 50
# officers and visitors against `smecluster serve` on PostgreSQL. benchmarks/README.md has the figures.
load-test: system-packages venv
	$(BIN)/pip install --quiet -e '.[dev,spark,load]'
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/with-postgres benchmarks/load/run.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
