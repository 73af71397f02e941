"""Red-team probes of the whole path (H33): a department's hostile reply, saved as a mail,
goes through `ingest`, matching, placement, `assemble` (the draft and its PDF) and the
choice of what is mailed to the Office; nothing in it may act on our server or on the
Office's machine.

Each probe (tests/hostile_probe_kit.py) aims at a loopback listener started here and at
files planted outside every working folder. For each: no connection reaches the listener;
the draft's package holds no external reference or active content (only plain http(s)
hyperlinks, shown as text); no byte of a planted file is in the draft or its PDF; every
file mailed to the Office with the draft is inert too; a refused document is quarantined
with a reason, never dropped, and the other documents of the report still reach the draft.
"""

from __future__ import annotations

import email.policy
import io
import json
import os
import re
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import docx
import hostile_probe_kit as kit
import pytest
from fixtures.e2e.build import mail
from fixtures.e2e.flow import CAMPAIGN, Flow
from fixtures.intake import build
from test_converter_sandbox import (
    Listener,
    _pdf_streams,
    _png,
    listener,  # noqa: F401  (a fixture, used by name)
    needs_bwrap,
    needs_soffice,
)

from mailenv import MailEnv
from mailflow import bootstrap, i18n
from mailflow.adapters.draft_docx import dangling_relationships
from mailflow.services.assemble import gather_plan
from mailflow.services.office_mail import unread_attachments

pytestmark = [pytest.mark.slow, pytest.mark.libreoffice, needs_soffice, needs_bwrap]

SECTION = "1.2.1.2"
CLEAN_SECTION = "1.2.1.4"  # the ordinary document beside the hostile one
SENDER = "qlkh@sokhcn.example"
SUBJECT = "Re: [2023-H1] Báo cáo sơ kết 6 tháng đầu năm 2023"
CLEAN_TEXT = "Phòng đã hoàn thành kiểm tra 5 cơ sở trong quý II, không phát hiện vi phạm."


@pytest.fixture(autouse=True)
def _keep_language() -> Iterator[None]:
    before = i18n.get_lang()
    yield
    i18n.set_lang(before)


@dataclass
class Outcome:
    status: str
    reason: str
    draft_findings: list[str]
    ok_links: list[str]
    office_files: dict[str, list[str]]
    connections: list[str]
    marker_in: list[str]
    draft_text: str
    dangling: list[str]  # r:id/r:embed the draft uses but does not define: Word "repairs" it
    withheld: list[str]  # originals not mailed on, named in the draft's appendix


def _ctx(tmp_path: Path, url: str, title: str) -> kit.Ctx:
    marker = f"PLANTED-{uuid.uuid4().hex}"
    folder = tmp_path / "outside"
    folder.mkdir()
    png_path = folder / "planted-secret.png"
    png_path.write_bytes(_png(marker.encode(), (17, 201, 93)))
    txt = folder / "planted-secret.txt"
    txt.write_text(f"Mật khẩu máy chủ: {marker}\n", encoding="utf-8")
    return kit.Ctx(url, png_path, txt, marker, title)


def _office_files(flow: Flow) -> tuple[dict[str, bytes], list[str]]:
    """What `send_draft` would attach to the Office mail besides the draft and its PDF,
    and the originals the plan withheld."""
    cfg = flow.cfg
    with bootstrap.build(cfg) as app:
        plan = gather_plan(cfg, app.store, app.archive, cfg.campaign(CAMPAIGN), _now())
        files = {name: data for name, data, _ in unread_attachments(app.archive, plan)}
        return files, [u.file_name for u in plan.unread if u.withheld]


def _mailed(flow: Flow) -> dict[str, bytes]:
    """Every file in every mail mailflow queued (the Office's draft mail, the department's
    receipt) other than the draft itself and its PDF: the exact stored bytes."""
    sends = flow.query("SELECT kind, archive_path FROM sends")
    assert "draft" in [s["kind"] for s in sends]
    files: dict[str, bytes] = {}
    for s in sends:
        raw = (flow.cfg.archive_dir / s["archive_path"]).read_bytes()
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        for part in msg.iter_attachments():  # type: ignore[attr-defined]
            name = part.get_filename() or ""
            if not re.fullmatch(r".*-draft-v\d+\.(docx|pdf)", name):
                files[name] = part.get_payload(decode=True) or b""
    return files


def _now() -> Any:
    from datetime import datetime

    return datetime.now().astimezone()


