"""Text from records, file names and git, made safe to show: control characters are seen, never obeyed.

A record is written by whoever can open a pull request. Printed raw, its text could drive the terminal
of whoever runs `crm` (ESC sequences clear the screen, set the window title, forge OSC 8 links), reorder
what a reviewer reads (bidi overrides, U+202E), hide characters (zero-width spaces) or start a new line
that looks like crm's own summary. `visible` is the one function that turns every such character into
a visible escape (`\\x1b`, `\\u202e`, `\\n`); the CLI passes everything it prints through it
(`crmdata.cli.output.say`), and `json_visible` does the same inside JSON strings.

What is escaped: C0 controls (line breaks and tabs too, unless kept), DEL, C1 controls, lone surrogates,
the line and paragraph separators U+2028/U+2029, and every format character (Unicode category Cf:
bidi embeddings, overrides, isolates and marks, zero-width spaces, the word joiner, the BOM, soft
hyphens, tag characters) except the zero-width joiner and non-joiner, which emoji sequences and
several scripts need to display correctly. Chinese and every other visible text are left as they are.
Backslashes are not doubled: the output is for reading, not for parsing back.
"""

from __future__ import annotations

import re

_KEPT_FORMAT = "\u200c\u200d"
"""Zero-width non-joiner and joiner: part of how emoji (👨‍👩‍👧) and Persian or Indic words display."""

_FORMAT_RANGES = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b\u200e\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
"""Unicode's format characters (category Cf) as of Unicode 15, less `_KEPT_FORMAT`; a test checks the list
against the running Python's Unicode database."""

_UNSAFE_CLASS = "\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff" + _FORMAT_RANGES
_UNSAFE = re.compile(f"[{_UNSAFE_CLASS}]")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def escape_character(char: str) -> str:
    """One character as Python writes it in a string literal: \\n, \\x1b, \\u202e, \\U000e0041."""
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _escape_match(match: re.Match[str]) -> str:
    return escape_character(match.group())


def visible(text: str, keep: str = "") -> str:
    """`text` with every character that could act on a terminal or hide or reorder text shown escaped.

    `keep` names characters to leave as they are, for output that is meant to span lines ("\\n"), or
    that is escaped again by its own rules (GitHub workflow commands encode "\\r\\n" themselves).
    """
    if _UNSAFE.search(text) is None:  # the usual case: nothing to do, no new string
        return text
    if not keep:
        return _UNSAFE.sub(_escape_match, text)
    return _UNSAFE.sub(lambda match: match.group() if match.group() in keep else escape_character(match.group()), text)


def is_unsafe(char: str) -> bool:
    """Whether `visible` escapes this character."""
    return _UNSAFE.fullmatch(char) is not None


_JSON_UNSAFE = re.compile(f"[\x7f-\x9f\u2028\u2029\ud800-\udfff{_FORMAT_RANGES}]")
"""What json.dumps(ensure_ascii=False) leaves raw but `visible` escapes (it escapes C0 itself); a lone
surrogate, which no output encoding accepts, becomes its escape too."""


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # a UTF-16 surrogate pair, as JSON writes characters beyond the BMP
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_visible(encoded: str) -> str:
    """JSON text (from json.dumps) with DEL, C1 and format characters written as \\uXXXX escapes.

    These characters can only occur inside JSON strings, where \\uXXXX means the same character: the
    data a program reads is unchanged, but a person looking at the output sees the escape.
    """
    if _JSON_UNSAFE.search(encoded) is None:
        return encoded
    return _JSON_UNSAFE.sub(_json_escape, encoded)
