"""Reference pages written from the code at build time, so they cannot drift from it.

- the command reference: every `crm` command's help (usage, description, options, examples) read from the
  click command objects, i.e. exactly what `crm COMMAND --help` prints;
- the KPI definitions: the `@kpi` registry (key, Chinese and English name, the vocabulary's definition for
  people, with crm.yaml's settings);
- the record fields: every field of the pydantic models with its `Field(description=...)`, read through the
  JSON Schema `crm schema` writes (so the types shown are the ones editors check).

Each function returns Markdown. Text from the code is trusted (it is ours) but still escaped, so a `|` or a
`<ID>` in a help text stays a character; code spans in docstrings (`since`) stay code.
"""

from __future__ import annotations

import html
import inspect
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import click
from pydantic import BaseModel

from crmdata.engine.kpis import KPIS
from crmdata.records.models import Contract, CrmConfig, Customer, Interaction, Opportunity, Plan, Policy
from crmdata.records.models.fields import ID_PATTERN
from crmdata.records.schema import schema_for

_CODE_SPAN = re.compile(r"(`[^`\n]+`)")
_PROSE = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", **{char: f"&#{ord(char)};" for char in "\\`*_{}[]|#~^$@"}}
)
"""Outside code spans: HTML's three, and every character Markdown or its extensions could read as markup
(emphasis, links, a table cell's end, attr_list braces, headings)."""


def inline(text: str) -> str:
    """One paragraph of trusted prose as Markdown: wrapped lines joined, code spans kept, the rest escaped."""
    flat = " ".join(text.split())
    return "".join(part if _CODE_SPAN.fullmatch(part) else part.translate(_PROSE) for part in _CODE_SPAN.split(flat))


def english(markdown: str, language: str) -> str:
    """Text written in English in the code (--help texts, the models' field descriptions) as it appears on a
    page of `language`: declared English (`lang="en"`) on a Chinese page, so readers, screen readers and
    translators know it, and the site's language check tells it from our own words."""
    if language == "en" or not markdown:
        return markdown
    return f'<span lang="en">{markdown}</span>'


def fenced(text: str, info: str = "text") -> str:
    """A fenced code block that no line of `text` can close early."""
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}{info}\n{text.rstrip()}\n{fence}"


# --- commands ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommandDoc:
    """One command as its help shows it: `path` is what follows `crm` (`new customer`)."""

    path: str
    command: click.Command
    context: click.Context

    @property
    def src(self) -> str:
        """Its page in the site, e.g. help/commands/new-customer.md."""
        return f"help/commands/{self.path.replace(' ', '-')}.md"

    @property
    def short(self) -> str:
        return self.command.get_short_help_str(limit=120)

    @property
    def usage(self) -> str:
        pieces = self.command.collect_usage_pieces(self.context)
        return " ".join([self.context.command_path, *pieces])

    @property
    def help_text(self) -> str:
        """The help text as click shows it: up to a `\\f`, dedented."""
        text = inspect.cleandoc(self.command.help or "")
        return text.split("\f", 1)[0]

    def options(self) -> list[tuple[str, str]]:
        """(the option as typed, its help with the default) for every option, --help included; arguments
        are in the usage line."""
        records = []
        for parameter in self.command.get_params(self.context):
            record = parameter.get_help_record(self.context) if isinstance(parameter, click.Option) else None
            if record is not None:
                records.append(record)
        return records

    def full_help(self) -> str:
        """Exactly what `crm PATH --help` prints."""
        return self.command.get_help(self.context)


def crm_group() -> click.Group:
    """The `crm` command group.

    The one import of the CLI outside it: this page documents the command line, so it reads the command
    objects themselves rather than a copy of their help.
    """
    from crmdata.cli.main import main

    return main


