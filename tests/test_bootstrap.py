"""The composition root: each adapter built once, only when asked for, closed with the App;
importing it loads no adapter (``mailflow status`` and ``--help`` import it)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from mailflow import bootstrap
from mailflow import config as config_mod
from mailflow.clock import FrozenClock


def _config(tmp_path: Path) -> config_mod.Config:
    bootstrap.write_sample_workspace(tmp_path)
    return config_mod.load(tmp_path / "config.toml")


def test_the_app_opens_nothing_until_an_adapter_is_asked_for(tmp_path: Path) -> None:
    cfg = _config(tmp_path)
    with bootstrap.build(cfg) as app:
        assert app.servers.mailbox == cfg.mailbox
        assert not cfg.state_path.exists()
        assert not cfg.archive_dir.exists()


def test_the_app_builds_each_adapter_once(tmp_path: Path) -> None:
    cfg = _config(tmp_path)
    with bootstrap.build(cfg) as app:
        assert app.store is app.store
        assert app.archive is app.archive
        assert app.servers is app.servers
        assert app.templates is app.templates
        assert app.converter is app.converter
        assert app.converter.timeout == cfg.intake.convert_timeout_seconds
        assert cfg.state_path.exists()


def test_the_app_hands_out_the_clock_it_was_given(tmp_path: Path) -> None:
    clock = FrozenClock(datetime(2023, 7, 10, 8, 0))
    assert bootstrap.build(_config(tmp_path), clock).clock is clock


def test_closing_the_app_closes_the_store(tmp_path: Path) -> None:
    with bootstrap.build(_config(tmp_path)) as app:
        store = app.store
    with pytest.raises(sqlite3.ProgrammingError):
        store.conn.execute("SELECT 1")


def test_each_mail_client_is_a_new_one(tmp_path: Path) -> None:
    servers = bootstrap.build(_config(tmp_path)).servers
    assert servers.imap() is not servers.imap()


def test_importing_bootstrap_loads_no_adapter() -> None:
    code = (
        "import sys, mailflow.bootstrap\n"
        "heavy = ('mailflow.adapters', 'mailflow.services', 'sqlite_utils', 'docx', 'jinja2')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
