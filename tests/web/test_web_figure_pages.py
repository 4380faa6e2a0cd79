"""/api/figures reads one page in the store: every page is a slice of the whole list, and
the total counts it, with each filter (measure, status, unit, pair)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from webdata import build_store

from tieline.web.app import create_app


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = build_store(tmp_path_factory.mktemp("webfig") / "web.db")
    with TestClient(create_app(str(db))) as c:
        yield c


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"pair": "CN-RU"},
        {"pair": "RU-CN"},
        {"status": "actual"},
        {"measure": "trade_turnover", "unit": "USD"},
        {"unit": "t"},
    ],
)
def test_figure_pages_are_slices_of_the_whole_list(client: TestClient, params: dict) -> None:
    whole = client.get("/api/figures", params={**params, "limit": 500}).json()
    assert whole["total"] == len(whole["items"])
    for offset in range(0, whole["total"] + 2):
        page = client.get("/api/figures", params={**params, "limit": 2, "offset": offset}).json()
        assert page["total"] == whole["total"]
        assert page["items"] == whole["items"][offset : offset + 2]
    for f in whole["items"]:
        if "pair" in params:
            assert set(params["pair"].upper().split("-")) <= set(f["countries"])
        for key in ("status", "unit"):
            if key in params:
                assert f[key] == params[key]


def test_figures_of_a_pair_are_those_whose_actors_stand_for_both(client: TestClient) -> None:
    every = client.get("/api/figures", params={"limit": 500}).json()["items"]
    pair = client.get("/api/figures", params={"pair": "CN-RU", "limit": 500}).json()["items"]
    assert pair == [f for f in every if {"CN", "RU"} <= set(f["countries"])]
    assert pair


@pytest.mark.parametrize("params", [{"measure": "nothing"}, {"pair": "CN-XX"}])
def test_figures_of_values_the_store_does_not_hold_are_a_422(
    client: TestClient, params: dict
) -> None:
    r = client.get("/api/figures", params=params)
    assert r.status_code == 422
    assert "unknown" in r.json()["detail"]
