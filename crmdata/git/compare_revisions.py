"""What `crm diff BASE [HEAD]` reads from git, in one function: two revisions in, one `Change` out.

The flow is the one of every command, twice: git → scratch folder (`crmdata.git.gitrev`) → load and
validate → snapshot (`crmdata.git.diff`), BASE first and then HEAD in the same folder, → compare. The
working tree, the index and `.git` are only read. The command line parses options and prints.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from crmdata.git import diff, gitrev
from crmdata.records.load import LoadOptions, Progress, load_config
from crmdata.records.locate import PositionIndex
from crmdata.records.models import Language
from crmdata.records.validate import validate


def compare_revisions(
    root: Path,
    base: str,
    head: str | None,
    as_of: date,
    *,
    internal: bool = False,
    progress: Progress | None = None,
) -> diff.Change:
    """The change from revision `base` to `head` (default HEAD) of the data repository at `root`.

    `base...head` compares with the merge base, `base..head` the two commits (gitrev.revisions). Only
    the data files that differ are looked at twice: a revision pair that changes none is no change.
    Raises gitrev.GitError when `root` is not in a git repository or a revision is unknown.
    """
    repo = gitrev.repository(root)
    base_rev, head_rev = gitrev.revisions(repo, base, head)
    base_files = gitrev.data_files(repo, base_rev)
    head_files = gitrev.data_files(repo, head_rev)
    changed = gitrev.changed_paths(base_files, head_files)
    if not changed:
        base_side = head_side = diff.empty_snapshot(as_of, _language(root))
    else:
        largest = max(len(base_files), len(head_files))
        options = LoadOptions(progress=progress)
        with gitrev.scratch_tree(repo, cache_from=root, file_count=largest) as tree:
            base_side = _side(tree, base_files, changed, as_of, options)
            head_side = _side(tree, head_files, changed, as_of, options)
    return diff.compare(
        base_side,
        head_side,
        internal=internal,
        base_label=base_rev.label_in(head_side.language),
        head_label=head_rev.label_in(head_side.language),
        base_commit=base_rev.commit,
        head_commit=head_rev.commit,
    )


def _language(root: Path) -> Language:
    """The language of the working tree's crm.yaml (zh without one): a change that touches no data file
    is reported in it, since no revision was loaded."""
    config, _ = load_config(root, PositionIndex(root), LoadOptions(use_cache=False))
    return config.language if config is not None else Language.ZH


def _side(
    tree: gitrev.ScratchTree, files: gitrev.DataFiles, changed: set[str], as_of: date, options: LoadOptions
) -> diff.Snapshot:
    """Switch the scratch tree to a revision's files, load and validate them, and keep what compare needs.

    Only the snapshot outlives this call: the dataset is freed before the other revision is loaded.
    """
    tree.switch_to(files)
    if not files:
        return diff.empty_snapshot(as_of)
    outcome = validate(tree.root, options)
    return diff.snapshot(outcome.dataset, as_of, changed, outcome.errors)
