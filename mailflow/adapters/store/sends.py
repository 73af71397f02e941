"""The outbox: every mail recorded (bytes + Message-ID) before it is sent."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mailflow.adapters.store.base import StoreBase

#: the columns ``update_send`` may set: the ones a send's life changes (status, tries,
#: errors, when it went, its detail); the identity of a send (key, bytes) never changes
_SEND_FIELDS = frozenset(
    {"status", "attempts", "last_error", "sent_at", "detail", "next_attempt_at"}
)


class SendRows(StoreBase):
    """Questions about the sends table (the outbox)."""

    # -- match

    def directive_archive_path(self, campaign: str, department: str | None) -> str | None:
        """Where the directive mail sent to ``department`` for ``campaign`` is archived (any
        department's when it got none; None when no directive was sent from this state):
        the match recognises that letter and outline when a department sends them back."""
        rows = self.query(
            "SELECT archive_path FROM sends WHERE campaign = ? AND kind = 'directive' "
            "ORDER BY department IS NOT ?, id LIMIT 1",
            [campaign, department],
        )
        if not rows:
            return None
        path: str = rows[0]["archive_path"]
        return path

    # -- assemble/remind/outbox

    def send_by_key(self, dedupe_key: str) -> dict[str, Any] | None:
        """The send with ``dedupe_key``, if any: the key is what makes a repeat a no-op."""
        rows = self.query("SELECT * FROM sends WHERE dedupe_key = ?", [dedupe_key])
        return rows[0] if rows else None

    def send_by_id(self, send_id: int) -> dict[str, Any]:
        """Send ``send_id`` as it is now (another process may have moved it on).
        KeyError when there is no such send."""
        rows = self.query("SELECT * FROM sends WHERE id = ?", [send_id])
        if not rows:
            raise KeyError(send_id)
        return rows[0]

    def sends_where(
        self,
        campaign: str | None = None,
        kind: str | None = None,
        statuses: Sequence[str] = (),
    ) -> list[dict[str, Any]]:
        """Sends of ``campaign`` and ``kind`` (each only when given) in one of ``statuses``
        (any, when empty), in the order they were queued: what the outbox walks."""
        sql, params = "SELECT * FROM sends WHERE 1=1", []
        if campaign is not None:
            sql += " AND campaign = ?"
            params.append(campaign)
        if kind is not None:
            sql += " AND kind = ?"
            params.append(kind)
        if statuses:
            sql += f" AND status IN ({','.join('?' * len(statuses))})"
            params.extend(statuses)
        return self.query(sql + " ORDER BY id", params)

    def add_send(
        self,
        dedupe_key: str,
        kind: str,
        campaign: str | None,
        department: str | None,
        recipients_json: str,
        message_id: str,
        sha256: str,
        archive_path: str,
        created_at: str,
        detail_json: str,
    ) -> None:
        """Record one mail as ``queued``; a send with the same key already there wins
        (INSERT OR IGNORE), so queueing twice never makes a second message."""
        self.conn.execute(
            "INSERT OR IGNORE INTO sends (dedupe_key, kind, campaign, department, recipients,"
            " message_id, sha256, archive_path, status, attempts, created_at, detail)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?)",
            [
                dedupe_key,
                kind,
                campaign,
                department,
                recipients_json,
                message_id,
                sha256,
                archive_path,
                created_at,
                detail_json,
            ],
        )

    def requeue_failed_send(
        self,
        send_id: int,
        recipients_json: str,
        message_id: str,
        sha256: str,
        archive_path: str,
        detail_json: str,
    ) -> None:
        """Give a ``failed`` send new bytes and queue it again, tries and wait reset. Only
        a failed one: the server never accepted it, so no second message can result."""
        self.conn.execute(
            "UPDATE sends SET recipients = ?, message_id = ?, sha256 = ?, archive_path = ?,"
            " status = 'queued', attempts = 0, detail = ?, next_attempt_at = NULL"
            " WHERE id = ? AND status = 'failed'",
            [recipients_json, message_id, sha256, archive_path, detail_json, send_id],
        )

    def claim_send(self, send_id: int) -> bool:
        """Mark a ``queued`` send ``sending`` and count the try. False when it was not
        queued any more: another process took it, and this one must leave it alone."""
        cur = self.conn.execute(
            "UPDATE sends SET status = 'sending', attempts = attempts + 1"
            " WHERE id = ? AND status = 'queued'",
            [send_id],
        )
        return cur.rowcount == 1

    def update_send(self, send_id: int, **values: Any) -> None:
        """Set the given columns of one send (its status, last error, retry time, …) as
        the outbox's protocol moves it on. A column outside that set is a ValueError."""
        unknown = set(values) - _SEND_FIELDS
        if unknown:
            raise ValueError(f"not a send field: {sorted(unknown)}")
        cols = ", ".join(f"{k} = ?" for k in values)
        self.conn.execute(f"UPDATE sends SET {cols} WHERE id = ?", [*values.values(), send_id])

    def directive_sends(self, campaign: str) -> list[dict[str, Any]]:
        """Every directive of ``campaign``, whatever became of it, oldest first: who was
        sent it and when (reminders count from there), and whose bounced."""
        return self.query(
            "SELECT department, status, sent_at, created_at, message_id FROM sends "
            "WHERE campaign = ? AND kind = 'directive' ORDER BY id",
            [campaign],
        )

    def reminder_times(self, campaign: str, kind: str, not_status: str) -> list[dict[str, Any]]:
        """Department and queue time of each ``kind`` send of ``campaign`` not in
        ``not_status``, oldest first: how many reminders each department has had."""
        return self.query(
            "SELECT department, created_at FROM sends WHERE campaign = ? AND kind = ? "
            "AND status != ? ORDER BY id",
            [campaign, kind, not_status],
        )

    def office_sends(self, campaign: str) -> list[dict[str, Any]]:
        """The drafts and digests mailed to the Office for ``campaign``, oldest first:
        when the last went decides whether the next is due."""
        return self.query(
            "SELECT kind, dedupe_key, created_at FROM sends WHERE campaign = ? AND kind IN "
            "('draft', 'digest') ORDER BY id",
            [campaign],
        )

    def reminder_log(self) -> list[dict[str, Any]]:
        """Every reminder ever queued (department, day, detail with the reason), oldest
        first: the demo's account of what the daemon did."""
        return self.query(
            "SELECT department, created_at, detail FROM sends WHERE kind = 'reminder' ORDER BY id"
        )
