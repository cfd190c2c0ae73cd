"""Quotes are citations only if they sit verbatim in the text we hold."""

from app.models.claim import Locator


class QuoteError(ValueError):
    """The quote is not where, or not what, the citation says."""


def locate_quote(text: str, quote: str, locator: Locator | None) -> Locator:
    """Return the checked span of `quote` in `text`, finding it when no locator is given."""
    if locator is None:
        start = text.find(quote)
        if start < 0:
            raise QuoteError("quote does not occur in the source text")
        return Locator(start=start, end=start + len(quote))
    found = text[locator.start : locator.end]
    if found != quote:
        hint = text.find(quote)
        where = f"; it occurs at {{start: {hint}, end: {hint + len(quote)}}}" if hint >= 0 else ""
        raise QuoteError(f"text at [{locator.start}:{locator.end}] is {found[:60]!r}, not the quote{where}")
    return locator
