"""`crm done`, `crm resolve`, `crm stage`, `crm merge`: daily changes to records without editing YAML.

Each changes only the lines it must (crmdata.authoring.edits): comments, key order, quoting and blank
lines elsewhere stay byte for byte. `done`, `resolve` and `stage` read the one record they change, so they
work while another record elsewhere is broken; the record itself must be valid before and after.
`merge` needs the whole repository (every reference to the duplicate), so it starts from a valid one and
checks the repository as it would be after the merge before writing anything.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import click

from crmdata.authoring.edit_words import EDIT_WORDS
from crmdata.authoring.edits import Edit, EditRefusedError, model_order, set_value, write_changes, yaml_text
from crmdata.authoring.merge import merged_problems, plan_merge
from crmdata.cli.common import load_valid, progress_printer, root_option
from crmdata.cli.lookup import customer_argument
from crmdata.cli.output import say, styled
from crmdata.cli.usage import Day, root_language
from crmdata.records.dataset import Dataset
from crmdata.records.load import CUSTOMERS_DIR, INTERACTIONS_DIR, LoadOptions, load
from crmdata.records.models import Customer, Interaction, InteractionKind, Stage, Todo
from crmdata.records.report import text_line
from crmdata.records.vocabulary import STAGES, Message, term
from crmdata.system.errors import CrmError, ExitCode, ReportedError

on_option = click.option(
    "--on", "on", type=Day(), default=None, help="The day it happened, YYYY-MM-DD (default: today)."
)


def _day(on: datetime | None) -> date:
    """--on, or today: the clock is read here, at the edge."""
    return on.date() if on is not None else date.today()


@contextmanager
def _refusals(language: str) -> Iterator[None]:
    """An edit refused: the record's problems (as `crm validate` prints them), then why nothing was written."""
    try:
        yield
    except EditRefusedError as refused:
        for problem in refused.problems:
            say(styled(text_line(problem, language), fg="red"), err=True)
        raise CrmError(refused.said.text(language), language=language) from None


def _refuse(said: Message) -> EditRefusedError:
    return EditRefusedError(said)


def _interaction_edit(root: Path, given: str) -> tuple[Edit, Interaction]:
    """An edit of the interaction `given` and the record as it reads now (crm done and crm resolve)."""
    edit = Edit(root, _interaction_file(root, given), Interaction)
    record = edit.record
    assert isinstance(record, Interaction)
    return edit, record


def _interaction_file(root: Path, given: str) -> str:
    """interactions/**/<ID>.yaml for the id `given` (exactly, else ignoring case), found without loading
    the repository; links are not followed (a linked record is found by its name, then refused)."""
    folder = root / INTERACTIONS_DIR
    wanted = f"{given}.yaml"
    loose: str | None = None
    for current, folders, files in os.walk(folder):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        relative = Path(current).relative_to(root).as_posix()
        for name in sorted(files):
            if name == wanted:
                return f"{relative}/{name}"
            if loose is None and name.casefold() == wanted.casefold():
                loose = f"{relative}/{name}"
    if loose is None:
        raise _refuse(EDIT_WORDS.say("no_interaction", id=given))
    return loose


def _customer(dataset: Dataset, given: str, language: str) -> Customer:
    """The customer `given` names: an id, or a name part or pinyin naming one customer (as everywhere a command
    takes CUSTOMER). A customer file that is there but invalid is named as such, not as "no such customer"."""
    stored = f"{CUSTOMERS_DIR}/{given}.yaml"
    if stored in dataset.customer_files and all(customer.id != given for customer in dataset.customers):
        raise CrmError(EDIT_WORDS.say("record_has_errors", file=stored).text(language), language=language)
    return customer_argument(dataset, given, language)


# --- crm done ---------------------------------------------------------------------------------------------


