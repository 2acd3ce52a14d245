"""`crm init DIR`: a new data repository that validates and builds at once, and never overwrites a file."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from crmdata.records.models import Policy, SiteOptions, key_salt_bytes
from crmdata.starter.release import CURRENT
from crmdata.starter.words import INIT_WORDS, SETTING_COMMENTS
from tests.conftest import CRM, invoke_crm, run_crm

TEAM = ("--team", "ming=张明", "--team", "hua=李华")
COMMON = {
    "crm.yaml",
    "customers/.gitkeep",
    "interactions/.gitkeep",
    "plans/.gitkeep",
    "opportunities/.gitkeep",
    "contracts/.gitkeep",
    "schemas/customer.schema.json",
    "schemas/interaction.schema.json",
    "schemas/plan.schema.json",
    "schemas/opportunity.schema.json",
    "schemas/contract.schema.json",
    "schemas/crm.schema.json",
    ".gitignore",
    ".pre-commit-config.yaml",
    ".vscode/settings.json",
    ".vscode/extensions.json",
    "README.md",
}
CI_FILE = {"github": {".github/workflows/crm.yml"}, "gitlab": {".gitlab-ci.yml"}, "none": set()}


def files_below(root: Path) -> dict[str, bytes]:
    """Every file below `root` (the .git folder included) and its bytes."""
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def written(root: Path) -> set[str]:
    return {name for name in files_below(root) if not name.startswith(".git/")}


@pytest.mark.parametrize("host", ["github", "gitlab", "none"])
def test_init_writes_a_repository_that_validates_at_once(tmp_path: Path, host: str) -> None:
    made = invoke_crm("init", "crm", *TEAM, "--host", host, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    root = tmp_path / "crm"
    assert written(root) == COMMON | CI_FILE[host]
    for name in COMMON | CI_FILE[host]:
        assert f"已写入 {Path('crm') / name}" in made.stdout
    ignored = (root / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert {"site/", ".crm-cache/"} <= set(ignored)
    assert ("public/" in ignored) == (host == "gitlab"), "GitLab Pages publishes public/"
    assert made.stdout.splitlines()[-4:] == [
        INIT_WORDS.words["next_heading"].zh,
        INIT_WORDS.words["next_first_customer"].text("zh", path=Path("crm")),
        INIT_WORDS.words["next_commit"].zh,
        INIT_WORDS.words[f"next_{host}"].zh,
    ]
    checked = invoke_crm("validate", "--root", str(root))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 个错误，0 个警告" in checked.stdout, "placeholders and the README are not stray files"


def test_the_new_repository_builds_its_site_with_help_pages(tmp_path: Path) -> None:
    assert run_crm("init", "crm", *TEAM, cwd=tmp_path).returncode == 0
    root = tmp_path / "crm"
    built = run_crm("build", "--root", str(root), cwd=root)
    assert built.returncode == 0, built.stderr
    assert (root / "site/index.html").is_file()
    assert (root / "site/help/index.html").is_file()
    status = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True)
    assert "site/" not in status.stdout and ".crm-cache" not in status.stdout, "the build's output is ignored"


@pytest.mark.parametrize("language", ["zh", "en"])
def test_crm_yaml_writes_out_the_model_defaults_each_under_its_comment(tmp_path: Path, language: str) -> None:
    made = invoke_crm("init", "crm", *TEAM, "--language", language, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    text = (tmp_path / "crm/crm.yaml").read_text(encoding="utf-8")
    config = yaml.safe_load(text)
    assert config["team"] == {"ming": {"name": "张明"}, "hua": {"name": "李华"}}
    assert config["language"] == language
    assert config["policy"] == Policy().model_dump(mode="json"), "every policy setting, at its default"
    site = dict(config["site"])
    key_salt = site.pop("key_salt")
    assert site == SiteOptions().model_dump(mode="json", exclude_none=True), "every other site setting, at its default"
    assert SiteOptions().key_salt is None, "no salt shared by every repository: each init draws its own"
    assert len(key_salt_bytes(key_salt)) == 16
    assert config["currency"] == "CNY"
    lines = text.splitlines()
    for number, line in enumerate(lines[lines.index("policy:") - 1 :], start=lines.index("policy:") - 1):
        if re.match(r"^\s*[a-z_]+:", line):  # every setting of the policy and the site
            assert lines[number - 1].lstrip().startswith("# "), f"no comment above {line!r}"
    for key in ("policy.first_contact_days", "policy.cadence_days.stable", "site.redact"):
        assert f"# {SETTING_COMMENTS.words[key].text(language)}\n" in text
    has_chinese = re.search(r"[\u4e00-\u9fff]", "".join(line for line in lines if line.lstrip().startswith("#")))
    assert bool(has_chinese) == (language == "zh"), "comments in the chosen language"


def test_each_new_repository_gets_its_own_site_key_salt(tmp_path: Path) -> None:
    """site.key_salt keeps a remembered passphrase across the site's builds: every repository draws its
    own, so two teams with the same passphrase still have different site keys."""
    salts = []
    for name in ("one", "two"):
        assert invoke_crm("init", name, *TEAM, cwd=tmp_path).returncode == 0
        config = yaml.safe_load((tmp_path / name / "crm.yaml").read_text(encoding="utf-8"))
        salts.append(config["site"]["key_salt"])
    assert salts[0] != salts[1]
    assert all(len(key_salt_bytes(salt)) == 16 for salt in salts)


def test_every_setting_comment_and_init_word_is_in_both_languages() -> None:
    for catalogue in (SETTING_COMMENTS, INIT_WORDS):
        for key, word in catalogue.words.items():
            assert word.zh.strip() and word.en.strip(), key
            assert re.findall(r"\{(\w+)", word.zh) == re.findall(r"\{(\w+)", word.en), key


def test_schemas_are_crm_schemas_and_the_editor_finds_them(tmp_path: Path) -> None:
    assert invoke_crm("init", "crm", *TEAM, cwd=tmp_path).returncode == 0
    root = tmp_path / "crm"
    assert run_crm("schema", "--out", str(tmp_path / "fresh"), cwd=root).returncode == 0
    for path in (tmp_path / "fresh").iterdir():
        assert (root / "schemas" / path.name).read_bytes() == path.read_bytes()
    modeline = (root / "crm.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert modeline == "# yaml-language-server: $schema=schemas/crm.schema.json"
    settings = json.loads((root / ".vscode/settings.json").read_text(encoding="utf-8"))
    assert {(root / schema).resolve().name for schema in settings["yaml.schemas"]} == {
        "customer.schema.json",
        "interaction.schema.json",
        "plan.schema.json",
        "opportunity.schema.json",
        "contract.schema.json",
        "crm.schema.json",
    }
    assert settings["yaml.schemas"]["./schemas/plan.schema.json"] == "plans/*.yaml"
    assert settings["yaml.schemas"]["./schemas/interaction.schema.json"] == "interactions/**/*.yaml"
    assert all((root / schema).is_file() for schema in settings["yaml.schemas"])
    extensions = json.loads((root / ".vscode/extensions.json").read_text(encoding="utf-8"))
    assert extensions["recommendations"] == ["redhat.vscode-yaml"]
    added = invoke_crm(
        "new", "customer", "--root", str(root), "--name", "华星科技", "--type", "enterprise", "--tier", "regular",
        "--stage", "active", "--owner", "ming", "--consent",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    (record,) = (root / "customers").glob("*.yaml")
    schema = re.match(r"# yaml-language-server: \$schema=(\S+)", record.read_text(encoding="utf-8"))
    assert schema is not None and (record.parent / schema.group(1)).resolve() == root / "schemas/customer.schema.json"
    assert invoke_crm("validate", "--root", str(root)).returncode == 0


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_team_readme_says_how_to_log_review_and_find_the_site(tmp_path: Path, language: str) -> None:
    assert invoke_crm("init", "crm", *TEAM, "--language", language, "--host", "gitlab", cwd=tmp_path).returncode == 0
    readme = (tmp_path / "crm/README.md").read_text(encoding="utf-8")
    assert "crm log " in readme and CURRENT.requirement in readme
    assert INIT_WORDS.words["site_gitlab"].text(language) in readme
    assert "@" + "CRM" not in readme and not re.search(r"@[A-Z_]+@", readme), "every placeholder filled"


def test_init_in_english_speaks_english(tmp_path: Path) -> None:
    made = invoke_crm("init", "crm", *TEAM, "--language", "en", "--host", "none", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "wrote crm/crm.yaml" in made.stdout
    assert made.stdout.splitlines()[-1] == INIT_WORDS.words["next_none"].en


def test_init_makes_a_git_repository_on_main(tmp_path: Path) -> None:
    assert invoke_crm("init", "crm", *TEAM, cwd=tmp_path).returncode == 0
    head = subprocess.run(["git", "symbolic-ref", "HEAD"], cwd=tmp_path / "crm", capture_output=True, text=True)
    assert head.stdout.strip() == "refs/heads/main"


def test_init_inside_a_git_repository_makes_no_nested_one(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "--quiet", str(tmp_path / "company")], check=True)
    made = invoke_crm("init", "company/crm", *TEAM, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert not (tmp_path / "company/crm/.git").exists()
    assert (tmp_path / "company/crm/crm.yaml").is_file()
    assert invoke_crm("validate", "--root", str(tmp_path / "company/crm")).returncode == 0


def test_init_in_the_current_folder(tmp_path: Path) -> None:
    made = invoke_crm("init", ".", *TEAM, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "crm.yaml").is_file() and (tmp_path / ".git").is_dir()


def test_running_init_again_names_every_file_and_changes_nothing(tmp_path: Path) -> None:
    assert invoke_crm("init", "crm", *TEAM, cwd=tmp_path).returncode == 0
    before = files_below(tmp_path / "crm")
    again = invoke_crm("init", "crm", "--team", "wei=王伟", "--host", "gitlab", cwd=tmp_path)
    assert again.returncode == 1
    assert files_below(tmp_path / "crm") == before, "not one byte changed"
    message = again.stderr.strip()
    assert message.startswith("crm init：crm 里已有这些文件，crm init 从不覆盖文件，什么都没有写："), message
    for name in COMMON:  # every target that exists (the GitLab file does not)
        assert name in message
    assert ".gitlab-ci.yml" not in message


def test_one_existing_file_stops_init_before_anything_is_written(tmp_path: Path) -> None:
    (tmp_path / "crm").mkdir()
    (tmp_path / "crm/README.md").write_text("ours\n", encoding="utf-8")
    made = invoke_crm("init", "crm", *TEAM, "--language", "en", cwd=tmp_path)
    assert made.returncode == 1
    assert made.stderr.strip() == (
        "crm init: crm already has these files; crm init never overwrites a file, so nothing was written: README.md"
    )
    assert files_below(tmp_path / "crm") == {"README.md": b"ours\n"}, "no git init, no file"


def test_a_directory_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "crm").write_text("a file\n", encoding="utf-8")
    made = invoke_crm("init", "crm", *TEAM, "--language", "en", cwd=tmp_path)
    assert made.returncode == 1
    assert made.stderr.strip() == "crm init: crm is a file, not a folder: choose another path"
    assert (tmp_path / "crm").read_text(encoding="utf-8") == "a file\n"


@pytest.mark.parametrize(
    ("entries", "reason"),
    [
        (["ming"], "ming is not KEY=NAME"),
        (["ming=张明", "ming=明"], "ming is given twice"),
        (["ming="], "the name of ming is empty"),
        (["bad key=张明"], "bad key cannot be an owner id"),
        (["index=张明"], "index cannot be an owner id"),
    ],
)
def test_a_team_option_that_is_not_key_equals_name_is_a_usage_error(
    tmp_path: Path, entries: list[str], reason: str
) -> None:
    arguments = [part for entry in entries for part in ("--team", entry)]
    made = invoke_crm("init", "crm", *arguments, "--language", "en", cwd=tmp_path)
    assert made.returncode == 2
    assert made.stderr.startswith("Usage: crm init [OPTIONS] DIRECTORY")
    assert f"Invalid value for '--team': {reason}" in made.stderr
    assert not (tmp_path / "crm").exists()


def test_without_a_team_and_without_a_terminal_init_says_how_to_give_one(tmp_path: Path) -> None:
    made = run_crm("init", "crm", cwd=tmp_path)
    assert made.returncode == 2
    assert "请用 --team KEY=NAME 给出团队成员（可重复）：这里没有终端可以询问" in made.stderr
    assert not (tmp_path / "crm").exists()


def test_on_a_terminal_init_asks_for_the_team(tmp_path: Path) -> None:
    """A real pseudo-terminal: a wrong line is said and asked again, an empty line ends the team."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [str(CRM), "init", "crm", "--language", "en"], cwd=tmp_path, stdin=terminal, stdout=terminal, stderr=terminal
    )
    os.close(terminal)
    output = b""

    def read_until(marker: bytes) -> None:
        nonlocal output
        deadline = time.monotonic() + 30
        while marker not in output and time.monotonic() < deadline:
            if select.select([controller], [], [], 1)[0]:
                output += os.read(controller, 4096)

    for answer in (b"ming\n", "ming=张明\n".encode(), b"hua=Li Hua\n", b"\n"):
        read_until(b"empty line to finish): ")
        os.write(controller, answer)
        output = output.replace(b"empty line to finish): ", b"(asked) ", 1)
    assert process.wait(timeout=60) == 0
    read_until(b"Next:")
    os.close(controller)
    assert b"ming is not KEY=NAME" in output
    config = yaml.safe_load((tmp_path / "crm/crm.yaml").read_text(encoding="utf-8"))
    assert config["team"] == {"ming": {"name": "张明"}, "hua": {"name": "Li Hua"}}
