"""Escaping for article text on its way into HTML and JavaScript.

Articles and zone files are hostile input. folium places popup and tooltip HTML inside
JavaScript template literals (`...`), so HTML escaping alone is not enough there: a backtick
ends the literal, ``${...}`` runs code and a stray backslash breaks the whole script. And
branca renders each map element, then compiles the result again as a Jinja template, so
``{{ ... }}`` in an article would run as Python on the user's machine. Every string from an
article goes through :func:`html_text` before it reaches a map.

Outputs are hostile ground too: a path given as ``-o`` may be a device, a pipe, a folder, a
dangling symlink or a hard-linked file. :func:`check_output` refuses what must not be written
(before any expensive work) and :func:`write_output` writes the rest atomically.
"""

from __future__ import annotations

import html
import os
import re
import secrets
import stat
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from .errors import InputError

__all__ = [
    "check_output",
    "html_text",
    "markdown_text",
    "spreadsheet_cell",
    "write_output",
    "xml_text",
]

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


#: Characters XML 1.0 cannot hold at all, escaped or not (C0 controls but tab and newlines,
#: lone surrogates, U+FFFE and U+FFFF): one in a KML file makes Google Earth refuse it.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: object) -> str:
    """Escape ``value`` for XML text or an attribute; characters XML cannot hold become U+FFFD."""
    return xml_escape(_NOT_XML.sub("\ufffd", str(value)), {'"': "&quot;"})


def spreadsheet_cell(value: object) -> object:
    """Defuse CSV cells a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``...)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


# -- output files ----------------------------------------------------------------------------

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
)


def check_output(path: str | Path, *, force: bool = False) -> Path:
    """Refuse an output path before any expensive work is spent on it.

    Outputs are regular files only: ``--force`` overwrites a file, never a folder, a device
    (``/dev/null``), a named pipe or a socket, which a rename would silently replace. A
    dangling symlink counts as existing (writing would replace the link). Missing parent
    folders are fine: :func:`write_output` creates them, as ``ingest --db`` does, but a
    parent that is a file, or a folder that cannot be written, is refused here.
    """
    target = Path(path)
    if not target.name or target.name in (".", ".."):
        raise InputError(f"{target}: an output needs a file name")
    try:
        info = os.stat(target)
    except (FileNotFoundError, NotADirectoryError):
        info = None
    except OSError as err:
        raise InputError(f"{target}: cannot use as output ({err.strerror or err})") from err
    if info is None and target.is_symlink():
        if not force:
            link = os.readlink(target)
            raise InputError(
                f"{target}: is a symlink to {link}, which does not exist"
                " (use --force to replace the link)"
            )
    elif info is not None:
        for test, kind in _KINDS:
            if test(info.st_mode):
                raise InputError(f"{target}: is {kind}, not a regular file; give a file name")
        if not force:
            raise InputError(f"{target}: exists (use --force to overwrite)")
    folder = target.parent
    while not folder.exists():  # the nearest existing ancestor decides
        if folder == folder.parent:
            break
        folder = folder.parent
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{target}: {folder} is a file, not a folder")
    if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{target}: folder {folder} is not writable")
    return target


def write_output(path: str | Path, content: str | bytes, *, force: bool = False) -> Path:
    """Write an output file whole, or not at all; checked by :func:`check_output` first.

    A new file is written to a temporary name beside it and renamed into place, so an
    interrupted write never leaves half a file; it gets the mode ``open()`` would give it
    (0666 less the umask), not a temporary file's private 0600. Overwriting (``force``)
    keeps what the user set up: the old file's mode is kept, a symlink is written through
    (the link stays), and a file with several hard links is rewritten in place, in its own
    inode, so every name sees the new content (not atomic: there is no atomic way to keep
    hard links). Missing parent folders are created.
    """
    target = check_output(path, force=force)
    data = content.encode("utf-8") if isinstance(content, str) else content
    if force and target.is_symlink() and target.exists():
        target = Path(os.path.realpath(target))
    try:
        info = os.stat(target, follow_symlinks=False)
    except FileNotFoundError:
        info = None
    if info is not None and stat.S_ISREG(info.st_mode) and info.st_nlink > 1:
        with open(target, "r+b") as handle:  # the same inode: every hard link sees it
            handle.truncate(0)
            handle.write(data)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = stat.S_IMODE(info.st_mode) if info is not None and stat.S_ISREG(info.st_mode) else 0o666
    for _ in range(100):
        tmp = target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
        try:
            # os.open applies the umask to 0666 exactly as open() does for a new file.
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
    else:  # pragma: no cover - 100 random collisions
        raise FileExistsError(f"{target}: no free temporary name")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if info is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target