def commands(group: click.Group | None = None) -> list[CommandDoc]:
    """Every command and sub-command of `crm`, in the order `crm --help` lists them."""
    group = group or crm_group()
    root = _context(group, "crm", None)
    found: list[CommandDoc] = []

    def walk(command: click.Command, name: str, parent: click.Context, path: str) -> None:
        context = _context(command, name, parent)
        found.append(CommandDoc(path, command, context))
        if isinstance(command, click.Group):
            for sub_name in command.list_commands(context):
                sub = command.get_command(context, sub_name)
                if sub is not None and not sub.hidden:
                    walk(sub, sub_name, context, f"{path} {sub_name}")

    for name in group.list_commands(root):
        command = group.get_command(root, name)
        if command is not None and not command.hidden:
            walk(command, name, root, name)
    return found


HELP_WIDTH = 78
"""The width the reference pages' `--help` text is wrapped at: what click gives a terminal of 80 columns or
more. Never the building terminal's own width: the site must be the same whoever builds it."""


def _context(command: click.Command, name: str, parent: click.Context | None) -> click.Context:
    """The context `crm … --help` would make (the group's settings, such as -h for help, included), at a
    fixed width."""
    settings = {**command.context_settings, "terminal_width": HELP_WIDTH}
    return click.Context(command, info_name=name, parent=parent, **settings)


def _help_blocks(text: str) -> Iterator[tuple[bool, str]]:
    """(verbatim, text) for each paragraph: click keeps a paragraph after a `\\b` line as it is written."""
    for paragraph in re.split(r"\n\s*\n", text):
        if paragraph.lstrip().startswith("\b"):
            yield True, inspect.cleandoc(paragraph.lstrip()[1:].lstrip("\n"))
        elif paragraph.strip():
            yield False, paragraph


