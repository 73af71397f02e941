"""The reminder job's shell: facts read from a real SQLite state, mail text, the outbox."""

from __future__ import annotations

import email
import json
from datetime import datetime
from email import policy
from pathlib import Path

import pytest

from mailenv import MailEnv
from mailflow import bootstrap
from mailflow import config as config_mod
from mailflow.adapters.mail_templates import MailTemplates
from mailflow.core.due import Away
from mailflow.errors import MailflowError
from mailflow.model import Due
from mailflow.services import remind
from mailflow.services.basics import load_outline


@pytest.fixture
def cfg(tmp_path: Path) -> config_mod.Config:
    path = tmp_path / "config.toml"
    path.write_text(MailEnv("embedded", "127.0.0.1", 9, 9).config_text(), encoding="utf-8")
    return config_mod.load(path)


def _due(code: str, reason: str = "before", to: tuple[str, ...] = ()) -> Due:
    return Due(
        action="remind",
        campaign="2023-h1",
        department=code,
        at=datetime(2023, 7, 18, 8),
        detail=("1.2.1.3", "2"),
        recipients=to or (f"{code.lower()}@sokhcn.example",),
        reason=reason,
    )


def _insert_mail(store, **row) -> None:  # type: ignore[no-untyped-def]
    base = {
        "sha256": row.get("message_id", "x"),
        "archive_path": "x",
        "source": "imap",
        "received_at": "2023-07-12T10:00:00+00:00",
    }
    store.db["mails"].insert({**base, **row})


def test_the_reminder_names_the_missing_sections_by_their_headings(cfg: config_mod.Config) -> None:
    campaign = cfg.campaigns[0]
    subject, text, html = remind.render(
        cfg, campaign, load_outline(cfg, campaign), _due("TTCG"), templates=MailTemplates(cfg)
    )
    assert "[2023-H1]" in subject
    assert "Phát triển một số ngành sản xuất" in text
    assert "Phần thứ hai" in text
    assert "21/07/2023" in text and "Còn 3 ngày" in text
    assert "<li>" in html and "&lt;" not in subject


def test_overdue_and_deadline_reminders_say_so(cfg: config_mod.Config) -> None:
    campaign = cfg.campaigns[0]
    outline = load_outline(cfg, campaign)
    late = Due(**{**_due("TTCG").__dict__, "reason": "overdue", "at": datetime(2023, 7, 24, 8)})
    subject, text, _ = remind.render(cfg, campaign, outline, late, templates=MailTemplates(cfg))
    assert "3 ngày" in subject and "quá hạn 3 ngày" in text
    today = Due(**{**_due("TTCG").__dict__, "reason": "deadline", "at": datetime(2023, 7, 21, 8)})
    assert (
        "Hôm nay" in remind.render(cfg, campaign, outline, today, templates=MailTemplates(cfg))[1]
    )


def test_english_reminders_come_from_the_en_templates(cfg: config_mod.Config) -> None:
    path = cfg.path
    path.write_text(path.read_text(encoding="utf-8").replace('lang = "vi"', 'lang = "en"'))
    en = config_mod.load(path)
    subject, text, _ = remind.render(
        en,
        en.campaigns[0],
        load_outline(en, en.campaigns[0]),
        _due("QLCN"),
        templates=MailTemplates(en),
    )
    assert subject.startswith("Reminder:")
    assert "day(s) left" in text


def test_a_reminder_to_the_deputy_says_why(cfg: config_mod.Config) -> None:
    campaign = cfg.campaigns[0]
    due = _due("VP", to=("pho.vp@sokhcn.example",))
    text = remind.render(
        cfg, campaign, load_outline(cfg, campaign), due, templates=MailTemplates(cfg)
    )[1]
    assert "người được ủy quyền" in text


def test_a_broken_template_is_a_clear_error(cfg: config_mod.Config, tmp_path: Path) -> None:
    templates = tmp_path / "tpl"
    (templates / "mail").mkdir(parents=True)
    (templates / "mail" / "reminder.txt.j2").write_text("{% for %}")
    text = cfg.path.read_text(encoding="utf-8")
    text = text.replace(f'templates = "{cfg.templates_dir}"', f'templates = "{templates}"')
    cfg.path.write_text(text, encoding="utf-8")
    broken = config_mod.load(cfg.path)
    campaign = broken.campaigns[0]
    with pytest.raises(MailflowError) as info:
        remind.render(
            broken,
            campaign,
            load_outline(broken, campaign),
            _due("QLCN"),
            templates=MailTemplates(broken),
        )
    assert "reminder" in info.value.message and str(templates / "mail") in info.value.hint


