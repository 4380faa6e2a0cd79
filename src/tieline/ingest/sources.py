"""Input discovery and reading: files and folders to ``Document`` records."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tieline.errors import InputError
from tieline.ingest.clean import markdown_to_text, normalise, strip_boilerplate
from tieline.ingest.decode import decode_bytes
from tieline.ingest.dedupe import doc_id
from tieline.ingest.meta import Meta, parse_date, parse_meta
from tieline.records import Document, InputFailure

SUPPORTED = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
             ".html": "html", ".htm": "html", ".jsonl": "jsonl"}


@dataclass(frozen=True, slots=True)
class Loaded:
    """Documents read from one input, and failures of parts of it (bad JSONL lines)."""

    documents: tuple[Document, ...]
    failures: tuple[InputFailure, ...] = ()


def discover(paths: Iterable[str | Path]) -> Iterator[Path | InputFailure]:
    """Yield the supported files under the given paths, recursively, in a stable order.

    Folders are walked without following symlinks into loops; unsupported files met inside a
    folder are passed over silently, while a named file of an unknown kind is a failure.
    """
    seen: set[Path] = set()
    for p in paths:
        path = Path(p)
        if path.is_symlink() and not path.exists():
            yield InputFailure(str(path), "broken symlink or symlink loop")
            continue
        if not path.exists():
            yield InputFailure(str(path), "no such file or folder")
            continue
        if path.is_dir():
            for root, dirs, files in os.walk(path, followlinks=True):
                real = Path(root).resolve()
                if real in seen:
                    dirs[:] = []
                    continue
                seen.add(real)
                dirs.sort()
                for name in sorted(files):
                    f = Path(root) / name
                    if f.suffix.lower() not in SUPPORTED:
                        continue
                    if f.is_symlink() and not f.exists():
                        yield InputFailure(str(f), "broken symlink or symlink loop")
                        continue
                    yield f
        elif path.suffix.lower() in SUPPORTED:
            yield path
        else:
            yield InputFailure(
                str(path), f"unsupported file type '{path.suffix or '(none)'}'; "
                f"use one of {', '.join(sorted(SUPPORTED))}"
            )


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
        url=url or meta.url,
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


def from_markdown(raw: str, *, source_key: str, name: str, path: str | None = None) -> Document:
    """A Markdown article: render to plain text (escapes undone), then as plain text."""
    rendered, heading = markdown_to_text(normalise(raw))
    text = strip_boilerplate(normalise(rendered))
    meta = parse_meta(text, heading=heading)
    return _document(text=text, source_key=source_key, name=name, meta=meta, path=path)


def from_html(raw: str, *, source_key: str, name: str, path: str | None = None,
              url: str | None = None) -> Document:
    """An HTML page: trafilatura takes the main text and metadata, htmldate the date."""
    import trafilatura
    from htmldate import find_date

    try:
        result = trafilatura.bare_extraction(
            raw, url=url, with_metadata=True, include_comments=False, include_tables=False,
            favor_recall=True,
        )
    except (ValueError, RecursionError, TypeError) as e:
        raise InputError(f"HTML could not be parsed: {e.__class__.__name__}") from e
    if result is None:
        raise InputError("HTML holds no article text that trafilatura can find")
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


def from_jsonl(raw: str, *, source_key: str, name: str, path: str | None = None) -> Loaded:
    """One article per line: {"text", "title", "date", "url"}; bad lines fail one by one."""
    docs: list[Document] = []
    failures: list[InputFailure] = []
    for n, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{source_key}:{n}"
        try:
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
            meta = Meta(title=title, published=published, precision=precision,
                        author=obj.get("author") if isinstance(obj.get("author"), str) else header.author,
                        source=obj.get("source") if isinstance(obj.get("source"), str) else header.source,
                        url=url or header.url)
            docs.append(_document(text=text, source_key=where, name=f"{name}:{n}", meta=meta,
                                  path=path, url=url))
        except json.JSONDecodeError as e:
            failures.append(InputFailure(where, f"broken JSON line: {e.msg} at column {e.colno}"))
        except InputError as e:
            failures.append(InputFailure(where, str(e)))
    if not docs and not failures:
        raise InputError("no JSON lines")
    return Loaded(tuple(docs), tuple(failures))


def load_text(raw: str, kind: str, *, source_key: str, name: str, path: str | None = None,
              url: str | None = None) -> Loaded:
    """Turn decoded text of a known kind into documents."""
    if kind == "jsonl":
        return from_jsonl(raw, source_key=source_key, name=name, path=path)
    if kind == "html":
        return Loaded((from_html(raw, source_key=source_key, name=name, path=path, url=url),))
    if kind == "markdown":
        return Loaded((from_markdown(raw, source_key=source_key, name=name, path=path),))
    return Loaded((from_plain(raw, source_key=source_key, name=name, path=path),))


def load_file(path: Path, max_bytes: int = 64 << 20) -> Loaded:
    """Read one file into documents; raise InputError with the reason when it can't be."""
    kind = SUPPORTED.get(path.suffix.lower())
    if kind is None:
        raise InputError(f"unsupported file type '{path.suffix}'")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"file is {size >> 20} MB, over the limit of {max_bytes >> 20} MB "
                             "(raise max_file_mb to allow it)")
        data = path.read_bytes()
    except FileNotFoundError as e:
        raise InputError("file disappeared before it could be read") from e
    except IsADirectoryError as e:
        raise InputError("is a folder, not a file") from e
    except OSError as e:
        raise InputError(f"cannot be read: {e.strerror or e}") from e
    raw = decode_bytes(data)
    key = str(path.resolve())
    return load_text(raw, kind, source_key=key, name=path.name, path=str(path))
