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

import io
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from lxml import etree

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
    soffice: str,
    work: Path,
    target: str,
    outdir: Path,
    inputs: Sequence[str],
    timeout: float,
    max_memory_bytes: int | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """One sandboxed soffice run in ``work``; raises ``sandbox.SandboxError`` on timeout."""
    program = shutil.which(soffice) or soffice
    return sandbox.run(
        soffice_command(program, work, target, outdir, inputs),
        workdir=work,
        timeout=timeout,
        ro_paths=install_folders(program),
        max_memory_bytes=max_memory_bytes,
    )


# --- the copy LibreOffice gets: links cut before it ever reads the file -------------------
#
# Why before conversion too: where no sandbox can run, LibreOffice itself would follow a
# link while loading; where the sandbox runs, this is a second wall. .rtf: every field
# loses its instruction and keeps its last result (INCLUDEPICTURE, INCLUDETEXT, DDEAUTO…;
# only a plain http(s) HYPERLINK is kept), linked OLE objects and linked-picture shape
# properties go. .odt/.ott: every ``xlink:href`` pointing outside the package (a scheme,
# an absolute or parent path) is emptied, except on hyperlinks (they only show text), and
# DDE sources go; a package whose XML cannot be parsed is not converted at all.
# .doc/.wps (binary) cannot be cut: they are converted only inside the sandbox.

_RTF_GROUPS = re.compile(rb"\{\s*(?:\\\*\s*)?\\(fldinst|object|sp)\b")
#: the one field instruction kept as written: a plain http(s) hyperlink, no escapes at all
_RTF_HYPERLINK = re.compile(
    rb'^\{\s*(?:\\\*\s*)?\\fldinst\s*(?:\{\s*)?HYPERLINK\s+"https?://[^"\\{}\s]*"\s*(?:\}\s*)?\}$'
)
_RTF_HEX = re.compile(rb"\\'([0-9a-fA-F]{2})")
_RTF_UNICODE = re.compile(rb"\\u(-?\d+) ?(?:\\'[0-9a-fA-F]{2}|[^\\{}])?")
_RTF_CONTROL = re.compile(rb"\\[a-zA-Z]+-?\d* ?|\\[^a-zA-Z]|[{}]")
_LINKED_PICTURE_PROPS = (b"pibname", b"fillblipname")


def _rtf_group_end(data: bytes, start: int) -> int:
    """Index just past the group opened at ``data[start] == '{'`` (end of data when the
    group never closes: what follows is then dropped with it)."""
    depth = 0
    i = start
    n = len(data)
    while i < n:
        c = data[i]
        if c == 0x5C:  # backslash: skip the escaped character
            i += 2
            continue
        if c == 0x7B:
            depth += 1
        elif c == 0x7D:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


def _rtf_plain(group: bytes) -> bytes:
    """The group's text with escapes decoded and control words dropped, lower case (so a
    name spelt ``\\'70ibName`` or ``\\u112?ibName`` is still seen)."""
    text = _RTF_HEX.sub(lambda m: bytes([int(m.group(1), 16)]), group)
    text = _RTF_UNICODE.sub(lambda m: chr(int(m.group(1)) % 65536).encode("utf-8"), text)
    return _RTF_CONTROL.sub(b"", text).lower()


def presanitise_rtf(data: bytes) -> bytes:
    """The .rtf with every field instruction gone (each field keeps its last result, as
    the .docx sanitiser does) except plain http(s) hyperlinks, no linked OLE object and
    no shape property that links a picture by name."""
    out = bytearray()
    pos = 0
    while (m := _RTF_GROUPS.search(data, pos)) is not None:
        end = _rtf_group_end(data, m.start())
        group = data[m.start() : end]
        out += data[pos : m.start()]
        kind = m.group(1)
        if kind == b"fldinst":
            keep = _RTF_HYPERLINK.match(group) is not None
            out += group if keep else b"{\\*\\fldinst }"
        elif kind == b"object" and (b"\\objautlink" in group or b"\\objlink" in group):
            pass  # a linked OLE object: nothing of it is kept
        elif kind == b"sp" and any(p in _rtf_plain(group) for p in _LINKED_PICTURE_PROPS):
            pass  # {\sp{\sn pibName}{\sv /path}}: the picture would be read from there
        else:  # an embedded object or another shape property: look inside it
            out += data[m.start() : m.end()]
            pos = m.end()
            continue
        pos = end
    out += data[pos:]
    return bytes(out)


