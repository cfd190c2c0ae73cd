import pytest

from app.domain.quotes import QuoteError, locate_quote
from app.models.claim import Locator

TEXT = "Ketamine is a dissociative anesthetic. It acts fast “within hours”."


@pytest.mark.parametrize(
    ("quote", "locator", "expected"),
    [
        ("dissociative anesthetic", None, (14, 37)),
        ("“within hours”", None, (52, 66)),
        ("Ketamine", Locator(start=0, end=8), (0, 8)),
        ("It acts fast", Locator(start=39, end=51), (39, 51)),
    ],
)
def test_quote_found_or_confirmed(quote, locator, expected):
    found = locate_quote(TEXT, quote, locator)
    assert (found.start, found.end) == expected
    assert TEXT[found.start : found.end] == quote


@pytest.mark.parametrize(
    ("quote", "locator", "message"),
    [
        ("Ketamine is an anesthetic", None, "does not occur"),
        ("dissociative", Locator(start=0, end=12), "it occurs at {start: 14, end: 26}"),
        ("Ketamine ", Locator(start=0, end=8), "not the quote"),
        ("rapid", Locator(start=0, end=5), "not the quote"),
    ],
)
def test_quote_mismatch_says_where(quote, locator, message):
    with pytest.raises(QuoteError, match=message.replace("{", r"\{").replace("}", r"\}")):
        locate_quote(TEXT, quote, locator)
