"""Draft versions made by assemble."""

from __future__ import annotations

from typing import Any

from mailflow.adapters.store.base import StoreBase


class DraftRows(StoreBase):
    """Questions about the drafts table."""

    # -- assemble/remind/outbox

    def latest_draft(self, campaign: str) -> dict[str, Any] | None:
        """The newest draft version of ``campaign`` (id, version, path, sha256, summary
        JSON), None before the first: the next version diffs against its summary, and an
        unchanged plan hands this one back instead of making another."""
        rows = self.query(
            "SELECT id, version, path, sha256, summary FROM drafts WHERE campaign = ? "
            "ORDER BY version DESC LIMIT 1",
            [campaign],
        )
        return rows[0] if rows else None

    def add_draft(
        self,
        campaign: str,
        version: int,
        path: str,
        sha256: str,
        created_at: str,
        summary_json: str,
    ) -> int:
        """Record a new draft version (its file is already in the archive); its id. The
        (campaign, version) key refuses a second row for one version."""
        cur = self.conn.execute(
            "INSERT INTO drafts (campaign, version, path, sha256, created_at, summary) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [campaign, version, path, sha256, created_at, summary_json],
        )
        return int(cur.lastrowid or 0)
