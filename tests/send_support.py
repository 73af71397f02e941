"""Helpers shared by the tests/test_send_*.py files."""

from __future__ import annotations

import email
import io
import itertools
import os
import subprocess
import sys
import time
from email import policy
from email.message import EmailMessage
from pathlib import Path

import docx
from docx.oxml.ns import qn

from mailenv import MailEnv

REPO = Path(__file__).resolve().parent.parent
#: Department code → local part of its address in tests/fixtures/config.template.toml
MAILBOXES = {
    "VP": "vanphong",
    "QLKH": "qlkh",
    "QLCN": "qlcn",
    "TDC": "tdc",
    "KHTC": "khtc",
    "TTCG": "trungtam",
}
CAMPAIGN = "2023-h1"


def run_cli(config: Path, *args: str, crash: str = "") -> subprocess.CompletedProcess[str]:
    """`python -m mailflow --config C ...` in a subprocess (so it can be SIGKILLed)."""
    env = dict(os.environ, MAILFLOW_TEST_PASSWORD="secret", COLUMNS="200")
    env.pop("MAILFLOW_CRASH_AFTER", None)
    if crash:
        env["MAILFLOW_CRASH_AFTER"] = crash
    return subprocess.run(
        [sys.executable, "-m", "mailflow", "--config", str(config), *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
        stdin=subprocess.DEVNULL,
    )


def settle(env: MailEnv, timeout: float = 60.0) -> None:
    """Wait until the server has delivered everything it accepted.

    The embedded server delivers before it answers 250; Postfix queues and delivers
    later, so for the real one we wait for its queue to be empty.
    """
    if env.kind != "real" or env._root is None:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = subprocess.run(
            ["postqueue", "-c", str(env._root / "etc" / "postfix"), "-p"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        if "queue is empty" in out:
            return
        time.sleep(0.1)
    raise AssertionError(f"Postfix queue did not drain: {out}")


def parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def directives(env: MailEnv, local: str, folder: str = "INBOX") -> list[EmailMessage]:
    """The directive mails in a mailbox (recognised by our loop header)."""
    msgs = [parse(raw) for raw in env.messages(env.addr(local), folder)]
    return [m for m in msgs if "/directive/" in (m["X-Mailflow-Id"] or "")]


def attachments(msg: EmailMessage) -> dict[str, bytes]:
    return {part.get_filename() or "": part.get_content() for part in msg.iter_attachments()}


def open_docx(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def shaded(paragraph: docx.text.paragraph.Paragraph) -> bool:
    ppr = paragraph._p.pPr
    shd = ppr.find(qn("w:shd")) if ppr is not None else None
    return shd is not None and (shd.get(qn("w:fill")) or "").upper() not in ("", "AUTO", "FFFFFF")


def marked_headings(document: docx.document.Document, note_style: str) -> list[str]:
    """Texts of the paragraphs that carry a mailflow note right after them (the marks)."""
    paras = document.paragraphs
    out = []
    for before, p in itertools.pairwise(paras):
        if p.style.name == note_style and before.style.name != note_style and before.text.strip():
            assert shaded(before), f"marked heading is not shaded: {before.text[:60]}"
            out.append(before.text)
    return out
