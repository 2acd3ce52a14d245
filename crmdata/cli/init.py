"""`crm init DIR`: a new data repository that validates and builds straight away.

What to write is decided by crmdata.starter.repository (pure); here the team is read (options or the
terminal), the folder checked (never overwrite: every existing target is named and nothing written),
git initialised when DIR is in no repository, and the files written through safe_paths.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import cast

import click
from pydantic import TypeAdapter, ValidationError

from crmdata.cli.output import say
from crmdata.git.gitrev import GitError
from crmdata.git.start import enclosing_repository, start_repository
from crmdata.records.models.fields import Name, OwnerId
from crmdata.records.vocabulary import phrase
from crmdata.starter.repository import HOSTS, Host, Starter, starter_files
from crmdata.starter.words import INIT_WORDS
from crmdata.system.errors import CrmError, ExitCode
from crmdata.system.safe_paths import make_folders, output_folder, write_file

_OWNER_ID: TypeAdapter[str] = TypeAdapter(OwnerId)
_NAME: TypeAdapter[str] = TypeAdapter(Name)


def _words(word_key: str, language: str, /, **values: object) -> str:
    return INIT_WORDS.words[word_key].text(language, **values)


def parse_team(entries: Sequence[str], language: str) -> dict[str, str]:
    """`KEY=NAME` entries -> {owner id: name}; click.BadParameter (usage, exit 2) for one that is not."""
    team: dict[str, str] = {}
    for entry in entries:
        key, equals, name = entry.partition("=")
        key, name = key.strip(), name.strip()
        if not equals:
            raise _bad_team(_words("not_key_name", language, value=entry))
        try:
            _OWNER_ID.validate_python(key)
        except ValidationError:
            raise _bad_team(_words("bad_key", language, key=key)) from None
        try:
            _NAME.validate_python(name)
        except ValidationError:
            raise _bad_team(_words("bad_name", language, key=key)) from None
        if key in team:
            raise _bad_team(_words("twice", language, key=key))
        team[key] = name
    return team


def _bad_team(message: str) -> click.BadParameter:
    return click.BadParameter(message, ctx=click.get_current_context(silent=True), param_hint="'--team'")


def _ask_team(language: str) -> dict[str, str]:
    """On a terminal: one KEY=NAME per line until an empty line; a wrong line is said and asked again."""
    entries: list[str] = []
    while True:
        answer: str = click.prompt(_words("team_prompt", language), default="", show_default=False).strip()
        if not answer:
            if entries:
                return parse_team(entries, language)
            say(_words("team_needs_one", language), err=True)
            continue
        try:
            parse_team([*entries, answer], language)
        except click.BadParameter as wrong:
            say(wrong.message, err=True)
            continue
        entries.append(answer)


@click.command("init")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--team",
    "team_entries",
    multiple=True,
    metavar="KEY=NAME",
    help="A team member: owner id and name (repeatable). Asked on a terminal when missing.",
)
@click.option(
    "--language",
    type=click.Choice(["zh", "en"]),
    default="zh",
    show_default=True,
    help="The language of crm.yaml's comments, the README and everything crm shows.",
)
@click.option(
    "--host",
    type=click.Choice(HOSTS),
    default="github",
    show_default=True,
    help="Where the repository lives: its CI file (GitHub Actions, GitLab CI) or none.",
)
def init_command(directory: Path, team_entries: tuple[str, ...], language: str, host: str) -> None:
    """Start a data repository in DIRECTORY: crm.yaml, record folders, schemas, CI, pre-commit, editor settings.

    Never overwrites a file: when any of them exists, it names them all and writes nothing (exit 1).
    Runs `git init` (branch main) when DIRECTORY is not inside a git repository.

    \b
    Examples:
      crm init our-crm --team ming=张明 --team hua=李华
      crm init our-crm --language en --host gitlab --team ming="Zhang Ming"
      crm init .                                  # on a terminal: asks for the team
    """
    if team_entries:
        team = parse_team(team_entries, language)
    elif sys.stdin.isatty():
        team = _ask_team(language)
    else:
        raise click.UsageError(_words("team_missing", language))
    starter = Starter(team=team, language="en" if language == "en" else "zh", host=cast(Host, host))
    contents = starter_files(starter)
    if directory.exists() and not directory.is_dir():
        raise CrmError(_words("is_a_file", language, path=directory), prefix="crm init", language=language)
    existing = [path for path in contents if os.path.lexists(directory / path)]
    if existing:
        listed = phrase("list_separator", language).join(existing)
        raise CrmError(_words("exists", language, path=directory, files=listed), prefix="crm init", language=language)
    try:
        _write(directory, contents, language)
    except GitError as problem:
        raise CrmError(str(problem), ExitCode.INVALID, prefix="crm init") from None
    say(_words("next_heading", language))
    say(_words("next_first_customer", language, path=directory))
    say(_words("next_commit", language))
    say(_words(f"next_{host}", language))


def _write(directory: Path, contents: dict[str, bytes], language: str) -> None:
    """Make the folder, `git init` it when it is in no repository, then write every file (none replaced)."""
    root = output_folder(directory, Path.cwd())
    top = enclosing_repository(root)
    if top is None:
        start_repository(root)
        say(_words("git_init", language, path=directory))
    else:
        say(_words("git_inside", language, path=directory, top=top))
    for relative, data in contents.items():
        parent = PurePosixPath(relative).parent
        folder = make_folders(root, parent) if parent.parts else root
        write_file(folder / PurePosixPath(relative).name, data, replace=False)
        say(phrase("wrote_file", language, path=directory / relative))
