"""The CSL-JSON record every reference format is written from, and BibTeX's escaping, read back."""

import datetime as dt

import bibtexparser
import pytest
from bibtexparser.middlewares import LatexDecodingMiddleware

from app.domain.bibtex import bibtex_entry
from app.domain.csl import csl_item

BASE = {"id": "some-source", "kind": "journal-article", "title": "A title", "accessed": dt.date(2026, 11, 26)}


@pytest.mark.parametrize(
    ("given", "name"),
    [
        ("TG", {"family": "Rhee", "given": "T. G."}),
        ("J", {"family": "Rhee", "given": "J."}),
        ("CA Jr", {"family": "Rhee", "given": "C. A.", "suffix": "Jr"}),
        ("Maria Luisa", {"family": "Rhee", "given": "Maria Luisa"}),
        (None, {"family": "Rhee"}),
    ],
)
def test_medline_initials_become_csl_names(given, name):
    assert csl_item({**BASE, "authors": [{"family": "Rhee", "given": given}]})["author"] == [name]


def test_an_organisation_authors_what_names_no_people():
    item = csl_item({**BASE, "kind": "regulatory", "publisher": "U.S. Food and Drug Administration"})
    assert item["author"] == [{"literal": "U.S. Food and Drug Administration"}] and item["type"] == "report"
    assert "author" not in csl_item({**BASE, "kind": "material"})


def test_links_point_to_the_canonical_record():
    assert csl_item({**BASE, "doi": "10.1/x", "url": "https://mirror.example/x"})["URL"] == "https://doi.org/10.1/x"
    assert (
        csl_item({**BASE, "pmid": "123", "url": "https://m.example/x"})["URL"] == "https://pubmed.ncbi.nlm.nih.gov/123/"
    )
    assert csl_item({**BASE, "url": "https://agency.example/x"})["URL"] == "https://agency.example/x"


@pytest.mark.parametrize("title", ["Costs & benefits: 50% of $x_1 {#2}", "A ~ B \\ C"])
def test_bibtex_escapes_what_latex_treats_specially(title):
    text = bibtex_entry(csl_item({**BASE, "title": title, "container_title": "J & K"}))
    (entry,) = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()]).entries
    assert entry.fields_dict["title"].value == title
    assert entry.fields_dict["journal"].value == "J & K"


def test_a_caret_is_a_literal_circumflex_in_bibtex():
    assert r"x\textasciicircum{}2" in bibtex_entry(csl_item({**BASE, "title": "x^2"}))
