"""Which campaign a reply answers, by what it says, when the headers cannot tell.

Why: offices run overlapping campaigns (the 6-month review while next year's plan is
being collected), and departments often write a fresh mail, forward one from a colleague
or send from a document-management system — none of which carries our Message-ID or the
campaign token. What such a mail still carries is its content: a subject and body that
name the campaign's title or the directive's subject (trích yếu), the period and year
("6 tháng đầu năm 2023" vs "năm 2024"), documents whose headings are one campaign's
outline, and a department that only one campaign asked anything of.

Each signal gives points to each candidate campaign; a campaign is chosen only when it is
clearly ahead (``MARGIN`` over the runner-up, and at least ``MIN_SCORE``). Otherwise the
mail goes to review with the candidates ranked and their evidence. Closed campaigns (past
their final draft) stay candidates for late replies but start ``CLOSED_PENALTY`` behind,
and rank after open ones on a tie.

The outline comparison reuses the matcher's own heading scoring (``core/match.py``), so a
heading counts for a campaign the way it would be placed under one of its sections.

Pure: strings and outlines in, a decision out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from mailflow.core import match
from mailflow.core.names import fold_words
from mailflow.model import Outline

# Tuned on tests/test_campaign_identify.py's labelled set (batch 1 written before tuning).
MARGIN = 10.0  # the best campaign must lead the runner-up by this many points
MIN_SCORE = 12.0  # ... and have at least this much evidence of its own
CLOSED_PENALTY = 8.0  # a closed campaign starts behind: a late reply must say so clearly

W_SUBJECT = 30.0  # all of the campaign's own words in the mail's subject
W_TEXT = 12.0  # ... in the body or the documents' opening lines
W_YEAR_SUBJECT = 14.0  # the subject names the campaign's year (minus: names only another)
W_YEAR_TEXT = 8.0  # the year the body and documents name most
W_PERIOD = 8.0  # "6 tháng đầu năm", "quý 3", "tháng 7", "cả năm" named by both
W_HEADING = 6.0  # per document heading that is this campaign's outline and not another's
MAX_HEADINGS = 5  # headings counted at most
W_ASSIGNED = 4.0  # the department has sections of its own in this campaign only

HEADING_SCORE = 60.0  # a line this close to a section of the outline is that section
HEADING_LEAD = 10.0  # ... and must beat every other campaign's best section by this
MAX_LINES = 300  # document lines looked at (headings are near the top of each part)
MAX_LINE_CHARS = 200
TEXT_CHARS = 4000

#: Wording every directive and every reply uses, whichever campaign: it tells nothing, so
#: it is removed from a campaign's title and subject before comparing. Without this, the
#: one campaign whose directive went out gained points for "Đề nghị báo cáo", "V/v",
#: "Kính gửi" — and the year of its deadline ("hạn 21/07/2031") counted as its year.
_STOCK = re.compile(  # on folded text: "Đề nghị báo cáo:" is "de nghi bao cao"
    r"\b(?:han|due) \d{1,2} \d{1,2} \d{4}\b"  # the deadline: "(hạn 21/07/2023)"
    r"|\bde nghi\b|\breport requested\b|\bv v\b|\bve viec\b|\bkinh gui\b"
    r"|\bbao cao\b|\btra loi\b|\bphuc dap\b|\bcong van\b|^(?:re|fw|fwd|tl)\b"
)
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_MONTH = re.compile(r"\bthang (1[0-2]|0?[1-9])\b")  # "tháng 7", "tháng 7/2023"
_PERIODS = (
    ("h1", re.compile(r"\b6 thang dau\b|\bnua dau\b|\bso ket\b")),
    ("h2", re.compile(r"\b6 thang cuoi\b|\bnua cuoi\b")),
    ("q", re.compile(r"\bquy (i{1,3}|iv|[1-4])\b")),
    ("year", re.compile(r"\bca nam\b|\btong ket nam\b")),
)


@dataclass(frozen=True)
class CampaignProfile:
    """What the content layer knows about one candidate campaign."""

    id: str
    title: str
    subject: str = ""  # the directive's subject line (trích yếu), token removed
    outline: Outline | None = field(default=None, compare=False)
    closed: bool = False


@dataclass(frozen=True)
class MailContent:
    """What a mail says: its subject, body, and its documents' text lines."""

    subject: str = ""
    body: str = ""
    lines: tuple[str, ...] = ()  # documents' lines, headings among them
    department: str | None = None


@dataclass(frozen=True)
class Evidence:
    """One candidate's points, signal by signal (signal name → points)."""

    campaign: str
    score: float
    closed: bool
    signals: tuple[tuple[str, float], ...] = ()

    def summary(self) -> str:
        parts = ", ".join(f"{k} {v:+.0f}" for k, v in self.signals if v)
        return f"{self.campaign} {self.score:.0f}" + (f" ({parts})" if parts else "")


