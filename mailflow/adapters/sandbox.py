"""Run an external converter (LibreOffice, pdftotext, tesseract, …) in a sandbox.

Why: a department's document is hostile input for the converter that reads it. LibreOffice
fetches pictures linked by ``http://`` (the server then requests any URL a sender names,
internal ones included) and reads pictures linked by ``file://`` or ``INCLUDEPICTURE
"/path"`` into its output. Converter options that forbid this are bugs away from failing,
so the guarantee is the operating system's: the tool runs under bubblewrap (``bwrap``) with

* no network at all (a new, empty network namespace: not even loopback of the host);
* a private file view: read-only binds of only the system folders programs need
  (``/usr`` and its ``/bin``/``/lib*`` links, fonts, the dynamic loader's cache,
  ``/etc/alternatives``, LibreOffice's own ``/etc`` folder) — never ``/root``, ``/home``,
  ``/work``, ``/srv``, ``/var``, ``/opt`` or the host's ``/tmp``; a fresh empty tmpfs as
  ``/tmp``; the caller's working folder bound read-write at its own path, and nothing
  else writable;
* no capabilities, even when mailflow runs as root (``--cap-drop ALL``);
* its own pid namespace, session and process group, and ``--die-with-parent``: when the
  timeout kills bwrap, the kernel kills every process inside (a ``setsid`` or double fork
  does not escape), so no ``soffice.bin`` is ever left behind;
* an environment with nothing of ours in it (no passwords, no proxies): PATH, HOME and
  TMPDIR inside the working folder, LANG, plus what the caller passes.

Where bwrap is missing or cannot create namespaces (some containers), the command runs
unsandboxed, still in its own session with the same clean environment and the same
kill-the-whole-group timeout. That is said ONCE in the log and by ``mailflow check``
(:func:`status_line`); callers must then feed converters only copies they sanitised first.

The caller puts the input files in ``workdir`` and reads the outputs from it: the tool
sees no other folder of ours.
"""

from __future__ import annotations

import contextlib
import logging
import os
import resource
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from mailflow.errors import MailflowError
from mailflow.i18n import t

log = logging.getLogger("mailflow.sandbox")

# System paths a converter may read. Anything absent on this machine is skipped.
_RO_DIRS = ("/usr",)
_RO_ETC = (
    "/etc/fonts",
    "/etc/alternatives",
    "/etc/libreoffice",
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/localtime",
    "/etc/java-17-openjdk",
)
# Top-level names that are usually links into /usr (merged /usr) or real folders.
_TOP_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")

_probe_lock = threading.Lock()
_probe: bool | None = None
_warned = False


class SandboxError(MailflowError):
    """A converter run that did not finish: ``reason`` is a catalogue key, ``params`` its
    placeholders (``program``, ``seconds`` or ``detail``)."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(t(reason, **params), t("sandbox.hint"))
        self.reason = reason
        self.params = params


def bwrap_path() -> str | None:
    """The bubblewrap binary (``MAILFLOW_BWRAP`` overrides; a path that does not exist
    turns the sandbox off, which is how tests reach the fallback)."""
    override = os.environ.get("MAILFLOW_BWRAP")
    if override is not None:
        return override if Path(override).is_file() else None
    return shutil.which("bwrap")


def available() -> bool:
    """True when bwrap exists AND can build the namespaces here (probed once, cached)."""
    global _probe
    bwrap = bwrap_path()
    if bwrap is None:
        return False
    with _probe_lock:
        if _probe is None:
            with tempfile.TemporaryDirectory(prefix="mailflow-sbx-probe-") as work:
                try:
                    done = subprocess.run(
                        [*_bwrap_args(bwrap, Path(work), ()), "--", "/bin/true"],
                        stdin=subprocess.DEVNULL,
                        capture_output=True,
                        timeout=30,
                        check=False,
                        env=_clean_env(Path(work), None),
                    )
                    _probe = done.returncode == 0
                    if not _probe:
                        log.debug("bwrap probe failed: %s", done.stderr[-300:])
                except (OSError, subprocess.TimeoutExpired):
                    _probe = False
        return _probe


def say_if_unavailable() -> bool:
    """Log the "no sandbox" line now, once, if converters cannot be sandboxed; return
    whether they can. The daemon calls it at start-up, so the operator reads it in the
    first lines of the log rather than hours later at the first conversion (which then
    does not say it again)."""
    global _warned
    if available():
        return True
    with _probe_lock:
        if not _warned:
            _warned = True
            log.warning(t("sandbox.fallback_log"))
    return False


def mechanism() -> str:
    """``"bubblewrap"`` or ``"none"``: what :func:`run` uses on this machine."""
    return "bubblewrap" if available() else "none"


def status_line(lang: str | None = None) -> tuple[bool, str]:
    """(ok, one sentence) for ``mailflow check``."""
    if available():
        return True, t("sandbox.check_ok", lang)
    return False, t("sandbox.check_none", lang)


def _reset_probe() -> None:
    """Forget the cached probe (tests switch ``MAILFLOW_BWRAP``)."""
    global _probe, _warned
    with _probe_lock:
        _probe = None
        _warned = False


def _clean_env(workdir: Path, extra: Mapping[str, str] | None) -> dict[str, str]:
    """Nothing of the parent's environment (passwords, proxies, DISPLAY) reaches the tool."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(workdir),
        "TMPDIR": str(workdir / ".tmp"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
    }
    if extra:
        env.update(extra)
    return env


