"""The store: a SQLite file by default, PostgreSQL by URL. Only ``store/`` writes SQL."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from sqlalchemy import (
    Engine,
    create_engine,
    delete,
    event,
    func,
    inspect,
    make_url,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DatabaseError, IntegrityError, SQLAlchemyError

from tieline.errors import MissingExtraError, StoreError
from tieline.nearbands import band_keys
from tieline.records import Document, Entity, Extraction
from tieline.store import schema as s
from tieline.store.migrations import SchemaTooNew, check_current, migrate, store_meta

# The tables of a document and its facts, in the order they are inserted.
TABLE_ORDER = (
    "documents",
    "mentions",
    "doc_entities",
    "events",
    "event_participants",
    "figures",
    "near_bands",
)


def document_rows(
    doc: Document, ext: Extraction, sig: bytes | None, now: str
) -> dict[str, list[dict[str, Any]]]:
    """The rows of one document and its facts, by table: what ``Store.write`` and the bulk
    path (``store/bulk.py``) insert."""
    out: dict[str, list[dict[str, Any]]] = {
        "documents": [
            {
                "id": doc.id,
                "source_key": doc.source_key,
                "name": doc.name,
                "path": doc.path,
                "url": doc.url,
                "title": doc.title,
                "published": doc.published,
                "published_precision": doc.published_precision,
                "author": doc.author,
                "source": doc.source,
                "text": doc.text,
                "lang": doc.lang,
                "near_duplicate_of": doc.near_duplicate_of,
                "minhash": sig,
                "pipeline_version": ext.pipeline_version,
                "ingested_at": now,
            }
        ],
        "near_bands": [{"band": b, "doc_id": doc.id} for b in (band_keys(sig) if sig else ())],
        "mentions": [
            {
                "doc_id": doc.id,
                "span_start": m.start,
                "span_end": m.end,
                "text": m.text,
                "label": m.label,
                "by": m.by,
                "entity_key": m.entity_key,
            }
            for m in ext.mentions
        ],
        "doc_entities": [
            {
                "doc_id": doc.id,
                "key": e.key,
                "name": e.name,
                "type": e.type,
                "country": e.country,
                "aliases": json.dumps(list(e.aliases), ensure_ascii=False),
                "role": e.role,
                "affiliation": e.affiliation,
                "kb_id": e.kb_id,
                "mention_count": e.mention_count,
            }
            for e in ext.entities
        ],
        "events": [
            {
                "id": ev.id,
                "doc_id": doc.id,
                "type": ev.type,
                "trigger": ev.trigger,
                "trigger_start": ev.trigger_start,
                "trigger_end": ev.trigger_end,
                "sentence_start": ev.sentence_start,
                "sentence_end": ev.sentence_end,
                "evidence": ev.evidence,
                "sector": ev.sector,
                "date": ev.date,
                "date_precision": ev.date_precision,
                "date_source": ev.date_source,
                "status": ev.status,
                "confidence": ev.confidence,
                "count": ev.count,
                "cluster_id": ev.cluster_id,
                "extractor": ext.pipeline_version,
            }
            for ev in ext.events
        ],
        "event_participants": list(
            {
                (ev.id, p.entity_key, p.role): {
                    "event_id": ev.id,
                    "entity_key": p.entity_key,
                    "role": p.role,
                    "name": p.name,
                    "doc_id": doc.id,
                    "when_date": ev.date or doc.published,
                }
                for ev in ext.events
                for p in ev.participants
            }.values()
        ),
        "figures": [
            {
                "id": f.id,
                "doc_id": doc.id,
                "measure": f.measure,
                "value": f.value,
                "unit": f.unit,
                "currency": f.currency,
                "period": f.period,
                "period_start": f.period_start,
                "period_end": f.period_end,
                "status": f.status,
                "actors": json.dumps(list(f.actors), ensure_ascii=False),
                "span_start": f.start,
                "span_end": f.end,
                "text": f.text,
                "evidence": f.evidence,
                "sentence_start": f.sentence_start,
                "sentence_end": f.sentence_end,
                "cluster_id": f.cluster_id,
                "extractor": ext.pipeline_version,
            }
            for f in ext.figures
        ],
    }
    return out


def entity_name_key_rows(forms: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    """Rows of ``entity_name_keys`` for (entity id, name form) pairs: distinct, sorted, and
    none for a form whose key is empty."""
    from tieline.namekey import name_key

    keys = {(name_key(f), eid) for eid, f in forms}
    return [{"name_key": k, "entity_id": eid} for k, eid in sorted(keys) if k]


def database_url(db: str) -> str:
    """Turn a path or URL into a SQLAlchemy URL (a bare path is a SQLite file)."""
    if "://" in db:
        if db.startswith("postgresql://") or db.startswith("postgres://"):
            return "postgresql+psycopg://" + db.split("://", 1)[1]
        return db
    if db == ":memory:":
        return "sqlite://"
    return f"sqlite:///{Path(db).expanduser()}"


def display_url(db: str) -> str:
    """The store's name for messages: a path, or a URL with its password hidden."""
    if "://" not in db:
        return db
    try:
        return make_url(database_url(db)).render_as_string(hide_password=True)
    except (SQLAlchemyError, ValueError):
        return db.split("://", 1)[0] + "://..."


