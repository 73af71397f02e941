"""Place each part of a reply under an outline section, with a score and the evidence.

Why it is built this way: replies are written by people who paraphrase, renumber, type
without diacritics and use their own abbreviations, while the outline's titles are long
and share most of their words ("Kết quả ... thực hiện ..."). So a heading is compared on
*informative* words: every section's title and guidance lines give a vocabulary, a word
(syllable or syllable pair) weighs by how few sections use it, and a heading scores by
how much of it a section explains (precision) and how much of the section title it
covers (recall). rapidfuzz catches near-verbatim headings (typos, truncation). Around
that, what a person would use: the department's own assigned sections, the reply's own
structure (a sub-heading under "II. ĐÁNH GIÁ" belongs under the section that matched
"ĐÁNH GIÁ"), outline order, and the campaign's synonym pairs.

Nothing is dropped: a part the matcher is unsure about goes to review with its
candidates; a part that fits nowhere is UNPLACED (the draft's appendix).

Pure: parts and outline in, placements out.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz

from mailflow.core.names import fold_words, split_number
from mailflow.model import Block, BlockKind, Outline, Placement, PlacementStatus, ReportPart

# Thresholds on the final score (0–100 plus bonuses). Chosen from the shape of the score,
# not from particular replies: a heading whose informative words are mostly a section's
# (precision ≥ ~0.7) clears AUTO with the department bonus; half-explained goes to review.
AUTO_SCORE = 62.0
REVIEW_SCORE = 38.0
MARGIN = 7.0  # the best must beat the runner-up (not its own ancestor/descendant) by this
DECISIVE_SCORE = 48.0  # ... or this much when no unrelated section comes near:
DECISIVE_MARGIN = 20.0  # a heading that points at one section only
STRONG_RAW = 45.0  # a heading this good decides on its own; below it, context and body help

W_PRECISION = 0.55  # share of the heading explained vs. share of the title covered
GUIDANCE_FACTOR = 0.9  # a guidance line names its section a little less surely than the title

BONUS_ASSIGNED = 10.0  # the department is named in the section's assignment line
BONUS_ALL = 5.0  # "Các phòng, đơn vị ..." sections
BONUS_ANCESTOR = 4.0  # a section above one assigned to the department
BONUS_CONTEXT = 12.0  # inside the section the reply's enclosing heading matched
BONUS_ORDER = 3.0  # at or after the previous placement in outline order
BONUS_NUMBER = 4.0  # the reply kept the outline's own multi-level number ("2.1")

# Words in any Vietnamese report that say nothing about which section a heading means.
_STOP = frozenset(
    {
        "va",
        "cua",
        "cac",
        "nhung",
        "ve",
        "trong",
        "cho",
        "voi",
        "de",
        "tai",
        "theo",
        "la",
        "co",
        "nhu",
        "mot",
        "so",
        "thi",
        "o",
        "nay",
        "do",
        "viec",
        "tren",
        "duoi",
        "da",
        "dang",
        "se",
        "bi",
        "duoc",
        "hien",
        "nham",
        "tu",
        "den",
    }
)

# Abbreviations written both ways in offices; mapped to the long form on both sides.
_ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    ("kh cn", "khoa hoc cong nghe"),
    ("khcn", "khoa hoc cong nghe"),
    ("khoa hoc va cong nghe", "khoa hoc cong nghe"),
    ("dmst", "doi moi sang tao"),
    ("shtt", "so huu tri tue"),
    ("tdc", "tieu chuan do luong chat luong"),
    ("cmcn", "cach mang cong nghiep"),
    ("cong nghiep 4 0", "cong nghiep lan thu 4"),
    ("lan thu tu", "lan thu 4"),
    ("lan thu bon", "lan thu 4"),
    ("ubnd", "uy ban nhan dan"),
    ("hdnd", "hoi dong nhan dan"),
    ("cntt", "cong nghe thong tin"),
    ("qlnn", "quan ly nha nuoc"),
    ("kt xh", "kinh te xa hoi"),
    ("ktxh", "kinh te xa hoi"),
    ("dn", "doanh nghiep"),
    ("nsnn", "ngan sach nha nuoc"),
)

# Ways any Vietnamese report names the usual parts of an evaluation; a campaign's own
# pairs (config ``synonyms``) are added to these. Either side in a heading counts as
# the other.
DEFAULT_SYNONYMS: tuple[tuple[str, str], ...] = (
    ("tồn tại", "hạn chế"),
    ("khó khăn", "hạn chế"),
    ("vướng mắc", "hạn chế"),
    ("yếu kém", "hạn chế"),
    ("bất cập", "hạn chế"),
    ("mặt làm được", "kết quả đạt được"),
    ("mặt được", "kết quả đạt được"),
    ("ưu điểm", "kết quả đạt được"),
    ("kết quả nổi bật", "kết quả đạt được"),
    ("phương hướng", "nhiệm vụ"),
    ("kế hoạch", "nhiệm vụ"),
    ("nhiệm vụ trọng tâm", "nhiệm vụ, giải pháp"),
    ("thời gian tới", "6 tháng cuối năm"),
    ("những tháng còn lại", "thời gian tới"),
    ("cuối năm", "thời gian tới"),
    ("dự kiến", "dự báo"),
    ("khả năng hoàn thành", "dự báo kết quả"),
    ("lý do", "nguyên nhân"),
)


# --- text → weighted units --------------------------------------------------------------


_BREAK = re.compile(r"[,;:()\[\]/]|\s[-–]\s|\.\s")


def _canonical(text: str) -> str:
    """Folded words with the number stripped and abbreviations spelled out; " | " marks
    where the writer put a comma or a bracket, so word pairs never straddle it."""
    _, _, rest = split_number(text)
    out = []
    for piece in _BREAK.split(rest):
        words = " " + fold_words(piece) + " "
        for short, long in _ABBREVIATIONS:
            words = words.replace(f" {short} ", f" {long} ")
        if words.strip():
            out.append(" ".join(words.split()))
    return " | ".join(out)


def _plain(words: str) -> str:
    return words.replace(" | ", " ")


def _units(words: str) -> set[str]:
    """Syllables (minus function words) and syllable pairs: the pairs carry the words
    ("kết quả", "hạn chế"), the syllables survive reordering and paraphrase."""
    syl = words.split()
    out = {s for s in syl if s not in _STOP and s != "|" and not s.isdigit()}
    out.update(
        f"{a} {b}"
        for a, b in itertools.pairwise(syl)
        if a not in _STOP and b not in _STOP and "|" not in (a, b)
    )
    return out


def _variants(words: str, synonyms: Sequence[tuple[str, str]]) -> list[str]:
    """The heading as written, and with each synonym side replaced by the other.

    A replacement is fenced with " | " so no word pair straddles it.
    """
    padded = f" {_plain(words)} "
    out = [words]
    applied = []
    for a, b in synonyms:
        for x, y in ((a, b), (b, a)):
            if f" {x} " in padded:
                out.append(_fence(padded.replace(f" {x} ", f" | {y} | ")))
                applied.append((x, y))
    if len(applied) > 1:  # all replacements at once as well
        text = padded
        for x, y in applied:
            text = text.replace(f" {x} ", f" | {y} | ")
        out.append(_fence(text))
    return out


def _fence(text: str) -> str:
    words = text.split()
    out: list[str] = []
    for w in words:
        if w == "|" and (not out or out[-1] == "|"):
            continue
        out.append(w)
    while out and out[-1] == "|":
        out.pop()
    return " ".join(out)


@dataclass(frozen=True)
class _Profile:
    key: str
    order: int
    title: str  # canonical title words
    title_units: frozenset[str]
    guide_units: frozenset[str]
    guide_lines: tuple[frozenset[str], ...]  # each "+ ..." line: departments use them as headings
    number: str
    ancestors: tuple[str, ...]
    leaf: bool


@dataclass
class _Index:
    profiles: list[_Profile]
    idf: dict[str, float]
    unknown: float
    rarity: dict[str, float]  # share of sections that use a unit (title or guidance)
    synonyms: list[tuple[str, str]] = field(default_factory=list)

    def weight(self, unit: str) -> float:
        hit = self.idf.get(unit)
        if hit is not None:
            return hit
        # a word the outline never uses; dates and figures ("năm 2023", "quý 3") say little
        return self.unknown * (0.2 if any(c.isdigit() for c in unit) else 1.0)


def _index(outline: Outline, synonyms: Iterable[tuple[str, str]]) -> _Index:
    parents = {s.key: s.parent for s in outline.sections}
    profiles: list[_Profile] = []
    for order, s in enumerate(outline.sections):
        chain: list[str] = []
        p = s.parent
        while p is not None and p not in chain:
            chain.append(p)
            p = parents.get(p)
        title = _canonical(s.title)
        guide: set[str] = set()
        lines: list[frozenset[str]] = []
        for g in s.guidance:
            units = _units(_canonical(g))
            guide |= units
            lines.append(frozenset(units))
        profiles.append(
            _Profile(
                key=s.key,
                order=order,
                title=_plain(title),
                title_units=frozenset(_units(title)),
                guide_units=frozenset(guide),
                guide_lines=tuple(lines),
                number=s.number,
                ancestors=tuple(chain),
                leaf=not outline.children(s.key),
            )
        )
    n = max(1, len(profiles))
    df: dict[str, int] = {}
    for p in profiles:
        for u in p.title_units | p.guide_units:
            df[u] = df.get(u, 0) + 1
    idf = {u: math.log((n + 1) / (c + 0.5)) + 0.2 for u, c in df.items()}
    unknown = sorted(idf.values())[len(idf) // 2] if idf else 1.0
    for u in list(idf):
        if " " not in u:
            idf[u] *= 0.6  # pairs say more than syllables
    syn = [
        (_plain(_canonical(a)), _plain(_canonical(b))) for a, b in (*synonyms, *DEFAULT_SYNONYMS)
    ]
    rarity = {u: c / n for u, c in df.items()}
    return _Index(profiles, idf, unknown, rarity, [(a, b) for a, b in syn if a and b])


def _heading_score(idx: _Index, words: str, p: _Profile) -> float:
    """0–100: how well heading ``words`` names section ``p``."""
    best = 0.0
    for variant in _variants(words, idx.synonyms):
        units = _units(variant)
        if not units:
            continue
        total = sum(idx.weight(u) for u in units)
        in_title = sum(idx.weight(u) for u in units if u in p.title_units)
        in_guide = sum(
            idx.weight(u) for u in units if u not in p.title_units and u in p.guide_units
        )
        precision = (in_title + 0.6 * in_guide) / total
        title_total = sum(idx.weight(u) for u in p.title_units) or 1.0
        recall = in_title / title_total
        score = 100.0 * (W_PRECISION * precision + (1 - W_PRECISION) * min(1.0, recall))
        for line in p.guide_lines:
            # a heading taken from one of the section's "+ ..." guidance lines
            hit = sum(idx.weight(u) for u in units if u in line)
            line_total = sum(idx.weight(u) for u in line) or 1.0
            alt = W_PRECISION * hit / total + (1 - W_PRECISION) * min(1.0, hit / line_total)
            score = max(score, GUIDANCE_FACTOR * 100.0 * alt)
        # near-verbatim headings, typos and truncated long titles
        if p.title:
            plain = _plain(variant)
            near = fuzz.token_sort_ratio(plain, p.title)
            if len(plain) >= 30 and len(plain) < len(p.title):
                near = max(near, 0.97 * fuzz.partial_ratio(plain, p.title))
            if near >= 85:
                score = max(score, near)
        best = max(best, score)
    return best


def _informative(idx: _Index, words: str) -> bool:
    """Does the heading hold a word that only some sections use?"""
    units = set()
    for variant in _variants(words, idx.synonyms):
        units |= _units(variant)
    return any(idx.rarity.get(u, 1.0) <= 0.25 for u in units)


def _body_score(idx: _Index, text: str, p: _Profile) -> float:
    """0–100: how much of the section's vocabulary the body uses (cosine of weighted sets)."""
    units = _units(_canonical(text[:1500]))
    sec = p.title_units | p.guide_units
    if not units or not sec:
        return 0.0
    common = sum(idx.weight(u) ** 2 for u in units & sec)
    norm = math.sqrt(sum(idx.weight(u) ** 2 for u in units)) * math.sqrt(
        sum(idx.weight(u) ** 2 for u in sec)
    )
    return 100.0 * common / norm if norm else 0.0


