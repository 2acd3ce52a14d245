"""Validate one record's data against its model and say what is wrong in the user's terms.

pydantic's messages are written for programmers ("Input should be a valid string"); a person editing
YAML needs "expected text, but YAML reads 13800138000 as a number: quote it". This module turns each
pydantic error into a `Problem` at the right loc, quoting the value back as it was written when the
reader's positions are at hand.
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
from crmdata.records.models.fields import ID_RULE, NAME_PATTERN, TEXT_PATTERN, text_problem
from crmdata.records.problems import Loc, Problem, error
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
    """One pydantic error as a Problem with a message a YAML editor understands."""
    loc: Loc = tuple(err["loc"])
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err["input"]
    if kind in ("stage_rule", "rule"):
        return error(path, err["msg"], (*loc, *str(ctx["field"]).split(".")), at_key=bool(ctx.get("at_key")))
    if kind == "reserved_id":  # a reserved id, team key or segment name: point at the key when it is one
        if loc and loc[-1] == "[key]":
            return error(path, err["msg"], loc[:-1], at_key=True)
        return error(path, err["msg"], loc)
    if loc and loc[-1] == "[key]":
        return error(path, f"{loc[-2]!r} is not a valid key: use {ID_RULE}", loc[:-1], at_key=True)
    if kind == "missing":
        return error(path, f"required field {loc[-1]} is missing", loc)
    if kind == "extra_forbidden":
        return error(path, _unknown_field_message(model, loc), loc, at_key=True)
    if kind == "string_type":
        return error(path, _not_text_message(value, loc, positions), loc)
    if kind == "enum":
        return error(path, _enum_message(value, ctx), loc)
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") in (TEXT_PATTERN, NAME_PATTERN) and isinstance(value, str):
            problem = text_problem(value)
            return error(path, problem or "must not be empty", loc)
        if str(ctx.get("pattern", "")).startswith("^https?"):
            return error(path, f"{value!r} is not a web address: use http(s)://… ending in '/'", loc)
        return error(path, f"{value!r} is not a valid id: use {ID_RULE}", loc)
    if kind == "string_unicode":
        return error(path, "contains half of a character (a lone surrogate such as \\ud800): not text", loc)
    if kind == "string_too_short":
        return error(path, "must not be empty", loc)
    if kind == "too_short":
        return error(path, "must not be empty: give at least one entry", loc)
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return error(path, f"expected a whole number, found {_describe(value)}", loc)
    if kind == "bool_type":
        return error(path, f"expected true or false, found {_describe(value)}", loc)
    if kind == "list_type":
        return error(path, f"expected a list (one '- item' per line), found {_describe(value)}", loc)
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return error(path, f"expected a mapping of field: value lines, found {_describe(value)}", loc)
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = "at least" if kind == "greater_than_equal" else "at most"
        limit = ctx.get("ge", ctx.get("le"))
        return error(path, f"must be {bound} {limit}, found {value}", loc)
    return error(path, str(err["msg"]), loc)


def _describe(value: object) -> str:
    if value is None:
        return "an empty value"
    if value is True or value is False:
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, datetime):
        return "a date and time"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"the text {value!r}"


def _not_text_message(value: object, loc: Loc, positions: PositionLookup) -> str:
    if isinstance(value, list | dict):
        return f"expected text, found {_describe(value)}"
    position = positions().get(loc)
    written = position.raw if position is not None and position.raw is not None else str(value)
    kind = _describe(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        kind = "a number"
    return f'expected text, but YAML reads {written} as {kind}: quote it ("{written}")'


def _enum_message(value: object, ctx: dict[str, Any]) -> str:
    expected = str(ctx.get("expected", "")).replace("'", "")
    choices = [choice.strip() for choice in expected.replace(" or ", ", ").split(",") if choice.strip()]
    message = f"{value!r} is not one of: {', '.join(choices)}"
    if isinstance(value, str):
        close = difflib.get_close_matches(value.lower(), choices, n=1, cutoff=0.7)
        if close:
            message += f" (did you mean {close[0]}?)"
    return message


def _unknown_field_message(model: type[BaseModel], loc: Loc) -> str:
    key = str(loc[-1])
    owner = _model_at(model, loc[:-1])
    allowed = list(owner.model_fields) if owner is not None else []
    message = f"unknown field {key!r}"
    odd = text_problem(key)
    if odd is not None:
        message += f" (it {odd.partition(':')[0]})"
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.7)
    if close:
        message += f" (did you mean {close[0]}?)"
    elif owner is Customer and key in Contact.model_fields:
        message += " (it belongs to a contact: contacts: [{name: ..., " + key + ": ...}])"
    if allowed:
        message += f"; allowed: {', '.join(allowed)}"
    return message


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
