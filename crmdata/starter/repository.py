"""The files of a new data repository (`crm init`): which paths, with what bytes. Pure: no file is
written here (the command writes them through crmdata.system.safe_paths), so tests read the decision.

Every value of crm.yaml's policy and site comes from the models' defaults, never a literal repeated
here; the schemas are `crm schema`'s; the CI files and pre-commit config pin the release of the crm
that runs (crmdata.starter.release).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any, Literal

import yaml
from pydantic import BaseModel

from crmdata.authoring.writer import SCHEMA_FOLDER
from crmdata.records.load import FOLDER_MODELS, INTERACTIONS_DIR, RECORD_FOLDERS
from crmdata.records.models import Policy, SiteOptions, new_key_salt
from crmdata.records.models.fields import DEFAULT_CURRENCY
from crmdata.records.schema import SCHEMA_FILES, schema_for
from crmdata.starter.release import CURRENT, HOME, Release
from crmdata.starter.words import INIT_WORDS, SETTING_COMMENTS

Host = Literal["github", "gitlab", "none"]
HOSTS: tuple[Host, ...] = ("github", "gitlab", "none")
CI_FILES: dict[Host, tuple[str, str]] = {
    "github": (".github/workflows/crm.yml", "github-crm.yml"),
    "gitlab": (".gitlab-ci.yml", "gitlab-ci.yml"),
}
"""Host -> (the path in the new repository, the template in crmdata/starter/templates/)."""
IGNORED = ("site/", ".crm-cache/")
"""What `crm build` and the parse cache write: never committed."""


@dataclass(frozen=True)
class Starter:
    """What a person asked `crm init` for."""

    team: Mapping[str, str]
    """owner id -> name, in the order given."""
    language: Literal["zh", "en"] = "zh"
    host: Host = "github"
    release: Release = field(default=CURRENT)
    key_salt: str = field(default_factory=new_key_salt)
    """site.key_salt: drawn for this repository alone (a model default would be every team's salt)."""


def starter_files(starter: Starter) -> dict[str, bytes]:
    """Every file of the new repository: its path (POSIX, relative to the repository) -> its bytes."""
    texts: dict[str, str] = {"crm.yaml": crm_yaml(starter)}
    for folder in RECORD_FOLDERS:
        texts[f"{folder}/.gitkeep"] = ""
    for name, model in SCHEMA_FILES.items():
        texts[f"{SCHEMA_FOLDER}/{name}"] = json.dumps(schema_for(model), ensure_ascii=False, indent=2) + "\n"
    ignored = (*IGNORED, "public/") if starter.host == "gitlab" else IGNORED  # GitLab Pages publishes public/
    texts[".gitignore"] = "".join(f"{line}\n" for line in ignored)
    if starter.host in CI_FILES:
        path, template = CI_FILES[starter.host]
        texts[path] = _filled(template, starter)
    texts[".pre-commit-config.yaml"] = _filled("pre-commit-config.yaml", starter)
    texts[".vscode/settings.json"] = _json(vscode_settings())
    texts[".vscode/extensions.json"] = _json({"recommendations": ["redhat.vscode-yaml"]})
    texts["README.md"] = _filled(f"README.{starter.language}.md", starter)
    return {path: text.encode("utf-8") for path, text in texts.items()}


def vscode_settings() -> dict[str, Any]:
    """yaml-language-server's schema for each kind of file, so completion works in every record (the
    records `crm new` writes also carry the modeline)."""
    record_globs: dict[type[BaseModel], str] = {
        model: f"{folder}/**/*.yaml" if folder == INTERACTIONS_DIR else f"{folder}/*.yaml"
        for folder, model in FOLDER_MODELS.items()
    }
    schemas = {f"./{SCHEMA_FOLDER}/{name}": record_globs.get(model, "crm.yaml") for name, model in SCHEMA_FILES.items()}
    return {"yaml.schemas": schemas, "files.encoding": "utf8", "files.insertFinalNewline": True}


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _template(name: str) -> str:
    return (files("crmdata.starter") / "templates" / name).read_text(encoding="utf-8")


def _filled(name: str, starter: Starter) -> str:
    """A template with its @PLACEHOLDERS@ filled (not jinja: GitHub's ${{ }} and shell $VARs stay as they are)."""
    language, host = starter.language, starter.host
    install = "\n".join(
        f"# {line}" if number else line for number, line in enumerate(starter.release.install_lines[:2])
    )
    values = {
        "@CRM_VERSION@": starter.release.version,
        "@CRM_REQUIREMENT@": starter.release.requirement,
        "@CRM_TAG@": starter.release.tag,
        "@CRM_HOME@": HOME,
        "@CRM_INSTALL@": install,
        "@REVIEW_NAME@": INIT_WORDS.words[f"review_{host}"].text(language),
        "@REVIEW_TEXT@": INIT_WORDS.words[f"review_text_{host}"].text(language),
        "@SITE_TEXT@": INIT_WORDS.words[f"site_{host}"].text(language),
    }
    text = _template(name)
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text


# --- crm.yaml ------------------------------------------------------------------------------------------


def crm_yaml(starter: Starter) -> str:
    """crm.yaml: the team, the language, then every policy and site setting at its model default, each
    under a comment that says what it does (in the chosen language); site.key_salt, which has no default,
    is this repository's own."""
    language = starter.language
    lines = [f"# yaml-language-server: $schema={SCHEMA_FOLDER}/crm.schema.json"]
    lines += [f"# {line}" for line in _comment("header", language).splitlines()]
    lines += ["", f"# {_comment('team', language)}", "team:"]
    for key, name in starter.team.items():
        lines += [f"  {_scalar(key)}:", f"    name: {_scalar(name)}"]
    lines += ["", f"# {_comment('language', language)}", f"language: {language}"]
    for section, model in (("policy", Policy()), ("site", SiteOptions(key_salt=starter.key_salt))):
        lines += ["", f"# {_comment(section, language)}", f"{section}:"]
        lines += _settings(model, section, "  ", language)
    lines += ["", f"# {_comment('currency', language)}", f"currency: {DEFAULT_CURRENCY}"]
    return "\n".join(lines) + "\n"


def _settings(model: BaseModel, path: str, indent: str, language: str) -> Iterator[str]:
    """Each field of `model` at its value, a comment line above it; a nested model as a block, an unset
    optional field as a commented-out line (its comment says what to write)."""
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        dotted = f"{path}.{name}"
        comment = _comment(dotted, language, info.description or name)
        if isinstance(value, BaseModel):
            yield f"{indent}# {comment}"
            yield f"{indent}{name}:"
            yield from _settings(value, dotted, indent + "  ", language)
        elif value is None or value == [] or value == {}:
            yield f"{indent}# {comment}"
            yield f"{indent}# {name}:"
        else:
            yield f"{indent}# {comment}"
            yield f"{indent}{name}: {_scalar(value)}"


def _comment(key: str, language: str, description: str = "") -> str:
    """The setting's comment; for a setting the catalogue does not know yet, its field description's
    half in that language (descriptions read `中文 — English`)."""
    word = SETTING_COMMENTS.words.get(key)
    if word is not None:
        return word.text(language)
    chinese, _, english = description.partition(" — ")
    return (chinese if language == "zh" else english or chinese).strip()


def _scalar(value: object) -> str:
    """One YAML scalar as the strict reader reads it back (quoted when it would read as something else)."""
    if hasattr(value, "value"):  # an enum
        value = value.value
    text: str = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=1000)
    return text.removesuffix("\n").removesuffix("\n...")