# --- placing ------------------------------------------------------------------------------


def _prior(outline: Outline, department: str) -> dict[str, float]:
    bonus: dict[str, float] = {}
    for s in outline.sections:
        if department in s.assignees:
            bonus[s.key] = BONUS_ALL if s.all_departments else BONUS_ASSIGNED
    for s in outline.sections:
        if bonus.get(s.key) == BONUS_ASSIGNED:
            p = s.parent
            while p is not None:
                bonus.setdefault(p, BONUS_ANCESTOR)
                p = outline.section(p).parent if p in {x.key for x in outline.sections} else None
    return bonus


def own_leaves(outline: Outline, department: str) -> tuple[str, ...]:
    """The leaf sections assigned to ``department`` by name (not "all departments")."""
    keys = []
    for s in outline.sections:
        if department in s.assignees and not s.all_departments and not outline.children(s.key):
            keys.append(s.key)
    return tuple(keys)


def _related(a: _Profile, b: _Profile) -> bool:
    return a.key == b.key or a.key in b.ancestors or b.key in a.ancestors


def place(
    parts: Sequence[ReportPart],
    outline: Outline,
    department_code: str,
    synonyms: Sequence[tuple[str, str]] = (),
) -> tuple[Placement, ...]:
    """One placement per part, in order: AUTO with a section, REVIEW with candidates, or
    UNPLACED (candidates kept, if any)."""
    if not outline.sections:
        return tuple(Placement(p.ordinal, None, 0.0, PlacementStatus.UNPLACED) for p in parts)
    idx = _index(outline, synonyms)
    prior = _prior(outline, department_code)
    leaves = own_leaves(outline, department_code)
    by_key = {p.key: p for p in idx.profiles}

    headed = [p for p in parts if _canonical(p.heading)]
    heading_best = {
        p.ordinal: max(_heading_score(idx, _canonical(p.heading), q) for q in idx.profiles)
        for p in headed
    }
    # No usable heading anywhere and one section to write: the whole reply is that section.
    if len(leaves) == 1 and not heading_best:
        return tuple(
            Placement(p.ordinal, leaves[0], 100.0, PlacementStatus.AUTO, ((leaves[0], 100.0),))
            for p in parts
        )

    context_cache: dict[str, tuple[_Profile, float] | None] = {}

    def context_section(heading: str) -> tuple[_Profile, float] | None:
        if heading not in context_cache:
            words = _canonical(heading)
            scored = sorted(
                ((q, _heading_score(idx, words, q) + prior.get(q.key, 0.0)) for q in idx.profiles),
                key=lambda x: -x[1],
            )
            context_cache[heading] = scored[0] if words and scored[0][1] >= AUTO_SCORE else None
        return context_cache[heading]

    out: list[Placement] = []
    previous: _Profile | None = None
    for part in parts:
        words = _canonical(part.heading)
        if not words:
            out.append(_headless(idx, part, prior, leaves, previous))
            continue
        number_kind, number, _ = split_number(part.heading)
        inside = [c for h in part.context if (c := context_section(h)) is not None]
        raw = {q.key: _heading_score(idx, words, q) for q in idx.profiles}
        weak = max(raw.values()) < STRONG_RAW
        final: dict[str, float] = {}
        for q in idx.profiles:
            score = raw[q.key] + prior.get(q.key, 0.0)
            if inside and inside[-1][0].key in q.ancestors:
                score += BONUS_CONTEXT
            if previous is not None and q.order >= previous.order:
                score += BONUS_ORDER
            if _same_number(number_kind, number, q.number):
                score += BONUS_NUMBER
            if weak:
                score += 0.4 * _body_score(idx, part.text, q)
            final[q.key] = score
        if weak and inside:
            # "a) Công tác ..." under a heading that matched: it belongs where its parent is
            parent, pscore = inside[-1]
            if final[parent.key] < pscore:
                final[parent.key] = max(final[parent.key], pscore - 5.0)
        placement = _decide(part.ordinal, final, by_key)
        if placement.status is PlacementStatus.AUTO and not _informative(idx, words):
            # "Kết quả", "Tình hình chung": words every section uses decide nothing alone
            placement = replace(placement, section_key=None, status=PlacementStatus.REVIEW)
        out.append(placement)
        if placement.section_key is not None and placement.status is PlacementStatus.AUTO:
            previous = by_key[placement.section_key]
    return tuple(out)


