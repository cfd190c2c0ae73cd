import datetime as dt
from pathlib import Path

import yaml
from typer.testing import CliRunner, Result

from app.cli import cli
from tests.conftest import BUNDLED_DATA

runner = CliRunner()


def first_claim(data: Path) -> tuple[Path, dict]:
    path = sorted((data / "claims").glob("*.yaml"))[0]
    return path, yaml.safe_load(path.read_text(encoding="utf-8"))


def rewrite(path: Path, record: dict | list) -> None:
    path.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), encoding="utf-8")


def break_claim(data: Path) -> tuple[Path, dict]:
    """Shift the material quote's offsets by one and cite a source that does not exist."""
    path, claim = first_claim(data)
    states = next(c for c in claim["citations"] if c["relation"] == "states")
    states["locator"] = {"start": states["locator"]["start"] + 1, "end": states["locator"]["end"] + 1}
    claim["citations"].append({"source_id": "nobody-2099", "relation": "supports", "note": "n"})
    return path, claim


def test_bundled_data_passes(bundled):
    result = runner.invoke(cli, ["check", str(BUNDLED_DATA)])
    assert result.exit_code == 0, result.output
    assert (
        f"ok: {len(bundled.topics)} topics, {len(bundled.sources)} sources, {len(bundled.claims)} claims"
        in result.output
    )


