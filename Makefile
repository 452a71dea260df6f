# Two commands on a fresh machine: `make serve` and `make test`; both set up .venv themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
SEED ?= 0
SPECS ?= specs

.PHONY: screenshots install serve test test-fast perf lint contract contract-real clean bench bench-corpus corpus soak redis-server chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

serve: $(STAMP)
	$(PY) -m mockserver serve $(SPECS) --host $(HOST) --port $(PORT) --seed $(SEED)

test: $(STAMP) redis-server chromium
	$(PY) -m pytest

# The Redis backend's tests run against a real redis-server (Debian package): installed when missing, as root
# with apt-get (`apt-get update` only when apt knows no candidate yet). Where that cannot be done the tests say
# so and are skipped (contract_tests/redis_support.py); nothing here fails `make test`.
redis-server:
	@command -v redis-server >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-cache policy redis-server 2>/dev/null | grep -q 'Candidate: [0-9]' || apt-get update -qq; \
	    apt-get install -y -qq redis-server >/dev/null || echo "make: could not install redis-server; the Redis tests will be skipped"; \
	  else \
	    echo "make: redis-server is missing (apt-get install redis-server); the Redis tests will be skipped"; \
	  fi; }

# The dashboard's and Swagger UI's tests run in a real headless browser: Debian's chromium, driven by Playwright
# (never `playwright install`: no browser is downloaded), installed like redis-server above. Where it cannot be
# installed the browser tests say so and are skipped (contract_tests/browser_support.py).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-cache policy chromium 2>/dev/null | grep -q 'Candidate: [0-9]' || apt-get update -qq; \
	    apt-get install -y -qq chromium >/dev/null || echo "make: could not install chromium; the browser tests will be skipped"; \
	  else \
	    echo "make: chromium is missing (apt-get install chromium); the browser tests will be skipped"; \
	  fi; }

test-fast: $(STAMP)
	$(PY) -m pytest tests

# The timing measurements (marked `perf`), left out of `make test`: they compare ratios, but coverage or a
# saturated machine can still upset them.
perf: $(STAMP)
	$(PY) -m pytest -m perf

# Every bundled API checked against the mock, in process (exit 1 on any violation).
# REPORT_DIR=DIR also writes DIR/<api>.html and DIR/<api>.json (the coverage matrix and the violations).
contract: $(STAMP)
	@$(if $(REPORT_DIR),mkdir -p '$(REPORT_DIR)';) for api in $(basename $(notdir $(wildcard specs/*.yaml))); do \
	  $(PY) -m mockserver contract $$api --max-examples 25 \
	    $(if $(REPORT_DIR),--report '$(REPORT_DIR)'/$$api.html --report '$(REPORT_DIR)'/$$api.json) || exit $$?; done

# One API against a real server: make contract-real API=openrouter BASE_URL=https://openrouter.ai/api/v1
# Credentials come from <API>_API_KEY (e.g. OPENROUTER_API_KEY) or HEADER='Authorization: Bearer …'.
contract-real: $(STAMP)
	@test -n "$(API)" -a -n "$(BASE_URL)" || { echo "usage: make contract-real API=NAME BASE_URL=URL"; exit 2; }
	$(PY) -m mockserver contract $(API) --base-url $(BASE_URL) $(if $(HEADER),--header '$(HEADER)') --junit-xml contract-$(API).xml

lint: $(STAMP)
	$(PY) -m ruff check mockserver tests contract_tests bench
	$(PY) -m mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis

# Not part of `make test`. Installs wrk (apt) and Prism 5.16 (npm, into bench/.prism) when missing, then
# measures the mock against Prism and Connexion/Starlette ceilings, its start-up, the corpus beside Prism,
# and ends with the one-minute soak (see `soak`). Prints tables; writes bench/results/latest.json and soak.json.
bench: $(STAMP)
	$(PY) bench/run.py
	$(PY) bench/soak.py

# A minute of mixed valid, invalid and hostile requests at full rate against one server; exit 1 unless its
# memory stays flat (bench/soak.py says how that is judged). Writes bench/results/soak.json.
soak: $(STAMP)
	$(PY) bench/soak.py $(SOAK_ARGS)

# The corpus section of `make bench` alone: every spec in tests/corpus/ served by the mock and by Prism 5.16 in
# turn (start-up, peak RSS, wrk on one documented GET), GitHub's 1,223 operations vs a 1-operation spec with the
# same GET, and the synthetic 16x spec's start-up (under 15 minutes). One spec: BENCH_ARGS='--corpus-only stripe'
bench-corpus: $(STAMP)
	$(PY) bench/run.py --only-corpus $(BENCH_ARGS)

# Real vendors' specs (tests/corpus/, see its README) served by the mock and checked with schemathesis, valid
# requests only. Outputs in .corpus-out/. Quick run: make corpus CORPUS_ARGS='--sample 5 --max-examples 5'
corpus: $(STAMP)
	$(PY) tests/corpus/run.py $(CORPUS_ARGS)

# The README's pictures: the browser tests, writing their screenshots to docs/screenshots (a plain test run writes
# them to a temporary folder and leaves the work tree as it was).
screenshots: $(STAMP) chromium
	MOCKSERVER_SCREENSHOTS=docs/screenshots $(PY) -m pytest contract_tests/test_dashboard_browser.py contract_tests/test_report_browser.py -q
