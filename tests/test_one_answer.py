"""One question, one answer (issue 15): every filter combination asked of a small hand-made
store through the CLI's ``--json``, the Python API and the REST API (the real app through
Starlette's test client) gets the same events in the same order, and the answer is the one
the filters mean (checked against a plain reading of every event)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import tieline
from tieline.cli import _register, app
from tieline.config import Settings
from tieline.ingest.dedupe import doc_id
from tieline.query import scope
from tieline.records import Document, Entity, Event, Extraction, Participant
from tieline.scale.runner import relink
from tieline.store.db import Store

pytest.importorskip("fastapi", reason="the REST API needs the 'web' extra")
from fastapi.testclient import TestClient

from tieline.web.app import create_app

runner = CliRunner()
_register()

ENTITIES = {
    "gazprom": Entity("gazprom", "Gazprom", "ORG", "RU", mention_count=1),
    "cnpc": Entity("cnpc", "CNPC", "ORG", "CN", aliases=("China National Petroleum Corporation",)),
    "rosatom": Entity("rosatom", "Rosatom", "ORG", "RU"),
    "china": Entity("china", "China", "COUNTRY", "CN"),
    "russia": Entity("russia", "Russia", "COUNTRY", "RU"),
    "india": Entity("india", "India", "COUNTRY", "IN"),
}

# (file, published, text, trigger, type, sector, own date or None, status, participants)
DOCS = [
    (
        "contract.txt",
        "2014-05-21",
        "Gazprom and CNPC signed a thirty-year gas supply contract in 2014.",
        "signed",
        "agreement",
        "energy.gas",
        "2014",
        "done",
        (("gazprom", "party"), ("cnpc", "party")),
    ),
    (
        "deliveries.txt",
        "2019-12-03",
        "Gazprom began pipeline gas deliveries to China in December 2019.",
        "deliveries",
        "supply",
        "energy.gas",
        "2019-12",
        "done",
        (("gazprom", "source"), ("china", "target")),
    ),
    (
        "tianwan.txt",
        "2021-05-19",
        "Rosatom is building two more reactors at the Tianwan plant in China.",
        "building",
        "construction",
        "energy.nuclear",
        None,  # no date of its own: dated by its article
        "planned",
        (("rosatom", "source"), ("china", "target")),
    ),
    (
        "delhi.txt",
        "2021-12-06",
        "Russia and India held talks on defence supplies in New Delhi on 6 December 2021.",
        "talks",
        "talks",
        "defence",
        "2021-12-06",
        "done",
        (("russia", "party"), ("india", "party")),
    ),
]


def _extraction(text: str, trigger: str, rest: tuple[Any, ...]) -> tuple[Document, Extraction]:
    name, published, _, _, etype, sector, date, status, parts = rest
    d = Document(
        id=doc_id(text),
        source_key=f"test:{name}",
        text=text,
        name=name,
        title=name,
        published=published,
        published_precision="day",
    )
    at = text.index(trigger)
    ev = Event(
        id=f"{d.id[:8]}:{at}",
        type=etype,
        trigger=trigger,
        trigger_start=at,
        trigger_end=at + len(trigger),
        sentence_start=0,
        sentence_end=len(text),
        evidence=text,
        participants=tuple(Participant(k, ENTITIES[k].name, role) for k, role in parts),
        sector=sector,
        date=date,
        date_precision=None if date is None else {4: "year", 7: "month"}.get(len(date), "day"),
        status=status,
    )
    ents = tuple(ENTITIES[k] for k, _ in parts)
    return d, Extraction(d.id, "test.v1", entities=ents, events=(ev,))


def _build(db: Path, docs: list[tuple[Any, ...]]) -> Path:
    with Store(str(db)) as store:
        store.write([(*_extraction(r[2], r[3], r), None) for r in docs])
        relink(store, Settings(db=str(db), progress=False))
    return db


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("one") / "one.db", DOCS)


@pytest.fixture(scope="module")
def client(db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(str(db), allowed_hosts=["testserver"])) as c:
        yield c


ACTORS = [None, "Gazprom PJSC", "cnpc", "Rosatom"]
PAIRS = [None, "cn-ru"]
TYPES = [None, "supply"]
SECTORS = [None, "energy"]
STATUSES = [None, "planned"]
WINDOWS = [(None, None), ("2014-05", None), ("2021", "2021-06")]
COMBOS = [
    {
        k: v
        for k, v in {
            "actor": a,
            "pair": p,
            "type": t,
            "sector": s,
            "status": st,
            "since": w[0],
            "until": w[1],
        }.items()
        if v is not None
    }
    for a, p, t, s, st, w in itertools.product(ACTORS, PAIRS, TYPES, SECTORS, STATUSES, WINDOWS)
]


def _cli(db: Path, filters: dict[str, str], verb: str = "events") -> list[str]:
    args = [verb, "--db", str(db), "--json"]
    for k, v in filters.items():
        args += [f"--{k}", v]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    return [e["id"] for e in json.loads(res.stdout)]


def _rest(client: TestClient, filters: dict[str, str]) -> list[str]:
    r = client.get("/api/events", params={**filters, "limit": 500})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == len(body["items"])
    return [e["id"] for e in body["items"]]


def _meant(db: Path, filters: dict[str, str]) -> list[str]:
    """What the filters mean, read off every event by hand."""
    # By canonical name: linking picks the ids.
    names = {
        "Gazprom PJSC": "Gazprom",
        "cnpc": "China National Petroleum Corporation",
        "Rosatom": "Rosatom",
    }
    since = scope.parse_since(filters.get("since"))
    out = []
    for e in tieline.events(db=db):
        actors = {p.name for p in e.participants}
        countries = {p.country for p in e.actors if p.country}
        if "actor" in filters and names[filters["actor"]] not in actors:
            continue
        if "pair" in filters and not {"CN", "RU"} <= countries:
            continue
        if filters.get("type", e.type) != e.type or filters.get("status", e.status) != e.status:
            continue
        if "sector" in filters and not scope.sector_matches(e.sector, filters["sector"]):
            continue
        if not scope.in_window(e.when, since, filters.get("until")):
            continue
        out.append(e.id)
    return out


@pytest.mark.parametrize(
    "filters", COMBOS, ids=lambda f: ",".join(f"{k}={v}" for k, v in f.items())
)
def test_every_filter_combination_gets_one_answer(
    db: Path, client: TestClient, filters: dict[str, str]
) -> None:
    api = [e.id for e in tieline.events(db=db, **filters)]
    assert _cli(db, filters) == api
    assert _rest(client, filters) == api
    assert api == _meant(db, filters)


def test_the_combinations_are_not_all_empty(db: Path) -> None:
    answered = [f for f in COMBOS if tieline.events(db=db, **f)]
    assert len(answered) > len(COMBOS) // 6


def test_an_event_dated_by_its_article_says_so(db: Path, client: TestClient) -> None:
    (ev,) = tieline.events(db=db, actor="Rosatom")
    assert (ev.date, ev.when, ev.dated_by) == (None, "2021-05-19", "published")
    (rest,) = client.get("/api/events", params={"actor": "Rosatom"}).json()["items"]
    (cli,) = json.loads(
        runner.invoke(app, ["events", "--db", str(db), "--actor", "Rosatom", "--json"]).stdout
    )
    assert rest == cli == tieline.to_json(ev)
    table = runner.invoke(app, ["events", "--db", str(db), "--actor", "Rosatom"]).stdout
    # The date column shows the article's date, marked (a narrow table may wrap the mark).
    assert "2021-05-19" in table
    assert "(published)" in table


# ----------------------------------------------------------------------- the probes
ONE = [DOCS[0]]  # one event dated "2014", sector energy.gas, with Gazprom (and CNPC)


@pytest.fixture(scope="module")
def one(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("probe") / "probe.db", ONE)


@pytest.mark.parametrize(
    ("filters", "found"),
    [
        ({"since": "2014-05"}, 1),
        ({"sector": "energy"}, 1),
        ({"actor": "Gazprom PJSC"}, 1),
        ({"actor": "Gazp"}, 0),
    ],
    ids=["since=2014-05", "sector=energy", "actor=Gazprom PJSC", "actor=Gazp"],
)
def test_the_four_probes_agree(one: Path, filters: dict[str, str], found: int) -> None:
    from tieline.query import events as qe

    with TestClient(create_app(str(one), allowed_hosts=["testserver"])) as c:
        rest = _rest(c, filters)
        hits = c.get("/api/search", params={"q": "gas", "kind": "event", **filters}).json()
    with Store(str(one)) as store:
        listed = [e.id for e in qe.list_events(store, **filters)]
    api = [e.id for e in tieline.events(db=one, **filters)]
    assert len(api) == found
    assert listed == api == _cli(one, filters) == rest
    search_kw = {k: v for k, v in filters.items() if k in ("actor", "sector", "since")}
    assert [h.id for h in tieline.search("gas", db=one, kinds=["event"], **search_kw).items] == api
    assert [h["id"] for h in hits["items"]] == api
    net = tieline.graph(db=one, **filters)
    assert [list(e.events) for e in net.edges] == ([api] if found else [])


# ----------------------------------------------------------------------- what a new user met
@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["events", "--sector", "nuclear"], "did you mean energy.nuclear?"),
        (["events", "--pair", "XX-YY"], "unknown country 'XX'"),
        (["events", "--country", "Rusia"], "did you mean"),
        (["timeline", "--type", "agrement"], "did you mean agreement?"),
        (["figures", "--measure", "trade"], "unknown measure 'trade'"),
        (["graph", "--sector", "enrgy"], "did you mean energy?"),
    ],
)
def test_values_the_store_does_not_hold_are_one_line(db: Path, args: list[str], said: str) -> None:
    res = runner.invoke(app, [*args, "--db", str(db)])
    assert res.exit_code == 2
    (line,) = res.output.strip().splitlines()
    assert line.startswith("error:")
    assert said in line


@pytest.mark.parametrize(
    ("args", "same_as"),
    [
        (["events", "--country", "Russia"], {"country": "RU"}),
        (["events", "--pair", "China-Russia"], {"pair": "CN-RU"}),
        (["events", "--sector", "ENERGY"], {"sector": "energy"}),
        (["timeline", "--actor", "GAZPROM"], {"actor": "Gazprom"}),
    ],
)
def test_names_and_any_case_are_taken(db: Path, args: list[str], same_as: dict[str, str]) -> None:
    res = runner.invoke(app, [*args, "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    want = [e.id for e in tieline.events(db=db, **same_as)]
    assert want
    got = [e["id"] for e in json.loads(res.stdout)]
    if args[0] == "timeline":
        got = [r["id"] for e in json.loads(res.stdout) for r in e["reports"]]
    assert got == want


def test_entities_take_a_country_name(db: Path) -> None:
    res = runner.invoke(app, ["entities", "--country", "Russia", "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert rows
    assert {r["country"] for r in rows} == {"RU"}


def test_entity_pages_and_the_cli_take_an_acronym_or_alias(db: Path, client: TestClient) -> None:
    cli = json.loads(runner.invoke(app, ["entity", "CNPC", "--db", str(db), "--json"]).stdout)
    assert cli["name"] == "China National Petroleum Corporation"
    assert client.get("/api/entities/CNPC").json()["id"] == cli["id"]
    assert tieline.entity("cnpc", db=db)["id"] == cli["id"]


def test_an_entity_s_events_are_the_one_event_shape(db: Path, client: TestClient) -> None:
    cli = json.loads(runner.invoke(app, ["entity", "Gazprom", "--db", str(db), "--json"]).stdout)
    rest = client.get("/api/entities/Gazprom").json()
    by_id = {e["id"]: {k: v for k, v in e.items() if k != "role"} for e in cli["events"]}
    assert by_id
    assert {e["id"]: e for e in rest["events"]} == by_id
    listed = {e.id: tieline.to_json(e) for e in tieline.events(db=db, actor="Gazprom")}
    assert listed == by_id
    assert {e["role"] for e in cli["events"]} == {"party", "source"}
