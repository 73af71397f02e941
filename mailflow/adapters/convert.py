"""Old Word formats (.doc, .odt, .rtf) → .docx with LibreOffice headless.

Why like this: LibreOffice refuses to run twice on one user profile (the second call
silently does nothing), so each :class:`LibreOffice` object — one per worker — owns a
private profile (``-env:UserInstallation``); files are converted in one batch per call
(starting soffice costs seconds, converting a file milliseconds), each batch in its own
fresh folder with file names WE choose (never the sender's), and a batch that hangs is
killed with its whole process group. When soffice is not installed the caller keeps the
file and flags it "needs-conversion" instead of failing the mail.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

SUPPORTED = ("doc", "dot", "odt", "ott", "rtf", "wps", "docx")


class Converter(Protocol):
    def available(self) -> bool: ...

    def to_docx(self, files: Sequence[tuple[str, bytes]]) -> list[bytes | str]:
        """(extension, bytes) pairs → .docx bytes, or an error text, in the same order."""
        ...


class LibreOffice:
    """A converter backed by ``soffice --headless --convert-to docx``."""

    def __init__(
        self,
        soffice: str | None = None,
        timeout: float = 120.0,
        temp_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        found = (
            soffice
            if soffice is not None
            else (shutil.which("soffice") or shutil.which("libreoffice"))
        )
        self.soffice = found or ""
        self.timeout = timeout
        self._temp_dir = str(temp_dir) if temp_dir is not None else None
        self._profile: Path | None = None
        self._lock = threading.Lock()

    def available(self) -> bool:
        if not self.soffice:
            return False
        return Path(self.soffice).is_file() or shutil.which(self.soffice) is not None

    def __enter__(self) -> LibreOffice:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove the private profile (it is recreated on the next call)."""
        if self._profile is not None:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = None

    def to_docx(self, files: Sequence[tuple[str, bytes]]) -> list[bytes | str]:
        if not files:
            return []
        if not self.available():
            return ["LibreOffice (soffice) is not installed"] * len(files)
        with self._lock:
            if self._profile is None:
                self._profile = Path(
                    tempfile.mkdtemp(prefix="mailflow-lo-profile-", dir=self._temp_dir)
                )
            results = self._batch(files)
        if len(files) > 1 and any(r == "timeout" for r in results):
            # One file hung the batch: give each its own chance so the others convert.
            return [self.to_docx([f])[0] for f in files]
        return results

    def _batch(self, files: Sequence[tuple[str, bytes]]) -> list[bytes | str]:
        assert self._profile is not None
        work = Path(tempfile.mkdtemp(prefix="mailflow-convert-", dir=self._temp_dir))
        try:
            indir, outdir = work / "in", work / "out"
            indir.mkdir()
            outdir.mkdir()
            inputs = []
            for i, (ext, data) in enumerate(files):
                clean = ext.lower().strip(".") if ext.lower().strip(".") in SUPPORTED else "doc"
                path = indir / f"{i:04d}.{clean}"
                path.write_bytes(data)
                inputs.append(str(path))
            cmd = [
                self.soffice,
                f"-env:UserInstallation={self._profile.as_uri()}",
                "--headless",
                "--invisible",
                "--norestore",
                "--nologo",
                "--nodefault",
                "--nolockcheck",
                "--convert-to",
                "docx:MS Word 2007 XML",
                "--outdir",
                str(outdir),
                *inputs,
            ]
            env = dict(os.environ, HOME=str(work))
            try:
                proc = subprocess.Popen(
                    cmd,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    start_new_session=True,
                    cwd=work,
                    env=env,
                )
            except OSError as exc:
                return [f"cannot start LibreOffice: {exc}"] * len(files)
            try:
                _, err = proc.communicate(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
                return ["timeout"] * len(files)
            results: list[bytes | str] = []
            for i in range(len(files)):
                out = outdir / f"{i:04d}.docx"
                if out.is_file() and out.stat().st_size > 0:
                    results.append(out.read_bytes())
                else:
                    detail = err.decode("utf-8", "replace").strip().splitlines()
                    results.append(
                        "LibreOffice produced no output" + (f": {detail[-1]}" if detail else "")
                    )
            return results
        finally:
            shutil.rmtree(work, ignore_errors=True)
