"""The CI files a data repository copies (templates/data-repo/): their commands run here as GitHub would run them.

GitHub itself is not available to a test; the workflow's `run:` steps are, in a real git repository
with a base commit and a pull request's commit, with GitHub's expressions and $GITHUB_STEP_SUMMARY
filled in the way the runner fills them. Only the install step is skipped: `crm` is installed already.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import CRM, DEFAULT_CONFIG, DataRepo, invoke_crm

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "data-repo"
WORKFLOW = TEMPLATES / ".github" / "workflows" / "crm.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


def workflow() -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return data


def git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "张明", "GIT_AUTHOR_EMAIL": "ming@example.com"}
    env |= {"GIT_COMMITTER_NAME": "张明", "GIT_COMMITTER_EMAIL": "ming@example.com"}
    done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture
def pull_request(tmp_path: Path) -> tuple[DataRepo, dict[str, str]]:
    """A data repository on main plus one pull-request commit that logs a conversation."""
    data = DataRepo(tmp_path / "crm")
    data.config(DEFAULT_CONFIG)
    data.customer("KH-2024001", name="华星科技")
    data.interaction("JL-2024001", "KH-2024001", "2024-03-01")
    git(data.root, "init", "--quiet", "--initial-branch=main")
    git(data.root, "add", ".")
    git(data.root, "commit", "--quiet", "-m", "初始数据")
    base = git(data.root, "rev-parse", "HEAD")
    git(data.root, "switch", "--quiet", "-c", "log-call")
    logged = invoke_crm("log", "KH-2024001", "--root", str(data.root), "--date", "2024-04-02", "--topic", "季度回顾")
    assert logged.returncode == 0, logged.stderr
    git(data.root, "add", ".")
    git(data.root, "commit", "--quiet", "-m", "记录季度回顾")
    head = git(data.root, "rev-parse", "HEAD")
    expressions = {
        "github.event.pull_request.base.sha": base,
        "github.event.pull_request.head.sha": head,
        "!cancelled()": "true",
        "steps.deploy.outputs.page_url": "",
    }
    return data, expressions


def run_job(job: str, root: Path, expressions: dict[str, str], summary: Path) -> list[tuple[str, int, str]]:
    """Run the job's `run:` steps in order as the runner does (bash -e, step env, GITHUB_STEP_SUMMARY).

    Returns (step name, exit status, output) for each step run; the job stops at the first failure
    unless a later step runs `if: !cancelled()`, as on GitHub.
    """

    def filled(text: str) -> str:
        def value(match: re.Match[str]) -> str:
            assert match.group(1) in expressions, f"the test does not know the expression {match.group(0)}"
            return expressions[match.group(1)]

        return EXPRESSION.sub(value, text)

    spec = workflow()
    env = {**os.environ, "PATH": f"{CRM.parent}{os.pathsep}{os.environ['PATH']}", "GITHUB_STEP_SUMMARY": str(summary)}
    env |= {key: filled(str(value)) for key, value in spec.get("env", {}).items()}
    results: list[tuple[str, int, str]] = []
    failed = False
    for step in spec["jobs"][job]["steps"]:
        if "run" not in step:
            continue
        name = step.get("name", step["run"])
        if name == "Install crm":
            assert step["run"] == 'python -m pip install --quiet "$CRM_AS_CODE"'
            continue
        if failed and filled(str(step.get("if", ""))) != "true":
            continue
        step_env = env | {key: filled(str(value)) for key, value in step.get("env", {}).items()}
        done = subprocess.run(
            ["bash", "-e", "-c", filled(step["run"])], cwd=root, env=step_env, capture_output=True, text=True
        )
        results.append((name, done.returncode, done.stdout + done.stderr))
        failed = failed or done.returncode != 0
    return results


def test_the_workflow_runs_on_pull_requests_pushes_to_main_and_every_morning() -> None:
    spec = workflow()
    triggers = spec[True]  # YAML 1.1 reads the key `on` as true; GitHub reads it as "on"
    assert set(triggers) == {"pull_request", "push", "schedule", "workflow_dispatch"}
    assert triggers["push"]["branches"] == ["main"]
    assert spec["jobs"]["check"]["if"] == "github.event_name == 'pull_request'"
    assert spec["jobs"]["site"]["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    uses = [step.get("uses", "") for step in spec["jobs"]["site"]["steps"]]
    assert "actions/upload-pages-artifact@v3" in uses and "actions/deploy-pages@v4" in uses
    for job in spec["jobs"].values():
        checkout = next(step for step in job["steps"] if step.get("uses", "").startswith("actions/checkout@"))
        assert checkout["with"]["fetch-depth"] == 0, "crm diff and the change history need the git history"


def test_a_pull_request_is_validated_and_summarised(
    pull_request: tuple[DataRepo, dict[str, str]], tmp_path: Path
) -> None:
    data, expressions = pull_request
    summary = tmp_path / "summary.md"
    before = git(data.root, "status", "--porcelain")
    steps = run_job("check", data.root, expressions, summary)
    assert [(name, status) for name, status, _ in steps] == [
        ("Validate", 0),
        ("What this pull request changes", 0),
    ], steps
    markdown = summary.read_text(encoding="utf-8")
    assert "JL-2024002" in markdown and "季度回顾" in markdown
    assert git(data.root, "status", "--porcelain") == before


def test_an_invalid_pull_request_fails_with_annotations_and_still_gets_its_summary(
    pull_request: tuple[DataRepo, dict[str, str]], tmp_path: Path
) -> None:
    data, expressions = pull_request
    data.put((data.root / "customers/KH-2024001.yaml").read_text() + "phone: 0755\n")
    git(data.root, "commit", "--quiet", "-am", "坏数据")
    expressions = {**expressions, "github.event.pull_request.head.sha": git(data.root, "rev-parse", "HEAD")}
    steps = run_job("check", data.root, expressions, tmp_path / "summary.md")
    validate_name, validate_status, validate_output = steps[0]
    assert (validate_name, validate_status) == ("Validate", 1)
    assert re.search(r"^::error file=customers/KH-2024001\.yaml,line=\d+,col=\d+[,:]", validate_output, re.MULTILINE)
    assert [name for name, _, _ in steps] == ["Validate", "What this pull request changes"]
    assert (tmp_path / "summary.md").read_text(encoding="utf-8").strip(), "the summary says what is wrong"


def test_main_builds_the_site(pull_request: tuple[DataRepo, dict[str, str]], tmp_path: Path) -> None:
    data, expressions = pull_request
    steps = run_job("site", data.root, expressions, tmp_path / "summary.md")
    assert [(name, status) for name, status, _ in steps] == [("Build the site", 0)], steps
    assert (data.root / "site" / "index.html").is_file()
    assert (data.root / "site" / "customers" / "KH-2024001" / "index.html").is_file()


def test_the_pre_commit_config_uses_the_hook_this_repository_ships() -> None:
    config = yaml.safe_load((TEMPLATES / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    shipped = yaml.safe_load((TEMPLATES.parent.parent / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    used = [hook["id"] for repo in config["repos"] for hook in repo["hooks"]]
    assert used == ["crm-validate"]
    assert {hook["id"] for hook in shipped} >= set(used)
