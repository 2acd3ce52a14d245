"""The CI files `crm init` writes (crmdata/starter/templates/): their commands run here as the runner runs them.

GitHub and GitLab themselves are not available to a test; the jobs' `run:` / `script:` lines are, in a
real git repository made by `crm init`, with a base commit on main and a pull request's commit, with the
host's expressions and variables filled in the way its runner fills them. Only the install step is
replaced: `crm` is installed already (the test checks the step installs the pinned release).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from crmdata.starter.release import CURRENT, HOME
from tests.conftest import CRM, DataRepo, invoke_crm
from tests.notify_servers import Robots, robot_server

EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")
INSTALL = 'python -m pip install --quiet "$CRM_AS_CODE"'
PASSPHRASE = "correct horse battery staple"
CUSTOMER_NAME = "华星科技"


def git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "张明", "GIT_AUTHOR_EMAIL": "ming@example.com"}
    env |= {"GIT_COMMITTER_NAME": "张明", "GIT_COMMITTER_EMAIL": "ming@example.com"}
    done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def initialised(tmp_path: Path, host: str) -> tuple[DataRepo, str, str]:
    """`crm init --host HOST`, a first customer committed on main, then a branch whose commit logs a call.

    Returns the repository, the base commit and the head commit.
    """
    made = invoke_crm("init", "crm", "--host", host, "--team", "ming=张明", "--team", "hong=李红", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    data = DataRepo(tmp_path / "crm")
    data.customer("KH-2024001", name=CUSTOMER_NAME)
    data.interaction("JL-2024001", "KH-2024001", "2024-03-01")
    git(data.root, "add", ".")
    git(data.root, "commit", "--quiet", "-m", "初始数据")
    base = git(data.root, "rev-parse", "HEAD")
    git(data.root, "switch", "--quiet", "-c", "log-call")
    logged = invoke_crm("log", "KH-2024001", "--root", str(data.root), "--date", "2024-04-02", "--topic", "季度回顾")
    assert logged.returncode == 0, logged.stderr
    git(data.root, "add", ".")
    git(data.root, "commit", "--quiet", "-m", "记录季度回顾")
    return data, base, git(data.root, "rev-parse", "HEAD")


def runner_env(variables: dict[str, str]) -> dict[str, str]:
    """The runner's environment: the installed crm on PATH, then the host's variables."""
    return {**os.environ, "PATH": f"{CRM.parent}{os.pathsep}{os.environ['PATH']}"} | variables


def assert_encrypted(site: Path) -> None:
    """The published folder exists and no file of it carries the customer's name."""
    assert (site / "index.html").is_file()
    for path in site.rglob("*"):
        if path.is_file():
            assert CUSTOMER_NAME.encode() not in path.read_bytes(), f"{path} carries record text"


# --- GitHub Actions ----------------------------------------------------------------------------------------


def github_workflow(root: Path) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load((root / ".github/workflows/crm.yml").read_text(encoding="utf-8"))
    return data


@pytest.fixture
def pull_request(tmp_path: Path) -> tuple[DataRepo, dict[str, str]]:
    """A repository made by `crm init --host github` with one pull-request commit, and GitHub's expressions."""
    data, base, head = initialised(tmp_path, "github")
    expressions = {
        "github.event.pull_request.base.sha": base,
        "github.event.pull_request.head.sha": head,
        "!cancelled()": "true",
        "steps.deploy.outputs.page_url": "",
        "secrets.CRM_SITE_PASSWORD": PASSPHRASE,
    }
    return data, expressions


def run_github_job(job: str, root: Path, expressions: dict[str, str], summary: Path) -> list[tuple[str, int, str]]:
    """Run the job's `run:` steps in order as the runner does (bash -e, step env, GITHUB_STEP_SUMMARY).

    Returns (step name, exit status, output) for each step run; the job stops at the first failure
    unless a later step runs `if: !cancelled()`, as on GitHub.
    """

    def filled(text: str) -> str:
        def value(match: re.Match[str]) -> str:
            assert match.group(1) in expressions, f"the test does not know the expression {match.group(0)}"
            return expressions[match.group(1)]

        return EXPRESSION.sub(value, text)

    spec = github_workflow(root)
    env = runner_env({"GITHUB_STEP_SUMMARY": str(summary)})
    env |= {key: filled(str(value)) for key, value in spec.get("env", {}).items()}
    results: list[tuple[str, int, str]] = []
    failed = False
    for step in spec["jobs"][job]["steps"]:
        if "run" not in step:
            continue
        name = step.get("name", step["run"])
        if name == "Install crm":
            assert step["run"] == INSTALL
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