def _same_number(kind: str, number: str, outline_number: str) -> bool:
    """The reply kept the outline's own distinctive number ("2.1", "Phần thứ hai")."""
    if kind == "dotted" and "." in number:
        return number == outline_number
    if kind == "part" and outline_number.startswith("Phần"):
        return fold_words(number) == fold_words(outline_number)
    return False


def _decide(ordinal: int, final: dict[str, float], by_key: dict[str, _Profile]) -> Placement:
    ranked = sorted(final.items(), key=lambda kv: (-kv[1], by_key[kv[0]].order))
    best_key, best = ranked[0]
    rival = next((s for k, s in ranked[1:] if not _related(by_key[k], by_key[best_key])), 0.0)
    candidates = tuple((k, round(s, 1)) for k, s in ranked[:3])
    if (best >= AUTO_SCORE and best - rival >= MARGIN) or (
        best >= DECISIVE_SCORE and best - rival >= DECISIVE_MARGIN
    ):
        return Placement(ordinal, best_key, round(best, 1), PlacementStatus.AUTO, candidates)
    if best >= REVIEW_SCORE:
        return Placement(ordinal, None, round(best, 1), PlacementStatus.REVIEW, candidates)
    return Placement(ordinal, None, round(best, 1), PlacementStatus.UNPLACED, candidates)


