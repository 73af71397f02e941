"""Private by default: what mailflow writes is owner-only (0700/0600) whatever the umask.

Run with the usual umask 022 (which would leave files 0644 and folders 0755): a real
`ingest` of a report with a Word attachment, a real `assemble --out`, the state's
SQLite files (with their -wal and -shm) and the daemon's log must give group and
others nothing. `check` warns when the config or the archive is open to others.
"""

from __future__ import annotations

import io
import logging
import os
import stat
from collections.abc import Iterator
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from mailenv import MailEnv
from mailflow import config as config_mod
from mailflow.adapters.mailserver import free_port
from mailflow.adapters.store import Store
from mailflow.cli import cli
from mailflow.daemon import setup_logging

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(autouse=True)
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    """The seed campaign, state and archive inside a fresh folder; no server needed."""
    port = free_port()
    path = tmp_path / "ws" / "config.toml"
    path.parent.mkdir()
    path.write_text(MailEnv("embedded", "127.0.0.1", port, port).config_text(), encoding="utf-8")
    path.chmod(0o600)
    return path


def _report() -> bytes:
    doc = docx.Document()
    doc.add_heading("I. KẾT QUẢ THỰC HIỆN", level=1)
    doc.add_paragraph("Phòng đã hoàn thành 12 đề tài cấp tỉnh trong 6 tháng đầu năm.")
    buf = io.BytesIO()
    doc.save(buf)
    msg = EmailMessage()
    msg["From"] = "qlkh@sokhcn.example"
    msg["To"] = "baocao@sokhcn.example"
    msg["Subject"] = "Báo cáo 2023-H1"
    msg["Date"] = "Mon, 10 Jul 2023 09:00:00 +0700"
    msg["Message-ID"] = "<private-1@sokhcn.example>"
    msg.set_content("Gửi Văn phòng báo cáo của phòng.")
    msg.add_attachment(buf.getvalue(), maintype="application", subtype=DOCX.split("/")[1],
                       filename="bao-cao-qlkh.docx")  # fmt: skip
    return msg.as_bytes()


def _open_to_others(root: Path, skip: set[Path]) -> list[str]:
    found = []
    for path in [root, *root.rglob("*")]:
        if path in skip or path == root:
            continue
        mode = stat.S_IMODE(path.lstat().st_mode)
        if mode & 0o077:
            found.append(f"{path.relative_to(root)} {mode:04o}")
    return found


def test_files_made_by_intake_and_assembly_are_not_readable_by_group_or_others(
    config_path: Path, tmp_path: Path
) -> None:
    ws = config_path.parent
    (tmp_path / "in.eml").write_bytes(_report())
    runner = CliRunner()
    ingest = runner.invoke(cli, ["--config", str(config_path), "ingest", str(tmp_path / "in.eml")])
    assert ingest.exit_code == 0, ingest.output
    out = ws / "drafts" / "du-thao.docx"
    assembled = runner.invoke(
        cli,
        ["--config", str(config_path), "assemble", "--campaign", "2023-h1", "--no-pdf",
         "--out", str(out), "--keep"],
    )  # fmt: skip
    assert assembled.exit_code == 0, assembled.output
    cfg = config_mod.load(config_path)
    assert any(cfg.archive_dir.rglob("*.docx")) and out.is_file()  # there is something to check
    # a folder the user named for --out is theirs (mkdir of their path, like cp); the
    # draft written into it is private
    assert _open_to_others(ws, {config_path, out.parent}) == []


def test_the_state_file_and_its_wal_and_shm_are_owner_only(config_path: Path) -> None:
    cfg = config_mod.load(config_path)
    store = Store(cfg.state_path)
    try:
        store.event("test.private", datetime(2023, 7, 10, 9, 0).astimezone())
        files = [cfg.state_path, *(cfg.state_path.with_name(cfg.state_path.name + s)
                                   for s in ("-wal", "-shm"))]  # fmt: skip
        assert all(f.exists() for f in files)
        assert [f"{f.name} {stat.S_IMODE(f.stat().st_mode):04o}" for f in files] == [
            f"{f.name} 0600" for f in files
        ]
    finally:
        store.close()


def test_the_daemon_log_is_owner_only(config_path: Path) -> None:
    cfg = config_mod.load(config_path)
    root = setup_logging(cfg, stream=False)
    try:
        root.info("a line that names a department and a subject")
        for handler in root.handlers:
            handler.flush()
        log = cfg.state_path.with_name("mailflow.log")
        assert stat.S_IMODE(log.stat().st_mode) == 0o600
    finally:
        for handler in list(root.handlers):
            if getattr(handler, "_mailflow_daemon", False):
                root.removeHandler(handler)
                handler.close()
        root.propagate = True
        root.setLevel(logging.NOTSET)


def test_check_warns_when_the_config_or_the_archive_is_readable_by_others(
    config_path: Path,
) -> None:
    cfg = config_mod.load(config_path)
    cfg.archive_dir.mkdir(mode=0o755)
    config_path.chmod(0o644)
    result = CliRunner().invoke(cli, ["--lang", "en", "--config", str(config_path), "check"])
    warned = [ln for ln in result.output.splitlines() if "chmod go-rwx" in ln]
    assert len(warned) == 2, result.output
    assert any("config.toml" in ln and "0644" in ln for ln in warned)
    assert any(str(cfg.archive_dir.name) in ln and "0755" in ln for ln in warned)
