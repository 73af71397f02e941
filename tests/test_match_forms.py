"""The forms replies come in, decided with plain values (no files, no servers):

- the outline sent back: a copy only when it adds nothing, else a form filled in, read
  section by section without the outline's own lines; the copy check's work is bounded;
- one report in two forms in one mail: decided by content, the editable form kept;
- mail not to be answered but to be read: a department's report through a list or from a
  document system is a report; an out-of-office stays an auto-reply; nothing answers them.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fixtures.match.evaluate import seed_outline, seed_outline_blocks

from mailflow.core.identify import (
    KnownState,
    MailHeaders,
    OpenCampaign,
    identify,
    list_addresses,
    may_auto_answer,
)
from mailflow.core.match import (
    COPY_CHECK_WORK,
    _Known,
    _Matcher,
    check_copy,
    fill_in,
    same_report_copies,
)
from mailflow.model import Block, BlockKind, MailKind, PlacementStatus

TYPED = (
    "Phòng đã kiểm tra 40 cơ sở kinh doanh xăng dầu, phát hiện 3 cơ sở vi phạm về đo lường "
    "và xử phạt hành chính theo quy định."
)


#: every line of the outline document as sent (title, "PHỤ LỤC", notes): the job passes it
SENT = [b.display_text for b in seed_outline_blocks() if b.kind is BlockKind.PARAGRAPH]


def _blocks(texts: list[str]) -> tuple[Block, ...]:
    return tuple(Block(i, BlockKind.PARAGRAPH, t) for i, t in enumerate(texts))


def _outline_with(typed: dict[str, list[str]]) -> tuple[Block, ...]:
    """The seed outline's lines with ``typed`` paragraphs after the lines of a section."""
    outline = seed_outline()
    lines = [b.display_text for b in seed_outline_blocks() if b.kind is BlockKind.PARAGRAPH]
    out: list[str] = []
    pending: list[str] = []
    for line in lines:
        hit = next((s for s in outline.sections if s.heading == line or s.title == line), None)
        if hit is not None:
            out.extend(pending)
            pending = typed.get(hit.key, [])
        out.append(line)
    out.extend(pending)
    return _blocks(out)


# --- the outline sent back ----------------------------------------------------------------


def test_a_returned_outline_that_adds_nothing_is_a_copy() -> None:
    check = check_copy(seed_outline_blocks(), seed_outline())
    assert check.is_copy and not check.form


def test_one_sentence_typed_under_a_section_makes_it_a_form_not_a_copy() -> None:
    check = check_copy(_outline_with({"1.2.1.4": [TYPED]}), seed_outline())
    assert not check.is_copy and check.form


def test_a_filled_in_outline_gives_the_typed_text_as_that_sections_part() -> None:
    blocks = _outline_with({"1.2.1.4": [TYPED], "1.3": ["Dự báo hoàn thành 90% chỉ tiêu."]})
    check = check_copy(blocks, seed_outline(), sent=SENT)
    parts, placements = fill_in(blocks, check)
    got = {(p.section_key, part.text) for part, p in zip(parts, placements, strict=True)}
    assert got == {("1.2.1.4", TYPED), ("1.3", "Dự báo hoàn thành 90% chỉ tiêu.")}
    assert all(p.status is PlacementStatus.AUTO for p in placements)


def test_guidance_and_assignment_lines_of_a_filled_outline_are_never_report_text() -> None:
    outline = seed_outline()
    blocks = _outline_with({"1.2.1.4": [TYPED]})
    parts, _ = fill_in(blocks, check_copy(blocks, outline, sent=SENT))
    own = outline.section("1.2.1.4")
    text = "\n".join(p.text for p in parts)
    assert own.assignment_text not in text
    assert not any(g in text for g in own.guidance)


def test_a_reworded_assignment_line_is_still_the_outlines_own() -> None:
    blocks = _outline_with({"1.2.1.4": ["(Phòng TĐC báo cáo)", TYPED]})
    parts, _ = fill_in(blocks, check_copy(blocks, seed_outline(), sent=SENT))
    assert [p.text for p in parts] == [TYPED]


def test_the_copy_check_spends_at_most_its_work_budget_on_near_misses() -> None:
    outline = seed_outline()
    from mailflow.core.match import _known_lines

    matcher = _Matcher(_known_lines(outline), budget=500)
    for i in range(2000):
        matcher.find(f"đoạn văn thứ {i} của một báo cáo rất dài về khoa học và công nghệ")
    assert matcher.budget <= 0
    assert matcher.budget > -len(_known_lines(outline).lines)  # never past one lookup


