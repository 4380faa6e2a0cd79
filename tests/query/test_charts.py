"""Charts: valid image files written by matplotlib, drawing the stored numbers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tieline.errors import ConfigError
from tieline.query.charts import chart_events, chart_measure, events_by_year, measure_series
from tieline.store.db import Store

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def kb(kb_db: Path) -> Iterator[Store]:
    with Store(str(kb_db), create=False) as s:
        yield s


def _valid_image(path: Path) -> None:
    data = path.read_bytes()
    if path.suffix == ".png":
        assert data.startswith(PNG)
        from matplotlib import image

        arr = image.imread(path)
        assert arr.shape[0] > 100 and arr.shape[1] > 100  # noqa: PT018
    elif path.suffix == ".svg":
        import xml.etree.ElementTree as ET

        root = ET.fromstring(data)
        assert root.tag.endswith("svg")
        assert b"Matplotlib" in data
    elif path.suffix == ".pdf":
        assert data.startswith(b"%PDF-")


def test_measure_series_actuals_beside_targets(kb: Store) -> None:
    pts = measure_series(kb, "bilateral_trade", pair="CN-RU")
    by = {(p.period, p.status): p for p in pts}
    # Two sources report 2018: the series takes their median and keeps both documents.
    assert by[("2018", "actual")].value == pytest.approx(107.5e9)
    assert len(by[("2018", "actual")].doc_ids) == 2
    assert by[("2024", "target")].value == pytest.approx(200e9)
    assert measure_series(kb, "bilateral_trade", pair="IN-RU") == []


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_chart_measure_writes_image(kb: Store, tmp_path: Path, suffix: str) -> None:
    res = chart_measure(kb, "bilateral_trade", tmp_path / f"trade{suffix}", pair="CN-RU")
    _valid_image(res.path)
    assert res.series["actual"] == [
        ("2018", pytest.approx(107.5e9)),
        ("2019", pytest.approx(110.8e9)),
    ]
    assert res.series["target"] == [("2024", pytest.approx(200e9))]


def test_chart_events_by_sector(kb: Store, tmp_path: Path) -> None:
    res = chart_events(kb, tmp_path / "events.svg", by="sector")
    _valid_image(res.path)
    assert res.points == 5
    table = events_by_year(kb, "sector")
    assert table["nuclear"] == {"2018": 1, "2020": 1}
    assert events_by_year(kb, "type", pair="IN-RU")["supply"] == {"2018": 1}


def test_chart_png_events(kb: Store, tmp_path: Path) -> None:
    _valid_image(chart_events(kb, tmp_path / "events.png").path)


def test_chart_unknown_measure_lists_known(kb: Store, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="bilateral_trade"):
        chart_measure(kb, "tea_exports", tmp_path / "x.png")


def test_chart_bad_suffix(kb: Store, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="png"):
        chart_events(kb, tmp_path / "x.gif")


def test_chart_empty_store_still_draws(memory_store: Store, tmp_path: Path) -> None:
    _valid_image(chart_events(memory_store, tmp_path / "e.png").path)


@pytest.mark.slow
def test_charts_on_examples(examples_db: Path, tmp_path: Path) -> None:
    from tieline.query.figures import measures

    with Store(str(examples_db), create=False) as store:
        _valid_image(chart_events(store, tmp_path / "e.svg").path)
        # the most reported measure that has a dated series (capacities are mostly yearly rates)
        top = max(
            measures(store).items(), key=lambda kv: (bool(measure_series(store, kv[0])), kv[1])
        )[0]
        res = chart_measure(store, top, tmp_path / "m.png")
    _valid_image(res.path)
    assert res.points > 0
