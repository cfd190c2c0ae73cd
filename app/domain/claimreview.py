"""schema.org ClaimReview JSON-LD: our verdict on a claim of the material, as fact-check readers expect it.

reviewRating.ratingValue places each verdict on a 1-5 scale (worstRating 1, bestRating 5):
5 supported, 4 partly supported, 3 unsupported (no adequate evidence either way),
2 misleading (true words, false impression), 1 contradicted. alternateName carries the verdict.
"""

from collections.abc import Mapping
from typing import Any

from app.domain.citations import source_link

JSON_LD_MEDIA_TYPE = "application/ld+json"
SCHEMA_ORG = "https://schema.org"
BEST_RATING, WORST_RATING = 5, 1
RATING_VALUES = {"supported": 5, "partly-supported": 4, "unsupported": 3, "misleading": 2, "contradicted": 1}


def claim_review(
    claim: Mapping[str, Any],
    sources: Mapping[str, Mapping[str, Any]],
    *,
    verdict_label: str,
    base_url: str,
    publisher: str,
) -> dict[str, Any]:
    """One ClaimReview (without @context) of a vetted claim; sources by id give the material's details."""
    url = f"{base_url}/v1/claims/{claim['id']}"
    return {
        "@type": "ClaimReview",
        "@id": url,
        "url": url,
        "claimReviewed": claim["statement"],
        "reviewBody": claim["assessment"],
        "itemReviewed": _claim(claim, sources),
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": RATING_VALUES[claim["verdict"]],
            "bestRating": BEST_RATING,
            "worstRating": WORST_RATING,
            "alternateName": verdict_label,
            "ratingExplanation": claim["certainty"]["note"],
        },
        "author": {"@type": "Organization", "name": publisher, "url": base_url},
        "datePublished": (claim.get("reviewed_at") or claim["updated_at"])[:10],
        "dateModified": claim["updated_at"][:10],
    }


def _claim(claim: Mapping[str, Any], sources: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The claim as it appears in the material: the quoted passage, and the work it appears in."""
    stated = [citation for citation in claim["citations"] if citation["relation"] == "states"]
    item: dict[str, Any] = {"@type": "Claim", "text": " … ".join(citation["quote"] for citation in stated)}
    appearances = []
    for source_id in dict.fromkeys(citation["source_id"] for citation in stated):
        source = sources.get(source_id)
        if source is None:
            continue
        work: dict[str, Any] = {"@type": "CreativeWork", "name": source["title"]}
        link = source_link(source)
        if link:
            work["url"] = link
        appearances.append(work)
    if appearances:
        item["appearance"] = appearances
    return item
