"""The MCP server, through the SDK's own client over both transports, agrees with the HTTP API."""

import asyncio
import json
import sys
from typing import Any

import httpx2
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from tests.live import serving

TOOLS = {"search_evidence", "get_claim", "list_topics"}
QUESTION = "is ketamine addictive"


async def exercise(client: Client) -> dict[str, Any]:
    """List the tools and call each, as a model's host would; the results, by name."""
    listed = await client.list_tools()
    found = await client.call_tool("search_evidence", {"question": QUESTION, "k": 3})
    nothing = await client.call_tool("search_evidence", {"question": "best pizza in new york"})
    claim_id = found.structured_content["items"][0]["claim_id"]
    claim = await client.call_tool("get_claim", {"id": claim_id})
    missing = await client.call_tool("get_claim", {"id": "no-such-claim"})
    topics = await client.call_tool("list_topics", {})
    resource = await client.read_resource(f"evidence://claims/{claim_id}")
    return {
        "tools": {tool.name: tool for tool in listed.tools},
        "found": found,
        "nothing": nothing,
        "claim_id": claim_id,
        "claim": claim,
        "missing": missing,
        "topics": topics,
        "resource": json.loads(resource.contents[0].text),
    }


def check_against_http(results: dict[str, Any], http: Any) -> None:
    tools = results["tools"]
    assert set(tools) >= TOOLS
    search = tools["search_evidence"].description
    assert "notice" in search and "material_claim_verdict" in search and "certainty" in search
    expected = http.get("/v1/snippets", params={"q": QUESTION, "k": 3, "max_chars": 4000}).json()
    assert results["found"].structured_content == expected and expected["items"]
    empty = results["nothing"].structured_content
    assert empty["items"] == [] and empty["notice"].startswith("The dataset holds no vetted evidence")
    document = http.get(f"/v1/claims/{results['claim_id']}").json()
    assert results["claim"].structured_content == document == results["resource"]
    assert results["missing"].is_error and "no claim has id 'no-such-claim'" in results["missing"].content[0].text
    assert results["topics"].structured_content["topics"] == http.get("/v1/topics").json()["items"]


def test_streamable_http_at_mcp_in_the_same_app(bundled_url):
    with serving({"EVIDENCE_DATABASE_URL": bundled_url}) as server:

        async def run() -> dict[str, Any]:
            async with Client(f"{server.url}/mcp") as client:
                return await exercise(client)

        results = asyncio.run(run())
        with httpx2.Client(base_url=server.url) as http:
            check_against_http(results, http)


def test_stdio_via_evidence_mcp(bundled_url, client):
    command = StdioServerParameters(
        command=sys.executable, args=["-m", "app", "mcp"], env={"EVIDENCE_DATABASE_URL": bundled_url}
    )

    async def run() -> dict[str, Any]:
        async with Client(command) as mcp_client:
            return await exercise(mcp_client)

    check_against_http(asyncio.run(run()), client)