def run_reply(flow: Flow, tmp_path: Path, raw: bytes, heard: Listener, marker: str) -> Outcome:
    saved = tmp_path / "reply.eml"
    saved.write_bytes(raw)
    flow.run("ingest", str(saved))
    docs = flow.query("SELECT name, status, reason FROM documents ORDER BY id")
    flow.match()
    for part in flow.current("QLKH"):
        key = CLEAN_SECTION if CLEAN_TEXT in (part["text"] or "") else SECTION
        flow.run("place", str(part["id"]), key)
    # the draft is queued for the Office (stored before sending); the mail server of this
    # test is never there, so the command says the send failed and the mail stays queued
    flow.run("assemble", "--campaign", CAMPAIGN, "--send", ok=False)
    [row] = flow.query("SELECT path FROM drafts ORDER BY id DESC LIMIT 1")
    out = flow.cfg.archive_dir / row["path"]
    draft = out.read_bytes()
    planned, withheld = _office_files(flow)
    office = _mailed(flow)
    assert set(planned) <= set(office)  # the plan's originals are what the mail carries
    findings = kit.scan_ooxml(draft)
    marker_in = []
    with zipfile.ZipFile(io.BytesIO(draft)) as zf:
        if any(marker.encode() in zf.read(n) for n in zf.namelist()):
            marker_in.append("draft")
    pdf = out.with_suffix(".pdf")
    if pdf.exists() and (
        marker.encode() in _pdf_streams(pdf.read_bytes())
        or bytes((17, 201, 93)) * 8 in _pdf_streams(pdf.read_bytes())
    ):
        marker_in.append("pdf")
    for name, data in office.items():
        if marker.encode() in data:
            marker_in.append(f"office:{name}")
    hostile = [d for d in docs if d["name"] not in ("body.txt", "body.html", "clean.docx")]
    first = hostile[0] if hostile else {"status": "", "reason": ""}
    return Outcome(
        status=first["status"],
        reason=first["reason"] or "",
        draft_findings=kit.active(findings),
        ok_links=[f for f in findings if f.startswith("ok-hyperlink:")],
        office_files={n: kit.scan_attachment(n, d) for n, d in office.items()},
        connections=list(heard.connections),
        marker_in=marker_in,
        draft_text=build.docx_text(draft) + "\n" + _all_text(draft),
        dangling=dangling_relationships(draft),
        withheld=withheld,
    )


def _all_text(draft: bytes) -> str:
    """Every w:t of the draft's body, tables (the appendix) included."""
    with zipfile.ZipFile(io.BytesIO(draft)) as zf:
        xml = zf.read("word/document.xml").decode()
    return "".join(re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)<", xml))


def _log(name: str, outcome: Outcome) -> None:
    path = os.environ.get("H33_PROBE_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            rec = {k: v for k, v in outcome.__dict__.items() if k != "draft_text"}
            f.write(json.dumps({"probe": name, **rec}, ensure_ascii=False) + "\n")


def _clean_docx(flow: Flow) -> bytes:
    d = docx.Document()
    d.add_paragraph(flow.outline().section(CLEAN_SECTION).title)
    d.add_paragraph(CLEAN_TEXT)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


@pytest.mark.parametrize("probe", kit.PROBES, ids=[p.name for p in kit.PROBES])
def test_a_hostile_reply_reaches_nothing_and_leaves_the_draft_and_office_mail_inert(
    probe: kit.Probe,
    listener: Listener,  # noqa: F811  (the imported fixture)
    tmp_path: Path,
) -> None:
    env = MailEnv("embedded", "127.0.0.1", 1, 1)  # never contacted: ingest reads files
    flow = Flow.create(env, tmp_path)
    title = flow.outline().section(SECTION).title
    ctx = _ctx(tmp_path, listener.url, title)
    name, data, ctype = probe.build(ctx)
    raw = mail(
        SENDER,
        "baocao@sokhcn.example",
        SUBJECT,
        "Gửi báo cáo.",
        # a second, ordinary document: one bad file never blocks the others
        attachments=[(name, data, ctype), ("clean.docx", _clean_docx(flow), kit.DOCX_TYPE)],
    )
    outcome = run_reply(flow, tmp_path, raw, listener, ctx.marker)
    _log(probe.name, outcome)
    escaped = Path("/tmp") / f"{ctx.planted_txt.parent.name}-escaped.txt"

    assert outcome.connections == []
    assert outcome.draft_findings == []
    assert outcome.dangling == []
    assert outcome.marker_in == []
    assert {n: f for n, f in outcome.office_files.items() if f} == {}
    assert not escaped.exists()
    for name in outcome.withheld:  # the Office is told, in the draft, what was not sent
        assert name in outcome.draft_text and "KHÔNG đính kèm" in outcome.draft_text
    assert CLEAN_TEXT in outcome.draft_text  # the other document is in the draft
    if probe.expect == "refuse":
        assert outcome.status == "quarantined" and outcome.reason, outcome
    elif probe.expect == "clean":
        assert outcome.status in ("ok", "quarantined", "ignored"), outcome
        assert (
            outcome.status != "ok" or not probe.text or kit.REPORT_TEXT[:40] in outcome.draft_text
        )


def _html_mail(html: str, clean: bytes) -> bytes:
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = SENDER
    msg["To"] = "baocao@sokhcn.example"
    msg["Subject"] = SUBJECT
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@sokhcn.example>"
    msg.set_content(re.sub("<[^>]+>", " ", html))
    msg.add_alternative(html, subtype="html")
    msg.add_attachment(
        clean,
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename="clean.docx",
    )
    return msg.as_bytes()


def test_an_html_body_with_remote_pictures_styles_frames_and_forms_fetches_nothing(
    listener: Listener,  # noqa: F811
    tmp_path: Path,
) -> None:
    env = MailEnv("embedded", "127.0.0.1", 1, 1)
    flow = Flow.create(env, tmp_path)
    title = flow.outline().section(SECTION).title
    ctx = _ctx(tmp_path, listener.url, title)
    outcome = run_reply(
        flow,
        tmp_path,
        _html_mail(kit.html_body_table(ctx), _clean_docx(flow)),
        listener,
        ctx.marker,
    )
    _log("html-body-remote", outcome)
    assert outcome.connections == []
    assert outcome.draft_findings == []
    assert outcome.marker_in == []
    assert {n: f for n, f in outcome.office_files.items() if f} == {}
    assert CLEAN_TEXT in outcome.draft_text
