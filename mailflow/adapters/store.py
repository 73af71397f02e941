"""The state: one SQLite file through sqlite-utils.

Why these settings: WAL lets `mailflow status` read while the daemon writes;
``synchronous=FULL`` makes a committed row survive a power cut, which the
"archive → commit → move" order relies on; the busy timeout turns a short lock by a
second process into a wait instead of an error. Unique keys make every step safe to
repeat after a crash: a second insert of the same thing is a no-op, not a duplicate.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mailflow.adapters.archive import private_touch
from mailflow.clock import utc_now
from mailflow.errors import MailflowError, TransientError
from mailflow.i18n import t

if TYPE_CHECKING:  # loaded on first use of Store.db: plain reads never need it
    import sqlite_utils

Migration = Callable[["sqlite_utils.Database"], None]

#: each part with its latest placement (placements are append-only); add a WHERE on p/pl
CURRENT_PLACEMENT = """
    SELECT p.id, p.mail_id, p.department, p.heading, p.text, p.campaign, pl.section_key,
           pl.score, pl.status, pl.candidates, pl.decided_by, pl.created_at
    FROM parts p
    JOIN placements pl ON pl.id = (SELECT MAX(id) FROM placements WHERE part_id = p.id)
"""


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


class Store:
    """The only holder of the SQLite connection; adapters above it speak in rows."""

    def __init__(
        self,
        path: Path,
        migrations: list[tuple[str, Migration]] | None = None,
        busy_ms: int = 30000,
    ) -> None:
        self.path = Path(path)
        try:
            # owner-only whatever the umask; SQLite gives -wal/-shm the database file's mode
            private_touch(self.path)
        except OSError as exc:
            raise MailflowError(
                t("store.cannot_open", path=self.path, error=exc.strerror or exc),
                t("store.cannot_open_hint"),
            ) from exc
        try:
            conn = sqlite3.connect(
                str(self.path),
                timeout=busy_ms / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
            conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error as exc:
            raise MailflowError(
                t("store.cannot_open", path=self.path, error=exc), t("store.cannot_open_hint")
            ) from exc
        self.conn = conn
        self._db: sqlite_utils.Database | None = None
        self._migrate(migrations if migrations is not None else MIGRATIONS)

    @property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils over the connection, made on first use: a command that only reads
        (``mailflow status``) runs plain queries and never loads it (~30 ms of start-up)."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    def _migrate(self, migrations: list[tuple[str, Migration]]) -> None:
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT)"
        )
        done = {row[0] for row in self.conn.execute("SELECT name FROM _migrations").fetchall()}
        for name, migration in migrations:
            if name in done:
                continue
            with self.transaction():
                migration(self.db)
                self.db.execute(
                    "INSERT INTO _migrations VALUES (?, ?)",
                    [name, utc_now().isoformat(timespec="seconds")],
                )

    def applied_migrations(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM _migrations ORDER BY name")]

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """BEGIN IMMEDIATE … COMMIT: one writer at a time, all or nothing."""
        conn = self.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransientError(t("store.locked", path=self.path, error=exc)) from exc
        try:
            yield self.db
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")

    def query(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        cursor = self.conn.execute(sql, params or ())  # as sqlite-utils' Database.query does
        keys = [d[0] for d in cursor.description]
        return [dict(zip(keys, row, strict=True)) for row in cursor]

    # -- questions the review commands ask (issue 14: no SQL in cli/) -------------------
    # Each returns plain rows (dicts keyed by column); callers decide what to show.

    def current_placement(self, part_id: int) -> dict[str, Any] | None:
        """Part ``part_id`` with its latest placement; None when there is no such part."""
        rows = self.query(CURRENT_PLACEMENT + " WHERE p.id = ?", [part_id])
        return rows[0] if rows else None

    def current_placements(self, campaign: str, statuses: Sequence[str]) -> list[dict[str, Any]]:
        """Each part of ``campaign`` whose latest placement has one of ``statuses``, with
        that placement (placements are append-only: the newest row is the decision)."""
        marks = ", ".join("?" for _ in statuses)
        return self.query(
            CURRENT_PLACEMENT + f" WHERE p.campaign = ? AND pl.status IN ({marks}) ORDER BY p.id",
            [campaign, *statuses],
        )

    def attention_mails(self, campaign: str, kinds: Sequence[str]) -> list[dict[str, Any]]:
        """Mails of ``kinds`` (quarantined, review) for ``campaign`` or for no campaign yet."""
        marks = ", ".join("?" for _ in kinds)
        return self.query(
            "SELECT id, from_addr, subject, kind, reason, detail, department, received_at "
            f"FROM mails WHERE kind IN ({marks}) AND (campaign = ? OR campaign IS NULL) "
            "ORDER BY id",
            [*kinds, campaign],
        )

    def held_documents(self, campaign: str, mail_kind: str) -> list[dict[str, Any]]:
        """Documents of ``campaign``'s mails of ``mail_kind`` kept aside (quarantined,
        waiting for a conversion), with the sending mail's department and detail."""
        return self.query(
            "SELECT d.id, d.mail_id, d.ordinal, d.name, d.status, d.reason, d.reason_params, "
            "m.department, m.from_addr, m.detail "
            "FROM documents d JOIN mails m ON m.id = d.mail_id WHERE m.campaign = ? "
            "AND m.kind = ? AND d.status IN ('quarantined', 'needs-conversion') ORDER BY d.id",
            [campaign, mail_kind],
        )

    def mail_department(self, mail_id: int) -> str | None:
        """The department mail ``mail_id`` came from (None: not known yet).
        KeyError when there is no such mail."""
        rows = self.query("SELECT department FROM mails WHERE id = ?", [mail_id])
        if not rows:
            raise KeyError(mail_id)
        department: str | None = rows[0]["department"]
        return department

    def placement_history(self, campaign: str, department: str | None) -> list[dict[str, Any]]:
        """Every placement row of ``campaign`` (one department's, if given), oldest first,
        with its part: the record behind `mailflow history`."""
        params: list[Any] = [campaign]
        where = "p.campaign = ?"
        if department:
            where += " AND p.department = ?"
            params.append(department)
        return self.query(
            "SELECT pl.created_at, p.id AS part, p.department, p.mail_id, p.heading, p.text, "
            "pl.section_key, pl.status, pl.score, pl.decided_by FROM placements pl "
            f"JOIN parts p ON p.id = pl.part_id WHERE {where} ORDER BY pl.id",
            params,
        )

    def events_of(
        self, campaign: str, kinds: Sequence[str], department: str | None = None
    ) -> list[dict[str, Any]]:
        """Events of ``kinds`` for ``campaign`` (one department's, if given), oldest first."""
        marks = ", ".join("?" for _ in kinds)
        params: list[Any] = [campaign, *kinds]
        where = f"campaign = ? AND kind IN ({marks})"
        if department:
            where += " AND department = ?"
            params.append(department)
        return self.query(f"SELECT * FROM events WHERE {where} ORDER BY id", params)

    def event(
        self,
        kind: str,
        at: datetime,
        campaign: str | None = None,
        department: str | None = None,
        mail_id: int | None = None,
        **detail: Any,
    ) -> None:
        """Append to the audit log; what happened and why, for `mailflow history`."""
        self.db.table("events").insert(
            {
                "at": at.isoformat(timespec="seconds"),
                "kind": kind,
                "campaign": campaign,
                "department": department,
                "mail_id": mail_id,
                "detail": json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
            }
        )

    def close(self) -> None:
        self.conn.close()
