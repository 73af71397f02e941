"""What the operator sees cannot be steered: mail-derived text is shown escaped.

A stranger's subject can carry ESC sequences (clear the screen, retitle the window, hide
a hyperlink), C1 controls and bidi overrides. `ingest`, `review` and the log show them
as visible escapes; `review` also renders a document's reason with its stored parameters
instead of raw ``{error}`` placeholders.
"""

from __future__ import annotations

import base64
import io
import logging
import os
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner

from mailenv import MailEnv
from mailflow import config as config_mod
from mailflow.adapters.mailserver import free_port
from mailflow.cli import cli
from mailflow.daemon import setup_logging
from mailflow.display import safe

REPO = Path(__file__).resolve().parent.parent
#: a right-to-left override, window title, screen clear, a hidden OSC 8 hyperlink, a C1 CSI
HOSTILE = (
    "B\u00e1o c\u00e1o \u202eexe.docx \x1b]0;owned\x07\x1b[2J"
    "\x1b]8;;http://evil.test\x1b\\click\x1b]8;;\x1b\\ \x9b31m"
)
RAW_CONTROLS = ("\x1b", "\x07", "\x9b", "\u202e")


def encoded(text: str) -> str:
    return "=?utf-8?b?" + base64.b64encode(text.encode()).decode() + "?="


def raw_mail(sender: str, subject: str, attachment: tuple[str, bytes] | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"{sender}@sokhcn.example"
    msg["To"] = "baocao@sokhcn.example"
    msg["Date"] = "Mon, 10 Jul 2023 09:00:00 +0700"
    msg["Message-ID"] = f"<{sender}-{len(subject)}@sokhcn.example>"
    msg.set_content("Nội dung báo cáo.")
    if attachment:
        msg.add_attachment(
            attachment[1],
            maintype="application",
            subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
            filename=attachment[0],
        )
    head, _, body = msg.as_bytes().partition(b"\n\n")
    return head + b"\nSubject: " + encoded(subject).encode() + b"\n\n" + body


@pytest.fixture
def config(tmp_path: Path) -> Path:
    port = free_port()
    path = tmp_path / "config.toml"
    path.write_text(MailEnv("embedded", "127.0.0.1", port, port).config_text(), encoding="utf-8")
    return path


def wide(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in its own process on a wide terminal, as an operator would run it."""
    env = dict(os.environ, PYTHONPATH=str(REPO), COLUMNS="400")
    return subprocess.run(
        [sys.executable, "-m", "mailflow", "--lang", "en", "--config", str(config), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_safe_escapes_controls_escapes_and_bidi_but_keeps_vietnamese() -> None:
    shown = safe("Báo cáo\x1b[2J\x07\x9b\u202e\u2066\nx\ty")
    assert shown == "Báo cáo\\e[2J\\x07\\x9b\\u202e\\u2066\\nx\\ty"
    assert safe("Phòng Quản lý khoa học — Sở KH&CN") == "Phòng Quản lý khoa học — Sở KH&CN"


def test_ingest_shows_a_held_mails_subject_escaped(config: Path, tmp_path: Path) -> None:
    path = tmp_path / "held.eml"
    path.write_bytes(raw_mail("spare1", HOSTILE))  # unknown sender: ingest prints its line
    result = CliRunner().invoke(cli, ["--config", str(config), "--lang", "en", "ingest", str(path)])
    assert result.exit_code == 0, result.output
    assert "\\e]0;owned\\x07\\e[2J" in result.output
    assert not [c for c in RAW_CONTROLS if c in result.output]


@pytest.fixture
def ingested(config: Path, tmp_path: Path) -> Path:
    """A held mail with the hostile subject and a department's report with a damaged file."""
    held = tmp_path / "held.eml"
    held.write_bytes(raw_mail("spare1", HOSTILE))
    damaged = tmp_path / "damaged.eml"
    damaged.write_bytes(
        raw_mail("qlkh", "Báo cáo 2023-H1", ("bao-cao.docx", b"PK\x03\x04 not a zip"))
    )
    result = CliRunner().invoke(
        cli, ["--config", str(config), "--lang", "en", "ingest", str(held), str(damaged)]
    )
    assert result.exit_code == 0, result.output
    return config


def test_review_shows_a_strangers_subject_escaped(ingested: Path) -> None:
    shown = wide(ingested, "review", "--campaign", "2023-h1")
    assert shown.returncode == 0, shown.stderr
    assert "\\e]0;owned\\x07\\e[2J" in shown.stdout and "\\u202eexe.docx" in shown.stdout
    assert not [c for c in RAW_CONTROLS if c in shown.stdout]


def test_review_renders_a_documents_reason_with_its_parameters(ingested: Path) -> None:
    shown = wide(ingested, "review", "--campaign", "2023-h1")
    assert "bao-cao.docx" in shown.stdout
    assert "File is not a zip file" in shown.stdout
    assert "{error}" not in shown.stdout and "{name}" not in shown.stdout


def test_the_log_shows_mail_text_escaped_on_one_line(config: Path) -> None:
    cfg = config_mod.load(config)
    root = setup_logging(cfg, stream=False)
    try:
        logging.getLogger("mailflow.intake").warning("mail held: %s", HOSTILE + "\nFORGED line")
        try:
            raise ValueError(HOSTILE)
        except ValueError:
            logging.getLogger("mailflow.intake").exception("failed on %s", "x")
        for handler in root.handlers:
            handler.flush()
        text = (config.parent / "mailflow.log").read_text(encoding="utf-8")
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
            handler.close()
        root.propagate = True
    assert "\\e]0;owned\\x07" in text and "\\nFORGED line" in text
    assert not [c for c in RAW_CONTROLS if c in text]
    assert not any(line.startswith("FORGED") for line in text.splitlines())


def test_the_log_formatter_leaves_a_traceback_on_its_own_lines() -> None:
    from mailflow.display import SafeFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(SafeFormatter("%(message)s"))
    log = logging.getLogger("test.display.escape")
    log.addHandler(handler)
    try:
        try:
            raise ValueError("bad \x1b[2J")
        except ValueError:
            log.exception("boom")
    finally:
        log.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "boom" and lines[1].startswith("Traceback")
    assert lines[-1] == "ValueError: bad \\e[2J"
