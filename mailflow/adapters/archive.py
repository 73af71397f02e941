"""Content-addressed archive for raw mail, extracted files and drafts.

Why content-addressed: the same bytes land once however often they arrive, a stored
object is never rewritten, and a file name that came in a mail never becomes a path
(it is kept in the database for people, not on disk). Every write goes to a temporary
file in the same folder, is fsynced, renamed into place and the folder fsynced, so a
crash leaves either the whole object or nothing.

Private by default: reports, drafts and the state are the Office's internal papers, so
every folder mailflow creates is 0700 and every file 0600 *whatever the umask*
(``private_dir``, ``private_opener``; temp files from mkstemp are already 0600).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import stat
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from mailflow.errors import MailflowError
from mailflow.i18n import t

if TYPE_CHECKING:
    import ctypes

_SAFE_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")
_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,99}$")


#: owner-only modes for what mailflow creates
DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> None:
    """``mkdir -p`` where every folder it creates is 0700 (``mkdir(parents=True)`` would
    give the missing parents 0777 minus the umask: 0755 with the usual 022)."""
    path = Path(path)
    missing: list[Path] = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder, DIR_MODE)  # the umask can only take bits away from 0700


def private_opener(path: str, flags: int) -> int:
    """``open(..., opener=private_opener)``: a file created through it is 0600."""
    return os.open(path, flags, FILE_MODE)


def private_touch(path: Path) -> None:
    """Create ``path`` empty and 0600 if it does not exist (before SQLite or a log opens
    it: SQLite gives its -wal and -shm files the database file's mode)."""
    private_dir(Path(path).parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))


def exposed_paths(*paths: Path) -> list[str]:
    """A warning line for each path that group or others can read (for `mailflow check`)."""
    out: list[str] = []
    for path in paths:
        try:
            mode = os.stat(path).st_mode
        except OSError:
            continue
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            out.append(t("archive.exposed", path=path, mode=f"{stat.S_IMODE(mode):04o}"))
    return out


@dataclass(frozen=True)
class Stored:
    sha256: str
    path: Path  # absolute
    relpath: str  # relative to the archive root, what the database keeps
    created: bool  # False when the object was already there


@dataclass
class Staged:
    """Objects written by :meth:`Archive.stage`, in the order given; ``pending`` holds the
    (temporary file, place) pairs not yet published."""

    stored: list[Stored]
    pending: list[tuple[str, Path]]