def test_the_workflow_runs_on_pull_requests_pushes_to_main_and_every_morning(
    pull_request: tuple[DataRepo, dict[str, str]],
) -> None:
    spec = github_workflow(pull_request[0].root)
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


def test_the_workflow_installs_the_release_that_wrote_it(pull_request: tuple[DataRepo, dict[str, str]]) -> None:
    spec = github_workflow(pull_request[0].root)
    assert spec["env"]["CRM_AS_CODE"] == CURRENT.requirement == f"crm-as-code @ git+{HOME}@v{CURRENT.version}"
    installs = [
        step["run"] for job in spec["jobs"].values() for step in job["steps"] if "pip install" in step.get("run", "")
    ]
    assert installs == [INSTALL] * len(spec["jobs"])  # every job installs the pinned release, once


def test_the_site_is_built_encrypted_with_the_secret_and_a_public_build_is_only_a_comment(
    pull_request: tuple[DataRepo, dict[str, str]],
) -> None:
    text = (pull_request[0].root / ".github/workflows/crm.yml").read_text(encoding="utf-8")
    build = next(
        step
        for step in github_workflow(pull_request[0].root)["jobs"]["site"]["steps"]
        if "crm build" in step.get("run", "")
    )
    assert build["run"] == "crm build --encrypt --out site"
    assert build["env"] == {"CRM_SITE_PASSWORD": "${{ secrets.CRM_SITE_PASSWORD }}"}
    assert re.search(r"^ *#   run: crm build --out site$", text, re.MULTILINE), "the public build is commented out"


def test_a_pull_request_is_validated_and_summarised(
    pull_request: tuple[DataRepo, dict[str, str]], tmp_path: Path
) -> None:
    data, expressions = pull_request
    summary = tmp_path / "summary.md"
    before = git(data.root, "status", "--porcelain")
    steps = run_github_job("check", data.root, expressions, summary)
    assert [(name, status) for name, status, _ in steps] == [
        ("Validate", 0),
        ("What this pull request changes", 0),
    ], steps
    markdown = summary.read_text(encoding="utf-8")
    assert "JL-2024002" in markdown and "季度回顾" in markdown
    assert git(data.root, "status", "--porcelain") == before, "the .gitignore crm init wrote keeps the cache out"


def test_an_invalid_pull_request_fails_with_annotations_and_still_gets_its_summary(
    pull_request: tuple[DataRepo, dict[str, str]], tmp_path: Path
) -> None:
    data, expressions = pull_request
    data.put((data.root / "customers/KH-2024001.yaml").read_text() + "phone: 0755\n")
    git(data.root, "commit", "--quiet", "-am", "坏数据")
    expressions = {**expressions, "github.event.pull_request.head.sha": git(data.root, "rev-parse", "HEAD")}
    steps = run_github_job("check", data.root, expressions, tmp_path / "summary.md")
    validate_name, validate_status, validate_output = steps[0]
    assert (validate_name, validate_status) == ("Validate", 1)
    assert re.search(r"^::error file=customers/KH-2024001\.yaml,line=\d+,col=\d+[,:]", validate_output, re.MULTILINE)
    assert [name for name, _, _ in steps] == ["Validate", "What this pull request changes"]
    assert (tmp_path / "summary.md").read_text(encoding="utf-8").strip(), "the summary says what is wrong"


def test_main_builds_the_site_encrypted(pull_request: tuple[DataRepo, dict[str, str]], tmp_path: Path) -> None:
    data, expressions = pull_request
    git(data.root, "switch", "--quiet", "main")
    steps = run_github_job("site", data.root, expressions, tmp_path / "summary.md")
    assert [(name, status) for name, status, _ in steps] == [("Build the site (encrypted)", 0)], steps
    assert_encrypted(data.root / "site")
    assert git(data.root, "status", "--porcelain") == "", "site/ and .crm-cache/ are ignored"


NOTIFY_CHANNELS = """
notify:
  - {kind: wecom, url_env: CRM_WECOM_URL}
  - {kind: webhook, url_env: CRM_WEBHOOK_URL}
"""


@pytest.fixture
def robots() -> Any:
    yield from robot_server()


def with_notify(data: DataRepo) -> None:
    """crm.yaml as `crm init` wrote it, with two reminder channels added (committed, as a team would)."""
    config = data.root / "crm.yaml"
    config.write_text(config.read_text(encoding="utf-8") + NOTIFY_CHANNELS, encoding="utf-8")
    git(data.root, "commit", "--quiet", "-am", "提醒渠道")


