"""One vocabulary (crmdata.records.vocabulary): every word in both languages, no two places with their own.

- every enum value the records, the engine and `crm diff` use has a Chinese and an English word, distinct
  within its set, and every label and phrase has both languages with the same placeholders;
- what sheets used before still imports: every synonym of the old tables, and 休眠期 for dormant;
- silent (沉默客户, computed) and dormant (休眠期, a stage) never share a display word, in either language;
- no code outside the vocabulary carries a display word of an enum value, and templates carry no words;
- the site, the terminal, sheets, the calendar and the schema show the vocabulary's words (end to end).
"""

from __future__ import annotations

import ast
import csv
import io
import re
import string
from enum import Enum
from pathlib import Path

import pytest

from crmdata.authoring import draft_words  # noqa: F401 (its catalogue registers)
from crmdata.engine import kpis
from crmdata.engine.schedule import Freshness, Reason, Status
from crmdata.git.diff import FollowUpEvent
from crmdata.records import problem_words, vocabulary  # noqa: F401 (problem_words: its catalogue registers)
from crmdata.records.models import (
    Channel,
    CustomerType,
    Flag,
    InteractionKind,
    OpportunityStage,
    PlanCycle,
    PlanStatus,
    Stage,
    Tier,
    Value,
)
from crmdata.records.schema import schema_for
from crmdata.records.vocabulary import (
    FLAGS,
    LABELS,
    SETS,
    SIGNALS,
    STAGES,
    TIERS,
    TYPES,
    Word,
    terms_of,
)
from tests.conftest import DEFAULT_CONFIG, DataRepo, run_crm

PROJECT = Path(__file__).resolve().parent.parent
HAN = re.compile(r"[\u4e00-\u9fff]")
ENUMS: tuple[type[Enum], ...] = (
    CustomerType,
    Tier,
    Stage,
    Value,
    Channel,
    InteractionKind,
    PlanCycle,
    PlanStatus,
    OpportunityStage,
    Flag,
    Reason,
    Status,
    Freshness,
    FollowUpEvent,
)
"""Every enum whose values a person reads somewhere."""

OLD_SHEET_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "tier": {
        "strategic": ("战略客户", "战略", "战略级", "战略级客户"),
        "regular": ("普通客户", "普通", "常规客户", "常规", "一般客户"),
        "potential": ("潜在客户", "潜在", "潜力客户", "潜力"),
    },
    "type": {
        "individual": ("个人", "个人客户", "自然人"),
        "enterprise": ("企业", "企业客户", "公司"),
        "government": ("政府机构", "政府", "政府客户", "政府部门"),
        "institutional_investor": ("机构投资者", "投资机构"),
    },
    "stage": {
        "prospecting": ("接洽期", "接洽", "开发中"),
        "active": ("合作期", "合作中", "活跃"),
        "stable": ("稳定期", "稳定"),
        "dormant": ("沉默", "沉默期", "休眠"),
        "churned": ("流失", "已流失"),
    },
    "value": {
        "high": ("高", "高价值", "高价值客户"),
        "medium": ("中", "中等", "中价值", "一般"),
        "low": ("低", "低价值", "低价值客户"),
    },
    "channel": {
        "phone": ("电话", "电话沟通", "致电", "来电", "call"),
        "video": ("线上会议", "视频会议", "视频", "video call"),
        "visit": ("拜访", "上门拜访", "面谈", "当面", "上门", "in person"),
        "im": ("即时通讯", "微信", "企业微信", "钉钉", "wechat"),
        "email": ("邮件", "电子邮件", "e-mail", "mail"),
        "sms": ("短信", "text message"),
        "event": ("活动", "展会", "会议活动"),
        "other": ("其他", "其它"),
    },
    "kind": {
        "followup": ("跟进", "日常跟进"),
        "onboarding": ("签约启动", "启动"),
        "complaint": ("投诉",),
        "survey": ("回访调查", "满意度调查", "调查"),
        "care": ("关怀", "客户关怀", "问候", "节日问候"),
        "sale": ("销售",),
        "referral": ("转介绍",),
    },
}
"""The words crmdata/sheets/tables.py read before the one vocabulary: a team's old sheets use them."""

HANDBOOK = {
    "type": ("个人", "企业", "政府机构", "机构投资者"),
    "tier": ("战略客户", "普通客户", "潜在客户"),
    "stage": ("接洽期", "合作期", "稳定期", "休眠期", "流失"),
}
"""The handbooks' own words, in the enums' order."""


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


