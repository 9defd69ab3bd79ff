# Course toolchain. Every target creates what it needs first (virtualenv,
# node_modules), so `make mdx` or `make test` works as the first command.

PYTHON      ?= python3
VENV        := .venv
PY          := $(VENV)/bin/python
SPHINXBUILD := $(VENV)/bin/sphinx-build
SOURCEDIR   := docs
BUILDDIR    := _build
LANGUAGE    ?= ru
LANGUAGES   ?= en
SPHINXOPTS  ?=
# Where `make mdx` writes; point it at an Astro checkout to publish:
#   make mdx MDX_OUT=../course-site/src/content/course
MDX_OUT     ?= $(BUILDDIR)/mdx/$(LANGUAGE)

# `env` so that the assignment also works after $(WITH_KAFKA), which runs a command.
SPHINX := env SPHINX_LANGUAGE=$(LANGUAGE) $(SPHINXBUILD) -c . $(SPHINXOPTS)
# Starts a real Kafka broker for the duration of a command, unless
# KAFKA_BOOTSTRAP_SERVERS names one already.
WITH_KAFKA := $(PY) -m debezium_course.kafka_broker exec --

.PHONY: help venv node html mdx livemdx doctest cdc-fixtures lesson-figures gettext intl-update intl-check livehtml test test-fast coverage import-mdx bench bench-live clean

help:
	@echo "make mdx       write MDX lessons (MDX_OUT=path to publish into an Astro site)"
	@echo "make html      build the preview site into $(BUILDDIR)/html/$(LANGUAGE)"
	@echo "make doctest   run every lesson example against a real Kafka broker"
	@echo "make test      doctests + the whole test suite"
	@echo "make test-fast the mdx builder's own tests (no broker, no Astro, no browser)"
	@echo "make livemdx   rewrite the MDX of each lesson on save (MDX_OUT=the site's content folder)"
	@echo "make livehtml  preview with rebuild and reload on save"
	@echo "make import-mdx SRC=<site>/src/content/course [LESSONS=glob] [FORCE=1] [ACCEPT=1]   hand-written MDX lessons → MyST in docs/, round trip checked"
	@echo "make coverage  per lesson: code blocks the doctests run vs. only shown (COVERAGE_ARGS=--fail-under N)"
	@echo "make gettext / intl-update / intl-check   translation catalogs (LANGUAGES=en)"
	@echo "make cdc-fixtures  recapture the Debezium events and their variants (VARIANT=name: one)"
	@echo "make lesson-figures  redraw lesson figures from their doctests"
	@echo "make bench     build benchmark on synthetic courses (BENCH_ARGS=--quick)"
	@echo "make bench-live  save → MDX written, save → page updated (BENCH_ARGS=--quick)"
	@echo "make clean     remove build outputs"

venv: $(VENV)/.installed
# The builder and the course tooling (tools/) are this project's package,
# installed editable: nothing is put on sys.path by hand.
$(VENV)/.installed: requirements.txt constraints.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

node: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

html: venv node
	$(SPHINX) -b html $(SOURCEDIR) $(BUILDDIR)/html/$(LANGUAGE) -d $(BUILDDIR)/doctrees/$@/$(LANGUAGE)

mdx: venv node
	$(SPHINX) -b mdx $(SOURCEDIR) $(MDX_OUT) -d $(BUILDDIR)/doctrees/$@/$(LANGUAGE)

# One warm process: a save rewrites the changed lessons' MDX (see
# tools/sphinx_astro_mdx/live.py). Run `astro dev` in the site beside it.
livemdx: venv node
	SPHINX_LANGUAGE=$(LANGUAGE) $(PY) -m sphinx_astro_mdx.live -c . -d $(BUILDDIR)/doctrees/livemdx/$(LANGUAGE) --watch locale $(SOURCEDIR) $(MDX_OUT)

