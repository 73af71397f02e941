"""The per-mail pipeline shared by `poll`, `ingest` and `import`.

raw bytes → archive (fsync) → parse → identify → extract documents → archive each
document (and its converted .docx) → ONE transaction with the mail row and its document
rows. Split in two steps, :meth:`Intake.prepare` (files only, no database) and
:meth:`Intake.commit` (database only), so a caller can archive a whole batch, commit it
in one transaction and only then move it on the server: per mail the order stays
"archive before commit before move", and a crash between any two steps is repaired by
the next run because the same bytes are the same row (``mails.sha256`` is unique) and
the same server place is the same row (``UNIQUE(folder, uidvalidity, uid)``).

Nothing is dropped: a mail that cannot be read, identified or unpacked is still recorded
(kind "quarantined", with the error as its reason), so a person sees it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Protocol

from mailflow.adapters import mail_parse
from mailflow.adapters.archive import Archive, Staged
from mailflow.adapters.store import Store
from mailflow.config import Config
from mailflow.core.campaign import MailContent, split_documents
from mailflow.core.identify import (
    Identification,
    KnownState,
    OpenCampaign,
    campaign_reason,
    decide_campaign,
    identify,
)
from mailflow.core.review_reply import office_reply_kind
from mailflow.display import safe
from mailflow.errors import MailflowError
from mailflow.i18n import t
from mailflow.model import ATTENTION_KINDS, MailKind

if TYPE_CHECKING:  # LibreOffice's module loads where the converter is built (bootstrap)
    from mailflow.adapters.convert import Converter
    from mailflow.adapters.saved_mail import SavedMail

log = logging.getLogger("mailflow.intake")

#: Kinds whose attachments are unpacked. Bounces carry our own directive back, auto-replies
#: and list mail carry nothing of a department's report: unpacking them would only put
#: our own text (or noise) in front of the matcher.
UNPACKED_KINDS = frozenset({MailKind.REPORT, MailKind.REVIEW, MailKind.QUARANTINED})
#: Kinds a person must look at; on the server they go to ``mailbox.review_folder``.
_UNPACKED = frozenset(k.value for k in UNPACKED_KINDS)
#: Reason of a mail whose analysis or recording failed (params: stage, error).
STAGE_FAILED = "intake.why.stage_failed"

FAULT_ENV = "MAILFLOW_FAIL_AT"
FAULT_STAGES = ("parse", "identify", "unpack", "record", "quarantine")


class InjectedFault(RuntimeError):
    """Raised by :class:`FaultHook`; never raised unless a test asked for it."""


class FaultHook:
    """Fault injection for the isolation tests: ``MAILFLOW_FAIL_AT=<stage>:<marker>[,…]``.

    Raises inside ``stage`` (parse | identify | unpack | record | quarantine) for a mail
    whose raw bytes (at record: whose Message-ID) contain ``marker``, so a test can break
    one mail of a batch at each step, through the real CLI and daemon, and check that
    only that mail is held. Nothing sets the variable otherwise (like ``MAILFLOW_CRASH_AT``).
    """

    def __init__(self, spec: str | None) -> None:
        self.points: list[tuple[str, str]] = []
        for item in (spec or "").split(","):
            stage, _, marker = item.strip().partition(":")
            if stage in FAULT_STAGES and marker:
                self.points.append((stage, marker))

    @classmethod
    def from_env(cls) -> FaultHook:
        return cls(os.environ.get(FAULT_ENV))

    def hit(self, stage: str, seen: bytes | str) -> None:
        for where, marker in self.points:
            wanted: bytes | str = marker.encode() if isinstance(seen, bytes) else marker
            if where == stage and wanted in seen:  # type: ignore[operator]
                raise InjectedFault(f"injected failure at {stage}")


class StageClock:
    """Wall time spent in each intake stage, summed; nested stages count exclusively.

    Why: ``bench.intake`` prints where a poll's time goes (fetch, archive, parse,
    identify, unpack, document checks, commit, move) and the analysis may run in worker
    processes, which send their share back with each result (:meth:`take`). Costs two
    clock reads per stage, nothing else; nothing in mailflow decides on these numbers.
    """

    def __init__(self) -> None:
        self.totals: dict[str, float] = {}
        self._stack: list[list[Any]] = []  # [name, start, time of nested stages]

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        frame: list[Any] = [name, time.perf_counter(), 0.0]
        self._stack.append(frame)
        try:
            yield
        finally:
            self._stack.pop()
            spent = time.perf_counter() - frame[1]
            self.totals[name] = self.totals.get(name, 0.0) + spent - frame[2]
            if self._stack:
                self._stack[-1][2] += spent

    def add(self, totals: dict[str, float]) -> None:
        for name, spent in totals.items():
            self.totals[name] = self.totals.get(name, 0.0) + spent

    def take(self) -> dict[str, float]:
        """The totals so far, and start again from zero."""
        out, self.totals = self.totals, {}
        return out


#: the process's stage clock (a worker process has its own and reports it per result)
STAGES = StageClock()


def _error_text(exc: BaseException) -> str:
    """One line naming the error, for the stored reason (cleaned: it may quote the mail)."""
    return mail_parse.clean_text(f"{type(exc).__name__}: {exc}")[:300]


def _loads_dict(text: str | None) -> dict[str, Any]:
    """A JSON object stored in a TEXT column; {} when absent or not an object."""
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _dumps(value: Any) -> str:
    """JSON for a TEXT column; cleaned because a traceback or a name can quote raw bytes."""
    return mail_parse.clean_text(json.dumps(value, ensure_ascii=False, default=str))


class ExtractedLike(Protocol):
    """What ``adapters.unpack.extract`` returns per document.

    Read-only properties, so the frozen ``unpack.Extracted`` dataclass satisfies it.
    """

    @property
    def ordinal(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def content_type(self) -> str: ...

    @property
    def data(self) -> bytes: ...

    @property
    def docx(self) -> bytes | None: ...

    @property
    def text(self) -> str: ...

    @property
    def status(self) -> str: ...

    @property
    def reason(self) -> str: ...

    @property
    def params(self) -> tuple[tuple[str, str], ...]: ...

    @property
    def origin(self) -> str: ...


Extractor = Callable[[mail_parse.ParsedMail], Sequence[ExtractedLike]]


@dataclass(frozen=True)
class Location:
    """Where a mail sits on the IMAP server; the identity of a fetched mail."""

    folder: str
    uidvalidity: int
    uid: int


@dataclass(frozen=True)
class Override:
    """An identification decided by a person (``mailflow import``), not by the headers."""

    campaign: str
    department: str
    imported_by: str
    reason: str = "import.reason"


@dataclass(frozen=True)
class AnalysedDocument:
    ordinal: int
    name: str
    content_type: str
    sha256: str
    archive_path: str
    docx_path: str | None
    status: str
    reason: str
    params: dict[str, str] = field(default_factory=dict)  # the reason's parameters
    campaign: str | None = None  # set only when the mail is split between campaigns


@dataclass
class AnalysedMail:
    """A mail archived and understood, not yet in the database."""

    sha256: str
    archive_path: str
    source: str
    location: Location | None
    message_id: str
    in_reply_to: str
    from_addr: str
    subject: str
    date: str | None
    kind: str
    campaign: str | None
    department: str | None
    reason: str
    imported_by: str | None
    documents: list[AnalysedDocument]
    detail: dict[str, Any]
    identification: Identification | None = None


@dataclass
class Analysis:
    fields: dict[str, Any]
    extracted: list[ExtractedLike]


@dataclass(frozen=True)
class Outcome:
    """What happened to one mail: recorded now (``created``) or already known."""

    mail_id: int
    sha256: str
    created: bool
    kind: str
    campaign: str | None
    department: str | None
    reason: str
    reason_params: dict[str, str] = field(default_factory=dict)
    documents: int = 0
    from_addr: str = ""
    subject: str = ""
    location: Location | None = None

    @property
    def attention(self) -> bool:
        return self.kind in ATTENTION_KINDS


def sent_message_ids(store: Store) -> dict[str, tuple[str, str]]:
    """Our sent Message-IDs → (campaign, department): replies name them in In-Reply-To."""
    return {mid: (camp or "", dept or "") for mid, camp, dept in store.sent_message_ids()}


CAMPAIGN_UNKNOWN = "intake.why.campaign_unknown"
#: One mail whose documents answer several campaigns: filed under the first, each document
#: carrying its own campaign (params: campaigns, evidence) — or held when one is unclear.
SPLIT = "intake.why.campaign_split"
SPLIT_UNCLEAR = "intake.why.campaign_split_unclear"


def _document_lines(ex: ExtractedLike) -> list[str]:
    """A document's paragraphs (headings among them) for the content layer."""
    if ex.docx:
        with contextlib.suppress(Exception):  # unreadable here: the matcher reports it
            from mailflow.adapters.docx_read import read_docx

            return [b.text for b in read_docx(ex.docx, ex.name) if b.text]
    return (ex.text or "").splitlines()