UNITS: dict[str, dict[str, str]] = {
    "zh": {"count": "个数", "ratio": "比率 0..1", "score": "分 1..5", "days": "天", "table": "表", "amount": "金额"},
    "en": {
        "count": "count",
        "ratio": "ratio 0..1",
        "score": "score 1..5",
        "days": "days",
        "table": "table",
        "amount": "amount",
    },
}
WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "commands": "命令参考",
        "commands_intro": (
            "每个 `crm` 命令的帮助，在网站构建时从命令本身读出：与终端里 `crm 命令 --help` 显示的完全相同。"
            "每个命令都接受 `--root DIR`（数据仓库，默认当前目录）和 `-h` / `--help`。"
        ),
        "command": "命令",
        "does": "作用",
        "global": "总览（`crm --help`）",
        "usage": "用法",
        "options": "选项",
        "meaning": "说明",
        "subcommands": "子命令",
        "terminal": "终端里的 `--help`",
        "back": "所有命令",
        "kpis": "指标定义",
        "kpis_intro": (
            "每个指标算的是什么。“数据日期”是看板上方显示的日期（默认今天，更早的日期可以重现当时的数字）；"
            "“最近 365 天”指数据日期之前的 365 天，含数据日期当天。定义里的天数和小时数是本仓库 crm.yaml 的设置。"
            "[指标](../kpis.md)页显示当前数值、30 天前和 90 天前的数值；脚本用 crm kpi --format json 读取"
            "每个指标，也按负责人分别给出。"
        ),
        "key": "键",
        "name_zh": "中文名",
        "name_en": "英文名",
        "unit": "单位",
        "definition": "定义",
        "fields": "记录字段",
        "fields_intro": (
            "记录文件里的每个字段，在网站构建时从数据模型（`crmdata/records/models/`）的字段说明生成，"
            "与 `crm schema` 写出的 JSON Schema 相同。未列出的键都是错误。"
            "类型为 `id` 的值（编号、负责人键）由字母、数字、`-` 和 `_` 组成，以字母或数字开头，最长 64 个字符，"
            "且不能是保留字（`index`、`search`、`assets`、`404`、`sitemap`，"
            "以及 Windows 保留的 `con`、`nul`、`com1` 等）。"
        ),
        "settings": "crm.yaml 设置",
        "settings_intro": (
            "crm.yaml 的每个键，在网站构建时从数据模型（`crmdata/records/models/config.py`）的字段说明生成。"
            "除 `team` 外都可省略，省略时取默认值；未列出的键都是错误。用法见[记录格式](records.md#crm-yaml)。"
        ),
        "field": "字段",
        "required": "必填",
        "type": "类型 / 取值",
        "yes": "是",
        "no": "否",
        "default": "默认",
        "file": "文件",
        "part_of": "出现在",
    },
    "en": {
        "commands": "Command reference",
        "commands_intro": (
            "Every `crm` command's help, read from the commands themselves when the site is built: the same "
            "text `crm COMMAND --help` prints in a terminal. Every command takes `--root DIR` (the data "
            "repository, default the current folder) and `-h` / `--help`."
        ),
        "command": "command",
        "does": "does",
        "global": "Overview (`crm --help`)",
        "usage": "Usage",
        "options": "Options",
        "meaning": "meaning",
        "subcommands": "Sub-commands",
        "terminal": "`--help` in a terminal",
        "back": "All commands",
        "kpis": "KPI definitions",
        "kpis_intro": (
            "What each KPI counts. The report date is the date shown at the top of the dashboard (today by "
            'default; an earlier date reproduces the figures of that day); "the last 365 days" are the 365 '
            "days up to and including the report date. The days and hours in the definitions are this "
            "repository's settings in crm.yaml. The [KPIs](../kpis.md) page shows the values now, 30 and 90 "
            "days ago; scripts read every KPI, and each per owner, with crm kpi --format json."
        ),
        "key": "key",
        "name_zh": "Chinese name",
        "name_en": "name",
        "unit": "unit",
        "definition": "definition",
        "fields": "Record fields",
        "fields_intro": (
            "Every field of the record files, generated when the site is built from the "
            "descriptions in the data models (`crmdata/records/models/`), the same the JSON Schema of `crm schema` "
            "carries. Any key not listed is an error. An id (record ids, team keys) is letters, digits, `-` and `_`, "
            "starting with a letter or digit, at most 64 characters, and never a reserved word (`index`, `search`, "
            "`assets`, `404`, `sitemap`, and the names Windows reserves: `con`, `nul`, `com1` …)."
        ),
        "settings": "crm.yaml settings",
        "settings_intro": (
            "Every key of crm.yaml, generated when the site is built from the descriptions in the data models "
            "(`crmdata/records/models/config.py`). Everything but `team` is optional and has a default; any key not "
            "listed is an error. [Records](records.md#crm-yaml) shows them in use."
        ),
        "field": "field",
        "required": "required",
        "type": "type / values",
        "yes": "yes",
        "no": "no",
        "default": "default",
        "file": "file",
        "part_of": "used in",
    },
}


def commands_index(language: str, docs: list[CommandDoc]) -> str:
    """The command reference's first page: one row per command, then `crm --help` itself."""
    w = WORDS[language]
    group = crm_group()
    lines = [f"# {w['commands']}", "", w["commands_intro"], ""]
    lines += [f"| {w['command']} | {w['does']} |", "|---|---|"]
    for doc in docs:
        short = english(inline(doc.short), language)
        lines.append(f"| [`crm {doc.path}`]({doc.path.replace(' ', '-')}.md) | {short} |")
    lines += ["", f"## {w['global']}", "", fenced(group.get_help(_context(group, "crm", None))), ""]
    return "\n".join(lines)