def _headless(
    idx: _Index,
    part: ReportPart,
    prior: dict[str, float],
    leaves: tuple[str, ...],
    previous: _Profile | None,
) -> Placement:
    """Content without a heading of its own (before the first heading of the reply)."""
    if len(leaves) == 1:
        return Placement(part.ordinal, leaves[0], 90.0, PlacementStatus.AUTO, ((leaves[0], 90.0),))
    scored = sorted(
        ((q.key, _body_score(idx, part.text, q) + prior.get(q.key, 0.0)) for q in idx.profiles),
        key=lambda kv: -kv[1],
    )
    candidates = tuple((k, round(s, 1)) for k, s in scored[:3])
    return Placement(part.ordinal, None, round(scored[0][1], 1), PlacementStatus.REVIEW, candidates)


# --- a re-attached outline or directive

OWN_TEXT_LIMIT = 300  # characters of sentences not in the outline: more is a report


@dataclass(frozen=True)
class CopyCheck:
    """Whether a document is our own outline/directive sent back, and the evidence."""

    is_copy: bool
    reason: str  # "outline" | "directive" | ""
    covered: float  # share of the outline's lines found in the document
    own_text: float  # share of the document's text that is not the outline's


def _lines_of(outline: Outline) -> list[str]:
    lines = []
    for s in outline.sections:
        lines.append(s.title)
        lines.extend(s.guidance)
        if s.assignment_text:
            lines.append(s.assignment_text)
    return [x for x in (fold_words(line) for line in lines) if x]