def test_weekday_mornings_send_the_reminders_with_the_repository_secrets(
    pull_request: tuple[DataRepo, dict[str, str]], robots: Robots, tmp_path: Path
) -> None:
    data, expressions = pull_request
    with_notify(data)
    spec = github_workflow(data.root)
    crons = [entry["cron"] for entry in spec[True]["schedule"]]
    assert "30 0 * * 1-5" in crons  # 08:30 in China, Monday to Friday
    condition = spec["jobs"]["notify"]["if"]
    assert "github.event.schedule == '30 0 * * 1-5'" in condition and "vars.CRM_NOTIFY == 'true'" in condition
    secrets = {f"secrets.{name}": "" for name in spec["jobs"]["notify"]["steps"][-1]["env"]}
    secrets |= {"secrets.CRM_WECOM_URL": robots.url("wecom", "key=K"), "secrets.CRM_WEBHOOK_URL": robots.url("hook")}
    steps = run_github_job("notify", data.root, expressions | secrets, tmp_path / "summary.md")
    assert [(name, status) for name, status, _ in steps] == [("Send the reminders", 0)], steps
    assert "KH-2024001" in robots.received["wecom"][0]["markdown"]["content"]
    assert robots.received["hook"][0]["owner"] == "ming"


# --- GitLab CI ---------------------------------------------------------------------------------------------

GITLAB_KEYWORDS = {"variables", "default", "stages", "workflow", "include", "image", "before_script"}
RULE_TERM = re.compile(r'^\s*(\$\w+)\s*(==|!=)\s*("[^"]*"|\$\w+)\s*$')