def campaign_profiles(config: Config, store: Store, known: KnownState) -> tuple[OpenCampaign, ...]:
    """Each campaign with what the content layer compares: its outline, the subject its
    directive went out with, and whether its final draft has gone (closed)."""
    from mailflow.services.basics import load_outline

    subjects: dict[str, str] = {}
    for camp, det in store.directive_subjects():
        with contextlib.suppress(ValueError, TypeError, AttributeError):
            subjects.setdefault(camp or "", str(json.loads(det or "{}").get("subject", "")))
    closed = store.closed_campaigns()
    out = []
    for c in known.campaigns:
        outline = None
        with contextlib.suppress(MailflowError, OSError, ValueError):
            outline = load_outline(config, config.campaign(c.id))
        out.append(
            replace(c, subject=subjects.get(c.id, ""), outline=outline, closed=c.id in closed)
        )
    return tuple(out)


def unpack_limits(config: Config | None) -> Any:
    """The bounds of ``[intake]`` in config.toml as the unpacker's ``Limits``."""
    from dataclasses import asdict, fields

    from mailflow.adapters import unpack

    known = {f.name for f in fields(unpack.Limits)}
    bounds = asdict(config.intake) if config is not None else {}
    return unpack.Limits(**{k: v for k, v in bounds.items() if k in known})


def default_extractor(
    converter: Any = None, config: Config | None = None, *, defer: bool = False
) -> Extractor:
    """The real unpacker (``adapters.unpack``) with LibreOffice for old Word formats.

    The bounds of ``[intake]`` in config.toml become the unpacker's ``Limits``. ``defer``:
    PDF text, OCR, LibreOffice and workbook tables are left for :func:`finish_deferred`.
    """
    from mailflow.adapters import unpack

    limits = unpack_limits(config)

    def run(parsed: mail_parse.ParsedMail) -> Sequence[ExtractedLike]:
        return unpack.extract(parsed.message, limits, converter, defer)

    return run


