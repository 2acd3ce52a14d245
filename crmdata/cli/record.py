"""`crm new customer|interaction|plan|opportunity|contract` and `crm log`: write a new record without looking
up the format.

Fields come from options; on a terminal the required ones that are missing are asked for. The record
is checked as `crm validate` would check it (fields, owner on the team, customer exists, id free), gets
the next free id, and is written atomically to a new file: never over an existing one.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from crmdata.authoring.drafts import Draft, Repository
from crmdata.authoring.durations import DURATION_HELP, DurationError, WorkingDays, due_date
from crmdata.authoring.writer import SCHEMA_FOLDER, RecordWriteError, create_file, record_text
from crmdata.cli.choices import TeamMemberType, VocabularyChoice, typed_owner
from crmdata.cli.common import progress_printer, root_option
from crmdata.cli.lookup import customer_argument
from crmdata.cli.output import say, say_lines, styled
from crmdata.cli.usage import WordedParameter, WordedUsage, repository_language, root_language
from crmdata.records.duplicates import warnings_for_new
from crmdata.records.load import LoadOptions, load
from crmdata.records.models import (
    Channel,
    Customer,
    Interaction,
    OpportunityStage,
    Stage,
    Tier,
)
from crmdata.records.models.fields import day_of, text_problem, to_date_or_datetime
from crmdata.records.models.opportunity import CLOSED_STAGES
from crmdata.records.report import text_line
from crmdata.records.vocabulary import (
    CHANNELS,
    KINDS,
    OPPORTUNITY_STAGES,
    PLAN_CYCLES,
    STAGES,
    TIERS,
    TYPES,
    VALUES,
    Terms,
    field_description,
    language_code,
    phrase,
    term,
    weekday,
)
from crmdata.system.errors import CrmError

_ATTEMPTS = 50
F = TypeVar("F", bound=Callable[..., Any])


def _choice(terms: Terms) -> VocabularyChoice:
    """A closed set's option: the English value, or its word in Chinese or English, or a synonym."""
    return VocabularyChoice(terms)


def _words(terms: Terms, note: str = "") -> str:
    """An enum option's help: the values with their Chinese words, and that the words do too."""
    return VocabularyChoice(terms).help(field_description(terms, note))


class RecordText(click.ParamType[str, Any]):
    """Text for a record field, checked by the records' own rule (no control characters, no bidi
    overrides): a value that could not be stored is a usage error before anything is drafted."""

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        problem = text_problem(text)
        if problem is not None:
            self.fail(problem.text(_language_of_root(ctx)), param, ctx)
        return text


def _language_of_root(ctx: click.Context | None) -> str:
    """The `language` of crm.yaml in --root (or its default, `.`)."""
    root = ctx.params.get("root") if ctx is not None else None
    return root_language(root if isinstance(root, Path) else Path("."))


TEXT = RecordText()


def _open_repository(root: Path) -> Repository:
    repository, problems = Repository.open(root)
    if repository is None:
        for problem in problems:
            say(styled(text_line(problem, None), fg="red"), err=True)  # crm.yaml unreadable: its language unknown
        language = repository_language(["--root", str(root)])
        raise CrmError(phrase("config_first", language), language=language)
    return repository


def _asking(interactive: bool) -> bool:
    """Ask for missing fields when told to, or when a person is at the terminal."""
    return interactive or (sys.stdin.isatty() and sys.stdout.isatty())


def _missing(values: dict[str, Any], required: list[str], ask: bool, prompts: dict[str, Callable[[], Any]]) -> None:
    """Fill missing required fields by asking, or stop with a usage error naming every missing option."""
    absent = [name for name in required if values.get(name) in (None, "")]
    if not absent:
        return
    if not ask:
        options = ", ".join("--" + name.replace("_", "-") for name in absent)
        raise WordedUsage("missing_options", options=options)
    for name in absent:
        values[name] = prompts[name]()


def _language(repository: Repository) -> str:
    return language_code(repository.config.language)


