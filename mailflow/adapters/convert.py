"""Old Word formats (.doc, .odt, .rtf) → .docx with LibreOffice headless, sandboxed.

Why like this: a department's document is hostile input for LibreOffice, which fetches
pictures linked by http and reads pictures linked by ``file://`` or ``INCLUDEPICTURE
"/path"`` into its output. So every run goes through :mod:`mailflow.adapters.sandbox` (no
network, only its working folder visible), with a throw-away profile INSIDE that working
folder whose settings also forbid fetching linked content and running macros (the sandbox
is the guarantee; the settings are the second wall when no sandbox is available). Files
are converted in one batch per call (starting soffice costs about a second, converting a
file milliseconds), each batch in its own fresh folder with file names WE choose (never the
sender's), and a batch that hangs is killed with every process it started. When soffice is
not installed the caller keeps the file and flags it "needs-conversion" instead of failing
the mail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from mailflow.adapters import sandbox

SUPPORTED = ("doc", "dot", "odt", "ott", "rtf", "wps", "docx")

#: LibreOffice settings of every throw-away profile: block links to anything outside the
#: document (pictures by URL or path), never update links or fields on load, never run
#: macros. Measured (LibreOffice 7.4): these stop the .odt's http and file:// pictures,
#: but NOT an .rtf's ``INCLUDEPICTURE "/path"`` — only the sandbox does.
_PROFILE_SETTINGS = (
    ("/org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "true"),
    ("/org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", "true"),
    ("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "3"),
    ("/org.openoffice.Office.Writer/Content/Update", "Link", "0"),  # 0 = never
    ("/org.openoffice.Office.Writer/Content/Update", "Field", "false"),
    ("/org.openoffice.Office.Common/Misc", "UseLocking", "false"),
)


def make_profile(work: Path) -> Path:
    """A fresh LibreOffice user profile under ``work``, pre-set to fetch nothing."""
    user = work / "profile" / "user"
    user.mkdir(parents=True)
    items = "\n".join(
        f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse">'
        f"<value>{value}</value></prop></item>"
        for path, name, value in _PROFILE_SETTINGS
    )
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        f"{items}\n</oor:items>\n",
        encoding="utf-8",
    )
    return work / "profile"


def soffice_command(
    soffice: str, work: Path, target: str, outdir: Path, inputs: Sequence[str]
) -> list[str]:
    """The soffice command line for one headless conversion with a fresh profile in ``work``."""
    return [
        soffice,
        f"-env:UserInstallation={make_profile(work).as_uri()}",
        "--headless",
        "--invisible",
        "--norestore",
        "--nologo",
        "--nodefault",
        "--nolockcheck",
        "--nofirststartwizard",
        "--convert-to",
        target,
        "--outdir",
        str(outdir),
        *inputs,
    ]


def install_folders(soffice: str) -> tuple[Path, ...]:
    """Folders the sandbox must show read-only for this soffice (none under /usr)."""
    real = Path(soffice).resolve()
    if real.is_relative_to("/usr"):
        return ()
    # …/program/soffice: the whole installation (share/, program/) is needed
    return (real.parent.parent if real.parent.name == "program" else real.parent,)


def run_soffice(
    soffice: str, work: Path, target: str, outdir: Path, inputs: Sequence[str], timeout: float
) -> subprocess.CompletedProcess[bytes]:
    """One sandboxed soffice run in ``work``; raises ``sandbox.SandboxError`` on timeout."""
    program = shutil.which(soffice) or soffice
    return sandbox.run(
        soffice_command(program, work, target, outdir, inputs),
        workdir=work,
        timeout=timeout,
        ro_paths=install_folders(program),
    )


class Converter(Protocol):
    def available(self) -> bool: ...

    def to_docx(self, files: Sequence[tuple[str, bytes]]) -> list[bytes | str]:
        """(extension, bytes) pairs → .docx bytes, or an error text, in the same order."""
        ...


class LibreOffice:
    """A converter backed by ``soffice --headless --convert-to docx``, run sandboxed."""

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

    def available(self) -> bool:
        if not self.soffice:
            return False
        return Path(self.soffice).is_file() or shutil.which(self.soffice) is not None

    def __enter__(self) -> LibreOffice:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to remove: each batch's profile lives and dies in its own folder."""

    def to_docx(self, files: Sequence[tuple[str, bytes]]) -> list[bytes | str]:
        if not files:
            return []
        if not self.available():
            return ["LibreOffice (soffice) is not installed"] * len(files)
        results = self._batch(files)
        if len(files) > 1 and any(r == "timeout" for r in results):
            # One file hung the batch: give each its own chance so the others convert.
            return [self.to_docx([f])[0] for f in files]
        return results

    def _batch(self, files: Sequence[tuple[str, bytes]]) -> list[bytes | str]:
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
            try:
                proc = run_soffice(
                    self.soffice, work, "docx:MS Word 2007 XML", outdir, inputs, self.timeout
                )
            except sandbox.SandboxError as exc:
                if exc.reason == "sandbox.timeout":
                    return ["timeout"] * len(files)
                return [f"cannot start LibreOffice: {exc.params.get('detail', '')}"] * len(files)
            results: list[bytes | str] = []
            for i in range(len(files)):
                out = outdir / f"{i:04d}.docx"
                if out.is_file() and out.stat().st_size > 0:
                    results.append(out.read_bytes())
                else:
                    detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
                    results.append(
                        "LibreOffice produced no output" + (f": {detail[-1]}" if detail else "")
                    )
            return results
        finally:
            shutil.rmtree(work, ignore_errors=True)