def _suffix(name: str) -> str:
    """Extension for the archive object (the archive refuses anything odd)."""
    return PurePosixPath(name.replace("\\", "/")).suffix.lower()[:9]


def known_state(
    config: Config,
    sent: Mapping[str, tuple[str, str]] | None = None,
    open_campaigns: Iterable[str] | None = None,
) -> KnownState:
    """The core's ``KnownState`` from a loaded config: the shell reads the config, the core
    takes the departments, campaigns and bounds as plain values."""
    return KnownState.build(
        config.departments,
        config.campaigns,
        sent=sent,
        open_campaigns=open_campaigns,
        own_address=config.mailbox.address,
        trusted_authserv_ids=config.mailbox.trusted_authserv_ids,
        require_auth_pass=config.mailbox.require_auth_pass,
        report_body_chars=config.matching.report_body_chars,
        campaign_min_points=config.matching.campaign_min_points,
        campaign_margin=config.matching.campaign_margin,
        campaign_closed_penalty=config.matching.campaign_closed_penalty,
    )


class Intake:
    """One pipeline over a store and an archive; cheap to build, one per command run."""

    def __init__(
        self,
        config: Config,
        store: Store,
        archive: Archive,
        *,
        clock: Callable[[], datetime],
        converter: Converter,
        extractor: Extractor | None = None,
        identifier: Callable[[Any, KnownState], Identification] = identify,
        faults: FaultHook | None = None,
    ) -> None:
        self.config = config
        self.faults = faults or FaultHook.from_env()
        self.store = store
        self.archive = archive
        self.clock = clock
        self._extractor = extractor
        self._deferring: Extractor | None = None
        #: set by the poll (``intake.deferred_workers`` > 0): documents needing OCR, PDF
        #: text, LibreOffice or a workbook's tables are recorded unread and read after the
        #: batches by :func:`finish_deferred`; only with the default extractor
        self.defer = False
        self._custom_extractor = extractor is not None
        #: old Word formats and workbooks → .docx; built once by bootstrap, shared by every
        #: Intake of the run (and by the deferred workers after the fork)
        self._converter = converter
        self._identify = identifier
        self.known = known_state(config)
        self.refresh()

    def refresh(self) -> None:
        """Re-read what changes while the daemon runs (sends made since the last poll)."""
        known = known_state(self.config, sent=sent_message_ids(self.store))
        if len(known.campaigns) > 1:  # the content layer needs outlines, subjects, closed
            known = replace(known, campaigns=campaign_profiles(self.config, self.store, known))
        self.known = known

    @property
    def extractor(self) -> Extractor:
        if self._extractor is None:
            self._extractor = default_extractor(self._converter, self.config)
        return self._extractor

    def _extract(self, parsed: mail_parse.ParsedMail) -> list[ExtractedLike]:
        """The documents of one mail; the expensive ones left unread when deferring."""
        if not self.defer or self._custom_extractor:
            return list(self.extractor(parsed))
        if self._deferring is None:
            self._deferring = default_extractor(self._converter, self.config, defer=True)
        return list(self._deferring(parsed))

    def finish_now(self, extracted: Sequence[ExtractedLike]) -> list[ExtractedLike]:
        """Read the deferred documents of one mail here and now (its campaign is decided
        by their text, so they cannot wait)."""
        from mailflow.adapters import unpack

        items = [ex for ex in extracted if isinstance(ex, unpack.Extracted)]
        if len(items) != len(extracted) or not any(unpack.is_deferred(ex) for ex in items):
            return list(extracted)
        return list(unpack.finish(items, unpack_limits(self.config), self._converter))

    def close(self) -> None:
        """Nothing of its own to close: the converter belongs to whoever built it (the
        composition root's App closes it); kept so ``with Intake(...)`` reads as a scope."""

    def __enter__(self) -> Intake:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- step 1: files only ---------------------------------------------------------

    def prepare(
        self,
        raw: bytes,
        *,
        source: str,
        location: Location | None = None,
        override: Override | None = None,
    ) -> AnalysedMail:
        """Archive one mail and understand it (see :meth:`prepare_many`)."""
        return self.prepare_many([(raw, location)], source=source, override=override)[0]

    def prepare_many(
        self,
        mails: Sequence[tuple[bytes, Location | None]],
        *,
        source: str,
        override: Override | None = None,
    ) -> list[AnalysedMail]:
        """Understand each mail, then archive every raw mail and extracted file (durable).

        Nothing touches the database. See :meth:`archive_analysed`.
        """
        analysed = [self.analyse(raw, override) for raw, _ in mails]
        return self.archive_analysed(mails, analysed, source=source)

    def analyse(self, raw: bytes, override: Override | None = None) -> Analysis:
        """Parse, identify and unpack one mail in memory (no file, no database).

        Pure work on bytes, so a poll can run it in a worker process while it fetches
        the next batch (``services.poll``); never raises on mail content.
        """
        return self._analyse(raw, override)

    def archive_analysed(
        self,
        mails: Sequence[tuple[bytes, Location | None]],
        analysed: Sequence[Analysis],
        *,
        source: str,
        staged_raws: Staged | None = None,
    ) -> list[AnalysedMail]:
        """Archive the raw mails and their extracted files: two file-system syncs per batch.

        Every object of the batch is written, then the file system is synced once, the
        files renamed into place and the file system synced again (``Archive.publish``)
        — two syncs per batch instead of two fsyncs per file, and all of it before
        :meth:`commit` records any of them ("archived before recorded"). ``staged_raws``
        are the raw mails already written by :func:`stage_raws` (the poll does that in a
        thread while the batch is analysed); without it they are written here.
        """
        blobs: list[tuple[bytes, str, str]] = []
        for a in analysed:
            for ex in a.extracted:
                blobs.append((ex.data, "file", _suffix(ex.name)))
                if ex.docx and ex.docx != ex.data:
                    blobs.append((ex.docx, "file", ".docx"))
        with STAGES("archive"):
            if staged_raws is None:
                staged_raws = self.stage_raws([raw for raw, _ in mails])
            try:
                files = self.archive.stage(blobs)
                try:
                    self.archive.publish([staged_raws, files])
                except BaseException:
                    self.archive.discard(files)
                    raise
            except BaseException:
                self.archive.discard(staged_raws)
                raise
        raws = staged_raws.stored
        if len(raws) != len(mails):
            raise ValueError("staged raw mails do not match the batch")
        stored_blobs = iter(files.stored)
        out: list[AnalysedMail] = []
        for (_, location), stored, a in zip(mails, raws, analysed, strict=True):
            documents: list[AnalysedDocument] = []
            split = (a.fields.get("detail") or {}).get("campaign_split") or {}
            for ex in a.extracted:
                blob = next(stored_blobs)
                docx_path = None
                if ex.docx:  # a .docx as sent is its own .docx
                    docx_path = blob.relpath if ex.docx == ex.data else next(stored_blobs).relpath
                documents.append(
                    AnalysedDocument(
                        ordinal=ex.ordinal,
                        name=ex.name,
                        content_type=ex.content_type,
                        sha256=blob.sha256,
                        archive_path=blob.relpath,
                        docx_path=docx_path,
                        status=ex.status,
                        reason=ex.reason or "",
                        params=dict(ex.params),
                        campaign=split.get(str(ex.ordinal)),
                    )
                )
            out.append(
                AnalysedMail(
                    sha256=stored.sha256,
                    archive_path=stored.relpath,
                    source=source,
                    location=location,
                    documents=documents,
                    **a.fields,
                )
            )
        return out

    def stage_raws(self, raws: Sequence[bytes]) -> Staged:
        """The raw mails of a batch written to temporary files (``Archive.stage``), to be
        published with their documents by :meth:`archive_analysed`."""
        return self.archive.stage([(raw, "mail", ".eml") for raw in raws])

    def held(self, raw: bytes, stage: str, exc: BaseException) -> Analysis:
        """The analysis of a mail that could not be analysed at all (its worker process
        died under it): quarantined with the step and the error, nothing read from it."""
        params = {"stage": stage, "error": _error_text(exc)}
        return Analysis(
            fields={
                "message_id": "",
                "in_reply_to": "",
                "from_addr": "",
                "subject": "",
                "date": None,
                "kind": MailKind.QUARANTINED.value,
                "campaign": None,
                "department": None,
                "reason": STAGE_FAILED,
                "imported_by": None,
                "detail": {"size": len(raw), "reason_params": params},
                "identification": None,
            },
            extracted=[],
        )

    def _analyse(self, raw: bytes, override: Override | None) -> Analysis:
        """Parse, identify and unpack one mail, in memory; never raises on mail content.

        Whatever fails in any of the three steps (a bug, a mail no code foresaw) holds
        THAT mail for a person — kind quarantined, the step and the error as its reason —
        and the rest of the batch goes on.
        """
        detail: dict[str, Any] = {"size": len(raw)}
        parsed: mail_parse.ParsedMail | None = None
        stage = "parse"
        try:
            self.faults.hit("parse", raw)
            with STAGES("parse"):
                parsed = mail_parse.parse(raw, max_bytes=self.config.mailbox.max_message_bytes)
            detail["from_name"] = parsed.from_name
            detail["references"] = list(parsed.references)
            if parsed.defects:
                detail["defects"] = sorted(set(parsed.defects))
            stage = "identify"
            self.faults.hit("identify", raw)
            with STAGES("identify"):
                kind, campaign, department, reason, imported_by, params, ident = self._decide(
                    parsed, override, detail
                )
            extracted: list[ExtractedLike] = []
            if kind in _UNPACKED:
                stage = "unpack"
                self.faults.hit("unpack", raw)
                with STAGES("unpack"):
                    extracted = self._extract(parsed)
                if ident is not None and ident.reason == CAMPAIGN_UNKNOWN and extracted:
                    with STAGES("deferred"):
                        extracted = self.finish_now(extracted)
                notes = [
                    {"ordinal": ex.ordinal, "params": dict(ex.params), "origin": ex.origin}
                    for ex in extracted
                    if ex.params or ex.origin
                ]
                if notes:
                    detail["documents"] = notes
                if ident is not None and ident.reason == CAMPAIGN_UNKNOWN and extracted:
                    kind, campaign, reason, params = self._by_content(
                        parsed, ident, extracted, detail, (kind, campaign, reason, params)
                    )
        except Exception as exc:  # a bug or a mail no code foresaw: keep it, show it
            log.warning(
                "mail %s held for a person: %s failed (%s)",
                self.archive.relpath(raw, "mail", ".eml"),  # only now: a hash and a stat
                stage,
                safe(_error_text(exc)),
            )
            log.debug("traceback of the %s failure", stage, exc_info=True)
            kind, campaign, department, imported_by, ident = (
                MailKind.QUARANTINED.value,
                None,
                None,
                None,
                None,
            )
            reason, params = STAGE_FAILED, {"stage": stage, "error": _error_text(exc)}
            detail["traceback"] = traceback.format_exc(limit=8)[-4000:]
            extracted = []
        detail["reason_params"] = params
        return Analysis(
            fields={
                "message_id": parsed.message_id if parsed else "",
                "in_reply_to": parsed.in_reply_to if parsed else "",
                "from_addr": parsed.from_addr if parsed else "",
                "subject": parsed.subject if parsed else "",
                "date": parsed.date.isoformat() if parsed and parsed.date else None,
                "kind": kind,
                "campaign": campaign,
                "department": department,
                "reason": reason,
                "imported_by": imported_by,
                "detail": detail,
                "identification": ident,
            },
            extracted=extracted,
        )

    def _by_content(
        self,
        parsed: mail_parse.ParsedMail,
        ident: Identification,
        extracted: Sequence[ExtractedLike],
        detail: dict[str, Any],
        before: tuple[str, str | None, str, dict[str, str]],
    ) -> tuple[str, str | None, str, dict[str, str]]:
        """The content layer again, now with the documents' text (issue 18).

        Runs here, after unpacking and before the mail is recorded, so a mail placed by
        its content is a report from the start: it is matched, receipted and counted
        like a threaded reply, and nothing downstream needs to know how it was placed.
        """
        h = mail_parse.mail_headers(parsed)
        per_doc = [(ex.ordinal, ex.name, _document_lines(ex)) for ex in extracted]
        lines = tuple(line for _o, _n, doc_lines in per_doc for line in doc_lines)
        decision = decide_campaign(
            self.known, MailContent(h.subject, h.body_text, lines, ident.department)
        )
        reason, params = campaign_reason(decision)
        detail["campaign_layers"] = {
            "thread": "-",
            "token": "-",
            "content": decision.evidence(),
            "decided": decision.campaign or "",
        }
        if len(per_doc) > 1 and len(self.known.campaigns) > 1:
            # one mail, two campaigns: each document decided on its own lines
            known = self.known
            cut = split_documents(
                per_doc,
                [c.profile() for c in known.campaigns],
                decision,
                ident.department,
                margin=known.campaign_margin,
                min_score=known.campaign_min_points,
                closed_penalty=known.campaign_closed_penalty,
            )
            if cut.is_split:
                detail["campaign_layers"]["documents"] = cut.evidence
                names = {o: n for o, n, _l in per_doc}
                split_params = {"campaigns": ", ".join(cut.campaigns), "evidence": cut.evidence}
                if cut.unclear:
                    split_params["documents"] = ", ".join(names[o] for o in cut.unclear)
                    return before[0], None, SPLIT_UNCLEAR, split_params
                detail["campaign_layers"]["decided"] = ", ".join(cut.campaigns)
                detail["campaign_split"] = {str(o): c for o, c in cut.documents}
                return MailKind.REPORT.value, cut.campaign, SPLIT, split_params
        if decision.campaign is None:
            return before[0], before[1], reason, dict(params)
        return MailKind.REPORT.value, decision.campaign, reason, dict(params)

    def _decide(
        self, parsed: mail_parse.ParsedMail, override: Override | None, detail: dict[str, Any]
    ) -> tuple[str, str | None, str | None, str, str | None, dict[str, str], Identification | None]:
        """(kind, campaign, department, reason, imported_by, params, identification)."""
        if override is not None:
            params = {
                "user": override.imported_by,
                "campaign": override.campaign,
                "department": override.department,
            }
            return (
                MailKind.REPORT.value,
                override.campaign,
                override.department,
                override.reason,
                override.imported_by,
                params,
                None,
            )
        headers = mail_parse.mail_headers(parsed)
        ident = self._identify(headers, self.known)
        office = office_reply_kind(
            headers,
            ident.kind.value,
            ident.reason,
            self.known.sent,  # read only: never copied per mail (it grows with every send)
            self.config.office.emails,
            self.known.trusted_authserv_ids,
            self.config.office.trust_unauthenticated_replies,
        )
        if office is not None:  # the Office answering a draft: commands, not a report
            kind, campaign, reason, params = office
            return kind, campaign, None, reason, None, params, ident
        if ident.return_date is not None:
            detail["return_date"] = ident.return_date.isoformat()
        if ident.bounce is not None:
            b = ident.bounce
            detail["bounce"] = {
                "original_message_id": b.original_message_id,
                "recipient": b.recipient,
                "status": b.status,
                "diagnostic": b.diagnostic,
                "action": b.action,
                "failed": b.failed,
            }
        return (
            ident.kind.value,
            ident.campaign,
            ident.department,
            ident.reason,
            None,
            ident.reason_params,
            ident,
        )

    # --- after the batches: the expensive documents ----------------------------------

    def finish_deferred(self) -> int:
        """Read every document intake left unread (:data:`unpack.DEFERRED`); how many.

        Runs after the poll's batches are archived, recorded and moved, so ordinary mail
        never waits behind a scan's OCR or a LibreOffice start. One job per document (a
        mail's Word-like documents, converted in ONE LibreOffice run as in the per-mail
        path, are one job), at most ``intake.deferred_workers`` at once, each killed (with
        every tool it started) past ``intake.deferred_timeout_seconds``
        (:mod:`adapters.workpool`): a hung reading costs its own documents only, never
        the others of its mail. Each job is recorded as it ends: the .docx forms archived
        (fsync) before ONE transaction updates the rows and the mail's notes; until then
        a document is listed in the draft as waiting, with its reason. A crash anywhere
        leaves the rows not yet recorded waiting and the next run reads them again
        (archive objects are content-addressed, a row is only updated while it waits):
        nothing lost, nothing twice. A timed-out or dead job's documents wait for a
        person (``deferred_timeout`` / ``deferred_failed``), the originals kept.
        """
        from mailflow.adapters import unpack, workpool

        rows = self.store.deferred_documents(unpack.DEFERRED)
        if not rows:
            return 0
        jobs: dict[tuple[int, int], list[dict[str, Any]]] = {}
        for row in rows:
            work = str(_loads_dict(row["reason_params"]).get("work", ""))
            alone = work in ("pdf", "image") or work.startswith("sheet:")
            key = (int(row["mail_id"]), int(row["id"]) if alone else 0)
            jobs.setdefault(key, []).append(row)
        limits = unpack_limits(self.config)
        converter, archive = self._converter, self.archive

        def read(job: list[dict[str, Any]]) -> list[Any]:
            items = [
                unpack.Extracted(
                    ordinal=int(r["ordinal"]),
                    name=r["name"],
                    content_type=r["content_type"] or "",
                    data=archive.read(r["archive_path"]),
                    status=unpack.NEEDS_CONVERSION,
                    reason=unpack.DEFERRED,
                    params=tuple(_loads_dict(r["reason_params"]).items()),
                )
                for r in job
            ]
            return [replace(ex, data=b"") for ex in unpack.finish(items, limits, converter)]

        bounds = self.config.intake
        finished = 0
        with STAGES("deferred"):
            for end in workpool.run_all(
                read,
                list(jobs.values()),
                workers=max(1, bounds.deferred_workers),
                timeout=bounds.deferred_timeout_seconds,
            ):
                docs = end.job
                mail_id = int(docs[0]["mail_id"])
                if end.ok:
                    done = list(end.result)
                else:
                    reason = "intake.unpack.deferred_timeout" if end.timed_out else ""
                    params = (
                        (("seconds", f"{bounds.deferred_timeout_seconds:g}"),)
                        if end.timed_out
                        else (("error", end.error),)
                    )
                    names = ", ".join(str(r["name"]) for r in docs)
                    log.warning("deferred %s of mail %s: %s", names, mail_id, end.error)
                    done = [
                        unpack.Extracted(
                            int(r["ordinal"]),
                            r["name"],
                            r["content_type"] or "",
                            b"",
                            status=unpack.NEEDS_CONVERSION,
                            reason=reason or "intake.unpack.deferred_failed",
                            params=params,
                        )
                        for r in docs
                    ]
                results = [(int(r["id"]), ex) for r, ex in zip(docs, done, strict=True)]
                finished += self._record_deferred(mail_id, results)
        return finished

    def _record_deferred(self, mail_id: int, results: Sequence[tuple[int, Any]]) -> int:
        """Archive read documents of one mail, then update their rows (and the mail's
        notes) in ONE transaction."""
        from mailflow.adapters import unpack

        blobs = [(ex.docx, "file", ".docx") for _, ex in results if ex.docx]
        with STAGES("archive"):
            stored = iter(self.archive.put_many(blobs) if blobs else [])
        now = self.clock()
        changed = 0
        with STAGES("commit"), self.store.transaction():
            notes: dict[int, dict[str, Any]] = {}
            for document_id, ex in results:
                docx_path = next(stored).relpath if ex.docx else None
                params = dict(ex.params)
                changed += self.store.finish_document(
                    document_id,
                    status=ex.status,
                    reason=ex.reason or "",
                    reason_params=_dumps(params) if params else None,
                    docx_path=docx_path,
                    waiting_reason=unpack.DEFERRED,
                )
                notes[ex.ordinal] = params
            detail = _loads_dict(self.store.mail_detail(mail_id))
            kept = [
                n
                for n in detail.get("documents") or []
                if isinstance(n, dict) and n.get("ordinal") not in notes
            ]
            origins = {
                n.get("ordinal"): n.get("origin", "")
                for n in detail.get("documents") or []
                if isinstance(n, dict)
            }
            for ordinal, params in notes.items():
                origin = origins.get(ordinal, "")
                if params or origin:
                    kept.append({"ordinal": ordinal, "params": params, "origin": origin})
            detail["documents"] = sorted(kept, key=lambda n: int(n.get("ordinal") or 0))
            if not detail["documents"]:
                del detail["documents"]
            self.store.set_mail_detail(mail_id, _dumps(detail))
            self.store.event("intake.deferred_read", now, mail_id=mail_id, documents=changed)
        return changed

    # --- step 2: database only -------------------------------------------------------

    def commit(
        self,
        items: Sequence[AnalysedMail],
        *,
        mailbox_state: tuple[str, int, int] | None = None,
        moved: tuple[str, int, Sequence[int]] | None = None,
    ) -> list[Outcome]:
        """Record ``items`` (and the new last UID) in ONE transaction; repeats are no-ops.

        ``moved`` (folder, UIDVALIDITY, UIDs) marks mails of an earlier batch as moved on
        the server in the same transaction: the poll saves a synced commit per batch.

        Each mail is recorded inside its own SAVEPOINT: a mail whose row cannot be
        written is rolled back alone and recorded again as quarantined (see
        :meth:`_record_isolated`), so one mail never holds back the batch, and the batch
        is moved on the server with it. Errors of the state itself (disk full, locked,
        a server place already taken) still fail the whole batch: they are not the mail's.
        """
        now = self.clock()
        outcomes: list[Outcome] = []
        with STAGES("commit"), self.store.transaction():
            if moved is not None and moved[2]:
                # first: a copy of the same bytes in this batch must find the earlier one
                # moved, so that its row takes the new server place (see _known)
                self.store.mark_moved(*moved)
            for item in items:
                outcomes.append(self._record_isolated(item, now))
            if mailbox_state is not None:
                folder, uidvalidity, last_uid = mailbox_state
                self.store.set_mailbox_state(
                    folder, uidvalidity, last_uid, now.isoformat(timespec="seconds")
                )
        return outcomes

    def process(
        self,
        raw: bytes,
        *,
        source: str,
        location: Location | None = None,
        override: Override | None = None,
    ) -> Outcome:
        """prepare + commit one mail (ingest, import)."""
        item = self.prepare(raw, source=source, location=location, override=override)
        return self.commit([item])[0]

    def _record_isolated(self, item: AnalysedMail, now: datetime) -> Outcome:
        """Record one mail; if that fails, record it quarantined; if THAT fails, a bare row.

        The bare row (hash, archive path, server place, reason) holds nothing read from
        the mail, so it can always be written: the mail is never met again by the next
        poll, and a person finds it in `review` with the error.
        """
        store = self.store
        first: Exception | None = None
        for attempt in ("record", "quarantine"):
            store.savepoint("mail")
            try:
                if attempt == "record":
                    self.faults.hit("record", item.message_id)
                    outcome = self._record(item, now)
                else:
                    self.faults.hit("quarantine", item.message_id)
                    assert first is not None
                    outcome = self._record(_quarantined(item, "record", first), now)
            except (sqlite3.OperationalError, MailflowError):
                with contextlib.suppress(sqlite3.Error):  # the state itself: the batch fails
                    store.rollback_to("mail")
                raise
            except Exception as exc:
                store.rollback_to("mail")
                log.warning(
                    "cannot %s mail %s (%s)", attempt, item.archive_path, safe(_error_text(exc))
                )
                log.debug("traceback of the %s failure", attempt, exc_info=True)
                first = first or exc
                continue
            store.release("mail")
            return outcome
        assert first is not None
        return self._record_bare(item, now, first)

    def _record_bare(self, item: AnalysedMail, now: datetime, exc: Exception) -> Outcome:
        row = self.store.mail_by_sha256(item.sha256)
        params = {"stage": "record", "error": ascii(_error_text(exc))[1:-1]}
        if row is not None:  # already recorded by an earlier run: nothing to add
            return Outcome(
                mail_id=int(row["id"]),
                sha256=item.sha256,
                created=False,
                kind=row["kind"] or "",
                campaign=row["campaign"],
                department=row["department"],
                reason=row["reason"] or "",
            )
        loc = item.location
        mail_id = self.store.insert_mail(
            {
                "sha256": item.sha256,
                "archive_path": item.archive_path,
                "source": item.source,
                "folder": loc.folder if loc else None,
                "uidvalidity": loc.uidvalidity if loc else None,
                "uid": loc.uid if loc else None,
                "received_at": now.isoformat(timespec="seconds"),
                "kind": MailKind.QUARANTINED.value,
                "reason": STAGE_FAILED,
                "moved": 0,
                "detail": json.dumps({"reason_params": params, "bare": True}),
            }
        )
        return Outcome(
            mail_id=mail_id,
            sha256=item.sha256,
            created=True,
            kind=MailKind.QUARANTINED.value,
            campaign=None,
            department=None,
            reason=STAGE_FAILED,
            reason_params=params,
            location=loc,
        )

    def _record(self, item: AnalysedMail, now: datetime) -> Outcome:
        row = self.store.mail_by_sha256(item.sha256)
        if row is not None:
            return self._known(row, item, now)
        loc = item.location
        values = {
            "sha256": item.sha256,
            "archive_path": item.archive_path,
            "source": item.source,
            "folder": loc.folder if loc else None,
            "uidvalidity": loc.uidvalidity if loc else None,
            "uid": loc.uid if loc else None,
            "message_id": item.message_id or None,
            "in_reply_to": item.in_reply_to or None,
            "from_addr": item.from_addr or None,
            "subject": item.subject,
            "date": item.date,
            "received_at": now.isoformat(timespec="seconds"),
            "kind": item.kind,
            "reason": item.reason,
            "campaign": item.campaign,
            "department": item.department,
            "imported_by": item.imported_by,
            "moved": 0,
            "detail": _dumps(item.detail),
        }
        values = {
            k: mail_parse.clean_text(v) if isinstance(v, str) else v for k, v in values.items()
        }
        try:
            mail_id = self.store.insert_mail(values)
        except sqlite3.IntegrityError as exc:
            assert loc is not None  # sha256 was checked above: only the place can clash
            raise MailflowError(
                t(
                    "poll.location_conflict",
                    uid=loc.uid,
                    uidvalidity=loc.uidvalidity,
                    folder=loc.folder,
                ),
                t("poll.location_conflict_hint"),
            ) from exc
        insert_documents(self.store, mail_id, item.documents)
        self._bounce_fails_send(item, mail_id, now)
        self.store.event(
            "intake.mail",
            now,
            campaign=item.campaign,
            department=item.department,
            mail_id=mail_id,
            source=item.source,
            mail_kind=item.kind,
            reason=item.reason,
            documents=len(item.documents),
        )
        return Outcome(
            mail_id=mail_id,
            sha256=item.sha256,
            created=True,
            kind=item.kind,
            campaign=item.campaign,
            department=item.department,
            reason=item.reason,
            reason_params=dict(item.detail.get("reason_params", {})),
            documents=len(item.documents),
            from_addr=item.from_addr,
            subject=item.subject,
            location=loc,
        )

    def _known(self, row: dict[str, Any], item: AnalysedMail, now: datetime) -> Outcome:
        """The same bytes again: no second row; remember the new server place if useful.

        The place is taken over when the row has none (the mail came by `ingest` first),
        when its mail was already moved (a second delivery of the same bytes), or when
        the server renumbered (UIDVALIDITY change): then a crash before the move is
        repaired by the next poll like for a new mail.
        """
        mail_id, folder, uidvalidity, uid = row["id"], row["folder"], row["uidvalidity"], row["uid"]
        moved, kind, campaign, department = (
            row["moved"],
            row["kind"],
            row["campaign"],
            row["department"],
        )
        reason, from_addr, subject, detail = (
            row["reason"],
            row["from_addr"],
            row["subject"],
            row["detail"],
        )
        loc = item.location
        take_place = (
            loc is not None
            and (folder is None or moved == 1 or uidvalidity != loc.uidvalidity)
            and (folder, uidvalidity, uid) != (loc.folder, loc.uidvalidity, loc.uid)
        )
        if take_place:
            assert loc is not None
            self.store.move_mail_place(mail_id, loc.folder, loc.uidvalidity, loc.uid)
            self.store.event(
                "intake.duplicate",
                now,
                mail_id=mail_id,
                previous=[folder, uidvalidity, uid],
                now_at=[loc.folder, loc.uidvalidity, loc.uid],
            )
        try:
            params = json.loads(detail or "{}").get("reason_params", {})
        except (ValueError, AttributeError):
            params = {}
        return Outcome(
            mail_id=int(mail_id),
            sha256=item.sha256,
            created=False,
            kind=kind or "",
            campaign=campaign,
            department=department,
            reason=reason or "",
            reason_params=params,
            documents=0,
            from_addr=from_addr or "",
            subject=subject or "",
            location=loc if take_place else None,
        )

    def _bounce_fails_send(self, item: AnalysedMail, mail_id: int, now: datetime) -> None:
        """A bounce for one of our sends marks that send failed (the reminder logic reads it)."""
        ident = item.identification
        if ident is None or ident.bounce is None or not ident.bounce.failed:
            return
        original = ident.bounce.original_message_id
        if not original:
            return
        bare = original.strip("<>")
        why = f"bounce {ident.bounce.status} {ident.bounce.diagnostic}".strip()[:500]
        if self.store.fail_sends([original, bare], why):  # 0 too with no outbox table
            self.store.event(
                "send.bounced",
                now,
                campaign=item.campaign,
                department=item.department,
                mail_id=mail_id,
                message_id=original,
                status=ident.bounce.status,
            )


