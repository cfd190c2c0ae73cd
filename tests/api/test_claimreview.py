"""schema.org ClaimReview JSON-LD, expanded by pyld against a schema.org context built offline."""

import pytest
from pyld import jsonld
from rdflib.namespace import SDO

from app.services.facets import FIXED_LABELS
from tests.helpers import vetted

# The documented scale: verdict -> ratingValue between worstRating 1 and bestRating 5.
SCALE = {"supported": 5, "partly-supported": 4, "unsupported": 3, "misleading": 2, "contradicted": 1}
SCHEMA = "https://schema.org/"
# Every schema.org term (rdflib's vocabulary, independent of our code) and no @vocab: an unknown
# term would be dropped by expansion, so "nothing dropped" means every key we emit is schema.org.
CONTEXT = {
    "@context": {
        **{term: f"{SCHEMA}{term}" for term in SDO.__annotations__},
        "url": {"@id": f"{SCHEMA}url", "@type": "@id"},
    }
}


def offline_loader(url: str, options: dict | None = None) -> dict:
    if url.rstrip("/") not in ("https://schema.org", "http://schema.org"):
        raise AssertionError(f"no network in tests: {url}")
    return {"contextUrl": None, "documentUrl": url, "document": CONTEXT}


def expanded(document: dict) -> list:
    return jsonld.expand(document, {"documentLoader": offline_loader})


def leaves(node, *, expanded_form: bool = False) -> int:
    """Count literal values and references: what an expansion must keep, one for one."""
    if isinstance(node, list):
        return sum(leaves(item, expanded_form=expanded_form) for item in node)
    if not isinstance(node, dict):
        return 1
    if expanded_form and ("@value" in node or set(node) == {"@id"}):
        return 1
    return sum(
        leaves(value, expanded_form=expanded_form) for key, value in node.items() if key not in ("@context", "@type")
    )


def value(node: dict, term: str):
    (item,) = node[f"{SCHEMA}{term}"]
    return item.get("@value", item.get("@id", item))


@pytest.fixture(scope="module")
def graph(client):
    response = client.get("/v1/export?format=claimreview")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/ld+json"
    return response.json()


def test_export_expands_without_loss(graph, bundled):
    assert graph["@context"] == "https://schema.org"
    assert len(graph["@graph"]) == len(vetted(bundled))
    for review in graph["@graph"]:
        single = {"@context": graph["@context"], **review}
        (node,) = expanded(single)
        assert leaves(node, expanded_form=True) == leaves(single)
        assert node["@type"] == [f"{SCHEMA}ClaimReview"]


def test_reviews_carry_the_claim_verdict_and_scale(graph, bundled, client):
    reviews = {review["url"].rsplit("/", 1)[1]: review for review in graph["@graph"]}
    material = {source.id: source for source in bundled.sources if source.kind == "material"}
    for claim in vetted(bundled):
        (node,) = expanded({"@context": graph["@context"], **reviews[claim.id]})
        assert value(node, "claimReviewed") == claim.statement
        assert value(node, "url").endswith(f"/v1/claims/{claim.id}")
        (rating,) = node[f"{SCHEMA}reviewRating"]
        assert rating["@type"] == [f"{SCHEMA}Rating"]
        assert value(rating, "alternateName") == FIXED_LABELS[claim.verdict]
        assert value(rating, "ratingValue") == SCALE[claim.verdict]
        assert (value(rating, "worstRating"), value(rating, "bestRating")) == (1, 5)
        (item,) = node[f"{SCHEMA}itemReviewed"]
        assert item["@type"] == [f"{SCHEMA}Claim"]
        stated = [c for c in claim.citations if c.relation == "states"]
        assert value(item, "text") == " … ".join(c.quote for c in stated)
        appearances = item[f"{SCHEMA}appearance"]
        assert [value(a, "name") for a in appearances] == [material[c.source_id].title for c in stated][:1]
        (author,) = node[f"{SCHEMA}author"]
        assert value(author, "name") == "Ketamine Evidence API"
        assert value(node, "datePublished")[:4].isdigit()


def test_claim_as_claimreview_by_accept(client, bundled, graph):
    claim = vetted(bundled)[0]
    response = client.get(f"/v1/claims/{claim.id}", headers={"Accept": "application/ld+json"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/ld+json"
    assert "Accept" in response.headers["vary"]
    single = response.json()
    in_export = next(review for review in graph["@graph"] if review["url"].endswith(f"/{claim.id}"))
    assert single == {"@context": "https://schema.org", **in_export}
    (node,) = expanded(single)
    assert leaves(node, expanded_form=True) == leaves(single)
