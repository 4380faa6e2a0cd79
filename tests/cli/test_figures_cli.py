# ruff: noqa: E501  (test sentences read better unbroken)
"""``tieline figures``, in-process through typer's runner, over a hand-built store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tieline.cli import _register, app
from tieline.cli.figures import format_value
from tieline.records import Document, Entity, Extraction, Figure
from tieline.store.db import Store

_register()
runner = CliRunner()


# (doc name, published, text, [(number text, value, measure, unit, status, period, actors)])
DOCS = [
    (
        "a.txt",
        "2020-01-10",
        "Trade between China and Russia reached $107 billion in 2018. The two sides aim for $200 billion by 2024.",
        [
            ("$107 billion", 107e9, "trade_turnover", "USD", "actual", "2018", ("China", "Russia")),
            ("$200 billion", 200e9, "trade_turnover", "USD", "target", "2024", ("China", "Russia")),
        ],
    ),
    (
        "b.txt",
        "2019-03-01",
        "Trade between China and Russia amounted to $110 billion in 2018, customs said.",
        [("$110 billion", 110e9, "trade_turnover", "USD", "actual", "2018", ("Russia", "China"))],
    ),
    (
        "c.txt",
        "2025-01-15",
        "Trade between China and Russia reached $245 billion in 2024. Both aim for $300 billion by 2030.",
        [
            ("$245 billion", 245e9, "trade_turnover", "USD", "actual", "2024", ("China", "Russia")),
            ("$300 billion", 300e9, "trade_turnover", "USD", "target", "2030", ("China", "Russia")),
        ],
    ),
    (
        "d.txt",
        "2024-02-01",
        "Trade between India and Russia reached $65 billion in 2023.",
        [("$65 billion", 65e9, "trade_turnover", "USD", "actual", "2023", ("India", "Russia"))],
    ),
    (
        "e.txt",
        "2024-05-01",
        "Russia supplied 107 million tonnes of oil to China in 2023.",
        [
            (
                "107 million tonnes",
                107e6,
                "supply_volume",
                "t",
                "actual",
                "2023",
                ("Russia", "China"),
            )
        ],
    ),
]
COUNTRIES = {"China": "CN", "Russia": "RU", "India": "IN"}


@pytest.fixture
def db(tmp_path: Path) -> str:
    items = []
    for name, published, text, figs in DOCS:
        doc = Document(id=name * 3, source_key=name, text=text, name=name, published=published)
        figures = []
        for phrase, value, measure, unit, status, period, actors in figs:
            start = text.index(phrase)
            s0 = text.rfind(". ", 0, start)
            s0 = 0 if s0 < 0 else s0 + 2
            s1 = text.find(".", start + len(phrase))
            figures.append(
                Figure(
                    id=f"{doc.id}:f{start}",
                    measure=measure,
                    value=value,
                    unit=unit,
                    start=start,
                    end=start + len(phrase),
                    text=phrase,
                    evidence=text[s0:s1],
                    period=period,
                    period_start=f"{period}-01-01",
                    period_end=f"{period}-12-31",
                    status=status,
                    actors=actors,
                    sentence_start=s0,
                    sentence_end=s1 + 1,
                )
            )
        ents = tuple(
            Entity(key=c.casefold(), name=c, type="COUNTRY", country=code, mention_count=1)
            for c, code in COUNTRIES.items()
            if c in text
        )
        items.append((doc, Extraction(doc.id, "test", entities=ents, figures=tuple(figures)), None))
    path = str(tmp_path / "kb.db")
    with Store(path) as store:
        store.write(items)
    return path


def test_figures_json_lists_every_figure_with_its_citation(db: str) -> None:
    res = runner.invoke(app, ["figures", "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert len(rows) == 7
    for r in rows:
        assert r["citation"] == f'{r["doc"]}: "{r["evidence"]}"'
        assert r["text"] in r["evidence"]


def test_figures_filters_by_measure_and_pair(db: str) -> None:
    res = runner.invoke(
        app, ["figures", "--db", db, "--measure", "trade_turnover", "--pair", "CN-RU", "--json"]
    )
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert {r["measure"] for r in rows} == {"trade_turnover"}
    assert all(sorted(r["countries"]) == ["CN", "RU"] for r in rows)
    assert len(rows) == 5


def test_figures_table_shows_quotes(db: str) -> None:
    res = runner.invoke(app, ["figures", "--db", db, "--measure", "supply_volume"])
    assert res.exit_code == 0, res.output
    flat = " ".join(res.stdout.split())
    assert "e.txt" in flat
    assert "107 mn t" in flat


def test_figures_series_json_has_actuals_beside_targets(db: str) -> None:
    res = runner.invoke(
        app,
        [
            "figures",
            "--db",
            db,
            "--measure",
            "trade_turnover",
            "--pair",
            "CN-RU",
            "--series",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    by_period = {p["period"]: p for p in data["points"]}
    assert (by_period["2024"]["actual"], by_period["2024"]["target"]) == (245e9, 200e9)
    assert {t["target"]["period"]: t["met"] for t in data["targets"]} == {
        "2024": True,
        "2030": None,
    }


def test_figures_series_table_says_whether_targets_were_met(db: str) -> None:
    res = runner.invoke(app, ["figures", "--db", db, "--measure", "trade_turnover", "--series"])
    assert res.exit_code == 0, res.output
    assert "target USD 200 bn for 2024: met" in res.stdout
    assert "a.txt" in res.stdout


def test_figures_contradictions(db: str) -> None:
    res = runner.invoke(app, ["figures", "--db", db, "--contradictions", "--json"])
    assert res.exit_code == 0, res.output
    (x,) = json.loads(res.stdout)
    assert (x["period"], x["sources"], x["low"], x["high"]) == ("2018", 2, 107e9, 110e9)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--series"], "--measure"),
        (["--pair", "China"], "CN-RU"),
        (["--status", "guess"], "actual"),
    ],
)
def test_figures_bad_options_give_one_clear_line(db: str, args: list[str], message: str) -> None:
    res = runner.invoke(app, ["figures", "--db", db, *args])
    assert res.exit_code == 2
    assert message in res.output


def test_figures_on_a_missing_store_says_what_to_do(tmp_path: Path) -> None:
    res = runner.invoke(app, ["figures", "--db", str(tmp_path / "none.db")])
    assert res.exit_code == 2
    assert "tieline ingest" in res.output


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (65.8e9, "USD", "USD 65.8 bn"),
        (31, "percent", "31 %"),
        (78, "count", "78"),
        (1e8, "t", "100 mn t"),
        (1.5e12, "RUB", "RUB 1.5 tn"),
        (3.8e10, "m3", "38 bn m3"),
    ],
)
def test_format_value(value: float, unit: str, shown: str) -> None:
    assert format_value(value, unit) == shown


@pytest.mark.slow
def test_figures_on_the_seeds(seeds_db: Path) -> None:
    res = runner.invoke(app, ["figures", "--db", str(seeds_db), "--pair", "CN-RU", "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert rows
    for r in rows:
        assert r["doc"].endswith(".txt")
        assert r["text"] in r["evidence"]
