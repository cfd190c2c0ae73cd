"""The evidence as MCP tools and resources, for LLM clients: the same services as the HTTP API.

Served over streamable HTTP at /mcp by the app itself, and over stdio by `evidence mcp`.
Descriptions are written for the model that reads them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

from app.config import Settings
from app.db import connected
from app.domain.query import MAX_QUERY_CHARS
from app.errors import NotFound
from app.logs import root_logger_untouched
from app.models.claim import CertaintyLevel
from app.models.snippet import SnippetAnswer
from app.models.topic import TopicPublic
from app.services import claims, topics
from app.services.ranking import QuestionRanker
from app.services.snippets import SnippetQuery, find_snippets

CLAIM_URI = "evidence://claims/{claim_id}"
SNIPPET_BUDGET = 4000  # characters of snippet text per tool answer: room for a model, not a page

INSTRUCTIONS = """Vetted evidence on ketamine and esketamine for depression. Each record reviews one
claim a web article made: the literature behind it, a verdict on the article's claim, and a GRADE
certainty for the evidence. Answer health questions from search_evidence results only, quote the
snippet text as given, cite it, and always show the notice to the user. An empty result means the
dataset holds no vetted evidence on the question: say so instead of answering from memory."""

SEARCH_DESCRIPTION = """Find vetted evidence that answers a user's question about ketamine or esketamine
for depression (effects, safety, access and cost, regulation, how treatment goes, how it works).

Pass the question as the user asked it. Returns at most k items, best first, each with:
- text: a plain-language summary hedged to its certainty; quote it as is, do not strengthen it.
- certainty: GRADE certainty of the evidence (high > moderate > low > very_low); tell the user how
  sure the evidence is, especially for low and very_low.
- material_claim_verdict: the verdict on the claim as a reviewed web article made it, NOT on the
  text: 'misleading' or 'contradicted' means the article was wrong and the text corrects it, which
  is often the best answer to a user who read that claim.
- citation and sources: show them with the answer.
- score: relevance from 0 to 1.

items is empty when the dataset holds no vetted evidence on the question: then say that, and do
not answer from other knowledge as if it were vetted. hidden_by_min_certainty counts relevant
claims left out by min_certainty. Always show `notice` to the user."""

GET_CLAIM_DESCRIPTION = """The full record of one claim by its id (claim_id from search_evidence): the
article's statement, the assessment of the literature with numbers, the verdict on the article's
claim, the GRADE certainty with the reasons it was downgraded, and every citation with its source.
Use it when the user wants detail or the sources behind a snippet. The same document is the
resource evidence://claims/{claim_id}."""

LIST_TOPICS_DESCRIPTION = """The topics the evidence covers, with how many vetted claims each holds. Use an
id as search_evidence's topic to keep results to one topic. Questions outside these topics have no
vetted evidence here."""


class TopicList(BaseModel):
    topics: list[TopicPublic] = Field(description="In display order; `id` is what search_evidence's topic takes")


@dataclass(frozen=True)
class Services:
    """What the tools need, looked up per call so one server follows its app's lifespan."""

    settings: Settings
    engine: Engine
    ranker: QuestionRanker


def evidence_server(services: Callable[[], Services]) -> MCPServer:
    """An MCP server over the services; `services` is called on every tool call."""
    with root_logger_untouched():  # MCPServer calls logging.basicConfig with a handler of its own
        server = MCPServer("ketamine-evidence", instructions=INSTRUCTIONS, version="1.0.0")

    @server.tool(description=SEARCH_DESCRIPTION)
    def search_evidence(
        question: Annotated[str, Field(min_length=1, max_length=MAX_QUERY_CHARS, description="The user's question")],
        topic: Annotated[str | None, Field(description="A topic id from list_topics, to search one topic")] = None,
        k: Annotated[int, Field(ge=1, le=20, description="How many items at most")] = 5,
        min_certainty: Annotated[
            CertaintyLevel, Field(description="Leave out evidence less certain than this")
        ] = CertaintyLevel.low,
    ) -> SnippetAnswer:
        current = services()
        wanted = SnippetQuery(
            question=question,
            topic=topic,
            k=k,
            max_chars=SNIPPET_BUDGET,
            min_certainty=min_certainty,
            min_score=current.ranker.floor(current.settings),
        )
        with connected(current.engine) as conn:
            answer = find_snippets(conn=conn, request=wanted, ranker=current.ranker)
        return SnippetAnswer.model_validate(
            {
                "query": question,
                "items": answer.items,
                "hidden_by_min_certainty": answer.hidden_by_min_certainty,
                "notice": answer.notice,
            }
        )

    @server.tool(description=GET_CLAIM_DESCRIPTION)
    def get_claim(id: Annotated[str, Field(description="A claim id, e.g. from search_evidence")]) -> dict[str, Any]:
        try:
            return _claim(services(), id)
        except NotFound as error:
            raise ToolError(f"{error.detail}; use search_evidence to find claim ids") from None

    @server.tool(description=LIST_TOPICS_DESCRIPTION)
    def list_topics() -> TopicList:
        with connected(services().engine) as conn:
            return TopicList(topics=topics.all_topics(conn=conn))

    @server.resource(CLAIM_URI, mime_type="application/json", description="A vetted claim's full record")
    def claim_document(claim_id: str) -> dict[str, Any]:
        try:
            return _claim(services(), claim_id)
        except NotFound as error:
            raise ResourceNotFoundError(error.detail) from None

    return server


def _claim(services: Services, claim_id: str) -> dict[str, Any]:
    """Vetted claims only: a key unlocks drafts on the HTTP API, never here."""
    with connected(services.engine) as conn:
        return claims.read_claim(conn=conn, claim_id=claim_id)


def services_from(state: Any) -> Services:
    """The services an app set up in its lifespan (app.state)."""
    return Services(settings=state.settings, engine=state.engine, ranker=state.ranker)


class McpEndpoint:
    """ASGI at /mcp: hands requests to the streamable HTTP app that the app's lifespan built."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await scope["app"].state.mcp_http(scope, receive, send)


def mount(server: MCPServer) -> Starlette:
    """Stateless JSON over streamable HTTP, so any replica answers any request.

    The SDK's own Host check is off: the app's RequestGuard already answers only EVIDENCE_ALLOWED_HOSTS.
    """
    return server.streamable_http_app(
        stateless_http=True,
        json_response=True,
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
