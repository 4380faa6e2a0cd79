"""A facility's lifecycle: the ordered stages its events report (issue 16)."""

from __future__ import annotations

from tieline.query.entities import lifecycle


def _ev(i: int, type_: str, evidence: str, date: str | None, status: str = "done") -> dict:
    return {
        "id": f"e{i}",
        "type": type_,
        "evidence": evidence,
        "date": date,
        "published": "2020-01-01",
        "status": status,
        "doc": f"d{i}.txt",
    }


def test_stages_come_in_the_order_of_a_projects_life() -> None:
    events = [
        _ev(1, "construction", "the leaders opened the plant on Monday", "2019-12-02"),
        _ev(2, "agreement", "the two firms signed a contract to build the plant", "2014-05"),
        _ev(3, "construction", "workers poured the first concrete at the site", "2016"),
        _ev(4, "construction", "construction began in 2015", "2015"),
        _ev(5, "agreement", "the sides signed a memorandum on the plant", None, "negated"),
    ]
    stages = lifecycle(events)
    assert [(s["stage"], s["date"]) for s in stages] == [
        ("contract", "2014-05"),
        ("construction start", "2015"),
        ("operation", "2019-12-02"),
    ]
    assert stages[0]["evidence"].startswith("the two firms signed")


def test_an_undated_stage_takes_the_date_another_report_of_it_states() -> None:
    undated = {**_ev(1, "construction", "the leaders launched construction of two units", None)}
    undated["published"] = None
    undated["cluster_id"] = "c1"
    (stage,) = lifecycle([undated], {"c1": "2021-05-19"})
    assert (stage["stage"], stage["date"], stage["dated_by"]) == (
        "construction start",
        "2021-05-19",
        "cluster",
    )
    (alone,) = lifecycle([undated])
    assert alone["date"] is None
