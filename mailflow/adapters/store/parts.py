"""Parts and their placements (append-only: the newest placement is the decision)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mailflow.adapters.store.base import StoreBase

#: each part with its latest placement (placements are append-only); add a WHERE on p/pl
CURRENT_PLACEMENT = """
    SELECT p.id, p.mail_id, p.department, p.heading, p.text, p.campaign, pl.section_key,
           pl.score, pl.status, pl.candidates, pl.decided_by, pl.created_at
    FROM parts p
    JOIN placements pl ON pl.id = (SELECT MAX(id) FROM placements WHERE part_id = p.id)
"""


class PartRows(StoreBase):
    """Questions about parts and placements."""

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
