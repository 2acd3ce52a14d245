"""The Help section every site carries: the guide in the site's language, and reference pages that match the code.

Sites are built by the installed `crm build --strict` (a broken link in a guide page is a warning, so a
failed build) from the small repository of test_site.py, in Chinese and in English, and from the demo data
set at the repository's root. What a reader sees is read from the built HTML. The expectations come from the
code itself (the click commands, the @kpi registry, the pydantic models), so a new command, KPI or field
without its reference entry fails here.
"""

from __future__ import annotations

import fnmatch
import inspect
import os
import posixpath
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import click
import pytest
import yaml
from bs4 import BeautifulSoup
from pydantic import BaseModel

from crmdata.engine.kpis import KPIS
from crmdata.records.models import (
    Consent,
    Contact,
    Contract,
    CrmConfig,
    Customer,
    IdOptions,
    Interaction,
    Opportunity,
    Payment,
    Plan,
    Policy,
    Qualification,
    SegmentFilter,
    SegmentSpec,
    SiteOptions,
    StageCadence,
    TeamMember,
    Todo,
    WorkCalendar,
)
from tests.conftest import DataRepo, invoke_crm
from tests.test_site import BuiltSite, crm_build, write_small_crm

PROJECT = Path(__file__).resolve().parent.parent
HELP = PROJECT / "site_builder" / "help"
PAGE_LIMIT = 50 * 1024
"""The site's goal for every page (benchmarks/build.py): the Help pages must not be the first to break it."""
RECORD_MODELS: tuple[type[BaseModel], ...] = (
    Customer, Contact, Consent, Interaction, Todo, Plan, Opportunity, Qualification, Contract, Payment,
)  # fmt: skip
CONFIG_MODELS: tuple[type[BaseModel], ...] = (
    CrmConfig, TeamMember, Policy, StageCadence, SiteOptions, IdOptions, WorkCalendar, SegmentSpec, SegmentFilter,
)  # fmt: skip


def guide_files(language: str) -> list[str]:
    """The guide pages shipped for a language (without the Chinese contract introduction)."""
    return sorted(path.stem for path in (HELP / language).glob("*.md") if path.stem != "contract-intro")


def heading(path: Path) -> str:
    """A guide file's title as a reader sees it: its first heading without code marks or anchor."""
    first = next(line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("# "))
    return first[2:].split("{#", 1)[0].replace("`", "").strip()


def all_commands() -> Iterator[tuple[str, click.Command]]:
    """Every `crm` command and sub-command, found by walking the click group (independently of the pages)."""
    from crmdata.cli.main import main

    def walk(group: click.Group, prefix: str) -> Iterator[tuple[str, click.Command]]:
        for name, command in group.commands.items():
            path = f"{prefix}{name}"
            yield path, command
            if isinstance(command, click.Group):
                yield from walk(command, path + " ")

    yield from walk(main, "")


def examples(command: click.Command) -> list[str]:
    """The example lines of a command's help (the indented lines after `Examples:`)."""
    text = inspect.cleandoc(command.help or "")
    if "Examples:" not in text:
        return []
    block = text.split("Examples:", 1)[1].split("\n\n", 1)[0]
    return [line.strip() for line in block.splitlines() if line.strip()]


def title_shown(site: BuiltSite, page: str) -> str:
    """The page's heading as shown, spaces removed (code marks add or drop spaces around them)."""
    found = site.article(page).find("h1")
    assert found is not None, f"{page} has no heading"
    return "".join(found.get_text().replace("¶", "").split())


def squash(text: str) -> str:
    """Text compared as a reader sees it: without spaces (HTML adds them around code) and Markdown's code marks."""
    return "".join(text.replace("`", "").split())


def text_of(site: BuiltSite, page: str) -> str:
    return " ".join(site.article(page).get_text(" ", strip=True).split())


def help_pages(site: BuiltSite) -> list[Path]:
    return sorted((site.out / "help").rglob("index.html"))


@pytest.fixture(scope="module")
def build_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return {**os.environ, "XDG_CACHE_HOME": str(tmp_path_factory.mktemp("xdg"))}


@pytest.fixture(scope="module")
def zh_site(tmp_path_factory: pytest.TempPathFactory, build_env: dict[str, str]) -> BuiltSite:
    repo = DataRepo(tmp_path_factory.mktemp("help-zh") / "crm")
    write_small_crm(repo, language="zh")
    out = repo.root / "site"
    result = crm_build(repo, out, "--strict", env=build_env, run=invoke_crm)
    assert result.returncode == 0, result.stderr
    return BuiltSite(repo, out, result)


