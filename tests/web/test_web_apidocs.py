"""The OpenAPI spec at /openapi.json and the interactive API page at /docs, served locally."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from webdata import build_store

from tieline.web.app import create_app

pytest.importorskip("fastapi_offline", reason="the API page's files come with fastapi-offline")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = build_store(tmp_path_factory.mktemp("apidocs") / "web.db")
    with TestClient(create_app(str(db))) as c:
        yield c


def test_spec_is_also_at_the_root(client: TestClient) -> None:
    root = client.get("/openapi.json")
    assert root.status_code == 200
    assert root.headers["content-type"].startswith("application/json")
    assert root.json() == client.get("/api/openapi.json").json()
    assert "/api/documents" in root.json()["paths"]


def test_spec_does_not_list_the_docs_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p in ("/docs", "/openapi.json") or p.startswith("/docs/")]


def test_docs_page_references_nothing_outside_the_server(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "://" not in html
    refs = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert len(refs) >= 3
    assert all(r.startswith("/") and not r.startswith("//") for r in refs), refs
    # Each thing the page loads is served here, as what it claims to be.
    for ref in refs:
        r = client.get(ref)
        assert r.status_code == 200, ref
        if ref.endswith(".js"):
            assert r.headers["content-type"].startswith("text/javascript")
        if ref.endswith(".css"):
            assert r.headers["content-type"].startswith("text/css")
    assert "SwaggerUIBundle" in client.get("/docs/swagger-ui-bundle.js").text


def test_docs_page_keeps_a_csp_with_no_outside_source(client: TestClient) -> None:
    csp = client.get("/docs").headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "connect-src 'self'" in csp
    assert "http" not in csp
    assert "*" not in csp


def test_docs_script_points_at_the_local_spec_and_no_validator(client: TestClient) -> None:
    js = client.get("/docs/init.js").text
    assert '"/openapi.json"' in js
    # Swagger UI's default validator badge posts the spec to validator.swagger.io.
    assert "validatorUrl: null" in js
    assert "://" not in js


def test_docs_serves_only_its_named_files(client: TestClient) -> None:
    for bad in ("/docs/favicon.png", "/docs/..%2Fcore.py", "/docs/redoc.standalone.js"):
        assert client.get(bad).status_code in (404, 422), bad
