"""Escaping for article text on its way into HTML and JavaScript.

Articles and zone files are hostile input. folium places popup and tooltip HTML inside
JavaScript template literals (`...`), so HTML escaping alone is not enough there: a backtick
ends the literal, ``${...}`` runs code and a stray backslash breaks the whole script. And
branca renders each map element, then compiles the result again as a Jinja template, so
``{{ ... }}`` in an article would run as Python on the user's machine. Every string from an
article goes through :func:`html_text` before it reaches a map.
"""

from __future__ import annotations

import html

__all__ = ["html_text", "markdown_text", "spreadsheet_cell"]

_JS_TEMPLATE = str.maketrans(
    {
        "`": "&#96;",
        "$": "&#36;",
        "\\": "&#92;",
        "\n": " ",
        "\r": " ",
        # branca compiles every rendered map element again as a Jinja template, so "{{ ... }}"
        # in an article would run as Python while the map is built: no brace gets through.
        "{": "&#123;",
        "}": "&#125;",
    }
)


def html_text(value: object) -> str:
    """Escape ``value`` for HTML text or attribute context, safe inside a JS template literal."""
    return html.escape(str(value), quote=True).translate(_JS_TEMPLATE)


_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()<>#+-.!|~$:"})


def markdown_text(value: object) -> str:
    """Article text for Streamlit's Markdown widgets (titles, captions, labels): every
    Markdown and HTML-ish character is backslash-escaped, so a title cannot become a link,
    an image or markup."""
    return " ".join(str(value).split()).translate(_MARKDOWN)


def spreadsheet_cell(value: object) -> object:
    """Defuse CSV cells a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``...)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