@click.command("done")
@root_option
@click.argument("interaction")
@click.argument("number", type=click.IntRange(min=1), required=False)
@on_option
def done_command(root: Path, interaction: str, number: int | None, on: datetime | None) -> None:
    """Mark todo NUMBER of an INTERACTION done (the only open one when NUMBER is left out).

    NUMBER counts the interaction's todos from 1, done or not, as they are written in its file. Only the
    todo's `done:` line is added; the rest of the file stays as it is.

    \b
    Examples:
      crm done JL-2024031                  its only open todo, done today
      crm done JL-2024031 2                the second todo
      crm done JL-2024031 2 --on 2024-05-20
    """
    language = root_language(root)
    day = _day(on)
    with _refusals(language):
        edit, record = _interaction_edit(root, interaction)
        if not record.todos:
            raise _refuse(EDIT_WORDS.say("no_todos", id=record.id))
        if number is None:
            number = _only_open_todo(record, language)
        if number > len(record.todos):
            raise _refuse(EDIT_WORDS.say("todo_out_of_range", id=record.id, count=len(record.todos), number=number))
        todo = record.todos[number - 1]
        if todo.done is not None:
            said = EDIT_WORDS.say("todo_already_done", id=record.id, number=number, task=todo.task, done=todo.done)
            raise _refuse(said)
        set_value(edit.tree["todos"][number - 1], "done", day, model_order(Todo))
        change = edit.change()
        write_changes(root, [change])
    said = EDIT_WORDS.say("todo_done", id=record.id, number=number, task=todo.task, day=day, file=change.relative)
    say(styled(said.text(language), fg="green"))


def _only_open_todo(record: Interaction, language: str) -> int:
    """The number of the one open todo; several: listed, and the command stops asking for N (exit 1)."""
    open_todos = [(number, todo) for number, todo in enumerate(record.todos, 1) if todo.done is None]
    if not open_todos:
        raise _refuse(EDIT_WORDS.say("no_open_todo", id=record.id))
    if len(open_todos) == 1:
        return open_todos[0][0]
    first = open_todos[0][0]
    say(EDIT_WORDS.say("several_open", id=record.id, count=len(open_todos), first=first).text(language), err=True)
    for number, todo in open_todos:
        say(EDIT_WORDS.say("todo_line", number=number, task=todo.task, due=todo.due).text(language), err=True)
    raise ReportedError(ExitCode.INVALID)


# --- crm resolve ------------------------------------------------------------------------------------------


@click.command("resolve")
@root_option
@click.argument("interaction")
@on_option
def resolve_command(root: Path, interaction: str, on: datetime | None) -> None:
    """Close the complaint INTERACTION: `resolved:` today (or --on D).

    Only a complaint (kind: complaint) that is still open can be resolved; the `resolved:` line is added
    after the complaint's other fields, the rest of the file stays as it is.

    \b
    Examples:
      crm resolve JL-2024040
      crm resolve JL-2024040 --on 2024-06-02
    """
    language = root_language(root)
    day = _day(on)
    with _refusals(language):
        edit, record = _interaction_edit(root, interaction)
        if record.kind is not InteractionKind.COMPLAINT:
            raise _refuse(EDIT_WORDS.say("not_complaint", id=record.id, kind=record.kind.value))
        if record.resolved is not None:
            raise _refuse(EDIT_WORDS.say("already_resolved", id=record.id, day=record.resolved))
        set_value(edit.tree, "resolved", day, model_order(Interaction))
        change = edit.change()
        write_changes(root, [change])
    say(styled(EDIT_WORDS.say("resolved", id=record.id, day=day, file=change.relative).text(language), fg="green"))


# --- crm stage --------------------------------------------------------------------------------------------


def _stage_value(given: str, language: str) -> str:
    value = STAGES.lookup(given)
    if value is None:
        choices = ", ".join(f"{value} ({STAGES.word(value, language)})" for value in STAGES.values)
        raise click.UsageError(EDIT_WORDS.say("unknown_stage", value=repr(given), choices=choices).text(language))
    return value


def _asking() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


