"""mkdocs' log lines, said in crm.yaml's language.

`crm build` and `crm serve` run mkdocs in-process, and mkdocs logs in English ("Cleaning site directory",
"Documentation built in 3.21 seconds"). A person reads crm's output in the repository's language, so the
lines worth reading are worded from the vocabulary, the chatter a build needs not show is dropped, and
what is left (mkdocs' warnings and errors, whose text is mkdocs' own) keeps its level in that language.
The crm plugin's own lines (logger `mkdocs.plugins.crm`) are worded by the plugin already.
"""

from __future__ import annotations

import logging
import re

from crmdata.cli.output import say, styled
from crmdata.records.vocabulary import phrase

PLUGIN_LOGGER = "mkdocs.plugins.crm"

_KNOWN: tuple[tuple[re.Pattern[str], str | None], ...] = (
    (re.compile(r"Cleaning site directory$"), None),
    (re.compile(r"Building documentation to directory: (?P<path>.+)$"), "mkdocs_building_into"),
    (re.compile(r"Documentation built in (?P<seconds>[\d.]+) seconds$"), "mkdocs_built_in"),
    (re.compile(r"Building documentation\.\.\.$"), "mkdocs_building"),
    (re.compile(r"Serving on (?P<url>\S+) and opening it in a browser$"), "mkdocs_serving"),
    (re.compile(r"Serving on (?P<url>\S+)$"), "mkdocs_serving"),
    (re.compile(r"Watching paths for changes: (?P<paths>.+)$"), "mkdocs_watching"),
    (re.compile(r"Detected file changes$"), "mkdocs_changes"),
    (re.compile(r"Reloading browsers$"), "mkdocs_reloading"),
    (re.compile(r"Browser connected: (?P<url>\S+)$"), None),
    (re.compile(r"Shutting down\.\.\.$"), "mkdocs_stopping"),
)
"""mkdocs 1.6's INFO lines (mkdocs/commands/{build,serve}.py, mkdocs/livereload): a phrase, or None to drop."""


def mkdocs_line(record: logging.LogRecord, language: str) -> str | None:
    """The line to show for one log record, in `language`; None when it is not worth a line."""
    message = record.getMessage()
    if record.name == PLUGIN_LOGGER:
        return message
    if record.levelno >= logging.WARNING:
        level = "mkdocs_error" if record.levelno >= logging.ERROR else "mkdocs_warning"
        return phrase(level, language, message=message)
    for pattern, key in _KNOWN:
        found = pattern.match(message)
        if found:
            return None if key is None else phrase(key, language, **found.groupdict())
    return phrase("mkdocs_info", language, message=message)


class WordedLog(logging.Handler):
    """mkdocs' messages on stderr, one line each, in crm.yaml's language."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language

    def emit(self, record: logging.LogRecord) -> None:
        line = mkdocs_line(record, self.language)
        if line is None:
            return
        colour = {"WARNING": "yellow", "ERROR": "red", "CRITICAL": "red"}.get(record.levelname)
        say(styled(line, fg=colour), err=True, keep="\n")


def show_mkdocs_log(language: str) -> None:
    """Send mkdocs' log (INFO and up) to stderr through `WordedLog`, replacing an earlier handler."""
    logger = logging.getLogger("mkdocs")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    for handler in [handler for handler in logger.handlers if isinstance(handler, WordedLog)]:
        logger.removeHandler(handler)
    logger.addHandler(WordedLog(language))
