"""The base of every record model: unknown keys are errors, records are immutable values."""

from pydantic import BaseModel, ConfigDict, PrivateAttr


class Record(BaseModel):
    """A strict, frozen model: a typo in a key must never pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    _source_file: str = PrivateAttr(default="")

    @property
    def source_file(self) -> str:
        """The record's file, relative to the data repository's root (for messages and edit links)."""
        return self._source_file
