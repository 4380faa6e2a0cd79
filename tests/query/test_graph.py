"""The actor network: co-participation edges, centrality, communities, filters, exports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

from tieline.errors import ConfigError
from tieline.query.graph import build_network, network_to_dict, write_network
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
    with pytest.raises(ConfigError, match="--pair"):
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
