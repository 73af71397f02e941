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

import bisect
import itertools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum

from rapidfuzz import fuzz
from rapidfuzz import process as rf_process
from rapidfuzz.distance import LCSseq

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
    for prof in profiles:
        for u in prof.title_units | prof.guide_units:
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


def decide_placements(
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


def title_heading(parts: Sequence[ReportPart], boilerplate: Sequence[Block | object]) -> str:
    """The title line right above a reply's first part when that part has no heading.

    A supplement or a revision often opens "BÁO CÁO BỔ SUNG" / "PHỤ LỤC SỐ LIỆU" and then
    one bold line naming its subject ("Về quản lý tiêu chuẩn đo lường chất lượng"): the
    segmenter keeps that line as the document's title, which leaves the part headless.
    Returned so the caller can try it as the part's heading; "" when there is none.
    """
    if not parts or parts[0].heading:
        return ""
    start = parts[0].block_start
    for b in boilerplate:
        if getattr(b, "block_end", None) == start and getattr(b, "reason", "") == "title":
            text = str(getattr(b, "text", "")).strip()
            words = fold_words(text)
            if words and not words.startswith(("bao cao", "phu luc", "kem theo", "de cuong")):
                return text
    return ""


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


# --- a re-attached outline or directive, or the outline filled in -----------------------

OWN_TEXT_LIMIT = 300  # characters of sentences not in the outline: more is a report
#: Fuzzy comparisons (text × outline line) one document may spend on near-misses; past
#: it, the remaining lines count as the document's own text (never as the outline's), so
#: a huge document costs a bounded time and nothing it says is dropped.
COPY_CHECK_WORK = 400_000
#: A line that repeats an outline line with this fuzz.ratio is the outline's.
KNOWN_RATIO = 90
#: A line with fewer words than this, outside any outline line, adds nothing (a date,
#: "PHÒNG QLKH", a page number): a returned outline made only of such lines is a copy.
ADDED_WORDS = 6

_ASSIGNMENT_LINE = re.compile(r"\bbao cao\s*$")


@dataclass(frozen=True)
class CopyCheck:
    """Whether a document is our own outline/directive sent back, and the evidence.

    ``form``: the document IS the outline (most of its lines are there) but the
    department typed text into it: :func:`fill_in` reads that text section by section.
    ``known``: indexes of the blocks that are the outline's (or directive's) own lines.
    """

    is_copy: bool
    reason: str  # "outline" | "directive" | ""
    covered: float  # share of the outline's lines found in the document
    own_text: float  # share of the document's text that is not the outline's
    form: bool = False
    known: frozenset[int] = frozenset()
    titles: tuple[tuple[int, str], ...] = ()  # (block index, section key) of outline headings


@dataclass(frozen=True)
class _Known:
    """The lines we sent, folded, and which section heading each one is (if it is)."""

    lines: tuple[str, ...]
    section: tuple[str | None, ...]  # section key for a heading line, None otherwise
    exact: dict[str, int]
    longest: int


def _known_lines(outline: Outline, extra: Sequence[str] = ()) -> _Known:
    lines: list[str] = []
    section: list[str | None] = []

    def add(text: str, key: str | None) -> None:
        folded = fold_words(text)
        if folded:
            lines.append(folded)
            section.append(key)

    for s in outline.sections:
        if s.number.startswith("Phần"):
            add(s.number, None)  # "Phần thứ nhất" on a line of its own above the title
        add(s.heading, s.key)
        add(s.title, s.key)
        for g in s.guidance:
            add(g, None)
        if s.assignment_text:
            add(s.assignment_text, None)
    for x in extra:
        add(x, None)
    exact: dict[str, int] = {}
    for i, line in enumerate(lines):
        exact.setdefault(line, i)
    return _Known(tuple(lines), tuple(section), exact, max((len(x) for x in lines), default=0))


class _Matcher:
    """Which outline line a text repeats: hash lookup first, then fuzzy only against the
    outline lines of a length that could match (sorted by length, bisected), within a
    work budget (comparisons), each distinct text looked up once."""

    def __init__(self, known: _Known, budget: int) -> None:
        self.known = known
        self.budget = budget
        self.cache: dict[str, int | None] = {}
        self.order = sorted(range(len(known.lines)), key=lambda i: len(known.lines[i]))
        self.lengths = [len(known.lines[i]) for i in self.order]

    def _between(self, low: float, high: float) -> list[int]:
        a = bisect.bisect_left(self.lengths, low)
        b = bisect.bisect_right(self.lengths, high)
        return self.order[a:b]

    def _best(
        self, text: str, ids: list[int], scorer: Callable[..., float], cutoff: float
    ) -> int | None:
        if not ids or self.budget <= 0:
            return None
        self.budget -= len(ids)
        found = rf_process.extractOne(
            text, [self.known.lines[i] for i in ids], scorer=scorer, score_cutoff=cutoff
        )
        return ids[found[2]] if found is not None else None

    def find(self, text: str) -> int | None:
        if text in self.known.exact:
            return self.known.exact[text]
        if text in self.cache:
            return self.cache[text]
        n = len(text)
        # fuzz.ratio ≥ 90 needs lengths within ~18 % of each other; a longer line holds
        # an outline line (partial ≥ 95) only when that line is ≥ 60 % of it
        hit = self._best(text, self._between(0.8 * n, 1.25 * n), fuzz.ratio, KNOWN_RATIO)
        if hit is None and n >= 40:
            hit = self._best(text, self._between(0.6 * n, n), fuzz.partial_ratio, 95)
        self.cache[text] = hit
        return hit


def _block_texts(b: Block) -> list[str]:
    if b.kind is BlockKind.TABLE:
        return [t for t in (fold_words(c) for row in b.cells for c in row) if t]
    t = fold_words(b.display_text)
    return [t] if t else []


def check_copy(
    blocks: Sequence[Block],
    outline: Outline,
    directive: Sequence[str] = (),
    sent: Sequence[str] = (),
    budget: int = COPY_CHECK_WORK,
) -> CopyCheck:
    """Is this document the outline (or the directive) we sent, rather than a report?

    A returned outline is a copy only when it adds nothing: most of the outline's lines
    are there AND every other line is a few words (letterhead, a date, "PHỤ LỤC").
    When it adds text, it is a *form* the department filled in (``fill_in``). ``sent``:
    every line of the outline document as we sent it (title, notes), ``directive``: the
    lines of the directive as rendered, when the caller has them.
    """
    if not outline.sections:
        return CopyCheck(False, "", 0.0, 1.0)
    result = CopyCheck(False, "", 0.0, 1.0)
    for reason, known in (
        ("outline", _known_lines(outline, sent)),
        ("directive", _known_lines(Outline("", ()), directive)),
    ):
        if not known.lines:
            continue
        matcher = _Matcher(known, budget)
        found: set[int] = set()
        known_blocks: set[int] = set()
        titles: list[tuple[int, str]] = []
        total = own = added = before = written = 0
        for b in blocks:
            texts = _block_texts(b)
            hits = [matcher.find(t) for t in texts]
            for t, h in zip(texts, hits, strict=True):
                total += len(t)
                if h is None:
                    own += len(t)
                    words = len(t.split())
                    if not titles and not sent:
                        # letterhead, "Kèm theo công văn ...": the outline's own preamble
                        # when we cannot compare with the document as sent
                        before += len(t)
                    elif words >= ADDED_WORDS:
                        added += len(t)
                    if words >= 12:
                        written += len(t)
                else:
                    found.add(h)
            if texts and all(h is not None for h in hits):
                known_blocks.add(b.index)
                key = known.section[hits[0]] if len(hits) == 1 and hits[0] is not None else None
                if key is not None and b.kind is not BlockKind.TABLE:
                    titles.append((b.index, key))
            elif (
                b.kind is not BlockKind.TABLE
                and texts
                and len(texts[0].split()) <= 14
                and _ASSIGNMENT_LINE.search(texts[0])
            ):
                known_blocks.add(b.index)  # "(Phòng X báo cáo)": an outline line, reworded
        wanted = {known.lines[i] for i in range(len(known.lines))}
        covered = len({known.lines[i] for i in found}) / (len(wanted) or 1)
        own_share = own / (total or 1)
        if reason == "outline":
            form = covered >= 0.5
            is_copy = form and added == 0 and before < OWN_TEXT_LIMIT
            result = CopyCheck(
                is_copy,
                "outline" if is_copy else "",
                round(covered, 3),
                round(own_share, 3),
                form=form and not is_copy,
                known=frozenset(known_blocks),
                titles=tuple(titles),
            )
            if is_copy:
                return result
        elif covered >= 0.5 and own_share <= 0.25 and written < OWN_TEXT_LIMIT:
            return CopyCheck(True, reason, round(covered, 3), round(own_share, 3))
    return result


def is_outline_copy(blocks: Sequence[Block], outline: Outline) -> bool:
    """True when the document is a re-attached copy of the outline (to be ignored)."""
    return check_copy(blocks, outline).is_copy


def fill_in(
    blocks: Sequence[Block],
    check: CopyCheck,
    skip: Iterable[tuple[int, int]] = (),
) -> tuple[tuple[ReportPart, ...], tuple[Placement, ...]]:
    """The department's text typed into the outline we sent, section by section.

    Each run of the document's own blocks under an outline heading is a part of that
    section (placed: the department wrote it there itself). The outline's headings,
    guidance lines and "… báo cáo" lines are never report text; ``skip`` are block
    ranges [start, end) that are letterhead or signature (from ``segment.split``).
    Text before the first heading goes to review, so nothing is dropped.
    """
    titles = dict(check.titles)
    skipped = {i for a, b in skip for i in range(a, b)}
    parts: list[ReportPart] = []
    placements: list[Placement] = []
    current: str | None = None
    heading = ""
    run: list[Block] = []

    def close() -> None:
        while run and not (run[-1].display_text.strip() or run[-1].cells or run[-1].has_image):
            run.pop()
        if not run:
            return
        text = "\n".join(
            " | ".join(c for row in b.cells for c in row if c.strip())
            if b.kind is BlockKind.TABLE
            else b.display_text
            for b in run
        ).strip()
        if text or any(b.has_image for b in run):
            n = len(parts)
            # the outline heading is not inside the run: it is context, not the part's
            # own first line (assembly would drop a first line that repeats the title)
            context = (heading,) if heading else ()
            parts.append(ReportPart(n, "", run[0].index, run[-1].index + 1, text, 0, context))
            if current is None:
                placements.append(Placement(n, None, 0.0, PlacementStatus.REVIEW))
            else:
                placements.append(
                    Placement(n, current, 100.0, PlacementStatus.AUTO, ((current, 100.0),))
                )
        run.clear()

    for b in blocks:
        if b.index in titles:
            close()
            current, heading = titles[b.index], b.display_text
            continue
        if b.index in check.known or b.index in skipped:
            close()
            continue
        if not (b.display_text.strip() or b.cells or b.has_image) and not run:
            continue
        run.append(b)
    close()
    return tuple(parts), tuple(placements)


# --- the same report twice in one mail -----------------------------------------------------

#: fuzz.ratio of two documents' folded texts at or above which they are one report in
#: two forms (.docx + its signed .pdf, .doc + .docx). Tuned on the first two labelled
#: batches: two different reports of the same office reach 57, a report and its
#: LibreOffice PDF read by pdftotext -layout score 82.8 at worst (tables), 97+ usually.
SAME_REPORT = 70.0
_COMPARE_CHARS = 20_000


def same_report_copies(
    docs: Sequence[tuple[str, int]], threshold: float = SAME_REPORT
) -> dict[int, int]:
    """Which documents of one mail are another form of a document beside them.

    ``docs``: (text, rank) per document, rank = how editable the form is (lower is
    better: a native .docx 0, a converted .doc/.odt/.rtf 1, a mail body 2, a PDF's text 3,
    text recognised from a scan 4, a picture 5). Ties keep attachment order. Returns
    {index of the copy: index of the form that enters the draft}. By content only.
    """
    texts = [
        " ".join(fold_words(t[: _COMPARE_CHARS * 2]).split())[:_COMPARE_CHARS] for t, _ in docs
    ]
    order = sorted(range(len(docs)), key=lambda i: (docs[i][1], i))
    keep: list[int] = []
    copies: dict[int, int] = {}
    for i in order:
        a = texts[i]
        twin = None
        if len(a) >= 80:
            for j in keep:
                b = texts[j]
                if min(len(a), len(b)) < 0.6 * max(len(a), len(b)):
                    continue
                if fuzz.ratio(a, b) >= threshold:
                    twin = j
                    break
        if twin is None:
            keep.append(i)
        else:
            copies[i] = twin
    return copies


# --- revisions ----------------------------------------------------------------------------

#: Words that say a mail or document replaces what was sent before (folded, no marks).
REVISION_WORDS: tuple[str, ...] = (
    "chinh sua",
    "sua doi",
    "thay the",
    "thay cho",
    "gui lai",
    "cap nhat",
    "ban moi",
    "dieu chinh",
    "ban sua",
    "sua lai",
    "dinh chinh",
    "hieu chinh",
)
#: fuzz.ratio of two parts' texts (heading line aside, folded) at or above which the later
#: one is a newer version of the earlier. Tuned on the first two labelled batches: two
#: different parts of one department reach 61.0; a part with its figures changed scores
#: ≥ 95, with a sentence added and words changed ≥ 66 for all but 10 of 231 edited
#: versions (8 of them short texts more than doubled in length). See the notes.
SAME_TEXT = 66.0
MIN_SAME_CHARS = 60  # shorter texts ("Không có.") are alike by chance


def revision_word(*texts: str) -> str:
    """The word that says "this replaces what we sent" in a subject, a mail's opening or a
    document's title, or "" — with or without diacritics."""
    for text in texts:
        folded = f" {fold_words(text)} "
        for w in REVISION_WORDS:
            if f" {w} " in folded:
                return w
    return ""


def text_similarity(a: str, b: str) -> float:
    """0–100: how much ``b`` is the same text as ``a`` (folded; figures may differ)."""
    x = " ".join(fold_words(a[:8000]).split())[:4000]
    y = " ".join(fold_words(b[:8000]).split())[:4000]
    if min(len(x), len(y)) < MIN_SAME_CHARS or min(len(x), len(y)) < 0.5 * max(len(x), len(y)):
        return 0.0
    return float(fuzz.ratio(x, y))


#: Below this many characters (folded) a ratio ≥ SAME_TEXT does not make two texts one:
#: two different one-sentence reports of one department share most of their letters
#: ("Văn phòng đã … triển khai Nghị quyết.") and score 70–89 (probes in the notes, H35).
SHORT_TEXT_CHARS = 300

_FIGURE = re.compile(r"\d")


class Likeness(Enum):
    """How sure it is that a later text is a newer version of an earlier one."""

    DIFFERENT = "different"
    MAYBE = "maybe"  # alike, but short and with other words: a person decides
    SAME = "same"


def _words_masked(text: str) -> list[str]:
    """Folded words, every run of figures one "#": a revision may change any figure."""
    out: list[str] = []
    for w in fold_words(text[:8000]).split():
        w = "#" if _FIGURE.search(w) else w
        if not (w == "#" and out and out[-1] == "#"):
            out.append(w)
    return out


def says_all_of(a: str, b: str) -> bool:
    """One text says every word of the other, in order, figures aside: the figures were
    updated, or a clause or sentence was added (or cut) — what a revision does."""
    x, y = _words_masked(a), _words_masked(b)
    return bool(x and y) and LCSseq.similarity(x, y) == min(len(x), len(y))


def text_likeness(
    a: str, b: str, *, same_text: float = SAME_TEXT, short_chars: int = SHORT_TEXT_CHARS
) -> Likeness:
    """Is ``b`` a newer version of ``a``? SAME when their ratio reaches ``same_text`` and
    the texts are long (shared phrasing cannot carry a long text that far) or one says
    all of the other, figures aside; MAYBE when short texts reach the ratio with words of
    their own (a changed phrase or a different report — only a person can tell)."""
    score = text_similarity(a, b)
    if score < same_text:
        return Likeness.DIFFERENT
    shorter = min(len(" ".join(fold_words(t[:8000]).split())) for t in (a, b))
    if shorter >= short_chars or says_all_of(a, b):
        return Likeness.SAME
    return Likeness.MAYBE


@dataclass(frozen=True)
class PlacedRow:
    """One part of the department, as the store holds it (earlier) or as just matched."""

    part_id: int
    section_key: str | None
    status: PlacementStatus
    document: str = ""  # what the part came from (document id/sha); "" if unknown
    text: str = ""


@dataclass(frozen=True)
class Revision:
    """What a new report does to the department's earlier parts."""

    superseded: tuple[int, ...]  # part ids to mark SUPERSEDED
    kept: tuple[int, ...]  # part ids that stand
    covered: tuple[str, ...]  # sections the new report covers
    replaced_by: tuple[tuple[int, int], ...] = ()  # (earlier part id, new part id)
    inherit: tuple[tuple[int, str], ...] = ()  # (new part id, section of the part it renews)
    #: (new part id, earlier part id) — short texts alike but not surely one (``Likeness``):
    #: the new part waits for a person, the earlier one stands
    held: tuple[tuple[int, int], ...] = ()


_LIVE = (PlacementStatus.AUTO, PlacementStatus.REVIEWED)


def revise(
    previous: Sequence[PlacedRow],
    new: Sequence[PlacedRow],
    *,
    revision: bool = False,
    same_text: float = SAME_TEXT,
    short_chars: int = SHORT_TEXT_CHARS,
) -> Revision:
    """Revision or addition: which earlier parts a new report replaces.

    A later part replaces an earlier part of the same department only (a) when the
    mail or document says it is a revision (``revision``: see :func:`revision_word`) —
    then it replaces the earlier parts of the sections it places, and an earlier
    document all of whose placed sections it covers goes whole — or (b) when it is a
    newer version of the same text (``text_likeness`` SAME), whatever the mail says; a
    newer version still in review takes the earlier one's section. A short text only
    alike (MAYBE) replaces nothing unless the mail says it is a revision: the new part is
    ``held`` for a person, the earlier one stands — never a different report dropped.
    Otherwise parts accumulate: a supplement, a data appendix, a second section.
    """
    live = [r for r in previous if r.status is not PlacementStatus.SUPERSEDED]
    by: dict[int, int] = {}
    inherit: dict[int, str] = {}
    maybe: dict[int, int] = {}
    for old in live:
        best, twin = 0.0, None
        for n in new:
            score = text_similarity(old.text, n.text)
            if score > best:
                best, twin = score, n
        if twin is None or best < same_text:
            continue
        likeness = text_likeness(old.text, twin.text, same_text=same_text, short_chars=short_chars)
        if likeness is Likeness.MAYBE and not revision:
            maybe.setdefault(twin.part_id, old.part_id)
            continue
        by[old.part_id] = twin.part_id
        if twin.status not in _LIVE and old.status in _LIVE and old.section_key:
            inherit.setdefault(twin.part_id, old.section_key)
    # a part that surely renews one earlier part is placed; it waits for nobody
    held = {n: old for n, old in maybe.items() if n not in by.values() and n not in inherit}
    covered = {
        p.section_key for p in new if p.status in _LIVE and p.section_key and p.part_id not in held
    }
    if revision:
        first_in: dict[str, int] = {}
        for n in new:
            if n.status in _LIVE and n.section_key:
                first_in.setdefault(n.section_key, n.part_id)
        for old in live:
            if old.section_key in covered and old.status in (*_LIVE, PlacementStatus.REVIEW):
                by.setdefault(old.part_id, first_in[old.section_key])
        documents: dict[str, list[PlacedRow]] = {}
        for row in live:
            if row.document:
                documents.setdefault(row.document, []).append(row)
        some = next(iter(first_in.values()), 0)
        for rows in documents.values():
            placed = {r.section_key for r in rows if r.status in _LIVE and r.section_key}
            if placed and placed <= covered:
                for r in rows:
                    by.setdefault(r.part_id, first_in.get(r.section_key or "", some))
    return Revision(
        superseded=tuple(sorted(by)),
        kept=tuple(r.part_id for r in live if r.part_id not in by),
        covered=tuple(sorted(covered)),
        replaced_by=tuple(sorted(by.items())),
        inherit=tuple(sorted(inherit.items())),
        held=tuple(sorted(held.items())),
    )
