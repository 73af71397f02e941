"""`mailflow check` against a live server: OK, wrong password, closed port."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from mailenv import MailEnv
from mailflow.adapters.mailserver import free_port
from mailflow.cli import cli

pytestmark = pytest.mark.integration


def _run(config: Path, *args: str) -> tuple[int, str]:
    # the seed campaign is due 21/07/2023: check it on a day before, when it is sane
    os.environ["MAILFLOW_FAKE_NOW"] = "2023-07-01T08:00:00"
    try:
        result = CliRunner().invoke(cli, ["--lang", "en", "--config", str(config), "check", *args])
    finally:
        del os.environ["MAILFLOW_FAKE_NOW"]
    return result.exit_code, result.output


def test_check_reports_ok_with_capabilities(workspace: Path) -> None:
    code, out = _run(workspace)
    assert code == 0, out
    assert "IMAP4REV1" in out
    assert "All good." in out


def test_check_wrong_password_exits_1_with_one_readable_line(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAILFLOW_TEST_PASSWORD", "wrong")
    code, out = _run(workspace)
    assert code == 1
    assert "Traceback" not in out
    problem_lines = [ln for ln in out.splitlines() if ln.startswith("✗")]
    assert problem_lines and all("login refused" in ln for ln in problem_lines)


def test_check_closed_port_exits_1_with_one_readable_line(
    tmp_path: Path, mail_env: MailEnv
) -> None:
    closed = str(free_port())
    config = tmp_path / "config.toml"
    text = mail_env.config_text().replace(f"port = {mail_env.imap_port}", f"port = {closed}")
    config.write_text(text, encoding="utf-8")
    code, out = _run(config)
    assert code == 1
    (line,) = [ln for ln in out.splitlines() if ln.startswith("✗")]
    assert "connection refused" in line and closed in line