def command_page(language: str, doc: CommandDoc) -> str:
    """One command: usage, description, examples (verbatim blocks), options, then the raw --help."""
    w = WORDS[language]
    back = "../" * doc.path.count(" ")
    lines = [f"# crm {doc.path}", "", f"[← {w['back']}]({back}index.md)", "", fenced(doc.usage, "sh"), ""]
    for verbatim, text in _help_blocks(doc.help_text):
        if not verbatim:
            lines += [english(inline(text), language), ""]
            continue
        first, _, rest = text.partition("\n")
        if first.endswith(":") and rest.strip():  # "Examples:" and the examples
            lines += [f"**{english(inline(first), language)}**", "", fenced(textwrap.dedent(rest), "sh"), ""]
        else:
            lines += [fenced(text), ""]
    if isinstance(doc.command, click.Group):
        lines += [f"## {w['subcommands']}", "", f"| {w['command']} | {w['does']} |", "|---|---|"]
        for sub in commands(crm_group()):
            if sub.path.startswith(doc.path + " ") and sub.path.count(" ") == doc.path.count(" ") + 1:
                short = english(inline(sub.short), language)
                lines.append(f"| [`crm {sub.path}`]({sub.path.replace(' ', '-')}.md) | {short} |")
        lines.append("")
    lines += [f"## {w['options']}", ""]
    for typed, meaning in doc.options():
        lines.append(f"- `{typed}`" + (f": {english(inline(meaning), language)}" if meaning else ""))
    lines += ["", terminal_help(w["terminal"], doc.full_help()), ""]
    return "\n".join(lines)


_CODE_MARKS = re.compile(r"`([^`]+)`")


def terminal_help(title: str, text: str) -> str:
    """`crm … --help` as the terminal prints it, folded: raw HTML (material's details style), because a
    fenced block inside a `???` fold needs pymdownx.superfences and otherwise shows as a paragraph of text."""
    summary = _CODE_MARKS.sub(r"<code>\1</code>", html.escape(title))
    return (
        f'<details class="note"><summary>{summary}</summary>\n'
        f"<pre><code>{html.escape(text.rstrip())}</code></pre>\n</details>"
    )


# --- KPIs ----------------------------------------------------------------------------------------------


def kpi_page(language: str, policy: Policy | None = None) -> str:
    """Every registered KPI in display order: key, names, unit and its definition for people, in `language`
    with the values of crm.yaml's `policy` (the docstrings are the developers' precise definitions)."""
    w, units = WORDS[language], UNITS[language]
    lines = [f"# {w['kpis']}", "", w["kpis_intro"], ""]
    for definition in KPIS:
        unit = units.get(definition.unit, definition.unit)
        lines += [f"## {inline(definition.title(language))} {{#{definition.name}}}", ""]
        lines += [inline(definition.summary(language)), ""]
        lines += [inline(definition.explained(language, policy)), ""]
        lines += [f"`{definition.name}` · {unit}", ""]  # the key scripts read (crm kpi --format json)
    return "\n".join(lines)


# --- record fields -------------------------------------------------------------------------------------

RECORD_FILES: tuple[tuple[str, type[BaseModel]], ...] = (
    ("customers/<ID>.yaml", Customer),
    ("interactions/<YYYY>/<ID>.yaml", Interaction),
    ("plans/<ID>.yaml", Plan),
    ("opportunities/<ID>.yaml", Opportunity),
    ("contracts/<ID>.yaml", Contract),
)
"""The record files and their models: the record fields page."""
CONFIG_FILES: tuple[tuple[str, type[BaseModel]], ...] = (("crm.yaml", CrmConfig),)
"""crm.yaml and its model: the settings page."""


@dataclass(frozen=True)
class ModelDoc:
    """One object type of the JSON Schema: its name, description, fields and where it is used."""

    name: str
    description: str
    schema: dict[str, Any]
    file: str | None
    """The record file it is (for the top-level models), else None."""


def field_models(files: tuple[tuple[str, type[BaseModel]], ...] = RECORD_FILES + CONFIG_FILES) -> list[ModelDoc]:
    """The models of these files, then every nested object they use, each once, in order of first use."""
    found: dict[str, ModelDoc] = {}
    for file, model in files:
        schema = schema_for(model)
        found.setdefault(model.__name__, ModelDoc(model.__name__, schema.get("description", ""), schema, file))
        _collect_nested(schema.get("properties", {}), schema.get("$defs", {}), found)
    return list(found.values())