def _quarantined(item: AnalysedMail, stage: str, exc: Exception) -> AnalysedMail:
    """``item`` as a held mail: no documents, no campaign, the error as its reason."""
    params = {"stage": stage, "error": _error_text(exc)}
    return replace(
        item,
        kind=MailKind.QUARANTINED.value,
        campaign=None,
        department=None,
        reason=STAGE_FAILED,
        imported_by=None,
        documents=[],
        identification=None,
        detail={
            "size": item.detail.get("size"),
            "reason_params": params,
            "traceback": mail_parse.clean_text("".join(traceback.format_exception(exc, limit=8)))[
                -4000:
            ],
        },
    )


def reason_text(reason: str, params: dict[str, str]) -> str:
    """Render a stored reason key for people; an unknown key is shown as it is.

    The parameters come from the mail (names, subjects, headers): they are made safe
    for a terminal before they enter the sentence.
    """
    try:
        text = t(reason, **{k: safe(v) for k, v in params.items()})
    except (KeyError, IndexError, ValueError):
        return safe(reason)
    if params.get("legacy_encoding"):  # a TCVN3/VNI document read as Unicode: say so
        note = t(
            "intake.unpack.legacy_fonts",
            encoding=safe(str(params["legacy_encoding"])),
            runs=safe(str(params.get("legacy_runs", ""))),
        )
        text = f"{text} {note}"
    return text


