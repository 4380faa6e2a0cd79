# ruff: noqa: E501  (test sentences read better unbroken)
"""Event arguments: who takes part, read along the parse (our own sentences about public facts)."""

from __future__ import annotations

from typing import Any

import pytest

from tieline.extract.events import extract_events
from tieline.extract.resolve import resolve_document
from tieline.records import Document


def _events(pipeline: Any, text: str) -> list[Any]:
    doc = Document(id="arg0", source_key="arg0", text=text, name="arg0.txt", published="2023-06-12")
    sdoc = pipeline.nlp(text)
    mentions, entities = resolve_document(sdoc, pipeline.gazetteer)
    return extract_events(doc, sdoc, mentions, entities, pipeline.gazetteer, decider="rules")


def _parts(pipeline: Any, text: str, etype: str) -> set[str]:
    found = [e for e in _events(pipeline, text) if e.type == etype]
    assert found, f"no {etype} event in {text!r}"
    return {p.name for p in found[0].participants}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "etype", "want"),
    [
        (
            "Novatek said on Friday that it had signed a supply contract with Sinopec.",
            "agreement",
            {"Novatek", "Sinopec"},
        ),
        (
            "General Electric said it began working with Hindustan Aeronautics in 1986.",
            "cooperation",
            {"General Electric", "Hindustan Aeronautics Limited"},
        ),
    ],
)
def test_a_pronoun_under_a_reporting_verb_is_its_speaker(
    pipeline: Any, text: str, etype: str, want: set[str]
) -> None:
    assert want <= _parts(pipeline, text, etype)


@pytest.mark.slow
def test_a_state_describing_a_named_leader_is_no_party(pipeline: Any) -> None:
    parts = _parts(
        pipeline,
        "Chinese President Xi Jinping met Russian President Vladimir Putin in Moscow in March 2023.",
        "talks",
    )
    assert {"Xi Jinping", "Vladimir Putin"} <= parts
    assert not parts & {"China", "Russia"}


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    [
        "Russia signed a deal with India on frigates, a government source told The Hindu.",
        "Russia signed a deal with India on frigates, according to the consultancy Wood Mackenzie.",
    ],
)
def test_a_cited_source_is_no_party(pipeline: Any, text: str) -> None:
    assert _parts(pipeline, text, "agreement") == {"Russia", "India"}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "etype", "obj"),
    [
        (
            "India and Russia signed a deal in 2018 for the delivery of five S-400 systems.",
            "agreement",
            "S-400",
        ),
        (
            "Russia granted Hungary a loan to finance the construction of the Paks II nuclear power plant.",
            "investment",
            "Paks II Nuclear Power Plant",
        ),
    ],
)
def test_what_a_deal_or_loan_is_for_is_its_object(
    pipeline: Any, text: str, etype: str, obj: str
) -> None:
    assert obj in _parts(pipeline, text, etype)


@pytest.mark.slow
def test_the_plant_refers_back_to_the_plant_named_before(pipeline: Any) -> None:
    text = (
        "Rosatom is building the Akkuyu Nuclear Power Plant in Turkey. "
        "Russia and Turkey signed a contract for the construction of the plant in 2010."
    )
    found = [e for e in _events(pipeline, text) if e.type == "agreement"]
    assert found
    assert {"Russia", "Turkey", "Akkuyu Nuclear Power Plant"} <= {
        p.name for p in found[0].participants
    }


@pytest.mark.slow
def test_the_state_hosting_the_facility_takes_part(pipeline: Any) -> None:
    parts = _parts(
        pipeline,
        "Russia and China offered a loan in 2015 to build Egypt's first nuclear power plant.",
        "investment",
    )
    assert {"Russia", "China", "Egypt"} <= parts


@pytest.mark.slow
def test_a_state_after_a_city_is_where_not_who(pipeline: Any) -> None:
    parts = _parts(
        pipeline,
        "Rosatom held talks with the Hungarian government in Irkutsk, Russia, on Tuesday.",
        "talks",
    )
    assert {"Rosatom", "Hungary"} <= parts
    assert "Russia" not in parts


def _candidate_parts(pipeline: Any, text: str, etype: str, trigger: str) -> set[str]:
    """The participants read for one trigger, before any decider."""
    from tieline.extract.events import find_candidates

    doc = Document(id="arg1", source_key="arg1", text=text, name="arg1.txt", published="2023-06-12")
    sdoc = pipeline.nlp(text)
    mentions, entities = resolve_document(sdoc, pipeline.gazetteer)
    found = [
        c.event
        for c in find_candidates(doc, sdoc, mentions, entities, pipeline.gazetteer)
        if c.event.type == etype and c.event.trigger == trigger
    ]
    assert found, f"no {etype} candidate on {trigger!r} in {text!r}"
    return {p.name for p in found[0].participants}


@pytest.mark.slow
def test_the_helicopters_refer_back_to_what_was_named_as_helicopters(pipeline: Any) -> None:
    # The nearest product is the S-400; "the helicopters" are the ones named as helicopters.
    text = (
        "India ordered the Ka-226T helicopters in 2015. It also bought S-400 systems. "
        "Russia will deliver the helicopters next year."
    )
    parts = _candidate_parts(pipeline, text, "supply", "deliver")
    assert "Russia" in parts
    assert any(p.startswith("Ka-226") for p in parts)
    assert "S-400" not in parts


@pytest.mark.slow
def test_the_company_as_subject_is_the_organisation_named_before(pipeline: Any) -> None:
    text = "Rosatom won the tender in 2014, and the company signed the contract with Hungary."
    assert {"Rosatom", "Hungary"} <= _candidate_parts(pipeline, text, "agreement", "signed")


@pytest.mark.slow
def test_the_subject_of_a_relative_clause_on_the_trigger_is_a_party(pipeline: Any) -> None:
    text = "Russia has extended the loan it granted to Hungary in 2014."
    assert {"Russia", "Hungary"} <= _candidate_parts(pipeline, text, "investment", "loan")


@pytest.mark.slow
def test_a_state_where_a_deal_is_carried_out_is_no_party(pipeline: Any) -> None:
    text = "Rosatom and Tata Power signed an agreement on staff training in Vietnam."
    parts = _candidate_parts(pipeline, text, "agreement", "signed")
    assert {"Rosatom", "Tata Power"} <= parts
    assert "Vietnam" not in parts


@pytest.mark.slow
def test_a_conjunct_hanging_inside_a_name_is_a_party(pipeline: Any) -> None:
    text = (
        "The Ministry of Science and Technology of Vietnam and Rosatom signed a memorandum in 2016."
    )
    parts = _candidate_parts(pipeline, text, "agreement", "signed")
    assert "Rosatom" in parts
    assert "Vietnam" not in parts


@pytest.mark.slow
def test_with_the_help_of_names_a_party(pipeline: Any) -> None:
    text = (
        "Iran began building the Bushehr plant in 1975 with the help of the German company Siemens."
    )
    parts = _candidate_parts(pipeline, text, "construction", "building")
    assert {"Iran", "Siemens"} <= parts
    assert "Germany" not in parts
