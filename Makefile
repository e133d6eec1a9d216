# Anagen: `make run` starts the app, `make test` runs every test. Both start with `make install`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: install pdf-libs run test test-fast lint lock migrate browser wrk bench-http clean-var help

help:
	@echo "make run    - install, start embedded PostgreSQL + Redis unless DATABASE_URL/REDIS_URL are set,"
	@echo "              migrate, load starter protocols and the demo clinic, serve web + worker + beat"
	@echo "make test   - install, then the whole test suite against real engines, and the pure and service"
	@echo "              tests again with the clock in 2029 (--now=2029-03-15)"
	@echo "make lint   - ruff, and import-linter's dependency contracts (pyproject.toml)"
	@echo "make bench-http - the API and the calendar feed on gunicorn under wrk, against their floor"

# The set-up alone: .venv on Python >= 3.12 (Django 6 needs it), pinned packages, front-end assets,
# compiled translations. Idempotent; quick the second time (stamps on the inputs).
install: $(STAMP) static/vendor/.stamp locale/.stamp pdf-libs

# WeasyPrint (the signed consent PDFs) draws text with Debian's Pango and HarfBuzz, in DejaVu
# fonts (Latin, Turkish and Arabic glyphs).
pdf-libs:
	@{ ldconfig -p | grep -q libpangoft2-1.0 && ldconfig -p | grep -q libharfbuzz-subset && fc-list 2>/dev/null | grep -q DejaVuSans; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null; \
	  else echo "Install Debian's libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"; exit 1; fi; }

$(STAMP): requirements.txt scripts/bootstrap_python.sh
	@test -x $(PY) || "$$(scripts/bootstrap_python.sh)" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static/vendor/.stamp: node_modules/.package-lock.json scripts/vendor_assets.sh
	scripts/vendor_assets.sh
	@touch $@

locale/.stamp: $(STAMP) $(wildcard locale/*/LC_MESSAGES/django.po)
	@command -v msgfmt >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq gettext >/dev/null; }
	$(PY) manage.py compilemessages --ignore=.venv -v 0
	@touch $@

# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Install Debian's chromium package (sudo apt-get install chromium)"; exit 1; fi; }

# The HTTP benchmark drives gunicorn with Debian's wrk.
wrk:
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "Install Debian's wrk package (sudo apt-get install wrk)"; exit 1; fi; }

BENCH_ARGS ?=
bench-http: install wrk
	$(PY) -m clinic.engines exec -- $(PY) benchmarks/http.py $(BENCH_ARGS)

run: install
	$(PY) -m clinic.engines run

# scripts/test_suite.py runs the browser and multi-process tests beside the rest (one pytest each,
# their own test database and Redis database), then the pure and service tests again with the clock
# travelled to 2029 (--now), so a test that expires shows itself today. PYTEST_ARGS go to each.
test: install browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m clinic.engines exec -- sh -c '$(PY) manage.py makemigrations --check --dry-run -v 0 && $(PY) scripts/test_suite.py $(PYTEST_ARGS)'

# Everything but the browser and the multi-process tests, for a quick loop.
test-fast: install
	$(PY) -m clinic.engines exec -- $(PY) -m pytest -m "not browser and not slow" $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

migrate: install
	$(PY) -m clinic.engines exec -- $(PY) manage.py migrate

# Re-pin requirements.txt from requirements.in.
lock: $(STAMP)
	$(PY) -m pip install --quiet -r requirements.in
	(echo "# Pinned with: make lock (pip freeze of requirements.in on Python 3.13)"; $(PY) -m pip freeze --exclude-editable) > requirements.txt

clean-var:
	rm -rf var/
