"""Progress of `ingest` (many mails) and `assemble`: plain lines when stdout is not a
terminal (a pipe, cron, a log): no carriage returns, no colour codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mailflow", "--lang", "vi", *args],
        env=dict(os.environ, COLUMNS="200"),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def config(tmp_path: Path) -> Path:
    made = _run("init", str(tmp_path))
    assert made.returncode == 0, made.stderr
    return tmp_path / "config.toml"


def _mails(folder: Path, n: int) -> Path:
    folder.mkdir()
    for i in range(n):
        (folder / f"{i:03d}.eml").write_bytes(
            f"From: someone{i}@example.org\r\nTo: office@example.org\r\n"
            f"Subject: thư {i}\r\nDate: Mon, 1 Jun 2026 10:{i % 60:02d}:00 +0700\r\n"
            f"Message-ID: <progress-{i}@example.org>\r\n\r\nnội dung {i}\r\n".encode()
        )
    return folder


def _plain(text: str) -> None:
    assert "\r" not in text and "\x1b[" not in text, repr(text[:300])


def test_ingest_of_many_mails_prints_one_plain_line_per_batch(config: Path, tmp_path: Path) -> None:
    result = _run("--config", str(config), "ingest", str(_mails(tmp_path / "box", 60)))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    progress = [ln for ln in lines if ln.startswith("Đã xử lý thư: ")]
    assert progress == ["Đã xử lý thư: 50/60", "Đã xử lý thư: 60/60"]
    assert lines.index(progress[-1]) < next(
        i for i, ln in enumerate(lines) if "60" in ln and ln not in progress
    )
    _plain(result.stdout)


def test_ingest_of_a_few_mails_prints_no_progress(config: Path, tmp_path: Path) -> None:
    result = _run("--config", str(config), "ingest", str(_mails(tmp_path / "box", 3)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Đã xử lý thư:" not in result.stdout


def test_assemble_names_each_step_on_a_plain_line(config: Path) -> None:
    result = _run("--config", str(config), "assemble", "--no-pdf")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "[1/2] Xếp các phần báo cáo mới vào đề cương"
    assert lines[1] == "[2/2] Dựng dự thảo"
    assert lines[2].startswith("Dự thảo bản 1")
    _plain(result.stdout)
