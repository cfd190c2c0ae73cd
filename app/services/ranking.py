"""Ranking a chatbot's question against every claim."""

from dataclasses import dataclass, field

from sqlalchemy.engine import Connection

from app.domain.query import Query
from app.services.corpus import WordGroupFrequencies
from app.services.search import TextSearch

COMMON_SHARE = 0.5  # a word group in more than this share of claims ranks nothing in a question
RANKED_CANDIDATES = 500  # best text matches ranked per question; bounds work when words are everywhere


def without_common_words(query: Query, claims: int, containing: list[int]) -> Query:
    """Drop word groups found in most claims from a question ("ketamine" in a ketamine dataset).

    They barely move a ranking yet make the engine score nearly every claim; a cut-off by
    document frequency, as search engines use for common terms. A question made only of
    common words keeps them all.
    """
    if len(query.required) < 2:
        return query
    rare = [group for group, count in zip(query.required, containing, strict=True) if count <= COMMON_SHARE * claims]
    return Query(required=rare, excluded=query.excluded) if rare else query


@dataclass
class QuestionRanker:
    """Scores claims for a question; built once per app, holding what it learns about the corpus."""

    text_search: TextSearch
    frequencies: WordGroupFrequencies = field(init=False)

    def __post_init__(self) -> None:
        self.frequencies = WordGroupFrequencies(self.text_search)

    def rank(self, conn: Connection, query: Query) -> list[tuple[str, float]]:
        """(claim_id, score), best first: word groups found in what a claim is about, then text rank."""
        claims, containing = self.frequencies.counts(conn, query.required)
        question = without_common_words(query, claims, containing)
        matches = self.text_search.question_matches(conn, question, limit=RANKED_CANDIDATES)
        coverage_counts = len(question.required) > 1
        scored = [
            (match.claim_id, sum(match.about) * coverage_counts + match.text_rank / (1.0 + match.text_rank))
            for match in matches
        ]
        return sorted(scored, key=lambda item: (-item[1], item[0]))
