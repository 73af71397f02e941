"""One `assemble` at a time per campaign: the second says so in one line and exits 1.

Two assembles used to race for the same next version and the loser died with a raw
``FileExistsError`` traceback. Now a per-campaign lock (``adapters/locks.py``) holds
them apart; the daemon's office job takes the same lock.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mailenv import MailEnv
from mailflow import config as config_mod
from mailflow.adapters.locks import assemble_lock_path, held
from mailflow.adapters.mailserver import free_port
from mailflow.cli import cli


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    port = free_port()
    path = tmp_path / "config.toml"
    path.write_text(MailEnv("embedded", "127.0.0.1", port, port).config_text(), encoding="utf-8")
    return path


def _assemble_args(config: Path) -> list[str]:
    return ["--lang", "en", "--config", str(config), "assemble", "--campaign", "2023-h1",
            "--no-pdf"]  # fmt: skip


def test_an_assemble_while_another_holds_the_campaign_says_so_in_one_line_and_exits_1(
    config_path: Path,
) -> None:
    cfg = config_mod.load(config_path)
    with held(assemble_lock_path(cfg.state_path, "2023-h1")):  # as a running assemble does
        busy = CliRunner().invoke(cli, _assemble_args(config_path))
    assert busy.exit_code == 1
    assert "Traceback" not in busy.output and "FileExistsError" not in busy.output
    assert "another assemble is running for campaign 2023-h1" in busy.output.splitlines()[0]
    after = CliRunner().invoke(cli, _assemble_args(config_path))
    assert after.exit_code == 0, after.output


def test_two_assembles_started_together_make_distinct_versions_or_refuse_cleanly(
    config_path: Path,
) -> None:
    env = dict(os.environ, MAILFLOW_TEST_PASSWORD="secret")
    cmd = [sys.executable, "-m", "mailflow", *_assemble_args(config_path)]
    procs = [
        subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, stdin=subprocess.DEVNULL)
        for _ in range(2)
    ]  # fmt: skip
    outs = [(p.wait(timeout=300), p.stdout.read()) for p in procs]  # type: ignore[union-attr]
    for code, out in outs:
        assert "Traceback" not in out and "FileExistsError" not in out, out
        assert code == 0 or (code == 1 and "another assemble is running" in out), out
    ok = sum(1 for code, _ in outs if code == 0)
    assert ok >= 1
    cfg = config_mod.load(config_path)
    with sqlite3.connect(cfg.state_path) as db:
        versions = [v for (v,) in db.execute("SELECT version FROM drafts ORDER BY version")]
    assert versions == list(range(1, ok + 1))
