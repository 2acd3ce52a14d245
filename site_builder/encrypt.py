"""An encrypted site (`crm build --encrypt`, crm.yaml `site: {encrypt: true}`): every file of the built
site that is not byte-for-byte the theme's or crm's own code becomes ciphertext, so a site published on
a public host (GitHub Pages, GitLab Pages) shows nothing of the records to someone without the
passphrase.

Why not mkdocs-encryptcontent-plugin: it encrypts a page's content block only (the title, the table of
contents and the navigation stay readable: a customer page's title is the customer's name), removes
encrypted pages from material's search or needs a patched material to search them, leaves other files
(customers/index.json, the SVG charts, docs images) as they are, and uses AES-CBC (no authentication).
Here the whole site is sealed after mkdocs has written it, one mechanism for every file:

- Two levels of keys. The site key L = PBKDF2-HMAC-SHA256(passphrase, S, ITERATIONS rounds: OWASP 2023),
  the passphrase from the environment variable CRM_SITE_PASSWORD (never a command-line argument), S the
  repository's own random salt (crm.yaml `site.key_salt`, the same at every build; without it, a fresh S
  per build). The build key K = HKDF-SHA256(L, salt=B, info=BUILD_KEY_INFO), B a fresh random salt per
  build. Every file is sealed with K; its envelope records the format, S, B and the rounds. So the slow
  derivation runs once per site in a browser, which may remember L under S ("remember on this device"):
  a CI that rebuilds every morning makes a new B and new ciphertexts, yet a remembered device opens the
  new build with one fast HKDF, without the passphrase typed again. A new passphrase (or a new S) makes
  every remembered L useless: the GCM tag fails, the browser forgets it and asks.
- Each file: AES-256-GCM (authenticated: a wrong passphrase or a changed byte fails the tag) with a fresh
  random 96-bit nonce; the cryptography package (PyCA, OpenSSL) here, WebCrypto in the browser.
- A page (`*.html`) becomes a small unlock page carrying the sealed page; assets/unlock.js derives the
  keys from the typed passphrase (or the remembered L), opens the page and writes it in place of the
  unlock page. Images a page shows from the site (the charts, docs images) are put into the page as
  data: URLs before it is sealed, so a page opened from the file system shows them too.
- Any other file (customers/index.json, search/search_index.json, the SVGs, sitemap.xml …) becomes a
  sealed envelope (JSON text) at the same path; the unlocked page's fetch and XMLHttpRequest (which
  material's search uses) open envelopes transparently.
- Plain stay only files byte-identical to a file of the theme (material's scripts, styles, fonts), of
  crm's assets or of Pagefind's code (what the same binary writes for an empty site: pagefind.js, its
  worker, styles and wasm, which import() and WebAssembly load past the decrypting fetch), and the site
  marker. Pagefind's entry file, metadata, index chunks and fragments are sealed; with an encrypted site
  crm.js runs Pagefind without its worker, so its fetches go through unlock.js. Calendar feeds are not
  published by an encrypted build (the plugin leaves them out): phones fetch them without a browser, so
  they could only be plain, and file names are visible to anyone.

What stays visible: file names and URLs (customer ids), the number and sizes of files, that the site is
a crm site. The protection is as strong as the passphrase.
"""

from __future__ import annotations

import base64
import html
import json
import mimetypes
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from crmdata.records.models import new_key_salt
from crmdata.records.vocabulary import Catalogue, Word
from crmdata.system.safe_paths import write_file

PASSPHRASE_VARIABLE = "CRM_SITE_PASSWORD"
"""Where the passphrase comes from: a CI host's secret store sets it; a command line would show it to
every user of the machine (ps) and keep it in the shell's history."""
ITERATIONS = 600_000
"""PBKDF2-HMAC-SHA256 rounds: OWASP's 2023 recommendation. About 0.3 s once per build here, and once per
unlock in the browser (once per device and site salt, when remembered)."""
SALT_BYTES = 16
NONCE_BYTES = 12
KEY_BYTES = 32
BUILD_KEY_INFO = b"crm-as-code site v2"
"""HKDF's info for the build key: binds K to this use of L (unlock.js uses the same bytes)."""
FORMAT = "crm-sealed-2"
"""The envelope's mark and version; unlock.js refuses anything else. 1: one PBKDF2 key per build; 2: the
site key L (PBKDF2, salt S) and the build key K = HKDF(L, B)."""
UNLOCK_SCRIPT = "assets/unlock.js"
CRM_ASSETS = Path(__file__).parent / "assets"

