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
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mailflow.adapters.archive import private_touch
from mailflow.adapters.store.schema import MIGRATIONS, Migration
from mailflow.clock import utc_now
from mailflow.errors import MailflowError, TransientError
from mailflow.i18n import t

if TYPE_CHECKING:  # loaded on first use of Store.db: plain reads never need it
    import sqlite_utils


class StoreBase:
    """The connection, its settings, migrations and transactions; the row modules beside
    this one add one method per question."""

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

    def event(
        self,
        kind: str,
        at: datetime,
        campaign: str | None = None,
        department: str | None = None,
        mail_id: int | None = None,
        **detail: Any,
    ) -> None:
        """Append to the audit log; what happened and why, for `mailflow history`.

        A plain INSERT (not sqlite-utils' ``insert``): intake writes one per mail in the
        poll's commit, and the table's columns are fixed by the schema.
        """
        self.conn.execute(
            "INSERT INTO events (at, kind, campaign, department, mail_id, detail) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                at.isoformat(timespec="seconds"),
                kind,
                campaign,
                department,
                mail_id,
                json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
            ),
        )

    def close(self) -> None:
        self.conn.close()