def _collect_nested(node: Any, definitions: dict[str, Any], found: dict[str, ModelDoc]) -> None:
    """Add every object type `node` refers to (and those they refer to) to `found`, depth first."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            target = definitions.get(name, {})
            if target.get("type") == "object" and name not in found:
                found[name] = ModelDoc(name, target.get("description", ""), target, None)
                _collect_nested(target.get("properties", {}), definitions, found)
        for value in node.values():
            _collect_nested(value, definitions, found)
    elif isinstance(node, list):
        for value in node:
            _collect_nested(value, definitions, found)


def _type_text(node: dict[str, Any], definitions: dict[str, Any]) -> str:
    """A JSON Schema node as a short Markdown phrase: `date`, one of `a`, `b`, a list of [Contact](#contact)."""
    ref = node.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        target = definitions.get(name, {})
        if "enum" in target:
            return ", ".join(f"`{value}`" for value in target["enum"])
        if target.get("type") == "object" and "properties" in target:
            return f"[{name}](#{name.lower()})"
        return _type_text(target, definitions)
    if "enum" in node:
        return ", ".join(f"`{value}`" for value in node["enum"])
    if "anyOf" in node or "oneOf" in node:
        return " or ".join(_type_text(option, definitions) for option in node.get("anyOf", node.get("oneOf", [])))
    kind = node.get("type")
    if kind == "array":
        return f"list of {_type_text(node.get('items', {}), definitions)}"
    if kind == "object":
        values = node.get("additionalProperties")
        if not isinstance(values, dict):
            values = next(iter(node.get("patternProperties", {}).values()), None)
        if isinstance(values, dict):
            return f"mapping of name → {_type_text(values, definitions)}"
        return "mapping"
    if kind == "string":
        pattern = node.get("pattern", "")
        if node.get("format") == "date-time" or "[Tt ]" in pattern:
            return "datetime"
        if node.get("format") == "date":
            return "date"
        if pattern == ID_PATTERN:
            return "id"
        if pattern and pattern != r"\S":
            return f"text matching `{pattern}`"
        return "text"
    if kind == "integer":
        low, high = node.get("minimum"), node.get("maximum")
        return f"integer {low}..{high}" if low is not None and high is not None else "integer"
    if kind == "boolean":
        return "`true` / `false`"
    if kind == "number":
        return "number"
    return "value"


def fields_page(language: str, files: tuple[tuple[str, type[BaseModel]], ...]) -> str:
    """The fields of these record files' models and of the objects nested in them: name, required, type,
    default, description. The record files (customers, interactions) make one page, crm.yaml another."""
    w = WORDS[language]
    crm_yaml = files[0][1] is CrmConfig
    title = w["settings"] if crm_yaml else w["fields"]
    lines = [f"# {title}", "", w["settings_intro"] if crm_yaml else w["fields_intro"], ""]
    models = field_models(files)
    definitions: dict[str, Any] = {}
    for _file, model in files:
        definitions.update(schema_for(model).get("$defs", {}))
    for doc in models:
        heading = f"`{doc.file or doc.name}`"  # a nested object by its JSON Schema name
        lines += [f"## {heading} {{#{doc.name.lower()}}}", ""]
        if doc.description:
            lines += [english(inline(doc.description), language), ""]
        required = set(doc.schema.get("required", []))
        lines += [f"| {w['field']} | {w['required']} | {w['type']} | {w['meaning']} |", "|---|---|---|---|"]
        for name, node in doc.schema.get("properties", {}).items():
            default = node.get("default")  # a nested object's defaults are shown in its own table
            needed = w["yes"] if name in required else w["no"]
            if default not in (None, [], {}) and not isinstance(default, dict):
                needed += f" ({w['default']} `{_default_text(default)}`)"
            lines.append(
                f"| `{name}` | {needed} | {english(_type_text(node, definitions), language)} | "
                f"{english(inline(node.get('description', '')), language)} |"
            )
        lines.append("")
    return "\n".join(lines)


def _default_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(str(item) for item in value) + "]"
    return str(value)


def field_names() -> set[str]:
    """Every field name the field reference lists (for the tests)."""
    return {name for doc in field_models() for name in doc.schema.get("properties", {})}
