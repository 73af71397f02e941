"""`mailflow status` loads only what the grid needs: not the draft builder (python-docx's
composer, the template engine, the PDF converter), which only `assemble` uses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DRAFT_ONLY = ("docxcompose", "docxtpl", "mailflow.adapters.draft_docx", "mailflow.adapters.pdf")
PROBE = """
import sys
from mailflow.cli import cli
try:
    cli(["--lang", "en", "--config", sys.argv[1], "status"], prog_name="mailflow")
except SystemExit as exc:
    code = exc.code
print("EXIT", code)
print("LOADED", " ".join(sorted(sys.modules)))
"""


def test_status_does_not_load_the_draft_builder(tmp_path: Path) -> None:
    init = subprocess.run(
        [sys.executable, "-m", "mailflow", "--lang", "en", "init", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert init.returncode == 0, init.stderr
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "config.toml")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = probe.stdout.splitlines()
    assert "EXIT 0" in lines, probe.stdout + probe.stderr
    loaded = set(next(ln for ln in lines if ln.startswith("LOADED ")).split()[1:])
    assert "mailflow.jobs.assemble" in loaded  # the grid is gathered there
    assert sorted(m for m in loaded if m.startswith(DRAFT_ONLY)) == []
