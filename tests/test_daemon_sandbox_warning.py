"""Where converters cannot be sandboxed, the daemon says so once, in its start-up lines
(issue 16: "say so once in the log"), and not again at the first conversion."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from mailenv import MailEnv
from mailflow import config as config_mod
from mailflow.adapters import sandbox
from mailflow.daemon import Daemon


@pytest.fixture
def no_sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("MAILFLOW_BWRAP", "/nonexistent/bwrap")  # a path that does not exist
    sandbox._reset_probe()
    yield
    monkeypatch.delenv("MAILFLOW_BWRAP")
    sandbox._reset_probe()


def _daemon(tmp_path: Path) -> Daemon:
    config = tmp_path / "config.toml"
    config.write_text(MailEnv("embedded", "127.0.0.1", 1, 1).config_text(), encoding="utf-8")
    cfg = config_mod.load(config, check_files=False)
    cfg = replace(cfg, daemon=replace(cfg.daemon, poll_seconds=1, idle=False))
    daemon = Daemon(cfg)
    daemon.jobs = []  # no jobs: only the start-up lines matter here
    daemon.request_stop()
    return daemon


def _sandbox_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "mailflow.sandbox"]


def test_the_daemon_says_at_start_up_once_that_converters_run_unsandboxed(
    no_sandbox: None, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        _daemon(tmp_path).run_forever()
        assert len(_sandbox_lines(caplog)) == 1  # said at start-up, before any conversion
        for _ in range(2):  # the conversions that follow do not say it again
            assert sandbox.run(["/bin/true"], workdir=tmp_path, timeout=30).returncode == 0
    assert len(_sandbox_lines(caplog)) == 1


def test_the_daemon_says_nothing_about_the_sandbox_when_it_runs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox._reset_probe()
    if not sandbox.available():
        pytest.skip("bubblewrap cannot run here")
    with caplog.at_level(logging.WARNING):
        _daemon(tmp_path).run_forever()
    assert _sandbox_lines(caplog) == []
