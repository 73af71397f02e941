"""The outbox: every mail recorded (bytes + Message-ID) before it is sent."""

from __future__ import annotations

from mailflow.adapters.store.base import StoreBase


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
