"""One mail, two campaigns (issue 18): core.campaign.split_documents decides each of a
mail's documents on its own lines. Outlines are the seed's and the 2024 plan's, as in the
labelled set (tests/test_campaign_identify.py)."""

from __future__ import annotations

import pytest
from test_campaign_identify import PLAN_HEADINGS, SEED_HEADINGS
from test_campaign_identify import sets as _labelled  # noqa: F401  (a fixture, by this name)

from mailflow.core.campaign import CampaignProfile, Decision, split_documents

NONE = Decision(None, ())


@pytest.fixture
def campaigns(request: pytest.FixtureRequest) -> dict[str, list[CampaignProfile]]:
    """The labelled set's candidate campaigns: "two" (2023-h1, 2024-kh), "year_apart"."""
    return request.getfixturevalue("_labelled")  # type: ignore[no-any-return]


def test_one_document_per_campaign_splits_the_mail(
    campaigns: dict[str, list[CampaignProfile]],
) -> None:
    cut = split_documents(
        [(1, "BC.docx", SEED_HEADINGS), (2, "KH.docx", PLAN_HEADINGS)], campaigns["two"], NONE
    )
    assert cut.is_split and not cut.unclear
    assert dict(cut.documents) == {1: "2023-h1", 2: "2024-kh"}
    assert cut.campaign == "2023-h1" and cut.campaigns == ("2023-h1", "2024-kh")


def test_the_mails_own_decision_is_its_campaign_when_a_document_answers_it(
    campaigns: dict[str, list[CampaignProfile]],
) -> None:
    plan_first = Decision("2024-kh", ())
    cut = split_documents(
        [(1, "BC.docx", SEED_HEADINGS), (2, "KH.docx", PLAN_HEADINGS)], campaigns["two"], plan_first
    )
    assert cut.campaigns == ("2024-kh", "2023-h1")


def test_a_document_with_both_outlines_headings_is_unclear(
    campaigns: dict[str, list[CampaignProfile]],
) -> None:
    # two sections of each outline, no year named: nothing tells the campaigns apart
    both = (
        *SEED_HEADINGS[2:4],
        "Kết quả thực hiện các nhiệm vụ KH&CN cấp tỉnh",
        "Dự toán ngân sách sự nghiệp khoa học và công nghệ",
    )
    cut = split_documents(
        [(1, "BC.docx", SEED_HEADINGS), (2, "KH.docx", PLAN_HEADINGS), (3, "Ca hai.docx", both)],
        campaigns["two"],
        NONE,
    )
    assert cut.is_split and cut.unclear == (3,)
    assert "Ca hai.docx" in cut.evidence


def test_a_cover_note_that_names_nothing_stays_with_the_mail(
    campaigns: dict[str, list[CampaignProfile]],
) -> None:
    cut = split_documents(
        [
            (1, "Cong van.docx", ("Kính gửi Văn phòng Sở.", "Phòng xin gửi kèm báo cáo.")),
            (2, "BC.docx", SEED_HEADINGS),
            (3, "KH.docx", PLAN_HEADINGS),
        ],
        campaigns["two"],
        NONE,
    )
    assert cut.is_split and not cut.unclear
    assert 1 not in dict(cut.documents)


def test_documents_of_one_campaign_are_not_a_split(
    campaigns: dict[str, list[CampaignProfile]],
) -> None:
    cut = split_documents(
        [(1, "BC.docx", SEED_HEADINGS), (2, "Phu luc.docx", SEED_HEADINGS[:3])],
        campaigns["two"],
        NONE,
    )
    assert not cut.is_split


def test_same_outline_a_year_apart_never_splits_by_guess(
    campaigns: dict[str, list[CampaignProfile]],
) -> None:
    profiles = campaigns["year_apart"]
    cut = split_documents(
        [(1, "BC.docx", SEED_HEADINGS), (2, "BC2.docx", SEED_HEADINGS)], profiles, NONE
    )
    assert not cut.is_split and cut.documents == ()