# --- completeness ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ENUMS, ids=lambda kind: kind.__name__)
def test_every_enum_value_has_a_word_in_each_language_distinct_within_its_set(kind: type[Enum]) -> None:
    terms = terms_of(kind)  # the set whose values are exactly the enum's
    assert list(terms.words) == [member.value for member in kind], "the set lists the values in the enum's order"
    for member in kind:
        word = terms.words[member.value]
        assert word.zh.strip() and word.en.strip(), member
        assert HAN.search(word.zh), f"{kind.__name__}.{member.name}: {word.zh!r} is not Chinese"
        assert not HAN.search(word.en), f"{kind.__name__}.{member.name}: {word.en!r} is not English"
    for language in ("zh", "en"):
        shown = [terms.word(member, language) for member in kind]
        assert len(set(shown)) == len(shown), f"{kind.__name__}: two values share a word in {language}: {shown}"


def test_every_set_of_the_vocabulary_is_an_enum_of_the_code() -> None:
    """No set without its enum (a stale set would be words nobody reads); the diff's own small sets aside."""
    owned = {terms_of(kind).name for kind in ENUMS}
    assert set(SETS) - owned == {"signal", "segment_kind", "change", "left_because", "boolean"}


def test_every_word_has_both_languages_with_the_same_placeholders() -> None:
    for where, word in vocabulary.every_word():
        assert word.zh.strip() and word.en.strip(), where
        assert placeholders(word.zh) == placeholders(word.en), f"{where}: {word.zh!r} / {word.en!r}"
        if word.en_plural is not None:
            assert "count" in placeholders(word.en), where
            assert placeholders(word.en_plural) == placeholders(word.en), where


def test_every_kpi_has_its_title_in_the_vocabulary_and_no_title_is_left_over() -> None:
    assert [definition.name for definition in kpis.KPIS] == list(vocabulary.KPI_TITLES)
    for definition in kpis.KPIS:
        assert definition.title("zh") == vocabulary.KPI_TITLES[definition.name].zh
        assert definition.title("en") == vocabulary.KPI_TITLES[definition.name].en


CODE_WORDS = re.compile(r"`|\bas_of\b|\bnull\b|\bNone\b|policy\.|\b[a-z]+_[a-z_]+\b|[{}]")
"""What a sales manager should not meet in a KPI's definition: code spans, field keys (`silent_after_days`,
`churned_on`), `as_of`, `null`, `policy.` and placeholders left unfilled."""


def test_every_kpi_has_a_plain_definition_in_each_language_and_none_is_left_over() -> None:
    assert [definition.name for definition in kpis.KPIS] == list(vocabulary.KPI_DEFINITIONS)
    for definition in kpis.KPIS:
        zh, en = definition.explained("zh"), definition.explained("en")
        assert HAN.search(zh) and not HAN.search(en), definition.name
        assert zh != definition.definition and en != definition.definition, "the docstring stays for developers"


@pytest.mark.parametrize("language", ["zh", "en"])
def test_no_kpi_definition_shown_holds_code_words(language: str) -> None:
    from site_builder.help.reference import kpi_page

    shown = [definition.explained(language) for definition in kpis.KPIS]
    shown.append(re.sub(r"^#.*$|^`[a-z_0-9]+` ·.*$", "", kpi_page(language), flags=re.MULTILINE))  # keys are ids
    found = [(text[:60], CODE_WORDS.findall(text)) for text in shown if CODE_WORDS.search(text)]
    assert not found


def test_kpi_definitions_name_the_settings_with_crm_yamls_values() -> None:
    from crmdata.records.models import Policy

    silent = next(definition for definition in kpis.KPIS if definition.name == "silent_customers")
    assert "90 天" in silent.explained("zh") and "沉默期" in silent.explained("zh")
    assert "45 天" in silent.explained("zh", Policy(silent_after_days=45))
    assert "for 45 days" in silent.explained("en", Policy(silent_after_days=45))


def test_a_missing_word_is_an_error_not_the_key_shown() -> None:
    with pytest.raises(KeyError):
        vocabulary.label("no_such_label", "zh")
    with pytest.raises(KeyError):
        vocabulary.phrase("no_such_phrase", "en")
    with pytest.raises(KeyError):
        vocabulary.term("fax", "zh", of="channel")