def _write(
    repository: Repository,
    make_draft: Callable[[], Draft],
    dry_run: bool,
    warn: Callable[[Draft], None] | None = None,
) -> Draft:
    """Write (or, for a dry run, show) the drafted record; print its problems and fail (exit 1) if it is invalid.

    `warn` sees the first valid draft before anything is written (the likely duplicates of a new customer).

    When another `crm` created the chosen file meanwhile (two people logging calls at once in one
    clone), a drafted id is replaced by the next free one; an id the user gave is never changed.
    """
    language = _language(repository)
    for _attempt in range(_ATTEMPTS):
        draft = make_draft()
        if not draft.ok or draft.record is None:
            for problem in draft.problems:
                say(styled(f"{problem.field}: {problem.text(language)}", fg="red"), err=True)
            raise CrmError(phrase("draft_invalid", language, path=draft.path), language=language)
        if warn is not None:
            warn(draft)
            warn = None  # a retry only changes the id
        try:
            text = record_text(draft.record, draft.path)
            if dry_run:
                say(phrase("would_create", language, path=draft.path))
                say_lines(text, nl=False)
                return draft
            create_file(repository.root / draft.path, text, root=repository.root)
        except FileExistsError:
            if draft.given_id:
                raise CrmError(phrase("file_exists", language, path=draft.path), language=language) from None
            continue
        except (RecordWriteError, OSError) as exc:
            raise CrmError(phrase("not_written", language, reason=exc), language=language) from None
        say(styled(phrase("created", language, path=draft.path), fg="green", bold=True))
        return draft
    raise CrmError(phrase("no_free_id", language, count=_ATTEMPTS), language=language)


def _schema_hint(repository: Repository) -> None:
    if not (repository.root / SCHEMA_FOLDER).is_dir():
        say(phrase("schema_tip", _language(repository), folder=SCHEMA_FOLDER), err=True)


@click.group("new")
def new_command() -> None:
    """Write a new customer, interaction, maintenance plan, opportunity or contract, with the next free id.

    \b
    Examples:
      crm new customer --name 深圳市华星科技有限公司 --type enterprise --tier regular \\
          --stage active --owner ming --contact 王伟 --phone 13912345678
      crm new interaction --customer KH-2024001 --channel video --topic 季度回顾 --next 2w
      crm new plan --customer KH-2024001 --cycle monthly --goal 知晓系统使用体验 --date 2024-05-10
      crm new opportunity --customer KH-2024001 --title 二期扩容 --stage proposal --amount 300000 \\
          --expected-close 2024-09-30
      crm new contract --customer KH-2024001 --title 2025 年度运维服务 --start 2025-01-01 \\
          --end 2025-12-31 --amount 120000 --renews HT-2024001
      crm new customer            # on a terminal: asks for what is missing
    """


