"""The `crm` mkdocs plugin: the CRM's pages appear in the docs folder as if a person had written them.

Registered through the `mkdocs.plugins` entry point, so a data repository's mkdocs.yml says `plugins:
[crm, search]` and plain `mkdocs build` / `mkdocs serve` work. On every build the plugin validates the
records (refusing invalid data with the same messages as `crm validate`), computes the site's data once,
renders every page into a staging folder (rewriting only what changed) and hands those files to mkdocs
next to the hand-written pages of docs_dir. `mkdocs serve` also watches the records, so editing a YAML
file reloads the browser.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.toc import get_toc

from crmdata.records.cache import cache_folder
from crmdata.records.load import gc_paused
from crmdata.records.models import SiteSearch, key_salt_bytes
from crmdata.records.report import text_line
from crmdata.records.validate import Validation
from crmdata.records.verdict import validated
from crmdata.records.vocabulary import label, phrase
from crmdata.system.safe_paths import UnsafePathError
from crmdata.system.workers import worker_pool
from site_builder.claims import Claims
from site_builder.compact import compact_html
from site_builder.direct_html import Converted, HeadingOptions, convert, heading_options
from site_builder.early_search import EARLY_PAGES, EARLY_PARTS, EarlyParts, predicted_pages
from site_builder.encrypt import (
    PASSPHRASE_VARIABLE,
    SEAL_WORDS,
    UNLOCK_SCRIPT,
    PassphraseMissingError,
    Sealed,
    passphrase_from_environment,
    seal_site,
)
from site_builder.field_changes import kept_field_history
from site_builder.held import HeldPages
from site_builder.help import prune_navigation  # importing it registers the Help pages, after pages.py's
from site_builder.kept import KeptKpis, code_of, keeping, kept_answers, kept_bytecode, theme_bytecode
from site_builder.keyed_pages import (
    CLAIM_CHUNK,
    WORKER_SHARE,
    Rendering,
    prepare,
    render_worker_share,
    worth_a_second_process,
)
from site_builder.keyed_pages import forget as forget_forked
from site_builder.kpis_beside import kpis_beside
from site_builder.output import MARKER, check_replaceable, is_crm_site, mark
from site_builder.page_keys import (
    Fingerprints,
    PageKeys,
    UndeclaredInputError,
    code_digest,
    site_wide_digest,
    site_wide_values,
)
from site_builder.pages import (
    GROUP_ROWS,
    LIST_ROWS,
    Asset,
    Page,
    Placed,
    all_outputs,
    each_customers_pages,
    segment_src,
    worker_outputs,
)
from site_builder.past_kpis import PastKpis
from site_builder.render import Links, environment
from site_builder.reuse import (
    Manifest,
    digest_of,
    link_file,
    link_tree,
    load_manifest,
    quiet_dirty_warning,
    save_manifest,
    sweep,
    tree_digest,
)
from site_builder.search import FOLDER as SEARCH_FOLDER
from site_builder.search import (
    MAIN,
    Indexing,
    PartIndexing,
    SearchIndexError,
    code_files,
    customer_of,
    give_back_freed_memory,
    index_page,
    indexing,
    initials,
    mark_page,
    shard_names,
    shard_of,
)
from site_builder.sitedata import TREND_DAYS, SiteData, site_data
from site_builder.staging import Identity, Staging, identity, identity_of, status

log = logging.getLogger("mkdocs.plugins.crm")

MARKDOWN_EXTENSIONS = ["tables", "attr_list", "md_in_html", "admonition", "pymdownx.details", "toc"]
"""What the generated pages use; added to mkdocs.yml's own list when missing."""
ASSETS = ("crm.css", "crm.js")
PROGRESS_EVERY = 1000
"""Pages between progress lines: about 10 to 20 seconds of mkdocs' work at 10,000 customers on two cores."""
COLLECT_BEFORE_PAGES = 1000
"""Files from which mkdocs' building them is worth freeing the records and the site's data first (CrmPlugin.
_let_go_of_the_data): at 10,000 customers that is 0.4 s, wasted after an edit, when mkdocs builds a few pages and
links the rest (site_builder.reuse)."""
UNTIL_EXIT: list[SiteData] = []
"""The site's data of builds that left mkdocs little to do, never freed object by object: `crm build` ends with
os._exit (crmdata.cli.main)."""


OVERRIDES = Path(__file__).parent / "overrides"
"""Our own theme templates (the 404 page), searched before mkdocs-material's."""


def theme_words(config: MkDocsConfig, language: str, title: str, as_of: date) -> None:
    """The theme's own words in the site's language, and none of its advertising.

    mkdocs-material says its strings in `theme.language` already, but some are written in mkdocs.yml (the
    colour toggle's names), in Python-Markdown (the heading's permalink title) or in the theme's templates
    (the footer's "Made with Material for MkDocs", the 404 page's "404 - Not found"): the vocabulary says
    them here, in crm.yaml's language. A copyright line written in mkdocs.yml is the team's and stays.
    """
    for scheme in config.theme["palette"] or []:
        toggle = scheme.get("toggle") if isinstance(scheme, dict) else None
        if isinstance(toggle, dict):
            dark = scheme.get("scheme") == "slate"
            toggle["name"] = label("theme_to_light" if dark else "theme_to_dark", language)
    config.mdx_configs.setdefault("toc", {})["permalink_title"] = label("theme_permalink", language)
    config.extra["generator"] = False
    if not config.copyright:
        config.copyright = label("theme_footer", language, title=title, as_of=as_of.isoformat())
    config.extra["crm_not_found"] = label("theme_not_found", language)
    config.extra["crm_not_found_hint"] = label("theme_not_found_hint", language)
    config.extra["crm_home"] = label("theme_home", language)
    if str(OVERRIDES) not in config.theme.dirs:
        config.theme.dirs.insert(0, str(OVERRIDES))


