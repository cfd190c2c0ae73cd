"""Chatbot questions find the claim that answers them, on whichever database runs the suite."""

from pathlib import Path

import yaml

QUESTIONS = yaml.safe_load((Path(__file__).parent.parent / "data" / "relevance.yaml").read_text(encoding="utf-8"))


def test_expected_claim_in_top_three_for_nine_in_ten_questions(client, bundled):
    """Ranking over every vetted claim (min_certainty=very_low), as a chatbot sees it."""
    known = {claim.id for claim in bundled.claims}
    assert len(QUESTIONS) >= 15 and all(item["expect"] in known for item in QUESTIONS)
    misses = []
    for item in QUESTIONS:
        params = {"q": item["q"], "k": 3, "max_chars": 8000, "min_certainty": "very_low"}
        answer = client.get("/v1/snippets", params=params).json()
        top = [snippet["claim_id"] for snippet in answer["items"]]
        if item["expect"] not in top:
            misses.append((item["q"], item["expect"], top))
    assert len(misses) <= len(QUESTIONS) // 10, misses