def gitlab_pipeline(root: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((root / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    return data


def rule_matches(condition: str, variables: dict[str, str]) -> bool:
    """A rules:if of `$A == "x"` / `$A != $B` terms joined by && (what the template uses), as GitLab reads it."""

    def operand(text: str) -> str:
        return variables.get(text[1:], "") if text.startswith("$") else text.strip('"')

    outcome = True
    for term in condition.split("&&"):
        match = RULE_TERM.match(term)
        assert match is not None, f"the test does not know the rule {term!r}"
        left, operator, right = match.groups()
        equal = operand(left) == operand(right)
        outcome = outcome and (equal if operator == "==" else not equal)
    return outcome


def gitlab_jobs(spec: dict[str, Any], variables: dict[str, str]) -> list[str]:
    """The jobs a pipeline with these predefined variables runs, in stage order."""
    jobs = [name for name in spec if name not in GITLAB_KEYWORDS and not name.startswith(".")]
    chosen = [name for name in jobs if any(rule_matches(rule["if"], variables) for rule in spec[name].get("rules", []))]
    return sorted(chosen, key=lambda name: spec["stages"].index(spec[name]["stage"]))


def run_gitlab_job(spec: dict[str, Any], job: str, root: Path, variables: dict[str, str]) -> tuple[int, str]:
    """before_script (the install, replaced) and script in one shell that stops at the first failure."""
    assert spec["default"]["before_script"] == [INSTALL]
    env = runner_env(variables | {key: str(value) for key, value in spec.get("variables", {}).items()})
    script = "\n".join(spec[job]["script"])
    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script], cwd=root, env=env, capture_output=True, text=True
    )
    return done.returncode, done.stdout + done.stderr


@pytest.fixture
def merge_request(tmp_path: Path) -> tuple[DataRepo, dict[str, str]]:
    """A repository made by `crm init --host gitlab` with one merge-request commit, and GitLab's variables."""
    data, base, head = initialised(tmp_path, "gitlab")
    variables = {
        "CI_PIPELINE_SOURCE": "merge_request_event",
        "CI_MERGE_REQUEST_DIFF_BASE_SHA": base,
        "CI_COMMIT_SHA": head,
        "CI_DEFAULT_BRANCH": "main",
        "CRM_SITE_PASSWORD": PASSPHRASE,
    }
    return data, variables


def test_a_merge_request_runs_validate_and_diff_and_keeps_the_diff_as_an_artifact(
    merge_request: tuple[DataRepo, dict[str, str]],
) -> None:
    data, variables = merge_request
    spec = gitlab_pipeline(data.root)
    assert spec["variables"]["CRM_AS_CODE"] == CURRENT.requirement
    assert spec["variables"]["GIT_DEPTH"] == "0", "crm diff and the change history need the git history"
    assert gitlab_jobs(spec, variables) == ["validate", "diff"]
    status, output = run_gitlab_job(spec, "validate", data.root, variables)
    assert status == 0, output
    status, output = run_gitlab_job(spec, "diff", data.root, variables)
    assert status == 0, output
    artifact = spec["diff"]["artifacts"]
    assert artifact["expose_as"] and artifact["when"] == "always"
    (report,) = artifact["paths"]
    markdown = (data.root / report).read_text(encoding="utf-8")
    assert "JL-2024002" in markdown and "季度回顾" in markdown
    assert "JL-2024002" in output, "the job log shows the summary too"


def test_an_invalid_merge_request_fails_validate_with_the_file_and_line(
    merge_request: tuple[DataRepo, dict[str, str]],
) -> None:
    data, variables = merge_request
    data.put((data.root / "customers/KH-2024001.yaml").read_text() + "phone: 0755\n")
    git(data.root, "commit", "--quiet", "-am", "坏数据")
    variables = {**variables, "CI_COMMIT_SHA": git(data.root, "rev-parse", "HEAD")}
    spec = gitlab_pipeline(data.root)
    status, output = run_gitlab_job(spec, "validate", data.root, variables)
    assert status == 1
    assert re.search(r"^customers/KH-2024001\.yaml:\d+:\d+: ", output, re.MULTILINE), output
    quality = spec["validate"]["artifacts"]
    assert quality["when"] == "always", "the report is kept when the job fails, which is when it matters"
    issues = json.loads((data.root / quality["reports"]["codequality"]).read_text(encoding="utf-8"))
    (issue,) = [issue for issue in issues if issue["severity"] == "major"]
    assert issue["location"]["path"] == "customers/KH-2024001.yaml"
    line = int(re.search(r"^customers/KH-2024001\.yaml:(\d+):", output, re.MULTILINE).group(1))  # type: ignore[union-attr]
    assert issue["location"]["lines"]["begin"] == line
    assert issue["check_name"] and len(issue["fingerprint"]) == 32 and "phone" in issue["description"]
    status, output = run_gitlab_job(spec, "diff", data.root, variables)
    assert (data.root / "crm-diff.md").read_text(encoding="utf-8").strip(), "the diff job still says what changed"


@pytest.mark.parametrize("source", ["push", "schedule"])
def test_pushes_and_schedules_on_the_default_branch_run_only_pages(
    merge_request: tuple[DataRepo, dict[str, str]], source: str
) -> None:
    data, _ = merge_request
    on_main = {"CI_PIPELINE_SOURCE": source, "CI_COMMIT_BRANCH": "main", "CI_DEFAULT_BRANCH": "main"}
    spec = gitlab_pipeline(data.root)
    assert gitlab_jobs(spec, on_main) == ["pages"]
    assert gitlab_jobs(spec, on_main | {"CI_COMMIT_BRANCH": "log-call"}) == []
    assert spec["pages"]["script"] == ["crm build --encrypt --out public"]
    assert spec["pages"]["artifacts"]["paths"] == ["public"]


def test_the_pages_job_publishes_the_site_encrypted(merge_request: tuple[DataRepo, dict[str, str]]) -> None:
    data, variables = merge_request
    git(data.root, "switch", "--quiet", "main")
    variables = variables | {"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main"}
    status, output = run_gitlab_job(gitlab_pipeline(data.root), "pages", data.root, variables)
    assert status == 0, output
    assert_encrypted(data.root / "public")
    assert git(data.root, "status", "--porcelain") == "", "public/, site/ and .crm-cache/ are ignored"


# --- pre-commit --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["github", "gitlab", "none"])
def test_the_pre_commit_config_uses_the_hook_this_repository_ships_at_this_release(tmp_path: Path, host: str) -> None:
    made = invoke_crm("init", "crm", "--host", host, "--team", "ming=张明", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    config = yaml.safe_load((tmp_path / "crm/.pre-commit-config.yaml").read_text(encoding="utf-8"))
    shipped = yaml.safe_load((Path(__file__).resolve().parent.parent / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert [(repo["repo"], repo["rev"]) for repo in config["repos"]] == [(HOME, CURRENT.tag)]
    used = [hook["id"] for repo in config["repos"] for hook in repo["hooks"]]
    assert used == ["crm-validate"]
    assert {hook["id"] for hook in shipped} >= set(used)


def test_a_schedule_with_crm_notify_sends_the_reminders(
    merge_request: tuple[DataRepo, dict[str, str]], robots: Robots
) -> None:
    data, _ = merge_request
    with_notify(data)
    spec = gitlab_pipeline(data.root)
    schedule = {"CI_PIPELINE_SOURCE": "schedule", "CI_COMMIT_BRANCH": "main", "CI_DEFAULT_BRANCH": "main"}
    assert gitlab_jobs(spec, schedule | {"CRM_NOTIFY": "1"}) == ["pages", "notify"]
    assert spec["notify"]["needs"] == []
    variables = schedule | {"CRM_NOTIFY": "1", "CRM_WECOM_URL": robots.url("wecom", "key=K")}
    variables |= {"CRM_WEBHOOK_URL": robots.url("hook")}
    status, output = run_gitlab_job(spec, "notify", data.root, variables)
    assert status == 0, output
    assert "KH-2024001" in robots.received["wecom"][0]["markdown"]["content"]
