"""What a person types for a closed set or a team member, read as the records store it.

- `VocabularyChoice(terms)`: a click parameter type for an enum field (`--stage`, `--channel` ...) that
  accepts the English value, its display word in Chinese and English and the vocabulary's synonyms, the
  words `crm import` reads in a sheet (`Terms.lookup`, one parsing for both): `--stage 合作期`,
  `--channel 电话`, `--channel 微信`. It gives the English value; anything else is a usage error listing
  the words, in the repository's language.
- `owner_key_or_fail(config, given)`: a team member by key (any case) or by name (`张明`), as
  `CrmConfig.owner_key` finds them; unknown or ambiguous is a usage error listing the team (key and name)
  (`crm due|kpi|calendar --owner`). `typed_owner` for the commands that draft a record: an unknown owner
  is one of the draft's problems, reported with the others.
"""

from __future__ import annotations

from typing import Any

import click
from click.shell_completion import CompletionItem

from crmdata.cli.usage import WordedParameter
from crmdata.records.models.config import CrmConfig
from crmdata.records.vocabulary import LABELS, Terms, language_code, phrase


class _Choices:
    """The accepted words of a set, said in a language: `prospecting（接洽期），active（合作期）…`."""

    def __init__(self, terms: Terms) -> None:
        self.terms = terms

    def text(self, language: object) -> str:
        said = (
            phrase("choice_word", language, value=value, word=word.text(language))
            for value, word in self.terms.words.items()
        )
        return phrase("list_separator", language).join(said)

    def __str__(self) -> str:
        return self.text("en")


class _Noun:
    """The set's name in a language (阶段 / stage)."""

    def __init__(self, terms: Terms) -> None:
        self.terms = terms

    def text(self, language: object) -> str:
        return LABELS[self.terms.name].text(language) if language_code(language) == "zh" else self.terms.noun

    def __str__(self) -> str:
        return self.text("en")


class VocabularyChoice(click.ParamType[str, Any]):
    """A value of `terms` as typed: the value itself or any of its words, in any case and width."""

    def __init__(self, terms: Terms) -> None:
        self.terms = terms
        self.name = terms.name

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        found = self.terms.lookup(text)
        if found is not None:
            return found
        hint = param.get_error_hint(ctx) if param is not None and ctx is not None else self.terms.name
        raise WordedParameter(
            hint, "not_a_choice", value=repr(text), noun=_Noun(self.terms), choices=_Choices(self.terms)
        )

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "[" + "|".join(self.terms.values) + "]"

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        return [CompletionItem(value) for value in self.terms.values if value.startswith(incomplete)]

    def help(self, description: str) -> str:
        """An option's help: its description, then that the words do too (with the set's first word)."""
        first = next(iter(self.terms.words.values()))
        return phrase("choice_help", "en", description=description, example=first.zh)


def team_listing(config: CrmConfig, language: object) -> str:
    """`ming 张明，hong 李红`: the team as a person knows it, key and name."""
    members = (phrase("team_member_named", language, key=key, name=member.name) for key, member in config.team.items())
    return phrase("list_separator", language).join(members)


class _Team:
    """The team listing, worded where the error is shown."""

    def __init__(self, config: CrmConfig) -> None:
        self.config = config

    def text(self, language: object) -> str:
        return team_listing(self.config, language)

    def __str__(self) -> str:
        return self.text("en")


def owner_key_or_fail(config: CrmConfig, given: str, option: str = "--owner") -> str:
    """The team key of the member `given` names (key in any case, or name: 张明); a usage error listing
    the team when none does, or when two members share the name."""
    key = config.owner_key(given)
    if key is None:
        raise WordedParameter(option, "not_on_team", owner=given, team=_Team(config))
    return key


def optional_owner(config: CrmConfig | None, given: str | None, option: str = "--owner") -> str | None:
    """`owner_key_or_fail` for an option that may be left out (and a repository that may lack crm.yaml)."""
    if given is None or config is None:
        return given
    return owner_key_or_fail(config, given, option)


def typed_owner(config: CrmConfig, given: str | None) -> str | None:
    """The owner of a record being drafted (`crm new`, `crm log`): the team key a person typed by key or
    name; an unknown one is passed on as typed, so the draft reports it with its other problems (exit 1),
    as `crm validate` would."""
    if not given:
        return None
    return config.owner_key(given) or given


class TeamMemberType(click.ParamType[str, Any]):
    """A team member as typed at a prompt (key or name); a prompt asks again after an unknown one."""

    name = "owner"

    def __init__(self, config: CrmConfig) -> None:
        self.config = config

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        return owner_key_or_fail(self.config, str(value))
