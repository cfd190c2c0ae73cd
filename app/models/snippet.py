"""What /v1/snippets and the MCP search tool return: vetted text a chatbot can quote as is."""

from pydantic import BaseModel, Field

from app.models.claim import CertaintyLevel, Verdict


class SnippetSource(BaseModel):
    id: str
    url: str | None = Field(description="The canonical record: doi.org, PubMed or the agency's page")


class Snippet(BaseModel):
    claim_id: str = Field(description="Full record at /v1/claims/{claim_id}")
    text: str = Field(
        description="Plain-language summary of what the evidence shows, hedged to its certainty; quote it as is. "
        "A text cut to fit max_chars ends with '…' and keeps its hedging sentence."
    )
    certainty: CertaintyLevel = Field(
        description="GRADE certainty of the evidence behind the text: high, moderate, low or very_low"
    )
    confidence_note: str = Field(description="Why the certainty is what it is, for a lay reader")
    material_claim_verdict: Verdict = Field(
        description="Verdict on the claim as the reviewed web article made it, NOT on this text: 'misleading' or "
        "'contradicted' means the article was wrong and `text` says what the evidence shows instead"
    )
    citation: str = Field(description="Short citation of the literature behind the text, ready to show")
    sources: list[SnippetSource]
    score: float = Field(
        ge=0, le=1, description="Relevance to the question, 0 to 1, comparable across questions; higher is closer"
    )


class SnippetAnswer(BaseModel):
    query: str = Field(description="The question as received")
    items: list[Snippet] = Field(description="Best first; empty when the dataset holds no vetted evidence on it")
    hidden_by_min_certainty: int = Field(
        ge=0, description="Relevant claims left out because their certainty is below min_certainty"
    )
    notice: str = Field(description="Show this to the user with any answer built from these items")
