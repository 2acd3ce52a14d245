"""When each record's stage, tier, value and owner changed, for the site: crmdata.git.field_history's answer,
kept by the build and continued from one build to the next (a new commit is the only thing read)."""

from __future__ import annotations

from crmdata.git import gitrev
from crmdata.git.field_history import FieldHistory, field_history
from site_builder.kept import Kept, recipe_name


def kept_field_history(repo: gitrev.GitRepository | None, store: Kept | None, code: bytes) -> FieldHistory | None:
    """When each record's tracked fields changed (crmdata.git.field_history), continued from the history kept
    by the last build; None outside git (`repo` None) or when git fails (the pages then show no such changes)."""
    if repo is None:
        return None
    name = recipe_name(repr(("field-history", code.hex())))
    kept = FieldHistory.from_json(store.get_json(name)) if store is not None else None
    try:
        history = field_history(repo, kept)
    except gitrev.GitError:
        return None
    if store is not None:
        if history is kept:
            store.use({name})  # the same history: kept as it is
        else:
            store.put_json(name, history.as_json())
    return history
