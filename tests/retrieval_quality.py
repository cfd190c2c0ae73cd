"""Retrieval quality on the lay question set: hit@3, MRR and off-topic answers, through HTTP."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from fastapi.testclient import TestClient

QUESTION_SET = Path(__file__).parent / "data" / "lay_questions.yaml"
RANK_DEPTH = 10  # snippets asked for per question; a claim ranked below this counts as not found


def question_set() -> dict[str, Any]:
    questions: dict[str, Any] = yaml.safe_load(QUESTION_SET.read_text(encoding="utf-8"))
    return questions


@dataclass
class Ranks:
    """hit@3 and mean reciprocal rank of the first acceptable claim over a list of questions."""

    hit_at_3: float
    mrr: float
    misses: list[tuple[str, list[str]]] = field(default_factory=list)


@dataclass
class Quality:
    tuned: Ranks
    held_out: Ranks
    answered_off_topic: list[str]

    def line(self) -> str:
        return (
            f"hit@3 {self.tuned.hit_at_3:.3f}  MRR {self.tuned.mrr:.3f}  "
            f"(held out: hit@3 {self.held_out.hit_at_3:.3f}  MRR {self.held_out.mrr:.3f})  "
            f"off-topic answered {len(self.answered_off_topic)}"
        )


def ranked_ids(client: TestClient, question: str) -> list[str]:
    params = {"q": question, "k": RANK_DEPTH, "max_chars": 8000, "min_certainty": "very_low"}
    response = client.get("/v1/snippets", params=params)
    assert response.status_code == 200, response.text
    return [item["claim_id"] for item in response.json()["items"]]


def ranks(client: TestClient, items: list[dict[str, Any]]) -> Ranks:
    hits, reciprocal, misses = 0, 0.0, []
    for item in items:
        ranked = ranked_ids(client, item["q"])
        first = next((rank for rank, claim_id in enumerate(ranked, 1) if claim_id in item["accept"]), None)
        hits += first is not None and first <= 3
        reciprocal += 1 / first if first else 0.0
        if first is None or first > 3:
            misses.append((item["q"], ranked[:3]))
    return Ranks(hits / len(items), reciprocal / len(items), misses)


def measure(client: TestClient) -> Quality:
    """Rank of the first acceptable claim per answerable question; any item at all for off-topic ones."""
    questions = question_set()
    off_topic = [q for q in questions["off_topic"] if ranked_ids(client, q)]
    return Quality(ranks(client, questions["answerable"]), ranks(client, questions["held_out"]), off_topic)