def _is_known(text: str, known: Sequence[str], known_set: set[str]) -> bool:
    if text in known_set:
        return True
    return any(
        fuzz.ratio(text, k) >= 90 or (len(text) >= 40 and fuzz.partial_ratio(text, k) >= 95)
        for k in known
        if abs(len(k) - len(text)) < max(len(k), len(text)) * 0.5 or len(text) >= 40
    )


def check_copy(
    blocks: Sequence[Block], outline: Outline, directive: Sequence[str] = ()
) -> CopyCheck:
    """Is this document the outline (or the directive) we sent, rather than a report?

    A department that writes its report *into* the outline keeps the outline's lines but
    adds its own text; a forwarded copy adds next to nothing. So: most of the outline's
    lines are there AND almost all of the document's text is the outline's (letterhead,
    "PHỤ LỤC" and captions aside). ``directive``: the lines of the directive as rendered,
    when the caller has them.
    """
    texts: list[str] = []
    for b in blocks:
        if b.kind is BlockKind.TABLE:
            texts.extend(fold_words(c) for row in b.cells for c in row)
        else:
            texts.append(fold_words(b.display_text))
    texts = [t for t in texts if t]
    total = sum(len(t) for t in texts) or 1
    for reason, known in (
        ("outline", _lines_of(outline)),
        ("directive", [x for x in map(fold_words, directive) if x]),
    ):
        if not known:
            continue
        known_set = set(known)
        found = [t for t in texts if _is_known(t, known, known_set)]
        found_set = set(found)
        covered = sum(
            1 for k in known if k in found_set or any(fuzz.ratio(k, f) >= 90 for f in found)
        ) / len(known)
        own = 1.0 - sum(len(t) for t in found) / total
        # what a department adds when it writes its report into the outline: sentences
        written = sum(len(t) for t in texts if t not in found_set and len(t.split()) >= 12)
        if covered >= 0.5 and own <= 0.25 and written < OWN_TEXT_LIMIT:
            return CopyCheck(True, reason, round(covered, 3), round(own, 3))
        if reason == "outline":
            result = CopyCheck(False, "", round(covered, 3), round(own, 3))
    return result if outline.sections else CopyCheck(False, "", 0.0, 1.0)