SEAL_WORDS = Catalogue(
    "site_seal",
    {
        "unlock_title": Word("请输入口令", "Enter the passphrase"),
        "unlock_intro": Word(
            "本站点已加密：输入团队的站点口令后才能查看。",
            "This site is encrypted: enter the team's site passphrase to read it.",
        ),
        "unlock_label": Word("口令", "Passphrase"),
        "unlock_remember": Word(
            "在此设备上记住（保存由口令派生的密钥，不保存口令本身）",
            "Remember on this device (keeps the key derived from the passphrase, never the passphrase)",
        ),
        "unlock_button": Word("解锁", "Unlock"),
        "unlock_working": Word("正在解锁……", "Unlocking…"),
        "unlock_wrong": Word("口令不对：无法解开这一页。", "Wrong passphrase: this page could not be opened."),
        "unlock_no_crypto": Word(
            "此浏览器不支持 WebCrypto（或页面不是经 https、localhost 或本地文件打开的），无法解锁。",
            "This browser offers no WebCrypto (or the page is not served over https, localhost or a file), "
            "so it cannot unlock the site.",
        ),
        "unlock_noscript": Word("需要启用 JavaScript 才能解锁本站点。", "Unlocking this site needs JavaScript."),
        "lock": Word("锁定", "Lock"),
        "lock_hint": Word("锁定：在此浏览器中忘记密钥", "Lock: forget the key in this browser"),
        "passphrase_missing": Word(
            "加密站点需要环境变量 {variable} 中的口令，但它没有设置或为空。"
            "请从密钥库中设置它（CI 中为仓库的机密变量），例如 {variable}=… crm build --encrypt；"
            "crm 从不在命令行上接收口令。",
            "an encrypted site needs the passphrase in the environment variable {variable}, which is not set "
            "or empty: set it from your secret store (in CI, the repository's secret), e.g. "
            "{variable}=… crm build --encrypt; crm never takes a passphrase on the command line",
        ),
        "key_salt_hint": Word(
            "提示：crm.yaml 中没有 site.key_salt，所以每次构建的密钥都不同，勾选了“在此设备上记住”的读者在站点"
            "重新构建后也要再输入口令。要让记住的口令在以后的构建中继续有效，请在 crm.yaml 中加上 "
            'site: {{key_salt: "{salt}"}}（本仓库自己的随机值，不是机密；已有 site: 时把 key_salt 这一行写在它下面）。',
            "hint: crm.yaml has no site.key_salt, so every build has a different key and a reader who ticked "
            "'remember on this device' types the passphrase again after each rebuild. To keep a remembered "
            'passphrase across builds, add site: {{key_salt: "{salt}"}} to crm.yaml (this repository\'s own '
            "random value, not a secret; under an existing site: add just the key_salt line).",
        ),
        "site_sealed": Word(
            "crm：站点已加密（AES-256-GCM，PBKDF2 {iterations:,} 轮）：{count:,} 个文件为密文，"
            "{plain:,} 个主题文件未加密",
            "crm: site encrypted (AES-256-GCM, PBKDF2 {iterations:,} rounds): {count:,} files are ciphertext, "
            "{plain:,} theme files are plain",
        ),
        "site_unencrypted": Word(
            "警告：站点未加密，含有客户数据（名称、联系人、沟通记录）；{reason}，任何能打开站点的人都能看到。"
            "发布前请用 crm build --encrypt（口令放在 {variable}）或在 crm.yaml 中设置 site: {{encrypt: true}}。",
            "WARNING: the site is NOT encrypted and carries customer data (names, contacts, conversations); "
            "{reason}, so anyone who can open the site reads them. Build with crm build --encrypt (the "
            "passphrase in {variable}) or set site: {{encrypt: true}} in crm.yaml before publishing.",
        ),
        "publish_ci_file": Word("{file} 会构建并发布它", "{file} builds and publishes it"),
        "publish_ci_run": Word("这次构建在 CI 中运行（CI={value}）", "this build runs in CI (CI={value})"),
    },
)
"""The words of the unlock page, the lock control and the build's lines about encryption."""


