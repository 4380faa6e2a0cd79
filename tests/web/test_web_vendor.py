"""The vendored JavaScript libraries: served from the package by a fixed list of names, pinned
by integrity values on the page, documented with their versions; and the page's source look-up."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from webdata import build_store

from tieline.web import assets
from tieline.web.app import create_app

DOCS = Path(__file__).resolve().parents[2] / "docs" / "web.md"
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "vendor-js.sh"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = build_store(tmp_path_factory.mktemp("vendor") / "web.db")
    with TestClient(create_app(str(db))) as c:
        yield c


@pytest.mark.parametrize("name", sorted(assets.VENDOR))
def test_vendor_file_served_from_the_package(client: TestClient, name: str) -> None:
    r = client.get(f"/static/vendor/{name}")
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == assets.VENDOR[name].split(";")[0]
    assert r.content == assets.vendor_bytes(name)
    assert "sourceMappingURL" not in r.text  # no browser asks the server for a map


@pytest.mark.parametrize(
    "path",
    [
        "/static/vendor/../app.py",
        "/static/vendor/%2e%2e%2fapp.py",
        "/static/vendor/echarts.min.js",
        "/static/vendor/",
        "/static/vendor/VERSIONS.txt/x",
    ],
)
def test_vendor_paths_outside_the_list_are_refused(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code in (404, 422)
    assert "def create_app" not in r.text


def test_page_loads_each_vendored_file_with_its_integrity(client: TestClient) -> None:
    html = client.get("/").text
    for name, media in assets.VENDOR.items():
        if media not in (assets.JS, assets.CSS):
            continue
        digest = hashlib.sha384(assets.vendor_bytes(name)).digest()
        sri = "sha384-" + base64.b64encode(digest).decode()
        assert f'href="/static/vendor/{name}" integrity="{sri}"' in html or (
            f'src="/static/vendor/{name}" integrity="{sri}"' in html
        ), name
    # vis-timeline's peer build needs its two peers first; the page's own script comes last.
    order = [
        html.index(n)
        for n in (
            "moment.min.js",
            "vis-data.min.js",
            "vis-timeline-graph2d.min.js",
            "/static/app.js",
        )
    ]
    assert order == sorted(order)


def test_csp_names_no_other_host(client: TestClient) -> None:
    csp = client.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert not re.search(r"https?://|\*", csp)
    for directive in ("object-src 'none'", "worker-src 'none'", "frame-src 'none'"):
        assert directive in csp


def test_vendored_versions_match_the_script_and_the_docs() -> None:
    versions = assets.versions()
    assert set(versions) == {"vis-timeline", "vis-data", "moment", "cytoscape", "echarts"}
    script = SCRIPT.read_text(encoding="utf-8")
    docs = DOCS.read_text(encoding="utf-8")
    for name, version in versions.items():
        assert f"{name}@{version}" in script, name
        assert re.search(rf"\|[^|\n]*{re.escape(version)}[^|\n]*\|", docs), name
    # Each library's licence ships beside it.
    licences = {n for n in assets.VENDOR if n.startswith("LICENSE.")}
    for name in versions:
        assert any(f".{name}." in n for n in licences), name


def test_sources_name_outlet_date_and_title(client: TestClient) -> None:
    docs = client.get("/api/documents").json()["items"]
    ids = [d["id"] for d in docs]
    r = client.get("/api/sources", params=[("doc", i) for i in [*ids, "0" * 16, "not-an-id"]])
    assert r.status_code == 200
    got = r.json()
    assert set(got) == set(ids)  # unknown and malformed ids are left out
    for d in docs:
        assert got[d["id"]]["outlet"] == d["source"] == "Tieline test wire"
        assert got[d["id"]]["published"] == d["published"]
        assert got[d["id"]]["title"] == (d["title"] or d["name"])


def test_sources_asks_for_at_least_one_document(client: TestClient) -> None:
    assert client.get("/api/sources").status_code == 422


def test_search_offers_the_semantic_switch(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    params = {p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert "semantic" in params
    words = client.get("/api/search", params={"q": "Rosatom", "semantic": "false"}).json()
    assert words["total"] >= 1
