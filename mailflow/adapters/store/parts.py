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

    # -- match and review

    def part(self, part_id: int) -> dict[str, Any] | None:
        """Part ``part_id``'s owner (id, mail_id, campaign, department); None when there is
        no such part. Review checks a command names a part of its own campaign with it."""
        rows = self.query(
            "SELECT id, mail_id, campaign, department FROM parts WHERE id = ?", [part_id]
        )
        return rows[0] if rows else None

    def add_part(
        self,
        *,
        document_id: int,
        mail_id: int,
        campaign: str,
        department: str,
        ordinal: int,
        heading: str | None,
        text: str,
        block_start: int,
        block_end: int,
        created_at: str,
        row_start: int | None,
        row_end: int | None,
        level: int,
        context: str,
    ) -> int | None:
        """Record one part of a document; its id, or None when the document's part of that
        ordinal exists already (a match redone after a crash adds nothing twice)."""
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO parts (document_id, mail_id, campaign, department, "
            "ordinal, heading, text, block_start, block_end, created_at, row_start, "
            "row_end, level, context) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                document_id,
                mail_id,
                campaign,
                department,
                ordinal,
                heading,
                text,
                block_start,
                block_end,
                created_at,
                row_start,
                row_end,
                level,
                context,
            ],
        )
        return int(cur.lastrowid or 0) if cur.rowcount else None

    def add_placement(
        self,
        part_id: int,
        *,
        section_key: str | None,
        score: float | None,
        status: str,
        candidates: str | None,
        decided_by: str,
        created_at: str,
    ) -> None:
        """Append a placement of part ``part_id`` (placements are append-only: the newest
        row is the decision, the older ones are `mailflow history`). ``candidates`` is the
        JSON list of [section key, score] the matcher weighed."""
        self.conn.execute(
            "INSERT INTO placements (part_id, section_key, score, status, candidates, "
            "decided_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [part_id, section_key, score, status, candidates, decided_by, created_at],
        )

    def supersede_part(self, part_id: int, *, decided_by: str, created_at: str) -> None:
        """Mark part ``part_id`` replaced by a later one: a 'superseded' placement keeping
        its latest section, score and candidates, so `restore` can bring it back."""
        last = self.conn.execute(
            "SELECT section_key, score, candidates FROM placements WHERE part_id = ? "
            "ORDER BY id DESC LIMIT 1",
            [part_id],
        ).fetchone()
        self.add_placement(
            part_id,
            section_key=last[0],
            score=last[1],
            status="superseded",
            candidates=last[2],
            decided_by=decided_by,
            created_at=created_at,
        )

    def placement_before_superseded(self, part_id: int) -> dict[str, Any] | None:
        """Part ``part_id``'s latest placement that is not 'superseded' (section_key, score,
        status, candidates): what `restore` puts back. None when it never had one."""
        rows = self.query(
            "SELECT section_key, score, status, candidates FROM placements "
            "WHERE part_id = ? AND status != 'superseded' ORDER BY id DESC LIMIT 1",
            [part_id],
        )
        return rows[0] if rows else None

    def department_parts_elsewhere(
        self, campaign: str, department: str, mail_id: int
    ) -> list[dict[str, Any]]:
        """The department's parts of ``campaign`` from mails other than ``mail_id``, with
        their current placement and the date, arrival and subject of their mail: what a
        new mail may revise (oldest part first)."""
        return self.query(
            """
            SELECT p.id AS part_id, p.document_id, p.text, p.heading, pl.section_key,
                   pl.status, m.date, m.received_at, m.subject
            FROM parts p
            JOIN placements pl ON pl.id = (SELECT MAX(id) FROM placements WHERE part_id = p.id)
            JOIN mails m ON m.id = p.mail_id
            WHERE p.campaign = ? AND p.department = ? AND p.mail_id != ?
            ORDER BY p.id
            """,
            [campaign, department, mail_id],
        )

    def sections_with_status(
        self, campaign: str, department: str, statuses: Sequence[str]
    ) -> set[str]:
        """Section keys where the department has a part whose current placement has one
        of ``statuses`` (auto/reviewed: the sections it has sent, for receipts)."""
        marks = ", ".join("?" for _ in statuses)
        rows = self.query(
            f"""
            SELECT DISTINCT pl.section_key FROM parts p JOIN placements pl ON pl.id = (
                SELECT MAX(id) FROM placements WHERE part_id = p.id)
            WHERE p.campaign = ? AND p.department = ? AND pl.status IN ({marks})
              AND pl.section_key IS NOT NULL
            """,
            [campaign, department, *statuses],
        )
        return {r["section_key"] for r in rows}

    def count_mail_parts(self, mail_id: int, campaign: str, status: str) -> int:
        """How many parts of mail ``mail_id`` under ``campaign`` currently have ``status``
        (the receipt says how many wait for a person)."""
        rows = self.query(
            """
            SELECT COUNT(*) AS n FROM parts p JOIN placements pl ON pl.id = (
                SELECT MAX(id) FROM placements WHERE part_id = p.id)
            WHERE p.mail_id = ? AND p.campaign = ? AND pl.status = ?
            """,
            [mail_id, campaign, status],
        )
        return int(rows[0]["n"])

    # -- assemble/remind/outbox

    def parts_for_draft(self, campaign: str) -> list[dict[str, Any]]:
        """Every part of ``campaign`` with its latest placement, its document (name, docx,
        reason) and its mail's times, in order: what a draft is assembled from (the
        placement's ``decided_by`` says when a part may renew an earlier one)."""
        return self.query(
            """
            SELECT p.id, p.department, p.text, p.heading, p.block_start, p.block_end,
                   p.row_start, p.row_end, d.name AS file_name, d.docx_path,
                   d.reason AS doc_reason,
                   m.date, m.received_at, pl.section_key, pl.status, pl.candidates,
                   pl.decided_by
            FROM parts p
            JOIN documents d ON d.id = p.document_id
            JOIN mails m ON m.id = p.mail_id
            JOIN placements pl ON pl.id = (SELECT MAX(id) FROM placements WHERE part_id = p.id)
            WHERE p.campaign = ?
            ORDER BY p.id
            """,
            [campaign],
        )

    def replaced_arrivals(self, campaign: str, decided_prefix: str) -> list[dict[str, Any]]:
        """Superseded parts of ``campaign`` whose decision starts with ``decided_prefix``
        (the revision rule's "replaced by <id>"), with their mail's date and arrival: the
        draft says when the report it replaced had come."""
        return self.query(
            """
            SELECT pl.decided_by, m.date, m.received_at FROM parts p
            JOIN placements pl ON pl.id = (SELECT MAX(id) FROM placements WHERE part_id = p.id)
            JOIN mails m ON m.id = p.mail_id
            WHERE p.campaign = ? AND pl.status = 'superseded' AND pl.decided_by LIKE ?
            """,
            [campaign, decided_prefix + "%"],
        )

    def same_report_copies(self, campaign: str, reason: str) -> list[dict[str, Any]]:
        """Per part of ``campaign`` (id), the names of the documents of its mail ignored
        for ``reason`` (another form of the same report, e.g. the signed .pdf), in the
        mail's order: the draft names them beside the part."""
        return self.query(
            """
            SELECT p.id, d.name FROM parts p
            JOIN documents d ON d.mail_id = p.mail_id AND d.status = 'ignored' AND d.reason = ?
            WHERE p.campaign = ? ORDER BY d.ordinal
            """,
            [reason, campaign],
        )

    def placed_sections(self, campaign: str) -> list[dict[str, Any]]:
        """Distinct (department, section_key) pairs of ``campaign``'s live parts (latest
        placement auto or reviewed, on a section): what each department has answered, so
        a reminder asks only for the rest."""
        return self.query(
            """
            SELECT DISTINCT p.department, pl.section_key FROM parts p
            JOIN placements pl ON pl.id = (SELECT MAX(id) FROM placements WHERE part_id = p.id)
            WHERE p.campaign = ? AND pl.status IN ('auto', 'reviewed')
              AND pl.section_key IS NOT NULL
            """,
            [campaign],
        )

    def departments_in_review(self, campaign: str) -> list[str]:
        """Departments of ``campaign`` with a part waiting for a person (latest placement
        review): their answer is in, so no reminder chases them."""
        rows = self.query(
            """
            SELECT DISTINCT p.department FROM parts p
            JOIN placements pl ON pl.id = (SELECT MAX(id) FROM placements WHERE part_id = p.id)
            WHERE p.campaign = ? AND pl.status = 'review'
            """,
            [campaign],
        )
        return [r["department"] for r in rows]

    def part_times(self, campaign: str) -> list[str]:
        """When each part of ``campaign`` was taken in (stored text): the Office mail
        counts the parts new since its last mail."""
        rows = self.query("SELECT created_at FROM parts WHERE campaign = ?", [campaign])
        return [r["created_at"] for r in rows]
