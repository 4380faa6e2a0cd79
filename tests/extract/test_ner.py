"""The gazetteer rulers around spaCy's NER."""

from __future__ import annotations

from typing import Any

import pytest
import spacy

from tieline.extract.gazetteer import Actor, Gazetteer, load_gazetteer
from tieline.extract.ner import add_gazetteer_ruler, ruler_patterns


def _gaz() -> Gazetteer:
    return Gazetteer(
        [
            Actor("China", "COUNTRY", "CN", aliases=("PRC",)),
            Actor("United States", "COUNTRY", "US", aliases=("US",)),
            Actor("Rosatom", "ORG", "RU", aliases=("Rosatom State Corporation",)),
            Actor("Shanghai Cooperation Organisation", "BLOC", None, acronyms=("SCO",)),
        ]
    )


def test_ner_patterns_split_states_from_other_actors() -> None:
    nlp = spacy.blank("en")
    states = ruler_patterns(nlp, _gaz(), states=True)
    others = ruler_patterns(nlp, _gaz(), states=False)
    assert {p["label"] for p in states} == {"COUNTRY"}
    assert "COUNTRY" not in {p["label"] for p in others}
    assert len(ruler_patterns(nlp, _gaz())) == len(states) + len(others)


def test_ner_short_capital_names_match_case_exactly() -> None:
    nlp = spacy.blank("en")
    add_gazetteer_ruler(nlp, _gaz())
    doc = nlp("Officials told us the US and the SCO would meet Rosatom State Corporation.")
    found = {(e.text, e.label_) for e in doc.ents}
    assert ("US", "COUNTRY") in found
    assert ("SCO", "BLOC") in found
    assert ("Rosatom State Corporation", "ORG") in found
    assert not any(e.text == "us" for e in doc.ents)


def test_ner_rulers_are_replaced_not_stacked() -> None:
    nlp = spacy.blank("en")
    add_gazetteer_ruler(nlp, _gaz())
    add_gazetteer_ruler(nlp, _gaz())
    assert nlp.pipe_names.count("tieline_gazetteer") == 1
    assert nlp.pipe_names.count("tieline_states") == 1


@pytest.mark.slow
def test_ner_state_names_do_not_cut_company_names(pipeline: Any) -> None:
    doc = pipeline.nlp("China Electronics Technology Group Corp signed a deal with Rostec.")
    labels = {e.text: e.label_ for e in doc.ents}
    assert "China" not in labels
    assert any(t.startswith("China Electronics Technology") for t in labels)


@pytest.mark.slow
def test_ner_gazetteer_wins_over_the_statistical_model(pipeline: Any) -> None:
    doc = pipeline.nlp("Gazprom and CNPC agreed on prices, and Rosatom will build two units.")
    got = {e.text: (e.label_, e.ent_id_) for e in doc.ents}
    assert got["Rosatom"] == ("ORG", "Rosatom")
    assert got["CNPC"][0] == "ORG"


def test_ner_user_gazetteer_extends_the_bundled_one(tmp_path: Any) -> None:
    from tieline.extract.gazetteer import load_gazetteer

    f = tmp_path / "mine.jsonl"
    f.write_text(
        '// my own actors\n{"name": "Sitronics", "type": "ORG", "country": "RU", '
        '"aliases": ["Sitronics Group"], "source": "company website"}\n',
        encoding="utf-8",
    )
    gaz = load_gazetteer([f])
    actor = gaz.lookup("Sitronics Group")
    assert actor is not None
    assert (actor.name, actor.country) == ("Sitronics", "RU")
    assert gaz.lookup("Rosatom") is not None  # the bundled actors are still there
    assert gaz.fingerprint != load_gazetteer().fingerprint


def test_ner_user_gazetteer_lists_members_of_a_group(tmp_path: Any) -> None:
    f = tmp_path / "mine.jsonl"
    f.write_text(
        '{"name": "Hanwha Group", "type": "ORG", "country": "KR", "aliases": ["Hanwha"]}\n'
        '{"name": "Hanwha Ocean", "type": "ORG", "country": "KR", "group": "Hanwha Group", '
        '"sectors": ["transport.shipping"]}\n'
        '{"name": "Hanwha Ocean", "type": "ORG", "country": "KR", "sectors": ["defence"]}\n',
        encoding="utf-8",
    )
    gaz = load_gazetteer([f])
    (ocean,) = gaz.members("Hanwha Group")
    # a later line of the same actor extends its sectors and keeps its group
    assert (ocean.name, ocean.group, ocean.sectors) == (
        "Hanwha Ocean",
        "Hanwha Group",
        ("transport.shipping", "defence"),
    )
    assert {m.name for m in gaz.members("Samsung Group")} >= {"Samsung Electronics", "Samsung C&T"}
    assert gaz.members("Rosatom") == ()


def test_ner_bad_user_gazetteer_line_names_file_and_line(tmp_path: Any) -> None:
    from tieline.errors import ConfigError
    from tieline.extract.gazetteer import load_gazetteer

    f = tmp_path / "bad.jsonl"
    f.write_text('{"name": "Sitronics", "type": "ORG"}\n{"name": "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.jsonl:2"):
        load_gazetteer([f])


@pytest.mark.parametrize(
    ("name", "country", "kind"),
    [
        ("Pune", "IN", "city"),
        ("Mariupol", "UA", "city"),
        ("Bombay", "IN", "city"),  # an older spelling of a big city
        ("Florida", "US", "region"),  # the US state before the Cuban town
        ("Maharashtra", "IN", "region"),
        ("Sichuan", "CN", "region"),  # 'Sichuan Sheng' without its kind word
    ],
)
def test_ner_places_come_from_geonames_and_iso_3166_2(name: str, country: str, kind: str) -> None:
    place = load_gazetteer().place(name)
    assert place is not None
    assert (place.country, place.kind) == (country, kind)


@pytest.mark.parametrize("name", ["China", "Russian", "Rosatom", "West", "Central", "Of"])
def test_ner_states_actors_and_geography_words_are_no_places(name: str) -> None:
    assert load_gazetteer().place(name) is None


@pytest.mark.parametrize(
    ("name", "country"),
    [
        ("Su-30MKI", "RU"),
        ("VVER-1200", "RU"),
        ("F404", "US"),
        ("K9", "KR"),
        ("Barak-8", "IL"),
        ("Rafale", None),
        ("C919", None),
    ],
)
def test_ner_designations_give_the_makers_state(name: str, country: str | None) -> None:
    assert load_gazetteer().designation_country(name) == country
