"""Per-campaign assemble lock: one draft is built at a time.

Why: two ``assemble`` runs (two people, or a person and the daemon's office job) read
the same latest version and both write the next one; the second used to die on the
archive's refusal to overwrite (a raw ``FileExistsError``). An ``fcntl`` lock on a file
next to the state serialises them; the kernel drops it when the holder dies, so a crash
never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
from collections.abc import Iterator
from pathlib import Path

from mailflow.adapters.archive import FILE_MODE, private_dir


class Busy(Exception):
    """Another process holds the lock."""


def assemble_lock_path(state_path: Path, campaign_id: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", campaign_id)
    return state_path.with_name(f"{state_path.name}.assemble-{safe}.lock")


@contextlib.contextmanager
def held(path: Path, wait: bool = False) -> Iterator[None]:
    """Hold an exclusive lock on ``path``; raise ``Busy`` at once if taken (unless ``wait``)."""
    private_dir(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy(str(path)) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock
