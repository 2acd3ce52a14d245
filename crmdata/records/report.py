"""Problems as text for people, JSON for scripts, and GitHub annotations for pull requests.

Pure functions returning strings; only the CLI prints them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from crmdata.records.problems import Problem
from crmdata.records.vocabulary import label, phrase
from crmdata.system.terminal_text import json_visible, visible


def text_line(problem: Problem, language: object) -> str:
    """`path:line:column: field: message`, as the contract fixes it (site_builder/help/contract.md §4);
    warnings say so before the message; the message and that word in `language`.

    File names, keys and quoted values come from the repository: shown with `visible`, a key holding a
    line break cannot start a line of its own (a forged `valid: 0 errors` summary).
    """
    message = problem.text(language)
    if not problem.is_error:
        message = phrase("warning_prefix", language, message=message)
    return visible(f"{problem.file}:{problem.line}:{problem.column}: {problem.field}: {message}")


def problem_entry(problem: Problem, language: object) -> dict[str, object]:
    """One problem as the contract's JSON object: file, line, column, field, message (in `language`),
    and `code`, the message's catalogue key, which scripts can match whatever the language."""
    return {
        "file": problem.file,
        "line": problem.line,
        "column": problem.column,
        "field": problem.field,
        "message": problem.text(language),
        "code": problem.code,
    }


def format_kpi_value(value: object, unit: str) -> str:
    """A scalar KPI value for people: ratios as percentages, floats with two decimals, none as —."""
    if value is None:
        return "—"
    if unit == "ratio" and isinstance(value, int | float):
        return f"{value:.1%}"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def problems_json(problems: Sequence[Problem], language: object) -> str:
    """`{"ok", "errors": [...], "warnings": [...]}` per the contract (§4, JSON shapes)."""
    errors = [problem_entry(problem, language) for problem in problems if problem.is_error]
    warnings = [problem_entry(problem, language) for problem in problems if not problem.is_error]
    report = json.dumps({"ok": not errors, "errors": errors, "warnings": warnings}, ensure_ascii=False, indent=2)
    return json_visible(report)


def gitlab_report(problems: Sequence[Problem], language: object) -> str:
    """GitLab's Code Quality report (a subset of Code Climate's issue format): GitLab shows each problem in
    the merge request's Code Quality widget, on its file and line, when a job keeps this file as
    `artifacts: reports: codequality:`. Errors are `major`, warnings `minor`; the fingerprint names the
    place and the problem but not the line, so a problem that only moves is the same problem to GitLab."""
    issues = []
    for problem in problems:
        identity = "\0".join((problem.file, problem.field, problem.code or problem.message))
        issues.append(
            {
                "description": f"{problem.field}: {problem.text(language)}"
                if problem.field
                else problem.text(language),
                "check_name": problem.code or "crm-validate",
                "fingerprint": hashlib.sha256(identity.encode("utf-8", "surrogateescape")).hexdigest()[:32],
                "severity": "major" if problem.is_error else "minor",
                "location": {"path": problem.file, "lines": {"begin": max(problem.line, 1)}},
            }
        )
    return json_visible(json.dumps(issues, ensure_ascii=False, indent=2))


_LINE_BREAKS = "\r\n"


def _escape_data(text: str) -> str:
    """Workflow-command data escaping, as @actions/core's escapeData does."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """Workflow-command property escaping, as @actions/core's escapeProperty does."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_line(problem: Problem, language: object) -> str:
    """A `::error file=…,line=…,col=…::message` annotation that no record text can break out of.

    Control characters are shown with `visible` (the runner copies the line into the job log, where a
    terminal-style viewer would act on them), except line breaks, which the workflow-command escaping
    turns into %0D/%0A: GitHub shows them as line breaks inside the annotation, never as a new command.
    """
    command = "error" if problem.is_error else "warning"
    properties = ",".join(
        [
            f"file={_escape_property(visible(problem.file, keep=_LINE_BREAKS))}",
            f"line={problem.line}",
            f"col={problem.column}",
            f"title={_escape_property(visible(problem.field or 'crm validate', keep=_LINE_BREAKS))}",
        ]
    )
    message = f"{problem.field}: {problem.text(language)}" if problem.field else problem.text(language)
    return f"::{command} {properties}::{_escape_data(visible(message, keep=_LINE_BREAKS))}"


def summary(problems: Sequence[Problem], files: int, seconds: float | None, language: object = None) -> str:
    """One closing line with the counts, and the time taken unless `seconds` is None, in `language`
    (crm.yaml's; zh when there is none): `valid: 0 errors, 1 warning in 12 files (0.02 s)`,
    `有效：0 个错误，1 个警告，共 12 个文件（0.02 秒）`."""
    errors = sum(problem.is_error for problem in problems)
    took = "" if seconds is None else phrase("seconds", language, seconds=seconds)
    return (
        phrase(
            "validate_summary",
            language,
            verdict=label("invalid" if errors else "valid", language),
            errors=phrase("errors_n", language, count=errors),
            warnings=phrase("warnings_n", language, count=len(problems) - errors),
            files=phrase("files_n", language, count=files),
        )
        + took
    )
