"""The draft plan on plain values: order, attributions, gaps, lateness, appendix, diff."""

from __future__ import annotations

from datetime import date, datetime

from mailflow.core.draft_plan import Cell, DepartmentStatus, build_plan, diff, summarize
from mailflow.model import (
    Attribution,
    Campaign,
    Department,
    Outline,
    PlacedPart,
    PlacementStatus,
    Section,
)

DEPS = (
    Department("VP", "Văn phòng", ("vp@x.vn",)),
    Department("QLKH", "Phòng Quản lý khoa học", ("qlkh@x.vn",)),
    Department("QLCN", "Phòng Quản lý công nghệ", ("qlcn@x.vn",)),
    Department("TDC", "Phòng Quản lý TĐC", ("tdc@x.vn",)),
)
OUTLINE = Outline(
    "Đề cương",
    (
        Section("1", "Phần thứ nhất", 1, "ĐÁNH GIÁ KHÁI QUÁT"),
        Section("1.1", "I", 2, "Tình hình triển khai", assignees=("VP",), parent="1"),
        Section("1.2", "II", 2, "Kết quả thực hiện", parent="1"),
        Section("1.2.1", "1", 3, "Chương trình KH&CN", assignees=("QLKH", "QLCN"), parent="1.2"),
        Section("1.2.2", "-", 5, "Tiêu chuẩn đo lường", assignees=("TDC",), parent="1.2"),
        Section("2", "Phần thứ hai", 1, "NHIỆM VỤ, GIẢI PHÁP", all_departments=True),
    ),
)
CAMPAIGN = Campaign("2023-h1", "Sơ kết 6 tháng", "o.docx", "d.docx", date(2023, 7, 21), "2023-H1")
NOW = datetime(2023, 7, 24, 9, 0)


def part(section: str | None, dept: str, day: int, pid: int, **kw: object) -> PlacedPart:
    received = datetime(2023, 7, day, 10, 15)
    return PlacedPart(
        section_key=section,
        department=dept,
        attribution=Attribution(dept, received, f"{dept.lower()}.docx"),
        source=f"/a/{dept.lower()}.docx",
        block_start=pid * 10,
        block_end=pid * 10 + 5,
        text=f"text {pid}",
        part_id=pid,
        **kw,  # type: ignore[arg-type]
    )


def plan_of(parts: list[PlacedPart], statuses: dict[str, DepartmentStatus] | None = None):
    return build_plan(OUTLINE, parts, statuses or {}, DEPS, CAMPAIGN, NOW)


def test_sections_follow_outline_order_with_headings() -> None:
    plan = plan_of([])
    assert [s.key for s in plan.sections] == ["1", "1.1", "1.2", "1.2.1", "1.2.2", "2"]
    assert plan.sections[1].heading == "I. Tình hình triển khai"


def test_parts_under_a_section_follow_config_department_order() -> None:
    plan = plan_of([part("1.2.1", "QLCN", 18, 1), part("1.2.1", "QLKH", 20, 2)])
    items = plan.sections[3].items
    assert [i.department for i in items] == ["QLKH", "QLCN"]


def test_one_department_parts_keep_arrival_order() -> None:
    plan = plan_of([part("1.1", "VP", 20, 7), part("1.1", "VP", 19, 9)])
    assert [i.part.part_id for i in plan.sections[1].items if i.part] == [9, 7]


def test_attribution_names_department_time_and_file() -> None:
    plan = plan_of([part("1.1", "VP", 20, 1)])
    n = plan.sections[1].items[0].note
    assert n.key == "assemble.attribution"
    assert n.kwargs == {
        "department": "Văn phòng",
        "received": "10:15 20/07/2023",
        "file": "vp.docx",
    }


def test_assigned_department_without_part_gets_missing_marker() -> None:
    plan = plan_of([part("1.2.1", "QLKH", 20, 1)])
    items = plan.sections[3].items
    assert [(i.department, i.missing) for i in items] == [("QLKH", False), ("QLCN", True)]
    assert items[1].note.key == "assemble.missing"
    assert items[1].note.kwargs["department"] == "Phòng Quản lý công nghệ"


def test_all_departments_section_expects_everyone() -> None:
    plan = plan_of([])
    assert [i.department for i in plan.sections[5].items] == ["VP", "QLKH", "QLCN", "TDC"]


def test_missing_marker_says_why_when_known() -> None:
    st = {
        "VP": DepartmentStatus("VP", bounced=True),
        "TDC": DepartmentStatus("TDC", out_of_office=True, returns_on=date(2023, 7, 30)),
        "QLKH": DepartmentStatus("QLKH", received_at=datetime(2023, 7, 20)),
    }
    plan = plan_of([], st)
    assert plan.sections[1].items[0].note.key == "assemble.missing_bounced"
    tdc = plan.sections[4].items[0].note
    assert (tdc.key, tdc.kwargs["until"]) == ("assemble.missing_away_until", "30/07/2023")
    # mail came in but the appendix holds none of its text: no "see Appendix"
    assert plan.sections[3].items[0].note.key == "assemble.missing_section_received"


def test_part_received_after_deadline_day_is_late() -> None:
    plan = plan_of([part("1.1", "VP", 21, 1), part("1.2.2", "TDC", 22, 2)])
    assert plan.sections[1].items[0].late is False
    assert plan.sections[4].items[0].late is True