# Hand-written MDX lessons of the site → MyST lessons here, each checked by
# a round trip (see tools/sphinx_astro_mdx/importer.py).  Existing lessons are
# kept unless FORCE=1; a lesson that reads differently after the round trip
# fails the import unless ACCEPT=1.
SRC     ?=
LESSONS ?=
import-mdx: venv node
	@test -n "$(SRC)" || { echo "make import-mdx SRC=<the site's content folder, e.g. ../course-site/src/content/course>"; exit 2; }
	$(PY) -m sphinx_astro_mdx.importer -c . $(if $(LESSONS),--lessons '$(LESSONS)') $(if $(FORCE),--force) $(if $(ACCEPT),--accept-differences) '$(SRC)' $(SOURCEDIR)

# How many of each lesson's code blocks the doctests run; nothing is
# executed, so no broker (COVERAGE_ARGS=--fail-under 90 to enforce a floor).
coverage: venv
	$(PY) -m debezium_course.coverage -c . $(COVERAGE_ARGS) $(SOURCEDIR)

doctest: venv
	$(WITH_KAFKA) $(SPHINX) -b doctest $(SOURCEDIR) $(BUILDDIR)/doctest/$(LANGUAGE) -d $(BUILDDIR)/doctrees/$@/$(LANGUAGE)

# Real change events from PostgreSQL through Debezium into tests/fixtures/debezium/:
# the base capture and every variant in variants/ (about 40 s each, 7 minutes in
# all), or only one with VARIANT=<name> (VARIANT=base: the base capture).
VARIANT ?=
cdc-fixtures: venv
	$(PY) -m debezium_course.cdc_capture $(if $(VARIANT),--variant $(VARIANT),--all)

# Doctests that draw a figure compare it with the committed image; this
# rewrites the images instead.
lesson-figures: venv
	UPDATE_LESSON_FIGURES=1 $(WITH_KAFKA) $(SPHINX) -b doctest $(SOURCEDIR) $(BUILDDIR)/doctest/$(LANGUAGE) -d $(BUILDDIR)/doctrees/doctest/$(LANGUAGE)

livehtml: venv node
	SPHINX_LANGUAGE=$(LANGUAGE) $(VENV)/bin/sphinx-autobuild -c . $(SOURCEDIR) $(BUILDDIR)/html/$(LANGUAGE)

# Catalog templates come from the Russian sources, whatever LANGUAGE says.
gettext: venv
	SPHINX_LANGUAGE=ru $(SPHINXBUILD) -c . $(SPHINXOPTS) -b gettext $(SOURCEDIR) $(BUILDDIR)/gettext -d $(BUILDDIR)/doctrees/gettext

intl-update: gettext
	$(VENV)/bin/sphinx-intl update -p $(BUILDDIR)/gettext -d locale $(foreach l,$(LANGUAGES),-l $(l))

# Every catalog complete for the current sources, nothing fuzzy, msgfmt clean.
intl-check: venv
	$(PY) -m debezium_course.check_translations $(LANGUAGES)

# One broker serves the doctests and the test suite (tests/test_lessons.py
# runs the doctest builder); tests that stop a broker start their own.
# Everything, Node included: a test that needs Node is never skipped here.
test: venv node
	REQUIRE_NODE=1 $(WITH_KAFKA) $(PY) -m pytest $(PYTEST_ARGS)

# The builder's own tests, for a quick round while changing it: golden files,
# the MDX writer's verification and the real MDX compiler over the test roots.
# Without npm on the machine they are skipped, each saying why.
FAST_TESTS := tests/test_mdx_builder.py tests/test_mdx_injection.py tests/test_slugs.py tests/test_starlight.py
test-fast: venv $(if $(shell command -v npm),node)
	$(PY) -m pytest -q -m "not site_build" $(FAST_TESTS) $(PYTEST_ARGS)

# A measurement, not a test: synthetic courses of 50, 200 and 1000 lessons
# (about 45 minutes on 2 cores; BENCH_ARGS=--quick for a 1-minute smoke run).
bench: venv node
	$(PY) -m debezium_course.bench $(BENCH_ARGS)

bench-live: venv node
	$(PY) -m debezium_course.bench.live $(BENCH_ARGS)

clean:
	rm -rf $(BUILDDIR)
