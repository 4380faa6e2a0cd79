"""The actor network: co-participation edges, centrality, communities, filters, exports."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from tieline.errors import ConfigError
from tieline.query import scope
from tieline.query.graph import (
    _betweenness,
    _eigenvector,
    build_network,
    network_to_dict,
    write_network,
)
from tieline.store import reads
from tieline.store.db import Store


@pytest.fixture
def kb(kb_db: Path) -> Iterator[Store]:
    with Store(str(kb_db), create=False) as s:
        yield s


def test_graph_edges_are_co_participation(kb: Store) -> None:
    net = build_network(kb)
    ids = {n.id for n in net.nodes}
    assert {"gazprom", "russia", "india", "rosatom"} <= ids
    edge = {(e.source, e.target): e for e in net.edges}
    # Gazprom and CNPC took part in one supply event, dated 2 December 2019.
    gz = edge[("china national petroleum", "gazprom")]
    assert (gz.weight, gz.type, gz.first, gz.last) == (1, "supply", "2019-12-02", "2019-12-02")
    # Four actors of one agreement give six edges among them.
    agreement = [e for e in net.edges if e.type == "agreement"]
    assert len(agreement) == 6
    assert all(e.weight == sum(e.types.values()) for e in net.edges)


def test_graph_centrality_and_communities(kb: Store) -> None:
    net = build_network(kb)
    node = {n.id: n for n in net.nodes}
    # Russia links the China-Russia and the India-Russia events: the most central state.
    assert node["russia"].degree == max(n.degree for n in net.nodes)
    assert node["india"].betweenness > 0
    assert sorted(i for c in net.communities for i in c) == sorted(node)
    assert {n.community for n in net.nodes} == set(range(len(net.communities)))


@pytest.mark.parametrize(
    ("pair", "since", "edges"),
    [
        ("CN-RU", None, 8),
        ("RU-IN", None, 2),
        ("in/ru", None, 2),
        (None, "2019-07", 2),
        ("CN-RU", "2020", 1),
    ],
)
def test_graph_filters(kb: Store, pair: str | None, since: str | None, edges: int) -> None:
    assert len(build_network(kb, pair=pair, since=since).edges) == edges


@pytest.mark.parametrize("pair", ["CNRU", "CN-CN", "China-Russia"])
def test_graph_bad_pair_says_what_to_do(kb: Store, pair: str) -> None:
    with pytest.raises(ConfigError, match="pair"):
        build_network(kb, pair=pair)


def test_graph_graphml_round_trip(kb: Store, tmp_path: Path) -> None:
    net = build_network(kb)
    write_network(net, "graphml", tmp_path / "g.graphml")
    g = nx.read_graphml(tmp_path / "g.graphml")
    assert g.number_of_nodes() == len(net.nodes)
    assert g.number_of_edges() == len(net.edges)
    e = g.edges["china national petroleum", "gazprom"]
    assert (e["weight"], e["event_type"], e["first"]) == (1, "supply", "2019-12-02")
    assert g.nodes["russia"]["country"] == "RU"


def test_graph_gexf_is_dynamic(kb: Store, tmp_path: Path) -> None:
    net = build_network(kb)
    write_network(net, "gexf", tmp_path / "g.gexf")
    g = nx.read_gexf(tmp_path / "g.gexf")
    assert g.number_of_edges() == len(net.edges)
    starts = {d.get("start") for _, _, d in g.edges(data=True)}
    assert "2019-12-02" in starts


def test_graph_json(kb: Store, tmp_path: Path) -> None:
    net = build_network(kb)
    write_network(net, "json", tmp_path / "g.json")
    data = json.loads((tmp_path / "g.json").read_text())
    assert data == json.loads(json.dumps(network_to_dict(net)))
    assert len(data["edges"]) == len(net.edges)


def test_graph_empty_store(memory_store: Store) -> None:
    net = build_network(memory_store)
    assert (net.nodes, net.edges) == ((), ())


@pytest.mark.slow
def test_graph_on_examples(examples_db: Path, tmp_path: Path) -> None:
    with Store(str(examples_db), create=False) as store:
        net = build_network(store, pair="CN-RU")
    assert len(net.edges) > 5
    names = {n.name for n in net.nodes}
    assert {"China", "Russia"} <= names
    write_network(net, "graphml", tmp_path / "g.graphml")
    assert nx.read_graphml(tmp_path / "g.graphml").number_of_edges() == len(net.edges)


# ------------------------------------------------------------------ against every event read
def _reference(
    store: Store,
    pair: str | None = None,
    since: str | None = None,
    until: str | None = None,
    types: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The network as build_network made it before it read participants narrowly: every event
    read with its participants, the pair and window tested in Python, centrality from
    networkx alone."""
    the_pair = scope.parse_pair(pair)
    since = scope.parse_since(since)
    keys = scope.canonical(store)
    published = {d["id"]: d["published"] for d in reads.documents(store, with_text=False)}
    actors: dict[str, scope.Actor] = {}
    counts: Counter[str] = Counter()
    edges: dict[tuple[str, str], dict[str, Any]] = {}
    for ev in reads.events(store):
        when = ev["date"] or published.get(ev["doc_id"])
        if (types and ev["type"] not in types) or not scope.in_window(when, since, until):
            continue
        evactors = scope.event_actors(ev, keys)
        if not scope.touches_pair(scope.countries_of(evactors), the_pair):
            continue
        for a in evactors:
            actors[a.id] = a
            counts[a.id] += 1
        for x, y in combinations(sorted(a.id for a in evactors), 2):
            e = edges.setdefault((x, y), {"types": Counter(), "dates": [], "events": []})
            e["types"][ev["type"]] += 1
            e["dates"] += [when] if when else []
            e["events"].append(ev["id"])
    g = nx.Graph()
    g.add_nodes_from(actors)
    for (x, y), e in edges.items():
        g.add_edge(x, y, weight=len(e["events"]))
    degree = nx.degree_centrality(g) if len(g) > 1 else {}
    between = nx.betweenness_centrality(g) if len(g) > 2 else {}
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
    nodes = [
        {
            "id": i,
            "name": a.name,
            "type": a.type,
            "country": a.country,
            "events": counts[i],
            "degree": round(degree.get(i, 0.0), 6),
            "betweenness": round(between.get(i, 0.0), 6),
            "eigenvector": round(eigen.get(i, 0.0), 6),
            "community": community.get(i, 0),
        }
        for i, a in sorted(actors.items(), key=lambda kv: (-counts[kv[0]], kv[1].name))
    ]
    out_edges = [
        {
            "source": a,
            "target": b,
            "weight": len(e["events"]),
            "types": dict(sorted(e["types"].items())),
            "type": sorted(e["types"].items(), key=lambda kv: (-kv[1], kv[0]))[0][0],
            "first": min(e["dates"]) if e["dates"] else None,
            "last": max(e["dates"]) if e["dates"] else None,
            "events": e["events"],
        }
        for (a, b), e in sorted(edges.items(), key=lambda kv: (-len(kv[1]["events"]), kv[0]))
    ]
    return {"nodes": nodes, "edges": out_edges, "communities": [list(c) for c in ordered]}


