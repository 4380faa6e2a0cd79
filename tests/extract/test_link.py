"""Linking document-level entities across the corpus, and curator judgements."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tieline.extract.gazetteer import Actor, Gazetteer
from tieline.extract.link import link_entities
from tieline.extract.names import acronym_matches, name_key, typo_compatible

GAZ = Gazetteer(
    [
        Actor("Rostec", "ORG", "RU", aliases=("Russian Technologies",)),
        Actor("China Aerospace Science and Industry Corporation", "ORG", "CN", acronyms=("CASIC",)),
        Actor(
            "China Aerospace Science and Technology Corporation", "ORG", "CN", acronyms=("CASC",)
        ),
    ]
)


def row(
    doc: str,
    name: str,
    etype: str = "ORG",
    country: str | None = None,
    aliases: tuple[str, ...] = (),
    published: str | None = None,
    n: int = 1,
) -> dict[str, Any]:
    return {
        "doc_id": doc,
        "key": name_key(name),
        "name": name,
        "type": etype,
        "country": country,
        "aliases": json.dumps(list(aliases)),
        "role": None,
        "affiliation": None,
        "kb_id": None,
        "mention_count": n,
        "published": published,
    }


def by_name(rows: list[dict[str, Any]], judgements: tuple[dict[str, Any], ...] = ()) -> dict:
    ents, _keys, stats = link_entities(rows, GAZ, judgements)
    return {e.name: (e, stats[e.key]) for e in ents}


def test_link_gazetteer_alias_and_typo_join_one_actor() -> None:
    got = by_name(
        [row("a", "Rostec", country="RU"), row("b", "Russian Technologies"), row("c", "Rostoc")]
    )
    assert list(got) == ["Rostec"]
    ent, stats = got["Rostec"]
    assert {"Russian Technologies", "Rostoc"} <= set(ent.aliases)
    assert stats["doc_count"] == 3
    assert ent.country == "RU"


def test_link_casic_and_casc_stay_apart() -> None:
    got = by_name(
        [
            row("a", "CASIC"),
            row("a", "CASC"),
            row("b", "China Aerospace Science and Industry Corp"),
            row("b", "China Aerospace Science and Technology Corp"),
        ]
    )
    assert set(got) == {
        "China Aerospace Science and Industry Corporation",
        "China Aerospace Science and Technology Corporation",
    }


def test_link_members_of_one_group_that_share_a_short_name_stay_apart() -> None:
    gaz = Gazetteer(
        [
            Actor("Samsung Group", "ORG", "KR", aliases=("Samsung",)),
            Actor("Samsung Electronics", "ORG", "KR", group="Samsung Group"),
            Actor("Samsung C&T", "ORG", "KR", group="Samsung Group"),
        ]
    )
    rows = [
        row("a", "Samsung Electronics", country="KR", aliases=("Samsung",)),
        row("b", "Samsung C&T", country="KR", aliases=("Samsung",)),
        row("c", "Samsung Group", country="KR", aliases=("Samsung",)),
    ]
    ents, _keys, _stats = link_entities(rows, gaz, ())
    assert sorted(e.name for e in ents) == ["Samsung C&T", "Samsung Electronics", "Samsung Group"]


def test_link_surname_goes_to_the_one_full_name() -> None:
    got = by_name([row("a", "Alexei Miller", "PERSON", "RU"), row("b", "Miller", "PERSON")])
    assert list(got) == ["Alexei Miller"]
    assert got["Alexei Miller"][0].aliases == ("Miller",)


def test_link_people_sharing_a_surname_stay_apart() -> None:
    got = by_name(
        [
            row("a", "Wang Yi", "PERSON", "CN"),
            row("b", "Wang Wentao", "PERSON", "CN"),
            row("c", "Wang", "PERSON"),
        ]
    )
    assert set(got) == {"Wang Yi", "Wang Wentao", "Wang"}


def test_link_acronym_paired_in_one_document_resolves_bare_use_in_another() -> None:
    got = by_name([row("a", "Sakhalin Shipping Company", aliases=("SASCO",)), row("b", "SASCO")])
    assert list(got) == ["Sakhalin Shipping Company"]


def test_link_names_differing_in_small_words_are_one() -> None:
    got = by_name(
        [
            row("a", "Russian-Chinese commission on energy cooperation"),
            row("b", "Russian-Chinese commission for energy cooperation"),
        ]
    )
    assert len(got) == 1


def test_link_records_first_and_last_dates_and_mentions() -> None:
    got = by_name(
        [
            row("a", "Transmashholding", published="2021-03-01", n=2),
            row("b", "Transmashholding", published="2019-07-15", n=3),
        ]
    )
    ent, stats = got["Transmashholding"]
    assert ent.mention_count == 5
    assert (stats["first_seen"], stats["last_seen"]) == ("2019-07-15", "2021-03-01")


def test_link_types_follow_the_gazetteer_then_the_majority() -> None:
    got = by_name([row("a", "Mistral", "PRODUCT", n=3), row("b", "Mistral", "ORG", n=1)])
    assert got["Mistral"][0].type == "PRODUCT"


def test_link_curator_merge_joins_and_split_separates() -> None:
    rows = [
        row("a", "Sakhalin Energy"),
        row("b", "Sakhalin Energy Investment Company"),
        row("c", "Rostec", aliases=("Rostoc",)),
    ]
    assert len(by_name(rows)) == 3
    merged = by_name(
        rows,
        ({"kind": "merge", "a": "Sakhalin Energy", "b": "Sakhalin Energy Investment Company"},),
    )
    assert len(merged) == 2
    sakhalin = next(e for n, (e, _) in merged.items() if n.startswith("Sakhalin"))
    assert {sakhalin.name, *sakhalin.aliases} >= {
        "Sakhalin Energy",
        "Sakhalin Energy Investment Company",
    }
    split = by_name(rows, ({"kind": "split", "a": "Rostec", "alias": "Rostoc"},))
    assert "Rostoc" in split
    assert "Rostoc" not in split["Rostec"][0].aliases


def test_link_split_wins_over_automatic_links() -> None:
    rows = [row("a", "Rostec"), row("b", "Rostoc")]
    got = by_name(rows, ({"kind": "split", "a": "Rostec", "alias": "Rostoc"},))
    assert set(got) == {"Rostec", "Rostoc"}


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("rostec", "rostoc", True),
        ("shanghai cooperation organization", "shanghai coooperation organization", True),
        ("casic", "casc", False),
        ("wang yi", "wang yu", False),
        ("china aerospace science and industry", "china aerospace science and technology", False),
    ],
)
def test_link_typo_guard(a: str, b: str, same: bool) -> None:
    assert typo_compatible(a, b) is same


@pytest.mark.parametrize(
    ("acr", "long_form", "ok"),
    [
        ("CETC", "China Electronics Technology Group Corp", True),
        ("AVIC", "Aviation Industry Corporation of China", True),
        ("CAST", "Centre for Analysis of Strategies and Technologies", True),
        ("CASC", "China Aerospace Science & Industry Corp", False),
        ("CNPC", "China National Petroleum Corporation", True),
        ("AB", "Alpha Beta Gamma", False),
    ],
)
def test_link_acronym_matching(acr: str, long_form: str, ok: bool) -> None:
    assert acronym_matches(acr, long_form) is ok


_PARTS = [
    "rosatom",
    "rosatim",
    "rostec",
    "rostek",
    "gazprom",
    "gazprum",
    "china",
    "chinа",
    "energy",
    "energi",
    "nuclear",
    "nucleer",
    "li",
    "xi",
    "wang",
    "wan",
    "corp",
]


def test_fuzzy_buckets_put_a_slip_with_its_name_and_keep_initials_apart() -> None:
    from tieline.extract.link import fuzzy_buckets

    keys = [
        ("rosatom energy", "ORG"),
        ("rosatim energy", "ORG"),
        ("gazprom energy", "ORG"),
        ("rosatom", "ORG"),
        ("rosatim", "ORG"),
        ("rosatom", "PERSON"),
    ]
    buckets = fuzzy_buckets(keys)
    assert ["rosatim energy", "rosatom energy"] in buckets
    assert ["rosatim", "rosatom"] in buckets
    assert not any("gazprom energy" in b and "rosatom energy" in b for b in buckets)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(_PARTS), min_size=1, max_size=4).map(" ".join),
            st.sampled_from(["ORG", "PERSON"]),
        ),
        max_size=40,
        unique_by=lambda x: x[0],
    )
)
def test_fuzzy_buckets_hold_every_typo_compatible_pair(keys: list[tuple[str, str]]) -> None:
    from tieline.extract.link import fuzzy_buckets
    from tieline.extract.names import typo_compatible

    together = {(a, b) for ks in fuzzy_buckets(keys) for a in ks for b in ks}
    for a, ta in keys:
        for b, tb in keys:
            if a < b and ta == tb and typo_compatible(a, b):
                assert (a, b) in together, (a, b)


@pytest.mark.parametrize("short", ["Recep Erdogan", "Tayyip Erdogan"])
def test_link_a_name_without_its_middle_or_given_names_goes_to_the_full_one(short: str) -> None:
    got = by_name([row("a", "Recep Tayyip Erdoğan", "PERSON", "TR"), row("b", short, "PERSON")])
    assert list(got) == ["Recep Tayyip Erdoğan"]
    assert short in got["Recep Tayyip Erdoğan"][0].aliases


def test_link_particle_surname_goes_to_the_full_name_and_stays_apart_when_two_fit() -> None:
    got = by_name([row("a", "Jean-Yves Le Drian", "PERSON", "FR"), row("b", "Le Drian", "PERSON")])
    assert list(got) == ["Jean-Yves Le Drian"]
    got = by_name(
        [
            row("a", "Ana Maria Lopez", "PERSON"),
            row("b", "Ana Lopez", "PERSON"),
            row("c", "Ana Lucia Lopez", "PERSON"),
        ]
    )
    assert "Ana Lopez" in got  # two full names fit: the short one stays on its own


def test_link_an_alias_joins_only_within_one_state() -> None:
    got = by_name(
        [
            row("a", "Export-Import Bank of China", country="CN", aliases=("Exim Bank",)),
            row("b", "Exim Bank", country="IN"),
            row("c", "Exim Bank", country="IN"),
            row("d", "Rusatom Overseas", country="RU", aliases=("RAOS",)),
            row("e", "RAOS"),
        ]
    )
    assert got["Export-Import Bank of China"][0].country == "CN"
    assert got["Exim Bank"][0].country == "IN"
    assert got["Exim Bank"][1]["doc_count"] == 2
    assert "RAOS" not in got  # no country on one side: the alias still joins