@new_command.command("customer")
@root_option
@click.option("--id", "record_id", help="The id; default: the next free one (crm.yaml ids: KH-<year><seq>).")
@click.option("--name", type=TEXT, help="客户名称 — the customer's name.")
@click.option("--type", "customer_type", type=_choice(TYPES), help=_words(TYPES))
@click.option("--tier", type=_choice(TIERS), help=_words(TIERS))
@click.option("--stage", type=_choice(STAGES), help=_words(STAGES))
@click.option("--value", type=_choice(VALUES), help=_words(VALUES, "default medium"))
@click.option("--owner", help="负责人: a team member's key or name (ming, 张明).")
@click.option("--since", help="合作起始日期 YYYY-MM-DD (default today, except for prospecting customers).")
@click.option("--industry", type=TEXT, help="所属行业.")
@click.option("--source", type=TEXT, help="客户来源 (行业展会, 客户转介绍 …).")
@click.option("--referred-by", help="转介绍人: the id of the referring customer.")
@click.option("--contact", type=TEXT, help="联系人: the main contact's name.")
@click.option("--title", type=TEXT, help="职位 of the contact.")
@click.option("--phone", type=TEXT, help="The contact's phone (private: masked on the site).")
@click.option("--email", type=TEXT, help="The contact's e-mail (private: masked on the site).")
@click.option("--need", "needs", type=TEXT, multiple=True, help="关键需求 (repeat for several).")
@click.option("--tag", "tags", type=TEXT, multiple=True, help="需求标签 (repeat for several).")
@click.option("--notes", type=TEXT, help="备注.")
@click.option("--consent", is_flag=True, help="The customer agreed to their data being kept (告知与同意), today.")
@click.option("--interactive", "-i", is_flag=True, help="Ask for missing fields even when not on a terminal.")
@click.option("--dry-run", is_flag=True, help="Print the record instead of writing it.")
def new_customer_command(root: Path, **options: Any) -> None:
    """Write customers/<ID>.yaml for a new customer.

    \b
    Examples:
      crm new customer --name 深圳市华星科技有限公司 --type enterprise --tier regular \\
          --stage active --owner ming --contact 王伟 --title 采购经理 --phone 13912345678 --consent
      crm new customer --name 李娜 --type individual --tier potential --stage prospecting --owner hua
    """
    repository = _open_repository(root)
    today = date.today()
    values: dict[str, Any] = {"name": options["name"], "type": options["customer_type"], "tier": options["tier"]}
    values |= {"stage": options["stage"], "owner": options["owner"]}
    _missing(
        values,
        ["name", "type", "tier", "stage", "owner"],
        _asking(options["interactive"]),
        {
            "name": lambda: click.prompt("客户名称 name", type=TEXT),
            "type": lambda: click.prompt("客户类型 type", type=_choice(TYPES)),
            "tier": lambda: click.prompt("客户分级 tier", type=_choice(TIERS), default=Tier.REGULAR.value),
            "stage": lambda: click.prompt("阶段 stage", type=_choice(STAGES), default=Stage.ACTIVE.value),
            "owner": lambda: click.prompt("负责人 owner", type=TeamMemberType(repository.config)),
        },
    )
    values["owner"] = typed_owner(repository.config, values["owner"])
    since = options["since"] or (None if values["stage"] == Stage.PROSPECTING.value else today.isoformat())
    contact = {"name": options["contact"], "title": options["title"], "phone": options["phone"]}
    contact |= {"email": options["email"]}
    if any(contact.values()) and not contact["name"]:
        raise WordedUsage("contact_needs_name")
    fields: dict[str, Any] = {
        "id": options["record_id"],
        **values,
        "value": options["value"],
        "since": since,
        "industry": options["industry"],
        "source": options["source"],
        "referred_by": options["referred_by"],
        "contacts": [{key: item for key, item in contact.items() if item}] if contact["name"] else [],
        "needs": list(options["needs"]),
        "tags": list(options["tags"]),
        "consent": {"given": True, "date": today.isoformat()} if options["consent"] else None,
        "notes": options["notes"],
    }
    warn = _warn_of_duplicates(repository)
    _write(repository, lambda: repository.draft_customer(fields, today), options["dry_run"], warn)
    if not options["dry_run"]:
        _schema_hint(repository)


def _warn_of_duplicates(repository: Repository) -> Callable[[Draft], None]:
    """Say which customers a new one looks like (the rule of `crm validate`), then let it be written: a
    warning never blocks, and `crm merge NEW EXISTING` joins the two when they are one customer."""

    def warn(draft: Draft) -> None:
        if not isinstance(draft.record, Customer):
            return
        language = _language(repository)
        for problem in warnings_for_new(repository.root, draft.record, draft.path):
            say(styled(phrase("warning_prefix", language, message=problem.text(language)), fg="yellow"), err=True)

    return warn


