"""Links shown to users must open the canonical record, never a mirror or an aggregator."""

from urllib.parse import urlsplit

DOI_RESOLVER = "https://doi.org/"


def doi_url(doi: str) -> str:
    return DOI_RESOLVER + doi


def link_problem(*, url: str | None, doi: str | None, allowed_hosts: set[str]) -> str | None:
    """Why a literature source's `url` is not its canonical record, or None when it is."""
    if doi is not None and url != doi_url(doi):
        return f"url: a source with a DOI links to its DOI record; use '{doi_url(doi)}'"
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme != "https":
        return "url: use https"
    host = (parts.hostname or "").lower()
    if host not in allowed_hosts:
        return (
            f"url: '{host}' is not a canonical host; link the DOI, PubMed/PMC or the issuing body's page "
            "(keep mirrors in verified_at or text_seen_at), or add the host to url-hosts.yaml with the reason"
        )
    return None
