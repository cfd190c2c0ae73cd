import pytest

from app.domain.highlight import Span, context, covered_share, runs

TEXT = "Alpha beta gamma. Delta epsilon.\n\nZeta eta theta."


def test_runs_rebuild_the_text_exactly_with_each_quote_covered():
    spans = [Span(6, 16, "a"), Span(11, 31, "b"), Span(34, 38, "c")]
    cut = runs(TEXT, spans)
    assert "".join(run.text for run in cut) == TEXT
    for span in spans:
        assert "".join(run.text for run in cut if span.key in run.covered_by) == TEXT[span.start : span.end]
    assert [run.covered_by for run in cut if run.text == "gamma"] == [("a", "b")]


def test_runs_name_where_each_quote_starts_and_ends():
    cut = runs(TEXT, [Span(0, 5, "same-1"), Span(0, 5, "same-2"), Span(6, 10, "next")])
    assert cut[0].text == "Alpha"
    assert cut[0].starts == ("same-1", "same-2")
    assert cut[0].ends == ("same-1", "same-2")
    assert [run.ends for run in cut if run.text == "beta"] == [("next",)]


@pytest.mark.parametrize("span", [Span(-1, 3, "x"), Span(5, 5, "x"), Span(10, 999, "x")])
def test_spans_outside_the_text_are_ignored(span):
    assert runs(TEXT, [span]) == runs(TEXT, [])
    assert [run.text for run in runs(TEXT, [])] == [TEXT]


def test_uncovered_runs_know_whether_they_hold_words():
    cut = runs(TEXT, [Span(0, 17, "a"), Span(18, 32, "b")])
    gaps = [run for run in cut if not run.covered_by]
    assert [(run.text, run.has_words) for run in gaps] == [(" ", False), ("\n\nZeta eta theta.", True)]


def test_covered_share_counts_visible_characters():
    cut = runs(TEXT, [Span(34, 49, "z")])
    assert covered_share(cut) == pytest.approx(len("Zetaetatheta.") / len(TEXT.replace(" ", "").replace("\n", "")))
    assert covered_share(runs("", [])) == 0.0


def test_context_is_the_paragraph_of_the_quote():
    start = TEXT.index("Delta")
    first, last = context(TEXT, start, start + 5)
    assert TEXT[first:last] == "Alpha beta gamma. Delta epsilon."


def test_long_context_is_cut_at_sentences_within_reach():
    text = " ".join(f"Sentence number {i} ends here." for i in range(40))
    start = text.index("Sentence number 20")
    first, last = context(text, start, start + 10, reach=100)
    assert 0 < start - first <= 100 and 0 < last - start - 10 <= 100
    assert text[first:].startswith("Sentence number") and text[:last].endswith("ends here.")
