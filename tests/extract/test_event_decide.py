"""Event candidates and deciders: trigger classes, the rule and the trained decider, the model file.

The sentences are our own, news-like, about public facts.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from tieline.errors import ConfigError
from tieline.extract.events import EventCandidate, find_candidates, load_trigger_classes
from tieline.extract.events.decide import (
    DIM,
    TrainedDecider,
    decide,
    load_model,
    rule_decide,
    vectorize,
)
from tieline.extract.resolve import resolve_document
from tieline.records import EVENT_TYPES, Document, Event, Participant
from tieline.train.events import _fit_weights, save


def test_trigger_classes_cover_every_type_with_verbs_and_nouns() -> None:
    classes = load_trigger_classes()
    types = {r.type for rules in classes.values() for r in rules}
    assert types == set(EVENT_TYPES)
    assert all(not r.strict for rules in classes.values() for r in rules)
    assert {r.pos for r in classes["sign"]} == {"VERB"}
    assert {r.type for r in classes["acquire"]} == {"supply", "investment"}


@pytest.mark.parametrize(
    ("lemma", "etype", "direction"),
    [
        ("ink", "agreement", None),
        ("groundbreaking", "construction", None),
        ("commission", "construction", None),
        ("ship", "supply", "supplier"),
        ("purchase", "supply", "buyer"),
        ("lend", "investment", None),
        ("blacklist", "sanction", "sanctioner"),
        ("summit", "talks", None),
        ("consortium", "cooperation", None),
        ("localise", "technology_transfer", None),
        ("medal", "award", None),
    ],
)
def test_trigger_class_forms(lemma: str, etype: str, direction: str | None) -> None:
    rule = {r.type: r for r in load_trigger_classes()[lemma]}[etype]
    assert rule.direction == direction


def test_conditioned_class_readings_come_before_the_bare_forms() -> None:
    develop = load_trigger_classes()["develop"]
    assert develop[0].type == "cooperation"
    assert "jointly" in develop[0].modifiers
    assert develop[0].cls == "joint"
    assert develop[-1].type == "construction"
    assert not develop[-1].modifiers
    listed = {r.cls: r for r in load_trigger_classes()["list"]}["named_list"]
    assert listed.named
    assert listed.type == "sanction"
    assert {r.type for r in load_trigger_classes()["break"]} == {"construction"}


def test_a_class_line_with_an_unknown_key_names_the_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import tieline.extract.events as ev

    rows = [(7, {"class": "x", "type": "supply", "verbs": ["sell"], "prep": ["to"]})]
    monkeypatch.setattr(ev, "_data_lines", lambda name: rows)
    with pytest.raises(ConfigError, match=r"trigger_classes.jsonl:7: unknown key"):
        ev.load_trigger_classes.__wrapped__()


def _candidate(
    etype: str = "supply",
    *,
    keep: bool = False,
    stated: bool = True,
    features: tuple[tuple[str, float], ...] = (("strict", 1.0),),
    sentence: int = 0,
    start: int = 0,
    parts: tuple[str, ...] = ("a", "b"),
    vector: tuple[float, ...] = (),
) -> EventCandidate:
    ev = Event(
        id=f"e{start}",
        type=etype,
        trigger="supplied",
        trigger_start=start,
        trigger_end=start + 8,
        sentence_start=0,
        sentence_end=40,
        evidence="A supplied B",
        participants=tuple(Participant(k, k.upper()) for k in parts),
    )
    return EventCandidate(
        event=ev,
        sentence=sentence,
        clause="A supplied gas to B",
        strict=True,
        rule_keep=keep,
        features=features,
        vector=vector,
        stated=stated,
    )


def _model(bias: float, threshold: float = 0.5) -> dict[str, Any]:
    return {"weights": [0.0] * DIM, "bias": bias, "threshold": threshold}


def test_rule_decider_keeps_what_the_rules_keep() -> None:
    cands = [_candidate(keep=True, start=0), _candidate(keep=False, start=20)]
    assert [e.trigger_start for e in rule_decide(cands)] == [0]
    assert [e.trigger_start for e in decide(cands, "rules")] == [0]


def test_trained_decider_adds_above_its_threshold_and_keeps_the_rules_events() -> None:
    cands = [
        _candidate(keep=True, start=0, sentence=0),
        _candidate(keep=False, start=50, sentence=1, parts=("c", "d")),
    ]
    assert len(TrainedDecider(_model(bias=5.0))(cands)) == 2
    assert [e.trigger_start for e in TrainedDecider(_model(bias=-5.0))(cands)] == [0]


def test_trained_decider_never_adds_what_the_text_does_not_state() -> None:
    cands = [_candidate(keep=False, stated=False)]
    assert TrainedDecider(_model(bias=5.0))(cands) == []


def test_trained_decider_folds_one_statement_into_one_event() -> None:
    # Same sentence, same type, a shared participant: one event, the best scored.
    cands = [_candidate(start=0), _candidate(start=10, parts=("b", "c"))]
    assert len(TrainedDecider(_model(bias=5.0))(cands)) == 1


def test_trained_decider_skips_a_repeat_of_a_kept_event() -> None:
    # "The two countries also discussed ...": flagged as an anaphoric repeat by the reading.
    repeat = (("flag=repeat", 1.0), ("strict", 1.0))
    cands = [_candidate(keep=False, start=0, sentence=2, features=repeat)]
    assert TrainedDecider(_model(bias=5.0))(cands) == []
    absorbed = (("flag=absorbed", 1.0),)
    cands = [_candidate("cooperation", keep=False, start=0, features=absorbed)]
    assert TrainedDecider(_model(bias=5.0))(cands) == []


def test_trained_decider_reports_one_happening_once_per_document() -> None:
    # Same type and the same participants in two sentences: the document refers back to one
    # happening; other participants or another type are another event.
    cands = [
        _candidate(start=0, sentence=0),
        _candidate(start=50, sentence=3),
        _candidate(start=90, sentence=5, parts=("a", "c")),
        _candidate("talks", start=120, sentence=6),
    ]
    kept = TrainedDecider(_model(bias=5.0))(cands)
    assert [(e.type, e.trigger_start) for e in kept] == [
        ("supply", 0),
        ("supply", 90),
        ("talks", 120),
    ]
    # The rules' own events stay even when they repeat.
    cands = [_candidate(keep=True, start=0), _candidate(keep=True, start=50, sentence=3)]
    assert len(TrainedDecider(_model(bias=5.0))(cands)) == 2


def test_a_later_report_naming_its_parties_with_a_figure_is_its_own_event() -> None:
    # "Russia aims to raise its gas supply to China by 10 bcm" after an earlier supply between
    # them is a report of its own; "the two countries' supply" with a figure is a reference.
    figure = (("figure", 1.0), ("strict", 1.0))
    first = _candidate(start=0, sentence=0)
    new = _candidate(start=50, sentence=3, features=figure)
    back = replace(_candidate(start=90, sentence=5, features=figure), named=False)
    bare = _candidate(start=120, sentence=6)
    kept = TrainedDecider(_model(bias=5.0))([first, new, back, bare])
    assert [e.trigger_start for e in kept] == [0, 50]


def test_vectorize_is_deterministic_and_inside_the_space() -> None:
    c = _candidate(features=(("strict", 1.0), ("type=supply", 1.0)))
    v = vectorize(c)
    assert v == vectorize(c)
    assert all(0 <= i < DIM for i in v)


def test_unknown_decider_names_the_choices() -> None:
    with pytest.raises(ConfigError, match="rules, trained"):
        decide([], "oracle")


def test_bad_model_file_says_which_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "events.json"
    bad.write_text("{\n  not json\n}", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"events\.json:2: not JSON"):
        load_model(str(bad))
    short = tmp_path / "short.json"
    short.write_text(json.dumps(_model(0.0) | {"weights": [0.0]}), encoding="utf-8")
    with pytest.raises(ConfigError, match="make train"):
        load_model(str(short))


def test_trained_decider_weighs_the_token_vectors() -> None:
    model = _model(bias=0.0) | {
        "dense_weights": [2.0, 0.0],
        "dense_mean": [1.0, 0.0],
        "dense_scale": [0.5, 1.0],
    }
    dec = TrainedDecider(model)
    high, low = _candidate(vector=(2.0, 9.0)), _candidate(vector=(0.0, 9.0))
    # (2 - 1) / 0.5 * 2 = 4 and (0 - 1) / 0.5 * 2 = -4 on top of the bias.
    assert dec.score(high) == pytest.approx(1 / (1 + math.exp(-4.0)))
    assert dec.score(low) == pytest.approx(1 / (1 + math.exp(4.0)))
    # A parse without vectors reads the hashed features only.
    assert dec.score(_candidate()) == pytest.approx(0.5)


def test_model_with_uneven_dense_parts_is_refused() -> None:
    bad = _model(0.0) | {"dense_weights": [1.0], "dense_mean": [], "dense_scale": []}
    with pytest.raises(ConfigError, match="differ in length"):
        TrainedDecider(bad)


def _training_set() -> tuple[list[EventCandidate], list[int]]:
    cands, ys = [], []
    for k in range(40):
        good = k % 3 == 0
        feats = (("strict", 1.0), (f"type={'supply' if good else 'talks'}", 1.0))
        vec = (float(good) + (k % 5) / 10, (k % 7) / 7)
        cands.append(_candidate(start=k, features=feats, vector=vec))
        ys.append(int(good))
    return cands, ys


def test_training_is_deterministic_and_learns_the_vectors(tmp_path: Path) -> None:
    cands, ys = _training_set()
    first, second = _fit_weights(cands, ys), _fit_weights(cands, ys)
    assert first == second
    assert len(first["dense_weights"]) == len(first["dense_mean"]) == 2
    # The first vector component tells the classes apart, so it weighs more than the second.
    assert first["dense_weights"][0] > abs(first["dense_weights"][1])
    dec = TrainedDecider(first | {"threshold": 0.5})
    assert dec.score(cands[0]) > dec.score(cands[1])
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    save(first | {"threshold": 0.5}, a)
    save(second | {"threshold": 0.5}, b)
    assert a.read_bytes() == b.read_bytes()


def test_training_without_vectors_gives_a_sparse_model() -> None:
    cands, ys = _training_set()
    bare = [replace(c, vector=()) for c in cands]
    model = _fit_weights(bare, ys)
    assert model["dense_weights"] == []
    assert len(model["weights"]) == DIM


def test_bundled_model_is_small() -> None:
    bundled = Path(str(resources.files("tieline") / "data" / "models" / "events.json"))
    assert bundled.stat().st_size < 1_000_000


def test_bundled_model_loads() -> None:
    dec = load_model()
    assert 0.0 < dec.threshold < 1.0


# ------------------------------------------------------------------------------ with the model


def _candidates(pipeline: Any, text: str) -> list[EventCandidate]:
    doc = Document(id="dc0", source_key="dc0", text=text, name="dc0.txt", published="2023-06-12")
    sdoc = pipeline.nlp(text)
    mentions, entities = resolve_document(sdoc, pipeline.gazetteer)
    return find_candidates(doc, sdoc, mentions, entities, pipeline.gazetteer)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "etype", "trigger"),
    [
        (
            "Rosatom began the construction of the Akkuyu plant in Turkey.",
            "construction",
            "construction",
        ),
        ("Germany will lend Egypt money for a new railway.", "investment", "lend"),
        ("The United States blacklisted Huawei last year.", "sanction", "blacklisted"),
        ("India purchased oil from Russia.", "supply", "purchased"),
        ("Chinese and Pakistani firms formed a consortium.", "cooperation", "consortium"),
    ],
)
def test_bare_trigger_forms_give_candidates(
    pipeline: Any, text: str, etype: str, trigger: str
) -> None:
    found = {(c.event.type, c.event.trigger) for c in _candidates(pipeline, text)}
    assert (etype, trigger) in found


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "etype", "trigger", "cls"),
    [
        (
            "Russia and China will jointly develop a wide-body airliner.",
            "cooperation",
            "develop",
            "joint",
        ),
        (
            "Japan and Britain set up a working group on a new fighter jet.",
            "cooperation",
            "group",
            "task_force",
        ),
        (
            "Vladimir Putin and Xi Jinping issued a joint statement in Moscow in March 2023.",
            "agreement",
            "statement",
            "joint_statement",
        ),
        ("Russia built two frigates for the Indian Navy.", "supply", "built", "build_for"),
        (
            "The Rooppur nuclear plant will come up in Bangladesh with Russian help.",
            "construction",
            "come",
            "come_up",
        ),
        (
            "Rosatom broke ground at the El Dabaa site in Egypt in 2022.",
            "construction",
            "broke",
            "break_ground",
        ),
        (
            "France will provide technology to India for the Scorpene submarines.",
            "technology_transfer",
            "provide",
            "give_technology",
        ),
        (
            "Vladimir Putin and Narendra Modi spoke at the India-Russia Business Forum.",
            "talks",
            "Forum",
            "named_meeting",
        ),
        (
            "The US Commerce Department added DJI to the Entity List in 2020.",
            "sanction",
            "List",
            "named_list",
        ),
        (
            "The Russia-China Investment Fund raised $1 billion from state banks in 2012.",
            "investment",
            "raised",
            "raise_money",
        ),
        # The lemmatiser gives "instal": the verb's stem still finds the class.
        (
            "Rosatom installed the first reactor vessel at the Akkuyu plant in Turkey.",
            "construction",
            "installed",
            "build",
        ),
    ],
)
def test_trigger_class_readings(
    pipeline: Any, text: str, etype: str, trigger: str, cls: str
) -> None:
    found = {(c.event.type, c.event.trigger): dict(c.features) for c in _candidates(pipeline, text)}
    assert (etype, trigger) in found
    assert found[etype, trigger][f"class={cls}"] == 1.0


@pytest.mark.slow
def test_raising_an_issue_is_no_investment(pipeline: Any) -> None:
    # "raise" is a money verb only with money as its object.
    cands = _candidates(pipeline, "India raised the issue of oil payments with Russia in May.")
    assert not [c for c in cands if c.event.type == "investment" and c.event.trigger == "raised"]


@pytest.mark.slow
def test_a_name_holding_a_trigger_word_is_no_candidate(pipeline: Any) -> None:
    cands = _candidates(pipeline, "The Shanghai Cooperation Organisation admitted Iran in 2023.")
    assert not [c for c in cands if c.event.type == "cooperation"]


@pytest.mark.slow
def test_negated_candidate_is_marked_not_stated(pipeline: Any) -> None:
    cands = _candidates(pipeline, "Russia did not supply the S-400 missiles to Turkey.")
    supply = [c for c in cands if c.event.type == "supply"]
    assert supply
    assert not any(c.stated for c in supply)
    assert all(c.event.status == "negated" for c in supply)


@pytest.mark.slow
def test_a_candidate_knows_whether_its_sentence_names_a_party(pipeline: Any) -> None:
    text = (
        "Russia and China signed a gas supply contract in May. "
        "The two countries also agreed to share technologies."
    )
    cands = _candidates(pipeline, text)
    by_sentence = {c.sentence: c.named for c in cands if c.event.participants}
    assert by_sentence[0] is True
    assert by_sentence[1] is False


@pytest.mark.slow
def test_a_threatened_sanction_is_stated_as_planned(pipeline: Any) -> None:
    # GUIDE: "warned it will face sanctions" is a planned sanction; a speculative supply is not.
    cands = _candidates(pipeline, "Turkey could face sanctions from the United States.")
    sanction = [c for c in cands if c.event.type == "sanction"]
    assert sanction
    assert all(c.stated and c.event.status == "planned" for c in sanction)
    cands = _candidates(pipeline, "Russia could supply more gas to China.")
    supply = [c for c in cands if c.event.type == "supply"]
    assert supply
    assert not any(c.stated for c in supply)


@pytest.mark.slow
def test_a_place_is_never_an_actor(pipeline: Any) -> None:
    cands = _candidates(pipeline, "Gazprom signed a supply contract with CNPC in Shanghai.")
    names = {p.name for c in cands for p in c.event.participants}
    assert "Shanghai" not in names


@pytest.mark.slow
def test_candidates_carry_token_vectors_and_document_features(pipeline: Any) -> None:
    text = (
        "Russia and China signed a $2 billion agreement on a gas pipeline on Monday. "
        "Officials in Moscow said the pipeline would carry gas from Siberia to China."
    )
    cands = _candidates(pipeline, text)
    sign = next(c for c in cands if c.event.type == "agreement")
    width = pipeline.nlp("x").tensor.shape[1]
    # The trigger's vector and its clause's mean, from the parse the reading already has.
    assert len(sign.vector) == 2 * width
    feats = dict(sign.features)
    assert feats["pair_both"] == 1.0
    assert feats["top_actor"] == 1.0
    assert feats["figure"] == 1.0
    assert feats["lead"] == 1.0


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "etype", "trigger", "flag"),
    [
        # The supply is the content of the signing the rules keep: its trigger is governed by it.
        (
            "Gazprom signed a contract to supply gas to China in 2014.",
            "supply",
            "supply",
            "under_rule",
        ),
        # Beside a rules' event of another type in the sentence, not under it.
        (
            "Exports of fuel to Egypt grew after Rosatom signed an agreement with Egypt.",
            "supply",
            "Exports",
            "beside_rule",
        ),
    ],
)
def test_rule_context_flags(pipeline: Any, text: str, etype: str, trigger: str, flag: str) -> None:
    found = {(c.event.type, c.event.trigger): dict(c.features) for c in _candidates(pipeline, text)}
    assert (etype, trigger) in found
    assert found[etype, trigger].get(f"flag={flag}") == 1.0
    # The rules' own event carries neither flag.
    kept = [c for c in _candidates(pipeline, text) if c.rule_keep]
    assert kept
    assert not any(
        dict(c.features).get(f"flag={f}") for c in kept for f in ("under_rule", "beside_rule")
    )


@pytest.mark.slow
def test_a_trigger_describing_a_noun_is_marked(pipeline: Any) -> None:
    # "trade and investment sectors": the conjunct "investment" describes "sectors" as
    # "trade" does; "invested" in the next sentence is a happening.
    text = (
        "Relations between Vietnam and Japan shape the trade and investment sectors. "
        "Japan invested $2 billion in Vietnam in 2019."
    )
    found = {(c.event.type, c.event.trigger): dict(c.features) for c in _candidates(pipeline, text)}
    assert found["investment", "investment"]["noun_modifier"] == 1.0
    assert found["investment", "invested"]["noun_modifier"] == 0.0
