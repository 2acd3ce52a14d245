"""The published site, built by the installed `crm build` from small repositories written to disk.

What a reader sees is checked in the built HTML (BeautifulSoup reads it as a browser would); the generated
Markdown of a small data set is compared with golden files (UPDATE_GOLDEN=1 rewrites them after a
deliberate change; review the diff). Hostile record text must come out as text, never as markup.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import nh3
import pytest
from bs4 import BeautifulSoup, Tag

from tests.conftest import CRM, CrmRun, DataRepo, invoke_crm, run_crm
from tests.pagefind_index import fragments, searchable_text

AS_OF = "2026-11-24"
GOLDEN = Path(__file__).parent / "golden" / "site"
PHONE = "13800138000"
EMAIL = "lilei@huaxing.cn"
ADDRESS = "北京市海淀区中关村大街1号"
HOSTILE = {
    "script": "<script>alert('x')</script>",
    "img": "<img src=x onerror=alert(1)>",
    "link": "[点我](javascript:alert(1))",
    "attr_list": '{: onclick="alert(1)" }',
    "jinja": "{{ 7*7 }}",
    "markdown": "**粗体** | 竖线 | # 标题",
}


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are YAML)."""
    return json.dumps(text, ensure_ascii=False)


def write_small_crm(repo: DataRepo, language: str = "zh") -> None:
    """Three customers (one hostile, one churned), four conversations, as of 2026-11-24."""
    repo.config(
        f"team:\n  ming: {{name: 张明}}\n  hong: {{name: 李红}}\nlanguage: {language}\n"
        "site: {title: 测试看板, edit_url: 'https://git.example.com/crm/edit/main/'}\n"
        "segments:\n  key_accounts: {title: 重点客户, description: 战略客户, where: {tier: strategic}}\n",
    )
    repo.put(
        f"""id: KH-2024001
name: 华星科技有限公司
type: enterprise
tier: strategic
stage: active
value: high
owner: ming
since: 2024-01-10
industry: 软件
tags: [数字化, 年度合同]
needs: [数据迁移]
contacts:
  - name: 李雷
    title: 采购经理
    phone: "{PHONE}"
    email: {EMAIL}
    address: {ADDRESS}
    birthday: 1980-12-05
    primary: true
consent: {{given: true, date: 2024-01-10}}
""",
    )
    repo.put(
        f"""id: KH-2024002
name: {q(HOSTILE["script"] + "恶意公司")}
type: enterprise
tier: potential
stage: active
owner: hong
since: 2024-05-01
industry: {q(HOSTILE["img"])}
tags: [{q(HOSTILE["link"])}, {q(HOSTILE["attr_list"])}]
needs: [{q(HOSTILE["jinja"])}, {q(HOSTILE["markdown"])}]
notes: {q(HOSTILE["link"] + " " + HOSTILE["jinja"])}
consent: {{given: true}}
""",
    )
    repo.put(
        """id: KH-2023001
name: 远山贸易
type: individual
tier: regular
stage: churned
owner: ming
since: 2023-02-01
churned_on: 2026-06-30
churn_reason: 价格因素
""",
    )
    repo.put(
        """id: JL-2026001
customer: KH-2024001
date: 2026-10-01
channel: phone
owner: ming
topic: 季度回访
summary: |
  # 不是标题
  - 不是列表
      不是代码
satisfaction: 4
todos:
  - {task: 发送报价单, due: 2026-10-08, done: 2026-10-07}
""",
    )
    repo.put(
        """id: JL-2026002
customer: KH-2024001
date: 2026-11-10
channel: visit
owner: ming
topic: 续约谈判
feedback: 对服务满意
satisfaction: 5
next_followup: 2026-11-30
todos:
  - {task: 准备续约合同, due: 2026-11-20}
""",
    )
    repo.put(
        f"""id: JL-2026003
customer: KH-2024002
date: 2026-11-01
channel: im
kind: complaint
owner: hong
topic: {q("<b>投诉</b>")}
summary: {q(HOSTILE["link"] + " {{ config }} {% raw %}")}
""",
    )
    repo.put(
        """id: JL-2026004
customer: KH-2023001
date: 2026-03-02
channel: phone
owner: ming
topic: 流失回访
satisfaction: 2
""",
    )


