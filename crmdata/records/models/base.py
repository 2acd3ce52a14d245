"""The base of every record model: unknown keys are errors, records are immutable values."""

from pydantic import BaseModel, ConfigDict


class Record(BaseModel):
    """A strict, frozen model: a typo in a key must never pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
