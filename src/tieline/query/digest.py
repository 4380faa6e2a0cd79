"""The digest: facts from documents stored since a moment, each with its document and quote."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from tieline.query import scope
from tieline.store import reads
from tieline.store import search as ss
from tieline.store.db import Store


@dataclass(frozen=True, slots=True)
class DigestFact:
    """An event or figure, said in one line, with the quote it comes from."""

    kind: str
    id: str
    summary: str
    quote: str
    date: str | None


@dataclass(frozen=True, slots=True)
class DigestDocument:
    """A document stored since the digest's start, with its new facts."""

    doc_id: str
    name: str
    title: str | None
    url: str | None
    published: str | None
    ingested_at: str
    facts: tuple[DigestFact, ...]


@dataclass(frozen=True, slots=True)
class Digest:
    """What is new since ``since`` (an ISO moment)."""

    since: str
    documents: tuple[DigestDocument, ...]

    @property
    def facts(self) -> int:
        return sum(len(d.facts) for d in self.documents)


def digest(store: Store, since: str = "7d") -> Digest:
    """Documents ingested since ``since`` (ISO date or 24h / 7d / 2w) with their facts."""
    moment = scope.parse_since(since) or ""
    keys = scope.canonical(store)
    docs = []
    for d in ss.documents_since(store, moment):
        facts = []
        for ev in reads.events(store, d["id"]):
            who = ", ".join(a.name for a in scope.event_actors(ev, keys)) or "unnamed actors"
            status = " (planned)" if ev["status"] == "planned" else ""
            facts.append(
                DigestFact(
                    "event",
                    ev["id"],
                    f"{ev['type']}{status}: {who}",
                    " ".join(ev["evidence"].split()),
                    ev["date"],
                )
            )
        for f in reads.figures(store, d["id"]):
            label = f["measure"] or f"{f['unit']} figure"
            facts.append(
                DigestFact(
                    "figure",
                    f["id"],
                    f"{label} ({f['status']}): {f['text']}",
                    " ".join(f["evidence"].split()),
                    f["period_start"],
                )
            )
        docs.append(
            DigestDocument(
                d["id"],
                d["name"],
                d["title"],
                d["url"],
                d["published"],
                d["ingested_at"],
                tuple(facts),
            )
        )
    return Digest(moment, tuple(docs))


def digest_to_dict(dig: Digest) -> dict[str, Any]:
    """The digest as JSON-ready data."""
    return {"since": dig.since, "facts": dig.facts, "documents": [asdict(d) for d in dig.documents]}
