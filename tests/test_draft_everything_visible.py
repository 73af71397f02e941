"""Everything received is visible in the draft (issue 11, Build 2).

- A part waiting for review is in the draft: in the appendix "Phần chờ xem lại", with
  the number `mailflow place` takes (not in the body, which stays what the Office signs).
- "xem Phụ lục" is said only where the appendix really holds that department's text.
- A document that gave no text is listed in the appendix with sender, file name and
  reason, and its original goes with the Office mail (within ``draft.attach_max_bytes``;
  over it, the draft names its archive path).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import docx
import pytest
from fixtures.e2e.build import DOCX, Section, mail, report_docx
from fixtures.e2e.flow import CAMPAIGN, Flow, attachment, mails_of_kind
from test_review_cli import Offline, flow  # noqa: F401  (the offline campaign fixture)

import mailenv
from mailflow import i18n
from mailflow.core.draft_plan import (
    DepartmentStatus,
    UnreadDocument,
    attach_within,
    build_plan,
    note,
)
from mailflow.model import Attribution, Campaign, Department, Outline, PlacedPart, PlacementStatus
from mailflow.model import Section as Sec

REVIEW_TEXT = "Đoạn chưa chắc thuộc mục nào: hoạt động phối hợp liên ngành năm 2023."
DATA = b"\x00\x01 bang so lieu nhi phan \xff" * 40  # a file type no reader takes

# --- the plan, on plain values ------------------------------------------------------

DEPS = (Department("A", "Phòng A", ("a@x.vn",)), Department("B", "Phòng B", ("b@x.vn",)))
OUTLINE = Outline(
    "o",
    (
        Sec("1", "I", 1, "Mục một", assignees=("A", "B")),
        Sec("2", "II", 1, "Mục hai", assignees=("A", "B")),
    ),
)
CAMP = Campaign("c", "Báo cáo", "o.docx", "d.docx", date(2031, 7, 21), "C")
NOW = datetime(2031, 7, 1, 9, 0)
RECEIVED = {c: DepartmentStatus(c, received_at=datetime(2031, 6, 30, 8, 0)) for c in ("A", "B")}


@pytest.fixture(autouse=True)
def _keep_language() -> Iterator[None]:
    """The CLI runs with --lang en and sets it process-wide; later test files expect vi."""
    before = i18n.get_lang()
    yield
    i18n.set_lang(before)


def _part(dept: str, section: str | None, status: PlacementStatus, pid: int) -> PlacedPart:
    return PlacedPart(
        section_key=section,
        department=dept,
        attribution=Attribution(dept, datetime(2031, 6, 30, 8, 0), f"{dept}.docx"),
        source="",
        block_start=0,
        block_end=1,
        text=f"text {pid}",
        status=status,
        part_id=pid,
        candidates=("2", "1"),
    )


def _unread(dept: str, size: int, hour: int = 8, **kw: object) -> UnreadDocument:
    return UnreadDocument(
        department=dept,
        sender=f"{dept.lower()}@x.vn",
        file_name=f"{dept}-{hour}.bin",
        reason=note("intake.unpack.unsupported", ext=".bin"),
        received=datetime(2031, 6, 30, hour, 0),
        archive_path=f"file/{dept}{hour}.bin",
        size=size,
        **kw,  # type: ignore[arg-type]
    )


def _markers(plan: object) -> dict[str, str]:
    return {
        i.department: i.note.key
        for s in plan.sections  # type: ignore[attr-defined]
        if s.key == "2"
        for i in s.items
        if i.missing
    }


def test_see_appendix_only_for_a_department_whose_text_is_in_the_appendix() -> None:
    parts = [
        _part("A", "1", PlacementStatus.AUTO, 1),
        _part("A", "1", PlacementStatus.REVIEW, 2),  # A's uncertain part: in the appendix
        _part("B", "1", PlacementStatus.AUTO, 3),  # B: nothing in the appendix
    ]
    plan = build_plan(OUTLINE, parts, RECEIVED, DEPS, CAMP, NOW)
    assert _markers(plan) == {
        "A": "assemble.missing_section",  # "(đã nhận thư; xem Phụ lục)"
        "B": "assemble.missing_section_received",  # no "xem Phụ lục"
    }


def test_a_document_without_text_also_earns_the_see_appendix_wording() -> None:
    parts = [_part("A", "1", PlacementStatus.AUTO, 1), _part("B", "1", PlacementStatus.AUTO, 2)]
    plan = build_plan(OUTLINE, parts, RECEIVED, DEPS, CAMP, NOW, unread=[_unread("B", 10)])
    assert _markers(plan) == {
        "A": "assemble.missing_section_received",
        "B": "assemble.missing_section",
    }


def test_a_review_part_is_listed_with_its_number_and_closest_sections() -> None:
    plan = build_plan(
        OUTLINE, [_part("A", "1", PlacementStatus.REVIEW, 7)], RECEIVED, DEPS, CAMP, NOW
    )
    assert [a.part.part_id for a in plan.review] == [7] and plan.unsorted == ()
    reason = plan.review[0].reason
    assert reason.key == "assemble.reason_review_part"
    assert reason.kwargs == {"number": "7", "best": "II. Mục hai; I. Mục một"}


def test_originals_are_attached_in_arrival_order_while_they_fit_the_cap() -> None:
    docs = [_unread("A", 600, 10), _unread("B", 500, 8), _unread("A", 300, 9)]
    got = {d.file_name: d.attached for d in attach_within(docs, 900)}
    assert got == {"B-8.bin": True, "A-9.bin": True, "A-10.bin": False}


def test_a_document_whose_text_is_in_the_draft_is_never_attached() -> None:
    got = attach_within([_unread("A", 10, gave_text=True)], 10_000)
    assert [d.attached for d in got] == [False]


# --- the draft, read back --------------------------------------------------------------


def _paragraphs(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


def _section(lines: list[str], start: str, end: str) -> list[str]:
    i = next(k for k, x in enumerate(lines) if x.startswith(start))
    j = next(k for k, x in enumerate(lines) if k > i and x.startswith(end))
    return lines[i:j]


def _unread_rows(path: Path) -> list[list[str]]:
    table = docx.Document(str(path)).tables[-1]
    return [[c.text for c in r.cells] for r in table.rows]


def test_a_part_waiting_for_review_is_in_the_draft_with_its_number(
    flow: Offline,  # noqa: F811
    tmp_path: Path,
) -> None:
    o = flow.outline()
    report = report_docx([Section(o.section("1.2.1.4").title, [REVIEW_TEXT])])
    flow.ingest("tdc", "Gửi báo cáo.", [("BC TDC.docx", report, DOCX)])
    flow.match()
    part = flow.current("TDC")[0]["id"]
    store = flow.store()
    with store.transaction() as db:  # a person's view: the newest placement says review
        db.conn.execute(
            "INSERT INTO placements (part_id, section_key, score, status, candidates, "
            "decided_by, created_at) VALUES (?, NULL, 51.0, 'review', ?, 'mailflow', "
            "'2030-01-01T00:00:00')",
            [part, json.dumps([["1.2.1.4", 51.0], ["1.2.1.5", 47.5]])],
        )
    store.close()
    out = tmp_path / "draft.docx"
    flow.run("assemble", "--campaign", CAMPAIGN, "--no-pdf", "--out", str(out))
    lines = _paragraphs(out)
    review = _section(lines, "3. Phần chờ xem lại", "4. ")  # the draft speaks config.lang
    assert any(x.startswith(f"Phần số {part} — chờ xem lại") for x in review), review
    assert any(REVIEW_TEXT in x for x in review)
    body = lines[: lines.index(next(x for x in lines if x.startswith("PHỤ LỤC")))]
    assert not any(REVIEW_TEXT in x for x in body)  # once: in the appendix only


def test_over_the_cap_the_draft_names_the_archive_path(flow: Offline, tmp_path: Path) -> None:  # noqa: F811
    with flow.config_path.open("a", encoding="utf-8") as f:
        f.write("\n[draft]\nattach_max_bytes = 10\n")
    o = flow.outline()
    report = report_docx([Section(o.section("1.2.1.4").title, ["Nội dung mục 1.2.1.4."])])
    flow.ingest(
        "tdc",
        "Gửi báo cáo và số liệu.",
        [("BC TDC.docx", report, DOCX), ("so-lieu.xyz", DATA, "application/octet-stream")],
    )
    out = tmp_path / "draft.docx"
    flow.run("assemble", "--campaign", CAMPAIGN, "--no-pdf", "--out", str(out))
    row = next(r for r in _unread_rows(out) if r[1] == "so-lieu.xyz")
    path = flow.query("SELECT archive_path FROM documents WHERE name = 'so-lieu.xyz'")[0]
    assert row[3] == f"lưu tại {path['archive_path']} (quá giới hạn đính kèm)"


# --- to the Office mailbox, through a real server ------------------------------------------


@pytest.fixture(params=["embedded", "real"])
def mail_env(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    if request.param == "embedded":
        env = mailenv.start_embedded()
        yield env
        mailenv.stop_embedded(env)
    else:
        yield mailenv.real_env(request)


@pytest.mark.integration
def test_a_document_without_text_is_listed_and_its_original_goes_to_the_office(
    mail_env,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    run = Flow.create(mail_env, tmp_path)
    run.send_directives()
    o = run.outline()
    report = report_docx([Section(o.section("1.2.1.4").title, ["Nội dung mục 1.2.1.4."])])
    sender = mail_env.addr("tdc")
    run.reply(
        sender,
        mail(
            sender,
            mail_env.addr("baocao"),
            "Re: [2023-H1] Báo cáo sơ kết 6 tháng đầu năm 2023",
            "Phòng TĐC gửi báo cáo và bảng số liệu.",
            in_reply_to=run.directive_id("TDC"),
            attachments=[
                ("BC TDC.docx", report, DOCX),
                ("so-lieu.xyz", DATA, "application/octet-stream"),
            ],
        ),
    )
    run.poll(expect=1)
    run.run("assemble", "--campaign", CAMPAIGN, "--send", "--no-pdf")
    office = run.inbox("vanphong", count=2)  # VP's directive + the draft
    draft = mails_of_kind(office, "draft")[0]
    assert attachment(draft, ".xyz") == DATA  # the original, byte for byte
    path = tmp_path / "draft.docx"
    path.write_bytes(attachment(draft, ".docx"))
    row = next(r for r in _unread_rows(path) if r[1] == "so-lieu.xyz")
    assert sender in row[0] and "Loại tệp xyz" in row[2] and row[3].startswith("đính kèm")
    text = draft.get_body(("plain",)).get_content()
    assert "Tài liệu không đọc được nội dung: 1 (đính kèm 1;" in text


def test_a_part_recognised_from_a_scan_carries_the_check_the_original_flag(
    flow: Offline,  # noqa: F811
    tmp_path: Path,
) -> None:
    o = flow.outline()
    report = report_docx([Section(o.section("1.2.1.4").title, ["Nội dung nhận dạng."])])
    flow.ingest("tdc", "Gửi bản quét.", [("BC TDC scan.docx", report, DOCX)])
    store = flow.store()
    with store.transaction() as db:  # what intake records for an OCR'd scan (H5)
        db.conn.execute("UPDATE documents SET reason = 'intake.unpack.pdf_ocr'")
    store.close()
    out = tmp_path / "draft.docx"
    flow.run("assemble", "--campaign", CAMPAIGN, "--no-pdf", "--out", str(out))
    lines = [x for x in _paragraphs(out) if "BC TDC scan.docx" in x]
    assert lines and all("cần đối chiếu bản gốc" in x for x in lines), lines