def test_templates_ask_only_for_labels_and_sets_that_exist() -> None:
    for template in (PROJECT / "site_builder" / "templates").glob("*.j2"):
        text = template.read_text(encoding="utf-8")
        for key in re.findall(r"""\bt\(\s*["']([a-z0-9_]+)["']""", text):
            assert key in LABELS, f"{template.name}: t({key!r})"
        for name in re.findall(r"""\bof=["']([a-z_]+)["']""", text):
            assert name in SETS, f"{template.name}: of={name!r}"


def test_the_language_defaults_to_chinese() -> None:
    assert vocabulary.language_code(None) == "zh" and vocabulary.language_code("fr") == "zh"
    assert vocabulary.term(Stage.DORMANT, None) == "休眠期"


# --- the handbooks' words, and silent apart from dormant ------------------------------------------------


@pytest.mark.parametrize("name", HANDBOOK)
def test_the_handbooks_words_are_the_chinese_words(name: str) -> None:
    assert tuple(word.zh for word in SETS[name].words.values()) == HANDBOOK[name]


def test_silent_and_dormant_never_share_a_display_word() -> None:
    """沉默客户 / Silent is computed (no contact for silent_after_days); 休眠期 / Dormant is a stage."""
    silent = {FLAGS.words["silent"], SIGNALS.words["silent"], LABELS["silent"], LABELS["silent_customers"]}
    dormant = {STAGES.words["dormant"], SIGNALS.words["dormant"]}
    for language in ("zh", "en"):
        silent_words = {word.text(language) for word in silent}
        dormant_words = {word.text(language) for word in dormant}
        assert not silent_words & dormant_words
        for word in dormant_words:
            assert "沉默" not in word and "silent" not in word.casefold(), word
        for word in silent_words:
            assert "休眠" not in word and "dormant" not in word.casefold(), word
    assert STAGES.words["dormant"].zh == "休眠期" and FLAGS.words["silent"].zh == "沉默客户"


# --- import: every word a sheet used still reads --------------------------------------------------------


@pytest.mark.parametrize("name", OLD_SHEET_WORDS)
def test_every_word_old_sheets_used_still_imports(name: str) -> None:
    terms = SETS[name]
    for value, words in OLD_SHEET_WORDS[name].items():
        for word in (value, value.upper(), *words):
            assert terms.lookup(word) == value, f"{name}: {word!r}"
    assert STAGES.lookup("休眠期") == "dormant"


@pytest.mark.parametrize("name", ["type", "tier", "stage", "value", "channel", "kind", "boolean"])
def test_every_word_of_a_set_reads_back_as_its_value_and_no_word_means_two(name: str) -> None:
    terms = SETS[name]
    seen: dict[str, str] = {}
    for value, word in terms.words.items():
        for text in (value, *word.all):
            key = vocabulary.word_key(text)
            assert seen.setdefault(key, value) == value, f"{name}: {text!r} means {seen[key]} and {value}"
            assert terms.lookup(text) == value


def test_a_tier_word_and_a_type_word_are_never_the_same() -> None:
    """客户类型 holds a tier word or a type word, and the word decides which."""
    tier_words = {vocabulary.word_key(text) for value, word in TIERS.words.items() for text in (value, *word.all)}
    type_words = {vocabulary.word_key(text) for value, word in TYPES.words.items() for text in (value, *word.all)}
    assert not tier_words & type_words


# --- no words outside the vocabulary --------------------------------------------------------------------

RETIRED = ("活跃", "常规客户", "潜力客户", "开发中", "休眠", "沉默期", "个人客户", "企业客户", "已流失")
"""Display words of the site and the sheets before the one vocabulary: synonyms on import, shown nowhere."""


def _display_words() -> dict[str, str]:
    """word -> where, for every word of an enum's set: the Chinese word and synonyms exactly, and the English
    word when it is not the value itself (`On track`, `due soon`: compared without case)."""
    found: dict[str, str] = {}
    for kind in ENUMS:
        terms = terms_of(kind)
        for value, word in terms.words.items():
            for text in (word.zh, *(synonym for synonym in word.synonyms if HAN.search(synonym))):
                found[text] = f"{terms.name}.{value}"
            if word.en.casefold() != value:
                found[word.en.casefold()] = f"{terms.name}.{value}"
    return found


