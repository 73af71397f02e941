"""Draft .docx → .pdf with LibreOffice headless, when LibreOffice is installed.

Each conversion runs with its own throw-away user profile and output folder: two
LibreOffice processes sharing a profile block each other (or silently do nothing), and a
shared output folder would let one conversion pick up another's file. No LibreOffice is
not an error: the caller gets no PDF and a sentence saying why.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mailflow.errors import MailflowError
from mailflow.i18n import t

_CANDIDATES = ("soffice", "libreoffice")


@dataclass(frozen=True)
class PdfResult:
    path: Path | None  # None: no PDF was made, ``note`` says why
    note: str = ""


def find_soffice() -> str | None:
    override = os.environ.get("MAILFLOW_SOFFICE")
    if override:
        return override if Path(override).is_file() or shutil.which(override) else None
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def to_pdf(
    docx: Path, out: Path | None = None, *, timeout: float = 180, lang: str | None = None
) -> PdfResult:
    """Convert ``docx``; the PDF lands at ``out`` (default: next to it, same stem).

    LibreOffice runs in the converter sandbox (no network, it sees only a private folder
    holding a COPY of the draft and a fresh profile) and is killed with every process it
    started when ``timeout`` passes: a picture the draft links by URL or by path is neither
    fetched nor read into the PDF mailed to the Office.
    """
    from mailflow.adapters import sandbox
    from mailflow.adapters.convert import run_soffice

    soffice = find_soffice()
    if soffice is None:
        return PdfResult(None, t("assemble.pdf_unavailable", lang))
    target = out or docx.with_suffix(".pdf")
    with tempfile.TemporaryDirectory(prefix="mailflow-lo-") as tmp:
        work = Path(tmp)
        outdir = work / "out"
        outdir.mkdir()
        src = work / "draft.docx"  # our name: the sandbox shows this folder and nothing else
        try:
            shutil.copyfile(docx, src)
            proc = run_soffice(soffice, work, "pdf", outdir, [str(src)], timeout)
        except sandbox.SandboxError as exc:
            if exc.reason == "sandbox.timeout":
                raise MailflowError(
                    t("assemble.pdf_timeout", lang, file=docx.name, seconds=int(timeout)),
                    t("assemble.pdf_failed_hint", lang),
                ) from None
            raise MailflowError(
                t("assemble.pdf_failed", lang, file=docx.name, detail=exc.params.get("detail")),
                t("assemble.pdf_failed_hint", lang),
            ) from None
        except OSError as exc:
            raise MailflowError(
                t("assemble.pdf_failed", lang, file=docx.name, detail=exc),
                t("assemble.pdf_failed_hint", lang),
            ) from exc
        made = outdir / "draft.pdf"
        if proc.returncode != 0 or not made.is_file():
            detail = (proc.stderr or proc.stdout).decode(
                "utf-8", "replace"
            ).strip() or f"exit {proc.returncode}"
            raise MailflowError(
                t("assemble.pdf_failed", lang, file=docx.name, detail=detail[-300:]),
                t("assemble.pdf_failed_hint", lang),
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp_target = target.with_name(f".{target.name}.tmp")
        shutil.move(str(made), tmp_target)
        tmp_target.replace(target)
    return PdfResult(target)
