"""The Office mail (issue 12): it names the same unread files as the draft's appendix, and
it never asks the Office to type a terminal command (the Office only reads mail)."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import datetime
from pathlib import Path

import docx
import pytest
from fixtures.e2e.build import DOCX, Section, report_docx
from fixtures.e2e.flow import CAMPAIGN
from test_review_cli import Offline

from mailenv import MailEnv
from mailflow import bootstrap
from mailflow.i18n import t
from mailflow.services.assemble import assemble
from mailflow.services.office_mail import send_draft

DATA = b"\x00\x01 bang so lieu nhi phan \xff" * 40  # a file type no reader takes
CLI = re.compile(r"mailflow (review|place|release|restore|campaign|status|history)\b")


@pytest.fixture
def flow(tmp_path: Path) -> Offline:
    env = MailEnv("embedded", "127.0.0.1", 1, 1)  # never contacted: ingest reads files
    path = tmp_path / "config.toml"
    path.write_text(env.config_text(deadline="2031-07-21"), encoding="utf-8")
    return Offline(env, path)


def _office_mail(flow: Offline) -> tuple[str, Path, list[str]]:
    """(the Office mail's text, the draft file, the file names the plan lists unread)."""
    cfg = flow.cfg
    store = flow.store()
    archive = bootstrap.build(cfg).archive
    now = datetime(2031, 7, 1, 9, 0).astimezone()
    try:
        result = assemble(cfg, store, archive, cfg.campaign(CAMPAIGN), now, pdf=False)
        send_draft(cfg, store, archive, cfg.campaign(CAMPAIGN), result, now)
    finally:
        store.close()
    (row,) = flow.query("SELECT archive_path FROM sends WHERE kind = 'draft'")
    raw = archive.read(row["archive_path"])
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    body = msg.get_body(("plain",))
    assert body is not None
    unread = [u.file_name for u in result.plan.unread if not u.gave_text]
    return str(body.get_content()), result.docx_path, unread


def test_the_office_mail_names_every_file_the_draft_lists_as_unread(flow: Offline) -> None:
    o = flow.outline()
    report = report_docx([Section(o.section("1.2.1.4").title, ["Nội dung mục 1.2.1.4."])])
    empty = report_docx([])  # a report with no text at all: accepted, gives no part
    flow.ingest(
        "tdc",
        "Gửi báo cáo, bảng số liệu và một tệp trống.",
        [
            ("BC TDC.docx", report, DOCX),
            ("so-lieu.xyz", DATA, "application/octet-stream"),
            ("trong.docx", empty, DOCX),
        ],
    )
    flow.match()
    text, draft, unread = _office_mail(flow)

    # neither is quarantined: the list once covered only quarantined/unconverted files
    assert sorted(unread) == ["so-lieu.xyz", "trong.docx"]
    appendix = docx.Document(str(draft)).tables[-1]
    assert sorted(r.cells[1].text for r in appendix.rows[1:]) == sorted(unread)
    waiting = text[text.index(t("office.wait_title", "vi")) :]
    for name in unread:
        assert f"Tệp “{name}” của TDC" in waiting, name


def test_the_office_mail_asks_for_replies_never_for_terminal_commands(flow: Offline) -> None:
    o = flow.outline()
    report = report_docx([Section(o.section("1.2.1.4").title, ["Nội dung mục 1.2.1.4."])])
    flow.ingest("tdc", "Gửi báo cáo.", [("BC TDC.docx", report, DOCX)])
    flow.match()
    text, _draft, _unread = _office_mail(flow)
    assert t("office.reply_howto", "vi") in text and "đặt 33 vào 2.1" in text
    assert CLI.search(text) is None, CLI.search(text)
