"""`mailflow poll`: take new mail from the IMAP inbox, exactly once, losing nothing.

A mail is known by (folder, UIDVALIDITY, UID). One poll:

0. STATUS the inbox: same UIDVALIDITY, UIDNEXT not above our last UID and no move left
   over means nothing to do — the idle poll costs one STATUS whatever the inbox holds.
1. SELECT the inbox (UIDVALIDITY from the server) and read the stored state. If
   UIDVALIDITY changed the server renumbered its mail: every UID we stored is void, so
   this poll moves NOTHING, says so loudly and re-syncs by content hash and Message-ID
   (:func:`_resync`); the next poll continues normally.
2. Repair: rows committed by an earlier poll that was killed before its move are moved
   now (only those still in the inbox and not flagged by us), without a second row.
3. UID SEARCH above the last stored UID (never \\Seen), then per batch of
   ``mailbox.batch_size``: FETCH BODY.PEEK[] → archive every mail (fsync) → ONE
   transaction with the rows and the new last UID → MOVE the batch → mark moved (in the
   next batch's transaction, or one at the end). Per mail the order is archive → commit
   → move; batching only puts several mails in each step, which keeps one fsync'ed SQLite
   commit and one MOVE per batch instead of per mail.

Pipelined: the parsing, identification and unpacking of batch n run in worker processes
(``intake.workers``, :class:`AnalysisPool`) while batch n+1 is fetched; batch n is then
archived, committed and moved, in that order, before batch n+1 is. A thread of the poll
writes each batch's raw mails to temporary files as soon as they are fetched
(``Archive.stage``); they are synced and renamed into place with the batch's documents,
before its commit, as before. At most two fetched
batches are held at once, and each worker holds one work item of a batch (a few small
mails, or one large one: ``SHARE``, ``SHARE_BYTES``), so memory stays bounded by
``mailbox.max_message_bytes`` × workers beyond the batches themselves. A worker dies with
the poll (``PR_SET_PDEATHSIG``), so a poll killed anywhere leaves no process behind, and
the next poll fetches again whatever was not committed.

Expensive documents last: a document that needs PDF text, OCR, LibreOffice or a
workbook's tables is recorded unread (needs-conversion, ``intake.unpack.deferred``) in its
mail's batch, and read once every batch is moved (:meth:`Intake.finish_deferred`, a
bounded pool with a timeout, ``intake.deferred_workers``), so ordinary mail never waits
behind a scan. Matching runs after the poll, so it sees them read.

Fault-injection hook (tests only): ``MAILFLOW_CRASH_AT=<step>:<n>[,<step>:<n>…]`` with
step ``after-archive`` | ``after-commit`` | ``after-move`` makes the process SIGKILL
itself at that boundary for the n-th mail of the poll (1-based; with the second
connection, ``after-move`` fires when the poll has waited for that batch's move, that is
after the next batch is archived, just before the commit that marks it); ``before-deferred:1``
kills it once every batch is moved, before the deferred documents are read. The crash
tests use it to show that a poll killed anywhere is completed by the next one. Nothing
sets it otherwise.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent import futures
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from mailflow.adapters import mail_parse
from mailflow.adapters.archive import Archive, Staged, sha256
from mailflow.adapters.imap import ImapClient
from mailflow.adapters.mailservers import MailServers
from mailflow.adapters.store import Store
from mailflow.clock import aware_now
from mailflow.config import Config
from mailflow.errors import MailflowError

if TYPE_CHECKING:
    from mailflow.adapters.convert import Converter
from mailflow.i18n import t
from mailflow.model import ATTENTION_KINDS
from mailflow.services.intake import STAGES, Analysis, Intake, Location, Outcome

log = logging.getLogger("mailflow.poll")

CRASH_ENV = "MAILFLOW_CRASH_AT"
STEPS = ("after-archive", "after-commit", "after-move", "before-deferred")


class CrashHook:
    """Parses ``MAILFLOW_CRASH_AT`` once; ``hit(step, n)`` kills the process when asked."""

    def __init__(self, spec: str | None) -> None:
        self.points: set[tuple[str, int]] = set()
        for item in (spec or "").split(","):
            step, _, number = item.strip().partition(":")
            if step in STEPS and number.strip().isdigit():
                self.points.add((step, int(number)))

    @classmethod
    def from_env(cls) -> CrashHook:
        return cls(os.environ.get(CRASH_ENV))

    def hit(self, step: str, ordinals: Iterable[int]) -> None:
        if self.points and any((step, n) in self.points for n in ordinals):
            log.warning("fault injection: SIGKILL %s %s", step, sorted(ordinals))
            os.kill(os.getpid(), signal.SIGKILL)


@dataclass
class Resync:
    old: int
    new: int
    seen: int = 0
    known: int = 0
    same_id: int = 0
    new_mails: int = 0


@dataclass
class PollResult:
    folder: str
    uidvalidity: int = 0
    fetched: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    moved: int = 0
    recovered: int = 0
    resync: Resync | None = None
    archived: int = 0  # mails of this poll archived so far (the crash hook's ordinals)
    deferred: int = 0  # documents read after the batches (PDF text, OCR, conversions)

    @property
    def new(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.created]

    @property
    def duplicates(self) -> int:
        return sum(1 for o in self.outcomes if not o.created)


@dataclass
class _Batch:
    chunk: Sequence[int]
    fetched: list[tuple[int, bytes]]
    futures: list[Future[list[Analysed]]] | None = None  # one per share of the batch
    staged: Future[tuple[Staged, float]] | None = None  # raw mails written, not published


#: stage name of the raw mails' writing in the poll's archive thread (off its main path)
STAGED_IN_THREAD = "archive, in a thread"


def _chunks(items: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    size = max(size, 1)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _stage_raws(intake: Intake, fetched: Sequence[tuple[int, bytes]]) -> tuple[Staged, float]:
    """The archive thread's job for one batch: its raw mails written, with the time spent."""
    start = time.perf_counter()
    staged = intake.stage_raws([raw for _, raw in fetched])
    return staged, time.perf_counter() - start


