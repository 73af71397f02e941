"""Under CI=true nothing may be skipped for want of a tool: these fail instead.

Locally the server, LibreOffice and corpus tests skip with a reason when a tool is
missing; in CI `make test` installs them, and this file proves it did.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import mailenv

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpora"

pytestmark = pytest.mark.skipif(not mailenv.real_required(), reason="only checked under CI=true")


@pytest.mark.parametrize(
    "tool",
    ["postfix", "dovecot", "soffice", "pdftoppm", "pdftotext", "tesseract", "bwrap", "recode"],
)
def test_ci_has_the_tool(tool: str) -> None:
    assert shutil.which(tool), f"{tool} missing: make test should have installed it"


def test_ci_has_tesseracts_vietnamese_model() -> None:
    assert Path("/usr/share/tesseract-ocr/5/tessdata/vie.traineddata").is_file()


def test_ci_has_libreoffice_calc_for_spreadsheets() -> None:
    assert Path("/usr/lib/libreoffice/program/libsclo.so").is_file()


def test_ci_runs_as_root_so_the_real_servers_start() -> None:
    assert mailenv.real_available()


def test_ci_has_the_shared_corpora_beside_the_checkout() -> None:
    assert (SHARED / "eml").is_dir() and (SHARED / "docx").is_dir()