@dataclass
class BuiltSite:
    repo: DataRepo
    out: Path
    result: CrmRun

    def html(self, page: str) -> BeautifulSoup:
        return BeautifulSoup((self.out / page / "index.html").read_text(encoding="utf-8"), "html.parser")

    def article(self, page: str) -> Tag:
        found = self.html(page).select_one("article.md-content__inner")
        assert found is not None, f"{page} has no article"
        return found

    def generated(self, src: str, variant: str = "public") -> str:
        return (self.repo.root / ".crm-cache" / "site" / variant / src).read_text(encoding="utf-8")

    def all_text_files(self) -> Iterator[tuple[Path, str]]:
        for path in self.out.rglob("*"):
            if path.suffix in {".html", ".json", ".xml", ".ics", ".svg", ".js", ".css"}:
                yield path, path.read_text(encoding="utf-8", errors="replace")


def crm_build(
    repo: DataRepo, out: Path, *args: str, env: dict[str, str], run: Callable[..., CrmRun] = run_crm
) -> CrmRun:
    """`crm build`: the installed crm by default; `run=invoke_crm` where only the site it writes is checked."""
    return run("build", "--root", str(repo.root), "--as-of", AS_OF, "--out", str(out), *args, env=env)


@pytest.fixture(scope="module")
def build_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return {**os.environ, "XDG_CACHE_HOME": str(tmp_path_factory.mktemp("xdg"))}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, build_env: dict[str, str]) -> BuiltSite:
    repo = DataRepo(tmp_path_factory.mktemp("small") / "crm")
    write_small_crm(repo)
    out = repo.root / "site"
    result = crm_build(repo, out, env=build_env)
    assert result.returncode == 0, result.stderr
    return BuiltSite(repo, out, result)


@pytest.fixture(scope="module")
def internal_site(site: BuiltSite, build_env: dict[str, str]) -> BuiltSite:
    out = site.repo.root / "internal-site"
    result = crm_build(site.repo, out, "--internal", env=build_env, run=invoke_crm)
    assert result.returncode == 0, result.stderr
    return BuiltSite(site.repo, out, result)


# --- every page exists at a stable URL ---------------------------------------------------------------


@pytest.mark.parametrize(
    "page",
    [
        "",
        "followups",
        "customers",
        "customers/KH-2024001",
        "customers/KH-2024002",
        "customers/KH-2023001",
        "owners",
        "owners/ming",
        "owners/hong",
        "segments",
        "segments/at_risk",
        "segments/win_back",
        "segments/stage-active",
        "segments/key_accounts",
        "kpis",
        "data-quality",
    ],
)
def test_every_page_type_is_built_at_its_stable_url(site: BuiltSite, page: str) -> None:
    assert (site.out / page / "index.html").is_file()
    assert site.article(page).find("h1") is not None


def test_a_custom_segment_from_crm_yaml_has_its_page_with_its_members(site: BuiltSite) -> None:
    article = site.article("segments/key_accounts")
    assert article.find("h1").get_text(strip=True).startswith("重点客户")  # type: ignore[union-attr]
    members = [a.get_text() for a in article.select("table a")]
    assert members == ["华星科技有限公司"]
    assert "重点客户" in site.article("segments").get_text()


def test_calendar_feeds_are_published_for_the_team_and_each_owner(site: BuiltSite) -> None:
    for name in ("ming", "hong"):
        feed = (site.out / "calendar" / f"{name}.ics").read_text(encoding="utf-8")
        assert feed.startswith("BEGIN:VCALENDAR")
    links = [a["href"] for a in site.article("followups").select("a[href$='.ics']")]
    assert any(str(link).endswith("calendar/ming.ics") for link in links)


def test_customer_pages_stay_out_of_the_navigation_but_the_main_pages_are_in_it(site: BuiltSite) -> None:
    nav = site.html("").select_one("nav.md-nav--primary")
    assert nav is not None
    labels = nav.get_text(" ", strip=True)
    for label in ("看板", "跟进计划", "客户", "负责人", "客户分群", "指标", "数据质量"):
        assert label in labels
    assert "华星科技有限公司" not in labels
    assert "KH-2024001" not in str(nav)


