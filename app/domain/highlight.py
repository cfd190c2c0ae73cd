"""Cut a text into runs by the quotes that cover them, so a page can mark every quote exactly."""

import heapq
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

_WORD = re.compile(r"\w")
_BREAK = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile('[.!?\u2026]["\u201d\u2019)]?\\s')  # a sentence's end, after any closing quote


@dataclass(frozen=True)
class Span:
    """A quote at checked offsets of the text (end exclusive), known by `key` (its claim)."""

    start: int
    end: int
    key: str


@dataclass(frozen=True)
class Run:
    """A stretch of text covered by the same quotes; `starts`/`ends` name quotes beginning or ending here."""

    text: str
    start: int
    covered_by: tuple[str, ...]
    starts: tuple[str, ...]
    ends: tuple[str, ...]

    @property
    def has_words(self) -> bool:
        return _WORD.search(self.text) is not None


def runs(text: str, spans: Iterable[Span]) -> list[Run]:
    """The whole text as consecutive runs; spans outside the text are ignored, overlaps are allowed.

    A sweep over the span boundaries, so a text quoted by thousands of claims costs n log n.
    """
    ordered = sorted((s for s in spans if 0 <= s.start < s.end <= len(text)), key=lambda s: (s.start, -s.end, s.key))
    cuts = sorted({0, len(text), *(s.start for s in ordered), *(s.end for s in ordered)})
    active: list[tuple[int, int, Span]] = []  # (end, order, span): the quotes open at the current cut
    result: list[Run] = []
    following = 0
    for start, end in itertools.pairwise(cuts):
        starting = []
        while following < len(ordered) and ordered[following].start == start:
            heapq.heappush(active, (ordered[following].end, following, ordered[following]))
            starting.append(ordered[following].key)
            following += 1
        covering = sorted(active, key=lambda item: item[1])
        ending = []
        while active and active[0][0] == end:
            ending.append(heapq.heappop(active)[2])
        result.append(
            Run(
                text=text[start:end],
                start=start,
                covered_by=tuple(item[2].key for item in covering),
                starts=tuple(starting),
                ends=tuple(span.key for span in sorted(ending, key=lambda s: (s.start, s.key))),
            )
        )
    return result


def covered_share(cut: list[Run]) -> float:
    """Share of the non-space characters of a text, cut into runs, that some quote covers, 0 to 1."""
    total = sum(len(run.text) - _spaces(run.text) for run in cut)
    covered = sum(len(run.text) - _spaces(run.text) for run in cut if run.covered_by)
    return covered / total if total else 0.0


def _spaces(text: str) -> int:
    return sum(1 for char in text if char.isspace())


def context(text: str, start: int, end: int, reach: int = 320) -> tuple[int, int]:
    """Bounds of the passage around text[start:end]: its paragraph, cut at sentences past `reach`."""
    before = max((m.end() for m in _BREAK.finditer(text, 0, start)), default=0)
    after = next((m.start() for m in _BREAK.finditer(text, end)), len(text))
    if start - before > reach:
        sentences = [m.end() for m in _SENTENCE_END.finditer(text, start - reach, start)]
        before = sentences[0] if sentences else start - reach
    if after - end > reach:
        sentences = [m.end() - 1 for m in _SENTENCE_END.finditer(text, end, end + reach)]
        after = sentences[-1] if sentences else end + reach
    return before, after
