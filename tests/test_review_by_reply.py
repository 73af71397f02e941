"""End to end on both servers: the Office reviews by replying to the draft mail.

A department reports, the Office gets the draft (which ends with what waits for a person
and how to reply), answers with three commands of which one is malformed, and mailflow
applies the two, refuses the third with the accepted forms, records the Office address in
`history` and mails a new draft. The same reply delivered again changes nothing; a reply
whose Authentication-Results fail changes nothing and is held.
"""

from __future__ import annotations

import io
from email.message import EmailMessage
from pathlib import Path

import docx
import pytest
from fixtures.e2e.build import mail
from fixtures.e2e.flow import CAMPAIGN, Flow, attachment, mails_of_kind

pytestmark = [pytest.mark.integration]

SUBJECT = "Re: [2023-H1] Báo cáo sơ kết 6 tháng đầu năm 2023"
FROM = "header.from=sokhcn.example"
AUTH_PASS = "mail.sokhcn.example; spf=pass smtp.mailfrom=sokhcn.example; dmarc=pass " + FROM
AUTH_FAIL = "mail.sokhcn.example; spf=fail smtp.mailfrom=sokhcn.example; dmarc=fail " + FROM


def _body(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def _draft_text(msg: EmailMessage) -> str:
    document = docx.Document(io.BytesIO(attachment(msg, ".docx")))
    return "\n".join(p.text for p in document.paragraphs)


def _office_reply(flow: Flow, draft: EmailMessage, lines: list[str], auth: str) -> bytes:
    quoted = "\n".join("> " + ln for ln in _body(draft).splitlines())
    text = "\n".join(lines) + "\n\nVào ngày 1/7/2023, mailflow đã viết:\n" + quoted + "\n"
    return mail(
        flow.env.addr("vanphong"),
        flow.env.addr("baocao"),
        "Re: " + str(draft["Subject"]),
        text,
        in_reply_to=str(draft["Message-ID"]),
        headers=[("Authentication-Results", auth)],
    )


def _placements(flow: Flow) -> list[tuple[int, str | None, str]]:
    return [
        (r["part_id"], r["section_key"], r["status"])
        for r in flow.query("SELECT part_id, section_key, status FROM placements ORDER BY id")
    ]


def test_the_office_reviews_by_replying_to_the_draft(mail_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    flow = Flow.create(mail_env, tmp_path)
    path = flow.config_path
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "poll_seconds = 1", 'poll_seconds = 1\ndraft_pdf = "none"'
        ),
        encoding="utf-8",
    )
    flow.send_directives()
    o = flow.outline()
    qlkh = mail_env.addr("qlkh")
    flow.reply(
        qlkh,
        mail(
            qlkh,
            mail_env.addr("baocao"),
            SUBJECT,
            "\n\n".join(
                [
                    "Phòng Quản lý khoa học báo cáo như sau:",
                    f"1. {o.section('1.2.1.2').title}",
                    "Đã tổ chức xét duyệt 12 đề tài cấp tỉnh, nghiệm thu 8 đề tài.",
                    "2. Những kết quả đạt được",
                    "Công tác quản lý đề tài được tin học hóa toàn bộ, tiết kiệm thời gian.",
                ]
            ),
            in_reply_to=flow.directive_id("QLKH"),
        ),
    )
    flow.poll(1)
    parts = flow.current("QLKH")
    assert len(parts) >= 2, parts
    first, second = parts[0], parts[1]
    flow.run("assemble", "--campaign", CAMPAIGN, "--send", "--no-pdf")
    drafts = mails_of_kind(flow.inbox("vanphong", 2), "draft")
    assert len(drafts) == 1
    draft = drafts[0]
    body = _body(draft)
    assert "place 33 2.1" in body and "đặt 33 vào 2.1" in body  # how to reply, both languages

    # three commands, one malformed; the quoted draft (with its example commands) is ignored
    commands = [
        f"đặt {first['id']} vào 2.2",
        f"phu luc {second['id']}",
        "dat phan muoi hai vao muc hai",
    ]
    reply = _office_reply(flow, draft, commands, AUTH_PASS)
    before = len(flow.query("SELECT id FROM mails"))
    flow.reply(mail_env.addr("vanphong"), reply)
    flow.poll(before + 1)

    now = {p["id"]: p for p in flow.current("QLKH")}
    assert (now[first["id"]]["section_key"], now[first["id"]]["status"]) == ("1.2.2.2", "reviewed")
    assert (now[second["id"]]["section_key"], now[second["id"]]["status"]) == (None, "unplaced")

    history = flow.run("history", "--campaign", CAMPAIGN).output
    assert mail_env.addr("vanphong") in history

    inbox = flow.inbox("vanphong", 5)
    answers = mails_of_kind(inbox, "answer")
    assert len(answers) == 1
    answer = _body(answers[0])
    assert "dat phan muoi hai vao muc hai" in answer  # the line it could not read …
    assert "đặt 33 vào 2.1" in answer  # … and the accepted forms
    assert f"Phần {first['id']}:" in answer and f"Phần {second['id']}:" in answer
    drafts = mails_of_kind(inbox, "draft")
    assert len(drafts) == 2  # a placement changed: a new draft
    text = _draft_text(drafts[-1])
    moved = (first["heading"] or first["text"]).split("\n")[0][:40]
    start = text.index(o.section("1.2.2.2").title)
    end = text.index(o.section("1.2.2.3").title, start)
    assert first["text"][:40] in text[start:end] or moved in text[start:end]

    # the same reply delivered again: nothing changes, no answer, no draft — both the very
    # same bytes (a second copy) and a resend whose bytes differ but whose Message-ID is the
    # same (it gets a mail row of its own, then is recognised as the reply already applied)
    placements = _placements(flow)
    flow.reply(mail_env.addr("vanphong"), reply)
    flow.run("poll", "--once")
    assert _placements(flow) == placements
    eol = b"\r\n" if b"\r\n" in reply else b"\n"
    flow.reply(mail_env.addr("vanphong"), b"X-Resent-Copy: 2" + eol + reply)
    _poll_until(flow, "SELECT id FROM events WHERE kind = 'review.reply_duplicate'")
    assert _placements(flow) == placements

    # a reply our trusted server says failed authentication: held, nothing applied
    forged = _office_reply(flow, draft, [f"đặt {second['id']} vào 2.1"], AUTH_FAIL)
    flow.reply(mail_env.addr("vanphong"), forged)
    _poll_until(flow, "SELECT id FROM mails WHERE reason = 'reply.why.auth_fail'")
    assert _placements(flow) == placements
    held = flow.query("SELECT kind, reason FROM mails WHERE reason = 'reply.why.auth_fail'")
    assert [(h["kind"], h["reason"]) for h in held] == [("review", "reply.why.auth_fail")]
    inbox = flow.env.wait_for(mail_env.addr("vanphong"), 5, timeout=1)
    assert len(mails_of_kind([_msg(r) for r in inbox], "answer")) == 1
    assert len(mails_of_kind([_msg(r) for r in inbox], "draft")) == 2


def _poll_until(flow: Flow, sql: str) -> None:
    """Poll until ``sql`` finds a row (the real server delivers asynchronously)."""
    import time

    deadline = time.monotonic() + 20
    while True:
        flow.run("poll", "--once")
        if flow.query(sql):
            return
        assert time.monotonic() < deadline, f"never found: {sql}"
        time.sleep(0.2)


def _msg(raw: bytes) -> EmailMessage:
    import email
    import email.policy

    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]