@dataclass(frozen=True)
class Decision:
    campaign: str | None
    ranked: tuple[Evidence, ...]

    @property
    def lead(self) -> float:
        if len(self.ranked) < 2:
            return self.ranked[0].score if self.ranked else 0.0
        return self.ranked[0].score - self.ranked[1].score

    def evidence(self) -> str:
        """One line, best first: what a person reads in the review queue."""
        return "; ".join(e.summary() for e in self.ranked)


# --- signals -----------------------------------------------------------------------------


def _units(text: str) -> set[str]:
    return match._units(match._canonical(text))


def _folded(text: str) -> str:
    return " ".join(fold_words(text).split())


def _periods(folded: str) -> set[str]:
    """The periods named: half-years, quarters, the whole year, and months ("m7")."""
    found = {name for name, rx in _PERIODS if rx.search(folded)}
    return found | {f"m{int(m)}" for m in _MONTH.findall(folded)}


def _words_of(p: CampaignProfile) -> str:
    """The campaign's title and directive subject, folded, stock wording removed."""
    return _STOCK.sub(" | ", _folded(f"{p.title} | {p.subject}"))


def _own_units(profiles: Sequence[CampaignProfile]) -> dict[str, set[str]]:
    """Each campaign's title and subject words, minus those every candidate uses."""
    # a unit holding a year ("nam 2023") is left to the year signal: counted here too, two
    # campaigns a year apart would score the year twice (once as their only own words)
    units = {p.id: {u for u in _units(_words_of(p)) if not _YEAR.search(u)} for p in profiles}
    shared = set.intersection(*units.values()) if len(units) > 1 else set()
    return {k: v - shared for k, v in units.items()}


def _heading_hits(
    profiles: Sequence[CampaignProfile], lines: Sequence[str]
) -> dict[str, list[str]]:
    """Lines that are one campaign's outline heading and clearly not another's."""
    indexes = {
        p.id: match._index(p.outline, ())
        for p in profiles
        if p.outline is not None and p.outline.sections
    }
    hits: dict[str, list[str]] = {p.id: [] for p in profiles}
    if not indexes:
        return hits
    seen: set[str] = set()
    for line in lines[:MAX_LINES]:
        text = line.strip()
        if not text or len(text) > MAX_LINE_CHARS or text in seen:
            continue
        if text.endswith((".", ";", ",")) and not text.endswith(("./.", "...")):
            continue  # a sentence of the report's text, not a heading ("Đã triển khai ….")
        seen.add(text)
        words = match._canonical(text)
        if not words:
            continue
        best: dict[str, float] = {}
        for cid, idx in indexes.items():
            best[cid] = max((match._heading_score(idx, words, p) for p in idx.profiles), default=0)
        top = max(best, key=lambda c: best[c])
        rest = max((v for c, v in best.items() if c != top), default=0.0)
        if best[top] >= HEADING_SCORE and best[top] - rest >= HEADING_LEAD:
            hits[top].append(text)
    return hits


def _assigned(profiles: Sequence[CampaignProfile], department: str | None) -> set[str]:
    """Campaigns that name the department in one of their own sections."""
    if not department:
        return set()
    return {
        p.id for p in profiles if p.outline is not None and match.own_leaves(p.outline, department)
    }


def score(
    content: MailContent,
    profiles: Sequence[CampaignProfile],
    closed_penalty: float = CLOSED_PENALTY,
) -> tuple[Evidence, ...]:
    """Every candidate's evidence, best first (open before closed on a tie)."""
    if not profiles:
        return ()
    own = _own_units(profiles)
    subject_units = _units(content.subject)
    text = f"{content.body[:TEXT_CHARS]}\n" + "\n".join(content.lines)[:TEXT_CHARS]
    text_units = _units(text)
    subj_f = _folded(content.subject)
    text_f = _folded(text)
    subj_years = set(_YEAR.findall(subj_f))
    text_years = Counter(_YEAR.findall(text_f))
    top_year = text_years.most_common(1)[0][0] if text_years else None
    mail_periods = _periods(subj_f) | _periods(text_f)
    headings = _heading_hits(profiles, content.lines)
    assigned = _assigned(profiles, content.department)
    only_assigned = assigned if 0 < len(assigned) < len(profiles) else set()
    out = []
    for p in profiles:
        words = own[p.id]
        signals: list[tuple[str, float]] = []
        if words:
            signals.append(("subject", W_SUBJECT * len(words & subject_units) / len(words)))
            signals.append(("text", W_TEXT * len(words & text_units) / len(words)))
        camp_f = _words_of(p)
        years = set(_YEAR.findall(camp_f))
        if years and subj_years:
            signals.append(("year", W_YEAR_SUBJECT if subj_years & years else -W_YEAR_SUBJECT))
        if years and top_year is not None:
            signals.append(("year_text", W_YEAR_TEXT if top_year in years else -W_YEAR_TEXT / 2))
        camp_periods = _periods(camp_f)
        if camp_periods and mail_periods:
            signals.append(("period", W_PERIOD if camp_periods & mail_periods else -W_PERIOD / 2))
        n = min(MAX_HEADINGS, len(headings[p.id]))
        if n:
            signals.append(("headings", W_HEADING * n))
        if p.id in only_assigned:
            signals.append(("assigned", W_ASSIGNED))
        if p.closed:
            signals.append(("closed", -closed_penalty))
        total = sum(v for _, v in signals)
        signals = [(k, round(v, 1)) for k, v in signals]
        out.append(Evidence(p.id, round(total, 1), p.closed, tuple(signals)))
    out.sort(key=lambda e: (-e.score, e.closed))
    return tuple(out)


