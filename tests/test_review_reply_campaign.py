"""Settling a held mail's campaign by replying to an Office mail (issue 18):
``đợt 2024-kh cho thư 12`` / ``campaign 12 2024-kh``, parsed purely, applied as
`mailflow campaign` applies it."""

from __future__ import annotations

from pathlib import Path

import pytest
from campaign_fixtures import PLAN, open_plan_campaign
from fixtures.e2e.build import mail
from fixtures.e2e.flow import CAMPAIGN, Flow, mails_of_kind

from mailflow.core.review_reply import Release, SetCampaign, parse_command

AUTH_PASS = (
    "mail.sokhcn.example; spf=pass smtp.mailfrom=sokhcn.example; dmarc=pass "
    "header.from=sokhcn.example"
)


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("đợt 2024-kh cho thư 12", SetCampaign(12, "2024-kh")),
        ("dot 2024-kh cho thu 12", SetCampaign(12, "2024-kh")),
        ("- Đợt 2024-KH cho thư #12.", SetCampaign(12, "2024-kh")),
        ("đợt thư 12 là 2024-kh", SetCampaign(12, "2024-kh")),
        ("campaign 12 2024-kh", SetCampaign(12, "2024-kh")),
        ("campaign 2024-kh for mail 12", SetCampaign(12, "2024-kh")),
        ("Campaign mail 12 to 2024-KH", SetCampaign(12, "2024-kh")),
    ],
)
def test_campaign_command_forms_are_read(line: str, command: SetCampaign) -> None:
    assert parse_command(line) == command


@pytest.mark.parametrize("line", ["campaign 12 13", "đợt 12", "đợt 2024-kh", "campaign for 12"])
def test_a_campaign_command_without_both_a_mail_and_a_campaign_is_not_read(line: str) -> None:
    assert parse_command(line) is None


def test_release_form_is_not_taken_for_a_campaign_form() -> None:
    assert parse_command("nhận thư 9 của QLKH") == Release(9, "QLKH")


@pytest.mark.integration
def test_the_office_files_a_held_mail_under_a_campaign_by_reply(mail_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    flow = Flow.create(mail_env, tmp_path)
    open_plan_campaign(flow, tmp_path, send=False)
    flow.send_directives()
    qlkh = mail_env.addr("qlkh")
    flow.reply(qlkh, mail(qlkh, mail_env.addr("baocao"), "Gửi báo cáo", "Gửi anh chị."))
    flow.poll(1)
    held = flow.mail_row(qlkh)
    assert (held["kind"], held["reason"]) == ("review", "intake.why.campaign_unknown")

    flow.run("assemble", "--campaign", CAMPAIGN, "--send", "--no-pdf")
    draft = mails_of_kind(flow.inbox("vanphong", 2), "draft")[0]
    office = mail_env.addr("vanphong")
    reply = mail(
        office,
        mail_env.addr("baocao"),
        "Re: " + str(draft["Subject"]),
        f"đợt 2024-kh cho thư {held['id']}\n",
        in_reply_to=str(draft["Message-ID"]),
        headers=[("Authentication-Results", AUTH_PASS)],
    )
    flow.reply(office, reply)
    flow.poll(2)

    after = flow.query("SELECT kind, campaign, department FROM mails WHERE id = ?", [held["id"]])
    assert after[0] == {"kind": "report", "campaign": PLAN, "department": "QLKH"}
    answers = mails_of_kind(flow.inbox("vanphong", 3), "answer")
    text = answers[0].get_body(("plain",)).get_content()
    assert f"Thư {held['id']}" in text and PLAN in text
