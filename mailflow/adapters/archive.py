"""Content-addressed archive for raw mail, extracted files and drafts.

Why content-addressed: the same bytes land once however often they arrive, a stored
object is never rewritten, and a file name that came in a mail never becomes a path
(it is kept in the database for people, not on disk). Every write goes to a temporary
file in the same folder, is fsynced, renamed into place and the folder fsynced, so a
crash leaves either the whole object or nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mailflow.errors import MailflowError
from mailflow.i18n import t

_SAFE_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")
_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,99}$")


@dataclass(frozen=True)
class Stored:
    sha256: str
    path: Path  # absolute
    relpath: str  # relative to the archive root, what the database keeps
    created: bool  # False when the object was already there


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Archive:
    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def put(self, data: bytes, kind: str = "blob", suffix: str = "") -> Stored:
        """Store ``data`` under its hash; ``kind`` groups objects (mail, file, sent)."""
        if not _SAFE_SEGMENT.match(kind):
            raise ValueError(f"bad archive kind {kind!r}")
        suffix = suffix.lower()
        if suffix and not _SAFE_SUFFIX.match(suffix):
            suffix = ".bin"
        digest = sha256(data)
        rel = f"{kind}/{digest[:2]}/{digest}{suffix}"
        path = self.root / rel
        if path.exists():
            return Stored(digest, path, rel, created=False)
        self._write_atomic(path, data)
        return Stored(digest, path, rel, created=True)

    def put_named(self, relpath: str, data: bytes) -> Stored:
        """Store at a readable path (drafts): refuses to overwrite, refuses escapes."""
        parts = relpath.split("/")
        if not parts or not all(_SAFE_SEGMENT.match(p) for p in parts):
            raise ValueError(f"unsafe archive path {relpath!r}")
        path = self.root.joinpath(*parts)
        if path.exists():
            raise FileExistsError(path)
        self._write_atomic(path, data)
        return Stored(sha256(data), path, relpath, created=True)

    def path(self, relpath: str) -> Path:
        path = (self.root / relpath).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError(f"path outside the archive: {relpath!r}")
        return path

    def read(self, relpath: str) -> bytes:
        return self.path(relpath).read_bytes()

    def _write_atomic(self, path: Path, data: bytes) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError as exc:
            raise MailflowError(
                t("archive.write_failed", path=path, error=exc.strerror),
                t("archive.write_failed_hint"),
            ) from exc
