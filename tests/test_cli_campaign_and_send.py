"""`--campaign` left out when one campaign is open (else the ids are listed), and `send`'s
--department/--limit with its one-line-per-department dry run, on the embedded server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from send_support import CAMPAIGN, MAILBOXES, REPO, directives

import mailenv
from mailenv import MailEnv

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def env() -> Iterator[MailEnv]:
    server = mailenv.start_embedded()
    try:
        yield server
    finally:
        mailenv.stop_embedded(server)


def _run(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environ = dict(
        os.environ,
        MAILFLOW_TEST_PASSWORD=mailenv.PASSWORD,
        COLUMNS="250",
        MAILFLOW_FAKE_NOW="2023-07-01T08:00:00",
        MAILFLOW_LANG="vi",
    )
    return subprocess.run(
        [sys.executable, "-m", "mailflow", "--config", str(config), *args],
        env=environ,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
        stdin=subprocess.DEVNULL,
    )


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


def _two_campaigns(text: str) -> str:
    """The seed config plus a second open campaign on the same outline and directive."""
    outline = re.search(r'^outline = "(.*)"$', text, re.M)
    directive = re.search(r'^directive = "(.*)"$', text, re.M)
    assert outline and directive
    return text + (
        '\n[[campaigns]]\nid = "2023-nam"\ntitle = "Tổng kết năm 2023"\n'
        f'outline = "{outline.group(1)}"\ndirective = "{directive.group(1)}"\n'
        'deadline = 2023-12-15\ntoken = "2023-NAM"\n'
    )


@pytest.mark.parametrize("command", [["outline"], ["send"], ["status"], ["review"]])
def test_campaign_may_be_left_out_when_one_is_open(
    tmp_path: Path, env: MailEnv, command: list[str]
) -> None:
    config = _config(tmp_path, env.config_text())
    result = _run(config, *command)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == _run(config, *command, "--campaign", CAMPAIGN).stdout


@pytest.mark.parametrize("command", [["outline"], ["send"], ["status"], ["import", "x.pdf"]])
def test_without_campaign_among_several_the_error_lists_the_ids(
    tmp_path: Path, env: MailEnv, command: list[str]
) -> None:
    extra = ["--department", "VP"] if command[0] == "import" else []
    result = _run(_config(tmp_path, _two_campaigns(env.config_text())), *command, *extra)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "--campaign" in result.stderr
    assert "2023-h1" in result.stderr and "2023-nam" in result.stderr
    assert "Traceback" not in result.stderr


def _plan_lines(stdout: str) -> list[str]:
    return [ln for ln in stdout.splitlines() if " → " in ln and ln.split(" ", 1)[0] in MAILBOXES]


def test_dry_run_prints_one_line_per_department_with_address_sections_and_attachments(
    tmp_path: Path, env: MailEnv
) -> None:
    result = _run(_config(tmp_path, env.config_text()), "send")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = _plan_lines(result.stdout)
    assert [ln.split(" ", 1)[0] for ln in lines] == list(MAILBOXES)
    qlcn = next(ln for ln in lines if ln.startswith("QLCN "))
    assert env.addr("qlcn") in qlcn and "mục " in qlcn and ".docx" in qlcn and "chưa gửi" in qlcn


def test_department_narrows_the_dry_run_to_those_named(tmp_path: Path, env: MailEnv) -> None:
    config = _config(tmp_path, env.config_text())
    result = _run(config, "send", "--department", "QLCN", "--department", "VP")
    assert result.returncode == 0, result.stdout + result.stderr
    assert [ln.split(" ", 1)[0] for ln in _plan_lines(result.stdout)] == ["VP", "QLCN"]


def test_an_unknown_department_is_refused_with_the_campaigns_codes(
    tmp_path: Path, env: MailEnv
) -> None:
    result = _run(_config(tmp_path, env.config_text()), "send", "--department", "XYZ", "--send")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "XYZ" in result.stderr and "QLCN" in result.stderr and "TTCG" in result.stderr


def test_send_to_one_department_mails_only_it(tmp_path: Path) -> None:
    own = mailenv.start_embedded()
    try:
        config = _config(tmp_path, own.config_text())
        result = _run(config, "send", "--department", "TDC", "--send")
        assert result.returncode == 0, result.stdout + result.stderr
        sent = {code: len(directives(own, local)) for code, local in MAILBOXES.items()}
        assert sent == {code: int(code == "TDC") for code in MAILBOXES}
    finally:
        mailenv.stop_embedded(own)


def test_limit_sends_the_next_ones_each_run(tmp_path: Path) -> None:
    own = mailenv.start_embedded()
    try:
        config = _config(tmp_path, own.config_text())
        for _ in range(2):
            result = _run(config, "send", "--limit", "2", "--send")
            assert result.returncode == 0, result.stdout + result.stderr
        sent = {code: len(directives(own, local)) for code, local in MAILBOXES.items()}
        first_four = list(MAILBOXES)[:4]
        assert sent == {code: int(code in first_four) for code in MAILBOXES}
    finally:
        mailenv.stop_embedded(own)


def test_dry_run_with_a_blocker_ends_its_output_with_what_send_would_refuse(
    tmp_path: Path, env: MailEnv
) -> None:
    text = env.config_text().replace(
        'aliases = ["Phòng QLCN&ĐMST", "Phòng QLCN và ĐMST", "QLCN&ĐMST"]', "aliases = []"
    )
    result = _run(_config(tmp_path, text), "send")
    assert result.returncode == 1
    lines = [ln for ln in result.stdout.splitlines() if ln.strip()]
    assert lines[-1].startswith("--send sẽ từ chối gửi: "), result.stdout
    first_blocker = next(ln for ln in lines if ln.startswith("✗"))[2:]
    assert first_blocker in lines[-1]
    assert lines.index(next(ln for ln in lines if " → " in ln)) < len(lines) - 1
