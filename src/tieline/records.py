"""Plain, frozen records passed between the stages (ingest -> extract -> store -> query).

Every span is a character offset into ``Document.text``; text never changes after ingest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

EntityType = Literal[
    "COUNTRY",
    "ORG",
    "PERSON",
    "BLOC",
    "INITIATIVE",
    "FACILITY",
    "PRODUCT",
    "EVENT",
    "AWARD",
    "PLACE",
]
# PLACE: cities, regions, provinces and seas; never an event's actor.
ENTITY_TYPES: tuple[str, ...] = (
    "COUNTRY",
    "ORG",
    "PERSON",
    "BLOC",
    "INITIATIVE",
    "FACILITY",
    "PRODUCT",
    "EVENT",
    "AWARD",
    "PLACE",
)
EVENT_TYPES: tuple[str, ...] = (
    "agreement",
    "talks",
    "cooperation",
    "supply",
    "construction",
    "investment",
    "technology_transfer",
    "sanction",
    "award",
)
# Units of Figure.unit other than money; money is any ISO 4217 code the text gives (USD, EUR,
# CNY, RUB, INR, ...), never converted (extract/quantities.py, data/figures/units.jsonl).
FIGURE_UNITS: tuple[str, ...] = (
    "USD",
    "t",
    "bbl",
    "bbl/d",
    "m3",
    "m3/yr",
    "ft3",
    "percent",
    "count",
)
FIGURE_STATUSES: tuple[str, ...] = ("actual", "target", "forecast")


@dataclass(frozen=True, slots=True)
class Document:
    """One article after ingest: final text plus metadata."""

    id: str
    source_key: str
    text: str
    name: str
    path: str | None = None
    url: str | None = None
    title: str | None = None
    published: str | None = None
    published_precision: str | None = None
    author: str | None = None
    source: str | None = None
    lang: str = "en"
    near_duplicate_of: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """A stored document as a listing shows it: metadata and how many facts came from it."""

    id: str
    name: str
    title: str | None
    published: str | None
    published_precision: str | None
    source: str | None
    url: str | None
    author: str | None
    lang: str
    near_duplicate_of: str | None
    entities: int
    events: int
    figures: int


@dataclass(frozen=True, slots=True)
class Mention:
    """A name found in a document, tied to the canonical entity it resolves to."""

    start: int
    end: int
    text: str
    label: str
    by: str
    entity_key: str | None = None


@dataclass(frozen=True, slots=True)
class Entity:
    """An actor or object as one document names it, already canonicalised where possible."""

    key: str
    name: str
    type: str
    country: str | None = None
    aliases: tuple[str, ...] = ()
    role: str | None = None
    affiliation: str | None = None
    kb_id: str | None = None
    mention_count: int = 0


@dataclass(frozen=True, slots=True)
class Participant:
    """An entity taking part in an event: role is source, target, party or object."""

    entity_key: str
    name: str
    role: str = "party"


@dataclass(frozen=True, slots=True)
class Event:
    """A typed event stated in a document."""

    id: str
    type: str
    trigger: str
    trigger_start: int
    trigger_end: int
    sentence_start: int
    sentence_end: int
    evidence: str
    participants: tuple[Participant, ...] = ()
    sector: str | None = None
    date: str | None = None
    date_precision: str | None = None
    date_source: str | None = None
    status: str = "done"
    confidence: float = 1.0
    count: int | None = None
    cluster_id: str | None = None

    @property
    def actors(self) -> tuple[Participant, ...]:
        return tuple(p for p in self.participants if p.role != "object")

    @property
    def objects(self) -> tuple[Participant, ...]:
        return tuple(p for p in self.participants if p.role == "object")


@dataclass(frozen=True, slots=True)
class Figure:
    """A number the text reports: value, unit, period and status."""

    id: str
    measure: str | None
    value: float
    unit: str
    start: int
    end: int
    text: str
    evidence: str
    currency: str | None = None
    period: str | None = None
    period_start: str | None = None
    period_end: str | None = None
    status: str = "actual"
    actors: tuple[str, ...] = ()
    sentence_start: int = 0
    sentence_end: int = 0
    cluster_id: str | None = None


@dataclass(frozen=True, slots=True)
class Extraction:
    """What extraction found in one document."""

    doc_id: str
    pipeline_version: str
    mentions: tuple[Mention, ...] = ()
    entities: tuple[Entity, ...] = ()
    events: tuple[Event, ...] = ()
    figures: tuple[Figure, ...] = ()


@dataclass(frozen=True, slots=True)
class InputFailure:
    """One input that could not be read, decoded or parsed."""

    source: str
    reason: str


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What one ingest run did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    failures: tuple[InputFailure, ...] = ()
    doc_ids: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass(frozen=True, slots=True)
class Annotated:
    """A document on its way through the extraction components: what they found so far.

    ``parse`` is the NLP library's parse of ``document.text`` (a spaCy ``Doc``), set by the
    parsing component; the other fields are plain records. ``Extraction`` is what is kept.
    """

    document: Document
    parse: Any = None
    mentions: tuple[Mention, ...] = ()
    entities: tuple[Entity, ...] = ()
    events: tuple[Event, ...] = ()
    figures: tuple[Figure, ...] = ()

    def extraction(self, pipeline_version: str) -> Extraction:
        """The record the store keeps: everything but the parse."""
        return Extraction(
            doc_id=self.document.id,
            pipeline_version=pipeline_version,
            mentions=self.mentions,
            entities=self.entities,
            events=self.events,
            figures=self.figures,
        )
