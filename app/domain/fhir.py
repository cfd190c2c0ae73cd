"""HL7 FHIR R5 resources for our records: Citation per source, Evidence and ArtifactAssessment per claim."""

import uuid
from collections.abc import Mapping
from typing import Any

from app.domain.citations import source_link

FHIR_MEDIA_TYPE = "application/fhir+json"
CERTAINTY_TYPE = "http://hl7.org/fhir/certainty-type"
CERTAINTY_RATING = "http://hl7.org/fhir/certainty-rating"
DOI_SYSTEM = "https://doi.org"
PMID_SYSTEM = "https://pubmed.ncbi.nlm.nih.gov"
VARIABLE_ROLE = "http://terminology.hl7.org/CodeSystem/variable-role"

_RATINGS = {"high": "high", "moderate": "moderate", "low": "low", "very_low": "very-low"}
_DOWNGRADES = {
    "risk_of_bias": ("RiskOfBias", "Risk of bias"),
    "inconsistency": ("Inconsistency", "Inconsistency"),
    "indirectness": ("Indirectness", "Indirectness"),
    "imprecision": ("Imprecision", "Imprecision"),
    "publication_bias": ("PublicationBias", "Publication bias"),
}
# How the Evidence relates to each cited artifact (related-artifact-type); the exact relation is its classifier.
_ARTIFACT_TYPES = {"states": "comments-on", "supports": "supported-with", "qualifies": "cites", "contradicts": "cites"}
# PICO as Evidence variables; a claim rated for no particular outcome has its assertion as the one variable.
_PICO_ROLES = {
    "population": "population",
    "intervention": "exposure",
    "comparator": "referenceExposure",
    "outcome": "measuredVariable",
}
_PUBLICATION_STATUS = {"vetted": "active", "draft": "draft", "retracted": "retired"}
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "ketamine-evidence/fhir")


def full_url(resource_type: str, resource_id: str) -> str:
    """The stable urn a resource has in our bundles, and by which the others refer to it."""
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{resource_type}/{resource_id}')}"


def citation_resource(source: Mapping[str, Any], *, base_url: str) -> dict[str, Any]:
    """A Citation of one source: identifiers, title, where and when it was published, authors in order."""
    artifact: dict[str, Any] = {"title": [{"text": source["title"]}]}
    identifiers = [
        {"system": system, "value": source[field]}
        for system, field in ((DOI_SYSTEM, "doi"), (PMID_SYSTEM, "pmid"))
        if source.get(field)
    ]
    if identifiers:
        artifact["identifier"] = identifiers
    if source.get("accessed"):
        artifact["dateAccessed"] = str(source["accessed"])
    link = source_link(source)
    if link:
        artifact["webLocation"] = [{"url": link}]
    artifact["publicationForm"] = [_publication_form(source)]
    artifact["classification"] = [{"classifier": [{"text": source["kind"]}]}]
    authors = source.get("authors") or []
    if authors:
        artifact["contributorship"] = {
            "complete": True,
            "entry": [
                {
                    "contributor": {"display": " ".join(filter(None, (author["family"], author.get("given"))))},
                    **({"forenameInitials": author["given"]} if author.get("given") else {}),
                    "rankingOrder": position,
                }
                for position, author in enumerate(authors, start=1)
            ],
        }
    return {
        "resourceType": "Citation",
        "id": source["id"],
        "url": f"{base_url}/v1/sources/{source['id']}",
        "status": "active",
        "summary": [{"style": {"text": "Vancouver"}, "text": source["citation"]}],
        "citedArtifact": artifact,
    }


