"""The parsed outline kept beside the state (adapters.outline_cache, core.outline_codec):
used only while the outline file and the departments are unchanged, never in their way."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from mailflow import config as config_mod
from mailflow.adapters import outline_cache
from mailflow.config import Config
from mailflow.core.outline_codec import outline_from_data, outline_to_data
from mailflow.model import Outline, UnresolvedAssignment
from mailflow.services import basics
from mailflow.services.basics import load_outline


@pytest.fixture
def cfg(tmp_path: Path) -> Config:
    init = subprocess.run(
        [sys.executable, "-m", "mailflow", "--lang", "en", "init", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert init.returncode == 0, init.stderr
    basics._OUTLINES.clear()  # each load below stands for a new process
    return config_mod.load(tmp_path / "config.toml")


def _fresh(cfg: Config) -> Outline:
    basics._OUTLINES.clear()
    return load_outline(cfg, cfg.campaigns[0])


def _cache_files(cfg: Config) -> list[Path]:
    return sorted(cfg.state_path.with_name(cfg.state_path.name + ".outline-cache").glob("*.json"))


def test_the_stored_form_reads_back_as_the_same_outline(cfg: Config) -> None:
    outline = _fresh(cfg)
    data = json.loads(json.dumps(outline_to_data(outline), ensure_ascii=False))
    assert outline_from_data(data) == outline


def test_an_unresolved_unit_survives_the_round_trip(cfg: Config) -> None:
    unknown = UnresolvedAssignment("1", "Phòng Pháp chế báo cáo.", "Phòng Pháp chế", ("VP",))
    outline = dataclasses.replace(_fresh(cfg), unresolved=(unknown,))
    assert outline_from_data(json.loads(json.dumps(outline_to_data(outline)))) == outline


def test_an_unchanged_outline_is_read_from_the_cache(cfg: Config) -> None:
    first = _fresh(cfg)
    [kept] = _cache_files(cfg)
    stored = json.loads(kept.read_text(encoding="utf-8"))
    stored["outline"]["title"] = "FROM THE CACHE"
    kept.write_text(json.dumps(stored, ensure_ascii=False), encoding="utf-8")
    again = _fresh(cfg)
    assert again.title == "FROM THE CACHE"
    assert again.sections == first.sections


def test_an_edited_outline_is_parsed_again(cfg: Config) -> None:
    before = _fresh(cfg)
    path = Path(cfg.campaigns[0].outline)
    document = docx.Document(str(path))
    document.add_paragraph("Phần thứ ba").runs[0].bold = True
    document.add_paragraph("MỤC MỚI THÊM VÀO").runs[0].bold = True
    document.save(str(path))
    after = _fresh(cfg)
    assert after != before
    assert any("MỤC MỚI THÊM VÀO" in s.title for s in after.sections)
    assert not any("MỤC MỚI THÊM VÀO" in s.title for s in before.sections)


def test_a_parse_kept_for_other_departments_is_not_used(cfg: Config) -> None:
    before = _fresh(cfg)
    campaign = cfg.campaigns[0]
    deps = cfg.campaign_departments(campaign)
    path = Path(campaign.outline)
    data = path.read_bytes()
    key = outline_cache.cache_key(path, data, path.stat().st_mtime_ns, deps)
    other = outline_cache.cache_key(
        path, data, path.stat().st_mtime_ns, (dataclasses.replace(deps[0], name="Phòng Khác"),)
    )
    assert key != other
    assert outline_cache.read_cached(outline_cache.cache_file(cfg.state_path, path), other) is None
    assert _fresh(cfg) == before


@pytest.mark.parametrize("content", [b"", b"{not json", b'{"key": 1}', b"[]"])
def test_a_damaged_cache_file_means_a_new_parse(cfg: Config, content: bytes) -> None:
    first = _fresh(cfg)
    [kept] = _cache_files(cfg)
    kept.write_bytes(content)
    assert _fresh(cfg) == first
    assert json.loads(kept.read_bytes())["outline"]["title"] == first.title  # written anew


def test_a_cache_folder_that_cannot_be_written_changes_nothing(cfg: Config) -> None:
    cfg.state_path.with_name(cfg.state_path.name + ".outline-cache").write_text(
        "a file where the folder goes"
    )
    first = _fresh(cfg)
    assert _fresh(cfg) == first