def _bwrap_args(bwrap: str, workdir: Path, ro_paths: Iterable[Path]) -> list[str]:
    args = [
        bwrap,
        "--unshare-all",  # net, pid, ipc, uts, cgroup, user (when allowed)
        "--unshare-net",  # said twice on purpose: the one namespace that matters most
        "--die-with-parent",
        "--new-session",
        "--cap-drop",  # run by root, bwrap would otherwise keep every capability inside
        "ALL",
        "--hostname",
        "sandbox",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--tmpfs",
        "/tmp",
    ]
    for d in _RO_DIRS:
        if Path(d).is_dir():
            args += ["--ro-bind", d, d]
    for top in _TOP_LINKS:
        p = Path(top)
        if p.is_symlink():
            args += ["--symlink", os.readlink(p), top]
        elif p.is_dir():
            args += ["--ro-bind", top, top]
    for e in _RO_ETC:
        if Path(e).exists():
            args += ["--ro-bind", e, e]
    for extra in ro_paths:
        real = str(Path(extra).resolve())
        args += ["--ro-bind", real, real]
    real_work = str(workdir.resolve())
    args += ["--bind", real_work, real_work, "--chdir", real_work, "--clearenv"]
    return args


def _table() -> dict[int, tuple[str, int, int]]:
    """pid → (state, parent pid, process group) of every process, read from /proc."""
    table: dict[int, tuple[str, int, int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        table[int(entry.name)] = (fields[0], int(fields[1]), int(fields[2]))
    return table


def _descendants(root: int) -> list[int]:
    """Every live process below ``root`` (best effort: one look at /proc)."""
    children: dict[int, list[int]] = {}
    for pid, (_state, ppid, _pgrp) in _table().items():
        children.setdefault(ppid, []).append(pid)
    found: list[int] = []
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kill_each(pids: Iterable[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def kill_descendants(root: int) -> list[int]:
    """SIGKILL every process below ``root`` and the group each leads (one that left
    ``root``'s group with setsid: an unsandboxed converter); return them, for
    :func:`wait_gone`. ``root`` itself is left to the caller."""
    below = _descendants(root)
    _kill_each(below)
    return below


def _kill_tree(proc: subprocess.Popen[bytes]) -> list[int]:
    """SIGKILL the process group, and every descendant that left it (setsid); return the
    descendants found, for :func:`wait_gone`."""
    below = _descendants(proc.pid)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    _kill_each(below)
    return below


def wait_gone(pgid: int, pids: Iterable[int], wait: float = 5.0) -> None:
    """Wait (briefly) until no process of group ``pgid`` nor any of ``pids`` (already
    sent SIGKILL) is still running; a zombie waiting for init to reap it has ended."""
    watched = set(pids)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        table = _table()
        running = {pid for pid, (state, _ppid, _pgrp) in table.items() if state != "Z"}
        in_group = {pid for pid in running if table[pid][2] == pgid}
        if not in_group and not (watched & running):
            return
        if in_group:  # the group still exists, so its id cannot name someone else's
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)
        time.sleep(0.02)


def run(
    argv: Sequence[str],
    *,
    workdir: Path,
    timeout: float,
    env: Mapping[str, str] | None = None,
    max_memory_bytes: int | None = None,
    ro_paths: Sequence[Path] = (),
    max_file_bytes: int | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``argv`` sandboxed, with ``workdir`` as the only writable (and only private)
    folder it sees; return its exit code, stdout and stderr.

    ``ro_paths``: extra folders the tool needs to read (e.g. a LibreOffice installed under
    /opt). ``max_memory_bytes`` caps its address space (RLIMIT_AS); ``max_file_bytes`` caps
    each file it writes, its output included (RLIMIT_FSIZE: a tool whose output of a hostile
    input would fill the disk is stopped at the bound). A non-zero exit is
    returned, not raised: the caller decides what it means. Raises :class:`SandboxError`
    with reason ``sandbox.timeout`` after killing everything it started, or
    ``sandbox.cannot_start`` when the program cannot be started at all.
    """
    global _warned
    workdir = Path(workdir)
    (workdir / ".tmp").mkdir(parents=True, exist_ok=True)
    program = Path(argv[0]).name if argv else "?"
    sandboxed = available()
    bwrap = bwrap_path()
    if sandboxed and bwrap is not None:
        cmd = [*_bwrap_args(bwrap, workdir, ro_paths)]
        for key, value in _clean_env(workdir, env).items():
            cmd += ["--setenv", key, value]
        cmd += ["--", *argv]
    else:
        cmd = list(argv)
        if not _warned:
            _warned = True
            log.warning(t("sandbox.fallback_log"))

    limit = max_memory_bytes
    fsize = max_file_bytes

    def _limits() -> None:  # runs in the child between fork and exec
        if limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        if fsize:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    # Output goes to files, not pipes: a stray grandchild holding a pipe open could
    # otherwise keep us waiting after the kill.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,  # own session and process group
                cwd=workdir,
                env=_clean_env(workdir, env),
                preexec_fn=_limits if limit or fsize else None,  # only setrlimit: fork-safe
            )
        except OSError as exc:
            raise SandboxError("sandbox.cannot_start", program=program, detail=exc) from exc
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            below = _kill_tree(proc)
            proc.wait()
            wait_gone(proc.pid, below)
            raise SandboxError("sandbox.timeout", program=program, seconds=round(timeout)) from None
        except BaseException:  # Ctrl-C or a job budget: never leave it running
            _kill_tree(proc)
            proc.wait()
            raise
        # the leader exited; anything it left in its group is killed too
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(cmd, code, out.read(), err.read())
