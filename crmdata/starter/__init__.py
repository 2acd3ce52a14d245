"""A new data repository (`crm init`) and the release it pins: which files, with what content.

`repository.starter_files` decides every file's bytes (pure); `release` names the project's home and
the version; `templates/` holds the CI files, the pre-commit config and the team README that crm init
fills in. The command itself (crmdata.cli.init) checks the folder, runs `git init` and writes.
"""
