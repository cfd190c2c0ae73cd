"""Synonym groups widen a search without misfiring; expectations come from the claims' own text."""

import re

import pytest

from tests.helpers import vetted, walk


def indexed_text(claim, topics) -> str:
    """What full-text search sees of a claim."""
    notes = " ".join(citation.note for citation in claim.citations)
    return " ".join([claim.statement, claim.snippet, claim.assessment, notes, topics[claim.topic]]).lower()


def found(client, q: str) -> set[str]:
    return {claim["id"] for claim in walk(client, f"/v1/claims?q={q}&limit=200")}


def having(bundled, pattern: str) -> set[str]:
    topics = {topic.id: topic.label for topic in bundled.topics}
    return {claim.id for claim in vetted(bundled) if re.search(pattern, indexed_text(claim, topics))}


def test_no_group_matches_more_than_half_of_the_claims(client, bundled):
    half = len(vetted(bundled)) / 2
    assert bundled.synonyms
    broad = {group[0]: n for group in bundled.synonyms if (n := len(found(client, f'"{group[0]}"'))) > half}
    assert broad == {}, f"these groups match more than half of {len(vetted(bundled))} claims: {broad}"


def test_addiction_does_not_find_dependent_or_depend(client, bundled):
    """'dependence' stems to 'depend', which also finds 'BDNF-dependent' and 'may depend on'."""
    expected = having(bundled, r"addict|abus|misus|recreational|substance use|hooked|drug dependence")
    assert expected and found(client, "addiction") == expected


def test_legal_and_approved_stay_apart(client, bundled):
    """The dataset's own 'legalized' claim says legal status and FDA approval differ."""
    assert found(client, "legal") == having(bundled, r"\blegal")
    approved = found(client, "approved")
    assert approved == having(bundled, r"approv|licens|\bfda\b|regulator")
    assert "ketamine-legalized-for-therapeutic-benefits" in approved  # it says what is approved, too


def test_infusion_is_not_ketamine(client, bundled):
    assert found(client, "infusion") == having(bundled, r"infusion|intravenous|iv ketamine|\bdrip")
    assert len(found(client, "infusion")) < len(found(client, "ketamine"))


@pytest.mark.parametrize(
    ("typed", "pattern"),
    [
        ("nasal spray", r"nasal spray|spravato|esketamine"),
        ("shock treatment", r"\bect\b|electroconvulsive|shock t|electroshock"),
        ("liver damage", r"\bliver\b|\bhepat|jaundice|cholestatic|bile duct|cholangiopathy"),
    ],
)
def test_multi_word_entries_match_as_phrases(client, bundled, typed, pattern):
    """'shock treatment' finds ECT, never a claim that only says 'shock' or 'treatment' apart."""
    assert found(client, typed) == having(bundled, pattern)
