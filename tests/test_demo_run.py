"""`mailflow demo` end to end, as `make demo` runs it: fresh folder, minimal environment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import docx
import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Path]:
    folder = tmp_path_factory.mktemp("demo") / "demo-workspace"
    proc = subprocess.run(
        [sys.executable, "-m", "mailflow", "--lang", "en", "demo", "--dir", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "HOME": str(folder.parent), "LANG": "C.UTF-8"},
    )
    return proc, folder


def test_the_demo_exits_0_and_says_where_the_final_draft_is(demo_run) -> None:  # type: ignore[no-untyped-def]
    proc, folder = demo_run
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    docx_line = next(line for line in out.splitlines() if line.startswith("Final draft (.docx)"))
    path = Path(docx_line.split(": ", 1)[1])
    assert path.is_file() and folder in path.parents
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "Phần thứ nhất" in text
    pdf_line = next(line for line in out.splitlines() if line.startswith("Final draft (.pdf)"))
    assert Path(pdf_line.split(": ", 1)[1]).read_bytes().startswith(b"%PDF")


def test_the_demo_prints_the_status_grid_and_each_reply_style(demo_run) -> None:  # type: ignore[no-untyped-def]
    proc, _ = demo_run
    out = proc.stdout
    assert "Report status" in out
    for code in ("VP", "QLKH", "QLCN", "TDC", "KHTC", "TTCG"):
        assert f"{code} —" in out
    for style in (
        "headings copied",
        "in its own words",
        "without diacritics",
        "table of figures",
        "mail body",
        "automatic reply",
        "revision",
        "late report",
    ):
        assert style in out, style


def test_the_demo_places_every_part_of_the_reply_written_in_its_own_words(demo_run) -> None:  # type: ignore[no-untyped-def]
    proc, _ = demo_run
    grid = proc.stdout.split("Report status", 1)[1].split("Each department got", 1)[0]
    qlcn = next(line for line in grid.splitlines() if "QLCN —" in line)
    assert qlcn.rstrip(" │").endswith("-")  # QLCN's own bold headings each start a part


def test_the_demo_sends_one_directive_each_reminders_and_drafts(demo_run) -> None:  # type: ignore[no-untyped-def]
    proc, folder = demo_run
    out = proc.stdout
    assert "Each department got exactly one directive: yes" in out
    assert "(overdue)" in out and "(before the deadline)" in out
    import sqlite3

    with sqlite3.connect(folder / "state.sqlite") as db:
        kinds = dict(db.execute("SELECT kind, COUNT(*) FROM sends GROUP BY kind").fetchall())
        late = db.execute(
            "SELECT recipients FROM sends WHERE kind = 'reminder' AND department = 'TDC' "
            "AND dedupe_key LIKE '%2023-07-24'"
        ).fetchone()
    assert kinds["directive"] == 6
    assert kinds["draft"] >= 2
    assert "truong.tdc@sokhcn.example" in late[0]  # overdue: the head is copied


def test_no_daemon_job_failed_during_the_demo(demo_run) -> None:  # type: ignore[no-untyped-def]
    _, folder = demo_run
    log = (folder / "mailflow.log").read_text(encoding="utf-8")
    assert "intake:" in log  # the daemon did log its work here
    assert " ERROR " not in log and " WARNING " not in log


def test_a_second_demo_replaces_its_own_folder_but_never_a_foreign_one(tmp_path: Path) -> None:
    from mailflow.demo import MARKER, prepare_folder
    from mailflow.errors import MailflowError

    own = tmp_path / "own"
    prepare_folder(own)
    (own / "old.txt").write_text("x")
    prepare_folder(own)
    assert not (own / "old.txt").exists() and (own / MARKER).exists()
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("precious")
    with pytest.raises(MailflowError):
        prepare_folder(foreign)
    assert (foreign / "thesis.docx").read_text() == "precious"
