"""The parsed outline kept on disk, next to the state, so a command that only reads the
outline (``mailflow status``) does not load python-docx and lxml to parse it again.

Why a file and not only memory: every CLI command is a new process. The cache is keyed by
the outline's sha256 and mtime, the departments it was parsed against and the parser's
own source files (a newer mailflow parses again); any mismatch, unreadable or malformed
cache file means "parse again", and a cache that cannot be written is skipped: it never
changes what a command does, only how fast.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path
from typing import Any

import mailflow
from mailflow.adapters.archive import write_atomic
from mailflow.core.outline_codec import (
    CODEC_VERSION,
    departments_data,
    outline_from_data,
    outline_to_data,
)
from mailflow.errors import MailflowError
from mailflow.model import Department, Outline

#: Source files whose change may change a parse (the reader, the parser and its helpers).
_PARSER_FILES = ("adapters/docx_read.py", "model.py")
_PARSER_DIRS = ("core",)


def cache_file(state_path: Path, outline: Path) -> Path:
    """Where the parse of ``outline`` is kept: a folder named after the state file (it is
    part of the state: ``state.sqlite.outline-cache/``), one file per outline path (several
    campaigns may share one outline)."""
    name = hashlib.sha256(str(outline.resolve()).encode()).hexdigest()[:20]
    folder = state_path.with_name(state_path.name + ".outline-cache")
    return folder / f"outline-{name}.json"


def _parser_stamp() -> list[list[Any]]:
    root = Path(mailflow.__file__).parent
    files = [root / f for f in _PARSER_FILES]
    for folder in _PARSER_DIRS:
        files += sorted((root / folder).glob("*.py"))
    stamp = []
    for f in files:
        try:
            st = f.stat()
        except OSError:
            continue
        stamp.append([f.relative_to(root).as_posix(), st.st_mtime_ns, st.st_size])
    return stamp


def cache_key(
    outline: Path, data: bytes, mtime_ns: int, departments: tuple[Department, ...]
) -> dict[str, Any]:
    """What a stored parse must match to be used, in its JSON form (tuples as lists) so
    it compares equal to the key read back from the file."""
    key = {
        "version": CODEC_VERSION,
        "outline": str(outline),
        "sha256": hashlib.sha256(data).hexdigest(),
        "mtime_ns": mtime_ns,
        "departments": departments_data(departments),
        "parser": _parser_stamp(),
    }
    normal: dict[str, Any] = json.loads(json.dumps(key))
    return normal


def read_cached(path: Path, key: dict[str, Any]) -> Outline | None:
    """The stored outline when its key equals ``key``; None otherwise (also when the file
    is missing, unreadable or not what this version writes)."""
    try:
        stored = json.loads(path.read_bytes())
        if not isinstance(stored, dict) or stored.get("key") != key:
            return None
        return outline_from_data(stored["outline"])
    except (OSError, ValueError, TypeError, KeyError):
        return None


def write_cached(path: Path, key: dict[str, Any], outline: Outline) -> None:
    """Store the parse; a failure (read-only folder, full disk) only costs the next run a
    parse, so it is not an error."""
    body = {"key": key, "outline": outline_to_data(outline)}
    with contextlib.suppress(OSError, MailflowError):
        write_atomic(path, json.dumps(body, ensure_ascii=False).encode("utf-8"))
