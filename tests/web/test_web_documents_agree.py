"""The REST API's document list and ``tieline.documents()`` name the same documents."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from webdata import build_store

import tieline
from tieline.web.app import create_app


def test_rest_and_python_api_list_the_same_documents(tmp_path: Path) -> None:
    db = build_store(tmp_path / "docs.db")
    listed = tieline.documents(db=db)
    with TestClient(create_app(str(db))) as client:
        page = client.get("/api/documents", params={"limit": 200}).json()
    assert page["total"] == len(listed)
    rest = {d["id"]: d for d in page["items"]}
    assert set(rest) == {d.id for d in listed}
    for d in listed:
        assert rest[d.id]["title"] == d.title
        assert rest[d.id]["published"] == d.published