@pytest.fixture(scope="module")
def en_site(tmp_path_factory: pytest.TempPathFactory, build_env: dict[str, str]) -> BuiltSite:
    repo = DataRepo(tmp_path_factory.mktemp("help-en") / "crm")
    write_small_crm(repo, language="en")
    out = repo.root / "site"
    result = crm_build(repo, out, "--strict", env=build_env, run=invoke_crm)
    assert result.returncode == 0, result.stderr
    return BuiltSite(repo, out, result)


@pytest.fixture(params=["zh", "en"])
def site(request: pytest.FixtureRequest) -> BuiltSite:
    return request.getfixturevalue(f"{request.param}_site")  # type: ignore[no-any-return]


# --- the guide, in the site's language ------------------------------------------------------------------


def test_both_languages_ship_the_same_guide_pages_and_the_navigation_names_them_all() -> None:
    from site_builder.help import GUIDE

    assert guide_files("zh") == guide_files("en")
    shipped = {topic.slug for topic in GUIDE if topic.file}
    assert shipped == set(guide_files("zh")), "a guide file is missing from GUIDE, or GUIDE names a missing file"
    assert (HELP / "zh" / "contract-intro.md").is_file() and (HELP / "contract.md").is_file()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_help_tab_holds_the_guide_in_the_sites_language(language: str, request: pytest.FixtureRequest) -> None:
    site: BuiltSite = request.getfixturevalue(f"{language}_site")
    other = "en" if language == "zh" else "zh"
    tabs = [tab.get_text(strip=True) for tab in site.html("").select(".md-tabs__link")]
    assert ("帮助" if language == "zh" else "Help") in tabs
    sidebar = site.html("help").select_one("nav.md-nav--primary")
    assert sidebar is not None
    listed = sidebar.get_text(" ", strip=True)
    for slug in guide_files(language):
        page = "help" if slug == "index" else f"help/{slug}"
        title = heading(HELP / language / f"{slug}.md")
        assert title_shown(site, page) == "".join(title.split())
        assert title in listed, f"{title} is not in the Help section's navigation"
        if slug != "index":
            assert heading(HELP / other / f"{slug}.md") not in listed, f"the {other} title of {slug} is shown"


def test_the_english_site_carries_no_chinese_guide_and_the_chinese_site_no_english_one(
    zh_site: BuiltSite, en_site: BuiltSite
) -> None:
    assert "跟进规则" in text_of(zh_site, "help/followups") and "Follow-ups" not in text_of(zh_site, "help")
    assert "The rules" in text_of(en_site, "help/followups") and "规则" not in text_of(en_site, "help/followups")


def test_the_contract_is_one_english_page_with_a_chinese_introduction_on_the_chinese_site(
    zh_site: BuiltSite, en_site: BuiltSite
) -> None:
    zh, en = text_of(zh_site, "help/contract"), text_of(en_site, "help/contract")
    assert title_shown(zh_site, "help/contract") == "接口约定"
    assert "本页规定其他人的脚本和数据可以依赖的部分" in zh and "本页规定" not in en
    for section in ("3. Follow-up semantics", "4. Command line", "JSON shapes", "KPI keys"):
        assert section in zh and section in en
    for planned in ("crm init", "crm show", "crm find", "crm done", "crm resolve", "crm stage", "crm merge",
                    "crm notify", "plans/<ID>.yaml", "opportunities/<ID>.yaml", "contracts/<ID>.yaml"):  # fmt: skip
        assert planned in en, f"the contract does not mention {planned}"
    assert "planned" in en


def section_ids(path: Path) -> list[str]:
    """The anchors of a guide page's sections in order: the `{#id}` of each heading below the title."""
    text = re.sub(r"^```.*?^```", "", path.read_text(encoding="utf-8"), flags=re.MULTILINE | re.DOTALL)
    found = []
    for heading in re.findall(r"^#{2,6} (.+)$", text, re.MULTILINE):
        explicit = re.search(r"\{#([\w-]+)\}\s*$", heading)
        assert explicit, f"{path.relative_to(HELP)}: the heading {heading!r} has no {{#id}} (links differ by language)"
        found.append(explicit.group(1))
    return found


