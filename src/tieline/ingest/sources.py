"""Input discovery and reading: files and folders to ``Document`` records."""

from __future__ import annotations

import json
import logging
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tieline.errors import InputError
from tieline.ingest.clean import (
    looks_like_markdown,
    markdown_to_text,
    normalise,
    strip_boilerplate,
)
from tieline.ingest.decode import decode_bytes
from tieline.ingest.dedupe import doc_id
from tieline.ingest.meta import Meta, parse_date, parse_meta
from tieline.records import Document, InputFailure

_log = logging.getLogger("tieline.ingest")
_WEB_URL = re.compile(r"https?://[^/?#\s]+", re.IGNORECASE)
# Longest article text accepted, in characters: spaCy's own max_length, far beyond any news
# article. Longer texts (a corpus pasted into one file, a runaway line) are refused with a
# reason instead of taking the extractor's memory; the caller may raise it.
MAX_DOC_CHARS = 1_000_000
# How much longer than the text limit the raw input of one document may be before it is refused
# unread (markup and white space go in cleaning; HTML carries far more of them).
_RAW_FACTOR = {"html": 16, "markdown": 2, "text": 2}

SUPPORTED = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
}


@dataclass(frozen=True, slots=True)
class Loaded:
    """Documents read from one input, and failures of parts of it (bad JSONL lines)."""

    documents: tuple[Document, ...]
    failures: tuple[InputFailure, ...] = ()


def shown_path(path: str | Path) -> str:
    """The path as text that can always be printed on one line and stored: bytes of a file name
    that are not UTF-8 become escapes such as \\xe9, and so do control characters (a newline
    would split a failure line in two, an ESC would reach the terminal raw)."""
    text = os.fsencode(path).decode("utf-8", "backslashreplace")
    return _UNPRINTABLE.sub(_escape_char, text)


