"""Issue 12 items 3 and 4: `assemble` takes a version number only for news, `--out`
alone writes a preview, and `--send` reports its own outcome apart from other mail."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from faults import FaultySmtpServer
from fixtures.e2e.build import DOCX, Section, report_docx
from fixtures.e2e.flow import CAMPAIGN
from test_review_cli import Offline

import mailenv
from mailenv import MailEnv
from mailflow import bootstrap
from mailflow.i18n import t

TDC = f"tdc@{mailenv.DOMAIN}"


@pytest.fixture
def flow(tmp_path: Path) -> Offline:
    env = MailEnv("embedded", "127.0.0.1", 1, 1)  # never contacted: ingest reads files
    path = tmp_path / "config.toml"
    path.write_text(env.config_text(deadline="2031-07-21"), encoding="utf-8")
    return Offline(env, path)


def _report(flow: Offline, local: str, *keys: str) -> None:
    o = flow.outline()
    sections = [Section(o.section(k).title, [f"Nội dung mục {k} của {local}."]) for k in keys]
    flow.ingest(local, "Gửi báo cáo.", [(f"BC {local}.docx", report_docx(sections), DOCX)])


def _versions(flow: Offline) -> list[int]:
    return [r["version"] for r in flow.query("SELECT version FROM drafts ORDER BY version")]


def test_assemble_out_writes_a_preview_without_taking_a_version(flow: Offline) -> None:
    _report(flow, "tdc", "1.2.1.4")
    out = flow.config_path.parent / "preview.docx"
    said = flow.run("assemble", "--campaign", CAMPAIGN, "--no-pdf", "--out", str(out)).output
    assert _versions(flow) == []
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    assert any("Nội dung mục 1.2.1.4 của tdc." in x for x in texts)
    assert "preview" in said.lower() and "--keep" in said
    flow.run("assemble", "--campaign", CAMPAIGN, "--no-pdf", "--out", str(out), "--keep")
    assert _versions(flow) == [1]


def test_assemble_without_news_makes_no_new_version(flow: Offline) -> None:
    _report(flow, "tdc", "1.2.1.4")
    flow.run("assemble", "--campaign", CAMPAIGN, "--no-pdf")
    again = flow.run("assemble", "--campaign", CAMPAIGN, "--no-pdf").output
    assert _versions(flow) == [1]
    assert "Nothing changed since draft version 1" in again
    _report(flow, "qlkh", "1.2.1.2")
    flow.run("assemble", "--campaign", CAMPAIGN, "--no-pdf")
    assert _versions(flow) == [1, 2]


@pytest.fixture
def refusing(tmp_path: Path) -> Iterator[tuple[Offline, FaultySmtpServer]]:
    """The embedded IMAP server, and an SMTP server that answers 550 for TĐC's address."""
    env = mailenv.start_embedded()
    try:
        with FaultySmtpServer(refuse={TDC}) as smtp:
            path = tmp_path / "config.toml"
            path.write_text(
                env.config_text(deadline="2031-07-21", smtp_port=str(smtp.port)),
                encoding="utf-8",
            )
            yield Offline(env, path), smtp
    finally:
        mailenv.stop_embedded(env)


def test_a_refused_queued_receipt_is_reported_as_that_mail_not_as_the_drafts_failure(
    refusing: tuple[Offline, FaultySmtpServer],
) -> None:
    flow, smtp = refusing
    _report(flow, "tdc", "1.2.1.4")
    flow.match()  # queues TĐC's receipt; it is flushed with the draft
    receipt = flow.query("SELECT * FROM sends WHERE kind = 'receipt'")
    assert [r["status"] for r in receipt] == ["queued"]
    result = flow.run("assemble", "--campaign", CAMPAIGN, "--no-pdf", "--send", ok=False)
    assert result.exit_code == 0, result.output
    office = flow.cfg.office.emails
    assert t("review.sent_office", "en", to=", ".join(office)) in result.output
    assert "Could not send the draft" not in result.output
    words = " ".join(result.output.split())
    assert "Another queued mail was not delivered" in words
    assert TDC in words and "550" in words
    raw = bootstrap.build(flow.cfg).archive.read(receipt[0]["archive_path"])
    subject = str(email.message_from_bytes(raw, policy=email.policy.default)["Subject"])
    assert " ".join(subject.split()) in words  # the receipt, named by its own subject
    drafts = flow.query("SELECT status FROM sends WHERE kind = 'draft'")
    assert [r["status"] for r in drafts] == ["sent"]
    assert {rcpt for rcpt, _ in smtp.delivered} == {a.lower() for a in office}
