"""Event clusters across documents (store.clusters): what makes two reports one happening,
growth bounded by n log n (issue 18, F4), and repair after a kill during clustering (F6)."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from tieline.config import Settings
from tieline.records import Document, Entity, Event, Extraction, Participant
from tieline.scale.runner import finish_links, relink
from tieline.store import clusters as cl
from tieline.store.clusters import Report, cluster_reports
from tieline.store.db import Store

RU_CN = frozenset({"RU", "CN"})


def _r(
    rid: str,
    doc: str,
    type_: str = "agreement",
    *,
    date: str | None = None,
    published: str | None = None,
    actors: tuple[str, ...] = ("russia", "china"),
    objects: tuple[str, ...] = (),
    status: str = "done",
    text: str = "",
    countries: frozenset[str] = RU_CN,
) -> Report:
    return Report(
        id=rid,
        doc=doc,
        type=type_,
        status=status,
        date=date,
        published=published,
        sector="energy.gas",
        actors=frozenset(actors),
        objects=frozenset(objects),
        countries=countries,
        text=text,
    )


def _together(ids: dict[str, str], a: str, b: str) -> bool:
    return ids[a] == ids[b]


def test_two_happenings_of_one_kind_between_the_same_parties_stay_apart() -> None:
    reports = [
        _r(
            "a1",
            "a",
            date="2014-05-21",
            published="2014-05-22",
            objects=("pos",),
            text="Gazprom and CNPC signed a 30-year gas contract",
        ),
        _r(
            "b1",
            "b",
            date="2014",
            published="2019-12-02",
            objects=("pos",),
            text="the two sides signed the gas contract in 2014",
        ),
        _r(
            "b2",
            "b",
            "supply",
            published="2019-12-02",
            objects=("pos",),
            text="Russia on Monday started pumping gas to China",
        ),
        _r(
            "c1",
            "c",
            "supply",
            published="2019-12-03",
            objects=("pos",),
            text="gas began flowing through the pipeline to China",
        ),
    ]
    ids = cluster_reports(reports)
    assert _together(ids, "a1", "b1")  # one signing, dated by two precisions
    assert _together(ids, "b2", "c1")  # one start of flows, dated by publication
    assert not _together(ids, "a1", "c1")


def test_an_undated_report_without_a_publication_date_joins_by_what_it_shares() -> None:
    reports = [
        _r(
            "a1",
            "a",
            "construction",
            date="2021-05-19",
            published="2021-05-19",
            actors=("xi", "putin", "china"),
            text="Xi and Putin launched construction of four reactors",
        ),
        _r(
            "b1",
            "b",
            "construction",
            actors=("xi", "putin"),
            objects=("tianwan",),
            text="the two leaders launched the construction of power units at Tianwan",
        ),
    ]
    assert _together(cluster_reports(reports), "a1", "b1")


def test_stages_and_other_pairs_of_states_are_other_happenings() -> None:
    reports = [
        _r(
            "a1",
            "a",
            "construction",
            published="2021-12-03",
            objects=("rail",),
            text="the railway opened on Friday",
        ),
        _r(
            "b1",
            "b",
            "construction",
            published="2021-12-04",
            objects=("rail",),
            text="the railway took five years to build",
        ),
        _r(
            "c1",
            "c",
            "agreement",
            date="2018-10-05",
            objects=("s400",),
            actors=("india", "russia"),
            countries=frozenset({"IN", "RU"}),
            text="India and Russia signed the S-400 deal",
        ),
        _r(
            "d1",
            "d",
            "agreement",
            date="2018-10-05",
            objects=("s400",),
            actors=("china", "russia"),
            text="China and Russia signed an S-400 deal",
        ),
        _r(
            "e1",
            "e",
            "agreement",
            date="2018-10-05",
            actors=("india", "russia"),
            countries=frozenset({"IN", "RU"}),
            text="eight other agreements were signed",
        ),
    ]
    ids = cluster_reports(reports)
    assert len(set(ids.values())) == 5


def test_a_vague_report_does_not_chain_two_happenings() -> None:
    # "b1" fits both, but the 2014 signing and the 2019 signing cannot share a cluster.
    reports = [
        _r("a1", "a", date="2014", objects=("pos",), text="signed a gas deal"),
        _r("b1", "b", objects=("pos",), text="signed a gas deal"),
        _r("c1", "c", date="2019", objects=("pos",), text="signed a gas deal"),
    ]
    ids = cluster_reports(reports)
    assert not _together(ids, "a1", "c1")


def test_comparisons_grow_linearly_in_one_documents_events(monkeypatch: pytest.MonkeyPatch) -> None:
    """F4: a file of one repeated sentence, and one of many dated variants, stay bounded."""
    calls = 0
    real = cl.pair_score

    def counted(a: Report, b: Report) -> int | None:
        nonlocal calls
        calls += 1
        return real(a, b)

    monkeypatch.setattr(cl, "pair_score", counted)
    same = [_r(f"x{i:05}", "x", text="Russia and China signed a deal") for i in range(20000)]
    ids = cluster_reports(same)
    assert len(set(ids.values())) == 1
    assert calls == 0
    n = 2000
    varied = [_r(f"y{i:05}", f"d{i}", date=f"{1000 + i}", text="signed a deal") for i in range(n)]
    cluster_reports(varied)
    blocks = 4  # two actors, two states
    assert calls <= n * cl.NEIGHBOURS * blocks  # quadratic would be two million per block


# ----------------------------------------------------------------------------- the store
TEXT = "Gazprom and CNPC signed a gas contract."


def _doc(name: str, published: str, repeat: int = 1) -> tuple[Document, Extraction, None]:
    text = " ".join([TEXT] * repeat)
    doc = Document(id=name * 8, source_key=name, text=text, name=f"{name}.txt", published=published)
    events = []
    for i in range(repeat):
        start = i * (len(TEXT) + 1) + TEXT.index("signed")
        events.append(
            Event(
                id=f"{doc.id}:{start}",
                type="agreement",
                trigger="signed",
                trigger_start=start,
                trigger_end=start + 6,
                sentence_start=start,
                sentence_end=start + 20,
                evidence=TEXT.rstrip("."),
                sector="energy.gas",
                date=None,
                status="done",
                participants=(
                    Participant("gazprom", "Gazprom", "party"),
                    Participant("cnpc", "CNPC", "party"),
                ),
                confidence=0.9,
            )
        )
    ents = (
        Entity(key="gazprom", name="Gazprom", type="ORG", country="RU", mention_count=repeat),
        Entity(key="cnpc", name="CNPC", type="ORG", country="CN", mention_count=repeat),
    )
    return doc, Extraction(doc.id, "test", entities=ents, events=tuple(events)), None


def _clusters(db: str) -> list[str | None]:
    with Store(db) as st:
        with st.connect() as conn:
            from sqlalchemy import select

            from tieline.store import schema as s

            return [
                r[0] for r in conn.execute(select(s.events.c.cluster_id).order_by(s.events.c.id))
            ]


def test_a_repeated_sentence_clusters_in_bounded_time(tmp_path: Path) -> None:
    """F4 through the store: 3,000 reports of one sentence in one file are one cluster."""
    db = str(tmp_path / "s.db")
    with Store(db) as st:
        st.write([_doc("a", "2014-05-21", repeat=3000), _doc("b", "2014-05-22")])
        relink(st, Settings(db=db, progress=False))
        assert st.clusters_state() == "fresh"
    assert len(set(_clusters(db))) == 1


def test_a_kill_during_clustering_is_repaired_by_the_next_run(tmp_path: Path) -> None:
    """F6: kill -9 after linking, inside the clustering step: the rerun clusters the events."""
    db = str(tmp_path / "s.db")
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path[:0] = {sys.path!r}
        from tests.store.test_clusters import _doc
        from tieline.config import Settings
        from tieline.scale import runner
        from tieline.store.db import Store

        def killed(*a, **k):
            os.kill(os.getpid(), signal.SIGKILL)

        runner.cluster_store = killed
        with Store({db!r}) as st:
            st.write([_doc("a", "2014-05-21"), _doc("b", "2014-05-22")])
            runner.finish_links(st, Settings(db={db!r}, progress=False), changed=True)
    """)
    root = Path(__file__).resolve().parents[2]
    res = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True)
    assert res.returncode == -signal.SIGKILL, res.stderr
    assert _clusters(db) == [None, None]  # linked, never clustered
    with Store(db) as st:
        assert not st.links_stale()
        assert st.clusters_state() == "new"
        finish_links(st, Settings(db=db, progress=False), changed=False)  # the rerun: unchanged
        assert st.clusters_state() == "fresh"
    ids = _clusters(db)
    assert None not in ids
    assert len(set(ids)) == 1


