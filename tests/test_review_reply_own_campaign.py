"""A reply acts only on its own campaign (issue 12, review by reply).

The Office answering campaign A's draft mail with a command naming campaign B's part is
refused, in the answer, with the campaign the part belongs to; nothing of B changes.
On both servers, through the daemon's own poll.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from campaign_fixtures import PLAN, open_plan_campaign
from fixtures.e2e.build import mail
from fixtures.e2e.flow import CAMPAIGN, Flow, mails_of_kind

from mailflow.i18n import t

pytestmark = [pytest.mark.integration]

AUTH_PASS = (
    "mail.sokhcn.example; spf=pass smtp.mailfrom=sokhcn.example; dmarc=pass "
    "header.from=sokhcn.example"
)


def test_a_reply_to_one_campaigns_draft_cannot_move_another_campaigns_part(
    mail_env,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    flow = Flow.create(mail_env, tmp_path)
    open_plan_campaign(flow, tmp_path, send=False)
    flow.send_directives()
    o = flow.outline()
    qlkh = mail_env.addr("qlkh")
    flow.reply(
        qlkh,
        mail(
            qlkh,
            mail_env.addr("baocao"),
            "Re: [2023-H1] Báo cáo sơ kết 6 tháng đầu năm 2023",
            "\n\n".join(
                [
                    "Phòng Quản lý khoa học báo cáo như sau:",
                    f"1. {o.section('1.2.1.2').title}",
                    "Đã tổ chức xét duyệt 12 đề tài cấp tỉnh, nghiệm thu 8 đề tài.",
                ]
            ),
            in_reply_to=flow.directive_id("QLKH"),
        ),
    )
    flow.poll(1)
    part = flow.current("QLKH")[0]
    (row,) = flow.query("SELECT campaign FROM parts WHERE id = ?", [part["id"]])
    assert row["campaign"] == CAMPAIGN
    before = flow.query("SELECT id, part_id, section_key, status FROM placements ORDER BY id")

    # the Office answers the OTHER campaign's draft, naming this campaign's part
    flow.run("assemble", "--campaign", PLAN, "--send", "--no-pdf")
    draft = mails_of_kind(flow.inbox("vanphong", 2), "draft")[0]
    office = mail_env.addr("vanphong")
    count = len(flow.query("SELECT id FROM mails"))
    flow.reply(
        office,
        mail(
            office,
            mail_env.addr("baocao"),
            "Re: " + str(draft["Subject"]),
            f"phụ lục {part['id']}\n",
            in_reply_to=str(draft["Message-ID"]),
            headers=[("Authentication-Results", AUTH_PASS)],
        ),
    )
    flow.poll(count + 1)

    after = flow.query("SELECT id, part_id, section_key, status FROM placements ORDER BY id")
    assert after == before  # nothing of the other campaign moved
    answer = mails_of_kind(flow.inbox("vanphong", 3), "answer")[0]
    text = str(answer.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    refusal = t("reply.other_campaign_part", "vi", id=part["id"], other=CAMPAIGN, campaign=PLAN)
    assert refusal in text
    history = flow.run("history", "--campaign", CAMPAIGN).output
    assert office not in history  # no decision was recorded under the Office's name
