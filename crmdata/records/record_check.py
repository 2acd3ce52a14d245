"""Validate one record's data against its model and say what is wrong in the user's terms.

pydantic's messages are written for programmers ("Input should be a valid string"); a person editing
YAML needs "expected text, but YAML reads 13800138000 as a number: quote it". This module turns each
pydantic error into a `Problem` at the right loc, quoting the value back as it was written when the
reader's positions are at hand. Its sentence comes from RECORD_PROBLEMS (the models' own errors carry
theirs in `ctx["said"]`), so it is worded in crm.yaml's language where it is shown.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from crmdata.records.models import Contact, Customer
from crmdata.records.models.base import Record
from crmdata.records.models.fields import NAME_PATTERN, TEXT_PATTERN, text_problem
from crmdata.records.problem_words import RECORD_PROBLEMS
from crmdata.records.problems import Loc, Problem, error
from crmdata.records.vocabulary import SETS, Message, Word
from crmdata.records.yamlread import INVALID, Position

RecordT = TypeVar("RecordT", bound=Record)
PositionLookup = Callable[[], dict[Loc, Position]]


def check_record(
    model: type[RecordT], data: dict[str, Any], path: str, positions: PositionLookup
) -> tuple[RecordT | None, list[Problem]]:
    """Validate `data` as `model`; return the record (None if invalid) and the problems found."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, translate_all(model, exc, path, positions)


def translate_all(model: type[BaseModel], exc: ValidationError, path: str, positions: PositionLookup) -> list[Problem]:
    """Every error of a failed validation as a Problem, except values the reader already reported."""
    return [translate(model, err, path, positions) for err in exc.errors() if err["input"] is not INVALID]


def translate(model: type[BaseModel], err: ErrorDetails, path: str, positions: PositionLookup) -> Problem:
    """One pydantic error as a Problem with a message a YAML editor understands, in either language."""
    loc: Loc = tuple(err["loc"])
    kind = err["type"]
    ctx = err.get("ctx") or {}
    said = ctx.get("said")
    if kind in ("stage_rule", "rule") and isinstance(said, Message):
        return error(path, said, (*loc, *str(ctx["field"]).split(".")), at_key=bool(ctx.get("at_key")))
    if kind == "reserved_id" and isinstance(said, Message):  # a reserved id, team key or segment name
        if loc and loc[-1] == "[key]":
            return error(path, said, loc[:-1], at_key=True)
        return error(path, said, loc)
    if loc and loc[-1] == "[key]":
        rule = RECORD_PROBLEMS.say("id_rule")
        return error(path, RECORD_PROBLEMS.say("invalid_key", key=repr(loc[-2]), rule=rule), loc[:-1], at_key=True)
    if isinstance(said, Message):  # the models' own errors (dates): their sentence is given
        return error(path, said, loc)
    return error(path, _message(model, err, loc, positions), loc, at_key=kind == "extra_forbidden")


def _message(model: type[BaseModel], err: ErrorDetails, loc: Loc, positions: PositionLookup) -> Message:
    """The sentence for one of pydantic's built-in error types (any other: pydantic's words, as a value)."""
    kind, ctx, value, msg = err["type"], err.get("ctx") or {}, err["input"], err["msg"]
    say = RECORD_PROBLEMS.say
    if kind == "missing":
        return say("missing", field=loc[-1])
    if kind == "extra_forbidden":
        return _unknown_field_message(model, loc)
    if kind == "string_type":
        return _not_text_message(value, loc, positions)
    if kind == "enum":
        return _enum_message(value, ctx)
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") in (TEXT_PATTERN, NAME_PATTERN) and isinstance(value, str):
            return text_problem(value) or say("must_not_be_empty")
        if str(ctx.get("pattern", "")).startswith("^https?"):
            return say("not_web_address", value=repr(value))
        return say("invalid_id", value=repr(value), rule=say("id_rule"))
    if kind == "string_unicode":
        return say("lone_surrogate")
    if kind == "string_too_short":
        return say("must_not_be_empty")
    if kind == "too_short":
        return say("empty_list")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return say("not_whole_number", found=_describe(value))
    if kind == "bool_type":
        return say("not_boolean", found=_describe(value))
    if kind == "list_type":
        return say("not_list", found=_describe(value))
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return say("not_mapping", found=_describe(value))
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = "at_least" if kind == "greater_than_equal" else "at_most"
        return say(bound, limit=ctx.get("ge", ctx.get("le")), value=value)
    return say("invalid_value", detail=msg)  # a type no record field has today: pydantic's English, quoted


