"""Accept negotiation as RFC 9110 reads it: weights, specificity, wildcards, parameters."""

import pytest

from app.api.negotiation import negotiate
from app.errors import NotAcceptable

OFFERED = ["application/json", "application/x-bibtex", "text/x-bibliography"]


@pytest.mark.parametrize(
    ("accept", "chosen", "params"),
    [
        (None, "application/json", {}),
        ("", "application/json", {}),
        ("*/*", "application/json", {}),
        ("application/*", "application/json", {}),
        ("application/x-bibtex", "application/x-bibtex", {}),
        ("APPLICATION/X-BIBTEX", "application/x-bibtex", {}),
        ("application/json;q=0.4, application/x-bibtex;q=0.6", "application/x-bibtex", {}),
        ("application/*;q=0.2, application/x-bibtex", "application/x-bibtex", {}),
        ("application/json;q=0, */*", "application/x-bibtex", {}),
        ("text/*", "text/x-bibliography", {}),
        ('text/x-bibliography; style="vancouver"', "text/x-bibliography", {"style": "vancouver"}),
        ("application/x-bibtex;q=oops", "application/x-bibtex", {}),
        ("garbage, application/x-bibtex", "application/x-bibtex", {}),
    ],
)
def test_the_preferred_offer_wins(accept, chosen, params):
    assert negotiate(accept, OFFERED) == (chosen, params)


@pytest.mark.parametrize("accept", ["application/xml", "application/json;q=0", "text/html, image/*", "garbage"])
def test_nothing_acceptable_names_the_offers(accept):
    with pytest.raises(NotAcceptable) as refused:
        negotiate(accept, OFFERED)
    assert all(media_type in refused.value.detail for media_type in OFFERED)