# --- what a reader sees ---------------------------------------------------------------------------------


def test_a_customer_page_shows_the_timeline_newest_first_with_todos_and_feedback(site: BuiltSite) -> None:
    article = site.article("customers/KH-2024001")
    timeline = [entry.get_text(" ", strip=True) for entry in article.select(".crm-timeline p.crm-entry strong")]
    assert timeline[0].startswith("2026-11-10") and "续约谈判" in timeline[0]
    assert timeline[1].startswith("2026-10-01") and "季度回访" in timeline[1]
    text = article.get_text(" ", strip=True)
    assert "对服务满意" in text
    assert "准备续约合同" in text and "发送报价单" in text
    assert "2026-11-30" in text  # the agreed next contact
    owners = [a.get_text() for a in article.select("p.crm-entry .crm-meta a")]
    assert owners and set(owners) == {"张明"}, "the timeline names who talked, as a link"


def test_the_plan_says_when_and_why(site: BuiltSite) -> None:
    text = site.article("customers/KH-2024001").get_text(" ", strip=True)
    assert "下次跟进 2026-11-25" in text  # last contact 11-10 + 15 days (high value) comes before the promise
    assert "定期跟进" in text
    assert "跟进间隔 15 天" in text


def test_private_contact_fields_are_masked_everywhere_in_the_public_site(site: BuiltSite) -> None:
    text = site.article("customers/KH-2024001").get_text(" ", strip=True)
    assert "138****8000" in text
    assert "l***@huaxing.cn" in text
    for path, content in site.all_text_files():
        for secret in (PHONE, EMAIL, ADDRESS, "1980-12-05", "12-05"):
            assert secret not in content, f"{secret} leaked in {path.relative_to(site.out)}"


def test_an_internal_build_shows_contact_details_and_says_so(internal_site: BuiltSite) -> None:
    text = internal_site.article("customers/KH-2024001").get_text(" ", strip=True)
    assert PHONE in text and EMAIL in text and ADDRESS in text
    assert "内部版本" in text
    assert PHONE in searchable_text(internal_site.out)  # the internal site's search finds a contact by phone


def test_the_customer_index_lists_every_customer_with_its_plan(site: BuiltSite) -> None:
    """The page's script renders the rows from customers/index.json (checked in a browser elsewhere)."""
    index = json.loads((site.out / "customers" / "index.json").read_text(encoding="utf-8"))
    rows = [dict(zip(index["columns"], row, strict=True)) for row in index["rows"]]
    assert {row["id"] for row in rows} == {"KH-2024001", "KH-2024002", "KH-2023001"}
    huaxing = next(row for row in rows if row["id"] == "KH-2024001")
    assert [huaxing[key] for key in ("name", "type", "tier", "stage")] == [
        "华星科技有限公司",
        "企业",
        "战略客户",
        "合作期",
    ]
    assert (huaxing["last_contact"], huaxing["next_due"], huaxing["url"]) == ("2026-11-10", "2026-11-25", "KH-2024001/")
    assert (site.out / "customers" / huaxing["url"] / "index.html").is_file()
    assert "high_value" in huaxing["segments"] and "key_accounts" in huaxing["segments"]
    page = site.article("customers")
    headers = [th.get_text(strip=True) for th in page.select("table[data-crm-source] th")]
    assert headers[:3] == ["编号", "名称", "客户类型"] and len(headers) == 12
    assert page.select_one("[data-crm-filter] input[type=search]") is not None


