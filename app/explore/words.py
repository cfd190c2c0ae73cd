"""What each coded value means, in the words a reader sees on the explorer's pages."""

from app.domain.references import ReferenceFormat
from app.models.claim import CertaintyLevel, Downgrade, Relation, Verdict
from app.models.source import Rating, SourceKind

VERDICTS: dict[str, tuple[str, str]] = {
    Verdict.supported: ("Supported", "The published evidence agrees with the claim as the article states it."),
    Verdict.partly_supported: (
        "Partly supported",
        "Part of the claim holds and part does not, or it holds only for some people or products, "
        "or it leaves out a qualification a reader needs.",
    ),
    Verdict.contradicted: ("Contradicted", "Good evidence shows the opposite of what the article says."),
    Verdict.unsupported: (
        "Unsupported",
        "No adequate evidence was found either way; the claim may be a metaphor or speculation.",
    ),
    Verdict.misleading: (
        "Misleading",
        "The words may be close to a real finding, but the impression they leave is false.",
    ),
}

CERTAINTY: dict[str, tuple[str, str, int]] = {
    CertaintyLevel.high: (
        "High",
        "The evidence very likely shows the true picture; further research is unlikely to change it.",
        4,
    ),
    CertaintyLevel.moderate: (
        "Moderate",
        "The evidence probably shows the true picture, but further research could change it.",
        3,
    ),
    CertaintyLevel.low: (
        "Low",
        "Confidence is limited: the true picture may be quite different from what the evidence suggests.",
        2,
    ),
    CertaintyLevel.very_low: (
        "Very low",
        "Very little confidence: the true picture is likely to differ; treat the finding as preliminary.",
        1,
    ),
}

DOWNGRADES: dict[str, tuple[str, str]] = {
    Downgrade.risk_of_bias: (
        "Risk of bias",
        "How the studies were run (no blinding, no control group, many drop-outs) may have skewed their results.",
    ),
    Downgrade.inconsistency: ("Inconsistency", "Studies or lines of research disagree with each other."),
    Downgrade.indirectness: (
        "Indirectness",
        "The evidence is about a different population, product, dose or outcome than the claim.",
    ),
    Downgrade.imprecision: (
        "Imprecision",
        "Few or small studies, or confidence intervals so wide that they include no effect at all.",
    ),
    Downgrade.publication_bias: (
        "Publication bias",
        "There are signs that studies with unfavourable results went unpublished.",
    ),
}

RELATIONS: dict[str, tuple[str, str]] = {
    Relation.states: ("States", "the article makes the claim here"),
    Relation.supports: ("Supports", "this source backs the claim"),
    Relation.qualifies: ("Qualifies", "this source adds a limit or a condition"),
    Relation.contradicts: ("Contradicts", "this source goes against the claim"),
}

SOURCE_KINDS: dict[str, str] = {
    SourceKind.material: "The article under review",
    SourceKind.journal_article: "Journal article",
    SourceKind.review: "Review",
    SourceKind.meta_analysis: "Meta-analysis",
    SourceKind.trial: "Trial",
    SourceKind.regulatory: "Regulatory document",
    SourceKind.drug_label: "Drug label",
    SourceKind.web_page: "Web page",
}

RELIABILITY: dict[str, str] = {Rating.high: "High", Rating.moderate: "Moderate", Rating.low: "Low"}

PICO: tuple[tuple[str, str], ...] = (
    ("population", "Population"),
    ("intervention", "Intervention"),
    ("comparator", "Comparator"),
    ("outcome", "Outcome"),
)

REFERENCE_FORMATS: dict[str, str] = {
    ReferenceFormat.apa: "APA",
    ReferenceFormat.vancouver: "Vancouver",
    ReferenceFormat.bibtex: "BibTeX",
    ReferenceFormat.ris: "RIS",
    ReferenceFormat.csl_json: "CSL-JSON",
}

EXPORT_FORMATS: dict[str, str] = {
    "bibtex": "BibTeX references",
    "ris": "RIS references",
    "csl-json": "CSL-JSON references",
    "fhir": "FHIR R5 Evidence",
    "claimreview": "schema.org ClaimReview",
    "jsonl": "JSON Lines",
    "csv": "CSV",
}
