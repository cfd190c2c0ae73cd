"""FHIR R5: the export Bundle and a claim's Evidence, validated by fhir.resources and checked field by field."""

from fhir.resources import get_fhir_model_class
from fhir.resources.bundle import Bundle

from app.services.facets import FIXED_LABELS
from tests.helpers import assert_problem, vetted
from tests.references import cited_by_vetted

RATINGS = {"high": "high", "moderate": "moderate", "low": "low", "very_low": "very-low"}
ARTIFACT_TYPES = {"states": "comments-on", "supports": "supported-with", "qualifies": "cites", "contradicts": "cites"}


def certainty_type(downgrade: str) -> str:
    """GRADE's domain as the certainty-type code names it: risk_of_bias -> RiskOfBias."""
    return "".join(word.capitalize() for word in downgrade.split("_"))


def validated(resource: dict) -> dict:
    """The resource as its R5 model reads and writes it back: validation that loses nothing."""
    model = get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    assert model.model_dump(mode="json", exclude_none=True) == resource
    return resource


def bundle(client, query: str = "") -> dict:
    response = client.get(f"/v1/export?format=fhir{query}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/fhir+json"
    body = response.json()
    Bundle.model_validate(body)
    assert body["resourceType"] == "Bundle" and body["type"] == "collection"
    return body


def by_type(body: dict) -> dict[str, dict[str, dict]]:
    found: dict[str, dict[str, dict]] = {}
    for entry in body["entry"]:
        resource = validated(entry["resource"])
        found.setdefault(resource["resourceType"], {})[resource["id"]] = entry
    return found


def coding(concept: dict) -> tuple[str, str]:
    (code,) = concept["coding"]
    return code["system"], code["code"]


def test_bundle_holds_a_citation_per_cited_source(client, bundled):
    citations = by_type(bundle(client))["Citation"]
    assert set(citations) == cited_by_vetted(bundled)
    for source in bundled.sources:
        if source.id not in citations:
            continue
        artifact = citations[source.id]["resource"]["citedArtifact"]
        assert artifact["title"] == [{"text": source.title}]
        identifiers = {i["system"]: i["value"] for i in artifact.get("identifier", [])}
        assert identifiers.get("https://doi.org") == source.doi
        assert identifiers.get("https://pubmed.ncbi.nlm.nih.gov") == source.pmid
        authors = artifact.get("contributorship", {}).get("entry", [])
        assert [entry["contributor"]["display"].split()[0] for entry in authors] == [a.family for a in source.authors]
        assert [entry["rankingOrder"] for entry in authors] == list(range(1, len(source.authors) + 1))
        (form,) = artifact["publicationForm"]
        assert form.get("publishedIn", {}).get("title") == source.container_title
        assert form.get("volume") == source.volume and form.get("issue") == source.issue
        assert form.get("pageString") == source.pages and form.get("articleDate") == source.issued
        assert artifact["classification"][0]["classifier"] == [{"text": source.kind.value}]


def test_bundle_holds_evidence_and_assessment_per_vetted_claim(client, bundled):
    found = by_type(bundle(client))
    claims = vetted(bundled)
    assert set(found["Evidence"]) == set(found["ArtifactAssessment"]) == {claim.id for claim in claims}
    citation_urls = {entry["fullUrl"]: source_id for source_id, entry in found["Citation"].items()}
    for claim in claims:
        evidence = found["Evidence"][claim.id]["resource"]
        assert evidence["assertion"] == claim.statement
        assert evidence["description"] == claim.assessment
        assert evidence["status"] == "active"
        roles = {coding(v["variableRole"])[1]: v["description"] for v in evidence["variableDefinition"]}
        pico = claim.pico
        expected = (
            {"population": pico.population, "exposure": pico.intervention}
            | {"referenceExposure": pico.comparator, "measuredVariable": pico.outcome}
            if pico
            else {"measuredVariable": claim.statement}
        )
        assert roles == expected
        (certainty,) = evidence["certainty"]
        assert coding(certainty["type"]) == ("http://hl7.org/fhir/certainty-type", "Overall")
        assert coding(certainty["rating"]) == ("http://hl7.org/fhir/certainty-rating", RATINGS[claim.certainty.level])
        assert certainty["description"] == claim.certainty.note
        subcomponents = certainty.get("subcomponent", [])
        assert [coding(s["type"])[1] for s in subcomponents] == [certainty_type(d) for d in claim.certainty.downgrades]
        assert all(coding(s["rating"])[1] == "downcode1" for s in subcomponents)
        related = evidence["relatedArtifact"]
        assert len(related) == len(claim.citations)
        for artifact, citation in zip(related, claim.citations, strict=True):
            assert artifact["type"] == ARTIFACT_TYPES[citation.relation]
            assert artifact["classifier"] == [{"text": citation.relation}]
            assert citation_urls[artifact["resourceReference"]["reference"]] == citation.source_id
        assessment = found["ArtifactAssessment"][claim.id]["resource"]
        assert assessment["artifactReference"]["reference"] == found["Evidence"][claim.id]["fullUrl"]
        assert assessment["workflowStatus"] == "published"
        (content,) = assessment["content"]
        assert content["classifier"] == [{"text": FIXED_LABELS[claim.verdict]}]
        assert content["summary"] == claim.assessment


def test_bundle_filtered_by_topic(client, bundled):
    topic = vetted(bundled)[0].topic
    found = by_type(bundle(client, f"&topic={topic}"))
    assert set(found["Evidence"]) == {claim.id for claim in vetted(bundled) if claim.topic == topic}
    assert set(found["Citation"]) == cited_by_vetted(bundled, topic=topic)


def test_claim_as_evidence_by_accept(client, bundled):
    claim = vetted(bundled)[0]
    response = client.get(f"/v1/claims/{claim.id}", headers={"Accept": "application/fhir+json"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/fhir+json"
    assert "Accept" in response.headers["vary"]
    evidence = validated(response.json())
    in_bundle = by_type(bundle(client, f"&claim={claim.id}"))["Evidence"][claim.id]["resource"]
    assert evidence == in_bundle
    plain = client.get(f"/v1/claims/{claim.id}")
    assert plain.headers["content-type"] == "application/json" and plain.json()["id"] == claim.id
    assert response.headers["etag"] != plain.headers["etag"]
    again = client.get(
        f"/v1/claims/{claim.id}", headers={"Accept": "application/fhir+json", "If-None-Match": response.headers["etag"]}
    )
    assert again.status_code == 304
    assert_problem(client.get(f"/v1/claims/{claim.id}", headers={"Accept": "text/csv"}), 406, "not-acceptable")


def test_source_as_citation_by_accept(client, bundled):
    cited = sorted(cited_by_vetted(bundled))
    for source_id in cited:
        response = client.get(f"/v1/sources/{source_id}", headers={"Accept": "application/fhir+json"})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/fhir+json"
        assert "Accept" in response.headers["vary"]
        in_bundle = by_type(bundle(client))["Citation"][source_id]["resource"]
        assert validated(response.json()) == in_bundle