def is_outline_copy(blocks: Sequence[Block], outline: Outline) -> bool:
    """True when the document is a re-attached copy of the outline (to be ignored)."""
    return check_copy(blocks, outline).is_copy


# --- revisions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlacedRow:
    """One earlier placement of the same department, as the store holds it."""

    part_id: int
    section_key: str | None
    status: PlacementStatus
    document: str = ""  # what the part came from (document id/sha); "" if unknown


@dataclass(frozen=True)
class Revision:
    """What a new report does to the department's earlier parts."""

    superseded: tuple[int, ...]  # part ids to mark SUPERSEDED
    kept: tuple[int, ...]  # part ids that stand
    covered: tuple[str, ...]  # sections the new report covers


_LIVE = (PlacementStatus.AUTO, PlacementStatus.REVIEWED)


def revise(previous: Sequence[PlacedRow], new: Sequence[Placement]) -> Revision:
    """A later report replaces the department's earlier parts for the sections it covers.

    Covered = sections the new report places with confidence (AUTO or REVIEWED); a part
    still in review covers nothing yet. An earlier part in a covered section is
    superseded; the rest stands. An earlier document whose every placed section is covered
    by the new report is replaced whole: its unplaced and in-review leftovers go too (the
    department re-sent its report, the old leftovers would only duplicate it).
    """
    covered = {p.section_key for p in new if p.status in _LIVE and p.section_key}
    superseded: set[int] = set()
    for row in previous:
        if row.status is PlacementStatus.SUPERSEDED:
            continue
        if row.section_key in covered and row.status in (*_LIVE, PlacementStatus.REVIEW):
            superseded.add(row.part_id)
    documents: dict[str, list[PlacedRow]] = {}
    for row in previous:
        if row.document and row.status is not PlacementStatus.SUPERSEDED:
            documents.setdefault(row.document, []).append(row)
    for rows in documents.values():
        placed = {r.section_key for r in rows if r.status in _LIVE and r.section_key}
        if placed and placed <= covered:
            superseded.update(r.part_id for r in rows)
    live = [r.part_id for r in previous if r.status is not PlacementStatus.SUPERSEDED]
    return Revision(
        superseded=tuple(sorted(superseded)),
        kept=tuple(i for i in live if i not in superseded),
        covered=tuple(sorted(covered)),
    )
