"""The words for each churn-risk signal (crmdata.engine.segments.RiskSignal), per language.

The engine says which signal fired and with what figures (`days`, `count`, `latest`, `earlier_average`);
the renderers (`crm segments`, the site) word it here, in the reader's language, by naming the figures
they place: a sentence can put them in any order without counting arguments.
"""

from __future__ import annotations

from string import Formatter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crmdata.engine.segments import RiskSignal

RISK_SIGNAL_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "silent": ("no contact for {days:.0f} days", "no contact for ever"),
        "overdue": ("follow-up {days:.0f} days overdue",),
        "satisfaction_falling": ("satisfaction fell to {latest:.0f} from an average of {earlier_average:.1f}",),
        "open_complaint": ("{count:.0f} open complaint(s)",),
        "dormant": ("stage is dormant",),
        "unkept_todos": ("{count:.0f} overdue todo(s)",),
    },
    "zh": {
        "silent": ("{days:.0f} 天没有联系", "从未联系"),
        "overdue": ("跟进逾期 {days:.0f} 天",),
        "satisfaction_falling": ("满意度从平均 {earlier_average:.1f} 降到 {latest:.0f}",),
        "open_complaint": ("{count:.0f} 条未解决投诉",),
        "dormant": ("阶段为休眠",),
        "unkept_todos": ("{count:.0f} 项待办逾期",),
    },
}
"""language -> signal name -> its wordings, the fullest first: the first whose figures the signal has is
used (a silent customer never contacted has no `days`)."""


def _figure_names(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def risk_signal_text(signal: RiskSignal, language: str) -> str:
    """The signal in words, in `language` (zh or en; another falls back to English)."""
    wordings = RISK_SIGNAL_WORDS.get(str(language), RISK_SIGNAL_WORDS["en"])[signal.name]
    for template in wordings:
        if _figure_names(template) <= signal.figures.keys():
            return template.format(**signal.figures)
    raise ValueError(f"no wording of risk signal {signal.name} fits its figures {sorted(signal.figures)}")
