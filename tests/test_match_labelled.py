"""The labelled reply set, end to end: real .docx → read_docx → split → place."""

from __future__ import annotations

import io

import docx
import pytest
from fixtures.match.evaluate import reply_blocks, run, seed_outline, seed_outline_blocks, table
from fixtures.match.replies import QLCN_FILLED_OUTLINE, REPLIES
from fixtures.match.replies_batch4 import AFTER_FIX, BATCH4, PROBES
from fixtures.match.replies_more import MORE_REPLIES

from mailflow.adapters.docx_read import read_docx
from mailflow.core.match import check_copy, is_outline_copy
from mailflow.model import BlockKind

# Measured when the set was written: 56/57 (first batch, written before tuning) and
# 18/20 (second batch, written after tuning and not tuned on). The floors leave a little
# room for the reader and the outline parser to change under us, not for regressions.
FLOOR_FIRST = 0.93
FLOOR_SECOND = 0.85
# Fourth batch (session 21), written before tuning on it: 15/16 placed or held at its first
# score (one misplaced: a heading "Hỗ trợ doanh nghiệp nâng cao năng suất, chất lượng" that
# names two sections' fields); one group heading was mislabelled as content, then fixed.
FLOOR_FOURTH = 0.93


@pytest.fixture(scope="module")
def outline():
    return seed_outline()


def _rate(total) -> float:
    return (total["placed"] + total["held"]) / total["parts"]


def test_labelled_set_has_enough_parts_and_styles():
    styles = {r.style for r in (*REPLIES, *MORE_REPLIES)}
    from fixtures.match.replies import chunks

    parts = sum(len(chunks(r)) for r in (*REPLIES, *MORE_REPLIES))
    assert len(styles) >= 8
    assert parts >= 40


def test_first_batch_places_above_floor_and_loses_nothing(outline):
    results = [run(r, outline) for r in REPLIES]
    text, total = table(results)
    print("\nfirst batch (written before tuning)\n" + text)
    assert total["lost"] == 0
    assert [h for r in results for h in r.hidden] == []
    assert total["misplaced"] <= 1
    assert _rate(total) >= FLOOR_FIRST


def test_second_batch_places_above_floor_and_loses_nothing(outline):
    results = [run(r, outline) for r in MORE_REPLIES]
    text, total = table(results)
    print("\nsecond batch (written after tuning, not tuned on)\n" + text)
    assert total["lost"] == 0
    assert [h for r in results for h in r.hidden] == []
    assert total["misplaced"] <= 1
    assert _rate(total) >= FLOOR_SECOND


def test_fourth_batch_places_above_floor_and_loses_nothing(outline):
    results = [run(r, outline) for r in BATCH4]
    text, total = table(results)
    print("\nfourth batch (written before tuning on it)\n" + text)
    assert total["lost"] == 0
    assert [h for r in results for h in r.hidden] == []
    assert total["misplaced"] <= 1
    assert _rate(total) >= FLOOR_FOURTH


def test_the_late_probes_place_or_hold_every_part_and_misplace_none(outline):
    results = [run(r, outline) for r in PROBES]
    text, total = table(results)
    print("\nlate probes (first score 12/14 placed or held)\n" + text)
    assert total["lost"] == 0 and total["misplaced"] == 0
    assert total["placed"] + total["held"] == total["parts"]


@pytest.mark.parametrize("reply", AFTER_FIX, ids=lambda r: r.name)
def test_the_demo_faults_of_session_21_stay_fixed(reply, outline):
    """A mail body pasting the outline's dash titles, and long bold headings of a
    department's own words: every part placed where it belongs."""
    result = run(reply, outline)
    assert [o[1] for o in result.outcomes] == ["placed"] * len(result.outcomes)


def test_reattached_outline_is_recognised(outline):
    assert is_outline_copy(seed_outline_blocks(), outline)


def test_outline_retyped_into_a_new_document_is_recognised(outline):
    document = docx.Document()
    document.add_paragraph("PHÒNG QUẢN LÝ KHOA HỌC")
    for block in seed_outline_blocks():
        if block.kind is BlockKind.PARAGRAPH:
            document.add_paragraph(block.display_text)
    buffer = io.BytesIO()
    document.save(buffer)
    check = check_copy(read_docx(buffer.getvalue()), outline)
    assert check.is_copy and check.reason == "outline"


def test_outline_with_a_report_written_into_it_is_not_a_copy(outline):
    blocks = list(seed_outline_blocks())
    filled = reply_blocks(QLCN_FILLED_OUTLINE)
    assert not is_outline_copy(blocks + list(filled), outline)


@pytest.mark.parametrize(
    "reply", [*REPLIES, *MORE_REPLIES, *BATCH4, *AFTER_FIX, *PROBES], ids=lambda r: r.name
)
def test_a_report_is_not_taken_for_an_outline_copy(reply, outline):
    assert not is_outline_copy(reply_blocks(reply), outline)


def test_directive_sent_back_is_recognised_from_its_lines(outline):
    directive = [
        "Kính gửi: Phòng Quản lý khoa học",
        "Để chuẩn bị Hội nghị đánh giá kết quả hoạt động 6 tháng đầu năm 2023, thảo luận các "
        "giải pháp trong thời gian tới, Giám đốc Sở yêu cầu các phòng, đơn vị:",
        "Báo cáo về Văn phòng Sở trước ngày 21/7/2023.",
        "Yêu cầu các phòng, đơn vị thực hiện đúng thời gian và đảm bảo chất lượng./.",
    ]
    document = docx.Document()
    for line in directive:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    check = check_copy(read_docx(buffer.getvalue()), outline, directive=directive)
    assert check.is_copy and check.reason == "directive"