def insert_documents(store: Store, mail_id: int, documents: Sequence[AnalysedDocument]) -> None:
    """Document rows of one mail, in one statement; a repeat (same mail, same ordinal) is
    a no-op."""
    store.insert_documents(
        [
            (
                mail_id,
                d.ordinal,
                mail_parse.clean_text(d.name),
                d.content_type,
                d.sha256,
                d.archive_path,
                d.docx_path,
                d.status,
                d.reason or None,
                _dumps(d.params) if d.params else None,
                d.campaign,
            )
            for d in documents
        ],
    )


#: mails analysed and committed together by ``ingest``; more than one batch shows progress
INGEST_BATCH = 50


def ingest_saved(
    intake: Intake,
    saved: Sequence[SavedMail],
    batch: int = INGEST_BATCH,
    on_batch: Callable[[int], None] | None = None,
) -> list[Outcome]:
    """Same path as poll (archive → one commit per batch), source "ingest".

    ``on_batch`` hears how many mails each committed batch held (the progress bar)."""
    outcomes: list[Outcome] = []
    for start in range(0, len(saved), batch):
        chunk = [(item.load(), None) for item in saved[start : start + batch]]
        outcomes.extend(intake.commit(intake.prepare_many(chunk, source="ingest")))
        if on_batch is not None:
            on_batch(len(chunk))
    return outcomes