def _modified() -> bool:
    """File.is_modified of a file this build makes (site_builder.reuse)."""
    return True


def _unmodified() -> bool:
    """File.is_modified of a file taken from the previous build."""
    return False


def _rendered(page: Any, converted: Converted) -> None:
    """What mkdocs' Page.render sets, from a page converted by site_builder.direct_html; the page's own
    render comes back (this one holds the HTML, which site_builder.held keeps compressed meanwhile)."""
    del page.render
    page.content = converted.html
    page.toc = get_toc(converted.toc_tokens)  # type: ignore[arg-type]  # toc's own tokens, as mkdocs passes them
    page._title_from_render = converted.title
    page.present_anchor_ids = converted.anchors
    page.links_to_anchors = {}  # the narrow Markdown has no Markdown links (raw HTML links are not checked)


class CrmPluginConfig(Config):  # type: ignore[no-untyped-call]
    root = c.Type(str, default="")
    """The data repository; default: the folder of mkdocs.yml."""
    as_of = c.Type(str, default="")
    """YYYY-MM-DD; default: today (or CRM_AS_OF)."""
    internal = c.Type(bool, default=False)
    """Show private contact fields (phone, email, address, birthday) unmasked."""
    encrypt = c.Type(bool, default=False)
    """Encrypt the site (site_builder.encrypt) with the passphrase in CRM_SITE_PASSWORD; crm.yaml's
    `site: {encrypt: true}` asks for it too."""