def _publication_form(source: Mapping[str, Any]) -> dict[str, Any]:
    published_in: dict[str, Any] = {}
    if source.get("container_title"):
        published_in["title"] = source["container_title"]
    if source.get("publisher"):
        published_in["publisher"] = {"display": source["publisher"]}
    form: dict[str, Any] = {"publishedIn": published_in} if published_in else {}
    form.update({key: source[key] for key in ("volume", "issue") if source.get(key)})
    if source.get("issued"):
        form["articleDate"] = source["issued"]
    if source.get("pages"):
        form["pageString"] = source["pages"]
        first, _, last = source["pages"].partition("-")
        form["firstPage"] = first
        if last:
            form["lastPage"] = last
    return form


def evidence_resource(
    claim: Mapping[str, Any], sources: Mapping[str, Mapping[str, Any]], *, base_url: str
) -> dict[str, Any]:
    """The claim as Evidence: its statement asserted, our assessment, GRADE certainty, and the cited artifacts."""
    certainty = claim["certainty"]
    overall: dict[str, Any] = {
        "description": certainty["note"],
        "type": _concept(CERTAINTY_TYPE, "Overall", "Overall certainty"),
        "rating": _concept(CERTAINTY_RATING, _RATINGS[certainty["level"]]),
    }
    if certainty["downgrades"]:
        overall["subcomponent"] = [
            {
                "type": _concept(CERTAINTY_TYPE, *_DOWNGRADES[downgrade]),
                "rating": _concept(CERTAINTY_RATING, "downcode1", "reduce rating: -1"),
            }
            for downgrade in certainty["downgrades"]
        ]
    resource: dict[str, Any] = {
        "resourceType": "Evidence",
        "id": claim["id"],
        "url": f"{base_url}/v1/claims/{claim['id']}",
        "version": str(claim["version"]),
        "status": _PUBLICATION_STATUS[claim["status"]],
        "date": claim["updated_at"],
        "description": claim["assessment"],
        "assertion": claim["statement"],
        "variableDefinition": _variables(claim),
        "certainty": [overall],
        "relatedArtifact": [_related(citation, sources.get(citation["source_id"])) for citation in claim["citations"]],
    }
    if claim.get("reviewed_at"):
        resource["lastReviewDate"] = claim["reviewed_at"][:10]
    return resource


def _variables(claim: Mapping[str, Any]) -> list[dict[str, Any]]:
    pico = claim.get("pico") or {"outcome": claim["statement"]}
    return [
        {"description": pico[part], "variableRole": _concept(VARIABLE_ROLE, role)}
        for part, role in _PICO_ROLES.items()
        if part in pico
    ]


def _related(citation: Mapping[str, Any], source: Mapping[str, Any] | None) -> dict[str, Any]:
    related: dict[str, Any] = {
        "type": _ARTIFACT_TYPES[citation["relation"]],
        "classifier": [{"text": citation["relation"]}],
        "label": citation["relation"],
        "resourceReference": {"reference": full_url("Citation", citation["source_id"])},
    }
    if source is not None:
        related["display"] = source["title"]
        related["citation"] = source["citation"]
        related["resourceReference"]["display"] = source["title"]
        link = source_link(source)
        if link:
            related["document"] = {"url": link}
    return related


def assessment_resource(claim: Mapping[str, Any], *, verdict_label: str) -> dict[str, Any]:
    """Our verdict on the claim's Evidence, with its review status."""
    resource: dict[str, Any] = {
        "resourceType": "ArtifactAssessment",
        "id": claim["id"],
        "artifactReference": {"reference": full_url("Evidence", claim["id"])},
        "date": claim["updated_at"],
        "workflowStatus": "published",  # only vetted claims are public: reviewed and published
        "content": [
            {
                "informationType": "classifier",
                "summary": claim["assessment"],
                "classifier": [{"text": verdict_label}],
                "type": {"text": f"verdict: {claim['verdict']}"},
            }
        ],
    }
    if claim.get("reviewed_at"):
        resource["lastReviewDate"] = claim["reviewed_at"][:10]
    return resource


def _concept(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding = {"system": system, "code": code, **({"display": display} if display else {})}
    return {"coding": [coding]}