def test_a_line_the_outline_holds_is_found_by_lookup_without_fuzzy_work() -> None:
    outline = seed_outline()
    known: _Known = _known_lines_of(outline)
    matcher = _Matcher(known, budget=COPY_CHECK_WORK)
    assert matcher.find(known.lines[3]) == known.exact[known.lines[3]]
    assert matcher.budget == COPY_CHECK_WORK


def _known_lines_of(outline):  # type: ignore[no-untyped-def]
    from mailflow.core.match import _known_lines

    return _known_lines(outline)


# --- one report in two forms ---------------------------------------------------------------


REPORT = " ".join([TYPED] * 3) + " Trân trọng báo cáo."


def test_a_report_and_its_pdf_text_are_one_report_and_the_docx_is_kept() -> None:
    pdf_text = REPORT.replace(" ", "  ").replace("cơ sở", "cơ  sở") + "\nNguyễn Văn A (đã ký)"
    assert same_report_copies([(pdf_text, 2), (REPORT, 0)]) == {0: 1}


def test_two_different_reports_in_one_mail_are_both_kept() -> None:
    other = (
        "Trung tâm đã chuyển giao 05 quy trình công nghệ nhân giống nấm dược liệu cho các hợp "
        "tác xã; hoàn thành nâng cấp phòng thí nghiệm vi sinh đạt chuẩn ISO/IEC 17025."
    ) * 2
    assert same_report_copies([(REPORT, 0), (other, 2)]) == {}


def test_the_editable_form_ranks_by_the_original_not_by_its_docx_form() -> None:
    from mailflow.services.match import _form_rank

    word = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    # since intake every format has a docx form: it must not make a PDF look editable
    forms = {
        "docx": {"name": "BC.docx", "content_type": word, "docx_path": "a"},
        "doc": {"name": "BC.doc", "content_type": "application/msword", "docx_path": "b"},
        "body": {"name": "body.html", "content_type": "text/html", "docx_path": "c"},
        "pdf": {"name": "BC ky.pdf", "content_type": "application/pdf", "docx_path": "d"},
        "scan": {
            "name": "BC quet.pdf",
            "content_type": "application/pdf",
            "docx_path": "e",
            "reason": "intake.unpack.pdf_ocr",
        },
        "odd": {"name": "scan", "content_type": "image/jpeg", "docx_path": None},
    }
    ranks = {k: _form_rank(v) for k, v in forms.items()}
    assert sorted(ranks, key=lambda k: ranks[k]) == ["docx", "doc", "body", "pdf", "scan", "odd"]
    sheet = {"name": "So lieu.xlsx", "content_type": "application/octet-stream", "docx_path": "f"}
    assert _form_rank(sheet) is None  # tables, never another form of a written report


def test_short_notes_are_never_taken_for_a_report_copy() -> None:
    assert same_report_copies([("Gửi báo cáo.", 3), ("Gửi báo cáo.", 0)]) == {}


# --- mail not to be answered, but read --------------------------------------------------------


KNOWN = KnownState(
    addresses={"tdc@sokhcn.example": "TDC"},
    campaigns=(OpenCampaign("2023-h1", "2023-H1"),),
    own_addresses=("baocao@sokhcn.example",),
)


def _mail(headers: dict[str, str], attachments: int = 1, **kw: object) -> MailHeaders:
    base: dict[str, object] = {
        "message_id": "<m@sokhcn.example>",
        "from_addr": "tdc@sokhcn.example",
        "subject": "[2023-H1] Báo cáo",
        "date": datetime(2023, 7, 10, tzinfo=UTC),
        "attachment_count": attachments,
    }
    base.update(kw)
    return MailHeaders(headers={k.lower(): (v,) for k, v in headers.items()}, **base)  # type: ignore[arg-type]


LIST = {"List-Id": "<phong-tdc.sokhcn.example>", "Precedence": "list"}
DMS = {"Auto-Submitted": "auto-generated", "X-Mailer": "VNPT-iOffice 5.1"}


def test_a_departments_report_through_its_group_address_is_a_report() -> None:
    got = identify(_mail(LIST), KNOWN)
    assert got.kind is MailKind.REPORT and got.reason == "intake.why.report_via_list"


def test_a_report_from_a_document_system_is_a_report() -> None:
    got = identify(_mail(DMS), KNOWN)
    assert got.kind is MailKind.REPORT and got.reason == "intake.why.report_from_system"


def test_a_document_system_known_only_by_its_x_mailer_is_a_report_never_answered() -> None:
    h = _mail({"X-Mailer": "Hệ thống Quản lý văn bản và điều hành"})
    assert identify(h, KNOWN).kind is MailKind.REPORT
    assert not may_auto_answer(h)


