"""What `crm diff BASE [HEAD]` reads from git, in one function: two revisions in, one `Change` out.

The flow is the one of every command: git → scratch folder (`crmdata.git.gitrev`) → load and validate
→ snapshot (`crmdata.git.diff`) for BASE; then the folder is switched to HEAD (only the changed files are
written) and HEAD is built from BASE plus those files (`crmdata.git.revision_data`), → compare. The
working tree, the index and `.git` are only read. The command line parses options and prints.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from crmdata.git import diff, gitrev, revision_data
from crmdata.records.cache import ParseCache
from crmdata.records.load import LoadOptions, Progress, gc_paused, load_config
from crmdata.records.locate import PositionIndex
from crmdata.records.models import Language


def compare_revisions(
    root: Path,
    base: str,
    head: str | None,
    as_of: date,
    *,
    internal: bool = False,
    progress: Progress | None = None,
    full: bool = False,
) -> diff.Change:
    """The change from revision `base` to `head` (default HEAD) of the data repository at `root`.

    `base...head` compares with the merge base, `base..head` the two commits (gitrev.revisions). Only
    the data files that differ are looked at twice: a revision pair that changes none is no change.
    Raises gitrev.GitError when `root` is not in a git repository or a revision is unknown.

    `full`: load HEAD from nothing, as `crm validate` would, instead of from BASE plus the changed files;
    the same answer, twice the time (the tests compare the two).
    """
    repo = gitrev.repository(root)
    base_rev, head_rev = gitrev.revisions(repo, base, head)
    base_files = gitrev.data_files(repo, base_rev)
    head_files = gitrev.data_files_after(repo, base_rev, base_files, head_rev)
    changed = gitrev.changed_paths(base_files, head_files)
    if not changed:
        base_side = head_side = diff.empty_snapshot(as_of, _language(root))
    else:
        largest = max(len(base_files), len(head_files))
        # The working tree's parse cache, when it has one, is copied in and serves BASE (a warm run at a
        # person's machine). Without one (CI), none is written: HEAD is built from BASE's records, so a
        # cache of BASE in a folder about to be deleted would cost its writing and serve nothing.
        options = LoadOptions(progress=progress, use_cache=ParseCache.exists(root))
        today = date.today()
        with gitrev.scratch_tree(repo, cache_from=root, file_count=largest) as tree:
            tree.switch_to(base_files)
            base_loaded = revision_data.load_revision(tree.root, options, today) if base_files else None
            base_side = _snapshot(base_loaded, changed, as_of)
            if full:
                base_loaded = None  # freed before HEAD is loaded again from nothing
            tree.switch_to(head_files)
            if not head_files:
                head_loaded = None
            elif base_loaded is None:
                head_loaded = revision_data.load_revision(tree.root, options, today)
            else:
                head_loaded = revision_data.load_changed(base_loaded, tree.root, changed, options, today)
            with tree.removed_meanwhile():  # every problem is located: the files are needed no more
                head_side = _snapshot(head_loaded, changed, as_of)
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


def _snapshot(loaded: revision_data.LoadedRevision | None, changed: set[str], as_of: date) -> diff.Snapshot:
    """What compare needs of a loaded revision (None: a revision without data files)."""
    if loaded is None:
        return diff.empty_snapshot(as_of)
    with gc_paused():  # follow-ups and KPIs make many small objects, none in a cycle (as validate's load)
        return diff.snapshot(loaded.dataset, as_of, changed, loaded.errors)