def test_new_reports_join_stored_clusters_incrementally(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    settings = Settings(db=db, progress=False)
    with Store(db) as st:
        st.write([_doc("a", "2014-05-21")])
        relink(st, settings)
        (first,) = _clusters(db)
        st.write([_doc("b", "2014-05-22")])
        finish_links(st, settings, changed=True)
    assert _clusters(db) == [first, first]


HU_CN = frozenset({"HU", "CN"})


def test_a_loan_signed_and_the_financing_it_brings_are_one_happening() -> None:
    reports = [
        _r(
            "a1",
            "a",
            actors=("hungary", "china"),
            countries=HU_CN,
            date="2020-04-24",
            published="2020-04-24",
            text="Hungary signed on Friday a USD 1.9 billion loan agreement with China",
        ),
        _r(
            "b1",
            "b",
            "investment",
            status="planned",
            actors=("hungary", "exim"),
            countries=HU_CN,
            text="the state will finance 85 percent of the cost from a $1.9bn Chinese loan",
        ),
        _r(
            "c1",
            "c",
            "investment",
            status="negated",
            actors=("hungary", "exim"),
            countries=HU_CN,
            text="the bank will not finance the $1.9bn line",
        ),
    ]
    ids = cluster_reports(reports)
    assert _together(ids, "a1", "b1")  # the same figure, the loan and its lending
    assert not _together(ids, "a1", "c1")  # a loan refused is another happening


def test_figures_are_read_alike_whatever_their_spelling() -> None:
    assert cl.figures_of("a $1.9bn loan") == cl.figures_of("a 1.9 billion dollar loan")
    assert cl.figures_of("85% of the cost") == cl.figures_of("85 per cent of the cost")
    # Years, small counts and model numbers are no figures two reports could share by chance.
    assert cl.figures_of("in 2014 two S-400 systems") == frozenset()


def test_undated_reports_of_one_pair_sharing_only_a_figure_join() -> None:
    states = frozenset({"russia", "china"})  # the two states only: no party of its own
    reports = [
        replace(
            _r("a1", "a", text="Russia and China signed a $400 billion gas deal"), states=states
        ),
        replace(_r("b1", "b", text="the USD 400 bn accord"), states=states),
        replace(_r("c1", "c", text="the USD 5 bn accord"), states=states),
    ]
    ids = cluster_reports(reports)
    assert _together(ids, "a1", "b1")
    assert not _together(ids, "a1", "c1")


def test_a_sector_read_differently_does_not_split_one_happening() -> None:
    a = _r(
        "a1",
        "a",
        date="2018-10-05",
        published="2018-10-05",
        actors=("india", "russia"),
        countries=frozenset({"IN", "RU"}),
        text="India and Russia signed the S-400 deal",
    )
    b = _r(
        "b1",
        "b",
        date="2018-10-05",
        published="2018-10-06",
        actors=("modi", "putin", "russia"),
        countries=frozenset({"IN", "RU"}),
        text="the pact signed between Modi and Putin",
    )
    assert cl.same_happening(a, replace(b, sector="energy.nuclear"))


def test_other_agreements_are_others_only_next_to_the_trigger() -> None:
    deal = _r("a1", "a", text="the deal was signed along with eight other agreements")
    assert not replace(deal, trigger="signed").others
    pacts = _r("b1", "b", text="eight other pacts inked on the day")
    assert replace(pacts, trigger="pacts").others
    assert deal.others  # trigger unknown: the words alone decide


def test_a_contract_and_a_delivery_are_one_only_on_their_own_date() -> None:
    contract = _r(
        "a1",
        "a",
        date="2018-10-05",
        published="2018-10-05",
        objects=("s400",),
        text="India and Russia signed the contract",
    )
    delivery = _r(
        "b1",
        "b",
        "supply",
        published="2018-10-05",
        objects=("s400",),
        text="the supply of the systems to India",
    )
    assert not cl.same_happening(contract, delivery)
    assert cl.same_happening(contract, replace(delivery, date="2018-10-05"))


def test_one_facility_opened_on_one_day_joins_a_leader_and_his_state() -> None:
    widodo = _r(
        "a1",
        "a",
        "construction",
        date="2023-10-02",
        published="2023-10-02",
        actors=("widodo",),
        objects=("jakarta-bandung railway",),
        countries=frozenset({"ID"}),
        text="President Widodo inaugurated the high-speed railway",
    )
    indonesia = replace(
        widodo,
        id="b1",
        doc="b",
        actors=frozenset({"indonesia"}),
        states=frozenset({"indonesia"}),
        text="Indonesia launched the first high-speed train",
    )
    assert cl.same_happening(widodo, indonesia)
    other_day = replace(indonesia, date="2023-11-02", published="2023-11-02")
    assert not cl.same_happening(widodo, other_day)


def test_two_sectors_tied_only_by_the_states_and_a_year_are_two_happenings() -> None:
    us_cn_ru = frozenset({"US", "CN", "RU"})
    states = frozenset({"united states", "china", "russia"})
    lng = _r(
        "a1",
        "a",
        "supply",
        date="2017-12-08",
        published="2017-12-08",
        actors=("united states", "china", "russia", "yamal lng"),
        countries=us_cn_ru,
        text="the Arctic plant loaded its first cargo of liquefied gas",
    )
    arms = _r(
        "b1",
        "b",
        "supply",
        date="2017",
        published="2018-09-21",
        actors=("united states", "china", "russia"),
        countries=us_cn_ru,
        text="sanctions on an agency for buying fighter jets",
    )
    lng, arms = replace(lng, states=states), replace(arms, states=states, sector="defence")
    assert not cl.same_happening(lng, arms)
    # The same day, a product or a figure of their own would tie them despite the sectors.
    assert cl.same_happening(lng, replace(arms, date="2017-12-08"))


def test_one_articles_reports_naming_one_pair_of_states_differently_are_one() -> None:
    # "Russia started piping gas to China" and "Putin and Xi opened the pipeline" in one
    # article; another article, undated, names only the leaders.
    opened = "officially opened the gas pipeline"
    reports = [
        _r("a1", "A", "construction", date="2019-12-02", objects=("pipeline",), text=opened),
        _r(
            "a2",
            "A",
            "construction",
            date="2019-12-02",
            actors=("putin", "xi"),
            objects=("pipeline",),
            text=opened,
        ),
        _r("b1", "B", "construction", actors=("putin", "xi"), text=opened),
    ]
    ids = cluster_reports(reports)
    assert _together(ids, "a1", "a2")
    assert _together(ids, "a1", "b1")
    # The same pair of states but another facility, a figure of another deal or "other
    # agreements" is another happening of that article.
    other = replace(reports[1], objects=frozenset({"bridge"}))
    assert not cl.same_happening(reports[0], other)
    deal = _r("c1", "C", text="signed a $400 billion contract")
    leaders = replace(deal, id="c2", actors=frozenset({"putin", "xi"}))
    assert cl.same_happening(deal, leaders)
    assert not cl.same_happening(deal, replace(leaders, text="signed a $20 billion loan"))
    assert not cl.same_happening(deal, replace(leaders, text="inked eight other agreements"))


def test_one_articles_two_deals_of_one_pair_in_two_sectors_stay_apart() -> None:
    # "a credit agreement between Hungary and China" and "the agreement on the modernisation
    # of the railway line" in one article: a loan and a construction contract.
    hu_cn = {"actors": ("hungary", "china"), "countries": frozenset({"HU", "CN"})}
    loan = replace(_r("a1", "A", text="credit agreement concluded", **hu_cn), sector="finance")
    works = replace(loan, id="a2", sector="transport.rail", text="rail agreement concluded")
    assert not cl.same_happening(loan, works)
    assert cl.same_happening(loan, replace(works, sector="finance.loan"))


def test_a_visit_planned_for_the_day_it_is_reported_is_the_visit_held() -> None:
    in_ru = {"actors": ("india", "putin"), "countries": frozenset({"IN", "RU"})}
    held = _r("a1", "A", "talks", date="2018-10-05", published="2018-10-05", text="met", **in_ru)
    due = _r(
        "b1",
        "B",
        "talks",
        date="2018-10-05",
        published="2018-10-05",
        status="planned",
        text="two-day visit",
        **in_ru,
    )
    assert cl.same_happening(held, due)
    # Announced weeks ahead, a visit is a plan that may change: another happening.
    ahead = replace(due, published="2018-09-10")
    assert not cl.same_happening(held, ahead)
    assert not cl.same_happening(held, replace(due, date="2018-10")), "the day must be stated"


def test_an_undated_opening_naming_the_facilitys_kind_joins_that_facility() -> None:
    cn_la = {"actors": ("china", "laos"), "countries": frozenset({"CN", "LA"})}
    named = _r(
        "a1",
        "A",
        "construction",
        date="2021-12-03",
        published="2021-12-03",
        actors=("xi jinping", "lao party"),
        countries=frozenset({"CN", "LA"}),
        objects=("china laos railway",),
        text="attended the opening ceremony",
    )
    kind = _r("b1", "B", "construction", text="the opening of the Chinese-built railway", **cn_la)
    assert cl.same_happening(named, kind)
    # Another kind of thing, or the building of it rather than its opening, is not that one.
    assert not cl.same_happening(named, replace(kind, text="the opening of the new bridge"))
    assert not cl.same_happening(named, replace(kind, text="they are building the railway"))
