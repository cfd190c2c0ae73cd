"""Synthetic claims and questions drawn from one Zipf-distributed vocabulary.

The vocabulary is the bundled dataset's own words, ranked by how often they occur there,
padded with pronounceable made-up words to the requested size (8,000 by default). Word
frequencies follow Zipf's law over those ranks, as in natural text: a few words are in nearly
every claim, most are rare. Every text field (statement, assessment, snippet, certainty note,
citation notes, PICO) is freshly drawn, so no sentence repeats across claims and a question
matches what its words' frequencies say it should. Quotes into the material are the bundled
claims' real quotes, so the claims pass the same checks as curated ones. Nothing here is
evidence: every id starts with "synthetic-".
"""

import itertools
import random
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from app.dataset import Dataset
from app.models.claim import (
    SNIPPET_MAX_CHARS,
    Certainty,
    CertaintyLevel,
    CitationIn,
    ClaimIn,
    ClaimStatus,
    Downgrade,
    Pico,
    Relation,
    Verdict,
)
from app.models.source import SourceKind

WORD = re.compile(r"[a-z]+")
SYLLABLE_ONSETS = "b c d f g h j k l m n p r s t v w z br cl dr fl gr pl pr sk st tr".split()
SYLLABLE_VOWELS = "a e i o u ai ea io ou".split()
SYLLABLE_CODAS = ["", "", "", "n", "r", "s", "l", "m", "x", "nd", "st"]
TAGS = [f"tag-{n:03d}" for n in range(200)]
LITERATURE_RELATIONS = [Relation.supports, Relation.qualifies, Relation.contradicts]


class Vocabulary:
    """Words ranked by frequency, sampled with Zipf weights 1 / rank**exponent."""

    def __init__(self, words: list[str], exponent: float = 1.0) -> None:
        self.words = words
        self.weights = list(itertools.accumulate(1 / rank**exponent for rank in range(1, len(words) + 1)))

    @classmethod
    def from_texts(cls, texts: list[str], size: int, seed: int = 1) -> "Vocabulary":
        counts = Counter(WORD.findall(" ".join(texts).lower()))
        real = [word for word, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))][:size]
        rng = random.Random(seed)
        known = set(real)
        invented: list[str] = []
        while len(real) + len(invented) < size:
            word = "".join(
                rng.choice(SYLLABLE_ONSETS) + rng.choice(SYLLABLE_VOWELS) + rng.choice(SYLLABLE_CODAS)
                for _ in range(rng.randint(2, 3))
            )
            if word not in known:
                known.add(word)
                invented.append(word)
        rng.shuffle(invented)  # made-up words take the rare ranks, in no particular order
        return cls(real + invented)

    def sample(self, rng: random.Random, count: int, *, lowest_rank: int = 0) -> list[str]:
        """`count` words by Zipf frequency, leaving out the `lowest_rank` most frequent ones."""
        if lowest_rank == 0:
            return rng.choices(self.words, cum_weights=self.weights, k=count)
        base = self.weights[lowest_rank - 1]
        cumulative = [weight - base for weight in self.weights[lowest_rank:]]
        return rng.choices(self.words[lowest_rank:], cum_weights=cumulative, k=count)

    def sentence(self, rng: random.Random, low: int, high: int) -> str:
        words = self.sample(rng, rng.randint(low, high))
        return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def bundled_texts(dataset: Dataset) -> list[str]:
    """The words of the bundled data: source texts, claims and their notes."""
    texts = [source.text or "" for source in dataset.sources] + [source.title for source in dataset.sources]
    for claim in dataset.claims:
        texts += [claim.statement, claim.assessment, claim.snippet, claim.certainty.note]
        texts += [citation.note for citation in claim.citations]
    return texts


@dataclass
class ClaimFactory:
    """Makes synthetic claims that pass the dataset's checks against the bundled sources."""

    dataset: Dataset
    vocabulary: Vocabulary
    rng: random.Random

    def __post_init__(self) -> None:
        self.quotes = [c for claim in self.dataset.claims for c in claim.citations if c.relation == Relation.states]
        self.literature = [s.id for s in self.dataset.sources if s.kind != SourceKind.material]
        self.topics = [topic.id for topic in self.dataset.topics]

    def _text(self, sentences: int, low: int = 10, high: int = 24) -> str:
        return " ".join(self.vocabulary.sentence(self.rng, low, high) for _ in range(sentences))

    def claim(self, number: int) -> ClaimIn:
        rng = self.rng
        stated = rng.choice(self.quotes)
        cited = [
            CitationIn(
                source_id=stated.source_id,
                relation=Relation.states,
                quote=stated.quote,
                locator=stated.locator,
                note=self._text(1, 6, 16),
            ),
        ] + [
            CitationIn(source_id=source, relation=rng.choice(LITERATURE_RELATIONS), note=self._text(1, 8, 22))
            for source in rng.sample(self.literature, rng.randint(1, 3))
        ]
        level = rng.choice(list(CertaintyLevel))
        downgrades = [] if level == CertaintyLevel.high else rng.sample(list(Downgrade), rng.randint(1, 2))
        pico = None
        if rng.random() < 0.5:
            pico = Pico(**{part: self._text(1, 3, 7).rstrip(".") for part in Pico.model_fields})
        return ClaimIn(
            id=f"synthetic-{number:07d}",
            topic=rng.choice(self.topics),
            tags=rng.sample(TAGS, rng.randint(0, 3)),
            statement=self._text(1, 12, 28),
            assessment=self._text(rng.randint(2, 4)),
            verdict=rng.choice([v for v in Verdict if v != Verdict.unsupported]),
            certainty=Certainty(level=level, note=self._text(1, 12, 26), downgrades=downgrades),
            pico=pico,
            snippet=_cut(self._text(3), SNIPPET_MAX_CHARS),
            citations=cited,
            status=ClaimStatus.vetted if rng.random() < 0.95 else ClaimStatus.draft,
        )

    def claims(self, count: int) -> Iterator[ClaimIn]:
        return (self.claim(number) for number in range(count))


def _cut(text: str, limit: int) -> str:
    """At most `limit` characters, ending at a word."""
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0]


def questions(vocabulary: Vocabulary, rng: random.Random, count: int, low: int, high: int) -> list[str]:
    """Distinct questions of `low` to `high` words, as people type them: frequent words are frequent."""
    found: dict[str, None] = {}
    while len(found) < count:
        words = vocabulary.sample(rng, rng.randint(low, high), lowest_rank=20)  # not "the", "of", "and"
        found[" ".join(dict.fromkeys(words))] = None
    return list(found)


def dataset_root() -> Path:
    return Path(__file__).resolve().parents[2] / "data"