SAME_WORD_OTHER_THING = {
    ("crmdata/sheets/tables.py", "电话"): "the header of the phone-number column, the handbook table's own",
    ("crmdata/sheets/tables.py", "电子邮件"): "a header of the e-mail column",
    ("crmdata/records/names.py", "公司"): "a legal form stripped from company names when matching duplicates",
}
"""Where a display word of a value is written for another thing that happens to have the same word."""


def _constants(path: Path) -> list[tuple[int, str]]:
    """The string constants of a module, docstrings left out (they explain; they are not shown)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_no_display_word_of_an_enum_value_is_written_outside_the_vocabulary() -> None:
    """A word typed in a module of its own is a second place that can disagree: the vocabulary is the one."""
    words = _display_words()
    sources = [
        path
        for folder in ("crmdata", "site_builder")
        for path in sorted((PROJECT / folder).rglob("*.py"))
        if path != PROJECT / "crmdata" / "records" / "vocabulary.py"
    ]
    assert len(sources) > 40
    found = []
    for path in sources:
        for line, text in _constants(path):
            where = words.get(text) or words.get(text.casefold()) if not HAN.search(text) else words.get(text)
            if where and (path.relative_to(PROJECT).as_posix(), text) not in SAME_WORD_OTHER_THING:
                found.append(f"{path.relative_to(PROJECT)}:{line}: {text!r} is the word of {where}")
            found += [
                f"{path.relative_to(PROJECT)}:{line}: {text!r} holds the retired word {word!r}"
                for word in RETIRED
                if word in text
            ]
    assert not found, "\n".join(found)


def test_templates_hold_no_words() -> None:
    for template in (PROJECT / "site_builder" / "templates").glob("*.j2"):
        text = re.sub(r"\{#.*?#\}", "", template.read_text(encoding="utf-8"), flags=re.DOTALL)
        assert not HAN.search(text), f"{template.name} holds Chinese text: words come from t() and term()"


def test_the_schema_describes_each_value_with_its_words() -> None:
    from crmdata.records.models import Customer, Interaction

    customer = schema_for(Customer)["properties"]
    assert customer["stage"]["description"] == (
        "阶段 — prospecting 接洽期, active 合作期, stable 稳定期, dormant 休眠期, churned 流失"
    )
    assert customer["tier"]["description"] == "客户分级 — strategic 战略客户, regular 普通客户, potential 潜在客户"
    assert (
        "individual 个人, enterprise 企业, government 政府机构, institutional_investor 机构投资者"
        in (customer["type"]["description"])
    )
    assert "video 线上会议" in schema_for(Interaction)["properties"]["channel"]["description"]


# --- end to end: what a person reads -------------------------------------------------------------------


def _dormant_repository(repo: DataRepo, language: str | None) -> None:
    config = DEFAULT_CONFIG + (f"language: {language}\n" if language else "")
    repo.write("crm.yaml", config)
    repo.customer("KH-2024002", name="休眠客户", stage="dormant", tier="potential", type="individual")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_export_writes_the_vocabulary_and_import_reads_it_back(repo: DataRepo, tmp_path: Path, language: str) -> None:
    """Export under Chinese headers writes the handbooks' words (休眠期, 潜在客户, 个人); import reads them, and
    every word an older sheet used, as the same records."""
    _dormant_repository(repo, language)
    sheet = run_crm("export", "customers", "--root", str(repo.root), "--headers", "zh")
    assert sheet.returncode == 0, sheet.stderr
    rows = list(csv.DictReader(io.StringIO(sheet.stdout)))
    dormant = next(row for row in rows if row["客户编号"] == "KH-2024002")
    assert (dormant["阶段"], dormant["客户类型"], dormant["客户性质"]) == ("休眠期", "潜在客户", "个人")

    fresh = DataRepo(tmp_path / "fresh")
    fresh.write("crm.yaml", DEFAULT_CONFIG)
    sheet_file = tmp_path / "客户.csv"
    sheet_file.write_text(sheet.stdout, encoding="utf-8")
    written = run_crm("import", "customers", str(sheet_file), "--root", str(fresh.root), "--write")
    assert written.returncode == 0, written.stdout + written.stderr
    assert "stage: dormant" in (fresh.root / "customers" / "KH-2024002.yaml").read_text(encoding="utf-8")


def test_a_sheet_in_the_words_teams_used_before_imports_as_the_same_values(
    empty_repo: DataRepo, tmp_path: Path
) -> None:
    """Every stage, tier and type word the old tables read, written by --write and read back from the files."""
    rows = []
    for field in ("stage", "tier", "type"):
        for value, words in OLD_SHEET_WORDS[field].items():
            rows += [(field, value, word) for word in words]
    lines = ["客户名称,客户类型,客户性质,阶段,负责人,合作起始日期,流失日期"]
    for number, (field, _, word) in enumerate(rows):
        tier = word if field == "tier" else "常规客户"
        kind = word if field == "type" else "企业客户"
        stage = word if field == "stage" else "活跃"
        churned_on = "2024-06-01" if field == "stage" and STAGES.lookup(word) == "churned" else ""
        lines.append(f"旧表客户{number},{tier},{kind},{stage},张明,2024-01-01,{churned_on}")
    sheet = tmp_path / "old.csv"
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    written = run_crm("import", "customers", str(sheet), "--root", str(empty_repo.root), "--write")
    assert written.returncode == 0, written.stdout + written.stderr
    records = {}
    for path in (empty_repo.root / "customers").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        name = re.search(r"^name: (\S+)$", text, re.MULTILINE)
        assert name is not None
        records[name.group(1)] = text
    assert len(records) == len(rows)
    for number, (field, value, word) in enumerate(rows):
        assert f"\n{field}: {value}\n" in records[f"旧表客户{number}"], (field, word)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh", ["休眠期", "潜在客户", "个人", "沉默客户"]),
        ("en", ["Dormant", "Potential", "Individual", "Silent"]),
    ],
)
def test_the_site_the_terminal_and_the_calendar_use_the_same_words(
    repo: DataRepo, tmp_path: Path, language: str, words: list[str]
) -> None:
    stage, tier, kind, silent = words
    _dormant_repository(repo, language)
    segments = run_crm("segments", "silent", "--root", str(repo.root), "--as-of", "2026-11-24").stdout
    line = next(line for line in segments.splitlines() if "KH-2024002" in line)
    assert stage in line.split()
    listing = run_crm("segments", "--root", str(repo.root), "--as-of", "2026-11-24").stdout
    assert any(line.startswith("stage:dormant ") and line.endswith(stage) for line in listing.splitlines())
    due = run_crm("due", "--root", str(repo.root), "--as-of", "2026-11-24").stdout
    assert next(line for line in due.splitlines() if "KH-2024002" in line).rstrip().endswith(silent)
    feed = run_crm("calendar", "--root", str(repo.root), "--as-of", "2026-11-24", "--out", "-").stdout
    assert ("沉默客户" if language == "zh" else "Silent customer") in feed.replace("\r\n ", "")

    out = tmp_path / "site"
    built = run_crm("build", "--root", str(repo.root), "--as-of", "2026-11-24", "--out", str(out))
    assert built.returncode == 0, built.stderr
    page = (out / "customers" / "KH-2024002" / "index.html").read_text(encoding="utf-8")
    for word in (stage, tier, kind, silent):
        assert f">{word}<" in page or f"| {word} |" in page or f"{word}</td>" in page, word
    other = "en" if language == "zh" else "zh"
    assert vocabulary.term(Stage.DORMANT, other) not in page


def test_word_text_picks_the_plural_and_fills_placeholders() -> None:
    word = Word("{count} 天", "{count} day", en_plural="{count} days")
    assert (word.text("en", count=1), word.text("en", count=2), word.text("zh", count=2)) == ("1 day", "2 days", "2 天")


def test_risk_signals_are_worded_by_name_and_figures_in_each_language() -> None:
    """The engine gives (name, figures); `no contact for ever` was English prose reworded by position."""
    assert vocabulary.signal_text("silent", {}, "en") == "no contact yet"
    assert vocabulary.signal_text("silent", {}, "zh") == "尚未联系"
    assert vocabulary.signal_text("silent", {"days": 95.0}, "zh") == "95 天没有联系"
    assert vocabulary.signal_text("satisfaction_falling", {"latest": 2.0, "earlier_average": 4.5}, "en") == (
        "satisfaction fell to 2 from an average of 4.5"
    )
    assert vocabulary.signal_text("dormant", {}, "zh") == "阶段为休眠期"
