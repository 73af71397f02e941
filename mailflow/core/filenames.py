"""Safe display names for attached files.

A file name in a mail is text chosen by whoever sent it. It is shown to people and
may end up in a download name, so it must never carry a path, a device name, control
or bidi characters that make "report‮cod.exe" read as "report.docx", nor be long
enough to break a file system. Names that *try* to be a path (``..``, absolute, drive
letters) or a Windows device are reported so the caller can quarantine the file.
"""

from __future__ import annotations

import functools
import re
import unicodedata

MAX_NAME_CHARS = 120
DEFAULT_NAME = "attachment"

_RESERVED = {"con", "prn", "aux", "nul", "clock$", "conin$", "conout$"}
_RESERVED |= {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
_RESERVED |= {f"com{c}" for c in "¹²³"} | {f"lpt{c}" for c in "¹²³"}
_WINDOWS_BAD = re.compile(r'[<>:"/\\|?*]')
_DRIVE = re.compile(r"^[A-Za-z]:")


def _invisible(ch: str) -> bool:
    """Control, format (bidi overrides, zero-width) and separator characters other than space."""
    cat = unicodedata.category(ch)
    return cat in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def name_problem(raw: str) -> str | None:
    """Why ``raw`` is hostile as a name: "path-traversal", "absolute-path", "reserved-name".

    ``None`` when the name is only untidy (control characters, odd punctuation): those
    are cleaned by :func:`safe_name` and need no quarantine. Folder parts inside a zip
    ("reports/qlkh.docx") are normal and not a problem.

    Every member of every .docx is asked about (``word/document.xml``, ``_rels/.rels``…,
    a dozen and more per reply, the same names reply after reply): the answer for a name
    of ordinary length is remembered (bounded), a longer name is judged each time.
    """
    if len(raw or "") <= _REMEMBERED_NAME_CHARS:
        return _remembered_problem(raw or "")
    return _problem(raw)


_REMEMBERED_NAME_CHARS = 255


@functools.lru_cache(maxsize=4096)
def _remembered_problem(raw: str) -> str | None:
    return _problem(raw)


def _problem(raw: str) -> str | None:
    text = unicodedata.normalize("NFC", raw or "")
    unified = text.replace("\\", "/")
    parts = [p for p in unified.split("/")]
    if any(p.strip() == ".." for p in parts):
        return "path-traversal"
    if unified.startswith("/") or _DRIVE.match(unified) or unified.startswith("~"):
        return "absolute-path"
    base = parts[-1] if parts else ""
    stem = base.strip().split(".")[0].strip().lower()
    if stem in _RESERVED:
        return "reserved-name"
    return None


def safe_name(raw: str | None, default: str = DEFAULT_NAME, max_chars: int = MAX_NAME_CHARS) -> str:
    """A display name: last path component, NFC, visible characters, capped, never empty."""
    text = unicodedata.normalize("NFC", raw or "")
    text = "".join(" " if ch in "\t\r\n" else ch for ch in text)
    text = "".join(ch for ch in text if not _invisible(ch))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = _WINDOWS_BAD.sub("_", text)
    text = re.sub(r"\s+", " ", text).strip(" .")
    if not text or set(text) <= {"_", "."}:
        text = default
    stem, dot, ext = text.rpartition(".")
    if not dot or not stem or len(ext) > 10:
        stem, ext = text, ""
    if stem.split(".")[0].strip().lower() in _RESERVED:
        stem = "_" + stem
    if len(stem) + len(ext) + 1 > max_chars:
        keep = max(1, max_chars - len(ext) - 2)
        stem = stem[:keep].rstrip(" .") + "…"
    return f"{stem}.{ext}" if ext else stem


def extension(name: str) -> str:
    """Lower-case extension without the dot ("" when none)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    if "." not in base.strip("."):
        return ""
    return base.rsplit(".", 1)[1].strip().lower()
