"""``mailflow outline --campaign ID`` against a temporary config."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mailflow.cli import cli
from mailflow.samples.seed import SEED_OUTLINE, Item, build_directive, build_outline

ROOT = Path(__file__).resolve().parent.parent


def _workspace(tmp_path: Path, outline: bytes) -> Path:
    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    (tmp_path / "campaigns" / "2023-h1").mkdir(parents=True)
    (tmp_path / "campaigns" / "2023-h1" / "outline.docx").write_bytes(outline)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "directive.docx").write_bytes(build_directive())
    return tmp_path / "config.toml"


def _run(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--config", str(config), "--lang", "en", *args])
    return result.exit_code, result.output


def test_outline_prints_the_tree_with_assignees_and_exits_0(tmp_path: Path) -> None:
    code, out = _run(
        _workspace(tmp_path, build_outline("styled")), "outline", "--campaign", "2023-h1"
    )
    assert code == 0, out
    assert "1.2.1.2 [QLKH, QLCN] - Kết quả nhiệm vụ" in out
    assert "1.2.2.1 [all] 2.1. Những kết quả đạt được" in out
    assert "16 sections" in out


def test_unresolved_assignment_is_listed_with_closest_and_exits_1(tmp_path: Path) -> None:
    items = tuple(
        Item("assign", "Phòng Quản lý khoa hoc công nghệ và Phòng Thanh tra báo cáo.")
        if item.text == "Văn phòng báo cáo." else item
        for item in SEED_OUTLINE
    )  # fmt: skip
    code, out = _run(
        _workspace(tmp_path, build_outline("styled", items)), "outline", "--campaign", "2023-h1"
    )
    assert code == 1, out
    assert '"Phòng Thanh tra"' in out
    line = next(x for x in out.splitlines() if "khoa hoc công nghệ" in x)
    assert "section 1.1" in line and "closest: Phòng Quản lý" in line


@pytest.mark.parametrize("args", [["outline", "--campaign", "nope"]])
def test_an_unknown_campaign_is_a_usage_error(tmp_path: Path, args: list[str]) -> None:
    code, _out = _run(_workspace(tmp_path, build_outline("styled")), *args)
    assert code == 2