def test_grid_flags_late_and_overdue_departments() -> None:
    st = {"TDC": DepartmentStatus("TDC", received_at=datetime(2023, 7, 22, 8))}
    plan = plan_of([part("1.2.2", "TDC", 22, 2)], st)
    rows = {r.code: r for r in plan.grid}
    assert rows["TDC"].late is True  # received after the deadline
    assert rows["VP"].late is True  # nothing received, deadline passed, sections missing
    assert rows["VP"].missing == ("1.1", "2")


def test_grid_takes_arrival_time_from_parts_when_status_lacks_it() -> None:
    plan = plan_of([part("1.2.2", "TDC", 23, 2), part("1.1", "VP", 20, 1)])
    rows = {r.code: r for r in plan.grid}
    assert rows["TDC"].received_at == datetime(2023, 7, 23, 10, 15) and rows["TDC"].late
    assert rows["QLKH"].received_at is None


def test_matrix_marks_received_missing_and_extra() -> None:
    plan = plan_of([part("1.2.1", "QLKH", 20, 1), part("1.1", "TDC", 20, 2)])
    line = next(m for m in plan.matrix if m.key == "1.2.1")
    assert line.cells == ((Cell.NONE, 0), (Cell.RECEIVED, 1), (Cell.MISSING, 0), (Cell.NONE, 0))
    first = next(m for m in plan.matrix if m.key == "1.1")
    assert first.cells[3] == (Cell.EXTRA, 1)


def test_review_unplaced_and_unknown_sections_go_to_appendix() -> None:
    parts = [
        part("1.1", "VP", 20, 1, status=PlacementStatus.REVIEW),
        part(None, "QLKH", 20, 2, status=PlacementStatus.UNPLACED),
        part("9.9", "QLCN", 20, 3),
        part("1.1", "VP", 20, 4, status=PlacementStatus.SUPERSEDED),
    ]
    plan = plan_of(parts)
    assert [(a.part.part_id, a.reason.key) for a in plan.appendix] == [
        (1, "assemble.reason_review_part"),
        (2, "assemble.reason_unplaced"),
        (3, "assemble.reason_unknown_section"),
    ]
    assert all(i.missing for i in plan.sections[1].items)


def test_diff_without_previous_is_the_first_draft() -> None:
    changes = diff(None, plan_of([part("1.1", "VP", 20, 1)]))
    assert changes.first and changes.notes[0].key == "assemble.diff_first"


def test_diff_reports_added_moved_removed_and_filled() -> None:
    before = summarize(plan_of([part("1.1", "VP", 20, 1), part("1.2.1", "QLKH", 20, 2)]))
    after = plan_of([part("1.2.2", "VP", 20, 1), part("1.2.1", "QLCN", 21, 3)])
    changes = diff(before, after)
    assert changes.added == (("#3", "1.2.1", "QLCN"),)
    assert changes.moved == (("#1", "1.1", "1.2.2", "VP"),)
    assert changes.removed == (("#2", "1.2.1", "QLKH"),)
    assert ("1.2.1", "QLCN") in changes.filled
    assert [n.key for n in changes.notes][:3] == [
        "assemble.diff_added",
        "assemble.diff_moved",
        "assemble.diff_removed",
    ]


def test_diff_of_same_plan_says_nothing_changed() -> None:
    plan = plan_of([part("1.1", "VP", 20, 1)])
    changes = diff(summarize(plan), plan)
    assert not changes.changed
    assert [n.key for n in changes.notes] == ["assemble.diff_none"]


def test_summary_survives_json() -> None:
    import json

    plan = plan_of([part("1.1", "VP", 20, 1), part(None, "TDC", 20, 2)])
    stored = json.loads(json.dumps(summarize(plan)))
    assert not diff(stored, plan).changed


def test_every_plan_note_key_is_in_the_catalogue() -> None:
    from mailflow.messages import CATALOGUE

    st = {"VP": DepartmentStatus("VP", out_of_office=True)}
    plan = plan_of([part("1.1", "QLKH", 22, 1), part(None, "TDC", 20, 2)], st)
    keys = {i.note.key for s in plan.sections for i in s.items}
    keys |= {a.reason.key for a in plan.appendix} | {a.note.key for a in plan.appendix}
    keys |= {n.key for n in diff(None, plan).notes}
    assert keys <= set(CATALOGUE)


NESTED = Outline(
    "Đề cương",
    (
        Section("2", "2", 3, "Đánh giá kết quả", assignees=("VP", "QLKH")),
        Section("2.1", "2.1", 4, "Kết quả đạt được", assignees=("VP", "QLKH"), parent="2"),
        Section("2.2", "2.2", 4, "Hạn chế", assignees=("VP", "QLKH"), parent="2"),
    ),
)


def _markers(plan: object) -> list[tuple[str, str]]:
    return [(s.key, i.department) for s in plan.sections for i in s.items if i.missing]  # type: ignore[attr-defined]


def test_a_parent_is_not_missing_for_a_department_that_wrote_a_sub_section() -> None:
    plan = build_plan(NESTED, [part("2.1", "QLKH", 20, 1)], {}, DEPS[:2], CAMPAIGN, NOW)
    assert ("2", "QLKH") not in _markers(plan)
    assert ("2.2", "QLKH") in _markers(plan)


def test_a_department_that_wrote_nothing_gets_one_marker_at_the_top() -> None:
    plan = build_plan(NESTED, [part("2.1", "QLKH", 20, 1)], {}, DEPS[:2], CAMPAIGN, NOW)
    assert [m for m in _markers(plan) if m[1] == "VP"] == [("2", "VP")]
