"""One real-world event with all its sources (issue 16): each cluster knows its reports'
outlets, dates and quotes and the figures they give; values of one measure from different
sources agree within 5 % or are a contradiction quoting both. A hand-built store: our own
sentences about the 2014 Gazprom-CNPC gas contract, no NLP model."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tieline import api
from tieline.config import Settings
from tieline.extract.names import name_key
from tieline.query.clusters import close, cluster_detail, list_clusters
from tieline.query.report import build_report
from tieline.records import Document, Entity, Event, Extraction, Figure, Participant
from tieline.scale.runner import relink
from tieline.store import clusters as cl
from tieline.store import events as estore
from tieline.store.db import Store

ACTORS = {"Gazprom": ("ORG", "RU"), "CNPC": ("ORG", "CN"), "Russia": ("COUNTRY", "RU")}

# (name, outlet, published, sentence, event date, figure text, value, near duplicate of)
DOCS = [
    (
        "alpha.txt",
        "Alpha News",
        "2014-05-21",
        "Gazprom and CNPC signed a $400 billion gas contract in Shanghai on 21 May 2014.",
        "2014-05-21",
        "$400 billion",
        400e9,
        None,
    ),
    (
        "beta.txt",
        "Beta Wire",
        "2014-05-22",
        "Gazprom and CNPC signed a 30-year contract worth $400 billion on Wednesday.",
        "2014-05-21",
        "$400 billion",
        400e9,
        None,
    ),
    (
        "gamma.txt",
        "Gamma Daily",
        "2014-05-23",
        "Gazprom and CNPC signed a gas contract valued at $456 billion on 21 May 2014.",
        "2014-05-21",
        "$456 billion",
        456e9,
        None,
    ),
    (
        "alpha-copy.txt",
        None,
        "2014-05-21",
        "Gazprom and CNPC signed a $400 billion gas contract in Shanghai on 21 May 2014 .",
        "2014-05-21",
        "$400 billion",
        400e9,
        "alpha.txt",
    ),
    (
        "flows.txt",
        "Alpha News",
        "2019-12-03",
        "Gazprom began gas deliveries to CNPC through the new pipeline on 2 December 2019.",
        "2019-12-02",
        None,
        None,
        None,
    ),
]


def _id(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _build(db: Path) -> None:
    ids = {name: _id(name) for name, *_ in DOCS}
    items = []
    for name, outlet, published, text, date, num, value, near in DOCS:
        did = ids[name]
        doc = Document(
            id=did,
            source_key=f"kb:{name}",
            text=text,
            name=name,
            title=f"Report {name}",
            published=published,
            published_precision="day",
            source=outlet,
            url=f"https://news.example.org/{name}",
            near_duplicate_of=ids[near] if near else None,
        )
        ents = tuple(
            Entity(key=name_key(a), name=a, type=t, country=c, mention_count=1)
            for a, (t, c) in ACTORS.items()
            if a in text
        )
        trigger = "signed" if "signed" in text else "deliveries"
        t0 = text.index(trigger)
        event = Event(
            id=_id(did, "event"),
            type="agreement" if trigger == "signed" else "supply",
            trigger=trigger,
            trigger_start=t0,
            trigger_end=t0 + len(trigger),
            sentence_start=0,
            sentence_end=len(text),
            evidence=text,
            participants=(
                Participant(name_key("Gazprom"), "Gazprom", "party"),
                Participant(name_key("CNPC"), "CNPC", "party"),
            ),
            sector="energy.gas",
            date=date,
            date_precision="day",
            status="done",
        )
        figures = ()
        if num and value:
            n0 = text.index(num)
            # Gamma leaves the period open: only the cluster ties its figure to 2014.
            period = None if name == "gamma.txt" else "2014"
            figures = (
                Figure(
                    id=_id(did, "figure"),
                    measure="contract_value",
                    value=value,
                    unit="USD",
                    start=n0,
                    end=n0 + len(num),
                    text=num,
                    evidence=text,
                    currency="USD",
                    period=period,
                    period_start=period and f"{period}-01-01",
                    period_end=period and f"{period}-12-31",
                    status="actual",
                    actors=("Gazprom", "CNPC"),
                    sentence_start=0,
                    sentence_end=len(text),
                ),
            )
        ext = Extraction(did, "test.v1", entities=ents, events=(event,), figures=figures)
        items.append((doc, ext, None))
    with Store(str(db)) as store:
        store.write(items)
        relink(store, Settings(db=str(db), progress=False))
        estore.cluster_events(store)


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    db = tmp_path_factory.mktemp("cluster-sources") / "s.db"
    _build(db)
    return db


def _contract(store: Store) -> str:
    (found,) = list_clusters(store)
    return found.id


def test_a_cluster_knows_each_source_with_outlet_date_and_quote(kb: Path) -> None:
    with Store(str(kb), create=False) as store:
        c = cluster_detail(store, _contract(store))
    assert c is not None
    assert c.type == "agreement"
    assert c.when == "2014-05-21"
    assert c.documents == 4
    assert c.independent == 3  # the copy counts as the article it copies
    assert {r.outlet for r in c.reports} == {"Alpha News", "Beta Wire", "Gamma Daily", None}
    assert [r.published for r in c.reports] == sorted(r.published or "" for r in c.reports)
    for r in c.reports:
        assert r.quote.startswith("Gazprom and CNPC signed")
        assert r.published
        assert r.published.startswith("2014-05")
        assert r.label.startswith(f"Report {r.doc_name}")
    assert sorted(v.figure.value for v in c.values) == [400e9, 400e9, 400e9, 456e9]
    # Participants under their canonical names (CNPC is the gazetteer's long name).
    assert "Gazprom" in c.participants
    assert len(c.participants) == 2
    assert c.countries == ("CN", "RU")


def test_agreeing_values_corroborate_and_distant_ones_contradict_with_both_quotes(
    kb: Path,
) -> None:
    with Store(str(kb), create=False) as store:
        c = cluster_detail(store, _contract(store))
    assert c is not None
    (agree,) = c.corroborations
    assert agree.measure == "contract_value"
    assert agree.period == "2014"
    assert agree.sources == 2  # Alpha and Beta; Alpha's copy adds no source
    (conflict,) = c.contradictions
    low, high = conflict.values
    assert (low.figure.value, high.figure.value) == (400e9, 456e9)
    assert "$456 billion" in high.figure.evidence
    assert "$400 billion" in low.figure.evidence
    assert low.doc_id != high.doc_id
    assert close(400e9, 421e9)
    assert not close(400e9, 422e9)


def test_a_single_report_is_no_cluster_with_sources_and_an_unknown_id_is_none(
    kb: Path,
) -> None:
    with Store(str(kb), create=False) as store:
        assert len(list_clusters(store)) == 1
        assert len(list_clusters(store, min_documents=1)) == 2
        assert list_clusters(store, pair="CN-RU")
        assert not list_clusters(store, pair="IN-RU")
        assert cluster_detail(store, "c-no-such-cluster") is None


def test_reports_dating_one_event_differently_are_a_contradiction(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    _build(db)
    with Store(str(db), create=False) as store:
        reports = cl.stored_reports(store)
        # Put the 2019 start of flows in the contract's cluster, as a wrong merge would.
        contract = _contract(store)
        new = {r.id: contract for r in reports}
        cl.write_clusters(store, {r.id: r.cluster for r in reports}, new)
        c = cluster_detail(store, contract)
        contradicted = list_clusters(store, contradicted=True)
    assert c is not None
    assert [r.date for r in c.date_conflict] == ["2014-05-21", "2019-12-02"]
    assert [x.id for x in contradicted] == [contract]


def test_the_api_and_the_cli_show_the_sources(kb: Path) -> None:
    found = api.clusters(db=kb)
    assert [c.independent for c in found] == [3]
    one = api.cluster(found[0].id, db=kb)
    assert one is not None
    assert one.to_dict()["contradictions"]

    from tieline.cli import _register, app

    _register()
    res = CliRunner().invoke(app, ["cluster", found[0].id, "--db", str(kb), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert {r["outlet"] for r in data["reports"]} == {
        "Alpha News",
        "Beta Wire",
        "Gamma Daily",
        None,
    }
    assert data["contradictions"][0]["values"][1]["quote"].count("$456 billion") == 1
    res = CliRunner().invoke(app, ["cluster", found[0].id, "--db", str(kb)])
    assert res.exit_code == 0
    assert "CONTRADICTION" in res.output
    assert "Gamma Daily" in res.output
    res = CliRunner().invoke(app, ["cluster", "nope", "--db", str(kb)])
    assert res.exit_code == 2
    assert "no cluster" in res.output
    res = CliRunner().invoke(app, ["clusters", "--db", str(kb), "--contradicted"])
    assert res.exit_code == 0
    assert found[0].id[:8] in res.output


def test_the_briefing_flags_a_contradiction_within_one_event_with_both_quotes(kb: Path) -> None:
    with Store(str(kb), create=False) as store:
        rep = build_report(store, pair="CN-RU")
    (section,) = [s for s in rep.sections if s.title.startswith("Contradictions")]
    lines = [ln for ln in section.lines if "contract_value" in ln.text]
    assert len(lines) == 1, [ln.text for ln in section.lines]
    (line,) = lines
    assert "$400 billion" in line.citations[0].quote
    assert "$456 billion" in line.citations[1].quote
    # The event is one line citing its three independent reports, not one line per report.
    events = [ln for s in rep.sections if s.title.startswith("Events") for ln in s.lines]
    signing = [ln for ln in events if "agreement" in ln.text]
    assert len(signing) == 1
    # The near-duplicate copy of one of them is that report again, not a fourth source.
    assert len(signing[0].citations) == 3
    assert signing[0].text.endswith("· 3 sources")