def _move_on(
    client: ImapClient,
    ensured: set[str],
    destination: Callable[[str], str],
    moves: Sequence[tuple[int, str]],
) -> None:
    """Move ``(uid, kind)`` pairs on ``client``, grouped by destination folder (each folder
    made once per connection)."""
    by_dest: dict[str, list[int]] = {}
    for uid, kind in moves:
        by_dest.setdefault(destination(kind), []).append(uid)
    for dest, uids in by_dest.items():
        if dest not in ensured:
            client.ensure_folder(dest)
            ensured.add(dest)
        client.move(uids, dest)


#: stage name of the moves made on the poll's second connection (off its main path)
MOVED_ON_SECOND = "move, on a second connection"


class FolderRenumbered(MailflowError):
    """The folder's UIDVALIDITY changed during the poll: no mail may be moved by UID."""


class _Mover:
    """Moves committed batches on a second IMAP connection, one at a time, in order.

    Why: a MOVE costs the poll a round trip and the server's work for every batch; on a
    connection of its own it runs while the poll fetches, archives and commits the next
    batch. The order of each mail's life is unchanged — archived, committed, moved, then
    marked moved: the poll waits for a batch's move before the commit that marks it, and
    a poll killed meanwhile leaves committed mail that the next poll moves
    (``_move_pending``). Used only where the server has MOVE: with copy and flag a
    second session's flag changes would come back inside the first one's FETCH answers.

    The connection is opened as soon as the poll knows it has several batches, in the
    thread, so the login overlaps the first fetch. If it cannot be opened (a server that
    allows one session per user, a refused login) the poll moves on its own connection,
    as before (:meth:`usable`). It selects the inbox itself and moves nothing if the
    folder's UIDVALIDITY is not the one the poll fetched under (:class:`FolderRenumbered`):
    UIDs of a renumbered folder name other mails.
    """

    def __init__(
        self,
        open_imap: Callable[[], ImapClient],
        folder: str,
        uidvalidity: int,
        destination: Callable[[str], str],
    ) -> None:
        self._open = open_imap
        self.folder = folder
        self.uidvalidity = uidvalidity
        self.destination = destination
        self._client: ImapClient | None = None
        self._ensured: set[str] = set()
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="mailflow-move")
        self._said = False
        self._last: Future[float] | None = None
        self._opened = self._thread.submit(self._connect)

    def _connect(self) -> None:
        client = self._open()
        try:
            client.connect()
            state = client.select(self.folder)
        except BaseException:
            client.close()
            raise
        if state.uidvalidity != self.uidvalidity:
            client.close()
            raise FolderRenumbered(
                t(
                    "poll.renumbered_during_poll",
                    folder=self.folder,
                    old=self.uidvalidity,
                    new=state.uidvalidity,
                ),
                t("poll.renumbered_during_poll_hint"),
            )
        self._client = client

    def usable(self) -> bool:
        """Whether the second connection is open (waits for the attempt). False when it
        could not be opened (said once in the log); a renumbered folder is raised."""
        error = self._opened.exception()
        if error is None:
            return True
        if isinstance(error, FolderRenumbered):
            raise error
        if not self._said:
            log.warning("no second IMAP connection (%s); the poll moves mail itself", error)
            self._said = True
        return False

    def idle(self) -> None:
        """Wait until the thread has nothing under way (before workers are forked)."""
        futures.wait([self._opened])
        if self._last is not None:
            futures.wait([self._last])

    def submit(self, moves: Sequence[tuple[int, str]]) -> Future[float]:
        """Move ``moves`` after the moves submitted before; the future gives the seconds."""
        self._last = self._thread.submit(self._move, list(moves))
        return self._last

    def _move(self, moves: list[tuple[int, str]]) -> float:
        start = time.perf_counter()
        assert self._client is not None  # submit is called only when usable()
        _move_on(self._client, self._ensured, self.destination, moves)
        return time.perf_counter() - start

    def close(self) -> None:
        """Wait for the move under way, then log the second connection out."""
        self._thread.shutdown(wait=True)
        if self._client is not None:
            with contextlib.suppress(MailflowError, OSError):
                self._client.close()
            self._client = None