def test_long_lists_are_cut_with_a_link_to_the_rest_in_the_customer_index(
    tmp_path: Path, build_env: dict[str, str]
) -> None:
    """A segment of 5,000 customers would be a page of megabytes: list pages show 100 rows."""
    from site_builder.pages import LIST_ROWS

    repo = DataRepo(tmp_path / "crm")
    write_small_crm(repo)
    for number in range(LIST_ROWS + 5):
        repo.customer(f"KH-2025{number:03d}", tier="potential", stage="active", owner="hong", since="2025-01-01")
    result = crm_build(repo, tmp_path / "out", env=build_env, run=invoke_crm)
    assert result.returncode == 0, result.stderr
    page = BeautifulSoup(
        (tmp_path / "out" / "segments" / "tier-potential" / "index.html").read_text("utf-8"), "html.parser"
    )
    assert len(page.select("article table tbody tr")) == LIST_ROWS
    more = page.select_one("article p.crm-more a")
    assert more is not None and str(more["href"]) == "../../customers/?tier=potential"
    assert str(LIST_ROWS + 6) in more.get_text()  # the hostile customer is a potential one too
    owner = BeautifulSoup((tmp_path / "out" / "owners" / "hong" / "index.html").read_text("utf-8"), "html.parser")
    assert any(str(a["href"]) == "../../customers/?owner=hong" for a in owner.select("article p.crm-more a"))
    followups = BeautifulSoup((tmp_path / "out" / "followups" / "index.html").read_text("utf-8"), "html.parser")
    links = [str(a["href"]) for a in followups.select("article p.crm-more a")]
    assert "../customers/?owner=hong&status=overdue" in links  # 106 of hong's customers were never called


def test_the_customer_page_links_to_its_record_file(site: BuiltSite) -> None:
    links = [str(a["href"]) for a in site.article("customers/KH-2024001").find_all("a", href=True)]
    assert "https://git.example.com/crm/edit/main/customers/KH-2024001.yaml" in links


def test_the_dashboard_has_kpi_tiles_attention_lists_and_charts_with_text(site: BuiltSite) -> None:
    article = site.article("")
    assert len(article.select(".crm-tiles .crm-tile")) >= 8
    text = article.get_text(" ", strip=True)
    assert "未解决投诉 (1)" in text  # the hostile customer's complaint
    images = article.find_all("img")
    light = [img for img in images if str(img["src"]).endswith("#only-light")]
    dark = [img for img in images if str(img["src"]).endswith("#only-dark")]
    assert len(light) == len(dark) >= 6
    for img in light:
        assert img["alt"], "every chart has a text alternative"
        svg = site.out / str(img["src"]).split("#")[0]
        assert svg.read_text(encoding="utf-8").lstrip().startswith(("<?xml", "<svg"))


def test_chart_data_tables_show_counts_as_whole_numbers(site: BuiltSite) -> None:
    """A count is 3, never 3.0; only the satisfaction chart holds averages."""
    tables = site.article("").select(".crm-chart details table")
    assert len(tables) >= 6
    counts = [table for table in tables if "满意度" not in table.get_text()]
    cells = [td.get_text(strip=True) for table in counts for row in table.select("tbody tr") for td in row("td")[1:]]
    assert len(cells) > 20
    assert [cell for cell in cells if not re.fullmatch(r"\d[\d,]*", cell)] == []


def test_every_kpi_is_shown_with_its_definition(site: BuiltSite) -> None:
    from crmdata.engine.kpis import KPIS

    article = site.article("kpis")
    links = {link.get("href") for link in article.select("a")}
    help_page = site.article("help/kpis")
    text = " ".join(help_page.get_text(" ", strip=True).split())
    for definition in KPIS:
        # the KPI page links each KPI to its one definition, in the help's KPI reference
        assert f"../help/kpis/#{definition.name}" in links, definition.name
        assert help_page.find(id=definition.name) is not None, definition.name
        assert definition.explained("zh") in text, definition.name  # the small crm uses the default policy
        assert definition.definition.splitlines()[0][:30] not in text, "the docstring is for developers"
        if definition.unit == "table":
            assert article.find(id=definition.name) is not None, f"{definition.name}: its table is on the KPI page"
    tiles = site.article("").select("a.crm-tile")
    assert tiles and all(tile.get("title") for tile in tiles), "each tile says what it counts on hover"


