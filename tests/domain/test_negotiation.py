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


def test_a_remembered_choice_is_the_callers_own_to_change():
    accept = 'text/x-bibliography; style="apa"'
    first = negotiate(accept, OFFERED)
    first[1]["style"] = "changed by the caller"
    assert negotiate(accept, OFFERED) == ("text/x-bibliography", {"style": "apa"})


@pytest.mark.parametrize("accept", ["application/xml", "application/xml, " + "text/html;q=0.1, " * 40])
def test_a_refusal_is_made_again_each_time(accept):
    for _ in range(2):
        with pytest.raises(NotAcceptable):
            negotiate(accept, OFFERED)


def test_a_long_accept_value_is_chosen_from_as_a_short_one():
    long_accept = "application/x-bibtex, " + ", ".join(f"image/x-{n};q=0.1" for n in range(60))
    assert len(long_accept) > 256
    assert negotiate(long_accept, OFFERED) == ("application/x-bibtex", {})
    assert negotiate(long_accept, ["text/x-bibliography", "application/x-bibtex"])[0] == "application/x-bibtex"
