"""Our scorer follows the annotation guide; on real predictions it agrees with the referee."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tieline.cli import _register, app
from tieline.config import Settings
from tieline.eval.gold import gold_records, project_evidence, read_gold
from tieline.eval.metrics import norm, same_date, score
from tieline.store.db import Store

SHARED_EVAL = Path(__file__).resolve().parents[2].parent / "shared" / "eval"
CORPORA = {
    "dev": ("dev/docs", "dev/dev.gold.jsonl"),
    "clusters": ("clusters/docs", "clusters/clusters.gold.jsonl"),
}


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("The Shanghai Cooperation Organisation", "shanghai cooperation organisation"),
        ("China Aerospace Science & Industry Corp.", "china aerospace science and industry corp"),
        ("U.S.", "u s"),
    ],
)
def test_norm_names_as_the_guide_says(raw: str, want: str) -> None:
    assert norm(raw) == want


def test_score_counts_matches_optionals_and_resolution(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(
        "Gazprom signed a deal with CNPC. Trade reached $10 billion.", encoding="utf-8"
    )
    gold = {
        "a.txt": {
            "doc": "a.txt",
            "published": "2020-01-02",
            "entities": [
                {"name": "Gazprom", "type": "ORG", "country": "RU", "aliases": []},
                {
                    "name": "China National Petroleum Corporation",
                    "type": "ORG",
                    "country": "CN",
                    "aliases": ["CNPC"],
                },
                {
                    "name": "Blue Stream",
                    "type": "FACILITY",
                    "country": None,
                    "aliases": [],
                    "optional": True,
                },
            ],
            "events": [
                {
                    "type": "agreement",
                    "actors": ["Gazprom", "China National Petroleum Corporation"],
                    "evidence": "Gazprom signed a deal with CNPC",
                }
            ],
            "figures": [
                {
                    "unit": "USD",
                    "value": 1e10,
                    "status": "actual",
                    "measure": "trade_turnover",
                    "period": "2019",
                    "evidence": "Trade reached $10 billion",
                }
            ],
        }
    }
    pred = {
        "a.txt": {
            "doc": "a.txt",
            "published": "2020-01-02",
            "entities": [
                {"name": "Gazprom", "type": "ORG", "country": "RU"},
                {"name": "CNPC", "type": "ORG", "country": None},
                {"name": "Moscow", "type": "COUNTRY", "country": "RU"},
            ],
            "events": [
                {"type": "agreement", "actors": ["Gazprom"], "evidence": "signed a deal"},
                {"type": "supply", "actors": ["Gazprom"], "evidence": "signed a deal"},
            ],
            "figures": [
                {
                    "unit": "USD",
                    "value": 1.005e10,
                    "status": "target",
                    "measure": "trade_turnover",
                    "period": "2019",
                }
            ],
        }
    }
    r = score(gold, pred, docs)
    assert r["entities"]["predicted"] == 3
    assert r["entities"]["gold"] == 2
    assert r["entities"]["precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert r["entities"]["recall"] == 1.0
    assert r["entities"]["country_accuracy"] == 0.5
    assert r["events"]["precision"] == 0.5
    assert r["events"]["recall"] == 1.0
    assert r["figures"]["f1"] == 1.0
    assert r["figures"]["status_accuracy"] == 0.0
    assert r["figures"]["period_accuracy"] == 1.0
    assert r["published_date_accuracy"] == 1.0
    assert r["resolution"]["errors"] == 0


def test_project_evidence_finds_the_escaped_source_text() -> None:
    source = "Russia exports upward of \\$2 billion in military\nequipment to China."
    assert project_evidence(source, "upward of $2 billion in military equipment") == (
        "upward of \\$2 billion in military equipment"
    )
    assert project_evidence(source, "not there at all") == "not there at all"


@pytest.mark.slow
def test_our_scores_equal_the_referees_on_the_seeds(
    seeds: Path, referee: Path, seeds_db: Path, tmp_path: Path
) -> None:
    gold = seeds.parent.parent / "eval" / "seeds.gold.jsonl"
    with Store(str(seeds_db)) as store:
        rows = list(gold_records(store))
    pred = _write(tmp_path / "pred.jsonl", rows)
    ours = score(read_gold(gold), read_gold(pred), seeds)
    theirs = json.loads(
        subprocess.run(
            [
                sys.executable,
                str(referee),
                "--gold",
                str(gold),
                "--pred",
                str(pred),
                "--docs",
                str(seeds),
                "--json",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert ours == theirs


@pytest.mark.slow
def test_gold_export_names_every_seed_by_file_name(seeds: Path, seeds_db: Path) -> None:
    with Store(str(seeds_db)) as store:
        rows = list(gold_records(store))
    assert sorted(r["doc"] for r in rows) == sorted(p.name for p in seeds.iterdir())
    for r in rows:
        assert set(r) >= {"doc", "title", "published", "entities", "events", "figures"}
        for e in r["entities"]:
            assert e["name"]
            assert e["type"]


def _referee(referee: Path, gold: Path, pred: Path, docs: Path, *extra: str) -> str:
    return subprocess.run(
        [
            sys.executable,
            str(referee),
            "--gold",
            str(gold),
            "--pred",
            str(pred),
            "--docs",
            str(docs),
            *extra,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _eval_cli(gold: Path, pred: Path, docs: Path, *extra: str) -> str:
    _register()
    res = CliRunner().invoke(
        app, ["eval", "--gold", str(gold), "--pred", str(pred), "--docs", str(docs), *extra]
    )
    assert res.exit_code == 0, res.output
    return res.stdout


@pytest.mark.parametrize(
    ("pred", "gold", "same"),
    [
        ("2019-06-05", "2019-06-05", True),
        ("2019-06", "2019-06-05", False),
        ("2021-06-08", "06-08", True),
        ("06-08", "06-08", True),
        ("2021-06-09", "06-08", False),
        (None, "2015", False),
        ("2015", "2015", True),
    ],
)
def test_same_date_reads_month_day_gold_as_any_year(
    pred: str | None, gold: str, same: bool
) -> None:
    assert same_date(pred, gold) is same


def _cluster_case(docs: Path) -> tuple[dict, dict]:
    """Two outlets reporting one signing and one meeting, and a third reporting the signing."""
    texts = {
        "a.txt": "Rosatom signed a contract with Egypt. Putin met Sisi in Cairo on Monday.",
        "b.txt": "Egypt and Rosatom signed the contract. The two leaders met in Cairo.",
        "c.txt": "Rosatom has signed a contract with Egypt for four reactors.",
    }
    ents = [
        {"name": "Rosatom", "type": "ORG", "country": "RU", "aliases": []},
        {"name": "Egypt", "type": "COUNTRY", "country": "EG", "aliases": []},
        {"name": "Vladimir Putin", "type": "PERSON", "country": "RU", "aliases": ["Putin"]},
        {"name": "Abdel Fattah el-Sisi", "type": "PERSON", "country": "EG", "aliases": ["Sisi"]},
    ]
    sign = {"type": "agreement", "actors": ["Rosatom", "Egypt"], "cluster": "sign"}
    meet = {
        "type": "talks",
        "actors": ["Vladimir Putin", "Abdel Fattah el-Sisi"],
        "cluster": "meet",
    }
    gold: dict = {}
    pred: dict = {}
    for name, text in texts.items():
        (docs / name).write_text(text, encoding="utf-8")
        first = text.split(".")[0]
        g_evs = [
            {
                **sign,
                "evidence": first,
                "date": "2015-11-19" if name == "a.txt" else None,
                "status": "done",
            }
        ]
        p_evs = [
            {
                "type": "agreement",
                "actors": ["Rosatom", "Egypt"],
                "evidence": first,
                "date": "2015-11-19",
                "status": "planned" if name == "c.txt" else "done",
                # the prediction puts c's signing in a cluster of its own
                "cluster": "k1" if name != "c.txt" else "k2",
            }
        ]
        if name != "c.txt":
            second = text.split(". ")[1]
            g_evs.append({**meet, "evidence": second, "date": "11-16" if name == "a.txt" else None})
            p_evs.append(
                {
                    "type": "talks",
                    "actors": ["Putin", "Sisi"],
                    "evidence": second,
                    "date": "2015-11-16" if name == "a.txt" else None,
                }
            )
        gold[name] = {
            "doc": name,
            "published": "2015-11-19",
            "entities": ents,
            "events": g_evs,
            "figures": [],
        }
        pred[name] = {
            "doc": name,
            "published": "2015-11-19",
            "entities": ents,
            "events": p_evs,
            "figures": [],
        }
    return gold, pred


def test_event_status_date_and_cluster_scores(tmp_path: Path) -> None:
    gold, pred = _cluster_case(tmp_path)
    r = score(gold, pred, tmp_path)
    assert r["events"]["f1"] == 1.0
    assert r["events"]["status_accuracy"] == pytest.approx(4 / 5, abs=1e-4)
    assert r["events"]["dated"] == 2
    assert r["events"]["date_accuracy"] == 1.0
    # gold pairs across documents: sign a-b, a-c, b-c and meet a-b; predicted together: the
    # signing a-b only (the meetings carry no cluster, so each is its own)
    c = r["clusters"]
    assert (c["gold"], c["predicted"], c["precision"]) == (4, 1, 1.0)
    assert c["recall"] == 0.25
    assert c["gold_pairs"] == 4
    assert c["gold_pairs_reached"] == 4


def test_no_cluster_scores_without_gold_clusters(tmp_path: Path) -> None:
    gold, pred = _cluster_case(tmp_path)
    for g in gold.values():
        for e in g["events"]:
            del e["cluster"]
    assert score(gold, pred, tmp_path)["clusters"] is None


def test_hand_made_clusters_score_as_the_referee_scores_them(referee: Path, tmp_path: Path) -> None:
    gold, pred = _cluster_case(tmp_path)
    g = _write(tmp_path / "gold.jsonl", list(gold.values()))
    p = _write(tmp_path / "pred.jsonl", list(pred.values()))
    assert _eval_cli(g, p, tmp_path, "--json") == _referee(referee, g, p, tmp_path, "--json")
    assert _eval_cli(g, p, tmp_path) == _referee(referee, g, p, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_our_scores_equal_the_referees_on_unseen_corpora(
    corpus: str, referee: Path, tmp_path: Path
) -> None:
    """The pipeline's predictions on the dev and cluster corpora, scored by both: same bytes."""
    from tieline.scale.runner import ingest_paths

    docs, gold = (SHARED_EVAL / part for part in CORPORA[corpus])
    if not docs.is_dir() or not gold.is_file():
        pytest.skip(f"{corpus} corpus not found under {SHARED_EVAL} (../shared is absent)")
    db = tmp_path / "s.db"
    ingest_paths([docs], Settings(db=str(db), progress=False))
    with Store(str(db)) as store:
        pred = _write(tmp_path / "pred.jsonl", list(gold_records(store)))
    theirs = _referee(referee, gold, pred, docs, "--json")
    assert score(read_gold(gold), read_gold(pred), docs) == json.loads(theirs)
    assert _eval_cli(gold, pred, docs, "--json") == theirs
    assert _eval_cli(gold, pred, docs) == _referee(referee, gold, pred, docs)
