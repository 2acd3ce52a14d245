"""The words of the generated pages, in the language of crm.yaml (`language: zh|en`).

Templates never hold user-facing words: they ask `t("key")` for a label and `term(value)` for the name of
a value (stage `active` → 合作期), `term(value, of="status")` when a plain string needs its set named. The
words themselves are the one vocabulary's (crmdata.records.vocabulary), which the terminal, the sheets,
`crm diff` and the calendar read too. A missing key is a bug, so it raises instead of showing the key.
"""

from __future__ import annotations

from crmdata.records import vocabulary
from crmdata.records.vocabulary import LABELS, language_code


class Labels:
    """The labels of one language, as templates use them."""

    def __init__(self, language: object) -> None:
        self.language = language_code(language)

    def t(self, key: str, **values: object) -> str:
        """A page label; raises KeyError for an unknown key so a typo in a template fails the tests."""
        return LABELS[key].text(self.language, **values)

    def term(self, value: object, of: str | None = None) -> str:
        """The display word of an enum member, of a value of the set `of`, or of a record value (`active`);
        anything else (an industry, a tag, a month) as it is."""
        return vocabulary.term(value, self.language, of)
