"""What `send` and `check` say on the embedded server: a closed port named with the usual
port/security pairs and no retry wait, mails left queued exit 1, the dry run's blocker
first and last, the sample letter from the campaign's own title and deadline, Ctrl-C."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from send_support import CAMPAIGN, MAILBOXES, REPO, directives

import mailenv
from mailenv import MailEnv
from mailflow.adapters.mailserver import free_port
from mailflow.adapters.netdiag import explain
from mailflow.config import Endpoint
from mailflow.i18n import t

pytestmark = pytest.mark.integration

BEFORE_DEADLINE = "2023-07-01T08:00:00"
SEND_ARGS = ("--campaign", CAMPAIGN, "--send")


@pytest.fixture
def env() -> Iterator[MailEnv]:
    server = mailenv.start_embedded()
    try:
        yield server
    finally:
        mailenv.stop_embedded(server)


def _environ() -> dict[str, str]:
    return dict(
        os.environ,
        MAILFLOW_TEST_PASSWORD=mailenv.PASSWORD,
        COLUMNS="250",
        MAILFLOW_FAKE_NOW=BEFORE_DEADLINE,
    )


def _run(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mailflow", "--config", str(config), *args],
        env=_environ(),
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


def _closed_smtp(env: MailEnv) -> tuple[str, str]:
    closed = str(free_port())
    return env.config_text().replace(f"port = {env.smtp_port}", f"port = {closed}"), closed


def test_check_names_a_closed_smtp_port_with_the_usual_pairs(tmp_path: Path, env: MailEnv) -> None:
    text, closed = _closed_smtp(env)
    result = _run(_config(tmp_path, text), "check")
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    (line,) = [ln for ln in out.splitlines() if ln.startswith("✗")]
    assert f"127.0.0.1:{closed}" in line
    hint = out.split(line, 1)[1]
    assert "mailflow mailserver" in hint  # loopback: nothing listens here
    assert "465" in hint and "587" in hint and f"cổng {closed}" in hint


def test_send_on_a_closed_smtp_port_waits_for_no_retry_and_exits_1_with_mails_queued(
    tmp_path: Path, env: MailEnv
) -> None:
    text, closed = _closed_smtp(env)
    config = _config(tmp_path, text)
    result = _run(config, "send", "--campaign", CAMPAIGN, "--send")
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    retry = t("reliability.send_retry", "vi", code="VP", attempt=1, error="")[:20]
    assert retry not in out  # connection refused is not retried with back-off sleeps
    assert "còn chờ trong hàng đợi" in out and "--send" in out
    assert "mailflow mailserver" in out and closed in out
    # once the port is right, the same command sends each department exactly once
    config.write_text(env.config_text(), encoding="utf-8")
    again = _run(config, "send", "--campaign", CAMPAIGN, "--send")
    assert again.returncode == 0, again.stdout + again.stderr
    for local in MAILBOXES.values():
        assert len(directives(env, local)) == 1


def test_a_timeout_on_an_ssl_port_with_starttls_names_the_mismatch() -> None:
    error = explain(TimeoutError(), "IMAP", Endpoint("imap.example.vn", 993, "starttls"))
    assert "imap.example.vn:993" in error.message
    assert "993" in error.hint and 'security = "ssl"' in error.hint


def test_dry_run_prints_the_blocker_first_and_last_and_ends_with_what_to_fix(
    tmp_path: Path, env: MailEnv
) -> None:
    text = env.config_text().replace(
        'aliases = ["Phòng QLCN&ĐMST", "Phòng QLCN và ĐMST", "QLCN&ĐMST"]', "aliases = []"
    )
    result = _run(_config(tmp_path, text), "send", "--campaign", CAMPAIGN)
    assert result.returncode == 1
    lines = [ln for ln in result.stdout.splitlines() if ln.strip()]
    refuse = t("send.would_refuse", "vi", n=0).split(":")[0]
    assert lines[0].startswith(refuse), result.stdout
    blockers = [ln for ln in lines if ln.startswith("✗")]
    first = blockers[0]
    assert blockers.count(first) == 2  # before the table and again after it
    last = result.stderr.strip().splitlines()[-1]
    assert "aliases" in last and "--send để gửi" not in result.stdout + result.stderr


def test_dry_run_without_blockers_still_ends_with_add_send(tmp_path: Path, env: MailEnv) -> None:
    result = _run(_config(tmp_path, env.config_text()), "send", "--campaign", CAMPAIGN)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1].endswith("Thêm --send để gửi.")
    assert "✗" not in result.stdout


def test_the_sample_letter_takes_the_campaigns_title_and_deadline(
    tmp_path: Path, env: MailEnv
) -> None:
    text = env.config_text(deadline="2025-01-15").replace(
        'title = "Sơ kết 6 tháng đầu năm 2023"', 'title = "Tổng kết năm 2024"'
    )
    preview = tmp_path / "preview"
    result = _run(
        _config(tmp_path, text), "send", "--campaign", CAMPAIGN, "--preview", str(preview)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (letter,) = [p for p in (preview / "QLKH").iterdir() if p.name.startswith("Công văn")]
    document = docx.Document(io.BytesIO(letter.read_bytes()))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Tổng kết năm 2024" in body and "15/01/2025" in body
    assert "2023" not in body


def test_ctrl_c_during_send_says_sent_remaining_and_the_resume_command(
    tmp_path: Path, env: MailEnv
) -> None:
    text = env.config_text().replace("rate_per_minute = 100000", "rate_per_minute = 60")
    config = _config(tmp_path, text)
    proc = subprocess.Popen(
        [sys.executable, "-m", "mailflow", "--config", str(config), "send", *SEND_ARGS],
        env=_environ(),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    state = tmp_path / "state.sqlite"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait for the first directive to be sent
        try:
            with sqlite3.connect(f"file:{state}?mode=ro", uri=True) as db:
                query = "SELECT count(*) FROM sends WHERE status = 'sent'"
                if db.execute(query).fetchone()[0]:
                    break
        except sqlite3.OperationalError:  # not created yet
            pass
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, out + err
    line = next(ln for ln in err.splitlines() if ln.startswith("Đã dừng theo yêu cầu"))
    command = f"mailflow --config {config} send --campaign {CAMPAIGN} --send"
    assert command in line and "đã gửi" in line and "chưa gửi" in line
    # the printed command finishes the job: each department ends with exactly one letter
    again = _run(config, *command.split()[3:])
    assert again.returncode == 0, again.stdout + again.stderr
    for local in MAILBOXES.values():
        assert len(directives(env, local)) == 1


@pytest.mark.parametrize(("lang", "name"), [("vi", "báo cáo"), ("en", "report")])
def test_ingest_names_the_mail_kind_in_the_runs_language(
    tmp_path: Path, env: MailEnv, lang: str, name: str
) -> None:
    mail = tmp_path / "reply.eml"
    mail.write_text(
        f"From: qlkh@{mailenv.DOMAIN}\nTo: baocao@{mailenv.DOMAIN}\n"
        "Subject: Re: [2023-H1] Báo cáo sơ kết\nMessage-ID: <r1@sokhcn.example>\n"
        "Date: Mon, 10 Jul 2023 09:00:00 +0700\nContent-Type: text/plain; charset=utf-8\n\n"
        "I. KẾT QUẢ\nPhòng đã hoàn thành các nhiệm vụ được giao.\n",
        encoding="utf-8",
    )
    result = _run(_config(tmp_path, env.config_text()), "--lang", lang, "ingest", str(mail))
    assert result.returncode == 0, result.stdout + result.stderr
    kinds = [ln.strip() for ln in result.stdout.splitlines() if ln.startswith("  ")]
    assert f"{name}: 1" in kinds, result.stdout
    other = "report" if lang == "vi" else "báo cáo"
    assert not any(ln.startswith(f"{other}:") for ln in kinds)
