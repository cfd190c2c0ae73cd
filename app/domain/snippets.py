"""Fitting ranked snippets into a chatbot's character budget without losing what makes them safe.

A snippet is hedged to its certainty ("is uncertain", "remains a hypothesis"); a cut that dropped
that sentence would quote the claim more strongly than the evidence allows. So a cut keeps whole
sentences, hedging ones first, in their own order, and marks each gap with '…'. A sentence is
only ever cut inside when none fits whole, and then never after a number whose sentence is left
unfinished ("61% to 75% of patients in…").
"""

import re

ELLIPSIS = "…"
MIN_USEFUL_CHARS = 60  # below this a cut snippet says too little to be worth showing
_DASHES = "\u2013\u2014"
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9'\"(\u2018\u201c])")
_CLAUSE_END = re.compile(rf"[,;:{_DASHES}](?=\s)|\s(?=\()")
_CLAUSE = re.compile(rf"[,;:{_DASHES}(]")
_HEDGE = re.compile(
    r"\b(uncertain\w*|unclear|unknown|not (?:well |yet )?(?:established|known|measured|shown|proven|tested)|"
    r"limited|preliminary|hypothes[ie]s|tentative|may|might|could|likely|suggest\w*|hint\w*|"
    r"small|observational|association\w*|not causes?|metaphor|confidence|remains?)\b",
    re.IGNORECASE,
)


def sentences(text: str) -> list[str]:
    """Sentences of a snippet: split after . ! or ? before a capital, digit or quote, so "55.4%" stays whole."""
    return [part for part in _SENTENCE.split(text.strip()) if part]


def hedges(sentence: str) -> bool:
    """Whether a sentence carries certainty wording that a cut must not drop."""
    return _HEDGE.search(sentence) is not None


def shorten(text: str, limit: int) -> str:
    """`text` if it fits; else the whole sentences that fit, hedging ones first; '' if nothing safe fits."""
    if len(text) <= limit:
        return text
    parts = sentences(text)
    order = sorted(range(len(parts)), key=lambda i: (not hedges(parts[i]), i))
    kept: list[int] = []
    for i in order:
        if len(_joined(parts, sorted([*kept, i]))) <= limit:
            kept.append(i)
    if kept:
        return _joined(parts, sorted(kept))
    return _cut_inside(parts[order[0]], limit)


def _joined(parts: list[str], kept: list[int]) -> str:
    """Kept sentences in their order, '…' where any were left out (between them or after the last)."""
    pieces: list[str] = []
    for position, i in enumerate(kept):
        if position and i != kept[position - 1] + 1:
            pieces.append(ELLIPSIS)
        pieces.append(parts[i])
    if kept[-1] != len(parts) - 1:
        pieces.append(ELLIPSIS)
    return " ".join(pieces)


def _cut_inside(sentence: str, limit: int) -> str:
    """The longest start of `sentence` ending at a clause, or at a word of a clause holding no number."""
    room = sentence[: limit - len(ELLIPSIS)]
    clause_ends = {match.start() for match in _CLAUSE_END.finditer(room)}
    word_ends = {match.start() for match in re.finditer(r"\s", room)}
    for end in sorted(clause_ends | word_ends, reverse=True):
        kept = room[:end].rstrip(f" ,;:{_DASHES}-")
        if len(kept) < MIN_USEFUL_CHARS:
            break
        if end in clause_ends or not any(char.isdigit() for char in _CLAUSE.split(kept)[-1]):
            return kept + ELLIPSIS
    return ""


def fit(texts: list[str], max_chars: int) -> list[str]:
    """Take texts in rank order while the running total stays within `max_chars`."""
    fitted: list[str] = []
    remaining = max_chars
    for text in texts:
        if remaining < min(len(text), MIN_USEFUL_CHARS):
            break
        shortened = shorten(text, remaining)
        if not shortened:
            break
        fitted.append(shortened)
        remaining -= len(shortened)
    return fitted
