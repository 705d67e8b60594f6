"""Every escaping rule: data shown as the very characters it holds, never as markup, a line break or a
terminal sequence. One definition of a line break (LINE_BREAKS) serves every format:

- neutralise: controls, bidirectional and zero-width characters as visible escapes (every rule below
  applies it; the terminal and CSV on a terminal use it alone);
- md_escape: Streamlit's Markdown (pages); brief_md: GitHub-flavoured Markdown (the brief);
  digest_text: the changes digest (chat and e-mail Markdown dialects);
- print_text: a cell of a print copy of a table (text the page sets as text, never HTML);
- chart_text: Plotly text (every chart in dashboard/charts gets its data through it).
"""
from __future__ import annotations

import html
import math
import re

import pyarrow as pa
import pyarrow.compute as pc

import pandas as pd

# Every line break Unicode knows: str.splitlines' set (\n \r \v \f \x1c-\x1e NEL U+2028 U+2029). No value
# from data keeps one in a format where it would start a new line, a list item, a table row or a heading.
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_BREAK_CLASS = "".join(f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}" for char in LINE_BREAKS)
_LINE_BREAK_RUNS = re.compile(f"[{_BREAK_CLASS}]+")
# Line breaks, tabs and runs of white space: one space (no indented code block, no hard line break).
_LINE_BREAKS_AND_SPACE_RUNS = re.compile(rf"[\s{_BREAK_CLASS}]+")
# The brief's plain text: each line break, tab and unit separator (the control white space) a space.
_BRIEF_SPACES = str.maketrans({char: " " for char in LINE_BREAKS + "\t\x1f"})

WORD_JOINER = "\u2060"  # invisible, zero width: breaks a pattern without showing anything

# Characters that change how the text around them reads without being seen: C0 and C1 controls
# (ESC starts a terminal sequence, BEL rings), DEL, the bidirectional embeddings, overrides,
# isolates and marks (U+202E shows "rtl<U+202E>gnp.exe" as "rtlexe.png") and zero-width characters
# (one name posing as another).
_INVISIBLE_OTHER_THAN_NEWLINE = "\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff"
_INVISIBLE = re.compile(f"[\n{_INVISIBLE_OTHER_THAN_NEWLINE}]")
_INVISIBLE_BUT_NEWLINE = re.compile(f"[{_INVISIBLE_OTHER_THAN_NEWLINE}]")


def _re2_class(characters: str) -> str:
    """A character class of re's syntax (characters and ranges, no escapes) in RE2's (Arrow's
    regular expressions), every character as \\x{hex}."""
    return "[" + "".join(char if char == "-" else f"\\x{{{ord(char):x}}}" for char in characters) + "]"


