"""The current schema as SQLAlchemy Core tables, for reads and writes.

Migrations (``migrations.py``) create and change the tables; this module describes their
latest state. Keep the two in step: a column added here needs a new numbered migration.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

metadata = MetaData()

documents = Table(
    "documents",
    metadata,
    Column("id", Text, primary_key=True),
    Column("source_key", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("path", Text),
    Column("url", Text),
    Column("title", Text),
    Column("published", Text),
    Column("published_precision", Text),
    Column("author", Text),
    Column("source", Text),
    Column("text", Text, nullable=False),
    Column("lang", Text, nullable=False),
    Column("near_duplicate_of", Text),
    Column("minhash", LargeBinary),
    Column("pipeline_version", Text, nullable=False),
    Column("ingested_at", Text, nullable=False),
)

mentions = Table(
    "mentions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("doc_id", Text, nullable=False),
    Column("span_start", Integer, nullable=False),
    Column("span_end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("label", Text, nullable=False),
    Column("by", Text, nullable=False),
    Column("entity_key", Text),
)

doc_entities = Table(
    "doc_entities",
    metadata,
    Column("doc_id", Text, primary_key=True),
    Column("key", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("country", Text),
    Column("aliases", Text, nullable=False),  # JSON list
    Column("role", Text),
    Column("affiliation", Text),
    Column("kb_id", Text),
    Column("mention_count", Integer, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("id", Text, primary_key=True),
    Column("doc_id", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("trigger", Text, nullable=False),
    Column("trigger_start", Integer, nullable=False),
    Column("trigger_end", Integer, nullable=False),
    Column("sentence_start", Integer, nullable=False),
    Column("sentence_end", Integer, nullable=False),
    Column("evidence", Text, nullable=False),
    Column("sector", Text),
    Column("date", Text),
    Column("date_precision", Text),
    Column("date_source", Text),
    Column("status", Text, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("count", Integer),
    Column("cluster_id", Text),
    Column("extractor", Text, nullable=False),
)

event_participants = Table(
    "event_participants",
    metadata,
    Column("event_id", Text, primary_key=True),
    Column("entity_key", Text, primary_key=True),
    Column("role", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("doc_id", Text, nullable=False),
    # The event's date, else its document's publication date: an actor's events in a window
    # are then one index range (entity_key, when_date) instead of every event of the actor.
    Column("when_date", Text),
)

figures = Table(
    "figures",
    metadata,
    Column("id", Text, primary_key=True),
    Column("doc_id", Text, nullable=False),
    Column("measure", Text),
    Column("value", Float, nullable=False),
    Column("unit", Text, nullable=False),
    Column("currency", Text),
    Column("period", Text),
    Column("period_start", Text),
    Column("period_end", Text),
    Column("status", Text, nullable=False),
    Column("actors", Text, nullable=False),  # JSON list of canonical names
    Column("span_start", Integer, nullable=False),
    Column("span_end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("evidence", Text, nullable=False),
    Column("sentence_start", Integer, nullable=False),
    Column("sentence_end", Integer, nullable=False),
    Column("cluster_id", Text),
    Column("extractor", Text, nullable=False),
)

entities = Table(
    "entities",
    metadata,
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("country", Text),
    Column("role", Text),
    Column("affiliation", Text),
    Column("kb_id", Text),
    Column("mention_count", Integer, nullable=False),
    Column("doc_count", Integer, nullable=False),
    # The events any of its keys takes part in (``store.counts``), written with the entities
    # so that a page of them can say how many there are without counting them; NULL until
    # counted (a store from before migration 15 that has not been linked again).
    Column("event_count", Integer),
    Column("first_seen", Text),
    Column("last_seen", Text),
)

entity_aliases = Table(
    "entity_aliases",
    metadata,
    Column("entity_id", Text, primary_key=True),
    Column("alias", Text, primary_key=True),
)

# The name key (``tieline.namekey.name_key``) of each entity's id, name and aliases: an actor
# filter ("--actor Rosatom") is one indexed look-up instead of keying every name in Python.
# Written with the entities (``Store.replace_links``), so a relink keeps it in step.
entity_name_keys = Table(
    "entity_name_keys",
    metadata,
    Column("name_key", Text, primary_key=True),
    Column("entity_id", Text, primary_key=True),
)

entity_keys = Table(
    "entity_keys",
    metadata,
    Column("key", Text, primary_key=True),
    Column("entity_id", Text, nullable=False),
)

# The linking scope (``tieline.extract.linkscope``): the tokens of every document-level key,
# by which incremental linking finds the stored keys a new batch can change.
link_tokens = Table(
    "link_tokens",
    metadata,
    Column("token", Text, primary_key=True),
    Column("key", Text, primary_key=True),
)

# Document-level keys written or removed since the last linking (one row per key and write;
# repeats allowed): incremental linking starts from them, and clears them when it is done.
link_pending = Table(
    "link_pending",
    metadata,
    Column("key", Text, nullable=False),
    # The document written (its rows are added to the key's stored group), or NULL for one
    # removed (the key's rows are read again in full).
    Column("doc_id", Text),
)

# Each key's group as linking builds it from its rows (``tieline.extract.linkscope``), so that
# a batch adds its documents' rows instead of reading every row of a key again.
link_groups = Table(
    "link_groups",
    metadata,
    Column("key", Text, primary_key=True),
    Column("state", Text, nullable=False),
)


# Event clustering's blocks (``store.clusters``): one row per block of each report that
# represents its document's identical reports, in the order the sorted-neighbourhood method
# compares them, so an incremental pass reads a new report's neighbours by index instead of
# every event of the store.
class _Bytewise(TypeDecorator[str]):
    """Text ordered byte by byte, as Python orders the same strings: SQLite's BINARY, and
    collation "C" on PostgreSQL, whose database collation could order "~" or dashes otherwise."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """Text with collation "C" on PostgreSQL, plain text elsewhere."""
        pg = dialect.name == "postgresql"
        return dialect.type_descriptor(Text(collation="C") if pg else Text())


_BYTEWISE = _Bytewise()
cluster_blocks = Table(
    "cluster_blocks",
    metadata,
    Column("block", _BYTEWISE, primary_key=True),  # "a:" actor, "o:" object, "c:" state
    Column("sort_key", _BYTEWISE, primary_key=True),  # its own date, else its article's
    Column("doc_id", _BYTEWISE, primary_key=True),
    Column("event_id", _BYTEWISE, primary_key=True),
)

# The LSH bands of each stored document's MinHash (``tieline.nearbands``): the stored
# documents that may be near duplicates of a new one, by index.
near_bands = Table(
    "near_bands",
    metadata,
    Column("band", Text, primary_key=True),
    Column("doc_id", Text, primary_key=True),
)

judgements = Table(
    "judgements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", Text, nullable=False),  # merge | split
    Column("a", Text, nullable=False),
    Column("b", Text),
    Column("alias", Text),
    Column("created_at", Text, nullable=False),
)

schema_migrations = Table(
    "schema_migrations",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("applied_at", Text, nullable=False),
)
