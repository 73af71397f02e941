"""`--json` on status, review, outline and history: one JSON document with the documented
keys (schema mailflow.<command>/1), in a workspace with one imported report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner

from mailflow.cli import cli

CAMPAIGN = "2023-h1"


def _run(config: Path, *args: str) -> Any:
    result = CliRunner().invoke(cli, ["--lang", "vi", "--config", str(config), *args])
    return result


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`init`, a QLKH report imported by hand, and a draft made (so parts are matched)."""
    root = tmp_path_factory.mktemp("json")
    assert CliRunner().invoke(cli, ["--lang", "en", "init", str(root)]).exit_code == 0
    report = docx.Document()
    report.add_paragraph("BÁO CÁO")
    report.add_paragraph("Một việc không thuộc mục nào của đề cương, để người xem xếp.")
    report.save(root / "qlkh.docx")
    path = root / "config.toml"
    imported = _run(path, "import", "--department", "QLKH", str(root / "qlkh.docx"))
    assert imported.exit_code == 0, imported.output
    made = _run(path, "assemble", "--no-pdf")
    assert made.exit_code == 0, made.output
    return path


def _json(config: Path, *args: str, code: int = 0) -> dict[str, Any]:
    result = _run(config, *args, "--json")
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)


def test_status_json_has_the_grid_and_the_matrix(config: Path) -> None:
    doc = _json(config, "status")
    assert doc["schema"] == "mailflow.status/1"
    assert (doc["campaign"], doc["deadline"]) == (CAMPAIGN, "2023-07-21")
    assert set(doc) == {"schema", "campaign", "title", "deadline", "now", "departments"} | {
        "sections",
        "waiting",
    }
    qlkh = next(d for d in doc["departments"] if d["code"] == "QLKH")
    assert qlkh["received_at"] is not None and qlkh["sent_at"] is None
    vp = next(d for d in doc["departments"] if d["code"] == "VP")
    assert vp["received_at"] is None and vp["missing"]
    states = {c["state"] for s in doc["sections"] for c in s["cells"].values()}
    assert "missing" in states and states <= {"none", "received", "extra", "missing"}


def test_review_json_lists_the_part_waiting_with_its_candidates(config: Path) -> None:
    doc = _json(config, "review")
    assert doc["schema"] == "mailflow.review/1" and doc["campaign"] == CAMPAIGN
    (part,) = doc["parts"]
    assert part["department"] == "QLKH" and part["status"] in ("review", "unplaced")
    assert "Một việc không thuộc mục nào" in part["text"]
    assert part["candidates"] and {"section", "heading", "score"} == set(part["candidates"][0])
    assert doc["mails"] == [] and doc["documents"] == []


def test_outline_json_has_every_section_with_its_assignees(config: Path) -> None:
    doc = _json(config, "outline")
    assert doc["schema"] == "mailflow.outline/1" and doc["campaign"] == CAMPAIGN
    keys = [s["key"] for s in doc["sections"]]
    assert len(keys) == len(set(keys)) > 5
    assert any("QLKH" in s["assignees"] for s in doc["sections"])
    assert all(s["parent"] in (None, *keys) for s in doc["sections"])
    assert doc["unresolved"] == []


def test_history_json_has_the_matchers_placement_and_event(config: Path) -> None:
    doc = _json(config, "history", "--department", "QLKH")
    assert doc["schema"] == "mailflow.history/1" and doc["department"] == "QLKH"
    (placement,) = doc["placements"]
    assert placement["decided_by"] == "mailflow" and placement["department"] == "QLKH"
    assert [e["kind"] for e in doc["events"]] == ["match.placed"]
    assert doc["events"][0]["detail"]["parts"] == 1
    assert _json(config, "history", "--department", "VP")["placements"] == []