@click.command("stage")
@root_option
@click.argument("customer")
@click.argument("stage")
@click.option("--reason", help="流失原因 — why the customer left (churned only; asked on a terminal when left out).")
@on_option
def stage_command(root: Path, customer: str, stage: str, reason: str | None, on: datetime | None) -> None:
    """Move CUSTOMER to STAGE: prospecting, active, stable, dormant, churned, or the team's word for one.

    The team's words: 接洽期, 合作期, 稳定期, 休眠期, 流失 …

    churned sets churned_on (today, or --on) and churn_reason (--reason; asked for on a terminal, required
    otherwise). Leaving churned keeps churned_on and churn_reason: they record the loss, and the win-back
    figures read them. Leaving prospecting without a `since` sets it to the same day. Only those lines
    change; the rest of the file stays as it is.

    \b
    Examples:
      crm stage KH-2024001 stable
      crm stage KH-2024001 流失 --reason 预算削减，改用竞品
      crm stage KH-2024001 churned --reason "moved to a competitor" --on 2024-06-30
      crm stage KH-2024007 合作期             from prospecting: since is set to today
    """
    language = root_language(root)
    target = Stage(_stage_value(stage, language))
    day = _day(on)
    if target is Stage.CHURNED and not reason and not _asking():
        raise click.UsageError(EDIT_WORDS.say("reason_required").text(language))
    dataset, _, _ = load(root, LoadOptions(progress=progress_printer()))  # only valid records: others may be broken
    found = _customer(dataset, customer, language)
    notes: list[Message] = []
    with _refusals(language):
        edit = Edit(root, dataset.file_of(found), Customer)
        record = edit.record
        assert isinstance(record, Customer)
        if record.stage is target:
            raise _refuse(EDIT_WORDS.say("same_stage", id=record.id, stage=term(target, language)))
        if target is Stage.CHURNED and not reason:
            reason = click.prompt(EDIT_WORDS.say("reason_prompt").text(language))
        order = model_order(Customer)
        set_value(edit.tree, "stage", target.value, order)
        if target is not Stage.PROSPECTING and record.since is None:
            set_value(edit.tree, "since", day, order)
            notes.append(EDIT_WORDS.say("since_set", day=day))
        if target is Stage.CHURNED:
            assert reason is not None
            set_value(edit.tree, "churned_on", day, order)
            set_value(edit.tree, "churn_reason", yaml_text(reason), order)
            notes.append(EDIT_WORDS.say("churn_set", day=day, reason=reason))
        change = edit.change()
        write_changes(root, [change])
    old, new = term(record.stage, language), term(target, language)
    say(
        styled(
            EDIT_WORDS.say("stage_moved", id=record.id, old=old, new=new, file=change.relative).text(language),
            fg="green",
        )
    )
    for note in notes:
        say("  " + note.text(language))


# --- crm merge --------------------------------------------------------------------------------------------


@click.command("merge")
@root_option
@click.argument("duplicate")
@click.argument("into")
@click.option("--dry-run", is_flag=True, help="Show which files would change; write nothing.")
def merge_command(root: Path, duplicate: str, into: str, dry_run: bool) -> None:
    """Merge the customer DUPLICATE into INTO: every reference rewritten, the duplicate's file removed.

    \b
    - interactions, plans, opportunities and contracts of DUPLICATE become INTO's; customers referred by
      DUPLICATE are referred by INTO;
    - INTO keeps all it has and gains what only DUPLICATE knows: optional fields INTO lacks (since,
      industry, source, referred_by, consent, cadence_days), notes, contacts, needs and tags (unioned
      without repeats; a contact with the same name or phone completes INTO's);
    - the repository as it would be is validated first: if it would not validate, nothing is written.
    All files change together, as one commit's worth of change.

    \b
    Examples:
      crm merge KH-2024017 KH-2024003 --dry-run     which files would change
      crm merge KH-2024017 KH-2024003
    """
    dataset = load_valid(root)
    language = root_language(root)
    with _refusals(language):
        plan = plan_merge(dataset, _customer(dataset, duplicate, language), _customer(dataset, into, language))
        problems = merged_problems(dataset, plan, date.today())
        if problems:
            raise EditRefusedError(EDIT_WORDS.say("merge_invalid"), problems)
        removed = next(change.relative for change in plan.changes if change.after is None)
        if dry_run:
            for change in plan.changes:
                key = "would_remove" if change.after is None else "would_change"
                say(EDIT_WORDS.say(key, file=change.relative).text(language))
        else:
            write_changes(root, plan.changes)
            count = len(plan.changes) - 1
            said = EDIT_WORDS.say("merged", duplicate=duplicate, into=into, count=count, file=removed)
            say(styled(said.text(language), fg="green"))
    if plan.gained:
        say(
            "  "
            + EDIT_WORDS.say("kept_fields", into=into, duplicate=duplicate, fields=", ".join(plan.gained)).text(
                language
            )
        )
    for note in plan.notes:
        say("  " + note.text(language))
    if dry_run:
        say(EDIT_WORDS.say("dry_run").text(language))