def test_both_languages_have_the_same_sections_with_the_same_anchors() -> None:
    """A topic added in one language is added in the other, and a link to #limits works in both."""
    for slug in guide_files("en"):
        assert section_ids(HELP / "en" / f"{slug}.md") == section_ids(HELP / "zh" / f"{slug}.md"), slug


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_records_and_segments_pages_name_every_field_of_the_record_and_config_models(language: str) -> None:
    """The hand-written pages (the generated reference lists the fields anyway): a field nobody shows in use is
    a field the guide forgot."""
    text = "".join((HELP / language / f"{slug}.md").read_text(encoding="utf-8") for slug in ("records", "segments"))
    for model in RECORD_MODELS + CONFIG_MODELS:
        for name in model.model_fields:
            assert re.search(rf"(?<![\w-]){name}(?![\w-])", text), f"{language}: {model.__name__}.{name} is not shown"


def test_silent_customers_and_the_dormant_stage_keep_their_own_words() -> None:
    """沉默客户 is the computed flag (no contact for 90 days); the dormant stage is 休眠期, never 沉默期."""
    for path in sorted((HELP / "zh").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        assert "沉默期" not in text, f"{path.name} calls the dormant stage 沉默期"
        assert not re.search(r"dormant\W{1,3}沉默", text), f"{path.name} names dormant 沉默"
    followups = (HELP / "zh" / "followups.md").read_text(encoding="utf-8")
    assert "沉默客户" in followups and "休眠期" in followups


# --- reference pages generated from the code -------------------------------------------------------------


def test_every_command_has_its_reference_page_with_usage_options_and_examples(site: BuiltSite) -> None:
    index = text_of(site, "help/commands")
    for path, command in all_commands():
        page = "help/commands/" + path.replace(" ", "-")
        assert f"crm {path}" in index, f"crm {path} is not in the command index"
        text = text_of(site, page)
        assert f"crm {path}" in text
        assert squash(inspect.cleandoc(command.help or "").split("\n\n", 1)[0]) in squash(text)
        for option in command.params:
            if isinstance(option, click.Option):
                for name in option.opts:
                    assert name in text, f"crm {path}: option {name} is not documented"
        shown = squash(site.article(page).get_text())
        for example in examples(command):
            assert squash(example) in shown, f"crm {path}: example {example!r} is not shown"
    assert examples(dict(all_commands())["log"]), "crm log --help has examples (the test reads them)"


def test_every_kpi_is_defined_with_its_key_names_and_plain_definition(site: BuiltSite) -> None:
    text = text_of(site, "help/kpis")
    language = "zh" if "指标定义" in text else "en"
    for definition in KPIS:
        assert definition.name in text
        assert (definition.title_zh if language == "zh" else definition.title_en) in text
        explained = definition.explained(language)
        assert squash(explained) in squash(text), f"{definition.name}: its definition is not shown"
        assert squash(definition.definition) not in squash(text), f"{definition.name}: the docstring is shown"
        assert site.article("help/kpis").find(id=definition.name) is not None, f"no anchor for {definition.name}"


def test_every_field_of_every_model_appears_with_its_description(site: BuiltSite) -> None:
    for page, models in (("help/fields", RECORD_MODELS), ("help/settings", CONFIG_MODELS)):
        article = site.article(page)
        codes = {code.get_text() for code in article.select("td code")}
        text = squash(article.get_text())
        for model in models:
            for name, info in model.model_fields.items():
                assert name in codes, f"{model.__name__}.{name} is not in {page}"
                assert info.description and squash(info.description) in text, (
                    f"{model.__name__}.{name}: its description is not in {page}"
                )


# --- links, size, packaging ------------------------------------------------------------------------------


def test_every_link_of_the_help_pages_leads_to_a_page_and_anchor_that_exist(site: BuiltSite) -> None:
    """mkdocs --strict checks links between pages; this also checks the anchors (#…) they point at."""
    for path in help_pages(site):
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        article = page.select_one("article")
        assert article is not None
        for link in article.find_all("a", href=True):
            href = str(link["href"])
            parts = urlsplit(href)
            if parts.scheme or (href.startswith("#") and not parts.fragment):
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            assert target.is_file(), f"{path.relative_to(site.out)} links to {href}, which does not exist"
            if parts.fragment and target.suffix == ".html":
                linked = BeautifulSoup(target.read_text(encoding="utf-8"), "html.parser")
                assert linked.find(id=parts.fragment) is not None, (
                    f"{path.relative_to(site.out)} links to {href}: no #{parts.fragment} there"
                )


def test_the_build_reports_no_warning(site: BuiltSite) -> None:
    assert "WARNING" not in site.result.stderr, site.result.stderr


def test_every_help_page_stays_under_the_sites_page_size_goal(site: BuiltSite) -> None:
    pages = help_pages(site)
    assert len(pages) > len(guide_files("en")) + len(list(all_commands()))
    for path in pages:
        size = path.stat().st_size
        assert size < PAGE_LIMIT, f"{path.relative_to(site.out)} is {size / 1024:.1f} KB"


def test_an_installed_package_carries_every_help_file() -> None:
    """The wheel takes what pyproject.toml's package-data names: every shipped guide file must match it."""
    config = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["site_builder.help"]
    shipped = [path.relative_to(HELP).as_posix() for path in HELP.rglob("*.md")]
    assert shipped
    for name in shipped:
        assert any(fnmatch.fnmatch(name, pattern) and posixpath.dirname(name) == posixpath.dirname(pattern)
                   for pattern in patterns), f"site_builder/help/{name} is not in package-data"  # fmt: skip


# --- the guide's examples are true ------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_record_examples_of_the_guide_validate_as_written(language: str, tmp_path: Path) -> None:
    """A new user copies these: crm.yaml, the customer and the conversation must pass crm validate."""
    text = (HELP / language / "records.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)
    customer = next(block for block in blocks if block.startswith("# yaml-language-server") and "tier:" in block)
    interaction = next(block for block in blocks if "channel:" in block)
    config = next(block for block in blocks if block.startswith("team:"))
    data = DataRepo(tmp_path / "crm")
    data.config(config)
    data.put(customer)
    data.put(interaction)
    result = invoke_crm("validate", "--root", str(data.root), "--format", "json", "--no-cache")
    assert result.returncode == 0, result.stdout
    assert '"errors":[]' in result.stdout.replace(" ", "") and '"warnings":[]' in result.stdout.replace(" ", "")
    assert yaml.safe_load(config)["policy"] == Policy().model_dump(mode="json"), "the documented defaults differ"


# --- the demo site -------------------------------------------------------------------------------------------


def test_the_demo_site_carries_the_help_in_the_language_of_its_crm_yaml(
    tmp_path: Path, build_env: dict[str, str]
) -> None:
    language = yaml.safe_load((PROJECT / "crm.yaml").read_text(encoding="utf-8")).get("language", "zh")
    repo = DataRepo(PROJECT)
    out = tmp_path / "demo-site"
    result = crm_build(repo, out, "--strict", env=build_env, run=invoke_crm)
    assert result.returncode == 0, result.stderr
    demo = BuiltSite(repo, out, result)
    for slug in guide_files(language):
        page = "help" if slug == "index" else f"help/{slug}"
        title = heading(HELP / language / f"{slug}.md")
        assert title_shown(demo, page) == "".join(title.split())
    assert (out / "help" / "commands" / "log" / "index.html").is_file()
    for path in help_pages(demo):
        assert path.stat().st_size < PAGE_LIMIT, f"{path.relative_to(out)}"
    assert max(path.stat().st_size for path in out.glob("*/index.html")) < PAGE_LIMIT


def test_no_code_cites_a_spec_outside_the_repository() -> None:
    """The contract is site_builder/help/contract.md; code cites that page, not ../shared/SPEC.md."""
    for folder in ("crmdata", "site_builder"):
        for path in sorted((PROJECT / folder).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                cited = re.search(r"\bSPEC\b|SPEC\.md", line)
                assert not cited, f"{path.relative_to(PROJECT)}:{number}: {line.strip()}"


def test_each_command_pages_terminal_help_is_shown_as_the_terminal_prints_it(site: BuiltSite) -> None:
    """The folded `crm … --help` of a command page is a code block, line for line, never a paragraph that shows
    Markdown's fence marks."""
    for path, _command in all_commands():
        page = site.article("help/commands/" + path.replace(" ", "-"))
        assert "```" not in page.get_text(), f"crm {path}: fence marks shown as text"
        folded = page.find("details")
        assert folded is not None, f"crm {path}: no folded terminal help"
        block = folded.find("pre")
        assert block is not None, f"crm {path}: the terminal help is not a code block"
        assert block.get_text().startswith(f"Usage: crm {path}"), block.get_text()[:80]


def test_the_command_reference_does_not_depend_on_the_builders_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The site is the same whoever builds it: a narrow terminal (or a CI runner's COLUMNS) must not wrap
    the reference pages' `--help` text differently, or every rebuild would see those pages as changed."""
    from site_builder.help.reference import command_page, commands

    def pages(columns: str) -> list[str]:
        monkeypatch.setenv("COLUMNS", columns)
        return [command_page("zh", doc) for doc in commands()]

    assert pages("60") == pages("200")