class CrmPlugin(BasePlugin[CrmPluginConfig]):  # type: ignore[no-untyped-call]
    """Generates the CRM's pages for mkdocs."""

    def __init__(self) -> None:
        self.validation: Validation | None = None
        """Set by `crm build` when it has validated already, so the records are read once."""
        self.spent: SiteData | None = None
        """The site's data once every page is rendered, until on_files knows whether mkdocs has much to build."""
        self.generated: list[str] = []
        """Source paths of the generated pages and files."""
        self.in_nav: set[str] = set()
        self.staging: Staging | None = None
        self.site_kind = "public"
        """"public" or "internal": names this kind of site's folders in the cache (staging, kept results)."""
        self.language = "zh"
        """crm.yaml's language, known once the records are read: the plugin's log lines are said in it."""
        self.pages_converted = 0
        self.pages_written = 0
        self.serving = False
        self.passphrase: str | None = None
        """Set when this build is encrypted (--encrypt or crm.yaml site.encrypt, not under `serve`)."""
        self.site_salt: bytes | None = None
        """crm.yaml's site.key_salt as bytes: the site key's salt, the same at every build (None: per build)."""
        self.sealed: Sealed | None = None
        """What the last build encrypted; None when it was not encrypted."""
        self.search_words: dict[str, str] = {}
        """With crm.yaml site.search: pagefind, the search box's words in the site's language (site_builder.search,
        crm.js); empty with material's built-in search, and then the pages are left as they are."""
        self.search_initials: dict[str, str] = {}
        """With Pagefind: each customer's own page (customers/<id>.md, not its further pages of conversations
        or todos) → the pinyin initials of its name, which the index reads. Two seconds for 10,000 names, and
        pypinyin's dictionaries load slowly: the last build's are kept (site_builder.kept.kept_answers), so
        a build after an edit works out only new names."""
        self.search_customers: frozenset[str] = frozenset()
        """With Pagefind: the customer ids, whose pages' headings the index weighs (site_builder.search)."""
        self.search_generated: frozenset[str] = frozenset()
        """With Pagefind: the generated pages' sources (the others, the team's own pages, are indexed whole)."""
        self.search_shards: list[str] = []
        """With Pagefind: the parts the customer pages are indexed in (site_builder.search.SHARD_CUSTOMERS)."""
        self.search_pages: Staging | None = None
        """With Pagefind: the folder of the pages Pagefind indexes (site_builder.search.index_page), in the cache
        beside the staging folder, at the site's paths; written if changed, pruned, never published."""
        self.held = HeldPages()
        """The HTML of pages converted and not yet written, compressed (site_builder.held says why)."""
        self.output: Path | None = None
        """Set by `crm build`: the output folder this build replaces, whose current files are reused
        (site_builder.reuse) when it holds a site crm built; None: a plain mkdocs build."""
        self.in_place = False
        """`crm serve` (mkdocs serve --dirty): the previous build is in site_dir itself; current files stay."""
        self.manifest: Manifest | None = None
        """The last completed build's manifest when this build may reuse its files."""
        self.pending: Manifest | None = None
        """This build's manifest, without the built files' identities until the site is in its place."""
        self.reused = 0
        self._root = Path()
        self.code = b""
        """This build's page_keys.code_digest: read once, for the pages' keys and the site's shared key."""
        self.parts: PartIndexing | None = None
        """With Pagefind: this build's search index, written part by part as each part's pages are written."""
        self.parts_left: dict[str, int] = {}
        """Per part of the search index: the pages still to be written before Pagefind may index it."""
        self.parts_started = 0.0
        self.early: EarlyParts | None = None
        """After an edit: the parts of the search index Pagefind started on before mkdocs wrote any page."""
        self.part_digests: dict[str, str] = {}
        """Per part of the search index made ready: the digest of its index pages (reuse.digest_of)."""
        self.direct: HeadingOptions | None = None
        """How generated pages are converted without Python-Markdown (site_builder.direct_html); None when
        mkdocs.yml adds a Markdown extension whose effect that module does not reproduce."""
        self.generated_pages: frozenset[str] = frozenset()

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """`mkdocs serve` / `crm serve` preview on this machine: never encrypted (nothing is published)."""
        self.serving = command == "serve"
        self.in_place = self.serving and dirty

    def root(self, config: MkDocsConfig) -> Path:
        configured = self.config.root or os.environ.get("CRM_ROOT", "")
        if configured:
            return Path(configured).resolve()
        return Path(config.config_file_path).resolve().parent

    def as_of(self) -> date:
        text = self.config.as_of or os.environ.get("CRM_AS_OF", "")
        try:
            return date.fromisoformat(text) if text else date.today()
        except ValueError:
            raise PluginError(f"crm: as_of must be a date YYYY-MM-DD, not {text!r}") from None

    @event_priority(100)  # before the search plugin reads the theme's language
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        started = time.perf_counter()
        if self.output is not None or self.in_place:
            quiet_dirty_warning()
        logging.getLogger("jieba").setLevel(logging.WARNING)  # its "Building prefix dict" chatter is not news
        root = self.root(config)
        validation = self.validation or validated(root)
        self.validation = None
        if not validation.ok:
            language = validation.dataset.config.language if validation.dataset.config is not None else None
            lines = [text_line(problem, language) for problem in validation.errors]
            raise PluginError("crm: the data does not validate; fix these errors first:\n" + "\n".join(lines))
        internal = self.config.internal or os.environ.get("CRM_INTERNAL", "") in ("1", "true", "yes")
        site_options = validation.dataset.config.site if validation.dataset.config is not None else None
        self.passphrase = None
        self.site_salt = None
        if site_options is not None and site_options.key_salt is not None:
            self.site_salt = key_salt_bytes(site_options.key_salt)
        pagefind = site_options is None or site_options.search == SiteSearch.PAGEFIND
        encrypting = (self.config.encrypt or (site_options is not None and site_options.encrypt)) and not self.serving
        if encrypting:
            try:
                self.passphrase = passphrase_from_environment()
            except PassphraseMissingError:
                language = validation.dataset.config.language if validation.dataset.config is not None else None
                words = SEAL_WORDS.say("passphrase_missing", variable=PASSPHRASE_VARIABLE)
                raise PluginError(f"crm: {words.text(language)}") from None
        self.site_kind = "internal" if internal else "public"
        self.code = code_digest()
        kept_kpis = KeptKpis(root, self.site_kind, self.code)
        past = PastKpis(root, validation.dataset, self.as_of(), kept_kpis.store, self.code)
        fields = kept_field_history(past.repo, kept_kpis.store, self.code)
        earliest = () if past.known else (self.as_of() - timedelta(days=TREND_DAYS[-1]),)
        with (
            gc_paused(),  # the site's data lives through the rendering, as the records: frozen like them
            kpis_beside(kept_kpis, validation.dataset, self.as_of(), earliest) as kpis,
        ):
            data = site_data(
                validation.dataset,
                self.as_of(),
                validation.warnings,
                internal,
                earlier_kpis=kpis,
                kpi_report=kpis.report,
                past=past,
                fields=fields,
            )
        kept_kpis.prune()
        if past.made:
            log.info(phrase("plugin_past_kpis_made", data.language, count=past.made))
        if kept_kpis.reused_today:
            log.info(phrase("plugin_kpis_reused_today", data.language, as_of=data.as_of))
        if kept_kpis.reused:
            days = "/".join(str((data.as_of - day).days) for day in sorted(kept_kpis.reused, reverse=True))
            log.info(phrase("plugin_kpis_reused", data.language, days=days))
        data.sealed = self.passphrase is not None
        del validation
        self.language = data.language
        log.info(phrase("plugin_computed", data.language, as_of=data.as_of, seconds=time.perf_counter() - started))
        self.search_words = {}
        self.search_initials = {}
        names: dict[str, str] = {}
        self.search_customers = frozenset()
        self.search_shards = []
        if pagefind:  # Pagefind answers instead of material's search (site_builder.search says why)
            self.search_words = {
                "label": phrase("search_label", data.language),
                "none": phrase("search_none", data.language),
                "found": phrase("search_found", data.language, count="{count}"),  # crm.js fills the count in
            }
            names = {f"customers/{cid}.md": customer.name for cid, customer in data.customers.items()}
            self.search_customers = frozenset(data.customers)
            self.search_shards = shard_names(len(data.customers))
            self.search_words["shards"] = ",".join(self.search_shards)  # crm.js merges them into one search
            material_search = config.plugins.get("material/search")
            if material_search is not None:
                material_search.config.enabled = False
        config.site_name = data.title
        config.theme["language"] = data.language
        theme_words(config, data.language, data.title, data.as_of)
        if config.theme["font"] is not False:
            log.info(phrase("plugin_font_off", data.language))
            config.theme["font"] = False
        prune_navigation(config)
        for extension in MARKDOWN_EXTENSIONS:
            if extension not in config.markdown_extensions:
                config.markdown_extensions.append(extension)
        for asset in ASSETS:
            target = config.extra_css if asset.endswith(".css") else config.extra_javascript
            if f"assets/{asset}" not in [str(item) for item in target]:
                target.append(f"assets/{asset}")
        self.direct = heading_options(config.markdown_extensions, config.mdx_configs)
        self.staging = Staging(root, self.site_kind)
        with keeping(root, self.site_kind):  # charts, feeds and pinyin initials (site_builder.kept)
            outputs = self._render(data, self.staging)
            code = code_of(initials.__code__.co_filename, packages=("pypinyin",))
            typed = kept_answers("pinyin-initials.json", code, initials, names.values())
            self.search_initials = {src: typed[name] for src, name in names.items()}
        removed = self.staging.prune()
        self.generated = [output.src for output in outputs] + [f"assets/{asset}" for asset in ASSETS]
        if self.passphrase is not None:
            self.generated.append(UNLOCK_SCRIPT)
        self.in_nav = {output.src for output in outputs if output.nav is not None}
        self.generated_pages = frozenset(src for src in self.generated if src.endswith(".md"))
        self.search_generated = frozenset(self.generated) if self.search_words else frozenset()
        self.search_pages = Staging(root, self.site_kind + "-search") if pagefind else None
        self._start_early_search(config)
        if config.nav is None:
            config.nav = self._nav(outputs, config)
        customers = len(data.customers)
        self.spent = data  # not needed again: freed in on_files when mkdocs has many pages to build
        del data, outputs
        log.info(
            phrase(
                "plugin_pages_and_files",
                self.language,
                count=len(self.generated),
                customers=customers,
                changed=self.staging.changed,
                removed=removed,
                seconds=time.perf_counter() - started,
            )
        )
        return config

    def _render(self, data: SiteData, staging: Staging) -> list[Placed]:
        """Render and write every page and file; returns where each one is, not what it holds: a page's
        context (a customer's conversations, todos, contracts) is let go as soon as the page is written.
        A keyed page (a customer's) whose inputs and staged file are those of the last build is kept as it
        is instead (site_builder.page_keys); this build's keys are saved once every page is written."""
        env = environment(data.labels, kept_bytecode())
        env.globals.update(segment_src=segment_src, limit=LIST_ROWS, group_limit=GROUP_ROWS)
        outputs = []
        pages = 0
        keys = PageKeys(staging)
        site_wide = site_wide_values(data)
        rendering = Rendering(
            env, keys, staging, self.code, site_wide_digest(site_wide), site_wide, Fingerprints(data.ds.record_keys)
        )
        with ExitStack() as stack:
            share = None
            rendering_most = len(keys.before) < len(data.customers)  # no last build to keep pages from (CI)
            if worth_a_second_process(len(data.customers)):  # customers' pages in a worker (keyed_pages says which)
                if rendering_most:
                    data.worker_share = WORKER_SHARE
                else:  # after an edit: claimed in turns, so neither process waits for the other
                    data.claims = Claims(CLAIM_CHUNK)
                data.in_worker = True  # the worker's copy, as it is forked
                prepare(rendering, lambda: worker_outputs(data))
                give_back_freed_memory()  # what loading and computing left free is not the worker's to inherit
                # Frozen, the build's objects are left alone by the worker's collector (fewer pages copied) and by
                # the build's own: they are freed by their counts as ever, and unfrozen they were rescanned by every
                # full collection (3.9 s of a 10,000-customer build, in two of them).
                gc.freeze()
                try:
                    pool = stack.enter_context(worker_pool(max_workers=1))
                finally:
                    forget_forked()  # the worker has its copy; the build must be able to free the data later
                    data.in_worker = False  # the build's
                share = pool.submit(render_worker_share)
            for output in all_outputs(data):
                if isinstance(output, Asset):
                    staging.write(output.src, output.content)
                elif output.keyed:  # rendered only when its inputs changed (site_builder.page_keys)
                    try:
                        rendering.page(output)
                    except UndeclaredInputError as undeclared:
                        raise PluginError(f"crm: {undeclared}") from None
                    pages += 1
                else:
                    text = env.get_template(output.template).render(
                        data=data, links=Links(output.src), page=output, **output.context
                    )
                    staging.write(output.src, text)
                    pages += 1
                if isinstance(output, Page) and pages % PROGRESS_EVERY == 0:
                    log.info(phrase("plugin_rendered", self.language, count=pages))
                outputs.append(Placed(output.src, output.nav if isinstance(output, Page) else None))
            if data.claims is not None:  # the customers the worker has not claimed yet
                for page in each_customers_pages(data):
                    try:
                        rendering.page(page)
                    except UndeclaredInputError as undeclared:
                        raise PluginError(f"crm: {undeclared}") from None
                    outputs.append(Placed(page.src, None))
            if share is not None:
                try:
                    worked = share.result()
                except UndeclaredInputError as undeclared:
                    raise PluginError(f"crm: {undeclared}") from None
                worked.merge_into(rendering)
                outputs += [Placed(src, None) for src in sorted(worked.written)]  # customer pages, feeds: no nav place
                data.worker_share = data.claims = None
        for asset in (*ASSETS, Path(UNLOCK_SCRIPT).name):
            staging.write(f"assets/{asset}", (Path(__file__).parent / "assets" / asset).read_bytes())
        keys.save()  # only now: a build stopped before this point leaves the last build's keys
        log.info(phrase("plugin_keyed_pages", self.language, rendered=keys.rendered, current=keys.current))
        return outputs

    def _start_early_search(self, config: MkDocsConfig) -> None:
        """After an edit: have Pagefind index the part of the search index holding the rewritten customer pages
        now, while mkdocs links and writes the site, when the build can predict their index pages
        (site_builder.early_search says how, and how a wrong prediction is caught)."""
        self._stop_early_search()
        assert self.staging is not None
        if (
            self.search_pages is None
            or not self.search_shards
            or self.serving
            or self.passphrase is not None
            or self.direct is None
        ):
            return
        customers, shards, generated = self.search_customers, self.search_shards, self.search_generated
        # Only the pages of the customers' parts count: a call logged today also rewrites the owner's lists and
        # morning (not indexed) and overview pages (the main part, indexed at the end as ever).
        rewritten = [src for src in self.staging.rewritten if customer_of(src, customers) is not None]
        first = self.staging.changed == len(self.staging.written)  # nothing of an earlier build kept
        if not rewritten or len(rewritten) > EARLY_PAGES or first:
            return  # nothing to index early, too much, or a first build
        predicted = predicted_pages(
            self.staging,
            rewritten,
            self.direct,
            lambda src: (shard_of(src, shards, customers), indexing(src, customers, generated)),
            lambda src: File(src, None, config.site_dir, config.use_directory_urls).dest_uri,
            lambda src: self.search_initials.get(src, ""),
        )
        if not predicted:
            return
        self.early = EarlyParts(self.search_pages, cache_folder(self.root(config), "site") / f"{self.site_kind}-early")
        try:
            for part, pages in list(predicted.items())[:EARLY_PARTS]:
                self.early.start(part, pages)
        except SearchIndexError:  # Pagefind could not start: the parts are indexed as ever, which says why
            self._stop_early_search()

    def _stop_early_search(self) -> None:
        if self.early is not None:
            self.early.close()
            self.early = None

    def _adopt_early(self, name: str, output: Path) -> tuple[int, int] | None:
        """For PartIndexing: the part's early index moved into `output` when its index pages are those it
        indexed (early_search.EarlyParts.take); None otherwise."""
        digest = self.part_digests.get(name)
        if self.early is None or digest is None:
            return None
        return self.early.take(name, digest, output)

    def _nav(self, outputs: list[Placed], config: MkDocsConfig) -> list[Any]:
        """Generated pages with a nav place, in registry order (sections nested), then hand-written pages.

        Customer and segment pages stay out: the theme renders the whole nav into every page, so 10,000
        customers in it would make every page huge and the build quadratic.
        """
        nav: list[Any] = []
        sections: dict[str, list[Any]] = {}
        for output in outputs:
            if output.nav is None:
                continue
            if len(output.nav) == 1 and output.src.endswith("/index.md"):
                sections[output.nav[0]] = [output.src]
                nav.append({output.nav[0]: sections[output.nav[0]]})
            elif len(output.nav) == 1:
                nav.append({output.nav[0]: output.src})
            else:
                sections[output.nav[0]].append({output.nav[-1]: output.src})
        docs = Path(config.docs_dir)
        for path in sorted(docs.rglob("*.md")) if docs.is_dir() else []:
            nav.append(path.relative_to(docs).as_posix())
        return nav

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        assert self.staging is not None
        self._refuse_links_out_of_docs(files, config)
        generated = set(self.generated)
        clashes = sorted(file.src_uri for file in files if file.src_uri in generated)
        if clashes:
            raise PluginError(f"crm: {', '.join(clashes)} in {config.docs_dir} would hide generated pages; rename them")
        in_nav = self.in_nav
        for src in sorted(generated):
            inclusion = (
                InclusionLevel.UNDEFINED if src in in_nav or not src.endswith(".md") else InclusionLevel.NOT_IN_NAV
            )
            files.append(File.generated(config, src, abs_src_path=str(self.staging.folder / src), inclusion=inclusion))
        self._reuse_current_files(files, config)
        self._let_go_of_the_data(len(files) - self.reused)
        return self._in_part_order(files)

    def _let_go_of_the_data(self, to_build: int) -> None:
        """Free the records and the site's data before mkdocs builds many pages (COLLECT_BEFORE_PAGES: their
        memory goes to mkdocs' own work), and under `crm serve` (it lives on); otherwise keep them to the end
        (UNTIL_EXIT): freeing a million objects costs 0.4 s at 10,000 customers, for nothing when `crm build`
        ends with os._exit right after a build that reused nearly every file."""
        spent, self.spent = self.spent, None
        if to_build >= COLLECT_BEFORE_PAGES or self.serving:
            del spent
            gc.collect()
        elif spent is not None:
            UNTIL_EXIT[:] = [spent]  # the last build's only: a process building again frees the one before

    def _in_part_order(self, files: Files) -> Files:
        """The pages in the order of the search index's parts (the rest first, then the customers part by part,
        each part in mkdocs' order): mkdocs writes the pages in this order, so each part's pages are all
        written early and Pagefind indexes the part beside the writing of the rest (PartIndexing)."""
        if self.search_pages is None or not self.search_shards:
            return files
        order = {name: number for number, name in enumerate(self.search_shards, start=1)}

        def part(file: File) -> int:
            if not file.is_documentation_page():
                return 0
            return order.get(shard_of(file.src_uri, self.search_shards, self.search_customers), 0)

        return Files(sorted(files, key=part))

    def _site_key(self, config: MkDocsConfig) -> str:
        """What every page's HTML shares besides its own Markdown (site_builder.reuse): the code, the
        configuration mkdocs renders with (the footer carries the data date), the navigation and the
        hand-written pages (their titles are in every page's navigation)."""
        shared = {
            "code": self.code.hex(),
            "docs": tree_digest(Path(config.docs_dir)),
            "theme": {**dict(config.theme.items()), "dirs": config.theme.dirs, "name": config.theme.name},
            "search": self.search_words,
            "shards": self.search_shards,
            **{
                key: config.get(key)
                for key in (
                    "site_name", "site_url", "site_description", "site_author", "copyright", "use_directory_urls",
                    "repo_url", "repo_name", "edit_uri", "extra", "markdown_extensions", "mdx_configs",
                    "extra_css", "extra_javascript", "extra_templates", "nav", "validation", "watch",
                )
            },
        }  # fmt: skip
        text = json.dumps(shared, sort_keys=True, default=repr, ensure_ascii=False)
        return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()

    def _reuse_current_files(self, files: Files, config: MkDocsConfig) -> None:
        """Decide, file by file, what this build takes from the previous one (site_builder.reuse) and tell
        mkdocs through each file's is_modified: a current file is hard-linked from the previous output (or
        left in place under `crm serve`), everything else is built. The hand-written pages are always built:
        their titles are read from their text, and every page's navigation shows them."""
        self.manifest = self.pending = None
        self.reused = 0
        reusable = self.search_pages is not None and self.passphrase is None  # whole: material search, sealing
        output = self.output if self.output is not None else Path(config.site_dir) if self.in_place else None
        assert self.staging is not None
        name = self.staging.folder.name
        root = self.root(config)
        building = Path(config.site_dir)
        recycled = self.output is not None  # crm build's folder: perhaps the site it replaced last time
        linked: set[str] = set()
        if not reusable or output is None:
            if recycled:
                sweep(building, linked)  # all of it: this site is built whole
            return
        site_key = self._site_key(config)
        self.pending = Manifest(str(output), site_key)
        self.manifest = load_manifest(root, name, output, site_key) if is_crm_site(output) else None
        generated = set(self.generated)
        folders: set[str] = set()
        self._root = root
        previous, into = str(output), str(building)  # 13,000 files after an edit at 10,000 customers: no Path
        for file in files:
            source: Identity | None = identity(file.abs_src_path) if file.abs_src_path is not None else None
            if source is not None:
                self.pending.files[file.dest_uri] = (source, (0, 0, 0))
            current = False
            if self.manifest is not None and (not file.is_documentation_page() or file.src_uri in generated):
                built = status(os.path.join(previous, file.dest_uri))
                current = (
                    self.manifest.current(file.dest_uri, source, identity_of(built))
                    and self._keep_index_page(file)
                    and (output == building or link_file(previous, into, file.dest_uri, folders, built))
                )
            file.is_modified = _unmodified if current else _modified  # type: ignore[method-assign]
            self.reused += current
            if current and recycled:
                linked.add(file.dest_uri)
        if recycled:
            sweep(building, linked)  # before mkdocs writes: never into a link to the published site's file
        if self.manifest is not None:
            log.info(phrase("plugin_reused", self.language, reused=self.reused, total=len(files)))

    def _keep_index_page(self, file: File) -> bool:
        """A reused page keeps its page in the search index's folder (written when it was last built);
        False when that page is missing, and then the page is built again (which writes it)."""
        if self.search_pages is None or not file.is_documentation_page():
            return True
        how = indexing(file.src_uri, self.search_customers, self.search_generated)
        if how is None:
            return True
        part = shard_of(file.src_uri, self.search_shards, self.search_customers)
        return self.search_pages.keep(f"{part}/{file.dest_uri}")

    def remember(self, output: Path) -> None:
        """After the site is in its place: record what it is made of, so the next build can reuse it."""
        if self.pending is None or self.staging is None:
            return
        files = {}
        folder = str(output)
        for dest, (source, _) in self.pending.files.items():
            built = identity(os.path.join(folder, dest))
            if built is not None:
                files[dest] = (source, built)
        self.pending.files = files
        self.pending.output = str(output)
        save_manifest(self._root, self.staging.folder.name, self.pending)
        self.pending = None

    def _refuse_links_out_of_docs(self, files: Files, config: MkDocsConfig) -> None:
        """The site publishes what the repository holds, never what a link points to.

        mkdocs follows links in docs_dir: a committed `docs/keys -> ~/.ssh` would publish the CI machine's
        keys. So the docs folder may not be reached through a link inside the repository, and no
        hand-written file may lead out of it (a link between two places inside it is fine).
        """
        docs = Path(os.path.abspath(config.docs_dir))
        root = self.root(config)
        if docs.is_relative_to(root):
            place = root
            for part in docs.relative_to(root).parts:
                place = place / part
                if place.is_symlink():
                    raise PluginError(
                        f"crm: {place} is a symbolic link: the site never publishes what a link points to; "
                        "commit the pages themselves"
                    )
        inside = os.path.realpath(docs) + os.sep
        leaving = sorted(
            file.src_uri
            for file in files
            if file.src_dir == config.docs_dir
            and file.abs_src_path is not None
            and not os.path.realpath(file.abs_src_path).startswith(inside)
        )
        if leaving:
            raise PluginError(
                f"crm: {', '.join(leaving)} in {docs} lead outside it through a symbolic link: the site never "
                "publishes what a link points to; commit the files themselves"
            )

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        """Refuse a site_dir crm did not build before mkdocs empties it (a plain `mkdocs build`; `crm build`
        hands mkdocs a new empty folder)."""
        self.pages_converted = self.pages_written = 0
        self.held.clear()
        try:
            check_replaceable(Path(config.site_dir))
        except UnsafePathError as refusal:
            raise PluginError(f"crm: {refusal}") from None

    def on_env(self, env: Any, /, *, config: MkDocsConfig, files: Files) -> Any:
        """Every page is converted and none written yet: count, per part of the search index, the pages to be
        written, so a part is indexed as soon as its last page is (PartIndexing). A page mkdocs will not
        write (site_builder.reuse) is not counted; under `mkdocs serve` (drafts are written for the preview
        too) nothing is counted and every part waits for the end."""
        self._stop_parts()  # a last build's (under `crm serve`); this build's early parts go on
        env.bytecode_cache = theme_bytecode(self.root(config), self.site_kind)
        self.parts_left = {}
        self.part_digests = {}
        if self.search_pages is None:
            return env
        language = self.language

        def progress(done: int, total: int, pages: int) -> None:
            log.info(phrase("plugin_search_part", language, done=done, total=total, pages=pages))

        bundle = Path(config.site_dir) / SEARCH_FOLDER
        reuse = self._reuse_part(bundle)
        self.parts = PartIndexing(
            self.search_pages.folder, bundle, self.search_shards, progress, reuse, adopt=self._adopt_early
        )
        self.parts_started = time.perf_counter()
        if self.serving:
            return env
        for file in files.documentation_pages():
            if indexing(file.src_uri, self.search_customers, self.search_generated) is None:
                continue
            if self.pending is not None and not file.is_modified():
                continue  # reused: mkdocs does not write it
            part = shard_of(file.src_uri, self.search_shards, self.search_customers)
            self.parts_left[part] = self.parts_left.get(part, 0) + 1
        return env

    def _part_ready(self, name: str) -> None:
        """A part's index pages are all written: prune what earlier builds left in it, remember its digest for
        the next build's reuse, and have it indexed."""
        assert self.search_pages is not None and self.parts is not None
        left: list[tuple[str, Identity | None]] = []
        self.search_pages.prune(name, left)
        digest = self.part_digests[name] = digest_of(left)  # tree_digest of the part's folder, from the same look
        if self.pending is not None:
            self.pending.parts[name] = digest
        try:
            self.parts.ready(name)
        except SearchIndexError as failure:
            raise PluginError(f"crm: {failure}") from None

    def stop_search_index(self) -> None:
        """Kill and wait for any Pagefind still indexing a part (a failed or stopped build; `crm build` calls
        this whatever ends the build, stop signals included)."""
        self._stop_parts()
        self._stop_early_search()

    def _stop_parts(self) -> None:
        if self.parts is not None:
            self.parts.__exit__()
            self.parts = None

    def on_build_error(self, *, error: Exception) -> None:
        self.stop_search_index()

    @event_priority(-100)  # after the search plugin has written search/search_index.json
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Encrypt the site when asked (every file mkdocs and the other plugins wrote is there now), then
        mark the folder as a site crm built, so the next build may replace it."""
        self.sealed = None
        if self.search_pages is not None and self.parts is not None:  # crm.yaml site.search: pagefind (the default)
            parts = self.parts
            try:
                for name in parts.names:
                    if name in parts.handled and self.parts_left.get(name, 0) >= 0:
                        continue
                    if name in parts.handled:  # a page written after its part was indexed: index it again
                        parts.forget(name)
                    self._part_ready(name)
                self.search_pages.prune()
                pages, words, reused = parts.finish()
            except SearchIndexError as failure:
                raise PluginError(f"crm: {failure}") from None
            finally:
                self.stop_search_index()
            seconds = time.perf_counter() - self.parts_started
            log.info(phrase("plugin_searchable", self.language, pages=pages, words=words, seconds=seconds))
            if reused:
                log.info(
                    phrase("plugin_search_reused", self.language, reused=len(reused), total=1 + len(self.search_shards))
                )
        if self.passphrase is not None:
            started = time.perf_counter()
            with tempfile.TemporaryDirectory(prefix="crm-search-code-") as work:
                try:  # Pagefind's code stays plain (the browser loads it past the decrypting fetch), its index not
                    code = code_files(Path(work)) if self.search_words else {}
                except SearchIndexError as failure:
                    raise PluginError(f"crm: {failure}") from None
                self.sealed = seal_site(
                    Path(config.site_dir),
                    self.passphrase,
                    self.language,
                    config.theme.dirs,
                    keep=(MARKER,),
                    site_salt=self.site_salt,
                    code=code,
                )
            log.info(
                f"crm: encrypted {self.sealed.sealed:,} files ({self.sealed.plain:,} theme files left plain) "
                f"in {time.perf_counter() - started:.1f} s"
            )
        mark(Path(config.site_dir))
        if self.in_place and self.pending is not None:
            self._remove_stale(Path(config.site_dir))
            self.remember(Path(config.site_dir))

    def _reuse_part(self, bundle: Path) -> Callable[[str], bool] | None:
        """For PartIndexing: whether a part of the search index is current (its index pages are those of the
        last completed build) and in place in `bundle`, hard-linked from the previous output when there is
        one (site_builder.reuse)."""
        manifest = self.manifest
        previous = None if self.in_place else self.output
        if manifest is None:
            return None

        def reuse(name: str) -> bool:
            if self.pending is None or manifest.parts.get(name) != self.pending.parts.get(name):
                return False
            own = Path(SEARCH_FOLDER) if name == MAIN else Path(SEARCH_FOLDER, name)
            if previous is None:  # in place (crm serve): the part's files are where the last build wrote them
                return identity(bundle.parent / own / "pagefind-entry.json") is not None
            skip = self.search_shards if name == MAIN else ()
            return link_tree(previous / own, bundle.parent / own, skip)

        return reuse

    def _remove_stale(self, site: Path) -> None:
        """`crm serve`: the files of the last build that this one did not make (a deleted customer's page)."""
        if self.manifest is None or self.pending is None:
            return
        for dest in self.manifest.files.keys() - self.pending.files.keys():
            parts = dest.split("/")
            inside = not dest.startswith("/") and ".." not in parts and "" not in parts  # a site path, nothing else
            if inside and identity(site / dest) is not None:
                os.unlink(site / dest)

    @event_priority(-100)  # last: the Markdown is final
    def on_page_markdown(self, markdown: str, /, *, page: Any, config: MkDocsConfig, files: Files) -> str:
        """A generated page is converted here, without Python-Markdown, when site_builder.direct_html can
        (the same HTML, a quarter of the time); mkdocs' render then only sets what the conversion gave."""
        if self.direct is not None and page.file.src_uri in self.generated_pages:
            converted = convert(markdown, self.direct)
            if converted is not None:
                page.render = lambda config, files: _rendered(page, converted)
        return markdown

    @event_priority(-100)  # last: every other plugin has seen the HTML before it is put away
    def on_page_content(self, html: str, /, *, page: Any, config: MkDocsConfig, files: Files) -> str:
        """Progress through mkdocs' Markdown conversion (the first pass over every page); the page's HTML
        is held compressed until the page is rendered, and its Markdown let go (site_builder.held)."""
        self.pages_converted += 1
        if self.pages_converted % PROGRESS_EVERY == 0:
            log.info(phrase("plugin_converted", self.language, count=self.pages_converted))
        return self.held.hold(page, html)

    @event_priority(100)  # first: the theme and material's search (on_page_context) read the HTML
    def on_page_context(self, context: Any, /, *, page: Any, config: MkDocsConfig, nav: Any) -> Any:
        """The page's HTML back, just before mkdocs renders the page into the theme."""
        self.held.restore(page)
        return context

    def on_post_page(self, output: str, /, *, page: Any, config: MkDocsConfig) -> str:
        """Progress through mkdocs' own rendering, the longest part of a big build; each page leaves
        without the theme's indentation (site_builder.compact)."""
        self.pages_written += 1
        if self.pages_written % PROGRESS_EVERY == 0:
            log.info(phrase("plugin_written", self.language, count=self.pages_written))
        if self.search_pages is not None:  # crm.yaml site.search: pagefind
            src = page.file.src_uri
            output = mark_page(output, self.search_words)
            how: Indexing | None = indexing(src, self.search_customers, self.search_generated)
            typed = self.search_initials.get(src, "")
            indexed = index_page(output, how, typed) if how is not None else None
            if how is not None:
                part = shard_of(src, self.search_shards, self.search_customers)
                if indexed is not None:
                    self.search_pages.write(f"{part}/{page.file.dest_uri}", indexed)
                self._page_indexed(part)
        self.held.release(page)
        return compact_html(output)

    def _page_indexed(self, part: str) -> None:
        """One more page of `part` written: when it was the last, the part is indexed now, beside the writing
        of the rest; a page of a part already being indexed marks the part to be indexed again (-1)."""
        if self.parts is None:
            return
        left = self.parts_left.get(part, 0) - 1
        if part in self.parts.handled:
            left = -1
        self.parts_left[part] = left
        if left == 0:
            self._part_ready(part)
        try:
            self.parts.poll()
        except SearchIndexError as failure:
            raise PluginError(f"crm: {failure}") from None

    def on_serve(self, server: Any, /, *, config: MkDocsConfig, builder: Any) -> Any:
        """Rebuild and reload the browser when a record or crm.yaml changes."""
        root = self.root(config)
        for watched in (root / "crm.yaml", root / "customers", root / "interactions"):
            if watched.exists():
                server.watch(str(watched))
        return server
