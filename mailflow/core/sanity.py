"""Campaign sanity rules shared by `mailflow check` and `mailflow send` (pure).

Why here: the same rule must decide in both commands (check must catch what send would
refuse), and a date or a year is a value, so the decision needs no I/O. The callers
pass today's date from the clock adapter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

#: A four-digit year as a word of its own: "2023", "7/2023", "năm 2023" (not "120234").
YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


@dataclass(frozen=True)
class Finding:
    """One problem: a catalogue key and its parameters (the shell words it)."""

    key: str
    params: dict[str, object]


def campaign_year(title: str, deadline: date) -> int:
    """The year a campaign is about: the last year its title names, else its deadline's."""
    years = YEAR_RE.findall(title)
    return int(years[-1]) if years else deadline.year


def stray_years(text: str, year: int) -> list[int]:
    """Years ``text`` names other than ``year``, sorted: a letter copied from an earlier
    campaign still says "2023" after the title moved on."""
    return sorted({int(y) for y in YEAR_RE.findall(text)} - {year})


def deadline_findings(title: str, deadline: date, today: date, sent_any: bool) -> list[Finding]:
    """What is wrong with the deadline, judged on ``today``.

    - passed while nothing was sent yet: the departments could never meet it;
    - in a year the title does not name (year-end reports may be due the next year):
      the title or the deadline was changed without the other.
    """
    found: list[Finding] = []
    if deadline < today and not sent_any:
        found.append(
            Finding(
                "send.problem_deadline_passed",
                {"deadline": deadline.strftime("%d/%m/%Y"), "today": today.strftime("%d/%m/%Y")},
            )
        )
    named = YEAR_RE.findall(title)
    if named and deadline.year not in (int(named[-1]), int(named[-1]) + 1):
        found.append(
            Finding(
                "send.problem_deadline_year",
                {"deadline": deadline.strftime("%d/%m/%Y"), "year": named[-1]},
            )
        )
    return found