def _sqlite_null_order(element: Any) -> Any:
    """An ORDER BY term with NULLs placed as SQLite places them: below every value."""
    from sqlalchemy import Column
    from sqlalchemy.sql import operators
    from sqlalchemy.sql.elements import UnaryExpression

    if isinstance(element, UnaryExpression):
        if element.modifier in (operators.nulls_first_op, operators.nulls_last_op):
            return element  # the query chose for itself
        if element.modifier is operators.desc_op:
            inner = element.element
            return element if _not_null(inner, Column) else element.nulls_last()
    if _not_null(element, Column):
        return element
    return element.nulls_first() if hasattr(element, "nulls_first") else element


def _not_null(element: Any, column_type: type) -> bool:
    # A NOT NULL column sorts the same everywhere; leaving it bare keeps its index usable.
    if not isinstance(element, column_type):
        return False
    col: Any = element
    return not col.nullable or bool(col.primary_key)


def _pg_compiler(base: type) -> type:
    """PostgreSQL's statement compiler, ordering NULLs as SQLite does.

    PostgreSQL sorts NULL above every value, SQLite below, so ``ORDER BY date`` would list
    undated events last on one store and first on the other. Set on our engines only.
    """

    class Compiler(base):  # type: ignore[misc]
        def order_by_clause(self, select: Any, **kw: Any) -> str:
            terms = [_sqlite_null_order(t) for t in select._order_by_clauses]
            from sqlalchemy.sql import operators
            from sqlalchemy.sql.compiler import OPERATORS

            order_by: str = self._generate_delimited_list(
                terms, OPERATORS[operators.comma_op], **kw
            )
            return " ORDER BY " + order_by if order_by else ""

    return Compiler


SQLITE_HEADER = b"SQLite format 3\x00"
# Any constant: names the lock that serialises relinking on a PostgreSQL server.
_PG_LINKS_LOCK = 7_241_985_302
# Looks, 50 ms apart, at an empty store file before it is refused as not a store.
EMPTY_FILE_LOOKS = 20
# A batch that loses a race on a unique key is decided again this many times in all.
WRITE_ATTEMPTS = 4