def test_data_quality_lists_the_validators_warnings(site: BuiltSite) -> None:
    text = site.article("data-quality").get_text(" ", strip=True)
    assert "customers/KH-2023001.yaml" in text  # no consent recorded: a warning
    assert "consent" in text
    assert "没有记录客户的同意" in text  # in crm.yaml's language (zh), not the English of the check
    assert "no consent recorded" not in text


def test_a_hand_written_page_appears_beside_the_generated_ones(tmp_path: Path, build_env: dict[str, str]) -> None:
    repo = DataRepo(tmp_path / "crm")
    write_small_crm(repo)
    repo.write("docs/playbook.md", "# 销售手册\n\n手写的内容。\n")
    result = crm_build(repo, tmp_path / "out", env=build_env, run=invoke_crm)
    assert result.returncode == 0, result.stderr
    page = BeautifulSoup((tmp_path / "out" / "playbook" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert "手写的内容" in page.get_text()
    nav = page.select_one("nav.md-nav--primary")
    assert nav is not None and "销售手册" in nav.get_text()


# --- safety ---------------------------------------------------------------------------------------------


def test_hostile_record_text_is_shown_as_text(site: BuiltSite) -> None:
    article = site.article("customers/KH-2024002")
    text = article.get_text(" ", strip=True)
    for value in HOSTILE.values():
        assert value in text, f"{value!r} is not shown literally"
    assert "49" not in text  # {{ 7*7 }} was not evaluated
    page = site.html("customers/KH-2024002")
    assert not [script for script in page.find_all("script") if "alert" in script.get_text()], "title ran as markup"
    assert HOSTILE["script"] in page.title.get_text() if page.title else False
    assert article.find("script") is None
    assert article.find("b") is None, "<b> from a topic became markup"
    assert not [strong for strong in article.find_all("strong") if "粗体" in strong.get_text()], "**粗体** became bold"
    for element in article.find_all(True):
        assert not any(name.startswith("on") for name in element.attrs), element
        href = str(element.get("href", ""))
        assert not href.lower().startswith("javascript"), element


@pytest.mark.parametrize("page", ["", "customers", "customers/KH-2024002", "followups", "segments", "owners/hong"])
def test_built_pages_pass_a_sanitizer_unchanged(site: BuiltSite, page: str) -> None:
    """ammonia (nh3) with the markup the site legitimately uses removes nothing from the content."""
    article = site.article(page)
    tags = {tag.name for tag in article.find_all(True)}
    allowed_tags = {
        "a", "article", "br", "button", "code", "del", "details", "div", "em", "h1", "h2", "h3", "h4", "hr", "img",
        "input", "label", "li", "noscript", "ol", "option", "p", "select", "span", "strong", "summary", "table",
        "tbody", "td", "th", "thead", "tr", "ul",
    }  # fmt: skip
    assert tags <= allowed_tags, tags - allowed_tags
    attributes = {"class", "id", "href", "title", "src", "alt", "style", "type", "placeholder", "aria-label",
                  "data-crm-filter", "data-key", "value", "open", "aria-live", "data-search-exclude",
                  "data-crm-source", "data-crm-page"}  # fmt: skip
    original = str(article)
    cleaned = nh3.clean(
        original,
        tags=allowed_tags,
        attributes={"*": attributes},
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    )
    before = BeautifulSoup(original, "html.parser")
    after = BeautifulSoup(cleaned, "html.parser")
    assert [t.name for t in after.find_all(True)] == [t.name for t in before.find_all(True)]
    assert [sorted(t.attrs) for t in after.find_all(True)] == [sorted(t.attrs) for t in before.find_all(True)]
    assert after.get_text() == before.get_text()


def test_nothing_in_the_site_loads_from_another_host(site: BuiltSite) -> None:
    for path in site.out.rglob("*.html"):
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for element, attribute in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src")):
            for tag in page.find_all(element):
                url = str(tag.get(attribute, ""))
                assert not re.match(r"(https?:)?//", url), f"{path.relative_to(site.out)} loads {url}"
        assert "fonts.googleapis" not in str(page) and "fonts.gstatic" not in str(page)


# --- language and search ----------------------------------------------------------------------------------


def test_search_indexes_each_customer_with_its_conversations(site: BuiltSite) -> None:
    """Pagefind (the default) downloads only the chunks a query needs, so whole timelines can be indexed: a
    customer's page holds its conversations' feedback, and Chinese is indexed as coded pairs (search.grams)."""
    pages = fragments(site.out)
    huaxing = pages["/customers/KH-2024001/"]
    assert "对服务满意" in huaxing["content"] + huaxing["meta"].get("text", "")
    assert site.html("").find("html")["lang"] == "zh"  # type: ignore[index]
    assert not (site.out / "search" / "search_index.json").exists(), "material's search is off with Pagefind"


def test_materials_search_indexes_chinese_words_but_not_every_conversation(
    tmp_path: Path, build_env: dict[str, str]
) -> None:
    """`site.search: material`: material's one-file index that every browser downloads whole, so timelines stay
    out of it (with 100,000 conversations it would weigh 100 MB)."""
    repo = DataRepo(tmp_path / "crm")
    write_small_crm(repo)
    config = (repo.root / "crm.yaml").read_text(encoding="utf-8")
    repo.config(config.replace("site: {title: 测试看板,", "site: {search: material, title: 测试看板,"))
    result = crm_build(repo, tmp_path / "out", env=build_env, run=invoke_crm)
    assert result.returncode == 0, result.stderr
    index = json.loads((tmp_path / "out" / "search" / "search_index.json").read_text(encoding="utf-8"))
    texts = " ".join(doc["title"] + " " + doc["text"] for doc in index["docs"])
    assert "\u200b" in texts, "jieba segmentation marks word boundaries with zero-width spaces"
    assert "华星\u200b科技" in texts, "a customer's name is found by its words"
    assert "对服务满意" not in texts  # feedback in the timeline
    assert not (tmp_path / "out" / "pagefind").exists()


def test_an_english_crm_gets_english_labels_and_theme(tmp_path: Path, build_env: dict[str, str]) -> None:
    repo = DataRepo(tmp_path / "crm")
    write_small_crm(repo, language="en")
    result = crm_build(repo, tmp_path / "out", env=build_env, run=invoke_crm)
    assert result.returncode == 0, result.stderr
    page = BeautifulSoup((tmp_path / "out" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert page.find("html")["lang"] == "en"  # type: ignore[index]
    text = page.get_text(" ", strip=True)
    assert "Needs attention" in text and "Overdue follow-ups" in text
    assert "需要关注" not in text


def test_a_new_teams_first_repository_builds_before_any_customer(tmp_path: Path, build_env: dict[str, str]) -> None:
    repo = DataRepo(tmp_path / "crm")
    repo.config("team:\n  ming: {name: 张明}\n")
    result = crm_build(repo, tmp_path / "out", env=build_env, run=invoke_crm)
    assert result.returncode == 0, result.stderr
    page = BeautifulSoup((tmp_path / "out" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert page.find("img", src=re.compile(r"interactions-by-month")) is not None
    assert (tmp_path / "out" / "customers" / "index.html").is_file()


def test_a_repository_silent_for_over_a_year_still_gets_its_charts(tmp_path: Path, build_env: dict[str, str]) -> None:
    """No conversation in the last twelve months: the month chart is flat, not a build failure."""
    repo = DataRepo(tmp_path / "crm")
    repo.config("team:\n  ming: {name: 张明}\n")
    repo.customer("KH-2020001", since="2020-01-01")
    repo.interaction("JL-2020001", "KH-2020001", "2020-02-01")
    result = crm_build(repo, tmp_path / "out", env=build_env, run=invoke_crm)
    assert result.returncode == 0, result.stderr
    assert "KH-2020001" in (tmp_path / "out" / "customers" / "KH-2020001" / "index.html").read_text(encoding="utf-8")


# --- refusing bad data, rewriting only what changed --------------------------------------------------------


def test_build_refuses_invalid_data_with_the_validators_messages(tmp_path: Path, build_env: dict[str, str]) -> None:
    repo = DataRepo(tmp_path / "crm")
    write_small_crm(repo)
    repo.put("id: KH-2024009\nname: 坏记录\ntype: enterprise\ntier: vip\n")
    result = crm_build(repo, tmp_path / "out", env=build_env, run=invoke_crm)
    assert result.returncode == 1
    assert "customers/KH-2024009.yaml:4:7: tier:" in result.stderr
    assert not (tmp_path / "out").exists()


def test_plain_mkdocs_build_uses_the_plugin_and_refuses_invalid_data(tmp_path: Path, build_env: dict[str, str]) -> None:
    repo = DataRepo(tmp_path / "crm")
    write_small_crm(repo)
    root_config = Path(__file__).parent.parent / "mkdocs.yml"
    repo.write("mkdocs.yml", root_config.read_text(encoding="utf-8"))
    repo.write("docs/.keep", "")
    mkdocs = [str(CRM.parent / "mkdocs"), "build", "-q", "-f", str(repo.root / "mkdocs.yml")]
    env = {**build_env, "CRM_AS_OF": AS_OF}
    built = subprocess.run(mkdocs, capture_output=True, text=True, timeout=300, env=env, check=False)
    assert built.returncode == 0, built.stderr
    assert (repo.root / "site" / "customers" / "KH-2024001" / "index.html").is_file()
    repo.put("id: KH-2024009\nname: 坏记录\ntype: enterprise\ntier: vip\n")
    refused = subprocess.run(mkdocs, capture_output=True, text=True, timeout=300, env=env, check=False)
    assert refused.returncode == 1
    assert "customers/KH-2024009.yaml:4:7: tier:" in refused.stderr


def test_a_rebuild_rewrites_only_the_pages_whose_content_changed(tmp_path: Path, build_env: dict[str, str]) -> None:
    repo = DataRepo(tmp_path / "crm")
    write_small_crm(repo)
    assert crm_build(repo, tmp_path / "out", env=build_env).returncode == 0
    staging = repo.root / ".crm-cache" / "site" / "public"
    before = {path: path.stat().st_mtime_ns for path in staging.rglob("*.md")}
    again = crm_build(repo, tmp_path / "out", env=build_env)
    assert "（0 个有改动，0 个已删除）" in again.stderr  # crm.yaml: zh
    repo.put(
        "id: JL-2026005\ncustomer: KH-2023001\ndate: 2026-11-20\nchannel: phone\nowner: ming\ntopic: 挽回电话\n",
    )
    edited = crm_build(repo, tmp_path / "out", env=build_env)
    assert edited.returncode == 0
    changed = {path.relative_to(staging).as_posix() for path in before if path.stat().st_mtime_ns != before[path]}
    assert "customers/KH-2023001.md" in changed
    assert "customers/KH-2024001.md" not in changed and "customers/KH-2024002.md" not in changed


# --- golden Markdown --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("src", "golden"),
    [
        ("customers/KH-2024001.md", "customer-KH-2024001.md"),
        ("customers/KH-2024002.md", "customer-KH-2024002-hostile.md"),
        ("customers/index.md", "customers-index.md"),
        ("followups.md", "followups.md"),
        ("segments/at_risk.md", "segment-at_risk.md"),
    ],
)
def test_generated_markdown_matches_the_golden_file(site: BuiltSite, src: str, golden: str) -> None:
    generated = site.generated(src)
    expected = GOLDEN / golden
    if os.environ.get("UPDATE_GOLDEN"):
        expected.write_text(generated, encoding="utf-8")
    assert generated == expected.read_text(encoding="utf-8"), f"{src} differs from {expected}; UPDATE_GOLDEN=1"


def test_an_edit_url_must_be_a_web_address(tmp_path: Path) -> None:
    """A javascript: or data: address would become a live link on every customer page."""
    repo = DataRepo(tmp_path / "crm")
    write_small_crm(repo)
    config = "team: {ming: {name: 张明}, hong: {name: 李红}}\nsite: {edit_url: 'javascript:alert(1)//'}\n"
    repo.config(config)
    result = invoke_crm("validate", "--root", str(repo.root))
    assert result.returncode == 1
    assert "crm.yaml:2:" in result.stdout and "site.edit_url" in result.stdout and "不是网址" in result.stdout
