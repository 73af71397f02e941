"""Every labelled sentence of every report mail reaches the draft exactly once.

The labelled replies go through the whole pipeline — `mailflow ingest`, match, `mailflow
assemble` — each case in a state of its own; the draft .docx is read back and every
labelled sentence is looked for: under its section (placed), under another (misplaced),
in the appendix (parts for review, unplaced parts), nowhere (lost) or more than once
(doubled). A sentence a later mail of the same department replaced must be gone.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.match.evaluate_mail import CaseResult, run_case, run_reply, table
from fixtures.match.replies import REPLIES
from fixtures.match.replies_batch3 import BATCH3
from fixtures.match.replies_more import MORE_REPLIES

from mailflow.adapters.pdf import find_soffice


@pytest.fixture(scope="module")
def earlier(tmp_path_factory: pytest.TempPathFactory) -> list[CaseResult]:
    root = tmp_path_factory.mktemp("earlier")
    return [run_reply(r, root / r.name) for r in (*REPLIES, *MORE_REPLIES)]


@pytest.fixture(scope="module")
def batch3(tmp_path_factory: pytest.TempPathFactory) -> list[CaseResult]:
    if find_soffice() is None:
        pytest.skip("LibreOffice is not installed (the batch has a signed .pdf)")
    root = tmp_path_factory.mktemp("batch3")
    return [run_case(c, root / c.name) for c in BATCH3]


def _wrong(results: list[CaseResult], *kinds: str) -> list[tuple[str, str, str, str]]:
    return [(r.name, o, w, t[:70]) for r in results for t, o, w in r.outcomes if o in kinds]


def test_every_sentence_of_the_earlier_batches_is_in_the_draft_exactly_once(
    earlier: list[CaseResult],
) -> None:
    text, total = table(earlier)
    print("\nfirst and second batch, one mail each (placed / appendix / lost / doubled)\n" + text)
    assert total["placed"] + total["appendix"] + total["misplaced"] > 0
    assert _wrong(earlier, "lost", "doubled") == []


def test_every_sentence_of_the_mail_exchanges_is_in_the_draft_exactly_once(
    batch3: list[CaseResult],
) -> None:
    text, total = table(batch3)
    print("\nthird batch: mail exchanges (written before tuning)\n" + text)
    assert total["placed"] + total["appendix"] > 0
    assert _wrong(batch3, "lost", "doubled") == []


def test_a_replaced_sentence_is_gone_from_the_draft(batch3: list[CaseResult]) -> None:
    assert sum(o == "replaced" for r in batch3 for _, o, _ in r.outcomes) >= 2
    assert _wrong(batch3, "stale") == []


def test_the_earlier_batches_place_most_sentences_in_the_body(
    earlier: list[CaseResult],
) -> None:
    _, total = table(earlier)
    placed = total["placed"] / (sum(total.values()) or 1)
    # measured when the test was written: 91 of 96 placed, 5 in the appendix, 0
    # misplaced; a floor with a little room, not a target
    assert placed >= 0.90
    assert total["misplaced"] <= 1


def test_two_forms_filled_outline_group_and_system_mail_place_everything(
    batch3: list[CaseResult],
) -> None:
    styles = {"filled-in outline", "docx+pdf pair", "group address", "document system"}
    chosen = [r for r in batch3 if r.style in styles]
    assert len(chosen) == 4
    assert _wrong(chosen, "appendix", "misplaced", "lost", "doubled") == []


def test_case_folders_hold_their_own_state(tmp_path: Path) -> None:
    """Two cases never share a state: a department's second case starts from nothing."""
    first = run_case(BATCH3[6], tmp_path / "a")  # the group-address case, one mail
    again = run_case(BATCH3[6], tmp_path / "b")
    assert [o for _, o, _ in first.outcomes] == [o for _, o, _ in again.outcomes] == ["placed"]