# Control characters (C0, DEL, C1), line and paragraph separators, and the format characters
# that reorder or hide text on a terminal (bidirectional overrides).
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape_char(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def discover(
    paths: Iterable[str | Path], *, follow_links: bool = False
) -> Iterator[Path | InputFailure]:
    """Yield the supported files under the given paths, recursively, in a stable order.

    Folders are walked following symlinks, but never into a folder already walked, so a link to
    a parent cannot loop; unsupported files met inside a folder are passed over silently, while
    a named file of an unknown kind, a broken or looping link, and an unreadable folder are
    failures. A symlink inside a folder that leads out of the folder named is refused with one
    line (it could expose any file the user can read) unless ``follow_links``; a path named
    directly is read wherever it leads.
    """
    seen: set[Path] = set()
    for p in paths:
        path = Path(p)
        if path.is_symlink() and not path.exists():
            yield InputFailure(shown_path(path), "broken symlink or symlink loop")
            continue
        if not path.exists():
            yield InputFailure(shown_path(path), "no such file or folder")
            continue
        if path.is_dir():
            top = path.resolve()
            errors: list[OSError] = []
            for root, dirs, files in os.walk(path, followlinks=True, onerror=errors.append):
                yield from _walk_failures(errors)
                real = Path(root).resolve()
                if real in seen:
                    dirs[:] = []
                    continue
                seen.add(real)
                dirs.sort()
                if not follow_links:
                    for name in list(dirs):
                        sub = Path(root) / name
                        if (refused := _leaves(sub, top)) is not None:
                            dirs.remove(name)
                            yield refused
                for name in sorted(files):
                    f = Path(root) / name
                    if f.suffix.lower() not in SUPPORTED:
                        continue
                    if f.is_symlink() and not f.exists():
                        yield InputFailure(shown_path(f), "broken symlink or symlink loop")
                        continue
                    if not follow_links and (refused := _leaves(f, top)) is not None:
                        yield refused
                        continue
                    yield f
            yield from _walk_failures(errors)
        elif path.suffix.lower() in SUPPORTED:
            yield path
        else:
            yield InputFailure(
                shown_path(path),
                f"unsupported file type '{path.suffix or '(none)'}'; "
                f"use one of {', '.join(sorted(SUPPORTED))}",
            )


def _leaves(path: Path, top: Path) -> InputFailure | None:
    """A failure if ``path`` is a symlink that leads outside the folder ``top``."""
    if not path.is_symlink():
        return None
    try:
        target = path.resolve()
    except (OSError, RuntimeError):
        return InputFailure(shown_path(path), "broken symlink or symlink loop")
    if target == top or target.is_relative_to(top):
        return None
    return InputFailure(
        shown_path(path),
        f"symlink leads outside the folder (to {shown_path(target)}); not read "
        "(use --follow-links to read it)",
    )


def _walk_failures(errors: list[OSError]) -> Iterator[InputFailure]:
    """Folders that os.walk could not list, as failures (and forget them)."""
    for e in errors:
        reason = f"folder cannot be read: {e.strerror or e}"
        yield InputFailure(shown_path(e.filename or "?"), reason)
    errors.clear()


def _field(value: object) -> str | None:
    """A metadata string from a JSON line, normalised like the text (None if not a string)."""
    return (normalise(value) or None) if isinstance(value, str) else None


def web_url(value: object) -> str | None:
    """The value if it is an http(s) URL, else None: a stored link is never javascript: or data:."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    if not _WEB_URL.match(url) or any(ch.isspace() or ord(ch) < 32 for ch in url):
        return None
    try:
        url.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from JSON escapes
        return None
    return url


def _document(
    *, text: str, source_key: str, name: str, meta: Meta, path: str | None, url: str | None = None
) -> Document:
    if not text.strip():
        raise InputError("no article text left after cleaning")
    return Document(
        id=doc_id(text),
        source_key=source_key,
        text=text,
        name=name,
        path=path,
        url=web_url(url) or web_url(meta.url),
        title=meta.title,
        published=meta.published,
        published_precision=meta.precision,
        author=meta.author,
        source=meta.source,
    )


def from_plain(raw: str, *, source_key: str, name: str, path: str | None = None) -> Document:
    """A plain-text article: normalise, drop boilerplate, read header metadata."""
    text = strip_boilerplate(normalise(raw))
    return _document(text=text, source_key=source_key, name=name, meta=parse_meta(text), path=path)


def from_markdown(
    raw: str, *, source_key: str, name: str, path: str | None = None, line_breaks: bool = False
) -> Document:
    """A Markdown article: render to plain text (escapes undone), then as plain text."""
    rendered, heading = markdown_to_text(normalise(raw), line_breaks=line_breaks)
    text = strip_boilerplate(normalise(rendered))
    meta = parse_meta(text, heading=heading)
    return _document(text=text, source_key=source_key, name=name, meta=meta, path=path)


def from_html(
    raw: str, *, source_key: str, name: str, path: str | None = None, url: str | None = None
) -> Document:
    """An HTML page: trafilatura takes the main text and metadata, htmldate the date."""
    import trafilatura
    from htmldate import find_date

    try:
        result = trafilatura.bare_extraction(
            raw,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            favor_recall=True,
        )
    except (ValueError, RecursionError, TypeError) as e:
        raise InputError(f"HTML could not be parsed: {e.__class__.__name__}") from e
    if result is None:
        flat = flat_html_text(raw)
        if flat.depth <= _LXML_MAX_DEPTH:
            raise InputError("HTML holds no article text that trafilatura can find")
        # lxml stops at a nesting limit, so trafilatura sees nothing; the flat reading (scripts
        # and other code dropped) keeps the page's words.
        text = strip_boilerplate(normalise(flat.text))
        return _document(
            text=text, source_key=source_key, name=name, meta=parse_meta(text), path=path, url=url
        )
    body = getattr(result, "text", None) or ""
    text = strip_boilerplate(normalise(body))
    title = getattr(result, "title", None)
    if title:
        title = normalise(title)
        if not text.startswith(title):
            text = f"{title}\n\n{text}"
    header = parse_meta(text)
    published = precision = None
    found = None
    try:
        found = find_date(raw, url=url, original_date=True, extensive_search=False)
    except (ValueError, RecursionError, TypeError):
        found = None
    if found and (parsed := parse_date(found)):
        published, precision = parsed
    meta = Meta(
        title=title or header.title,
        published=published or header.published,
        precision=precision or header.precision,
        author=getattr(result, "author", None) or header.author,
        source=getattr(result, "sitename", None) or header.source,
        url=url or getattr(result, "url", None) or header.url,
    )
    return _document(text=text, source_key=source_key, name=name, meta=meta, path=path, url=url)


def from_jsonl(
    raw: str, *, source_key: str, name: str, path: str | None = None, max_chars: int | None = None
) -> Loaded:
    """One article per line: {"text", "title", "date", "url"}; bad lines fail one by one.

    A failure names the line as ``PATH:N`` (``path`` when given, else ``source_key``).
    """
    docs: list[Document] = []
    failures: list[InputFailure] = []
    label = path or source_key
    # Lone CR, CR LF and LF all end a line (a raw CR cannot stand inside a JSON string).
    for n, line in enumerate(_JSONL_LINES.split(raw), 1):
        if not line.strip():
            continue
        where = f"{source_key}:{n}"
        try:
            if max_chars is not None and len(line) > _RAW_FACTOR["text"] * max_chars:
                raise InputError(_too_long(len(line), max_chars, "line"))
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise InputError("line is not a JSON object")
            body = obj.get("text")
            if not isinstance(body, str) or not body.strip():
                raise InputError("line has no 'text' string")
            text = strip_boilerplate(normalise(body))
            header = parse_meta(text)
            title = obj.get("title")
            title = normalise(title) if isinstance(title, str) and title.strip() else header.title
            published, precision = header.published, header.precision
            if isinstance(obj.get("date"), str) and (parsed := parse_date(obj["date"])):
                published, precision = parsed
            url = obj.get("url") if isinstance(obj.get("url"), str) else None
            author, source = obj.get("author"), obj.get("source")
            meta = Meta(
                title=title,
                published=published,
                precision=precision,
                author=_field(author) or header.author,
                source=_field(source) or header.source,
                url=url or header.url,
            )
            doc = _document(
                text=text, source_key=where, name=f"{name}:{n}", meta=meta, path=path, url=url
            )
            if max_chars is not None and len(doc.text) > max_chars:
                raise InputError(_too_long(len(doc.text), max_chars))
            docs.append(doc)
        except json.JSONDecodeError as e:
            failures.append(
                InputFailure(f"{label}:{n}", f"broken JSON line: {e.msg} at column {e.colno}")
            )
        except RecursionError:
            failures.append(
                InputFailure(f"{label}:{n}", "line nested too deeply for the JSON parser")
            )
        except ValueError as e:
            # json.loads refuses an integer of over 4,300 digits (Python's limit on converting
            # digits to int) with a plain ValueError.
            why = (
                "a number with more digits than the JSON reader accepts"
                if "digits" in str(e)
                else f"unreadable JSON value ({e.__class__.__name__})"
            )
            failures.append(InputFailure(f"{label}:{n}", why))
        except InputError as e:
            failures.append(InputFailure(f"{label}:{n}", str(e)))
    if not docs and not failures:
        raise InputError("no JSON lines")
    return Loaded(tuple(docs), tuple(failures))


_JSONL_LINES = re.compile(r"\r\n|\r|\n")


def _too_long(n: int, max_chars: int, what: str = "article text") -> str:
    return (
        f"{what} is {n:,} characters, over the limit of {max_chars:,} per document "
        "(the extractor's limit); split it into separate articles"
    )


def load_text(
    raw: str,
    kind: str,
    *,
    source_key: str,
    name: str,
    path: str | None = None,
    url: str | None = None,
    max_chars: int | None = MAX_DOC_CHARS,
) -> Loaded:
    """Turn decoded text of a known kind into documents.

    A document whose text is over ``max_chars`` is refused (for JSONL, that line only); None
    means no limit.
    """
    if kind == "jsonl":
        return from_jsonl(raw, source_key=source_key, name=name, path=path, max_chars=max_chars)
    if max_chars is not None and len(raw) > _RAW_FACTOR.get(kind, 2) * max_chars:
        # Far too long even before cleaning: refuse unread rather than parse it all.
        raise InputError(_too_long(len(raw), max_chars, "input"))
    try:
        if kind == "html":
            doc = from_html(raw, source_key=source_key, name=name, path=path, url=url)
        elif kind == "markdown":
            doc = from_markdown(raw, source_key=source_key, name=name, path=path)
        elif looks_like_markdown(raw):
            # A .txt file written in Markdown: its '#', links and escapes are markup, not text.
            doc = from_markdown(raw, source_key=source_key, name=name, path=path, line_breaks=True)
        else:
            doc = from_plain(raw, source_key=source_key, name=name, path=path)
    except RecursionError as e:
        raise InputError("nested too deeply to parse") from e
    if max_chars is not None and len(doc.text) > max_chars:
        raise InputError(_too_long(len(doc.text), max_chars))
    return Loaded((doc,))


def load_file(
    path: Path, max_bytes: int = 64 << 20, max_chars: int | None = MAX_DOC_CHARS
) -> Loaded:
    """Read one file into documents; raise InputError with the reason when it can't be."""
    kind = SUPPORTED.get(path.suffix.lower())
    if kind is None:
        raise InputError(f"unsupported file type '{path.suffix}'")
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            raise InputError("is a folder, not a file")
        if not stat.S_ISREG(st.st_mode):
            # Reading a named pipe or a device could block forever or never end.
            raise InputError("not a regular file (a named pipe, socket or device); skipped unread")
        if st.st_size > max_bytes:
            raise InputError(
                f"file is {st.st_size >> 20} MB, over the limit of "
                f"{max_bytes >> 20} MB (raise max_file_mb to allow it)"
            )
        with path.open("rb") as fh:
            # Read one byte past the limit: a file growing while it is read is still capped.
            data = fh.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise InputError(f"file grew past the limit of {max_bytes >> 20} MB while being read")
    except FileNotFoundError as e:
        raise InputError("file disappeared before it could be read") from e
    except IsADirectoryError as e:
        raise InputError("is a folder, not a file") from e
    except OSError as e:
        raise InputError(f"cannot be read: {e.strerror or e}") from e
    shown = shown_path(path)
    raw = decode_bytes(data, warn=lambda message: _log.warning("%s: %s", shown, message))
    if kind == "text" and _HTML_START.match(raw[:512]):
        # A web page saved under a .txt name: read it as HTML, so its scripts never become text.
        kind = "html"
    key = shown_path(path.resolve())
    return load_text(
        raw,
        kind,
        source_key=key,
        name=shown_path(path.name),
        path=shown_path(path),
        max_chars=max_chars,
    )


_HTML_START = re.compile(r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.I | re.S)
_LXML_MAX_DEPTH = 255
_HIDDEN_TAGS = frozenset(
    {
        "script",
        "style",
        "iframe",
        "noscript",
        "template",
        "object",
        "embed",
        "svg",
        "math",
        "head",
        "select",
        "textarea",
        "canvas",
    }
)
_VOID_TAGS = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    }
)
_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "br",
        "li",
        "tr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "section",
        "article",
        "blockquote",
        "pre",
        "table",
        "ul",
        "ol",
        "header",
        "footer",
        "title",
    }
)


@dataclass(frozen=True, slots=True)
class FlatText:
    """The words of an HTML page read without its structure, and its deepest nesting."""

    text: str
    depth: int


def flat_html_text(raw: str) -> FlatText:
    """Read the text of any HTML, however deep, without recursion; code and frames are dropped."""
    from html.parser import HTMLParser

    class _Reader(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.depth = self.max_depth = 0
            self.hidden = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in _VOID_TAGS:
                if tag == "br":
                    self.parts.append("\n")
                return
            self.depth += 1
            self.max_depth = max(self.max_depth, self.depth)
            if tag in _HIDDEN_TAGS:
                self.hidden += 1
            elif tag in _BLOCK_TAGS:
                self.parts.append("\n")

        def handle_endtag(self, tag: str) -> None:
            if tag in _VOID_TAGS:
                return
            self.depth = max(0, self.depth - 1)
            if tag in _HIDDEN_TAGS:
                self.hidden = max(0, self.hidden - 1)
            elif tag in _BLOCK_TAGS:
                self.parts.append("\n")

        def handle_data(self, data: str) -> None:
            if not self.hidden:
                self.parts.append(data)

    reader = _Reader()
    reader.feed(raw)
    reader.close()
    return FlatText("".join(reader.parts), reader.max_depth)
