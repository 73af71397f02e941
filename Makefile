# mailflow — two commands do everything on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Debian packages the product and its tests use: the real mail servers, LibreOffice for
# conversions, poppler for PDF text, Tesseract with its Vietnamese model for scans, and
# bubblewrap to run every converter without network or a view of the server's files;
# GNU recode (tests only) cross-checks the VNI table on real report text.
DEB_PACKAGES := postfix dovecot-imapd dovecot-lmtpd openssl libreoffice-writer-nogui \
	libreoffice-calc-nogui fonts-liberation fonts-dejavu-core poppler-utils \
	tesseract-ocr tesseract-ocr-vie bubblewrap recode
PYTEST_ARGS ?=

.PHONY: demo test lint format bench fuzz system-deps venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $(STAMP)

# As root, install what is missing (CI and fresh machines); otherwise say what is missing.
system-deps:
	@missing=""; \
	command -v postfix >/dev/null || missing="$$missing postfix"; \
	command -v dovecot >/dev/null || missing="$$missing dovecot"; \
	[ -e /usr/lib/dovecot/lmtp ] || missing="$$missing dovecot-lmtpd"; \
	command -v soffice >/dev/null || missing="$$missing libreoffice"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	command -v tesseract >/dev/null || missing="$$missing tesseract-ocr"; \
	[ -e /usr/share/tesseract-ocr/5/tessdata/vie.traineddata ] || missing="$$missing tesseract-ocr-vie"; \
	command -v bwrap >/dev/null || missing="$$missing bubblewrap"; \
	command -v recode >/dev/null || missing="$$missing recode"; \
	[ -e /usr/lib/libreoffice/program/libsclo.so ] || missing="$$missing libreoffice-calc"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "installing Debian packages for the tests:$$missing"; \
		apt-get update -qq && \
		echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEB_PACKAGES) >/dev/null; \
	else \
		echo "note: not root, so these are not installed:$$missing (their tests skip here; CI runs them)"; \
	fi

demo: venv
	$(PY) -m mailflow demo

test: venv system-deps
	$(PY) -m pytest -n 2 -q -p no:cacheprovider $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check mailflow tests bench
	$(VENV)/bin/ruff format --check mailflow tests bench
	$(VENV)/bin/mypy

format: venv
	$(VENV)/bin/ruff format mailflow tests bench
	$(VENV)/bin/ruff check --fix mailflow tests bench

bench: venv
	@echo "Benchmarks (each prints mailflow's time, the floor measured in the same run, and the ratio):"
	@echo "  $(PY) -m bench.send --departments 500      # mail-merge out through local Postfix (root)"
	@echo "  $(PY) -m bench.intake --mails 1000         # poll vs bare imap-tools fetch, idle poll 10 vs 10k"
	@echo "  $(PY) -m bench.assemble --sizes 10,50,200  # draft vs bare docxcompose append"
	@echo "  $(PY) -m bench.idle --minutes 10           # RSS and CPU of an idle daemon"
	@echo "Run one of them, or: make bench-all"

bench-all: venv system-deps
	$(PY) -m bench.send --departments 500
	$(PY) -m bench.intake --mails 1000
	$(PY) -m bench.assemble --sizes 10,50,200

fuzz: venv
	$(VENV)/bin/pip install --quiet -e '.[fuzz]'
	$(PY) -m bench.fuzz --seconds $${FUZZ_SECONDS:-300}

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache preview state.sqlite* mailserver-data demo-workspace
