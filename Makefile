# The few commands people type. `make demo` and `make test` are the README's two commands.
.PHONY: demo install test lint typecheck test-sqlite test-postgres upgrade-check bench serve messages

PY := .venv/bin
PYTEST_ARGS ?= -n 2 -p no:cacheprovider

demo: install
	$(PY)/gongjian demo

install:
	@scripts/bootstrap.sh

test: install
	@scripts/bootstrap.sh --system
	$(MAKE) lint typecheck
	$(PY)/gongjian makemigrations --check --dry-run
	$(MAKE) test-sqlite test-postgres upgrade-check

lint:
	$(PY)/ruff check src tests bench
	$(PY)/ruff format --check src tests bench

typecheck:
	$(PY)/mypy

# The browser tests (-m e2e) run once, in the PostgreSQL round: what they prove is the page in a
# browser, which is the same over either database, and the page and API tests run on both.
test-sqlite:
	@echo "== 测试：SQLite（浏览器测试在 PostgreSQL 一轮中运行）=="
	env -u DATABASE_URL GONGJIAN_VAR=$(CURDIR)/var/test $(PY)/pytest $(PYTEST_ARGS) -m "not e2e"

test-postgres:
	@echo "== 测试：PostgreSQL =="
	url=$$(scripts/ensure-postgres.sh) && \
	DATABASE_URL=$$url GONGJIAN_VAR=$(CURDIR)/var/test $(PY)/pytest $(PYTEST_ARGS)

# The previous release's demo database, migrated by this code, loses nothing (docs/operations.md).
upgrade-check: install
	@echo "== 升级检查 =="
	scripts/upgrade-check.sh

bench: install
	$(PY)/python -m bench

serve: install
	$(PY)/gongjian serve

# Each app with a locale/ folder keeps its own catalogue; the rest share src/gongjian/locale.
# Every catalogue is refreshed and compiled even when one has gaps; the gaps are listed and counted
# per catalogue, and the target fails at the end if any msgid has no English (en.tsv is the source).
APP_LOCALES := $(patsubst src/gongjian/%/locale,%,$(wildcard src/gongjian/*/locale))
messages:
	@status=0; \
	for app in $(APP_LOCALES); do \
	  (cd src/gongjian/$$app && $(CURDIR)/$(PY)/gongjian makemessages -l en --no-obsolete --no-wrap) || exit 1; \
	  $(PY)/python scripts/fill_po.py src/gongjian/$$app/locale/en/LC_MESSAGES/django.po src/gongjian/$$app/locale/en/en.tsv || status=1; \
	done; \
	(cd src/gongjian && $(CURDIR)/$(PY)/gongjian makemessages -l en --no-obsolete --no-wrap $(foreach a,$(APP_LOCALES),--ignore '$(a)/*')) || exit 1; \
	$(PY)/python scripts/fill_po.py src/gongjian/locale/en/LC_MESSAGES/django.po src/gongjian/locale/en/en.tsv || status=1; \
	(cd src/gongjian && $(CURDIR)/$(PY)/gongjian compilemessages) || exit 1; \
	exit $$status