_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_ODF_DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
_ODF_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_HYPERLINKS = {f"{{{_ODF_TEXT}}}a", f"{{{_ODF_DRAW}}}a", "{http://www.w3.org/2000/svg}a"}
_DDE = {f"{{{_ODF_OFFICE}}}dde-source", f"{{{_ODF_TEXT}}}dde-connection-decl"}
#: a reference inside the package: plain relative names, no scheme, no "..", no root
_INSIDE = re.compile(r"^(?:\./)?[\w .()+-]+(?:/[\w .()+-]+)*$")
_ODT_XML_PARTS = (".xml", ".svg", ".rdf")
_ODT_MAX_BYTES = 256 * 1024 * 1024


class NotSanitisable(ValueError):
    """The file cannot be read well enough to cut its links: it is not converted."""


def presanitise_odt(data: bytes) -> bytes:
    """The .odt/.ott with every reference outside the package emptied (hyperlinks, which
    only show text, excepted) and no DDE source. XML that is not well-formed is refused
    (:class:`NotSanitisable`) rather than passed on half-read."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
    )
    try:
        src = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise NotSanitisable(f"not a readable package: {exc}") from None
    out = io.BytesIO()
    with src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        if sum(i.file_size for i in src.infolist()) > _ODT_MAX_BYTES:
            raise NotSanitisable("package larger than 256 MB unpacked")
        for info in src.infolist():
            try:
                part = src.read(info)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error) as exc:
                raise NotSanitisable(f"{info.filename}: {exc}") from None
            if info.filename.lower().endswith(_ODT_XML_PARTS) and part.strip():
                try:
                    root = etree.fromstring(part, parser)
                except etree.XMLSyntaxError as exc:
                    raise NotSanitisable(f"{info.filename}: {exc}") from None
                for el in list(root.iter()):
                    if not isinstance(el.tag, str):
                        continue
                    if el.tag in _DDE and el.getparent() is not None:
                        el.getparent().remove(el)
                        continue
                    href = el.get(_XLINK_HREF)
                    outside = href is not None and (
                        not _INSIDE.match(href.strip()) or ".." in href.split("/")
                    )
                    if outside and el.tag not in _HYPERLINKS:
                        el.set(_XLINK_HREF, "")
                part = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
            dst.writestr(info, part)
    return out.getvalue()


#: formats no text scan can cut links from: converted only inside the sandbox
_BINARY = ("doc", "dot", "wps")
_BINARY_UNSANDBOXED = (
    "a binary Word file is converted only inside the sandbox, and bubblewrap cannot run "
    "here (install the 'bubblewrap' package); the file is kept for a person to open"
)


def presanitise(ext: str, data: bytes) -> bytes:
    """The copy of a received file that LibreOffice is given (see above)."""
    if ext in ("rtf",):
        return presanitise_rtf(data)
    if ext in ("odt", "ott"):
        return presanitise_odt(data)
    return data


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
        max_memory_bytes: int | None = None,
    ) -> None:
        found = (
            soffice
            if soffice is not None
            else (shutil.which("soffice") or shutil.which("libreoffice"))
        )
        self.soffice = found or ""
        self.timeout = timeout
        self.max_memory_bytes = max_memory_bytes  # address space of one run (RLIMIT_AS)
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
            refused: dict[int, str] = {}
            for i, (ext, data) in enumerate(files):
                clean = ext.lower().strip(".") if ext.lower().strip(".") in SUPPORTED else "doc"
                path = indir / f"{i:04d}.{clean}"
                if clean in _BINARY and not sandbox.available():
                    refused[i] = "not converted: " + _BINARY_UNSANDBOXED
                    continue
                try:
                    path.write_bytes(presanitise(clean, data))
                except NotSanitisable as exc:
                    refused[i] = f"not converted: {exc}"[:300]
                    continue
                inputs.append(str(path))
            if not inputs:
                return [refused[i] for i in range(len(files))]
            try:
                proc = run_soffice(
                    self.soffice,
                    work,
                    "docx:MS Word 2007 XML",
                    outdir,
                    inputs,
                    self.timeout,
                    self.max_memory_bytes,
                )
            except sandbox.SandboxError as exc:
                if exc.reason == "sandbox.timeout":
                    failed = "timeout"
                else:
                    failed = f"cannot start LibreOffice: {exc.params.get('detail', '')}"
                return [refused.get(i, failed) for i in range(len(files))]
            results: list[bytes | str] = []
            for i in range(len(files)):
                out = outdir / f"{i:04d}.docx"
                if i in refused:
                    results.append(refused[i])
                elif out.is_file() and out.stat().st_size > 0:
                    results.append(out.read_bytes())
                else:
                    detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
                    results.append(
                        "LibreOffice produced no output" + (f": {detail[-1]}" if detail else "")
                    )
            return results
        finally:
            shutil.rmtree(work, ignore_errors=True)