def interaction_options(command: F) -> F:
    """The options `crm new interaction` and `crm log` share."""
    decorators = [
        root_option,
        click.option("--id", "record_id", help="The id; default: the next free one (crm.yaml ids: JL-<year><seq>)."),
        click.option("--date", "when", help="沟通日期: YYYY-MM-DD or 'YYYY-MM-DD HH:MM' (default today)."),
        click.option("--channel", type=_choice(CHANNELS), help=_words(CHANNELS)),
        click.option(
            "--kind",
            type=_choice(KINDS),
            help=_words(KINDS, "default followup; care = greetings"),
        ),
        click.option("--owner", help="负责人: a team member's key or name (default: the customer's owner)."),
        click.option("--topic", type=TEXT, help="沟通主题."),
        click.option("--summary", type=TEXT, help="沟通内容摘要."),
        click.option("--feedback", type=TEXT, help="客户反馈."),
        click.option("--need-change", "need_changes", type=TEXT, multiple=True, help="需求变化 (repeat for several)."),
        click.option("--satisfaction", type=click.IntRange(1, 5), help="满意度 1..5."),
        click.option(
            "--todo", "todos", type=TEXT, multiple=True, help="待办事项: a promise made (repeat; one --due each)."
        ),
        click.option("--due", "dues", multiple=True, help=f"When the matching --todo is due: {DURATION_HELP}."),
        click.option("--next", "next_followup", help=f"下次跟进时间: {DURATION_HELP}."),
        click.option("--plan", help="计划编号: the customer's maintenance plan this conversation carries out."),
        click.option("--opportunity", help="商机编号: the customer's opportunity it worked on."),
        click.option("--contract", help="合同编号: the customer's contract it concerns."),
        click.option("--interactive", "-i", is_flag=True, help="Ask for missing fields even when not on a terminal."),
        click.option("--dry-run", is_flag=True, help="Print the record instead of writing it."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


@new_command.command("interaction")
@click.option("--customer", help="客户编号: the customer talked to.")
@interaction_options
def new_interaction_command(root: Path, customer: str | None, **options: Any) -> None:
    """Write interactions/<YYYY>/<ID>.yaml for a conversation (`crm log` is the short form).

    \b
    Examples:
      crm new interaction --customer KH-2024001 --channel visit --topic 合同续签 \\
          --summary 客户同意续签两年 --satisfaction 5 --next 2w
      crm new interaction --customer KH-2024001 --channel phone --topic 报价 \\
          --todo 发送报价单 --due 3wd
    """
    _record_interaction(root, customer, None, options)


@click.command("log")
@click.argument("customer")
@interaction_options
def log_command(root: Path, customer: str, **options: Any) -> None:
    """Record a conversation with CUSTOMER in one line (the channel defaults to phone).

    Durations count from the conversation's date: 10d days, 2w weeks, 3wd working days (weekends and
    public holidays skipped, weekend days worked in lieu counted: crm.yaml calendar, China by default).

    \b
    Examples:
      crm log KH-2024001 --topic 季度回顾 --next 2w
      crm log KH-2024001 --topic 报价 --todo "发送报价单" --due 3wd
      crm log KH-2024001 --channel video --topic 需求澄清 --satisfaction 4 \\
          --todo 发送方案 --due 2026-12-01 --todo 安排演示 --due 5wd
      crm log KH-2024001 --topic 月度回访 --plan JH-2024001     # carries out the plan's occurrence
      crm log KH-2024001 --channel visit --topic 报价 --opportunity SJ-2024003
    """
    _record_interaction(root, customer, Channel.PHONE.value, options)


def _record_interaction(root: Path, customer: str | None, default_channel: str | None, options: dict[str, Any]) -> None:
    repository = _open_repository(root)
    now = datetime.now().astimezone().replace(microsecond=0)
    values: dict[str, Any] = {
        "customer": customer,
        "channel": options["channel"] or default_channel,
        "topic": options["topic"],
    }
    _missing(
        values,
        ["customer", "channel", "topic"],
        _asking(options["interactive"]),
        {
            "customer": lambda: click.prompt("客户编号 customer"),
            "channel": lambda: click.prompt("沟通方式 channel", type=_choice(CHANNELS), default=Channel.PHONE.value),
            "topic": lambda: click.prompt("沟通主题 topic", type=TEXT),
        },
    )
    customer_id = _customer_id(repository, values["customer"])
    when = _when(options["when"], now.date())
    owner = typed_owner(repository.config, options["owner"]) or _customer_owner(repository, customer_id)
    day = day_of(when)
    fields: dict[str, Any] = {
        "id": options["record_id"],
        "customer": customer_id,
        "date": when,
        "channel": values["channel"],
        "kind": options["kind"],
        "owner": owner,
        "topic": values["topic"],
        "summary": options["summary"],
        "feedback": options["feedback"],
        "need_changes": list(options["need_changes"]),
        "satisfaction": options["satisfaction"],
        "todos": _todos(options["todos"], options["dues"], day, repository.working_days),
        "next_followup": _date_option(options["next_followup"], day, repository.working_days, "--next"),
        "recorded": now,
        "plan": options["plan"],
        "opportunity": options["opportunity"],
        "contract": options["contract"],
    }
    draft = _write(repository, lambda: repository.draft_interaction(fields, now.date()), options["dry_run"])
    if isinstance(draft.record, Interaction):
        _summarise(draft.record, _language(repository))
    if not options["dry_run"]:
        _schema_hint(repository)


def _when(text: str | None, today: date) -> date | datetime:
    if text is None:
        return today
    try:
        return to_date_or_datetime(text.strip())
    except ValueError:
        raise WordedParameter("--date", "bad_date_time", value=repr(text)) from None


def _customer_owner(repository: Repository, customer_id: str) -> str:
    record = repository.read_customer(customer_id)
    if record is None:
        raise WordedUsage("owner_unknown", id=customer_id)
    return record.owner


def _date_option(text: str | None, start: date, calendar: WorkingDays, option: str) -> str | None:
    if text is None:
        return None
    try:
        return due_date(text, start, calendar).isoformat()
    except DurationError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


def _todos(tasks: tuple[str, ...], dues: tuple[str, ...], start: date, calendar: WorkingDays) -> list[dict[str, Any]]:
    """Each --todo with its --due, in the order given."""
    if len(tasks) != len(dues):
        raise WordedUsage("todos_need_dues", todos=len(tasks), dues=len(dues))
    pairs = zip(tasks, dues, strict=True)
    return [{"task": task, "due": _date_option(due, start, calendar, "--due")} for task, due in pairs]


def _summarise(record: Interaction, language: str) -> None:
    """What was recorded, in a line or two: the dates worked out from durations above all."""
    line = f"  {record.customer} · {term(record.channel, language)} · {record.day.isoformat()} · {record.topic}"
    say(line)
    promised = record.next_followup
    if promised is not None:
        say(
            phrase(
                "next_followup_on", language, date=promised.isoformat(), weekday=weekday(promised.weekday(), language)
            )
        )
    for todo in record.todos:
        day = weekday(todo.due.weekday(), language)
        say(phrase("todo_due_on", language, task=todo.task, date=todo.due.isoformat(), weekday=day))


# --- plans, opportunities, contracts ------------------------------------------------------------------


class AmountText(click.ParamType[int | float | str, Any]):
    """An amount as typed: 120000 stays a whole number, 1.5e5 or 99.5 a decimal one. Anything else is passed
    on as text, and the record's own rule says what an amount is, naming the field (`amount`)."""

    name = "amount"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int | float | str:
        text = str(value).strip().replace(",", "").replace("_", "")
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            return str(value)
        return int(number) if number.is_integer() else number


AMOUNT = AmountText()
FROM_TODAY = "a date (2026-12-01) or a time from today: 30d (days), 6w (weeks), 10wd (working days)"


def _customer_id(repository: Repository, given: str) -> str:
    """The id of the customer `given` names: an id at once (the file names are listed already), else a name
    part or pinyin naming one customer (crmdata.cli.lookup), which loads the customers (with the cache)."""
    customer_id = repository.customer_id(given)
    if customer_id is not None:
        return customer_id
    dataset, _, _ = load(repository.root, LoadOptions(progress=progress_printer()))
    return customer_argument(dataset, given, _language(repository)).id


def _deal_options(command: F) -> F:
    """The options `crm new plan|opportunity|contract` share: the customer, the owner, the id, notes, how to ask."""
    decorators = [
        root_option,
        click.option("--customer", help="客户编号: the customer's id."),
        click.option("--owner", help="负责人: a team member's key or name (default: the customer's owner)."),
        click.option("--notes", type=TEXT, help="备注."),
        click.option("--interactive", "-i", is_flag=True, help="Ask for missing fields even when not on a terminal."),
        click.option("--dry-run", is_flag=True, help="Print the record instead of writing it."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def _write_deal(
    repository: Repository,
    values: dict[str, Any],
    fields: dict[str, Any],
    draft: Callable[[dict[str, Any], date], Draft],
    dry_run: bool,
) -> None:
    """Find the customer, default the owner to the customer's, and write the drafted record."""
    customer = _customer_id(repository, values["customer"])
    owner = typed_owner(repository.config, fields.get("owner")) or _customer_owner(repository, customer)
    complete = {**fields, "customer": customer, "owner": owner}
    today = date.today()
    _write(repository, lambda: draft(complete, today), dry_run)
    if not dry_run:
        _schema_hint(repository)


@new_command.command("plan")
@_deal_options
@click.option("--id", "record_id", help="The id; default: the next free one (crm.yaml ids: JH-<year><seq>).")
@click.option("--cycle", type=_choice(PLAN_CYCLES), help=_words(PLAN_CYCLES, "default once"))
@click.option("--goal", type=TEXT, help="维护目标: what the contacts are for.")
@click.option("--content", "content", type=TEXT, multiple=True, help="沟通内容: a talking point (repeat for several).")
@click.option("--date", "first_day", help=f"执行时间: the first planned day (default today): {FROM_TODAY}.")
def new_plan_command(root: Path, **options: Any) -> None:
    """Write plans/<ID>.yaml: a maintenance plan (客户维护计划) for a customer.

    The plan is due on --date, then every cycle after it; a conversation logged with `crm log CUSTOMER
    --plan ID` carries out its current occurrence.

    \b
    Examples:
      crm new plan --customer KH-2024001 --cycle monthly --goal 知晓系统使用体验 \\
          --content 询问运行稳定性 --content 收集改进建议 --date 2024-05-10
      crm new plan --customer KH-2024001 --goal 年度回顾 --cycle yearly --date 2w --owner hong
    """
    repository = _open_repository(root)
    values: dict[str, Any] = {"customer": options["customer"], "goal": options["goal"]}
    _missing(
        values,
        ["customer", "goal"],
        _asking(options["interactive"]),
        {
            "customer": lambda: click.prompt("客户编号 customer"),
            "goal": lambda: click.prompt("维护目标 goal", type=TEXT),
        },
    )
    today = date.today()
    first_day = _date_option(options["first_day"], today, repository.working_days, "--date") or today.isoformat()
    fields: dict[str, Any] = {
        "id": options["record_id"],
        "cycle": options["cycle"],
        "goal": values["goal"],
        "content": list(options["content"]),
        "owner": options["owner"],
        "date": first_day,
        "notes": options["notes"],
    }
    _write_deal(repository, values, fields, repository.draft_plan, options["dry_run"])


@new_command.command("opportunity")
@_deal_options
@click.option("--id", "record_id", help="The id; default: the next free one (crm.yaml ids: SJ-<year><seq>).")
@click.option("--title", type=TEXT, help="商机名称: what is being sold.")
@click.option("--stage", type=_choice(OPPORTUNITY_STAGES), help=_words(OPPORTUNITY_STAGES))
@click.option("--amount", type=AMOUNT, help="预计金额: the expected amount, a number >= 0.")
@click.option("--currency", help="币种: ISO 4217 code (default crm.yaml currency, else CNY).")
@click.option("--probability", type=click.IntRange(0, 100), help="赢单概率 % (default by stage).")
@click.option("--expected-close", help=f"预计成交日期 (required unless won or lost): {FROM_TODAY}.")
@click.option("--closed-on", help="成交日期 of a won or lost opportunity, YYYY-MM-DD (default today).")
@click.option("--lost-reason", type=TEXT, help="输单原因.")
@click.option("--source", type=TEXT, help="来源 (行业展会, 客户转介绍 …).")
def new_opportunity_command(root: Path, **options: Any) -> None:
    """Write opportunities/<ID>.yaml: a sales opportunity (商机).

    \b
    Examples:
      crm new opportunity --customer KH-2024001 --title 二期扩容项目 --stage proposal \\
          --amount 300000 --expected-close 2024-09-30 --source 客户转介绍
      crm new opportunity --customer KH-2024007 --title 试用转正式 --stage lead --expected-close 6w
    """
    repository = _open_repository(root)
    values: dict[str, Any] = {"customer": options["customer"], "title": options["title"], "stage": options["stage"]}
    ask = _asking(options["interactive"])
    prompts: dict[str, Callable[[], Any]] = {
        "customer": lambda: click.prompt("客户编号 customer"),
        "title": lambda: click.prompt("商机名称 title", type=TEXT),
        "stage": lambda: click.prompt(
            "商机阶段 stage", type=_choice(OPPORTUNITY_STAGES), default=OpportunityStage.LEAD.value
        ),
    }
    _missing(values, ["customer", "title", "stage"], ask, prompts)
    today = date.today()
    closed = OpportunityStage(values["stage"]) in CLOSED_STAGES
    values["expected_close"] = options["expected_close"]
    if not closed:  # an open opportunity says when it should close (the record's rule)
        prompts = {"expected_close": lambda: click.prompt("预计成交日期 expected close (YYYY-MM-DD, 30d, 6w)")}
        _missing(values, ["expected_close"], ask, prompts)
    calendar = repository.working_days
    fields: dict[str, Any] = {
        "id": options["record_id"],
        "title": values["title"],
        "stage": values["stage"],
        "amount": options["amount"],
        "currency": options["currency"],
        "probability": options["probability"],
        "expected_close": _date_option(values["expected_close"], today, calendar, "--expected-close"),
        "closed_on": options["closed_on"] or (today.isoformat() if closed else None),
        "lost_reason": options["lost_reason"],
        "owner": options["owner"],
        "source": options["source"],
        "notes": options["notes"],
    }
    _write_deal(repository, values, fields, repository.draft_opportunity, options["dry_run"])


@new_command.command("contract")
@_deal_options
@click.option("--id", "record_id", help="The id; default: the next free one (crm.yaml ids: HT-<year><seq>).")
@click.option("--title", type=TEXT, help="合作项目: the project or service contracted.")
@click.option("--product", "products", type=TEXT, multiple=True, help="产品/服务类型 (repeat for several).")
@click.option("--start", help="合作起始 YYYY-MM-DD: the first day of the cooperation.")
@click.option("--end", help="合作结束 YYYY-MM-DD: the last day (absent: open-ended, no renewal due).")
@click.option("--amount", type=AMOUNT, help="合同金额: a number >= 0.")
@click.option("--currency", help="币种: ISO 4217 code (default crm.yaml currency, else CNY).")
@click.option("--signed-on", help="签约日期 YYYY-MM-DD.")
@click.option("--renews", help="续约自: the id of the contract this one renews.")
@click.option("--opportunity", help="商机编号: the opportunity this contract closed.")
@click.option(
    "--renewal-notice-days",
    type=click.IntRange(0, 366),
    help="续约提前天数: follow the renewal up this many days before the end (default policy, 60).",
)
def new_contract_command(root: Path, **options: Any) -> None:
    """Write contracts/<ID>.yaml: a contract or cooperation project (合同 / 合作项目).

    A contract that renews another (--renews) ends that one's renewal follow-up.

    \b
    Examples:
      crm new contract --customer KH-2024001 --title 2024 年度系统运维服务 --product 运维服务 \\
          --start 2024-01-01 --end 2024-12-31 --amount 120000 --signed-on 2023-12-20 --opportunity SJ-2023004
      crm new contract --customer KH-2024001 --title 2025 年度系统运维服务 --start 2025-01-01 \\
          --end 2025-12-31 --amount 130000 --renews HT-2024001
    """
    repository = _open_repository(root)
    values: dict[str, Any] = {"customer": options["customer"], "title": options["title"], "start": options["start"]}
    _missing(
        values,
        ["customer", "title", "start"],
        _asking(options["interactive"]),
        {
            "customer": lambda: click.prompt("客户编号 customer"),
            "title": lambda: click.prompt("合作项目 title", type=TEXT),
            "start": lambda: click.prompt("合作起始 start (YYYY-MM-DD)"),
        },
    )
    fields: dict[str, Any] = {
        "id": options["record_id"],
        "title": values["title"],
        "products": list(options["products"]),
        "signed_on": options["signed_on"],
        "start": values["start"],
        "end": options["end"],
        "amount": options["amount"],
        "currency": options["currency"],
        "renewal_notice_days": options["renewal_notice_days"],
        "renews": options["renews"],
        "opportunity": options["opportunity"],
        "owner": options["owner"],
        "notes": options["notes"],
    }
    _write_deal(repository, values, fields, repository.draft_contract, options["dry_run"])
