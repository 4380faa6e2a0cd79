"""REST API, in process, over a small store built by hand."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from webdata import GAS, build_store

from tieline.web.app import create_app

CSRF = {"X-Tieline": "1"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = build_store(tmp_path_factory.mktemp("web") / "web.db")
    with TestClient(create_app(str(db))) as c:
        yield c


@pytest.fixture
def own_client(tmp_path: Path) -> Iterator[TestClient]:
    """A client over a store of its own, for tests that change data."""
    db = build_store(tmp_path / "own.db")
    with TestClient(create_app(str(db))) as c:
        yield c


def _ids(items: list[dict]) -> set[str]:
    return {i["id"] for i in items}


# ------------------------------------------------------------------ page and static files
def test_page_served_with_strict_csp(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert '<script src="/static/app.js"' in r.text


@pytest.mark.parametrize("name", ["app.js", "app.css", "icon.svg"])
def test_page_assets_come_from_the_package_without_cdn(client: TestClient, name: str) -> None:
    r = client.get(f"/static/{name}")
    assert r.status_code == 200
    # Only the SVG namespace may name another host; nothing is fetched from elsewhere.
    urls = [u for u in re.findall(r"https?://[^\s\"')]+", r.text) if "www.w3.org" not in u]
    assert urls == []


@pytest.mark.parametrize(
    "path",
    [
        "/static/../app.py",
        "/static/%2e%2e%2fapp.py",
        "/static/routes.py",
        "/static/..%5Capp.py",
        "/static/",
    ],
)
def test_static_paths_never_reach_the_file_system(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code in (404, 422)
    assert "def create_app" not in r.text


def test_js_never_parses_data_as_html(client: TestClient) -> None:
    js = client.get("/static/app.js").text
    assert "innerHTML" not in js
    assert "insertAdjacentHTML" not in js
    assert "document.write" not in js
    assert "eval(" not in js


def test_foreign_host_header_is_refused(client: TestClient) -> None:
    assert client.get("/api/summary", headers={"Host": "attacker.example"}).status_code == 400


# ------------------------------------------------------------------ documents
def test_documents_are_paginated(client: TestClient) -> None:
    everything = client.get("/api/documents").json()
    assert everything["total"] == 3
    one = client.get("/api/documents", params={"limit": 1, "offset": 1}).json()
    assert one["total"] == 3
    assert len(one["items"]) == 1
    assert one["items"][0] == everything["items"][1]


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 501}, {"offset": -1}, {"limit": "ten"}, {"q": ""}, {"q": "x" * 201}],
)
def test_documents_reject_bad_paging(client: TestClient, params: dict) -> None:
    assert client.get("/api/documents", params=params).status_code == 422


def test_document_has_text_and_every_fact_as_a_span(client: TestClient) -> None:
    doc_id = next(
        d["id"] for d in client.get("/api/documents").json()["items"] if d["name"] == "gas.txt"
    )
    d = client.get(f"/api/documents/{doc_id}").json()
    assert d["text"] == GAS
    assert {m["text"] for m in d["mentions"]} >= {"Gazprom", "CNPC", "Power of Siberia"}
    for m in d["mentions"]:
        assert d["text"][m["start"] : m["end"]] == m["text"]
    for ev in d["events"]:
        assert d["text"][ev["trigger_start"] : ev["trigger_end"]] == ev["trigger"]
        assert d["text"][ev["sentence_start"] : ev["sentence_end"]] == ev["evidence"]
    assert sorted(f["text"] for f in d["figures"]) == ["$200 billion", "$240 billion"]


@pytest.mark.parametrize(
    ("doc_id", "status"),
    [("0123456789abcdef", 404), ("../../etc", 404), ("XYZ", 422), ("a" * 65, 422)],
)
def test_document_unknown_or_malformed(client: TestClient, doc_id: str, status: int) -> None:
    assert client.get(f"/api/documents/{doc_id}").status_code == status


# ------------------------------------------------------------------ entities
def test_entities_filter_by_type_and_country(client: TestClient) -> None:
    orgs_ru = client.get("/api/entities", params={"type": "ORG", "country": "RU"}).json()
    assert _ids(orgs_ru["items"]) == {"gazprom", "rosatom", "atomstroyexport"}
    assert client.get("/api/entities", params={"type": "SPACESHIP"}).status_code == 422
    assert client.get("/api/entities", params={"country": "RUS"}).status_code == 422


def test_entity_has_events_and_quotes_that_point_into_the_text(client: TestClient) -> None:
    e = client.get("/api/entities/rosatom").json()
    assert (e["type"], e["country"]) == ("ORG", "RU")
    assert {ev["type"] for ev in e["events"]} == {"construction", "talks"}
    assert e["mention_total"] == 3
    for m in e["mentions"]:
        doc = client.get(f"/api/documents/{m['doc_id']}").json()
        assert doc["text"][m["start"] : m["end"]] == "Rosatom"
        assert doc["text"][m["quote_start"] :].startswith(m["quote"])
        assert m["quote_start"] <= m["start"] < m["end"] <= m["quote_start"] + len(m["quote"])


def test_entity_unknown_is_404(client: TestClient) -> None:
    r = client.get("/api/entities/no such actor")
    assert r.status_code == 404
    assert "no entity" in r.json()["detail"]


# ------------------------------------------------------------------ events and timeline
@pytest.mark.parametrize(
    ("params", "types"),
    [
        ({}, ["agreement", "supply", "construction", "talks"]),
        ({"type": "agreement"}, ["agreement"]),
        ({"sector": "energy.gas"}, ["agreement", "supply"]),
        ({"since": "2015", "until": "2021-12"}, ["supply"]),
        ({"pair": "CN-RU"}, ["agreement", "supply", "construction"]),
        ({"actor": "gazprom"}, ["agreement"]),
        ({"actor": "CNPC"}, ["agreement"]),
    ],
)
def test_events_filter_like_the_cli(client: TestClient, params: dict, types: list[str]) -> None:
    r = client.get("/api/events", params=params).json()
    assert [e["type"] for e in r["items"]] == types


@pytest.mark.parametrize(
    "params",
    [
        {"type": "war"},
        {"since": "2019-13"},
        {"pair": "CHN-RUS"},
        {"pair": "RU-RU"},
        {"pair": "XX-YY"},
        {"until": "yesterday"},
        {"actor": "a\x00b"},
        {"sector": "nuclear"},
        {"country": "Rusia"},
    ],
)
def test_events_reject_bad_filters(client: TestClient, params: dict) -> None:
    assert client.get("/api/events", params=params).status_code == 422


@pytest.mark.parametrize(
    ("params", "said"),
    [
        ({"pair": "XX-RU"}, "unknown country 'XX'"),
        ({"sector": "enrgy"}, "did you mean energy?"),
        ({"type": "agrement"}, "did you mean agreement?"),
    ],
)
def test_values_the_store_does_not_hold_are_a_422_naming_the_closest(
    client: TestClient, params: dict, said: str
) -> None:
    r = client.get("/api/events", params=params)
    assert r.status_code == 422
    assert said in r.json()["detail"]


@pytest.mark.parametrize(
    ("params", "same_as"),
    [
        ({"pair": "cn-ru"}, {"pair": "CN-RU"}),
        ({"pair": "China-Russia"}, {"pair": "CN-RU"}),
        ({"actor": "GAZPROM PJSC"}, {"actor": "Gazprom"}),
    ],
)
def test_events_take_what_the_cli_takes(client: TestClient, params: dict, same_as: dict) -> None:
    got = client.get("/api/events", params=params)
    assert got.status_code == 200, got.text
    want = client.get("/api/events", params=same_as).json()
    assert [e["id"] for e in got.json()["items"]] == [e["id"] for e in want["items"]]
    assert want["items"]


def test_entity_pages_take_names(client: TestClient) -> None:
    assert (
        client.get("/api/entities/CNPC").json()["id"]
        == client.get("/api/entities/China National Petroleum Corporation").json()["id"]
    )


def test_timeline_offers_its_filter_values(client: TestClient) -> None:
    t = client.get("/api/timeline", params={"sector": "energy.gas"}).json()
    assert [e["date"] for e in t["events"]] == ["2014-05", "2019-12"]
    assert t["sectors"] == ["energy.gas", "energy.nuclear"]
    assert "CN-RU" in t["pairs"]


# ------------------------------------------------------------------ figures
def test_series_puts_actuals_beside_targets(client: TestClient) -> None:
    s = client.get(
        "/api/figures/series", params={"measure": "trade_turnover", "pair": "CN-RU"}
    ).json()
    pts = [(p["date"][:4], p["status"], p["value"]) for p in s["points"]]
    assert pts == [
        ("2021", "actual", 146.9e9),
        ("2023", "actual", 240e9),
        ("2024", "target", 200e9),
    ]
    assert s["unit"] == "USD"


def test_figures_filter_by_status(client: TestClient) -> None:
    r = client.get("/api/figures", params={"status": "target"}).json()
    assert [f["text"] for f in r["items"]] == ["$200 billion"]


# ------------------------------------------------------------------ search, graph, report
def test_search_highlights_hits_and_counts_facets(client: TestClient) -> None:
    r = client.get("/api/search", params={"q": "pipeline"}).json()
    assert r["total"] >= 1
    for h in r["items"]:
        assert h["highlights"]
        for s, e in h["highlights"]:
            assert h["snippet"][s:e].casefold() == "pipeline"
    assert sum(r["facets"]["kind"].values()) == r["total"]


def test_search_filters_by_kind(client: TestClient) -> None:
    r = client.get("/api/search", params={"q": "Rosatom", "kind": "entity"}).json()
    assert [h["id"] for h in r["items"]] == ["rosatom"]


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "a\x1bb"}, {"q": "gas", "kind": "x"}])
def test_search_rejects_bad_queries(client: TestClient, params: dict) -> None:
    assert client.get("/api/search", params=params).status_code == 422


def test_graph_links_co_participants(client: TestClient) -> None:
    g = client.get("/api/graph").json()
    pairs = {(e["source"], e["target"]) for e in g["edges"]}
    assert ("atomstroyexport", "rosatom") in pairs
    assert any(e["types"].get("agreement") for e in g["edges"])
    # Objects (the pipeline, the plant) are not actors.
    assert "power of siberia" not in {n["id"] for n in g["nodes"]}


def test_report_html_escapes_article_text(client: TestClient) -> None:
    r = client.get("/api/report", params={"format": "html"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "<script>" not in r.text
    assert "<img" not in r.text
    assert "<b " not in r.text
    assert "&lt;script&gt;" in r.text
    assert "sandbox" in r.headers["content-security-policy"]
    md = client.get("/api/report", params={"pair": "CN-RU"})
    assert md.headers["content-type"].startswith("text/markdown")
    assert "Power of Siberia" in md.text or "deliveries" in md.text


def test_openapi_documents_every_endpoint(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    for path in (
        "/api/documents",
        "/api/documents/{doc_id}",
        "/api/entities",
        "/api/entities/{entity_id}",
        "/api/events",
        "/api/figures",
        "/api/figures/series",
        "/api/search",
        "/api/graph",
        "/api/timeline",
        "/api/report",
        "/api/uploads",
        "/api/curate/merge",
        "/api/curate/split",
    ):
        assert path in spec["paths"], path
    params = {p["name"] for p in spec["paths"]["/api/events"]["get"]["parameters"]}
    assert params >= {"actor", "type", "sector", "since", "until", "pair", "limit", "offset"}


# ------------------------------------------------------------------ writes
def test_writes_need_the_custom_header(client: TestClient) -> None:
    r = client.post("/api/uploads", files={"file": ("a.txt", b"text")})
    assert r.status_code == 403
    r = client.post("/api/curate/merge", json={"a": "rosatom", "b": "gazprom"})
    assert r.status_code == 403


@pytest.mark.parametrize("name", ["evil.exe", "noext", "../../etc/passwd", "a.txt/.."])
def test_upload_refuses_unknown_file_types(client: TestClient, name: str) -> None:
    r = client.post("/api/uploads", headers=CSRF, files={"file": (name, b"MZ\x90\x00")})
    assert r.status_code == 415, r.text


def test_upload_status_of_unknown_job(client: TestClient) -> None:
    assert client.get("/api/uploads/" + "0" * 32).status_code == 404
    assert client.get("/api/uploads/../../x").status_code == 404


def test_merge_then_split_is_kept_in_judgements(own_client: TestClient) -> None:
    c = own_client
    r = c.post("/api/curate/merge", headers=CSRF, json={"a": "rosatom", "b": "atomstroyexport"})
    assert r.status_code == 200, r.text
    kept = r.json()["entity_id"]
    merged = c.get(f"/api/entities/{kept}").json()
    assert "Atomstroyexport" in [merged["name"], *merged["aliases"]]
    # The merged name now leads to the kept entity (names are taken wherever an id is).
    assert c.get("/api/entities/atomstroyexport").json()["id"] == kept
    r = c.post(
        "/api/curate/split", headers=CSRF, json={"entity_id": kept, "alias": "Atomstroyexport"}
    )
    assert r.status_code == 200, r.text
    names = {e["name"] for e in c.get("/api/entities", params={"limit": 500}).json()["items"]}
    assert {"Rosatom", "Atomstroyexport"} <= names


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"a": "rosatom", "b": "rosatom"}, 400),
        ({"a": "rosatom", "b": "nobody"}, 404),
        ({"a": "rosatom"}, 422),
        ({"a": "", "b": "gazprom"}, 422),
    ],
)
def test_merge_refuses_bad_requests(own_client: TestClient, body: dict, status: int) -> None:
    assert own_client.post("/api/curate/merge", headers=CSRF, json=body).status_code == status


def test_split_needs_an_alias_of_the_entity(own_client: TestClient) -> None:
    r = own_client.post(
        "/api/curate/split", headers=CSRF, json={"entity_id": "rosatom", "alias": "Gazprom"}
    )
    assert r.status_code == 400
    assert "not an alias" in r.json()["detail"]


@pytest.mark.slow
def test_upload_ingests_in_the_background_with_progress(own_client: TestClient) -> None:
    text = (
        "Moscow, 5 June 2024. Novatek agreed to supply liquefied natural gas to "
        "China's Zhejiang Energy under a 15-year contract, the companies said.\n"
    )
    r = own_client.post(
        "/api/uploads", headers=CSRF, files={"file": ("../../novatek deal.txt", text.encode())}
    )
    assert r.status_code == 202
    job = r.json()
    assert job["name"] == "novatek deal.txt"
    assert job["state"] in ("queued", "running", "done")
    deadline = time.monotonic() + 120
    while job["state"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.2)
        job = own_client.get(f"/api/uploads/{job['id']}").json()
    assert job["state"] == "done", job
    assert job["added"] == 1
    assert len(job["doc_ids"]) == 1
    doc = own_client.get(f"/api/documents/{job['doc_ids'][0]}").json()
    assert "Novatek" in doc["text"]
    assert own_client.get("/api/documents").json()["total"] == 4
    # The same file again changes nothing.
    again = own_client.post(
        "/api/uploads", headers=CSRF, files={"file": ("novatek deal.txt", text.encode())}
    ).json()
    while again["state"] in ("queued", "running"):
        time.sleep(0.2)
        again = own_client.get(f"/api/uploads/{again['id']}").json()
    assert again["state"] == "done"
    assert again["added"] == 0
    assert own_client.get("/api/documents").json()["total"] == 4


def test_merge_box_takes_names(own_client: TestClient) -> None:
    """The page's merge box says "entity id or name": a name works as the CLI's does."""
    c = own_client
    r = c.post("/api/curate/merge", headers=CSRF, json={"a": "Rosatom", "b": "ATOMSTROYEXPORT"})
    assert r.status_code == 200, r.text
    kept = c.get(f"/api/entities/{r.json()['entity_id']}").json()
    assert "Atomstroyexport" in [kept["name"], *kept["aliases"]]
