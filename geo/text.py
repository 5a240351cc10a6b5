"""Text in: read articles from files, folders, JSON-lines corpora and stdin, and clean them.

Cleaning only ever drops whole lines (advertisements, sign-up prompts, e-mail lines) and leading
Markdown markers, and copies everything else verbatim. That keeps a simple offset map from the
cleaned text back to the source, so a mention can always be pointed at in the text as given.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

from .errors import InputError
from .model import Document
from .paths import setting

__all__ = [
    "BOILERPLATE_PATTERNS",
    "TEXT_SUFFIXES",
    "clean_text",
    "decode_bytes",
    "document_from_html",
    "document_from_record",
    "document_from_text",
    "document_from_url",
    "documents_from_bytes",
    "load_documents",
    "load_path",
    "parse_date",
    "parse_record",
    "record_id",
    "record_text",
    "sentence_at",
    "sentence_spans",
]

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".jsonl")

#: Whole lines that are page furniture, not reporting. Matched against the stripped line.
BOILERPLATE_PATTERNS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"advertisement\s*\d*",
        r"(story continues|article continues) below( advertisement)?",
        r"(sign|signup|sign-up) up\b.{0,120}",
        r"subscribe\b.{0,120}",
        r"join our .{0,60}(community|newsletter|channel).{0,40}",
        r"unblock notifications.{0,80}",
        r"(e-?mail|tel|phone)\s*:\s*\S.{0,80}",
        r"eyewitness\?.{0,120}",
        r"(read more|related|recommended|most read|trending)( stories| articles)?\s*:?.{0,120}",
        r"(share|follow us)( this| on)\b.{0,80}",
        r"(click|tap) here\b.{0,80}",
        r"(cookie|cookies)\b.{0,120}(accept|consent|policy).{0,40}",
        r"all rights reserved.{0,80}",
        r"©.{0,120}",
    )
)

_MD_MARKER = re.compile(r"^(\s{0,3}(#{1,6}|>|[-*+]|\d+[.)])\s+)")
_BLANK = re.compile(r"^\s*$")
_NON_SPACE = re.compile(r"\S")
#: A sentence end: the stop and what follows it, or a blank line. It opens with the stop itself
#: (not a look-behind) so the regex engine can skip to candidate characters in C.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])|\n\s*\n")
_FRONT_MATTER = re.compile(r"\A---\r?\n(.*?)\r?\n---\r?\n", re.DOTALL)


def decode_bytes(data: bytes, name: str = "input") -> str:
    """Decode an article's bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252.

    Windows-1252 is the last resort because it is what mis-labelled news pages use in practice;
    binary data (NUL bytes outside UTF-16) is refused rather than turned into mojibake.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise InputError(f"{name}: invalid UTF-16 text ({err.reason})") from err
    if b"\x00" in data:
        raise InputError(f"{name}: looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as err:
        raise InputError(f"{name}: not UTF-8, UTF-16 or Windows-1252 text") from err


#: All of them in one pattern: one regex call per line instead of one per pattern.
_BOILERPLATE = re.compile("|".join(f"(?:{p.pattern})" for p in BOILERPLATE_PATTERNS), re.IGNORECASE)


def _is_boilerplate(line: str) -> bool:
    return _BOILERPLATE.fullmatch(line.strip()) is not None


def clean_text(raw: str, *, markdown: bool = False) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Drop boilerplate lines and squeeze blank runs; return the text and its offset segments.

    Each segment ``(clean_start, source_start)`` starts a verbatim run; see
    :meth:`geo.model.Document.source_offset`.
    """
    out: list[str] = []
    segments: list[tuple[int, int]] = []
    length = 0
    pos = 0
    last_blank = True
    for line in raw.splitlines(keepends=True):
        line_start = pos
        pos += len(line)
        body = line.rstrip("\r\n")
        if _BLANK.match(body) or _is_boilerplate(body):
            if not last_blank and out:
                out.append("\n")
                length += 1
            last_blank = True
            continue
        skip = 0
        if markdown:
            marker = _MD_MARKER.match(body)
            if marker:
                skip = marker.end()
        piece = body[skip:] + "\n"
        if not segments or segments[-1][1] - segments[-1][0] != line_start + skip - length:
            segments.append((length, line_start + skip))  # a new run only where offsets shift
        out.append(piece)
        length += len(piece)
        last_blank = False
    text = "".join(out).rstrip("\n")
    return text, tuple(segments) or ((0, 0),)


#: The article dates accepted. Anything outside is a typo or a placeholder (0001-01-01,
#: 9999-12-31), and date arithmetic near either end of Python's calendar overflows.
MIN_DATE = date(1800, 1, 1)
MAX_DATE = date(2199, 12, 31)


def parse_date(value: object) -> date | None:
    """Parse an ISO ``YYYY-MM-DD`` (or a longer ISO timestamp) into a date; None if absent.

    Dates outside :data:`MIN_DATE`..:data:`MAX_DATE` are refused, so one placeholder date
    cannot break every later reading of a corpus.
    """
    if value in (None, ""):
        return None
    if isinstance(value, date):
        parsed = value
    else:
        text = str(value).strip()
        try:
            parsed = date.fromisoformat(text[:10])
        except ValueError as err:
            raise InputError(f"not an ISO date (YYYY-MM-DD): {text[:40]!r}") from err
    if not MIN_DATE <= parsed <= MAX_DATE:
        raise InputError(f"date {parsed.isoformat()} is out of range ({MIN_DATE}..{MAX_DATE})")
    return parsed


def _guess_title(text: str) -> str:
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line[:200] if len(line) <= 200 and not line.endswith(".") else ""
    return ""


def document_from_text(
    raw: str,
    *,
    source: str = "<text>",
    title: str | None = None,
    published: date | str | None = None,
    doc_id: str | None = None,
    markdown: bool = False,
) -> Document:
    """Clean ``raw`` and wrap it in a :class:`Document`; the id is a hash of the raw text.

    A content hash, not the file name, so the same article read twice is the same document.
    """
    text, segments = clean_text(raw, markdown=markdown)
    if not text.strip():
        raise InputError(f"{source}: no article text (empty or only boilerplate)")
    try:
        _valid_unicode("text", text)
    except InputError as err:
        raise InputError(f"{source}: {err}") from err
    digest = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    try:
        when = parse_date(published)
    except InputError as err:
        raise InputError(f"{source}: {err}") from err
    return Document(
        id=doc_id or f"doc-{digest}",
        title=title if title is not None else _guess_title(text),
        text=text,
        source=source,
        published=when,
        segments=segments,
    )


def _front_matter(raw: str) -> tuple[dict[str, str], str, int]:
    match = _FRONT_MATTER.match(raw)
    if not match:
        return {}, raw, 0
    fields = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip().lower()] = value.strip().strip("\"'")
    return fields, raw[match.end() :], match.end()


def _html_document(raw: str, source: str, published: date | str | None) -> Document:
    import trafilatura  # heavy; only HTML needs it

    extracted = trafilatura.extract(raw, include_comments=False, include_tables=False)
    if not extracted:
        raise InputError(f"{source}: no article text found in the HTML page")
    meta = trafilatura.extract_metadata(raw)
    title = (meta.title if meta and meta.title else None) or None
    if published is None and meta and meta.date:
        published = meta.date
    return document_from_text(extracted, source=source, title=title, published=published)


def document_from_html(
    html: bytes | str, *, source: str, published: date | str | None = None
) -> Document:
    """The article in a web page already fetched (``watch`` fetches pages itself, politely);
    the same extraction, size limit and decoding as a page read from a file or a URL."""
    if isinstance(html, bytes):
        _check_size(source, len(html))
        html = decode_bytes(html, source)
    else:
        _check_size(source, len(html))
    return _html_document(html, source, published)


def document_from_url(
    url: str, *, published: date | str | None = None, timeout_s: float = 20.0
) -> Document:
    """Fetch a web page and extract its article (trafilatura). Only ever called when the
    user gives a URL: nothing else in Flashpoints goes online for text.

    The whole page must arrive within three times ``timeout_s`` and be no larger than an
    article may be (:func:`max_article_chars`): a server that drips or floods is given up.
    """
    from .errors import FetchError
    from .fetch import fetch

    if not url.lower().startswith(("http://", "https://")):
        raise InputError(f"{url}: only http and https addresses can be fetched")
    headers = {"User-Agent": "flashpoints (article fetch)", "Accept": "text/html,*/*"}
    limit = max_article_chars()
    try:
        response = fetch(
            url, headers=headers, timeout_s=timeout_s, deadline_s=3 * timeout_s, max_bytes=limit
        )
    except FetchError as err:
        if err.kind == "too-large":
            _check_size(url, limit + 1)
        raise InputError(f"cannot fetch {err}") from err
    if response.status >= 400:
        raise InputError(f"{url}: the server answered HTTP {response.status}")
    return _html_document(decode_bytes(response.body, url), url, published)


def load_path(
    path: str | Path,
    *,
    published: date | str | None = None,
    on_error: Callable[[str], None] | None = None,
) -> list[Document]:
    """Read one file (txt, md, html, jsonl), ``-`` for stdin, or an http(s) URL."""
    name = str(path)
    if name.lower().startswith(("http://", "https://")):
        return [document_from_url(name, published=published)]
    if name == "-":
        text = sys.stdin.read()
        _check_size("<stdin>", len(text))
        return [document_from_text(text, source="<stdin>", published=published)]
    p = Path(path)
    if p.is_dir():
        return _folder_documents(p, published, on_error)
    try:
        data = p.read_bytes()
    except FileNotFoundError as err:
        raise InputError(f"{name}: no such file") from err
    except OSError as err:
        raise InputError(f"{name}: cannot read ({err.strerror or err})") from err
    return documents_from_bytes(data, name, published=published, on_error=on_error)


def _folder_documents(
    folder: Path, published: date | str | None, on_error: Callable[[str], None] | None
) -> list[Document]:
    """Every article in a folder, recursively in name order. Files of other kinds are
    passed over; with ``on_error`` an unreadable article is reported and the rest go on.
    A folder that yields no article at all is an error listing what was skipped and why,
    never an empty map."""
    files = sorted(c for c in folder.rglob("*") if c.is_file())
    skipped = [
        f"{c.name} (not {'/'.join(TEXT_SUFFIXES)})"
        for c in files
        if c.suffix.lower() not in TEXT_SUFFIXES and not c.name.startswith(".")
    ]
    docs: list[Document] = []
    for file in (c for c in files if c.suffix.lower() in TEXT_SUFFIXES):
        try:
            docs += load_path(file, published=published, on_error=on_error)
        except InputError as err:
            if on_error is None:
                raise
            on_error(str(err))
            skipped.append(f"{file.name} ({str(err).removeprefix(f'{file}: ')})")
    if not docs:
        if not files:
            raise InputError(f"{folder}: the folder holds no files")
        listed = "; ".join(skipped[:5]) + ("; ..." if len(skipped) > 5 else "")
        raise InputError(
            f"{folder}: no readable articles ({len(skipped)} file(s) skipped: {listed or 'none'})"
        )
    return docs


def max_article_chars() -> int:
    """The largest article accepted (``$FLASHPOINTS_MAX_ARTICLE_MB``, default 20 MB of text):
    a bigger "article" is a dump or a mistake, and would take minutes and gigabytes."""
    try:
        return int(float(setting("MAX_ARTICLE_MB", "20") or "20") * 1_000_000)
    except ValueError as err:
        raise InputError("FLASHPOINTS_MAX_ARTICLE_MB must be a number of megabytes") from err


def _check_size(name: str, size: int) -> None:
    limit = max_article_chars()
    if size > limit:
        raise InputError(
            f"{name}: {size / 1e6:.1f} MB is more than the {limit / 1e6:g} MB an article may be;"
            " split it, or raise FLASHPOINTS_MAX_ARTICLE_MB"
        )


def documents_from_bytes(
    data: bytes,
    name: str,
    *,
    published: date | str | None = None,
    on_error: Callable[[str], None] | None = None,
) -> list[Document]:
    """Decode and parse one file's bytes; the suffix of ``name`` picks the format.

    Shared by file paths and uploads (the dashboard), so both treat a file the same way.
    ``on_error`` receives a JSON-lines corpus's bad lines (``file:line: problem``) so the good
    ones can go on; without it the first bad line is an error.
    """
    suffix = Path(name).suffix.lower()
    if suffix != ".jsonl":
        _check_size(name, len(data))
    raw = decode_bytes(data, name)
    if suffix in (".html", ".htm"):
        return [_html_document(raw, name, published)]
    if suffix == ".jsonl":
        return list(_jsonl_documents(raw, name, published, on_error))
    if suffix in (".md", ".markdown"):
        fields, body, offset = _front_matter(raw)
        doc = document_from_text(
            body,
            source=name,
            title=fields.get("title"),
            published=published or fields.get("date") or fields.get("published"),
            markdown=True,
        )
        shifted = tuple((c, s + offset) for c, s in doc.segments)
        return [replace(doc, segments=shifted)]
    return [document_from_text(raw, source=name, published=published)]


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def _valid_unicode(field: str, value: str) -> str:
    """JSON can carry lone surrogates (``"\\ud800"``) that no UTF-8 file, SQLite or page can
    hold: such a record is refused here, not halfway through storing it."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as err:
        raise InputError(
            f"{field!r} holds a lone surrogate (\\u{ord(value[err.start]):04x}), not valid Unicode"
        ) from err
    return value


def parse_record(line: str) -> dict:
    """One JSON-lines line as a JSON object; any problem is an :class:`InputError` saying why
    (a line nested too deep for the parser included)."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise InputError(f"not valid JSON ({err.msg} at column {err.colno})") from err
    except RecursionError as err:
        raise InputError("not valid JSON (nested too deeply)") from err
    if not isinstance(record, dict):
        raise InputError(f"a JSON object is needed, not {_json_type(record)}")
    return record


def record_text(record: dict) -> str:
    """The ``text`` of a JSON-lines record, checked: present, a string, valid Unicode."""
    if "text" not in record:
        raise InputError("no 'text' field")
    text = record["text"]
    if not isinstance(text, str):
        raise InputError(f"'text' must be a string, not {_json_type(text)}")
    return _valid_unicode("text", text)


def record_id(record: dict) -> str | int | None:
    """The optional ``id`` of a JSON-lines record: a string or an integer."""
    value = record.get("id")
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if not isinstance(value, str):
        raise InputError(f"'id' must be a string or an integer, not {_json_type(value)}")
    return _valid_unicode("id", value)


def document_from_record(
    record: dict, source: str, published: date | str | None = None
) -> Document:
    """A :class:`Document` from one JSON-lines record, every field checked on its own:
    ``text`` (required string), ``title`` and ``published``/``date`` (optional strings),
    ``id`` (optional string or integer). A problem raises :class:`InputError` saying which."""
    text = record_text(record)
    _check_size(source, len(text))
    doc_id = record_id(record)
    fields: dict[str, str | None] = {}
    for key in ("title", "published", "date"):
        value = record.get(key)
        if value is not None and not isinstance(value, str):
            raise InputError(f"{key!r} must be a string, not {_json_type(value)}")
        fields[key] = _valid_unicode(key, value) if value else None
    return document_from_text(
        text,
        source=source,
        title=fields["title"],
        published=fields["published"] or fields["date"] or published,
        doc_id=str(doc_id) if doc_id is not None else None,
    )


def _jsonl_documents(
    raw: str,
    name: str,
    published: date | str | None = None,
    on_error: Callable[[str], None] | None = None,
) -> Iterator[Document]:
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            doc = document_from_record(parse_record(line), f"{name}:{number}", published)
        except InputError as err:
            message = str(err)
            if not message.startswith(f"{name}:"):
                message = f"{name}:{number}: {message}"
            if on_error is None:
                raise InputError(message) from err
            on_error(message)
            continue
        yield doc


def load_documents(
    paths: Iterable[str | Path],
    *,
    published: date | str | None = None,
    on_error: Callable[[str], None] | None = None,
) -> Iterator[Document]:
    """Read every path in turn; folders are read recursively in name order."""
    for path in paths:
        yield from load_path(path, published=published, on_error=on_error)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into sentence spans (start, end): on . ! ? before a capital, and on
    blank lines (a single newline is hard wrapping, not a sentence end).

    Deliberately simple and predictable: a popup shows the sentence around a mention, and a
    sentence cut at "U.S." is a smaller harm than a dependency on a trained segmenter.
    """
    spans = []
    start = 0
    search = _NON_SPACE.search
    for m in _SENTENCE_END.finditer(text):
        stop, after = m.span()
        end = stop if text[stop] == "\n" else stop + 1  # the sentence keeps its stop
        first = search(text, start, end)  # skip leading blanks; none: empty span
        if first is not None:
            spans.append((first.start(), end))
        start = after
    first = search(text, start)
    if first is not None:
        spans.append((first.start(), len(text)))
    return spans


def sentence_at(
    text: str, spans: list[tuple[int, int]], offset: int, starts: list[int] | None = None
) -> str:
    """The sentence containing ``offset`` (whitespace folded); a binary search over ``spans``
    (pass ``starts``, the spans' start offsets, when looking up many offsets)."""
    if starts is None:
        starts = [start for start, _ in spans]
    i = bisect.bisect_right(starts, offset) - 1
    if i >= 0:
        start, end = spans[i]
        if start <= offset < end:
            return " ".join(text[start:end].split())
    return ""