def test_every_problem_is_listed_with_file_and_claim(data_copy):
    path, claim = break_claim(data_copy)
    claim["certainty"]["downgrades"] = ["vibes"]
    claim["snippet"] = "x" * 401
    rewrite(path, claim)
    result = runner.invoke(cli, ["check", str(data_copy)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith(str(path))]
    assert any("certainty.downgrades.0" in line for line in lines)
    assert any("snippet" in line and "400" in line for line in lines)
    assert any("unknown source 'nobody-2099'" in line for line in lines)
    assert any("citations.0.locator" in line for line in lines)
    assert "4 problem(s)" in result.output


def test_quote_mismatch_and_unknown_source_are_named(data_copy):
    path, claim = break_claim(data_copy)
    rewrite(path, claim)
    result = runner.invoke(cli, ["check", str(data_copy)])
    assert result.exit_code == 1
    assert f"{path}: {claim['id']}: citations.0.locator: text at [" in result.output
    assert (
        f"{path}: {claim['id']}: citations.{len(claim['citations']) - 1}.source_id: unknown source 'nobody-2099'"
        in result.output
    )


def test_quote_not_in_the_material_is_rejected(data_copy):
    path, claim = first_claim(data_copy)
    states = next(c for c in claim["citations"] if c["relation"] == "states")
    states["quote"] = "Ketamine cures depression in every patient."
    states.pop("locator")
    rewrite(path, claim)
    result = runner.invoke(cli, ["check", str(data_copy)])
    assert result.exit_code == 1
    assert "quote does not occur in the source text" in result.output


def test_changed_material_text_fails_its_hash(data_copy):
    text = data_copy / "sources" / "seed-article.txt"
    text.write_bytes(text.read_bytes().replace(b"Glutamate", b"Glutamine", 1))
    result = runner.invoke(cli, ["check", str(data_copy)])
    assert result.exit_code == 1
    assert "text_sha256: seed-article.txt hashes to" in result.output


def test_duplicate_ids_and_misnamed_files(data_copy):
    path, claim = first_claim(data_copy)
    (path.parent / "copy-of-claim.yaml").write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(cli, ["check", str(data_copy)])
    assert result.exit_code == 1
    assert f"copy-of-claim.yaml: {claim['id']}: id: claim id is used more than once" in result.output
    assert "id must equal the file name 'copy-of-claim'" in result.output


def test_claim_without_material_citation(data_copy):
    path, claim = first_claim(data_copy)
    claim["citations"] = [c for c in claim["citations"] if c["relation"] != "states"]
    rewrite(path, claim)
    result = runner.invoke(cli, ["check", str(data_copy)])
    assert result.exit_code == 1
    assert "a claim needs a 'states' citation into the material" in result.output


def test_missing_directory():
    result = runner.invoke(cli, ["check", "/no/such/data"])
    assert result.exit_code == 1
    assert "no such folder" in result.output


def source_file(data: Path, source_id: str) -> tuple[Path, dict]:
    path = data / "sources" / f"{source_id}.yaml"
    return path, yaml.safe_load(path.read_text(encoding="utf-8"))


def failed_check(data: Path, path: Path, record: dict) -> Result:
    """Write the record, run `evidence check`, and return the failed run."""
    rewrite(path, record)
    result = runner.invoke(cli, ["check", str(data)])
    assert result.exit_code == 1, result.output
    return result


def test_a_mirror_is_never_the_link_shown_to_users(data_copy):
    path, source = source_file(data_copy, "fda-compounded-ketamine-warning-2023")
    source["url"] = "https://scrippsnews.com/stories/fda-warns-of-risks-involved-with-compounded-ketamine-products"
    result = failed_check(data_copy, path, source)
    assert f"{path}: {source['id']}: url: 'scrippsnews.com' is not a canonical host" in result.output
    assert "1 problem(s)" in result.output


def test_the_allow_list_lives_in_the_data_folder(data_copy):
    path, source = source_file(data_copy, "fda-compounded-ketamine-warning-2023")
    source["url"] = "https://www.example.org/ketamine-notice"
    assert "'www.example.org' is not a canonical host" in failed_check(data_copy, path, source).output
    hosts = data_copy / "url-hosts.yaml"
    entries = [*yaml.safe_load(hosts.read_text(encoding="utf-8")), {"host": "www.example.org", "why": "A test."}]
    rewrite(hosts, entries)
    result = runner.invoke(cli, ["check", str(data_copy)])
    assert result.exit_code == 0, result.output


def test_a_source_with_a_doi_links_to_the_doi(data_copy):
    path, source = source_file(data_copy, "rhee-2022-jama-psychiatry")
    source["url"] = "https://pubmed.ncbi.nlm.nih.gov/36260324/"
    result = failed_check(data_copy, path, source)
    assert f"use 'https://doi.org/{source['doi']}'" in result.output


def test_links_use_https(data_copy):
    path, source = source_file(data_copy, "livertox-ketamine")
    source["url"] = source["url"].replace("https://", "http://")
    result = failed_check(data_copy, path, source)
    assert f"{path}: livertox-ketamine: url: use https" in result.output


def test_a_vetted_claim_says_when_it_was_reviewed(data_copy):
    path, claim = first_claim(data_copy)
    del claim["reviewed"]
    result = failed_check(data_copy, path, claim)
    assert f"{path}: {claim['id']}: reviewed: give the date of the last review" in result.output


def test_a_review_date_cannot_be_in_the_future_or_before_its_sources_were_checked(data_copy):
    path, claim = first_claim(data_copy)
    claim["reviewed"] = dt.date.today() + dt.timedelta(days=2)
    assert "is in the future" in failed_check(data_copy, path, claim).output
    cited = next(c["source_id"] for c in claim["citations"] if c["relation"] != "states")
    claim["reviewed"] = dt.date(2020, 1, 1)
    result = failed_check(data_copy, path, claim)
    assert f"'{cited}' was checked on" in result.output and "after this claim's review on 2020-01-01" in result.output


def test_the_release_label_is_required(data_copy):
    (data_copy / "release.yaml").unlink()
    result = runner.invoke(cli, ["check", str(data_copy)])
    assert result.exit_code == 1
    assert "release.yaml: -: missing" in result.output


def test_vetted_claim_citing_only_the_material(data_copy):
    path, claim = first_claim(data_copy)
    states = next(c for c in claim["citations"] if c["relation"] == "states")
    claim["citations"] = [states, {**states, "relation": "supports"}]
    claim["verdict"] = "supported"
    rewrite(path, claim)
    result = runner.invoke(cli, ["check", str(data_copy)])
    assert result.exit_code == 1
    assert f"{path}: {claim['id']}: citations: a vetted claim must cite a source other than" in result.output
    claim["status"] = "draft"
    rewrite(path, claim)
    assert runner.invoke(cli, ["check", str(data_copy)]).exit_code == 0
