"""The schema: numbered migrations, applied once each, in order."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils

Migration = Callable[["sqlite_utils.Database"], None]


def _m001_initial(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE sends (
            id INTEGER PRIMARY KEY,
            dedupe_key TEXT NOT NULL UNIQUE,      -- one logical send, e.g. directive:2023-h1:QLKH
            kind TEXT NOT NULL,                   -- directive | reminder | receipt | draft | digest
            campaign TEXT,
            department TEXT,
            recipients TEXT NOT NULL,             -- JSON list
            message_id TEXT NOT NULL UNIQUE,
            sha256 TEXT NOT NULL,
            archive_path TEXT NOT NULL,           -- the exact bytes that go on the wire
            status TEXT NOT NULL DEFAULT 'queued', -- queued|sending|sent|failed
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            created_at TEXT NOT NULL,
            sent_at TEXT,
            detail TEXT                           -- JSON: sections, attachments, ...
        );
        CREATE INDEX sends_campaign ON sends(campaign, department, kind);

        CREATE TABLE mailbox_state (
            folder TEXT PRIMARY KEY,
            uidvalidity INTEGER NOT NULL,
            last_uid INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL
        );

        CREATE TABLE mails (
            id INTEGER PRIMARY KEY,
            sha256 TEXT NOT NULL UNIQUE,          -- the same bytes are the same mail
            archive_path TEXT NOT NULL,
            source TEXT NOT NULL,                 -- imap | ingest | import
            folder TEXT,
            uidvalidity INTEGER,
            uid INTEGER,
            message_id TEXT,
            in_reply_to TEXT,
            from_addr TEXT,
            subject TEXT,
            date TEXT,
            received_at TEXT NOT NULL,
            kind TEXT,                            -- model.MailKind
            reason TEXT,
            campaign TEXT,
            department TEXT,
            imported_by TEXT,
            moved INTEGER NOT NULL DEFAULT 0,
            detail TEXT,
            UNIQUE (folder, uidvalidity, uid)
        );
        CREATE INDEX mails_message_id ON mails(message_id);
        CREATE INDEX mails_campaign ON mails(campaign, department, kind);

        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            mail_id INTEGER NOT NULL REFERENCES mails(id),
            ordinal INTEGER NOT NULL,
            name TEXT NOT NULL,                   -- decoded file name, for people; never a path
            content_type TEXT,
            sha256 TEXT NOT NULL,
            archive_path TEXT NOT NULL,
            docx_path TEXT,                       -- converted .docx in the archive, if any
            status TEXT NOT NULL,                 -- ok | needs-conversion | quarantined | ignored
            reason TEXT,
            UNIQUE (mail_id, ordinal)
        );

        CREATE TABLE parts (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            mail_id INTEGER NOT NULL REFERENCES mails(id),
            campaign TEXT NOT NULL,
            department TEXT NOT NULL,
            ordinal INTEGER NOT NULL,
            heading TEXT,
            text TEXT NOT NULL,
            block_start INTEGER NOT NULL,
            block_end INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (document_id, ordinal)
        );

        CREATE TABLE placements (
            id INTEGER PRIMARY KEY,
            part_id INTEGER NOT NULL REFERENCES parts(id),
            section_key TEXT,                     -- NULL = unplaced
            score REAL,
            status TEXT NOT NULL,                 -- model.PlacementStatus
            candidates TEXT,                      -- JSON [[key, score], ...]
            decided_by TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX placements_part ON placements(part_id);
        CREATE INDEX placements_section ON placements(section_key, status);

        CREATE TABLE drafts (
            id INTEGER PRIMARY KEY,
            campaign TEXT NOT NULL,
            version INTEGER NOT NULL,
            path TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            created_at TEXT NOT NULL,
            summary TEXT,
            UNIQUE (campaign, version)
        );

        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            campaign TEXT,
            department TEXT,
            mail_id INTEGER,
            detail TEXT
        );
        CREATE INDEX events_kind ON events(kind, campaign);
        """
    )


def _m002_match_state(db: sqlite_utils.Database) -> None:
    """Matching: when a mail was matched, and a part's place inside its document.

    ``row_start``/``row_end`` narrow a part to rows of the table at ``block_start``;
    ``level``/``context`` keep the reply's own structure for people reviewing it.
    """
    db.executescript(
        """
        ALTER TABLE mails ADD COLUMN matched_at TEXT;
        ALTER TABLE parts ADD COLUMN row_start INTEGER;
        ALTER TABLE parts ADD COLUMN row_end INTEGER;
        ALTER TABLE parts ADD COLUMN level INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE parts ADD COLUMN context TEXT;
        """
    )


def _m003_unmoved_mail(db: sqlite_utils.Database) -> None:
    """Poll: find mail committed but not yet moved (a poll killed in between) without
    reading every row of a big mailbox; the idle poll asks this every time."""
    db.execute("CREATE INDEX mails_unmoved ON mails(folder, uidvalidity) WHERE moved = 0")


def _m004_outbox_next_attempt(db: sqlite_utils.Database) -> None:
    """Outbox: when a mail that met a temporary failure may be tried again, so retries
    survive restarts and no job sleeps through an outage (mailflow/services/outbox.py)."""
    db.execute("ALTER TABLE sends ADD COLUMN next_attempt_at TEXT")


def _m005_document_reason_params(db: sqlite_utils.Database) -> None:
    """Documents: the parameters of a document's reason (JSON), so `review` can say the
    whole sentence ("cannot open {name}: {problem}") instead of its placeholders."""
    db.execute("ALTER TABLE documents ADD COLUMN reason_params TEXT")


def _m006_document_campaign(db: sqlite_utils.Database) -> None:
    """Documents: the campaign a document answers when its mail answers several (issue 18:
    one mail, one report per campaign); NULL — the usual case — is the mail's campaign."""
    db.execute("ALTER TABLE documents ADD COLUMN campaign TEXT")


MIGRATIONS: list[tuple[str, Migration]] = [
    ("001_initial", _m001_initial),
    ("002_match_state", _m002_match_state),
    ("003_unmoved_mail", _m003_unmoved_mail),
    ("004_outbox_next_attempt", _m004_outbox_next_attempt),
    ("005_document_reason_params", _m005_document_reason_params),
    ("006_document_campaign", _m006_document_campaign),
]