class PassphraseMissingError(Exception):
    """Encryption was asked for and CRM_SITE_PASSWORD is unset or empty."""


def passphrase_from_environment() -> str:
    """The passphrase, or PassphraseMissingError: never a default, never a prompt (a CI job has no terminal)."""
    value = os.environ.get(PASSPHRASE_VARIABLE, "")
    if not value:
        raise PassphraseMissingError(PASSPHRASE_VARIABLE)
    return value


def site_key(passphrase: str, site_salt: bytes, iterations: int = ITERATIONS) -> bytes:
    """L: the slow part, the same for every build of a site with the same passphrase and site salt."""
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=site_salt, iterations=iterations)
    return kdf.derive(passphrase.encode("utf-8"))


def build_key(site_key: bytes, build_salt: bytes) -> bytes:
    """K: one build's key, from L and the build's salt (HKDF: fast, so a remembered L opens any build)."""
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=build_salt, info=BUILD_KEY_INFO).derive(site_key)


@dataclass(frozen=True)
class SiteKey:
    """The key of one build, and the two salts the browser needs to derive it again."""

    site_salt: bytes
    """S: crm.yaml's site.key_salt (the same at every build), or a fresh one when crm.yaml has none."""
    build_salt: bytes
    """B: fresh at every build."""
    key: bytes
    """K = HKDF(L, B)."""
    iterations: int = ITERATIONS

    @classmethod
    def derive(
        cls,
        passphrase: str,
        site_salt: bytes | None = None,
        build_salt: bytes | None = None,
        iterations: int = ITERATIONS,
    ) -> SiteKey:
        site_salt = secrets.token_bytes(SALT_BYTES) if site_salt is None else site_salt
        build_salt = secrets.token_bytes(SALT_BYTES) if build_salt is None else build_salt
        lasting = site_key(passphrase, site_salt, iterations)
        return cls(site_salt, build_salt, build_key(lasting, build_salt), iterations)

    def seal(self, plaintext: bytes) -> dict[str, object]:
        """An envelope: the KDFs' parameters (so the browser derives the same key), a fresh nonce, and the
        ciphertext with its GCM tag. No associated data: a file's place is its URL, which is public. The
        format comes first: unlock.js recognises an envelope by its opening bytes."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        return {
            "format": FORMAT,
            "kdf": "PBKDF2-HMAC-SHA256",
            "iterations": self.iterations,
            "site_salt": _b64(self.site_salt),
            "build_kdf": "HKDF-SHA256",
            "build_salt": _b64(self.build_salt),
            "cipher": "AES-256-GCM",
            "nonce": _b64(nonce),
            "data": _b64(AESGCM(self.key).encrypt(nonce, plaintext, None)),
        }


def open_envelope(envelope: Mapping[str, object], passphrase: str) -> bytes:
    """The plaintext of an envelope (for tests and for a person checking a build): raises
    cryptography.exceptions.InvalidTag for a wrong passphrase or a changed byte."""
    if envelope.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} envelope: {envelope.get('format')!r}")
    iterations = envelope["iterations"]
    assert isinstance(iterations, int)
    lasting = site_key(passphrase, base64.b64decode(str(envelope["site_salt"])), iterations)
    key = build_key(lasting, base64.b64decode(str(envelope["build_salt"])))
    return AESGCM(key).decrypt(base64.b64decode(str(envelope["nonce"])), base64.b64decode(str(envelope["data"])), None)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class Sealed:
    """What seal_site did: files now ciphertext, files left plain (the theme's and crm's code)."""

    sealed: int
    plain: int
    lasting: bool = False
    """Whether the site salt came from crm.yaml (site.key_salt): a remembered key opens the next build too."""


def shipped_files(theme_dirs: Iterable[str | Path]) -> dict[str, Path]:
    """Site path -> the file crm or the theme ships there (the first theme folder wins, as in mkdocs)."""
    shipped: dict[str, Path] = {}
    for path in sorted(CRM_ASSETS.iterdir()):
        if path.is_file():
            shipped[f"assets/{path.name}"] = path
    for folder in theme_dirs:
        base = Path(folder)
        for path in base.rglob("*") if base.is_dir() else ():
            if path.is_file():
                shipped.setdefault(path.relative_to(base).as_posix(), path)
    return shipped


def _is_shipped(relative: str, data: bytes, shipped: Mapping[str, Path]) -> bool:
    """A file may stay plain only when it is byte-for-byte what the theme or crm ships at that path: a
    hand-written docs/ file of the same name, or anything generated, is sealed."""
    original = shipped.get(relative)
    return original is not None and original.stat().st_size == len(data) and original.read_bytes() == data


_IMAGE = re.compile(r'(<img\b[^>]*?\bsrc=")([^":?#]+)((?:#[^"]*)?")', re.IGNORECASE)


def _inline_images(page: str, relative: str, plaintexts: Mapping[str, bytes]) -> str:
    """Images of the site a page shows, put into the page as data: URLs (their files are sealed, and an
    <img> cannot open an envelope). `#only-light` / `#only-dark` stay: material's CSS selects on them."""
    folder = relative.rpartition("/")[0]

    def inline(match: re.Match[str]) -> str:
        target = os.path.normpath(os.path.join(folder, html.unescape(match.group(2)))).replace(os.sep, "/")
        data = plaintexts.get(target)
        if data is None:
            return match.group(0)
        kind = mimetypes.guess_type(target)[0] or "application/octet-stream"
        return f"{match.group(1)}data:{kind};base64,{_b64(data)}{match.group(3)}"

    return _IMAGE.sub(inline, page)


