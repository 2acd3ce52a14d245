"""The words for each churn-risk signal (crmdata.engine.segments.RiskSignal), in the reader's language.

The engine says which signal fired and with what named figures (`days`, `count`, `latest`,
`earlier_average`); the renderers (`crm segments`, its JSON, the site) word it here. The words themselves
are the vocabulary's (crmdata.records.vocabulary.SIGNAL_DETAILS), the one place every display word lives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crmdata.records.vocabulary import signal_text

if TYPE_CHECKING:
    from crmdata.engine.segments import RiskSignal


def risk_signal_text(signal: RiskSignal, language: object) -> str:
    """The signal in words, in `language` (zh or en, as crmdata.records.vocabulary.language_code reads it)."""
    return signal_text(signal.name, signal.figures, language)
