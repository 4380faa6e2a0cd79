"""`tieline eval --explain`: every error behind the scores, per document, on hand-made files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tieline.cli import _register, app
from tieline.eval.explain import explain, explain_lines
from tieline.eval.metrics import match_all, score

TEXT = (
    "Rosatom signed a contract with Egypt to build four reactors. "
    "Egypt will pay $25 billion for the plant. Trade grew 12% in 2021. "
    "India bought S-400 systems from Russia."
)


def _case(tmp_path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    ents = [
        {"name": "Rosatom", "type": "ORG", "country": "RU", "aliases": []},
        {"name": "Egypt", "type": "COUNTRY", "country": "EG", "aliases": []},
        {"name": "India", "type": "COUNTRY", "country": "IN", "aliases": []},
        {"name": "Russia", "type": "COUNTRY", "country": "RU", "aliases": []},
    ]
    gold = {
        "doc": "a.txt",
        "published": "2021-05-01",
        "entities": ents,
        "events": [
            {
                "type": "agreement",
                "actors": ["Rosatom", "Egypt"],
                "status": "done",
                "date": "2021-04",
                "evidence": "Rosatom signed a contract with Egypt",
            },
            {"type": "supply", "actors": ["Russia", "India"], "evidence": "India bought S-400"},
        ],
        "figures": [
            {
                "measure": "contract_value",
                "value": 25e9,
                "unit": "USD",
                "status": "target",
                "period": None,
                "evidence": "$25 billion",
            },
            {
                "measure": "trade_growth",
                "value": 12,
                "unit": "percent",
                "status": "actual",
                "period": "2021",
                "evidence": "Trade grew 12% in 2021",
            },
        ],
    }
    pred = {
        "doc": "a.txt",
        "published": "2021-05-01",
        "entities": [
            {"name": "Rosatom", "type": "ORG", "country": None},
            {"name": "Egypt", "type": "ORG", "country": "EG"},
            {"name": "Cairo", "type": "COUNTRY", "country": "EG"},
        ],
        "events": [
            {
                "type": "agreement",
                "actors": ["Rosatom"],
                "status": "planned",
                "date": "2021",
                "evidence": "signed a contract",
            },
            {"type": "construction", "actors": ["Rosatom"], "evidence": "build four reactors"},
        ],
        "figures": [
            {
                "measure": "project_value",
                "value": 25e9,
                "unit": "USD",
                "status": "target",
                "period": None,
            },
            {
                "measure": "trade_growth",
                "value": 12,
                "unit": "percent",
                "status": "actual",
                "period": "2020",
            },
            {
                "measure": "unit_count",
                "value": 4,
                "unit": "count",
                "status": "target",
                "period": None,
            },
        ],
    }
    return {"a.txt": gold}, {"a.txt": pred}


def test_explain_lists_misses_spurious_and_wrong_fields(tmp_path: Path) -> None:
    gold, pred = _case(tmp_path)
    out = explain(match_all(gold, pred, tmp_path))
    doc = out["documents"]["a.txt"]
    missed = {(e["kind"], e["item"].get("name") or e["item"].get("type")) for e in doc["missed"]}
    assert missed == {("entities", "India"), ("entities", "Russia"), ("events", "supply")}
    spurious = {
        (e["kind"], e["item"].get("name") or e["item"].get("type") or e["item"].get("measure"))
        for e in doc["spurious"]
    }
    assert spurious == {
        ("entities", "Cairo"),
        ("events", "construction"),
        ("figures", "unit_count"),
    }
    wrong = {
        (e["kind"], e["field"], json.dumps(e["predicted"]), json.dumps(e["gold"]))
        for e in doc["wrong"]
    }
    assert wrong == {
        ("entities", "country", "null", '"RU"'),
        ("entities", "type", '"ORG"', '"COUNTRY"'),
        ("events", "participants", '["Rosatom"]', '["Egypt", "Rosatom"]'),
        ("events", "status", '"planned"', '"done"'),
        ("events", "date", '"2021"', '"2021-04"'),
        ("figures", "measure", '"project_value"', '"contract_value"'),
        ("figures", "period", '"2020"', '"2021"'),
    }
    assert out["counts"]["entities.missed"] == 2
    assert sum(out["counts"].values()) == 13


def test_explain_agrees_with_the_scores(tmp_path: Path) -> None:
    """Each error kind the listing counts is one the scores count."""
    gold, pred = _case(tmp_path)
    r = score(gold, pred, tmp_path)
    counts = explain(match_all(gold, pred, tmp_path))["counts"]
    ev, fig = r["events"], r["figures"]
    assert counts.get("events.missed", 0) == ev["gold"] - round(ev["recall"] * ev["gold"])
    assert counts.get("events.spurious", 0) == ev["predicted"] - round(
        ev["precision"] * ev["predicted"]
    )
    assert counts.get("figures.spurious", 0) == fig["predicted"] - round(
        fig["precision"] * fig["predicted"]
    )
    assert r["events"]["status_accuracy"] == 0.0
    assert counts["events.status"] == 1


def test_a_perfect_prediction_explains_nothing(tmp_path: Path) -> None:
    gold, _ = _case(tmp_path)
    out = explain(match_all(gold, gold, tmp_path))
    assert out == {"documents": {}, "counts": {}}
    assert explain_lines(out) == ["errors by kind: none"]


def test_optional_gold_items_are_never_errors(tmp_path: Path) -> None:
    gold, pred = _case(tmp_path)
    for e in gold["a.txt"]["events"]:
        e["optional"] = True
    doc = explain(match_all(gold, pred, tmp_path))["documents"]["a.txt"]
    assert not [e for e in doc["missed"] + doc["wrong"] if e["kind"] == "events"]


@pytest.mark.parametrize("as_json", [True, False])
def test_eval_explain_on_files(tmp_path: Path, as_json: bool) -> None:
    gold, pred = _case(tmp_path)
    files = {}
    for name, rows in (("gold", gold), ("pred", pred)):
        files[name] = tmp_path / f"{name}.jsonl"
        files[name].write_text(
            "".join(json.dumps(r) + "\n" for r in rows.values()), encoding="utf-8"
        )
    _register()
    res = CliRunner().invoke(
        app,
        [
            "eval",
            "--gold",
            str(files["gold"]),
            "--pred",
            str(files["pred"]),
            "--docs",
            str(tmp_path),
            "--explain",
            *(["--json"] if as_json else []),
        ],
    )
    assert res.exit_code == 0, res.output
    if as_json:
        out = json.loads(res.stdout)
        assert out["events"]["predicted"] == 2
        assert out["explain"]["counts"]["events.status"] == 1
        assert set(out["explain"]["documents"]) == {"a.txt"}
    else:
        assert "a.txt: 3 missed, 3 spurious, 7 wrong" in res.stdout
        assert "  wrong     status: predicted 'planned', gold 'done'; event agreement" in res.stdout
        assert res.stdout.splitlines()[-1].startswith("errors by kind: ")


def test_eval_refuses_a_missing_prediction_file(tmp_path: Path) -> None:
    gold, _ = _case(tmp_path)
    g = tmp_path / "gold.jsonl"
    g.write_text(json.dumps(gold["a.txt"]) + "\n", encoding="utf-8")
    _register()
    res = CliRunner().invoke(
        app,
        ["eval", "--gold", str(g), "--pred", str(tmp_path / "no.jsonl"), "--docs", str(tmp_path)],
    )
    assert res.exit_code == 2
    assert "no such prediction file" in res.output
