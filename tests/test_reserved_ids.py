"""SPEC §1: reserved words are never ids, team keys or segment names, in any case.

`index` would replace the site's list pages (customers/, owners/, segments/); `con`, `nul`, `com1` … make a
repository impossible to check out on Windows.
"""

from __future__ import annotations

import json
import re

import pytest

from crmdata.records.models import Customer
from crmdata.records.schema import schema_for
from tests.conftest import DataRepo, invoke_crm


def _errors(repo: DataRepo) -> list[tuple[str, int, int, str, str]]:
    result = invoke_crm("validate", "--root", str(repo.root), "--format", "json")
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    report = json.loads(result.stdout)
    assert result.returncode == (1 if report["errors"] else 0)
    return [(e["file"], e["line"], e["column"], e["field"], e["message"]) for e in report["errors"]]


def _reserved(word: str) -> str:
    return (
        f"{word!r} is a reserved word (index, search, assets, 404, sitemap, and names Windows cannot check out "
        "such as con, nul, com1): choose another"
    )


@pytest.mark.parametrize("word", ["index", "INDEX", "Search", "assets", "sitemap", "con", "Nul", "com1", "LPT9"])
def test_a_customer_id_cannot_be_a_reserved_word(repo: DataRepo, word: str) -> None:
    repo.customer(word)
    assert _errors(repo) == [(f"customers/{word}.yaml", 1, 5, "id", _reserved(word))]


def test_a_quoted_404_is_reserved_too(repo: DataRepo) -> None:
    repo.customer("404")
    path = repo.root / "customers" / "404.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("id: 404", 'id: "404"'), encoding="utf-8")
    assert _errors(repo) == [("customers/404.yaml", 1, 5, "id", _reserved("404"))]


def test_an_interaction_id_cannot_be_a_reserved_word(repo: DataRepo) -> None:
    repo.customer("KH-1")
    repo.interaction("aux", "KH-1", "2024-03-01")
    assert _errors(repo) == [("interactions/2024/aux.yaml", 1, 5, "id", _reserved("aux"))]


def test_a_team_key_cannot_be_a_reserved_word(repo: DataRepo) -> None:
    repo.config("team:\n  ming: {name: 张明}\n  Index: {name: 索引}\n")
    assert _errors(repo) == [("crm.yaml", 3, 3, "team.Index", _reserved("Index"))]


def test_a_segment_name_cannot_be_a_reserved_word(repo: DataRepo) -> None:
    repo.config("team:\n  ming: {name: 张明}\nsegments:\n  index:\n    where: {tier: strategic}\n")
    assert _errors(repo) == [("crm.yaml", 4, 3, "segments.index", _reserved("index"))]


@pytest.mark.parametrize("word", ["indexes", "con1", "com10", "lpt0", "KH-index", "404x"])
def test_words_that_only_contain_a_reserved_word_are_fine(repo: DataRepo, word: str) -> None:
    repo.customer(word)
    assert _errors(repo) == []


def test_crm_new_refuses_a_reserved_id(repo: DataRepo) -> None:
    result = invoke_crm(
        "new", "customer", "--root", str(repo.root), "--id", "prn", "--name", "某公司", "--type", "enterprise",
        "--tier", "regular", "--stage", "prospecting", "--owner", "ming",
    )
    assert result.returncode != 0
    assert "reserved word" in result.stderr + result.stdout
    assert not (repo.root / "customers" / "prn.yaml").exists()


def test_the_json_schema_refuses_reserved_ids_too() -> None:
    rule = schema_for(Customer)["properties"]["id"]
    pattern = rule["not"]["pattern"]
    assert re.search(pattern, "index") and re.search(pattern, "CoM7") and not re.search(pattern, "KH-1")
