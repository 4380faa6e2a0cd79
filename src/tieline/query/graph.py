"""The network of actors: nodes are actors, edges are co-participation in events.

Edges are weighted (how many events), typed (counts per event type and the dominant type) and
time-stamped (first and last date). Centrality and communities come from networkx.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from itertools import combinations, groupby
from pathlib import Path
from typing import Any, TextIO

from tieline.errors import ConfigError, MissingExtraError
from tieline.query import scope
from tieline.store import events as estore
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
    # How many source nodes betweenness summed over: all of them, or a fixed-seed sample on a
    # large network (``BETWEENNESS_EXACT_MAX``).
    betweenness_sources: int = 0


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


# Betweenness costs about nodes x (nodes + edges) steps (Brandes' sums, one shortest-path
# pass per source node). The whole-store network's exact betweenness took 106 s at 100k
# events, and networkx's estimate from 256 sampled sources still 50 s at 40k events on a
# loaded machine, growing with the edges. So it is exact while that product stays within
# BETWEENNESS_WORK_MAX (about a second in rustworkx's native code); above, it is computed
# exactly on the busiest actors alone (the most connected, as many as the bound allows; the
# others score 0). Where rustworkx is missing, networkx estimates it from
# BETWEENNESS_PIVOTS sources drawn with a fixed seed.
BETWEENNESS_WORK_MAX = 20_000_000
BETWEENNESS_PIVOTS = 256
BETWEENNESS_SEED = 7


def _hubs(g: Any, work: int) -> list[Any]:
    """The most connected nodes (by degree, then name), as many as keep the exact sums over
    the graph they induce within ``work`` steps."""
    order = sorted(g.nodes, key=lambda v: (-g.degree(v), str(v)))
    rank = {v: i for i, v in enumerate(order)}
    edges = 0
    keep = 0
    for i, v in enumerate(order):
        edges += sum(1 for u in g.neighbors(v) if rank[u] < i)
        if (i + 1) * (i + 1 + edges) > work:
            break
        keep = i + 1
    return order[:keep]


def _betweenness(g: Any) -> tuple[dict[str, float], int]:
    """Normalized betweenness (shortest paths unweighted) and the number of source nodes it
    was summed over: every node while the work stays within ``BETWEENNESS_WORK_MAX`` (by
    rustworkx, the same Brandes sums as networkx in native code, 25-30 times faster); above,
    every node of the busiest actors' graph (``_hubs``), so a click never costs minutes and the
    same store gives the same scores."""
    n = len(g)
    if n * (n + g.number_of_edges()) <= BETWEENNESS_WORK_MAX:
        return _betweenness_exact(g), n
    try:
        import rustworkx  # noqa: F401
    except ImportError:
        k = BETWEENNESS_PIVOTS
        scores = _nx().betweenness_centrality(g, k=k, seed=BETWEENNESS_SEED)
        return {v: float(x) for v, x in scores.items()}, k
    hubs = _hubs(g, BETWEENNESS_WORK_MAX)
    inner = _betweenness_exact(g.subgraph(hubs))
    return {v: inner.get(v, 0.0) for v in g}, len(hubs)


def _betweenness_exact(g: Any) -> dict[str, float]:
    try:
        import rustworkx as rx
    except ImportError:
        return dict(_nx().betweenness_centrality(g))
    nodes = list(g)
    index = {n: i for i, n in enumerate(nodes)}
    rg = rx.PyGraph(multigraph=False)
    rg.add_nodes_from(nodes)
    rg.add_edges_from_no_data([(index[a], index[b]) for a, b in g.edges()])
    scores = rx.betweenness_centrality(rg, normalized=True, endpoints=False)
    # Summed in parallel, in no fixed order: rounded, so that one store gives one score.
    return {n: round(float(scores[i]), 12) for i, n in enumerate(nodes)}


def _eigenvector(g: Any, max_iter: int = 1000, tol: float = 1.0e-06) -> dict[str, float]:
    """networkx's weighted eigenvector centrality (the power iteration with A + I, the same
    start, norm and stopping test) over arrays; {} when it does not converge."""
    try:
        import numpy as np
    except ImportError:
        nx = _nx()
        try:
            return dict(nx.eigenvector_centrality(g, max_iter=max_iter, weight="weight"))
        except nx.PowerIterationFailedConvergence:
            return {}
    nodes = list(g)
    index = {n: i for i, n in enumerate(nodes)}
    src: list[int] = []
    dst: list[int] = []
    w: list[float] = []
    for a, b, weight in g.edges(data="weight", default=1):
        src += (index[a], index[b])
        dst += (index[b], index[a])
        w += (weight, weight)
    s, d, wt = (
        np.array(src, dtype=np.intp),
        np.array(dst, dtype=np.intp),
        np.array(w, dtype=np.float64),
    )
    n = len(nodes)
    x = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        last = x
        x = last + np.bincount(d, weights=last[s] * wt, minlength=n)
        norm = float(np.sqrt(np.dot(x, x))) or 1.0
        x = x / norm
        if float(np.abs(x - last).sum()) < n * tol:
            return {node: float(v) for node, v in zip(nodes, x, strict=True)}
    return {}


def _events(
    store: Store,
    pair: tuple[str, str] | None,
    since: str | None,
    until: str | None,
    types: tuple[str, ...],
    allowed: set[str] | None = None,
) -> Iterator[tuple[str, str, str | None, list[scope.Actor]]]:
    """(id, type, date, distinct canonical actors) of each event that matches, in document
    then text order, from one narrow read of the participants (the pair and types in SQL)."""
    keys = scope.canonical(store)
    rows = estore.event_actor_rows(store, types=list(types) if types else None, pair=pair)
    for eid, group in groupby(rows, key=lambda r: r[0]):
        if allowed is not None and eid not in allowed:
            continue
        first = next(group)
        when = first[2] or first[3]
        if not scope.in_window(when, since, until):
            continue
        seen: dict[str, scope.Actor] = {}
        for r in (first, *group):
            a = scope.actor_of(keys, r[4], r[5])
            seen.setdefault(a.id, a)
        yield eid, first[1], when, list(seen.values())


def build_network(
    store: Store,
    pair: str | None = None,
    since: str | None = None,
    until: str | None = None,
    types: tuple[str, ...] = (),
    where: scope.Scope | None = None,
) -> Network:
    """The actor network of the stored events that match the pair, window and types, or the
    events of a ``Scope`` (actors, countries, sectors, statuses too, as the event list)."""
    nx = _nx()
    allowed: set[str] | None = None
    if where is not None:
        res = scope.resolve(store, where)
        the_pair, since, until = res.pair, res.since, res.until
        types = res.types
        if res.actors or res.sectors or res.statuses or res.countries:
            allowed = set() if res.names_nothing else estore.event_ids(store, res.event_filter())
    else:
        the_pair = scope.parse_pair(pair)
        since = scope.parse_since(since)
    actors: dict[str, scope.Actor] = {}
    counts: Counter[str] = Counter()
    edges: dict[tuple[str, str], dict[str, Any]] = {}
    for eid, etype, when, evactors in _events(store, the_pair, since, until, types, allowed):
        for a in evactors:
            actors[a.id] = a
            counts[a.id] += 1
        for x, y in combinations(sorted(act.id for act in evactors), 2):
            e = edges.setdefault((x, y), {"types": Counter(), "dates": [], "events": []})
            e["types"][etype] += 1
            if when:
                e["dates"].append(when)
            e["events"].append(eid)
    g = nx.Graph()
    g.add_nodes_from(actors)
    for (x, y), e in edges.items():
        g.add_edge(x, y, weight=len(e["events"]))
    degree = nx.degree_centrality(g) if len(g) > 1 else dict.fromkeys(g, 0.0)
    between, pivots = _betweenness(g) if len(g) > 2 else (dict.fromkeys(g, 0.0), len(g))
    eigen = _eigenvector(g) if g.number_of_edges() else {}
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
    return Network(nodes, out_edges, tuple(ordered), betweenness_sources=pivots)


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


_NODE_FIELDS = tuple(f.name for f in fields(Node))
_EDGE_FIELDS = tuple(f.name for f in fields(Edge))


def node_to_dict(node: Node) -> dict[str, Any]:
    """A node as a JSON-ready dict (``asdict`` without its deep copies: 7k nodes took 0.4 s)."""
    return {k: getattr(node, k) for k in _NODE_FIELDS}


def edge_to_dict(edge: Edge) -> dict[str, Any]:
    """An edge as a JSON-ready dict, its events a list (``asdict`` of 40k edges took 3 s)."""
    out = {k: getattr(edge, k) for k in _EDGE_FIELDS}
    out["types"], out["events"] = dict(edge.types), list(edge.events)
    return out


def network_to_dict(network: Network) -> dict[str, Any]:
    """The network as JSON-ready nodes, edges and communities."""
    return {
        "nodes": [node_to_dict(n) for n in network.nodes],
        "edges": [edge_to_dict(e) for e in network.edges],
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