_FILTERS: list[dict[str, Any]] = [
    {},
    {"pair": "CN-RU"},
    {"pair": "IN-RU"},
    {"pair": "CN-US"},
    {"since": "2019-07"},
    {"since": "2019", "until": "2020-06"},
    {"pair": "RU-CN", "since": "2020"},
    {"types": ("agreement", "supply")},
    {"types": ("nothing",)},
]


@pytest.mark.parametrize("kw", _FILTERS)
def test_graph_agrees_with_reading_every_event(kb: Store, kw: dict[str, Any]) -> None:
    assert network_to_dict(build_network(kb, **kw)) == _reference(kb, **kw)


@pytest.mark.slow
def test_graph_agrees_with_reading_every_event_on_examples(examples_db: Path) -> None:
    with Store(str(examples_db), create=False) as store:
        for kw in _FILTERS:
            assert network_to_dict(build_network(store, **kw)) == _reference(store, **kw), kw


def test_fast_centrality_agrees_with_networkx() -> None:
    # Graphs big enough for the sums to differ in order; scores are kept to 6 decimals.
    for g in (
        nx.karate_club_graph(),
        nx.barabasi_albert_graph(400, 3, seed=2),
        nx.gnm_random_graph(300, 900, seed=1),
    ):
        for i, (a, b) in enumerate(g.edges()):
            g.edges[a, b]["weight"] = 1 + i % 4
        for mine, theirs in (
            (_betweenness(g)[0], nx.betweenness_centrality(g)),
            (_eigenvector(g), nx.eigenvector_centrality(g, max_iter=1000, weight="weight")),
        ):
            assert {n: round(v, 6) for n, v in mine.items()} == {
                n: round(v, 6) for n, v in theirs.items()
            }


def test_betweenness_of_a_large_network_is_bounded_and_finds_the_hubs() -> None:
    from tieline.query import graph as qg

    small = nx.barabasi_albert_graph(300, 3, seed=2)
    assert _betweenness(small)[1] == 300  # exact: every node is a source
    big = nx.barabasi_albert_graph(3000, 2, seed=3)
    assert len(big) * (len(big) + big.number_of_edges()) > qg.BETWEENNESS_WORK_MAX
    scores, sources = _betweenness(big)
    # Bounded work: the busiest nodes' graph within the bound, not every node.
    hubs = big.subgraph(sorted(big, key=lambda v: (-big.degree(v), str(v)))[:sources])
    assert sources * (sources + hubs.number_of_edges()) <= qg.BETWEENNESS_WORK_MAX
    assert 100 < sources < len(big)
    assert scores == _betweenness(big)[0]  # the same scores every time
    assert len(scores) == len(big)
    # The sample still finds the hubs: the top nodes of the estimate are among the exact top.
    exact = qg._betweenness_exact(big)
    top = set(sorted(exact, key=lambda n: -exact[n])[:20])
    assert len(top & set(sorted(scores, key=lambda n: -scores[n])[:10])) >= 8


def test_network_says_how_betweenness_was_computed(kb: Store) -> None:
    net = build_network(kb)
    assert net.betweenness_sources == len(net.nodes)


@pytest.mark.slow
def test_graph_is_the_same_on_postgresql(kb: Store, pg_db: str) -> None:
    from kbdata import build_kb

    build_kb(pg_db)
    with Store(pg_db, create=False) as pg:
        assert build_network(pg).edges
        for kw in _FILTERS:
            assert network_to_dict(build_network(pg, **kw)) == network_to_dict(
                build_network(kb, **kw)
            ), kw