def _sqlite_file_problem(path: Path) -> str | None:
    """Why an existing file cannot be a store (None: it may be one, or does not exist)."""
    head = b""
    # An empty file may be a store another process is creating this instant (two ingests into
    # a new store): its header comes within milliseconds, so look a few times before refusing.
    for _ in range(EMPTY_FILE_LOOKS):
        try:
            if not path.exists():
                return None
            if path.is_dir():
                return "it is a folder, not a store file"
            with path.open("rb") as fh:
                head = fh.read(len(SQLITE_HEADER))
        except OSError as e:
            return f"it cannot be read ({e.strerror})"
        if head:
            break
        time.sleep(0.05)
    if not head:
        wal = path.with_name(path.name + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            return None  # a store whose pages are still all in its write-ahead log
        # SQLite would silently start a new store in it: a wrong --db (a typo, a file emptied
        # by a failed copy) must not look like an empty store.
        return "it is an empty file, not a Tieline store (delete it, or name another --db)"
    if head != SQLITE_HEADER:
        return "it is not a SQLite database (a corrupt store, or another kind of file)"
    return None


def explain(e: BaseException) -> str:
    """One line saying why a store operation failed, from a database or OS error."""
    orig = getattr(e, "orig", None) or e
    first = (str(orig).strip().splitlines() or [orig.__class__.__name__])[0]
    low = first.lower()
    if "disk is full" in low or "no space left" in low or "disk quota" in low:
        return (
            f"the disk is full ({first}); free some space and run again, what was committed is kept"
        )
    if "readonly" in low or "read-only" in low or "read only" in low:
        return f"the store is read-only ({first}); only reading commands work on it"
    if "disk i/o error" in low:
        return (
            f"the disk refused a write ({first}): full, over a size limit or failing; "
            "what was committed is kept"
        )
    if "not a database" in low or "malformed" in low or "corrupt" in low:
        return f"the store is corrupt ({first}); restore it from a copy or ingest again"
    if "unable to open database file" in low:
        return f"the store file cannot be opened ({first}): check the folder and its permissions"
    if isinstance(orig, OSError) and orig.strerror:
        return orig.strerror + (f": {orig.filename}" if orig.filename else "")
    return first


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _sqlite_read_only_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA query_only=ON")
    cur.close()


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What one batch write did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0


@dataclass(frozen=True, slots=True)
class StoredDoc:
    """The identity of a stored document, for deciding what needs (re-)extraction."""

    id: str
    source_key: str
    pipeline_version: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _may_be_read_only(e: DatabaseError) -> bool:
    low = str(getattr(e, "orig", None) or e).lower()
    return "readonly" in low or "read-only" in low or "unable to open database file" in low


class Store:
    """A knowledge-base store. Writes go in one transaction per batch."""

    def __init__(self, db: str = "tieline.db", *, create: bool = True) -> None:
        self.url = database_url(db)
        self.is_sqlite = self.url.startswith("sqlite")
        self.is_postgres = self.url.startswith("postgresql")
        self.read_only = False
        shown = display_url(db)
        path: Path | None = None
        if self.is_sqlite and self.url != "sqlite://":
            path = Path(self.url.removeprefix("sqlite:///"))
            if not create and not path.exists():
                raise StoreError(f"no store at {path}; run 'tieline ingest PATH --db {path}' first")
            problem = _sqlite_file_problem(path)
            if problem:
                raise StoreError(f"cannot open store {path}: {problem}")
        if self.is_postgres:
            try:
                import psycopg  # noqa: F401
            except ImportError as e:
                raise MissingExtraError("scale", "a PostgreSQL store") from e
        try:
            if self.url == "sqlite://":
                from sqlalchemy.pool import StaticPool

                self.engine: Engine = create_engine(
                    self.url, poolclass=StaticPool, connect_args={"check_same_thread": False}
                )
            elif self.is_sqlite:
                self.engine = create_engine(
                    self.url, connect_args={"timeout": 30, "check_same_thread": False}
                )
            elif self.is_postgres:
                # A wrong host or port fails in seconds, not after the OS's TCP timeout.
                self.engine = create_engine(
                    self.url, pool_pre_ping=True, connect_args={"connect_timeout": 10}
                )
            else:
                self.engine = create_engine(self.url, pool_pre_ping=True)
        except (SQLAlchemyError, ImportError) as e:
            raise StoreError(f"cannot open store {shown}: {e}") from e
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        if self.is_postgres:
            # On this engine's dialect only: other SQLAlchemy users in the process are untouched.
            dialect = self.engine.dialect
            dialect.statement_compiler = _pg_compiler(type(dialect).statement_compiler)
        try:
            if not create and not self.is_sqlite:
                with self.engine.connect() as conn:
                    if not inspect(conn).has_table("schema_migrations"):
                        raise StoreError(
                            f"no store at {shown}; run 'tieline ingest PATH --db {shown}' first"
                        )
            with self.engine.begin() as conn:
                migrate(conn)
        except SchemaTooNew as e:
            self.engine.dispose()
            raise StoreError(f"cannot open store {shown}: {e}") from e
        except DatabaseError as e:
            self.engine.dispose()
            if path is not None and not create and _may_be_read_only(e):
                # A store on a read-only mount (or a file we may not write): reading commands
                # open it read-only rather than fail on the write-ahead log or a migration.
                self._open_read_only(path, shown)
                return
            raise StoreError(f"cannot open store {shown}: {explain(e)}") from e
        except StoreError:
            self.engine.dispose()
            raise

    def _open_read_only(self, path: Path, shown: str) -> None:
        """Open a SQLite store for reading only: read-only mode, else as an immutable file
        (a WAL store in a folder we cannot write has no way to make its shared-memory file)."""
        import sqlite3
        from urllib.parse import quote

        from sqlalchemy.pool import NullPool

        last: BaseException | None = None
        for flags in ("mode=ro", "immutable=1"):
            uri = f"file:{quote(str(path.resolve()))}?{flags}"

            def creator(uri: str = uri) -> sqlite3.Connection:
                return sqlite3.connect(uri, uri=True, timeout=30, check_same_thread=False)

            engine = create_engine("sqlite://", creator=creator, poolclass=NullPool)
            event.listen(engine, "connect", _sqlite_read_only_pragmas)
            try:
                with engine.connect() as conn:
                    check_current(conn)
            except SchemaTooNew as e:
                engine.dispose()
                raise StoreError(f"cannot open store {shown}: {e}") from e
            except StoreError as e:
                engine.dispose()
                raise StoreError(f"cannot open store {shown}: {e}") from e
            except DatabaseError as e:
                engine.dispose()
                last = e
                continue
            self.engine = engine
            self.read_only = True
            return
        assert last is not None
        raise StoreError(f"cannot open store {shown}: {explain(last)}") from last

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def connect(self) -> Connection:
        """A connection for reads (query modules use it through store functions)."""
        return self.engine.connect()

    # ----------------------------------------------------------------- identity
    def stored_by_source(self, source_keys: Iterable[str]) -> dict[str, StoredDoc]:
        """The stored documents for these source keys."""
        keys = list(source_keys)
        out: dict[str, StoredDoc] = {}
        with self.engine.connect() as conn:
            for i in range(0, len(keys), 500):
                chunk = keys[i : i + 500]
                c = s.documents.c
                q = select(c.id, c.source_key, c.pipeline_version).where(c.source_key.in_(chunk))
                for r in conn.execute(q):
                    out[r.source_key] = StoredDoc(r.id, r.source_key, r.pipeline_version)
        return out

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        """Which of these document ids are stored."""
        ids = list(ids)
        found: set[str] = set()
        with self.engine.connect() as conn:
            for i in range(0, len(ids), 500):
                q = select(s.documents.c.id).where(s.documents.c.id.in_(ids[i : i + 500]))
                found.update(r[0] for r in conn.execute(q))
        return found

    def signatures(self) -> Iterator[tuple[str, bytes]]:
        """(document id, MinHash signature) of every stored document."""
        with self.engine.connect() as conn:
            c = s.documents.c
            q = select(c.id, c.minhash).where(c.minhash.is_not(None))
            for r in conn.execute(q):
                yield r.id, r.minhash

    def near_candidates(self, bands: Iterable[str]) -> dict[str, bytes]:
        """The stored documents sharing one of these LSH bands, with their signatures."""
        nb, d = s.near_bands, s.documents
        with self.engine.connect() as conn:
            q = (
                select(d.c.id, d.c.minhash)
                .join(nb, nb.c.doc_id == d.c.id)
                .where(nb.c.band.in_(sorted(set(bands))), d.c.minhash.is_not(None))
                .distinct()
            )
            return {r.id: r.minhash for r in conn.execute(q)}

    # ----------------------------------------------------------------- writes
    def _delete_doc(self, conn: Connection, doc_id: str) -> None:
        ev_ids = select(s.events.c.id).where(s.events.c.doc_id == doc_id)
        # The clusters its reports were in may have held together through them: they are
        # placed again by the next (incremental) clustering, as a full one would place them.
        gone = select(s.events.c.cluster_id).where(
            s.events.c.doc_id == doc_id, s.events.c.cluster_id.is_not(None)
        )
        conn.execute(
            update(s.events).where(s.events.c.cluster_id.in_(gone)).values(cluster_id=None)
        )
        conn.execute(delete(s.cluster_blocks).where(s.cluster_blocks.c.doc_id == doc_id))
        conn.execute(
            delete(s.event_participants).where(s.event_participants.c.event_id.in_(ev_ids))
        )
        for t in (s.events, s.figures, s.mentions, s.doc_entities, s.near_bands):
            conn.execute(delete(t).where(t.c.doc_id == doc_id))
        conn.execute(delete(s.documents).where(s.documents.c.id == doc_id))

    def write(self, items: Sequence[tuple[Document, Extraction, bytes | None]]) -> WriteResult:
        """Store documents with their extractions in one transaction.

        A document whose source is already stored with the same text and pipeline is left as it
        is; one whose text or pipeline changed replaces the old one with all its facts; one whose
        text is stored under another source is an exact duplicate and is skipped.

        Another process may store the same documents between this batch's look-up and its
        inserts (two ingests of one folder, a CLI ingest beside a web upload): the batch then
        fails on a unique key, is rolled back and is decided again against what the other
        wrote, so the loser counts those documents unchanged instead of dying.
        """
        for attempt in range(WRITE_ATTEMPTS):
            try:
                return self._write_once(items)
            except IntegrityError:
                # Still failing once decided against what is committed: a broken batch, not a
                # race (the CLI prints explain()'s first line, never the article text).
                if attempt == WRITE_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def _write_once(
        self, items: Sequence[tuple[Document, Extraction, bytes | None]]
    ) -> WriteResult:
        added = updated = unchanged = duplicates = 0
        with self.engine.begin() as conn:
            # What is stored now, fetched once per batch and kept current as the batch goes:
            # source key -> (id, pipeline version), and id -> source key.
            by_source, by_id = self._identities(conn, items)
            pending: list[tuple[Document, Extraction, bytes | None]] = []
            # Document-level keys whose groups this batch changes: incremental linking starts
            # from them (those of replaced documents too, which lose their rows).
            touched: set[tuple[str, str | None]] = set()

            def drop(doc_id: str) -> None:
                # Inserts wait in ``pending`` so that each table gets one multi-row insert per
                # batch; they go first here, as the document to delete may be among them.
                if pending:
                    self._insert_many(conn, pending)
                    pending.clear()
                touched.update(
                    (k, None)
                    for k in conn.execute(
                        select(s.doc_entities.c.key).where(s.doc_entities.c.doc_id == doc_id)
                    ).scalars()
                )
                self._delete_doc(conn, doc_id)
                key = by_id.pop(doc_id, None)
                if key is not None:
                    by_source.pop(key, None)

            for doc, ext, sig in items:
                old = by_source.get(doc.source_key)
                if old is not None and old == (doc.id, ext.pipeline_version):
                    unchanged += 1
                    continue
                if old is not None:
                    drop(old[0])
                if doc.id in by_id:
                    if old is None:
                        duplicates += 1
                        continue
                    drop(doc.id)
                pending.append((doc, ext, sig))
                touched.update((e.key, doc.id) for e in ext.entities)
                by_id[doc.id] = doc.source_key
                by_source[doc.source_key] = (doc.id, ext.pipeline_version)
                if old is None:
                    added += 1
                else:
                    updated += 1
            if pending:
                self._insert_many(conn, pending)
            if added or updated:
                # In the same transaction: a run killed before relinking leaves the flag set,
                # so the next run relinks even when it has nothing new to extract.
                self.mark_links(conn, touched)
                self._set_meta(conn, "clusters_stale", "1")
                self._set_meta(conn, "data_version", uuid4().hex)
        return WriteResult(added, updated, unchanged, duplicates)

    def mark_links(self, conn: Connection, keys: Iterable[tuple[str, str | None]] | None) -> None:
        """Record inside the caller's transaction that links are stale: for these keys, each
        with the document written (None: removed), from which incremental linking starts; or
        for the whole store (``None``)."""
        state = conn.execute(
            select(store_meta.c.value).where(store_meta.c.key == "links_stale")
        ).scalar_one_or_none()
        if keys is None or state == "all":
            self._set_meta(conn, "links_stale", "all")
            conn.execute(delete(s.link_pending))
            return
        rows = [
            {"key": k, "doc_id": d}
            for k, d in sorted(set(keys), key=lambda kd: (kd[0], kd[1] or ""))
        ]
        for i in range(0, len(rows), 5000):
            conn.execute(s.link_pending.insert(), rows[i : i + 5000])
        self._set_meta(conn, "links_stale", "1")

    def _identities(
        self, conn: Connection, items: Sequence[tuple[Document, Extraction, bytes | None]]
    ) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
        keys = sorted({d.source_key for d, _, _ in items})
        ids = sorted({d.id for d, _, _ in items})
        by_source: dict[str, tuple[str, str]] = {}
        by_id: dict[str, str] = {}
        c = s.documents.c
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            q = select(c.id, c.source_key, c.pipeline_version).where(c.source_key.in_(chunk))
            for r in conn.execute(q):
                by_source[r.source_key] = (r.id, r.pipeline_version)
                by_id[r.id] = r.source_key
        for i in range(0, len(ids), 500):
            q2 = select(c.id, c.source_key).where(c.id.in_(ids[i : i + 500]))
            for r2 in conn.execute(q2):
                by_id[r2.id] = r2.source_key
        return by_source, by_id

    def _set_meta(self, conn: Connection, key: str, value: str) -> None:
        conn.execute(delete(store_meta).where(store_meta.c.key == key))
        conn.execute(store_meta.insert().values(key=key, value=value))

    def links_stale(self) -> bool:
        """Whether documents were written since corpus-level entities were last rebuilt."""
        with self.engine.connect() as conn:
            v = conn.execute(select(store_meta.c.value).where(store_meta.c.key == "links_stale"))
            return v.scalar_one_or_none() in ("1", "all")

    def links_state(self) -> str:
        """ "fresh" when entities are linked; "new" when documents were written since (the
        keys they touched wait in ``link_pending``); "all" when only a full relink will do."""
        with self.engine.connect() as conn:
            v = conn.execute(select(store_meta.c.value).where(store_meta.c.key == "links_stale"))
            return {"1": "new", "all": "all"}.get(v.scalar_one_or_none() or "0", "fresh")

    def clusters_state(self) -> str:
        """ "fresh" when every event's cluster id is written; "new" when events were written
        since (or a run stopped before clustering them); "all" when every event must be
        clustered again (a new clustering method)."""
        with self.engine.connect() as conn:
            v = conn.execute(select(store_meta.c.value).where(store_meta.c.key == "clusters_stale"))
            return {"1": "new", "all": "all"}.get(v.scalar_one_or_none() or "0", "fresh")

    def mark_clusters(self, conn: Connection, *, stale: bool, changed: bool = True) -> None:
        """Set the clusters' state inside the caller's transaction (``store.clusters``)."""
        self._set_meta(conn, "clusters_stale", "1" if stale else "0")
        if changed:
            self._set_meta(conn, "data_version", uuid4().hex)

    def data_version(self) -> str | None:
        """A token that changes whenever documents are written or entities relinked, for
        caching what is computed over the whole store (None: nothing written since it came in)."""
        with self.engine.connect() as conn:
            v = conn.execute(select(store_meta.c.value).where(store_meta.c.key == "data_version"))
            return v.scalar_one_or_none()

    def _insert_many(
        self, conn: Connection, items: Sequence[tuple[Document, Extraction, bytes | None]]
    ) -> None:
        """Insert documents and their facts: one multi-row insert per table, in input order."""
        now = _now()
        tables: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLE_ORDER}
        for doc, ext, sig in items:
            for t, rows in document_rows(doc, ext, sig, now).items():
                tables[t].extend(rows)
        for t in TABLE_ORDER:
            if tables[t]:
                conn.execute(s.metadata.tables[t].insert(), tables[t])

    # ----------------------------------------------------------------- linking
    def doc_entity_rows(self) -> list[dict[str, Any]]:
        """Every document-level entity, with the published date of its document."""
        q = select(s.doc_entities, s.documents.c.published).join(
            s.documents, s.documents.c.id == s.doc_entities.c.doc_id
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def replace_links(
        self,
        entities: Sequence[Entity],
        keys: dict[str, str],
        stats: dict[str, dict[str, Any]],
        tokens: Mapping[str, Iterable[str]] | None = None,
        version: str | None = None,
        done: Iterable[str] | None = None,
        groups: Mapping[str, str] | None = None,
    ) -> None:
        """Replace the corpus-level entities, their aliases and the key -> entity map; with
        ``tokens`` (key -> linking-scope tokens) and the linker's ``version`` also the state
        that incremental linking reads (``store/links.py``). ``done``: the pending keys the
        rows read covered (None: all); keys written since stay pending. ``groups``: each key's
        group as ``linkscope.dump_group`` writes it."""
        with self.engine.begin() as conn:
            if self.is_postgres:
                # Two relinks at once (two ingests ending together) would each delete what they
                # see and then insert the same keys; on SQLite the first DELETE takes the write
                # lock, here a transaction-scoped lock serialises them.
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LINKS_LOCK})
            for t in (s.entity_keys, s.entity_name_keys, s.entity_aliases, s.entities):
                conn.execute(delete(t))
            conn.execute(delete(s.link_tokens))
            conn.execute(delete(s.link_groups))
            if groups:
                rows = [{"key": k, "state": v} for k, v in sorted(groups.items())]
                for i in range(0, len(rows), 5000):
                    conn.execute(s.link_groups.insert(), rows[i : i + 5000])
            if done is None:
                conn.execute(delete(s.link_pending))
            else:
                seen = sorted(set(done))
                for i in range(0, len(seen), 500):
                    conn.execute(
                        delete(s.link_pending).where(s.link_pending.c.key.in_(seen[i : i + 500]))
                    )
            if tokens is not None:
                rows = [{"token": t, "key": k} for k in sorted(tokens) for t in sorted(tokens[k])]
                for i in range(0, len(rows), 20000):
                    conn.execute(s.link_tokens.insert(), rows[i : i + 20000])
            # Without tokens the next ingest cannot link incrementally: it relinks in full.
            self._set_meta(conn, "linker_version", (version or "") if tokens is not None else "")
            self.insert_links(conn, entities, keys, stats)
            left = conn.execute(select(s.link_pending.c.key).limit(1)).first()
            self._set_meta(conn, "links_stale", "0" if left is None else "1")
            self._set_meta(conn, "data_version", uuid4().hex)

    def insert_links(
        self,
        conn: Connection,
        entities: Sequence[Entity],
        keys: Mapping[str, str],
        stats: Mapping[str, Mapping[str, Any]],
    ) -> None:
        """Insert entities, their aliases, name keys and key map in the caller's transaction."""
        if entities:
            conn.execute(
                s.entities.insert(),
                [
                    {
                        "id": e.key,
                        "name": e.name,
                        "type": e.type,
                        "country": e.country,
                        "role": e.role,
                        "affiliation": e.affiliation,
                        "kb_id": e.kb_id,
                        "mention_count": e.mention_count,
                        "doc_count": stats.get(e.key, {}).get("doc_count", 0),
                        "first_seen": stats.get(e.key, {}).get("first_seen"),
                        "last_seen": stats.get(e.key, {}).get("last_seen"),
                    }
                    for e in entities
                ],
            )
            aliases = {(e.key, a) for e in entities for a in e.aliases if a != e.name}
            if aliases:
                conn.execute(
                    s.entity_aliases.insert(),
                    [{"entity_id": k, "alias": a} for k, a in sorted(aliases)],
                )
            forms = [(e.key, f) for e in entities for f in (e.key, e.name)]
            conn.execute(s.entity_name_keys.insert(), entity_name_key_rows([*forms, *aliases]))
        if keys:
            conn.execute(
                s.entity_keys.insert(),
                [{"key": k, "entity_id": v} for k, v in sorted(keys.items())],
            )
        if entities:
            # Each entity's event count, now that its keys are written (``store.counts``).
            from tieline.store.counts import count_events_of

            count_events_of(conn, [e.key for e in entities])

    def add_judgement(
        self, kind: str, a: str, b: str | None = None, alias: str | None = None
    ) -> None:
        """Record a curator's merge or split; applied after automatic linking."""
        with self.engine.begin() as conn:
            conn.execute(
                s.judgements.insert().values(kind=kind, a=a, b=b, alias=alias, created_at=_now())
            )

    def judgements(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            q = select(s.judgements).order_by(s.judgements.c.id)
            return [dict(r._mapping) for r in conn.execute(q)]

    # ----------------------------------------------------------------- reads
    def count(self, table: str) -> int:
        t = s.metadata.tables[table]
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(t)).scalar_one())