def _unlock_page(relative: str, envelope: Mapping[str, object], language: str) -> bytes:
    """The page a reader without the key gets: the form in the site's language and the sealed page."""
    depth = relative.count("/")
    base = "../" * depth
    say = SEAL_WORDS.words
    words = {key: say[key].text(language) for key in say if key.startswith(("unlock_", "lock"))}
    sealed = json.dumps(envelope, separators=(",", ":")).replace("</", "<\\/")
    labels = json.dumps(words, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    lang = "zh-Hans" if language == "zh" else "en"
    text = f"""<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex,nofollow">
<title>{html.escape(words["unlock_title"])}</title>
<link rel="icon" href="{base}assets/images/favicon.png">
<style>
body{{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC",sans-serif;margin:0;
background:#f5f6fa;color:#1b1b1f}}
.crm-unlock{{max-width:26rem;margin:12vh auto;padding:2rem;background:#fff;border-radius:.5rem;
box-shadow:0 2px 12px rgba(0,0,0,.12)}}
.crm-unlock h1{{font-size:1.3rem;margin:0 0 1rem;color:#3f51b5}}
.crm-unlock input[type=password]{{width:100%;box-sizing:border-box;font-size:1rem;padding:.5rem;margin:.3rem 0 .8rem}}
.crm-unlock label{{display:block}}
.crm-unlock button{{margin-top:1rem;font-size:1rem;padding:.45rem 1.4rem;background:#3f51b5;color:#fff;border:0;
border-radius:.25rem;cursor:pointer}}
.crm-unlock__error{{color:#c62828;min-height:1.4em;margin:.8rem 0 0}}
@media (prefers-color-scheme:dark){{body{{background:#1e2029;color:#e2e4e9}}.crm-unlock{{background:#2e303e}}}}
</style>
<script id="crm-sealed" type="application/json">{sealed}</script>
<script id="crm-unlock-words" type="application/json">{labels}</script>
<script src="{base}{UNLOCK_SCRIPT}"></script>
</head>
<body>
<form class="crm-unlock" id="crm-unlock" hidden>
<h1>{html.escape(words["unlock_title"])}</h1>
<p>{html.escape(words["unlock_intro"])}</p>
<label for="crm-passphrase">{html.escape(words["unlock_label"])}</label>
<input type="password" id="crm-passphrase" name="passphrase" autocomplete="current-password" required autofocus>
<label><input type="checkbox" id="crm-remember"> {html.escape(words["unlock_remember"])}</label>
<button type="submit">{html.escape(words["unlock_button"])}</button>
<p class="crm-unlock__error" id="crm-unlock-error" role="alert"></p>
</form>
<noscript><p class="crm-unlock">{html.escape(words["unlock_noscript"])}</p></noscript>
</body>
</html>
"""
    return text.encode("utf-8")


def seal_site(
    folder: Path,
    passphrase: str,
    language: str,
    theme_dirs: Iterable[str | Path],
    keep: Iterable[str] = (),
    site_salt: bytes | None = None,
    code: Mapping[str, Path] | None = None,
) -> Sealed:
    """Seal every file of the built site in `folder` but the theme's and crm's code, `code` (site path -> the
    file it must equal byte for byte to stay plain: the search's scripts, site_builder.search.code_files) and
    `keep` (the site marker), with a fresh build key under `site_salt` (crm.yaml's site.key_salt; None: a
    fresh one). Pages first (their images are read as plaintext), then every other file."""
    key = SiteKey.derive(passphrase, site_salt)
    shipped = {**shipped_files(theme_dirs), **(code or {})}
    kept = set(keep)
    files = sorted(
        path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file() and not path.is_symlink()
    )
    pages: list[str] = []
    others: dict[str, bytes] = {}
    """Files that are not pages, as plaintext: what pages inline (charts, images) is among them. Pages are
    read one at a time (10,000 customer pages would not fit in memory at once)."""
    plain = 0
    for relative in files:
        data = (folder / relative).read_bytes()
        if relative in kept:
            continue
        if _is_shipped(relative, data, shipped):
            plain += 1
        elif relative.endswith(".html"):
            pages.append(relative)
        else:
            others[relative] = data
    for relative in pages:
        page = _inline_images((folder / relative).read_text(encoding="utf-8"), relative, others)
        write_file(folder / relative, _unlock_page(relative, key.seal(page.encode("utf-8")), language))
    for relative, data in others.items():
        write_file(folder / relative, json.dumps(key.seal(data), separators=(",", ":")).encode("ascii"))
    sealed = len(pages) + len(others)
    return Sealed(sealed, plain, lasting=site_salt is not None)


def key_salt_hint(language: str) -> str:
    """What a build without site.key_salt says once: how to keep a remembered passphrase across builds,
    with a freshly drawn value to paste into crm.yaml."""
    return SEAL_WORDS.say("key_salt_hint", salt=new_key_salt()).text(language)


_CI_FILES = (".gitlab-ci.yml", ".github/workflows", ".gitee/workflows", ".gitea/workflows", ".forgejo/workflows")


def publishing_reason(root: Path, language: str) -> str | None:
    """Why an unencrypted site of `root` is likely to be published: a CI file of the repository runs
    `crm build`, or this build runs in CI. None when neither (a local preview)."""
    for name in _CI_FILES:
        place = root / name
        candidates = [place] if place.is_file() else sorted(place.glob("*.y*ml")) if place.is_dir() else []
        for candidate in candidates:
            try:
                text = candidate.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if "crm build" in text:
                return SEAL_WORDS.say("publish_ci_file", file=candidate.relative_to(root).as_posix()).text(language)
    ci = os.environ.get("CI", "")
    if ci and ci.lower() not in ("0", "false", "no"):
        return SEAL_WORDS.say("publish_ci_run", value=ci).text(language)
    return None
