"""Fitting ranked snippets into a chatbot's character budget without cutting mid-word."""

import re

ELLIPSIS = "…"
MIN_USEFUL_CHARS = 60  # below this a cut snippet says too little to be worth showing
_SENTENCE_END = re.compile(r"[.!?](?=\s)")


def shorten(text: str, limit: int) -> str:
    """`text` if it fits, else its longest prefix ending at a sentence or word boundary, plus '…'."""
    if len(text) <= limit:
        return text
    room = text[: limit - len(ELLIPSIS) - 1]
    sentence_ends = [match.end() for match in _SENTENCE_END.finditer(room + " ")]
    if sentence_ends and sentence_ends[-1] >= limit // 2:
        return room[: sentence_ends[-1]] + " " + ELLIPSIS
    space = room.rfind(" ")
    cut = room[:space] if space > 0 else room
    return cut.rstrip(" ,;:\u2013-") + ELLIPSIS


def fit(texts: list[str], max_chars: int) -> list[str]:
    """Take texts in rank order while the running total stays within `max_chars`."""
    fitted: list[str] = []
    remaining = max_chars
    for text in texts:
        if remaining < min(len(text), MIN_USEFUL_CHARS):
            break
        fitted.append(shorten(text, remaining))
        remaining -= len(fitted[-1])
    return fitted
