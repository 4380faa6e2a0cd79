"""The network of actors: nodes are actors, edges are co-participation in events.

Edges are weighted (how many events), typed (counts per event type and the dominant type) and
time-stamped (first and last date). Centrality and communities come from networkx.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any, TextIO

from tieline.errors import ConfigError, MissingExtraError
from tieline.query import scope
from tieline.store import reads
from tieline.store.db import Store

FORMATS = ("graphml", "gexf", "json")


@dataclass(frozen=True, slots=True)
class Node:
    """An actor in the network with its centrality scores and community."""

    id: str
    name: str
    type: str
    country: str | None
    events: int
    degree: float = 0.0
    betweenness: float = 0.0
    eigenvector: float = 0.0
    community: int = 0


@dataclass(frozen=True, slots=True)
class Edge:
    """Two actors who took part in the same events."""

    source: str
    target: str
    weight: int
    types: dict[str, int]
    type: str
    first: str | None
    last: str | None
    events: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Network:
    """Nodes, edges and communities (each a tuple of node ids, largest first)."""

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    communities: tuple[tuple[str, ...], ...] = field(default=())


def _nx() -> Any:
    try:
        import networkx
    except ImportError as e:
        raise MissingExtraError("query", "the network") from e
    return networkx


def _full_date(date: str | None) -> str | None:
    if not date:
        return None
    parts = date[:10].split("-")
    while len(parts) < 3:
        parts.append("01")
    return "-".join(parts)


def build_network(
    store: Store,
    pair: str | None = None,
    since: str | None = None,
    until: str | None = None,
    types: tuple[str, ...] = (),
) -> Network:
    """The actor network of the stored events that match the pair, window and types."""
    nx = _nx()
    the_pair = scope.parse_pair(pair)
    since = scope.parse_since(since)
    keys = scope.canonical(store)
    published = {d["id"]: d["published"] for d in reads.documents(store, with_text=False)}
    actors: dict[str, scope.Actor] = {}
    counts: Counter[str] = Counter()
    edges: dict[tuple[str, str], dict[str, Any]] = {}
    for ev in reads.events(store):
        if types and ev["type"] not in types:
            continue
        when = ev["date"] or published.get(ev["doc_id"])
        if not scope.in_window(when, since, until):
            continue
        evactors = scope.event_actors(ev, keys)
        if not scope.touches_pair(scope.countries_of(evactors), the_pair):
            continue
        for a in evactors:
            actors[a.id] = a
            counts[a.id] += 1
        for x, y in combinations(sorted(act.id for act in evactors), 2):
            e = edges.setdefault((x, y), {"types": Counter(), "dates": [], "events": []})
            e["types"][ev["type"]] += 1
            if when:
                e["dates"].append(when)
            e["events"].append(ev["id"])
    g = nx.Graph()
    g.add_nodes_from(actors)
    for (x, y), e in edges.items():
        g.add_edge(x, y, weight=len(e["events"]))
    degree = nx.degree_centrality(g) if len(g) > 1 else dict.fromkeys(g, 0.0)
    between = nx.betweenness_centrality(g) if len(g) > 2 else dict.fromkeys(g, 0.0)
    try:
        eigen = (
            nx.eigenvector_centrality(g, max_iter=1000, weight="weight")
            if g.number_of_edges()
            else {}
        )
    except nx.PowerIterationFailedConvergence:
        eigen = {}
    comms = (
        nx.community.louvain_communities(g, weight="weight", seed=7)
        if g.number_of_edges()
        else [{n} for n in g]
    )
    ordered = sorted((tuple(sorted(c)) for c in comms), key=lambda c: (-len(c), c))
    community = {n: i for i, c in enumerate(ordered) for n in c}
    nodes = tuple(
        Node(
            aid,
            a.name,
            a.type,
            a.country,
            counts[aid],
            round(degree.get(aid, 0.0), 6),
            round(between.get(aid, 0.0), 6),
            round(eigen.get(aid, 0.0), 6),
            community.get(aid, 0),
        )
        for aid, a in sorted(actors.items(), key=lambda kv: (-counts[kv[0]], kv[1].name))
    )
    out_edges = tuple(
        Edge(
            a,
            b,
            len(e["events"]),
            dict(sorted(e["types"].items())),
            sorted(e["types"].items(), key=lambda kv: (-kv[1], kv[0]))[0][0],
            min(e["dates"]) if e["dates"] else None,
            max(e["dates"]) if e["dates"] else None,
            tuple(e["events"]),
        )
        for (a, b), e in sorted(edges.items(), key=lambda kv: (-len(kv[1]["events"]), kv[0]))
    )
    return Network(nodes, out_edges, tuple(ordered))


def to_networkx(network: Network) -> Any:
    """A networkx Graph with scalar attributes (what GraphML and GEXF can hold)."""
    nx = _nx()
    g = nx.Graph(name="tieline actor network")
    for n in network.nodes:
        g.add_node(
            n.id,
            label=n.name,
            name=n.name,
            type=n.type,
            country=n.country or "",
            events=n.events,
            degree=n.degree,
            betweenness=n.betweenness,
            eigenvector=n.eigenvector,
            community=n.community,
        )
    for e in network.edges:
        attrs: dict[str, Any] = {
            "weight": e.weight,
            "event_type": e.type,
            "types": ";".join(f"{k}:{v}" for k, v in e.types.items()),
            "first": e.first or "",
            "last": e.last or "",
            "events": ";".join(e.events),
        }
        g.add_edge(e.source, e.target, **attrs)
    return g


def network_to_dict(network: Network) -> dict[str, Any]:
    """The network as JSON-ready nodes, edges and communities."""
    return {
        "nodes": [asdict(n) for n in network.nodes],
        "edges": [{**asdict(e), "events": list(e.events)} for e in network.edges],
        "communities": [list(c) for c in network.communities],
    }


def write_network(network: Network, fmt: str, out: Path | TextIO) -> None:
    """Write the network as GraphML, GEXF (edges carry start/end dates) or JSON."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown graph format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "json":
        data = json.dumps(network_to_dict(network), ensure_ascii=False, indent=2) + "\n"
        if isinstance(out, Path):
            out.write_text(data, encoding="utf-8")
        else:
            out.write(data)
        return
    nx = _nx()
    g = to_networkx(network)
    if fmt == "gexf":
        # GEXF is the format of dynamic graphs: an edge lives from its first to its last event.
        for _a, _b, attrs in g.edges(data=True):
            start, end = (
                _full_date(attrs.pop("first") or None),
                _full_date(attrs.pop("last") or None),
            )
            if start and end:
                attrs["start"], attrs["end"] = start, end
        writer = nx.write_gexf
    else:
        writer = nx.write_graphml
    if isinstance(out, Path):
        writer(g, str(out))
    else:
        import io

        buf = io.BytesIO()
        writer(g, buf)
        out.write(buf.getvalue().decode("utf-8"))