# --- analysis in worker processes -------------------------------------------------------

#: the poll's Intake, inherited by the forked workers (set just before the pool forks)
_WORKER_INTAKE: Intake | None = None
_PR_SET_PDEATHSIG = 1


def _worker_init(parent: int) -> None:
    """A worker dies with its poll: a poll SIGKILLed anywhere leaves no process behind
    (the crash tests kill it at every step), and Ctrl-C is the poll's to handle."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the pool's own shutdown still applies
        pass
    if os.getppid() != parent:  # the poll died before prctl took effect
        os._exit(0)


#: a mail's analysis and the stage times it took (the worker's own clock)
Analysed = tuple[Analysis, dict[str, float]]

#: at most this many mails, and this many bytes, per work item handed to a worker. One
#: item per mail cost the poll ~0.07 ms of CPU a mail (a pickled message, a Future, the
#: executor's threads: measured); a few small mails per item still spread a batch over
#: the workers, and a mail above the byte bound goes alone, so a worker holds at most one
#: large mail, as before
SHARE = 5
SHARE_BYTES = 2 * 1024 * 1024


def _shares(raws: Sequence[bytes]) -> list[Sequence[bytes]]:
    """``raws`` cut in order into work items (the same cut for the same mails)."""
    out: list[Sequence[bytes]] = []
    start, size = 0, 0
    for i, raw in enumerate(raws):
        if i > start and (i - start == SHARE or size + len(raw) > SHARE_BYTES):
            out.append(raws[start:i])
            start, size = i, 0
        size += len(raw)
    if start < len(raws):
        out.append(raws[start:])
    return out


def _analyse_in_worker(raws: Sequence[bytes]) -> list[Analysed]:
    assert _WORKER_INTAKE is not None
    return [(_WORKER_INTAKE.analyse(raw), STAGES.take()) for raw in raws]


class AnalysisPool:
    """Parse, identify and unpack mail in worker processes while the poll fetches.

    Why processes: the work is pure Python and lxml on bytes (GIL-bound), and the
    poll's own process is busy with IMAP, the archive and SQLite meanwhile. Workers are
    forked from the poll, so they analyse with exactly its Intake (settings, known
    sends, extractor). A worker that dies under a mail (out of memory, a crash in a C
    library) breaks the pool: the mails it took down are analysed again one by one in a
    fresh pool, and one that kills its worker again is held for a person, not lost.
    """

    def __init__(
        self, intake: Intake, workers: int, before_fork: Callable[[], None] | None = None
    ) -> None:
        self.intake = intake
        self.workers = max(1, workers)
        self._pool: ProcessPoolExecutor | None = None
        # the poll's threads (archive, second connection) must be idle when workers are
        # forked: a thread caught holding a lock would leave it held forever in a worker
        self._before_fork = before_fork

    def _executor(self) -> ProcessPoolExecutor:
        global _WORKER_INTAKE
        if self._pool is None:
            if self._before_fork is not None:
                self._before_fork()
            _ = self.intake.extractor  # built once, before the fork, shared by the workers
            _WORKER_INTAKE = self.intake
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_worker_init,
                initargs=(os.getpid(),),
            )
        return self._pool

    def submit(self, raws: Sequence[bytes]) -> list[Future[list[Analysed]]]:
        """One future per share of ``raws`` (:data:`SHARE` mails), in order."""
        out: list[Future[list[Analysed]]] = []
        for share in _shares(raws):
            try:
                out.append(self._executor().submit(_analyse_in_worker, share))
            except BrokenProcessPool:
                # a worker died under an earlier batch (the pool knew it before the poll
                # asked for that batch's results): that batch's mails fail in
                # :meth:`results` and are analysed again there, one by one; this share and
                # the rest of its batch, which no worker ever took, go to one fresh pool
                self._restart()
                out.append(self._executor().submit(_analyse_in_worker, share))
        return out

    def results(
        self, raws: Sequence[bytes], futures: Sequence[Future[list[Analysed]]]
    ) -> list[Analysis]:
        """The analyses of ``raws`` in order. A share whose worker died is analysed again
        mail by mail (:meth:`_again`): the mail that killed it is held, the others kept."""
        out: list[Analysis] = []
        for share, future in zip(_shares(raws), futures, strict=True):
            try:
                with STAGES("wait for analysis"):
                    done = future.result()
            except BrokenProcessPool:
                out.extend(self._again(raw) for raw in share)
                continue
            for analysis, spent in done:
                STAGES.add(spent)
                out.append(analysis)
        return out

    def _again(self, raw: bytes) -> Analysis:
        """One mail whose worker died: alone in a fresh pool; held if it dies again."""
        log.warning("an intake worker died; analysing its mail again on its own")
        self._restart()
        try:
            with STAGES("wait for analysis"):
                [(analysis, spent)] = self._executor().submit(_analyse_in_worker, [raw]).result()
        except BrokenProcessPool as exc:
            self._restart()
            return self.intake.held(raw, "analyse", exc)
        STAGES.add(spent)
        return analysis

    def _restart(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        global _WORKER_INTAKE
        self._restart()
        _WORKER_INTAKE = None


class Poller:
    """One poll of ``mailbox.inbox`` over an open IMAP session."""

    def __init__(
        self,
        config: Config,
        intake: Intake,
        imap: ImapClient,
        crash: CrashHook | None = None,
        second_imap: Callable[[], ImapClient] | None = None,
    ) -> None:
        self.config = config
        self.mb = config.mailbox
        self.intake = intake
        self.store: Store = intake.store
        self.imap = imap
        self.crash = crash or CrashHook(None)
        self._ensured: set[str] = set()
        # a poll of several batches moves each committed batch on a second connection
        # while it fetches and archives the next (see _Mover); None: moves on ``imap``
        self._second_imap = second_imap
        self._moving: tuple[Future[float], list[int], list[int], int] | None = None
        self._mover: _Mover | None = None  # this poll's second connection, if it has one
        # the last batch's moved UIDs, marked in the next batch's commit (or at the end):
        # a poll killed before that leaves them unmarked, and the next one finds them gone
        # from the inbox and marks them (_move_pending) — one synced commit saved per batch
        self._unmarked: tuple[str, int, list[int]] | None = None

    def destination(self, kind: str) -> str:
        """Review and quarantine go to the review folder: a person reading the mailbox
        in webmail sees at once what waits for them; everything else is processed."""
        return self.mb.review_folder if kind in ATTENTION_KINDS else self.mb.processed_folder

    def run(self) -> PollResult:
        folder = self.mb.inbox
        stored = self.store.mailbox_state(folder)
        if stored and self._idle(folder, stored["uidvalidity"], stored["last_uid"]):
            return PollResult(folder, stored["uidvalidity"])
        state = self.imap.select(folder)
        result = PollResult(folder, state.uidvalidity)
        if stored and stored["uidvalidity"] != state.uidvalidity:
            result.resync = self._resync(folder, stored["uidvalidity"], state.uidvalidity)
            return result
        if not stored:
            self.intake.commit([], mailbox_state=(folder, state.uidvalidity, 0))
        last_uid = stored["last_uid"] if stored else 0
        result.recovered = self._move_pending(folder, state.uidvalidity)
        uids = self.imap.uids_above(last_uid)
        if not uids:
            return result
        # one thread writes each fetched batch's raw mails to temporary files while the
        # batch is analysed and the one before it committed and moved: the file
        # creations leave the poll's path; publishing them stays in order, in _finish
        writer = ThreadPoolExecutor(1, thread_name_prefix="mailflow-archive")
        unfinished: list[_Batch] = []
        mover: _Mover | None = None
        if (
            self._second_imap is not None
            and len(uids) > self.mb.batch_size
            and "MOVE" in self.imap.capabilities
        ):
            mover = _Mover(self._second_imap, folder, state.uidvalidity, self.destination)
        self._mover = mover

        def threads_idle() -> None:  # before workers are forked (again)
            futures.wait([b.staged for b in unfinished if b.staged is not None])
            if mover is not None:
                mover.idle()

        workers = self.config.intake.workers
        pool = AnalysisPool(self.intake, workers, threads_idle) if workers > 0 else None
        try:
            # batch n is archived, committed and moved while batch n+1 is analysed
            pending: _Batch | None = None
            for chunk in _chunks(uids, self.mb.batch_size):
                fetched = self._fetch(folder, chunk)
                result.fetched += len(fetched)
                batch = _Batch(chunk, fetched)
                unfinished.append(batch)
                if pool is not None:  # first: the workers are forked before the thread starts
                    batch.futures = pool.submit([raw for _, raw in fetched])
                batch.staged = writer.submit(_stage_raws, self.intake, fetched)
                if pending is not None:
                    self._finish(pending, pool, state.uidvalidity, result)
                    unfinished.remove(pending)
                pending = batch
            if pending is not None:
                self._finish(pending, pool, state.uidvalidity, result)
                unfinished.remove(pending)
            self._moved(result)
            self._mark_moved()
        finally:
            if mover is not None:
                mover.close()
            writer.shutdown(wait=True)
            for left in unfinished:  # a poll that failed: its unpublished writes are removed
                if left.staged is not None and left.staged.exception() is None:
                    self.intake.archive.discard(left.staged.result()[0])
            if pool is not None:
                pool.close()
        return result

    def _finish(
        self, batch: _Batch, pool: AnalysisPool | None, uidvalidity: int, result: PollResult
    ) -> None:
        """Archive → commit → move one fetched batch (the order of every mail's life)."""
        folder = self.mb.inbox
        raws = [raw for _, raw in batch.fetched]
        if pool is not None and batch.futures is not None:
            analysed = pool.results(raws, batch.futures)
        else:
            analysed = [self.intake.analyse(raw) for raw in raws]
        ordinals = list(range(result.archived + 1, result.archived + len(raws) + 1))
        result.archived += len(raws)
        staged: Staged | None = None
        if batch.staged is not None:
            with STAGES("archive"):
                staged, spent = batch.staged.result()  # a write error is raised here
            STAGES.add({STAGED_IN_THREAD: spent})
        prepared = self.intake.archive_analysed(
            [(raw, Location(folder, uidvalidity, uid)) for uid, raw in batch.fetched],
            analysed,
            source="imap",
            staged_raws=staged,
        )
        self.crash.hit("after-archive", ordinals)
        self._moved(result)  # the batch before: its move done, marked in this commit
        outcomes = self.intake.commit(
            prepared,
            mailbox_state=(folder, uidvalidity, max(batch.chunk)),
            moved=self._unmarked,
        )
        self._unmarked = None
        result.outcomes.extend(outcomes)
        self.crash.hit("after-commit", ordinals)
        moves = [(uid, o.kind) for (uid, _), o in zip(batch.fetched, outcomes, strict=True)]
        uids = [uid for uid, _ in moves]
        if self._mover is not None and self._mover.usable():
            self._moving = (self._mover.submit(moves), ordinals, uids, uidvalidity)
            return
        result.moved += self._move(moves)
        self.crash.hit("after-move", ordinals)
        self._unmarked = (folder, uidvalidity, uids)

    def _moved(self, result: PollResult) -> None:
        """Wait for the move running on the second connection (an IMAP error is raised
        here); its mails are then marked moved in the next commit."""
        if self._moving is None:
            return
        future, ordinals, uids, uidvalidity = self._moving
        self._moving = None
        with STAGES("move"):
            spent = future.result()
        STAGES.add({MOVED_ON_SECOND: spent})
        result.moved += len(uids)
        self.crash.hit("after-move", ordinals)
        self._unmarked = (self.mb.inbox, uidvalidity, uids)

    def _idle(self, folder: str, uidvalidity: int, last_uid: int) -> bool:
        """Nothing to do, known from one STATUS: same UIDVALIDITY, UIDNEXT not past our
        last UID, no move left over. Costs the same for 10 or 10,000 mails in the inbox
        (SELECT makes some servers load the folder's whole index)."""
        status = self.imap.status(folder)
        if status.uidvalidity != uidvalidity or not status.uidnext or status.uidnext > last_uid + 1:
            return False
        return not self.store.has_unmoved(folder, uidvalidity)

    # --- steps ------------------------------------------------------------------------

    def _fetch(self, folder: str, chunk: Sequence[int]) -> list[tuple[int, bytes]]:
        """FETCH a batch; a UID the server keeps but does not return is an error."""
        wanted = set(chunk)
        got: dict[int, bytes] = {}
        with STAGES("fetch"):
            for uid, raw in self.imap.fetch_raw(chunk, len(chunk)):
                # only the UIDs asked for; a flag update the server slips into the answer
                # (another session's STORE) carries no body and never replaces a mail's bytes
                if uid in wanted and len(raw) > len(got.get(uid, b"")):
                    got[uid] = raw
        missing = [u for u in chunk if u not in got]
        if missing:
            still_there = self.imap.uids_present(missing)
            if still_there:
                raise MailflowError(
                    t("poll.fetch_missing", uids=",".join(map(str, still_there)), folder=folder),
                    t("poll.fetch_missing_hint"),
                )
        return sorted(got.items())

    def _move(self, moves: Sequence[tuple[int, str]]) -> int:
        """Move committed mail on the server, grouped by destination folder."""
        with STAGES("move"):
            _move_on(self.imap, self._ensured, self.destination, moves)
        return len(moves)

    def _mark_moved(self) -> None:
        """Mark the last batch's mails moved (the others were marked by the next commit)."""
        if self._unmarked is None or not self._unmarked[2]:
            return
        with STAGES("commit"), self.store.transaction():
            self.store.mark_moved(*self._unmarked)
        self._unmarked = None

    def _move_pending(self, folder: str, uidvalidity: int) -> int:
        """Rows committed but not moved (a poll killed between commit and move)."""
        rows = self.store.unmoved_mails(folder, uidvalidity)
        rows = sorted((r for r in rows if r["uid"] is not None), key=lambda r: r["uid"])
        if not rows:
            return 0
        present = set(self.imap.uids_present([r["uid"] for r in rows]))
        moved = self._move([(r["uid"], r["kind"]) for r in rows if r["uid"] in present])
        # rows whose mail had already left the inbox (moved just before the kill)
        with self.store.transaction():
            self.store.mark_all_moved(folder, uidvalidity)
        if moved:
            log.info("moved %d mail(s) committed by an interrupted poll", moved)
        return moved

    def _resync(self, folder: str, old: int, new: int) -> Resync:
        """UIDVALIDITY changed: no moves; match server mail to rows by hash and Message-ID."""
        now = self.intake.clock()
        log.warning(
            "UIDVALIDITY of %s changed %s -> %s: no mail is moved; re-syncing", folder, old, new
        )
        with self.store.transaction():
            self.store.event("poll.uidvalidity_changed", now, folder=folder, old=old, new=new)
        report = Resync(old, new)
        uids = self.imap.uids_above(0)
        for chunk in _chunks(uids, self.mb.batch_size):
            fetched = self._fetch(folder, chunk)
            fresh: list[tuple[bytes, Location | None]] = []
            relocated: list[tuple[int, str]] = []
            for uid, raw in fetched:
                report.seen += 1
                digest = sha256(raw)
                if self.store.has_mail(digest):
                    report.known += 1
                    relocated.append((uid, digest))
                    continue
                message_id = mail_parse.parse(raw).message_id
                same = self.store.mails_with_message_id(message_id) if message_id else []
                if same:
                    report.same_id += 1
                    with self.store.transaction():
                        self.store.event(
                            "poll.resync_same_message_id",
                            now,
                            mail_id=same[0]["id"],
                            folder=folder,
                            uidvalidity=new,
                            uid=uid,
                            message_id=message_id,
                            recorded_sha256=same[0]["sha256"],
                            server_sha256=digest,
                        )
                    continue
                fresh.append((raw, Location(folder, new, uid)))
            with self.store.transaction():
                for uid, digest in relocated:
                    self.store.relocate_mail(digest, folder, new, uid)
            prepared = self.intake.prepare_many(fresh, source="imap")
            report.new_mails += sum(1 for o in self.intake.commit(prepared) if o.created)
        # adopt the new numbering only once every mail has been looked at: a crash during
        # the re-sync repeats it (idempotent by hash) instead of skipping mail
        self.intake.commit([], mailbox_state=(folder, new, max(uids) if uids else 0))
        with self.store.transaction():
            self.store.event(
                "poll.uidvalidity_adopted",
                now,
                folder=folder,
                old=old,
                new=new,
                seen=report.seen,
                known=report.known,
                same_id=report.same_id,
                new_mails=report.new_mails,
            )
        return report


def poll_once(
    config: Config,
    store: Store,
    archive: Archive,
    servers: MailServers,
    *,
    converter: Converter | None = None,
    clock: Callable[[], datetime] | None = None,
    intake: Intake | None = None,
    crash: CrashHook | None = None,
) -> PollResult:
    """Connect, poll the inbox once, disconnect. Raises MailflowError on any IMAP failure.

    Without an ``intake`` one is made over ``store`` and ``archive`` with ``converter``
    (the composition root's, shared by every poll of the run)."""
    clock = clock or aware_now
    if intake is None:
        if converter is None:
            raise TypeError("poll_once needs an intake, or a converter to make one")
        intake = Intake(config, store, archive, clock=clock, converter=converter)
    intake.refresh()
    # documents needing PDF text, OCR, LibreOffice or a workbook's tables are read after
    # the batches (intake.deferred_workers), never in the per-mail path of ordinary mail
    intake.defer = config.intake.deferred_workers > 0
    crash = crash or CrashHook.from_env()
    try:
        with servers.imap() as client:
            result = Poller(config, intake, client, crash, second_imap=servers.imap).run()
    except MailflowError:
        # what was committed before the failure, and what an earlier poll killed before
        # its reading left waiting, is read all the same; the IMAP error is still the
        # poll's answer
        _read_deferred(intake)
        raise
    crash.hit("before-deferred", [1])
    result.deferred = _read_deferred(intake)
    return result


def _read_deferred(intake: Intake) -> int:
    """:meth:`Intake.finish_deferred`, its failure logged rather than raised.

    It runs after the batches are committed and moved: a failure here (the archive's disk
    full, the database locked) must not fail the poll that recorded them, nor keep the
    caller from matching them. What was not recorded stays waiting, listed in the draft
    with its reason, and the next poll reads it again.
    """
    try:
        return intake.finish_deferred()
    except Exception:
        log.exception("reading the deferred documents failed; they wait for the next poll")
        return 0


def poll_loop(
    config: Config,
    store: Store,
    archive: Archive,
    servers: MailServers,
    *,
    intake: Intake,
    clock: Callable[[], datetime],
    after: Callable[[PollResult], None],
    on_error: Callable[[MailflowError], None],
    sleep: Callable[[float], None] = time.sleep,
    rounds: int | None = None,
) -> None:
    """`mailflow poll` without ``--once``: poll every ``daemon.poll_seconds`` until stopped.

    ``after`` gets each poll's result (the CLI prints it and matches the new reports); a
    MailflowError of a round (the server unreachable, a matching problem) goes to
    ``on_error`` and the loop goes on: the next round repeats whatever was not committed.
    ``rounds`` bounds the loop (tests); Ctrl+C ends it (KeyboardInterrupt passes through).
    """
    seconds = max(config.daemon.poll_seconds, 1)
    done = 0
    while rounds is None or done < rounds:
        try:
            after(poll_once(config, store, archive, servers, clock=clock, intake=intake))
        except MailflowError as exc:
            on_error(exc)
        done += 1
        sleep(seconds)