def _describe(value: object) -> Message:
    """What YAML read a value as: "a list" / "列表", "the number 3" / "数字 3"."""
    say = RECORD_PROBLEMS.say
    if value is None:
        return say("found_empty")
    if value is True or value is False:
        return say("found_boolean", value=str(value).lower())
    if isinstance(value, int | float):
        return say("found_number", value=value)
    if isinstance(value, datetime):
        return say("found_date_time")
    if isinstance(value, date):
        return say("found_date")
    if isinstance(value, list):
        return say("found_list")
    if isinstance(value, dict):
        return say("found_mapping")
    return say("found_text", value=repr(value))


def _not_text_message(value: object, loc: Loc, positions: PositionLookup) -> Message:
    if isinstance(value, list | dict):
        return RECORD_PROBLEMS.say("not_text_found", found=_describe(value))
    position = positions().get(loc)
    written = position.raw if position is not None and position.raw is not None else str(value)
    kind = _describe(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        kind = RECORD_PROBLEMS.say("found_a_number")
    return RECORD_PROBLEMS.say("not_text_quote", written=written, kind=kind)


def _enum_message(value: object, ctx: dict[str, Any]) -> Message:
    """`'phonee' is not one of: phone, video, ... (did you mean phone?)`; in Chinese each value with its word."""
    expected = str(ctx.get("expected", "")).replace("'", "")
    choices = [choice.strip() for choice in expected.replace(" or ", ", ").split(",") if choice.strip()]
    terms = next((terms for terms in SETS.values() if set(terms.values) == set(choices)), None)
    listed = Word(
        "、".join(f"{choice}（{terms.words[choice].zh}）" if terms else choice for choice in choices),
        ", ".join(choices),
    )
    hint: Message | str = ""
    if isinstance(value, str):
        close = difflib.get_close_matches(value.lower(), choices, n=1, cutoff=0.7)
        meant = close[0] if close else terms.lookup(value) if terms is not None else None
        if meant is not None:
            hint = RECORD_PROBLEMS.say("did_you_mean", choice=meant)
    return RECORD_PROBLEMS.say("not_one_of", value=repr(value), choices=listed, hint=hint)


def _unknown_field_message(model: type[BaseModel], loc: Loc) -> Message:
    say = RECORD_PROBLEMS.say
    key = str(loc[-1])
    owner = _model_at(model, loc[:-1])
    allowed = list(owner.model_fields) if owner is not None else []
    odd = text_problem(key, short=True)
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.7)
    hint: Message | str = ""
    if close:
        hint = say("did_you_mean", choice=close[0])
    elif owner is Customer and key in Contact.model_fields:
        hint = say("contact_field", key=key)
    return say(
        "unknown_field",
        key=repr(key),
        odd=say("odd_key", what=odd) if odd is not None else "",
        hint=hint,
        allowed=say("allowed_fields", fields=", ".join(allowed)) if allowed else "",
    )


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The nested model a loc points into, to list its fields (e.g. Contact for contacts[0])."""
    current: type[BaseModel] | None = model
    mapping_key_next = False  # after a dict-typed field (team), the next part is a key, not a field
    for part in loc:
        if current is None or isinstance(part, int) or mapping_key_next:
            mapping_key_next = False
            continue
        info = current.model_fields.get(part)
        if info is None:
            return None
        mapping_key_next = getattr(info.annotation, "__origin__", None) is dict
        current = _model_in(info.annotation)
    return current


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