def decide(
    content: MailContent,
    profiles: Sequence[CampaignProfile],
    margin: float = MARGIN,
    min_score: float = MIN_SCORE,
    closed_penalty: float = CLOSED_PENALTY,
) -> Decision:
    """The campaign that is clearly ahead, or None with every candidate ranked.

    The three bounds are ``[matching] campaign_margin``, ``campaign_min_points`` and
    ``campaign_closed_penalty`` in config.toml (defaults: the constants above)."""
    ranked = score(content, profiles, closed_penalty)
    if not ranked:
        return Decision(None, ())
    best = ranked[0]
    runner = ranked[1].score if len(ranked) > 1 else 0.0
    if best.score >= min_score and best.score - runner >= margin:
        return Decision(best.campaign, ranked)
    return Decision(None, ranked)


# --- one mail, two campaigns -----------------------------------------------------------


@dataclass(frozen=True)
class Split:
    """How a mail's documents divide between campaigns (issue 18, one mail answering two).

    ``documents``: document ordinal → the campaign it answers, for every document that
    says which; documents that say nothing (a cover note, a picture) stay with the mail's
    campaign. ``unclear``: ordinals of documents with evidence for a campaign but none
    clearly ahead — a split mail with such a document goes to a person, never guessed.
    """

    campaign: str | None  # the mail's own campaign (its body and its subject go there)
    documents: tuple[tuple[int, str], ...] = ()
    unclear: tuple[int, ...] = ()
    evidence: str = ""  # per document, best first: what the review queue shows

    @property
    def campaigns(self) -> tuple[str, ...]:
        """The campaigns the documents answer, the mail's own first."""
        seen = dict.fromkeys([c for _, c in self.documents])
        first = (self.campaign,) if self.campaign in seen else ()
        return (*first, *(c for c in seen if c != self.campaign))

    @property
    def is_split(self) -> bool:
        return len(self.campaigns) > 1


def split_documents(
    documents: Sequence[tuple[int, str, Sequence[str]]],
    profiles: Sequence[CampaignProfile],
    mail: Decision,
    department: str | None = None,
    margin: float = MARGIN,
    min_score: float = MIN_SCORE,
    closed_penalty: float = CLOSED_PENALTY,
) -> Split:
    """Each document (ordinal, name, lines) decided on its own lines, as ``decide`` would
    a mail that held only that document — the subject and body are the mail's, so they
    are left out: they would pull every document toward the same campaign.

    Why per document: a department answering two campaigns at once often attaches one
    report per campaign to a single mail; filing the whole mail under one campaign would
    put the other report's text into the wrong draft (or hold both for a person).

    The mail's campaign is the mail-level decision when one of the documents answers it,
    otherwise the first document's. The split is only proposed when the documents answer
    at least two campaigns; when one is ``unclear`` the caller holds the mail.
    """
    decided: list[tuple[int, str]] = []
    unclear: list[int] = []
    notes: list[str] = []
    for ordinal, name, lines in documents:
        one = decide(
            MailContent(lines=tuple(lines), department=department),
            profiles,
            margin=margin,
            min_score=min_score,
            closed_penalty=closed_penalty,
        )
        if one.campaign is not None:
            decided.append((ordinal, one.campaign))
        elif one.ranked and one.ranked[0].score >= min_score:
            unclear.append(ordinal)
        if one.ranked and one.ranked[0].score >= min_score:
            notes.append(f"{name}: {one.evidence()}")
    answered = dict.fromkeys(c for _, c in decided)
    own = mail.campaign if mail.campaign in answered else next(iter(answered), mail.campaign)
    return Split(own, tuple(decided), tuple(unclear), " | ".join(notes))
