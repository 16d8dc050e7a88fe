"""Untrusted text made inert for each output: Markdown (escaped), terminal (controls made visible), links.

Corpus files and LLM replies are untrusted. Whatever they contain (Markdown images that a browser
would fetch, `javascript:` links, raw HTML, terminal escape sequences that clear the screen or hide a
hyperlink target) must reach the reader as the literal characters, never as live markup. Every
renderer in this package passes such text through one of these functions; links are made only by
`markdown_link`, which accepts plain http(s) URLs and nothing else.
"""

from __future__ import annotations

import re

from assistant.urls import safe_http_url

# Full escaping, for Streamlit's Markdown (which also has directives like :red[...] and $LaTeX$):
# every character that can start markup is backslash-escaped.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:=^&@])")

# Readable escaping, for exported Markdown files (read raw as often as rendered): only what can make
# links, images, HTML, entities, code, emphasis, tables or math, plus what bare-URL autolinking needs.
_EXPORT_SPECIAL = re.compile(r"([\\`*_{}\[\]<>!|~$&@^])")
_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]{1,20}):(?=//|[a-z0-9%])")

# C0 controls (except tab and newline, handled as white space), DEL, C1 controls, and the Unicode
# format characters that reorder or hide text (bidi overrides and isolates, zero-width, BOM)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def one_line(text: object) -> str:
    """White space (newlines included) collapsed to single spaces: inline text cannot open a new block."""
    return " ".join(str(text or "").split())


# Renderers find bare URLs ("http://…", "www.…") and e-mail addresses in the text *after* escapes are
# resolved (remark-gfm in Streamlit, markdown-it's linkify), so escaping cannot stop them: an invisible
# word joiner after the scheme, "www" or "@" breaks the pattern and leaves the text as the reader sees it.
_AUTOLINK = re.compile(r"(?i)\b(https?|ftps?|mailto|www)(?=[:.])|@")
_JOINER = "\u2060"


def _break_autolinks(text: str) -> str:
    return _AUTOLINK.sub(lambda match: match.group(0) + _JOINER, text)


def escape_markdown(text: object) -> str:
    """Text shown literally by Streamlit's st.markdown: on one line, every markup character escaped,
    bare URLs not turned into links."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _break_autolinks(one_line(text)))


def escape_markdown_export(text: object) -> str:
    """Text shown literally by any CommonMark/GFM renderer, still readable as a raw file."""
    text = _EXPORT_SPECIAL.sub(r"\\\1", _break_autolinks(one_line(visible_controls(text))))
    return _SCHEME.sub(r"\1\\:", text)  # "javascript\:x": no scheme a renderer could act on


def table_cell(text: object) -> str:
    """Export-escaped text for one cell of a Markdown table (pipes already escaped)."""
    return escape_markdown_export(text) or " "


def _visible(match: re.Match[str]) -> str:
    char = match.group(0)
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode control picture: ESC -> ␛
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"


def visible_controls(text: object) -> str:
    """Control and text-reordering characters replaced by visible stand-ins (ESC -> ␛, U+202E -> <U+202E>).

    Used for the terminal, where ESC[2J would clear the screen and an OSC 8 sequence would show one
    link and open another; the reader sees that something was there, and nothing is executed.
    """
    return _CONTROL.sub(_visible, str(text or ""))


def terminal_text(text: object) -> str:
    """Untrusted text for the terminal: one line, controls visible."""
    return one_line(visible_controls(text))


def markdown_link(label: str, url: str, *, escape=escape_markdown_export) -> str:
    """`[label](url)` when url is a plain http(s) URL; otherwise the escaped label alone (no link)."""
    url = safe_http_url(url)
    if not url:
        return escape(label)
    destination = f"<{url}>" if re.search(r"[()]", url) else url
    return f"[{escape(label)}]({destination})"


def escape_markdown_piece(text: object) -> str:
    """A streamed piece of text (an LLM token) escaped like `escape_markdown`, keeping its spaces."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _break_autolinks(re.sub(r"[\r\n\t\f\v]+", " ", visible_controls(text))))