def _unlink(names: Sequence[str]) -> None:
    for name in names:
        Path(name).unlink(missing_ok=True)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Archive:
    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def _place(self, data: bytes, kind: str, suffix: str) -> Stored:
        """Where ``data`` lives: its hash decides; ``created`` says whether it is new."""
        if not _SAFE_SEGMENT.match(kind):
            raise ValueError(f"bad archive kind {kind!r}")
        suffix = suffix.lower()
        if suffix and not _SAFE_SUFFIX.match(suffix):
            suffix = ".bin"
        digest = sha256(data)
        rel = f"{kind}/{digest[:2]}/{digest}{suffix}"
        path = self.root / rel
        return Stored(digest, path, rel, created=not path.exists())

    def relpath(self, data: bytes, kind: str, suffix: str) -> str:
        """Where ``data`` is (or would be) stored, relative to the root; writes nothing."""
        return self._place(data, kind, suffix).relpath

    def put(self, data: bytes, kind: str = "blob", suffix: str = "") -> Stored:
        """Store ``data`` under its hash; ``kind`` groups objects (mail, file, sent)."""
        stored = self._place(data, kind, suffix)
        if stored.created:
            write_atomic(stored.path, data)
        return stored

    def put_many(self, items: Sequence[tuple[bytes, str, str]]) -> list[Stored]:
        """Store several ``(data, kind, suffix)`` objects with two file-system syncs in all.

        Same guarantee as :meth:`put` for each object (whole or absent after a crash, and
        durable when this returns), but instead of an fsync per file and per folder the
        new files are written, the file system is synced once (``syncfs``), the files are
        renamed into place and the file system is synced again. Intake stores a batch of
        mails this way: one fsync costs milliseconds on a real disk, a batch holds
        hundreds of files.
        """
        staged = self.stage(items)
        self.publish([staged])
        return staged.stored

    def stage(self, items: Sequence[tuple[bytes, str, str]]) -> Staged:
        """The first half of :meth:`put_many`: each new object written to a temporary file
        beside its place, neither durable nor visible yet; :meth:`publish` makes it both.

        Why apart: the poll stages a batch's raw mails in a thread while it still waits for
        their analysis, commits and moves the batch before, so the file creations (the
        archive's largest cost on a busy disk) leave its critical path. Until published a
        staged object is nowhere: a crash leaves only a temporary file.
        """
        out: list[Stored] = []
        pending: list[tuple[str, Path]] = []
        planned: set[Path] = set()
        made: set[Path] = set()
        for data, kind, suffix in items:
            stored = self._place(data, kind, suffix)
            path = stored.path
            if path in planned or not stored.created:
                out.append(replace(stored, created=False))
                continue
            planned.add(path)
            tmp = ""
            try:
                if path.parent not in made:
                    private_dir(path.parent)
                    made.add(path.parent)
                fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
            except OSError as exc:
                # the half-written one too: a full disk must leave no partial object
                _unlink([tmp_name for tmp_name, _ in pending] + ([tmp] if tmp else []))
                raise MailflowError(
                    t("archive.write_failed", path=path, error=exc.strerror),
                    t("archive.write_failed_hint"),
                ) from exc
            pending.append((tmp, path))
            out.append(stored)
        return Staged(out, pending)

    def publish(self, batches: Sequence[Staged]) -> None:
        """Make staged objects durable and visible: sync, rename into place, sync again.

        An object staged twice before either was published (the same mail fetched in two
        batches) is put in place once; the second temporary file is removed.
        """
        pending = [entry for staged in batches for entry in staged.pending]
        if not pending:
            return
        self._sync([Path(tmp) for tmp, _ in pending])
        placed: set[Path] = set()
        for tmp, path in pending:
            if path in placed or path.exists():
                _unlink([tmp])
                continue
            os.replace(tmp, path)
            placed.add(path)
        self._sync(sorted({path.parent for _, path in pending}))
        for staged in batches:
            staged.pending = []

    def discard(self, staged: Staged) -> None:
        """Remove what :meth:`stage` wrote and was never published (a poll that failed)."""
        _unlink([tmp for tmp, _ in staged.pending])
        staged.pending = []

    def _sync(self, paths: Sequence[Path]) -> None:
        """Make ``paths`` durable: one syncfs on Linux, else an fsync each."""
        try:
            if _syncfs(self.root):
                return
            for path in paths:
                fd = os.open(path, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
        except OSError as exc:
            raise MailflowError(
                t("archive.write_failed", path=self.root, error=exc.strerror),
                t("archive.write_failed_hint"),
            ) from exc

    def put_named(self, relpath: str, data: bytes) -> Stored:
        """Store at a readable path (drafts): refuses to overwrite, refuses escapes."""
        parts = relpath.split("/")
        if not parts or not all(_SAFE_SEGMENT.match(p) for p in parts):
            raise ValueError(f"unsafe archive path {relpath!r}")
        path = self.root.joinpath(*parts)
        if path.exists():
            raise FileExistsError(path)
        write_atomic(path, data)
        return Stored(sha256(data), path, relpath, created=True)

    def path(self, relpath: str) -> Path:
        path = (self.root / relpath).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError(f"path outside the archive: {relpath!r}")
        return path

    def read(self, relpath: str) -> bytes:
        return self.path(relpath).read_bytes()


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all: temp file beside it, fsync, rename, fsync folder.

    Used for every file mailflow writes that a person or a restart relies on (archive
    objects, drafts, status pages), so none is ever seen half-written after a crash.
    """
    try:
        private_dir(path.parent)
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


def _syncfs(root: Path) -> bool:
    """syncfs(2) on the file system holding ``root``; False where it does not exist."""
    import ctypes  # here, not at the top: reading the archive (`mailflow status`) never syncs

    fn = getattr(_libc(), "syncfs", None)
    if fn is None:
        return False
    fd = os.open(root, os.O_RDONLY)
    try:
        if fn(fd) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))
    finally:
        os.close(fd)
    return True


@functools.cache
def _libc() -> ctypes.CDLL | None:
    """The C library, or None where there is none to ask (not Linux/Unix): then each
    file is fsynced instead."""
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