_INVISIBLE_RE2 = _re2_class("\n" + _INVISIBLE_OTHER_THAN_NEWLINE)
_INVISIBLE_BUT_NEWLINE_RE2 = _re2_class(_INVISIBLE_OTHER_THAN_NEWLINE)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _visible(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _visible_but_newline(match: re.Match) -> str:
    return match.group() if match.group() == "\n" else _visible(match)


def neutralise(text, keep_newlines: bool = False) -> str:
    """Every control, bidirectional or zero-width character of text as a visible escape (ESC ->
    \\x1b, U+202E -> \\u202e), so what is shown or printed reads as the characters it holds, in
    order, and carries no terminal sequence. Every escaping function here applies it; those that
    keep a value on one line turn line breaks into spaces first, so that a break reads as a space
    rather than as \\x0a; a format whose cells may hold several lines (a table on a page, CSV)
    passes keep_newlines to keep "\\n"."""
    return _INVISIBLE.sub(_visible_but_newline if keep_newlines else _visible, str(text))


def neutralise_changes_any(texts, keep_newlines: bool = False) -> bool:
    """Whether neutralise(text, keep_newlines) would change any of texts (strings): one search of
    their join, in C, instead of a substitution per text (a table of thousands of cells, once per
    viewer). The join's space is not a character neutralise changes."""
    return (_INVISIBLE_BUT_NEWLINE if keep_newlines else _INVISIBLE).search(" ".join(texts)) is not None


def neutralise_changes_any_arrow(texts: pa.Array | pa.ChunkedArray, keep_newlines: bool = False) -> bool:
    """neutralise_changes_any for an Arrow string array (a pandas "str" column's storage), searched by
    Arrow without making a Python string of any cell."""
    found = pc.any(pc.match_substring_regex(texts, _INVISIBLE_BUT_NEWLINE_RE2 if keep_newlines else _INVISIBLE_RE2))
    return found.as_py() is True


def one_line(text) -> str:
    """Every line break (LINE_BREAKS) and run of white space as one space."""
    return _LINE_BREAKS_AND_SPACE_RUNS.sub(" ", str(text))


# --- Streamlit's Markdown (the pages) ------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&@])")
_WWW = re.compile(r"(www)(\\\.)", re.IGNORECASE)


def md_escape(text) -> str:
    """Text from data or a URL made inert for Streamlit's (and GitHub's) Markdown: shown as the very
    characters it holds, never as a link, image, emphasis, heading, list, table row, emoji or HTML.

    - Markdown's syntax characters get a backslash, and `&` too, so `&lt;` shows as written.
    - Streamlit (remark-gfm) turns bare URLs and e-mail addresses into links AFTER escapes are
      resolved, and remark-emoji turns `:name:` into emoji the same way, so backslashes alone cannot
      stop them: an invisible word joiner (U+2060) goes after every `:` (breaks `https://`, `mailto:`,
      `:emoji:`, `:red[...]`, `:material/...:`) and `@` (breaks e-mail autolinks) and inside `www.`.
    - Every line break and run of white space becomes one space (see one_line).
    - Controls, bidirectional and zero-width characters of the text become visible escapes
      (neutralise), before the word joiners above are added.
    tests/test_data_is_never_markup.py renders a matrix of attacks in a real browser to prove it."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", neutralise(one_line(text)))
    escaped = escaped.replace("\\:", "\\:" + WORD_JOINER).replace("\\@", "\\@" + WORD_JOINER)
    return _WWW.sub(r"\1" + WORD_JOINER + r"\2", escaped)


# --- The brief (GitHub-flavoured Markdown and HTML) ----------------------------------------------

def plain(value) -> str:
    """One line of text: each line break (LINE_BREAKS), tab and unit separator becomes a space, so a
    value can never break a line, a list item or a table row; other controls, bidirectional and
    zero-width characters become visible escapes (neutralise)."""
    text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    return neutralise(text.translate(_BRIEF_SPACES))


_ASCII_PUNCTUATION = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_ALWAYS = set("*`[]<~$")  # emphasis, code, links, raw HTML and autolinks, strikethrough, math
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# Dots of something a renderer would linkify as a domain (example.com, www.x.org): the last label is letters.
_DOMAIN_DOT = re.compile(r"(?<=[^\W_])\.(?=[^\W\d_]{2,}\b)")
# A URL scheme (https://, mailto:, javascript:): its colon is escaped.
_SCHEME = re.compile(r"(?i)(?<![\w.+-])(?:https?|ftps?|mailto|javascript|vbscript|data|file|tel|[a-z][a-z0-9+.-]*(?=://)):")


def brief_md(value, *, cell: bool = False) -> str:
    """Text from the data as inert GitHub-flavoured Markdown: only what would become markup is escaped.

    Escaped: `*`, backtick, `[`, `]`, `<`, `~`, `$` everywhere; `\\` before punctuation or at the end;
    `_` where it could open or close emphasis (not inside a word, so snake_case stays as it is); `&`
    of an entity; `@` of a mention; the dots of a domain and the colon of a URL scheme (no autolink);
    `|` in table cells. Line breaks are spaces (plain())."""
    text = plain(value)
    dots = {match.start() for match in _DOMAIN_DOT.finditer(text)}
    colons = {match.end() - 1 for match in _SCHEME.finditer(text)}
    out = []
    for index, ch in enumerate(text):
        before = text[index - 1] if index else ""
        after = text[index + 1] if index + 1 < len(text) else ""
        if ch == "\\":
            escape = after == "" or after in _ASCII_PUNCTUATION
        elif ch in _ALWAYS:
            escape = True
        elif ch == "_":
            escape = not (before.isalnum() and after.isalnum())
        elif ch == "&":
            escape = bool(_ENTITY.match(text, index))
        elif ch == "@":
            escape = not before.isalnum() and (after.isalnum() or after in "-_")
        elif ch == "|":
            escape = cell
        elif ch == "." or ch == ":":
            escape = index in dots or index in colons
        else:
            escape = False
        out.append("\\" + ch if escape else ch)
    return "".join(out)


def brief_html(value) -> str:
    """Text from the data for the brief's HTML: one line (plain), every character of markup an entity."""
    return html.escape(plain(value))


# --- The changes digest (Markdown for a chat channel or an e-mail) -------------------------------

# Every character Markdown (CommonMark, GFM, Slack's and Mattermost's dialects) could read as syntax,
# including what starts autolinks (: . @ /) and mentions (@), and entity references (&).
_DIGEST_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:@&^])")


def digest_text(value) -> str:
    """A data string made inert for the digest: one line (each run of line breaks a space), controls,
    bidirectional and zero-width characters visible (neutralise), every Markdown special escaped."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return _DIGEST_SPECIAL.sub(r"\\\1", neutralise(_LINE_BREAK_RUNS.sub(" ", str(value))))


# --- Print copies of tables ----------------------------------------------------------------------

def print_text(value) -> str:
    """A heading or cell of a print copy of a table: one line, neutralised. The page sets it as an
    element's text (dashboard/ui/print_copy.js), so it needs no HTML escaping and is never markup."""
    return neutralise(one_line(value))


# --- Plotly text (every chart) -------------------------------------------------------------------

# & < > as entities (Plotly decodes them back to the characters), { so that no %{...} template
# placeholder can come from data, $ so that no text reads as LaTeX.
_PLOTLY_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "{": "&#123;", "$": "&#36;"})


def chart_text(value) -> str:
    """Plain text for Plotly: shows the very characters it holds, never a tag, entity, template
    placeholder, line break (one_line), control, bidirectional or zero-width character (neutralise)."""
    if _missing(value):
        return ""
    return neutralise(one_line(value)).translate(_PLOTLY_TEXT)


def chart_text_shortened(shown: str, limit: int) -> str:
    """A chart label already escaped (chart_text) cut to limit characters as a person reads them
    (never inside an entity), with "…" when cut."""
    text = html.unescape(shown)
    return chart_text(text if len(text) <= limit else text[: limit - 1] + "…")
