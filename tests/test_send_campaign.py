"""`mailflow send` against both servers: one directive per department, marked outlines,
copies in Sent, a refused address, and the dry run."""

from __future__ import annotations

from pathlib import Path

import pytest
from send_support import (
    CAMPAIGN,
    MAILBOXES,
    attachments,
    directives,
    marked_headings,
    open_docx,
    run_cli,
    settle,
)

from mailenv import MailEnv
from mailflow import config as config_mod
from mailflow.adapters.outline_docx import load_outline
from mailflow.core.outline import MARK_STYLE

pytestmark = pytest.mark.integration


def _outline(config: Path):  # type: ignore[no-untyped-def]
    cfg = config_mod.load(config)
    campaign = cfg.campaign(CAMPAIGN)
    return cfg, load_outline(Path(campaign.outline), cfg.campaign_departments(campaign))


def test_every_department_gets_exactly_one_directive_with_its_sections_marked(
    mail_env: MailEnv, workspace: Path
) -> None:
    result = run_cli(workspace, "send", "--campaign", CAMPAIGN, "--send")
    assert result.returncode == 0, result.stdout + result.stderr
    settle(mail_env)
    cfg, outline = _outline(workspace)
    sent_ids = {m["Message-ID"] for m in directives(mail_env, "baocao", "Sent")}
    for code, local in MAILBOXES.items():
        (msg,) = directives(mail_env, local)
        assert msg["X-Mailflow-Id"] == f"{CAMPAIGN}/directive/directive:{CAMPAIGN}:{code}"
        assert msg["Subject"].startswith("[2023-H1] ")
        assert msg["Reply-To"].addresses[0].addr_spec == cfg.mailbox.address
        assert msg["Message-ID"] in sent_ids
        files = attachments(msg)
        directive_name = next(n for n in files if n.startswith("Công văn"))
        outline_name = next(n for n in files if n.startswith("Đề cương"))
        letter = "\n".join(p.text for p in open_docx(files[directive_name]).paragraphs)
        department = cfg.department(code)
        assert f"Kính gửi: {department.name}" in letter
        marked = marked_headings(open_docx(files[outline_name]), MARK_STYLE)
        expected = [s for s in outline.sections if code in s.assignees]
        assert len(marked) == len(expected)
        for heading, section in zip(marked, expected, strict=True):
            # a "Phần thứ …" heading carries its number; its title is the next paragraph
            assert section.title[:40] in heading or heading.startswith(section.number)
    assert len(sent_ids) == len(MAILBOXES)


def test_sections_differ_by_department_as_the_outline_says(
    mail_env: MailEnv, workspace: Path
) -> None:
    assert run_cli(workspace, "send", "--campaign", CAMPAIGN, "--send").returncode == 0
    settle(mail_env)

    def marked(local: str) -> list[str]:
        (msg,) = directives(mail_env, local)
        files = attachments(msg)
        name = next(n for n in files if n.startswith("Đề cương"))
        return marked_headings(open_docx(files[name]), MARK_STYLE)

    vp, qlkh = marked("vanphong"), marked("qlkh")
    assert any("Tình hình triển khai thực hiện" in h for h in vp)  # "I. … Văn phòng báo cáo."
    assert not any("Tình hình triển khai thực hiện" in h for h in qlkh)
    assert any("Nâng cao hiệu quả công tác nghiên cứu" in h for h in qlkh)


def test_a_second_send_sends_nothing_new_and_says_so(mail_env: MailEnv, workspace: Path) -> None:
    assert run_cli(workspace, "send", "--campaign", CAMPAIGN, "--send").returncode == 0
    again = run_cli(workspace, "send", "--campaign", CAMPAIGN, "--send")
    assert again.returncode == 0
    assert "Không có gì mới để gửi" in again.stdout
    settle(mail_env)
    for local in MAILBOXES.values():
        assert len(directives(mail_env, local)) == 1


def test_a_refused_address_fails_with_the_server_reason_and_the_others_go(
    mail_env: MailEnv, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(mail_env.config_text(tdc="nobody"), encoding="utf-8")
    result = run_cli(config, "send", "--campaign", CAMPAIGN, "--send")
    assert result.returncode == 1
    assert "TDC" in result.stdout and "nobody@sokhcn.example" in result.stdout
    assert "550" in result.stdout
    settle(mail_env)
    for code, local in MAILBOXES.items():
        if code != "TDC":
            assert len(directives(mail_env, local)) == 1
    cfg = config_mod.load(config)
    from mailflow import bootstrap
    from mailflow.services import outbox

    store = bootstrap.build(cfg).store
    try:
        rows = {r.department: r for r in outbox.rows(store, campaign=CAMPAIGN)}
    finally:
        store.close()
    assert rows["TDC"].status == "failed" and rows["TDC"].last_error.startswith("550")
    assert all(r.status == "sent" for code, r in rows.items() if code != "TDC")


def test_the_dry_run_sends_nothing_and_writes_the_preview(
    mail_env: MailEnv, workspace: Path
) -> None:
    result = run_cli(workspace, "send", "--campaign", CAMPAIGN)
    assert result.returncode == 0, result.stderr
    preview = workspace.parent / "preview" / CAMPAIGN
    for code in MAILBOXES:
        folder = preview / code
        names = sorted(p.name for p in folder.iterdir())
        assert names == sorted(
            [f"Công văn 2023-H1 - {code}.docx", f"Đề cương 2023-H1 - {code}.docx", "directive.eml"]
        )
        open_docx((folder / f"Công văn 2023-H1 - {code}.docx").read_bytes())
        assert code in result.stdout
    settle(mail_env)
    for local in (*MAILBOXES.values(), "baocao"):
        assert directives(mail_env, local) == []
    assert directives(mail_env, "baocao", "Sent") == []