def test_an_out_of_office_with_an_attachment_stays_an_auto_reply() -> None:
    got = identify(_mail({"Auto-Submitted": "auto-replied"}), KNOWN)
    assert got.kind is MailKind.AUTO_REPLY


def test_list_mail_from_a_department_without_a_report_goes_to_a_person() -> None:
    got = identify(_mail(LIST, attachments=0, body_text="Lịch họp giao ban tuần."), KNOWN)
    assert got.kind is MailKind.REVIEW and got.reason == "intake.why.list_from_department"


@pytest.mark.parametrize(
    ("report_type", "reason"),
    [
        ("disposition-notification", "intake.why.read_receipt"),
        ("feedback-report", "intake.why.feedback_report"),
    ],
)
def test_a_read_receipt_from_a_departments_address_is_shown_to_a_person(
    report_type: str, reason: str
) -> None:
    got = identify(_mail({}, attachments=0, report_type=report_type), KNOWN)
    assert (got.kind, got.department, got.reason) == (MailKind.REVIEW, "TDC", reason)


def test_a_read_receipt_from_a_stranger_is_still_ignored() -> None:
    h = _mail({}, attachments=0, report_type="disposition-notification", from_addr="x@y.example")
    assert identify(h, KNOWN).kind is MailKind.IGNORED


def test_the_body_length_that_makes_list_mail_a_report_is_the_configured_one() -> None:
    from dataclasses import replace

    body = "Kết quả kiểm tra đo lường 6 tháng đầu năm: 40 cơ sở, 3 vi phạm, đã xử phạt. " * 2
    h = _mail(LIST, attachments=0, body_text=body)  # ~160 characters: under the default
    assert identify(h, KNOWN).kind is MailKind.REVIEW
    assert identify(h, replace(KNOWN, report_body_chars=100)).kind is MailKind.REPORT


def test_list_mail_from_a_stranger_is_still_ignored() -> None:
    got = identify(_mail(LIST, from_addr="news@example.org"), KNOWN)
    assert got.kind is MailKind.IGNORED


def test_a_long_body_through_a_list_is_report_text() -> None:
    body = "Phòng TĐC báo cáo kết quả kiểm tra đo lường. " * 8
    got = identify(_mail(LIST, attachments=0, body_text=body), KNOWN)
    assert got.kind is MailKind.REPORT


def test_list_and_system_reports_are_never_answered_automatically() -> None:
    assert not may_auto_answer(_mail(LIST))
    assert not may_auto_answer(_mail(DMS))
    assert may_auto_answer(_mail({}))


def test_the_lists_own_addresses_are_known_so_no_receipt_goes_there() -> None:
    h = _mail({**LIST, "List-Post": "<mailto:phong-tdc@sokhcn.example>"})
    assert list_addresses(h) == ("phong-tdc@sokhcn.example",)


def test_text_before_the_first_section_of_a_form_waits_for_review() -> None:
    blocks = _blocks(["Ý kiến chung của phòng về đề cương: đề nghị bổ sung mục về chuyển đổi số."])
    blocks += tuple(
        Block(len(blocks) + b.index, b.kind, b.text) for b in _outline_with({"1.3": [TYPED]})
    )
    _parts, placements = fill_in(blocks, check_copy(blocks, seed_outline(), sent=SENT))
    assert [(p.status, p.section_key) for p in placements] == [
        (PlacementStatus.REVIEW, None),
        (PlacementStatus.AUTO, "1.3"),
    ]


# --- a subject line kept as the title -------------------------------------------------------


def test_the_subject_line_under_bao_cao_bo_sung_names_the_headless_first_part() -> None:
    from mailflow.core.match import title_heading
    from mailflow.core.segment import split

    blocks = (
        Block(0, BlockKind.PARAGRAPH, "BÁO CÁO BỔ SUNG", bold=True),
        Block(1, BlockKind.PARAGRAPH, "Về quản lý tiêu chuẩn đo lường chất lượng", bold=True),
        Block(2, BlockKind.PARAGRAPH, TYPED),
    )
    seg = split(blocks)
    assert title_heading(seg.parts, seg.boilerplate) == (
        "Về quản lý tiêu chuẩn đo lường chất lượng"
    )


def test_a_plain_bao_cao_title_is_not_taken_for_a_heading() -> None:
    from mailflow.core.match import title_heading
    from mailflow.core.segment import split

    blocks = (
        Block(0, BlockKind.PARAGRAPH, "BÁO CÁO", bold=True),
        Block(1, BlockKind.PARAGRAPH, TYPED),
    )
    seg = split(blocks)
    assert title_heading(seg.parts, seg.boilerplate) == ""