def test_queueing_the_same_days_reminder_twice_makes_one_mail(cfg: config_mod.Config) -> None:
    app = bootstrap.build(cfg)
    store, archive = app.store, app.archive
    campaign = cfg.campaigns[0]
    outline = load_outline(cfg, campaign)
    now = datetime(2023, 7, 18, 8, 5)
    first, new1 = remind.queue_reminder(
        cfg, store, archive, campaign, outline, _due("TDC"), now, templates=MailTemplates(cfg)
    )
    again, new2 = remind.queue_reminder(
        cfg, store, archive, campaign, outline, _due("TDC"), now, templates=MailTemplates(cfg)
    )
    assert (new1, new2) == (True, False)
    assert first.id == again.id
    assert first.dedupe_key == "reminder:2023-h1:TDC:2023-07-18"
    raw = archive.read(first.archive_path)
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["X-Mailflow-Id"] == "2023-h1/reminder/reminder:2023-h1:TDC:2023-07-18"
    store.close()


def test_the_head_is_copied_on_the_wire_and_in_the_header(cfg: config_mod.Config) -> None:
    app = bootstrap.build(cfg)
    store, archive = app.store, app.archive
    campaign = cfg.campaigns[0]
    due = Due(
        **{**_due("QLKH").__dict__, "cc": ("truong.qlkh@sokhcn.example",), "reason": "overdue"}
    )
    row, _ = remind.queue_reminder(
        cfg,
        store,
        archive,
        campaign,
        load_outline(cfg, campaign),
        due,
        datetime(2023, 7, 22, 8),
        templates=MailTemplates(cfg),
    )
    assert row.recipients == ("qlkh@sokhcn.example", "truong.qlkh@sokhcn.example")
    msg = email.message_from_bytes(archive.read(row.archive_path), policy=policy.default)
    assert msg["Cc"] == "truong.qlkh@sokhcn.example"
    store.close()


def test_the_latest_out_of_office_and_its_return_date_are_read(cfg: config_mod.Config) -> None:
    store = bootstrap.build(cfg).store
    for i, (when, back) in enumerate(
        [("2023-07-10T09:00:00+00:00", "2023-07-14"), ("2023-07-15T09:00:00+00:00", "2023-07-20")]
    ):
        _insert_mail(
            store,
            message_id=f"<ooo{i}@x>",
            kind="auto-reply",
            campaign="2023-h1",
            department="QLKH",
            received_at=when,
            detail=json.dumps({"return_date": back}),
        )
    _insert_mail(store, message_id="<r@x>", kind="report", campaign="2023-h1", department="QLCN")
    away = remind.away(store, "2023-h1")
    assert set(away) == {"QLKH"}
    assert away["QLKH"].until.isoformat() == "2023-07-20"  # type: ignore[union-attr]
    assert isinstance(away["QLKH"], Away)
    store.close()


def test_only_sent_directives_count_and_failed_reminders_do_not(cfg: config_mod.Config) -> None:
    store = bootstrap.build(cfg).store
    common = {"recipients": "[]", "sha256": "s", "archive_path": "a", "campaign": "2023-h1"}
    rows = [
        ("directive:2023-h1:QLKH", "directive", "QLKH", "sent", "2023-07-10T08:30:00+00:00"),
        ("directive:2023-h1:QLCN", "directive", "QLCN", "failed", None),
        ("reminder:2023-h1:TDC:2023-07-18", "reminder", "TDC", "failed", None),
        ("reminder:2023-h1:KHTC:2023-07-18", "reminder", "KHTC", "sent", "2023-07-18T08:00:00"),
    ]
    for key, kind, dep, status, sent_at in rows:
        store.db["sends"].insert(
            {
                **common,
                "dedupe_key": key,
                "kind": kind,
                "department": dep,
                "status": status,
                "sent_at": sent_at,
                "message_id": f"<{key}@x>",
                "created_at": sent_at or "2023-07-18T08:00:00",
            }
        )
    assert set(remind.directives_sent(store, "2023-h1")) == {"QLKH"}
    assert set(remind.reminders_sent(store, "2023-h1")) == {"KHTC"}
    store.close()
