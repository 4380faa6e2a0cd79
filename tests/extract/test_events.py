# ruff: noqa: E501  (test sentences read better unbroken)
"""Events: triggers, participants along the parse, direction, status, negation, dates, sectors.

The sentences are our own, news-like, about public facts; none is copied from the seeds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tieline.extract.events import (
    NAME,
    _sector_hits,
    extract_events,
    find_sector,
    load_sectors,
    load_triggers,
)
from tieline.extract.resolve import resolve_document
from tieline.records import EVENT_TYPES, Document


def test_lexicon_is_data_and_covers_every_type() -> None:
    lex = load_triggers()
    assert {r.type for rules in lex.values() for r in rules} == set(EVENT_TYPES)
    sign = {r.type: r for r in lex["sign"]}["agreement"]
    assert {"agreement", "contract", "memorandum", "protocol"} <= sign.objects
    assert NAME.startswith("events.rules.v")


def test_sector_codes_are_dotted_and_documented() -> None:
    codes = [s.code for s in load_sectors()]
    assert len(codes) == len(set(codes))
    for code in codes:
        if "." in code:
            assert code.rsplit(".", 1)[0] in codes, f"{code} has no parent sector"
    doc = (Path(__file__).resolve().parents[2] / "docs" / "taxonomy.md").read_text(encoding="utf-8")
    for code in codes:
        assert f"`{code}`" in doc


@pytest.mark.parametrize(
    ("text", "sector"),
    [
        ("an agreement on the construction of two nuclear power units", "energy.nuclear"),
        ("deliveries of liquefied natural gas", "energy.gas"),
        ("supplies of S-400 air defence missiles", "defence"),
        ("a contract for high-speed rail locomotives", "transport.rail"),
        ("cooperation in electric power", "energy.power"),
        ("a memorandum on lunar exploration and satellites", "aerospace.space"),
        ("the talks ended", None),
    ],
)
def test_sector_from_cue_words(text: str, sector: str | None) -> None:
    assert find_sector([text]) == sector


def test_sector_looks_in_the_nearest_text_first() -> None:
    assert find_sector(["", "oil supplies", "a nuclear deal"]) == "energy.oil"


@pytest.mark.parametrize(
    "text",
    [
        "Nuclear POWER plant, a nuclear-power deal and power engineering",
        "gas-fired power; LNG and oil",
        "non-nuclear energy_ oil-based fuels",
        "  hydrocarbons\nfuel-  energy",
        "İstanbul's energy and nuclear power, ſhipbuilding, oıl",  # letters re.I folds to a-z
        "",
    ],
)
def test_sector_cue_table_finds_what_the_patterns_find(text: str) -> None:
    # The cue table replaces one regex search per sector; it must give the same first hits.
    sectors = load_sectors()
    by_pattern = [(-s.depth, m.start(), s.code) for s in sectors if (m := s.pattern.search(text))]
    assert _sector_hits(text, sectors) == by_pattern


def test_doc_index_reads_tokens_as_the_plain_loop_does() -> None:
    # The index reads offsets and words once, not a spaCy Token per access; it must give what
    # iterating the tokens gives, names blanked, demonyms standing for their state.
    import spacy

    from tieline.extract.events import _DocIndex
    from tieline.extract.gazetteer import load_gazetteer
    from tieline.records import Entity, Mention

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    text = "Chinese firms met  Rosatom in Moscow. The Russian side signed a deal on oil!"
    sdoc = nlp(text)
    start = text.index("Rosatom")
    mention = Mention(start, start + 7, "Rosatom", "ORG", "gazetteer", "rosatom")
    idx = _DocIndex(sdoc, [mention], [Entity("rosatom", "Rosatom", "ORG")], load_gazetteer())
    assert idx.words == [t.text for t in sdoc]
    assert idx.starts == [t.idx for t in sdoc]
    named = {t.i for t in sdoc if t.text == "Rosatom"}
    assert set(idx.extent) == named
    chinese, russian = (next(t.i for t in sdoc if t.text == w) for w in ("Chinese", "Russian"))
    assert idx.tok[chinese].name == "China"
    assert idx.tok[russian].name == "Russia"
    for sent in sdoc.sents:
        plain = " ".join(t.text for t in sent if t.i not in named)
        assert idx.sentence_text(sent) == plain
        for lo, hi in ((sent.start_char, sent.end_char), (start - 3, start + 20), (0, 0)):
            plain = " ".join(t.text for t in sent if lo <= t.idx < hi and t.i not in named)
            assert idx.unnamed_text(sent.start, sent.end, (lo, hi)) == plain


# ------------------------------------------------------------------------------ with the model


def _events(
    pipeline: Any, text: str, published: str | None = "2023-06-12", decider: str = "rules"
) -> list[Any]:
    """The events of one text as a decider keeps them (the rules: these tests read the rules)."""
    doc = Document(id="ev0", source_key="ev0", text=text, name="ev0.txt", published=published)
    sdoc = pipeline.nlp(text)
    mentions, entities = resolve_document(sdoc, pipeline.gazetteer)
    return extract_events(doc, sdoc, mentions, entities, pipeline.gazetteer, decider=decider)


def _brief(ev: Any) -> tuple[str, str, dict[str, str]]:
    return ev.type, ev.status, {p.name: p.role for p in ev.participants}


@pytest.mark.slow
def test_a_signed_contract_is_an_agreement_with_both_companies(pipeline: Any) -> None:
    (ev,) = _events(
        pipeline, "Gazprom and CNPC signed a 30-year contract for gas supplies in May 2014."
    )
    assert ev.type == "agreement"
    assert ev.status == "done"
    assert {p.name for p in ev.actors} == {"Gazprom", "China National Petroleum Corporation"}
    assert ev.sector == "energy.gas"
    assert (ev.date, ev.date_precision, ev.date_source) == ("2014-05", "month", "explicit")


@pytest.mark.slow
def test_one_sentence_with_five_counterparts_is_one_event(pipeline: Any) -> None:
    (ev,) = _events(
        pipeline,
        "Kazakhstan signed five memorandums with China, Russia, India, Turkey and Uzbekistan.",
    )
    assert ev.type == "agreement"
    assert {p.name for p in ev.actors} == {
        "Kazakhstan",
        "China",
        "Russia",
        "India",
        "Turkey",
        "Uzbekistan",
    }
    assert ev.count == 5


@pytest.mark.slow
def test_construction_by_a_state_corporation(pipeline: Any) -> None:
    (ev,) = _events(pipeline, "Rosatom is building two reactors at a nuclear power plant in Egypt.")
    assert ev.type == "construction"
    assert {"Rosatom", "Egypt"} <= {p.name for p in ev.actors}
    assert ev.sector == "energy.nuclear"
    assert ev.count == 2


@pytest.mark.slow
def test_sanctions_run_from_the_sanctioner_to_the_targets(pipeline: Any) -> None:
    (ev,) = _events(
        pipeline,
        "The US Treasury imposed sanctions on Rosneft and Lukoil last month.",
        "2022-11-15",
    )
    roles = {p.name: p.role for p in ev.participants}
    assert ev.type == "sanction"
    assert roles["Rosneft"] == roles["Lukoil"] == "target"
    assert [r for r in roles.values() if r == "source"] == ["source"]
    assert (ev.date, ev.date_source) == ("2022-10", "relative")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "source", "target"),
    [
        (
            "Earlier this year, Russia delivered S-400 air defence systems to Turkey.",
            "Russia",
            "Turkey",
        ),
        ("India bought S-400 systems from Russia in October.", "Russia", "India"),
        ("Russia exports oil to India.", "Russia", "India"),
    ],
)
def test_supply_runs_from_supplier_to_recipient(
    pipeline: Any, text: str, source: str, target: str
) -> None:
    (ev,) = _events(pipeline, text)
    roles = {p.name: p.role for p in ev.participants}
    assert ev.type == "supply"
    assert (roles[source], roles[target]) == ("source", "target")


@pytest.mark.slow
def test_a_signing_that_is_due_is_planned(pipeline: Any) -> None:
    (ev,) = _events(
        pipeline, "Russia and India are due to sign an agreement on nuclear cooperation."
    )
    assert _brief(ev) == ("agreement", "planned", {"Russia": "party", "India": "party"})
    assert ev.evidence.startswith("Russia and India")


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    [
        "Chinese banks fear secondary sanctions and are wary of lending to Russian firms.",
        "Russia did not sign the agreement with Turkey.",
        "China might impose sanctions on Lockheed Martin if the sale goes ahead.",
        "Officials in Ankara denied that Turkey had signed a contract with Rosatom.",
        "Prospects are slim that France will ever deliver the ships to Russia.",
    ],
)
def test_negated_feared_and_speculative_events_are_dropped(pipeline: Any, text: str) -> None:
    assert _events(pipeline, text) == []


@pytest.mark.slow
def test_talks_between_two_states_with_their_topic(pipeline: Any) -> None:
    (ev,) = _events(
        pipeline,
        "Talks between Egypt and Russia on the construction of a nuclear plant were held in Cairo.",
    )
    assert ev.type == "talks"
    assert {"Egypt", "Russia"} <= {p.name for p in ev.actors}
    assert ev.sector == "energy.nuclear"


@pytest.mark.slow
def test_relative_dates_need_a_publication_date(pipeline: Any) -> None:
    text = "On Monday, Rosneft signed a deal with Indian Oil Corporation."
    (dated,) = _events(pipeline, text, "2022-12-07")
    (undated,) = _events(pipeline, text, None)
    assert (dated.date, dated.date_precision, dated.date_source) == (
        "2022-12-05",
        "day",
        "relative",
    )
    assert (undated.date, undated.date_source) == (None, None)


@pytest.mark.slow
def test_the_two_countries_stand_for_the_pair(pipeline: Any) -> None:
    text = (
        "Egypt and Russia have long traded grain. The two countries also agreed to build "
        "a nuclear power plant at El Dabaa."
    )
    (ev,) = _events(pipeline, text)
    assert ev.type == "agreement"
    assert {"Egypt", "Russia"} <= {p.name for p in ev.participants}


@pytest.mark.slow
def test_a_coordinated_cooperation_joins_the_specific_event(pipeline: Any) -> None:
    (ev,) = _events(
        pipeline,
        "Rosoboronexport has worked with India for decades and has supplied fighter jets and tanks.",
    )
    assert ev.type == "supply"
    assert {"Rosoboronexport", "India"} <= {p.name for p in ev.actors}
    assert ev.sector == "defence"


@pytest.mark.slow
def test_events_keep_provenance(pipeline: Any) -> None:
    text = "In Beijing on Tuesday, officials said that Rosatom and CNNC signed a contract for four reactors."
    doc = Document(id="ev1", source_key="ev1", text=text, name="ev1.txt", published="2021-05-20")
    (ev,) = pipeline.extract(doc).events
    assert ev.evidence in text
    assert text[ev.trigger_start : ev.trigger_end] == ev.trigger == "signed"
    assert ev.sentence_start <= ev.trigger_start < ev.sentence_end
    assert "Rosatom" in ev.evidence
    assert "reactors" in ev.evidence
    assert ev.id == pipeline.extract(doc).events[0].id  # deterministic


@pytest.mark.slow
def test_headlines_and_names_holding_trigger_words_give_no_events(pipeline: Any) -> None:
    text = (
        "Russia Signs Gas Deal With China\n\n"
        "The Shanghai Cooperation Organisation met in Astana, where Gazprom signed a gas "
        "supply contract with CNPC."
    )
    evs = _events(pipeline, text)
    assert [e.type for e in evs] == ["agreement"]
    assert evs[0].evidence.startswith("Gazprom")


@pytest.mark.slow
def test_buying_a_stake_is_an_investment_not_a_supply(pipeline: Any) -> None:
    (ev,) = _events(pipeline, "India's ONGC bought a 15% stake in Vankor from Rosneft.")
    assert ev.type == "investment"
    assert {p.name: p.role for p in ev.actors}["Rosneft"] == "source"


@pytest.mark.slow
def test_setting_up_a_venture_is_done_and_set_to_sign_is_planned(pipeline: Any) -> None:
    (done,) = _events(pipeline, "Sinopec and Sibur set up a joint venture to make polymers.")
    (plan,) = _events(pipeline, "Sinopec and Sibur are set to sign a contract for polymers.")
    assert (done.type, done.status) == ("cooperation", "done")
    assert (plan.type, plan.status) == ("agreement", "planned")


@pytest.mark.slow
def test_a_name_does_not_cue_a_sector(pipeline: Any) -> None:
    (ev,) = _events(pipeline, "The Silk Road Fund invested $1.2 billion in Yamal LNG.")
    assert ev.type == "investment"
    assert ev.sector != "transport.road"
    assert find_sector([""], ["Rosatom"]) == "energy.nuclear"


# ------------------------------------------------------------------------------ referee


@pytest.mark.slow
def test_referee_event_scores_on_the_seeds(seed_scores: dict[str, Any]) -> None:
    events = seed_scores["events"]
    # The default chain's trained decider finds more on unseen articles and adds events the
    # seed gold does not mark (talks, investors): recall and arguments hold, precision drops
    # (the rule decider alone, events.rules.v3, reaches F1 0.889 here).
    assert events["f1"] >= 0.77
    assert events["recall"] >= 0.9
    assert events["argument_f1"] >= 0.85
