"""Resolution within a document: types, countries, roles, acronyms, short names, furniture.

The sentences are our own, written the way wire copy about energy, nuclear and rail deals
reads. They name real companies, some in the gazetteer and some deliberately not.
"""

from __future__ import annotations

from typing import Any

import pytest

from tieline.extract.resolve import resolve_document
from tieline.records import Entity

pytestmark = pytest.mark.slow


def entities(pipeline: Any, text: str) -> dict[str, Entity]:
    _, ents = resolve_document(pipeline.nlp(text), pipeline.gazetteer)
    return {e.name: e for e in ents}


def test_resolve_capitals_standing_for_governments_are_states(pipeline: Any) -> None:
    ents = entities(pipeline, "Beijing and Moscow signed a memorandum on nuclear energy on Monday.")
    assert ents["China"].type == "COUNTRY"
    assert "Beijing" in ents["China"].aliases
    assert ents["Russia"].country == "RU"


def test_resolve_capitals_as_places_are_no_actors(pipeline: Any) -> None:
    ents = entities(pipeline, "The delegation from Rosatom held talks in Beijing on Tuesday.")
    assert "China" not in ents
    assert ents["Rosatom"].country == "RU"


def test_resolve_demonyms_are_no_entities_but_give_countries(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "The Russian rolling-stock maker Transmashholding will supply "
        "trains to Egypt, the company said.",
    )
    assert not any(e.name in ("Russian", "Russians") for e in ents.values())
    assert ents["Transmashholding"].type == "ORG"
    assert ents["Transmashholding"].country == "RU"


def test_resolve_state_possessive_gives_country(pipeline: Any) -> None:
    ents = entities(pipeline, "Work on Russia's Ust-Luga terminal continued through the winter.")
    found = [e for e in ents.values() if e.name.startswith("Ust-Luga")]
    assert found
    assert found[0].type == "FACILITY"
    assert found[0].country == "RU"


@pytest.mark.parametrize(
    "text",
    [
        "Sakhalin Shipping Company (SASCO) will carry the cargo. SASCO said the first "
        "units would ship in May.",
        "SASCO (Sakhalin Shipping Company) will carry the cargo. SASCO said the first "
        "units would ship in May.",
    ],
)
def test_resolve_acronyms_defined_in_the_text_join_their_long_form(
    pipeline: Any, text: str
) -> None:
    ents = entities(pipeline, text)
    owners = [e for e in ents.values() if "SASCO" in (e.name, *e.aliases)]
    assert len(owners) == 1
    assert owners[0].name == "Sakhalin Shipping Company"
    assert owners[0].mention_count >= 3


def test_resolve_defined_terms_that_are_no_actors(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "Exports of Liquefied Natural Gas (LNG) rose after the Free Trade "
        "Agreement (FTA) took effect, Novatek said.",
    )
    assert set(ents) == {"Novatek"}


def test_resolve_surname_and_honorific_go_to_the_full_name(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "Russian Deputy Prime Minister Alexander Novak met Chinese "
        "officials on Monday. Mr. Novak said gas deliveries would grow. "
        "Novak added that prices were agreed.",
    )
    novak = ents["Alexander Novak"]
    assert novak.type == "PERSON"
    assert novak.country == "RU"
    assert novak.mention_count == 3
    assert novak.role == "Deputy Prime Minister of Russia"
    assert "Novak" not in ents
    assert "Mr. Novak" not in ents


def test_resolve_abbreviated_titles_go_to_the_full_name(pipeline: Any) -> None:
    ents = entities(
        pipeline, "Keir Starmer travelled to Delhi. PM Starmer signed a trade deal with India."
    )
    assert ents["Keir Starmer"].mention_count == 2
    assert "PM Starmer" not in ents


def test_resolve_apposition_gives_role_and_affiliation(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "Kirill Komarov, the first deputy director general of Rosatom, "
        "said the plant would be finished by 2026.",
    )
    komarov = ents["Kirill Komarov"]
    assert komarov.role is not None
    assert komarov.role.startswith("first deputy director general")
    assert komarov.affiliation == "Rosatom"
    assert komarov.country == "RU"


@pytest.mark.parametrize(
    ("text", "person", "role", "org"),
    [
        (
            "Rosneft chief executive Igor Sechin said the oil would ship in May.",
            "Igor Sechin",
            "chief executive of Rosneft",
            "Rosneft",
        ),
        (
            "Olga Sokolova, who heads Sitronics, visited Shanghai on Monday.",
            "Olga Sokolova",
            "head of Sitronics",
            "Sitronics",
        ),
    ],
)
def test_resolve_employer_before_a_title_or_in_a_relative_clause(
    pipeline: Any, text: str, person: str, role: str, org: str
) -> None:
    ents = entities(pipeline, text)
    assert ents[person].role == role
    assert ents[person].affiliation == org


def test_resolve_copula_gives_role_and_the_affiliations_country(pipeline: Any) -> None:
    ents = entities(
        pipeline, "Pavel Sokolov is an analyst with Sitronics, a Moscow-based technology group."
    )
    assert ents["Sitronics"].country == "RU"
    assert ents["Pavel Sokolov"].affiliation == "Sitronics"
    assert ents["Pavel Sokolov"].country == "RU"
    assert ents["Pavel Sokolov"].role == "analyst with Sitronics"


@pytest.mark.parametrize(
    ("text", "name", "etype"),
    [
        (
            "Gas began to flow through the Eastern Route pipeline last year.",
            "Eastern Route",
            "FACILITY",
        ),
        ("Kamaz showed its Atlant trucks at the Innoprom exhibition.", "Atlant", "PRODUCT"),
        ("He was awarded the Order of Courage for his service.", "Order of Courage", "AWARD"),
        ("Delegates gathered for the Harbin Trade Forum on Friday.", "Harbin Trade Forum", "EVENT"),
    ],
)
def test_resolve_head_nouns_decide_types(pipeline: Any, text: str, name: str, etype: str) -> None:
    ents = entities(pipeline, text)
    assert ents[name].type == etype


def test_resolve_product_made_by_a_company_takes_its_country(pipeline: Any) -> None:
    ents = entities(pipeline, "Several air forces bought the Wing Loong, which is made by AVIC.")
    wing = ents["Wing Loong"]
    assert wing.type == "PRODUCT"
    assert wing.country == "CN"


def test_resolve_what_a_company_makes_is_a_product(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "Two models compete: the Orion II is made by Kronstadt Group, "
        "and the Forpost is built by Rostec.",
    )
    found = [e for e in ents.values() if e.name.startswith("Orion")]
    assert found
    assert found[0].type == "PRODUCT"


def test_resolve_quoted_programme_names_with_a_year(pipeline: Any) -> None:
    ents = entities(
        pipeline, "Moscow presented its \u201cEnergy Strategy 2035\u201d at the summit."
    )
    assert ents["Energy Strategy 2035"].type == "INITIATIVE"


def test_resolve_model_designations_are_products(pipeline: Any) -> None:
    ents = entities(
        pipeline, "Ankara took delivery of the S-400 Triumf in 2019. The S-400 worried Washington."
    )
    s400 = ents["S-400 Triumf"]
    assert s400.type == "PRODUCT"
    assert "S-400" in s400.aliases


def test_resolve_generic_bodies_take_their_state_into_the_name(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "The missile is in service, and the Indian Army, Navy and Air Force all operate it.",
    )
    assert ents["Indian Navy"].country == "IN"
    assert "Navy" not in ents


def test_resolve_comment_form_furniture_never_becomes_an_actor(pipeline: Any) -> None:
    text = (
        "Gazprom raised exports to China.\n\nLeave a Reply\n\nYou are commenting using your "
        "Twitter account. Log Out /  Change )\n\nGoogle photo\n"
    )
    ents = entities(pipeline, text)
    assert set(ents) >= {"Gazprom", "China"}
    assert not {"Twitter", "Google"} & set(ents)


def test_resolve_social_brands_in_the_body_are_actors(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "Huawei lost access to Google services after the sanctions, the company said in Shenzhen.",
    )
    assert "Google" in ents
    assert ents["Huawei"].country == "CN"


def test_resolve_headline_names_need_the_body(pipeline: Any) -> None:
    text = (
        "Rosatom Partners With China On Localizing Fuel Assembly\n\n"
        "Rosatom and China agreed to produce fuel assemblies together, officials said."
    )
    ents = entities(pipeline, text)
    assert "Rosatom" in ents
    assert not any("Localizing" in n or "Partners" in n for n in ents)


def test_resolve_places_named_by_the_ner_as_organisations_are_places(pipeline: Any) -> None:
    ents = entities(
        pipeline, "Novatek loaded the first cargo at the port of Sabetta on the Yamal peninsula."
    )
    assert all(ents[n].type == "PLACE" for n in ("Sabetta", "Yamal") if n in ents)
    assert ents["Novatek"].country == "RU"


@pytest.mark.parametrize(
    ("text", "place", "country"),
    [
        ("Tata Motors opened a new assembly line in Pune last year.", "Pune", "IN"),
        (
            "The governor of Maharashtra attended the opening of the metro line.",
            "Maharashtra",
            "IN",
        ),
        (
            "Rosneft will build a refinery near Mariupol and Chennai, the company said.",
            "Chennai",
            "IN",
        ),
        ("Investors from Shenzhen and Dongguan toured the new port on Monday.", "Dongguan", "CN"),
    ],
)
def test_resolve_cities_and_regions_are_places_with_their_state(
    pipeline: Any, text: str, place: str, country: str
) -> None:
    ents = entities(pipeline, text)
    assert ents[place].type == "PLACE"
    assert ents[place].country == country


def test_resolve_places_are_never_actors_nor_capitals_places(pipeline: Any) -> None:
    ents = entities(
        pipeline, "Officials in Mumbai and Moscow met in Chennai to discuss nuclear fuel supplies."
    )
    assert not any(e.type in ("ORG", "PERSON") for e in ents.values())
    assert "Moscow" not in ents  # a capital as a place: left out, so it never splits its state


def test_resolve_facilities_named_after_their_town_take_its_state(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "Rosatom will build two units at the Paks NPP under the intergovernmental agreement.",
    )
    assert ents["Paks NPP"].type == "FACILITY"
    assert ents["Paks NPP"].country == "HU"


def test_resolve_based_and_headquartered_in_give_the_country(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "The engines are sold through Florida-based RD Amross, a joint "
        "venture, to the United Launch Alliance.",
    )
    assert ents["RD Amross"].country == "US"


def test_resolve_kremlin_and_capitals_standing_for_governments(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "The Kremlin said the deal was fair. The new law was passed to "
        "help Budapest obtain the Chinese loan.",
    )
    assert "Kremlin" in ents["Russia"].aliases
    assert ents["Hungary"].type == "COUNTRY"
    assert "Budapest" in ents["Hungary"].aliases


@pytest.mark.parametrize(
    ("text", "person", "country"),
    [
        (
            "Dmitry Rogozin met his Chinese counterpart, Wang Yang, in Irkutsk on Friday.",
            "Wang Yang",
            "CN",
        ),
        (
            "The investments were praised by the Chinese ambassador to Zambia, Li Qiangmin, on "
            "Tuesday.",
            "Li Qiangmin",
            "CN",
        ),
    ],
)
def test_resolve_people_in_apposition_to_a_title_take_its_state(
    pipeline: Any, text: str, person: str, country: str
) -> None:
    ents = entities(pipeline, text)
    assert ents[person].type == "PERSON"
    assert ents[person].country == country


@pytest.mark.parametrize(
    ("text", "full", "short"),
    [
        (
            "Commission President Ursula von der Leyen visited Beijing. "
            "Von der Leyen said the talks "
            "went well.",
            "Ursula von der Leyen",
            "Von der Leyen",
        ),
        (
            "President Recep Tayyip Erdoğan opened the pipeline. Erdogan called it historic.",
            "Recep Tayyip Erdoğan",
            "Erdogan",
        ),
        (
            "The Nuclear Suppliers Group meets in June. The Group admits new members by consensus.",
            "Nuclear Suppliers Group",
            "Group",
        ),
        (
            "Rosatom builds the Paks NPP in Hungary. The Paks plant will have two new units.",
            "Paks NPP",
            "Paks",
        ),
        (
            "Russia delivered the S-400 Triumf to India. The first S-400 regiment is deployed.",
            "S-400 Triumf",
            "S-400",
        ),
        (
            "United Launch Alliance buys Russian engines. ULA said it had enough of them.",
            "United Launch Alliance",
            "ULA",
        ),
    ],
)
def test_resolve_short_forms_join_the_full_name(
    pipeline: Any, text: str, full: str, short: str
) -> None:
    ents = entities(pipeline, text)
    assert short not in ents
    assert short in ents[full].aliases


def test_resolve_short_forms_keep_numbered_things_apart(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "Gazprom runs the Power of Siberia pipeline and plans the Power of Siberia 2 pipeline.",
    )
    names = {e.name for e in ents.values() if e.type == "FACILITY"}
    assert len(names) == 2


def test_resolve_people_listed_with_people_are_people(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "The leaders of Serbia and Bulgaria, Aleksandar Vucic and Boyko "
        "Borissov, joined the ceremony in Istanbul.",
    )
    assert ents["Boyko Borissov"].type == "PERSON"
    assert ents["Aleksandar Vučić"].type == "PERSON"  # the gazetteer knows the accents


def test_resolve_commission_names_joining_two_states_have_no_country(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "He co-chairs the Russian-Chinese intergovernmental commission on investment cooperation.",
    )
    body = [e for e in ents.values() if "commission" in e.name]
    assert body
    assert body[0].type == "ORG"
    assert body[0].country is None


def test_resolve_mentions_point_at_their_entity(pipeline: Any) -> None:
    text = "Gazprom and CNPC signed the deal. Gazprom will deliver the gas."
    mentions, ents = resolve_document(pipeline.nlp(text), pipeline.gazetteer)
    keys = {e.key for e in ents}
    assert all(m.entity_key in keys for m in mentions)
    gazprom = [m for m in mentions if m.text == "Gazprom"]
    assert len(gazprom) == 2
    assert all(text[m.start : m.end] == "Gazprom" for m in gazprom)


def test_resolve_referee_entity_floors_on_the_seeds(seed_scores: dict[str, Any]) -> None:
    """The referee's entity scores on the reference corpus stay at what we reached."""
    scores = seed_scores
    ent = scores["entities"]
    # measured: P 1.000, R 0.988, F1 0.994, type 1.000, country 0.988
    assert ent["f1"] >= 0.975, ent
    assert ent["precision"] >= 0.98, ent
    assert ent["type_accuracy"] >= 0.98, ent
    assert ent["country_accuracy"] >= 0.97, ent
    assert scores["resolution"]["errors"] == 0, scores["resolution"]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (
            "The talks between Russia & China ended on Friday with a joint statement.",
            "Russia & China",
        ),
        (
            "Pakistan’s Chashma plant will get a fifth unit, the Pakistan Atomic Energy Commission "
            "said.",
            "Pakistan’s Chashma",
        ),
        (
            "The Minister of Defence met the delegation from Rostec on Monday.",
            "Minister of Defence",
        ),
        ("The MoU was signed by Rosatom and the Bangladesh Atomic Energy Commission.", "MoU"),
    ],
)
def test_resolve_fragments_are_no_actors(pipeline: Any, text: str, fragment: str) -> None:
    ents = entities(pipeline, text)
    assert fragment not in ents
    assert not any(fragment in e.aliases for e in ents.values())


def test_resolve_a_dollar_sign_is_no_state(pipeline: Any) -> None:
    ents = entities(pipeline, "India signed a US $5 billion S-400 deal with Russia.")
    assert ents["S-400"].country != "US"


@pytest.mark.parametrize(
    ("text", "name", "country"),
    [
        (
            "Prime Minister Narendra Modi and German Chancellor Olaf "
            "Scholz launched a partnership.",
            "Olaf Scholz",
            "DE",
        ),
        (
            "Bangladesh will get its first reactor in 2024. Prime "
            "Minister Sheikh Hasina visited the "
            "site in Bangladesh on Sunday.",
            "Sheikh Hasina",
            "BD",
        ),
        (
            "Egypt signed the contract with Rosatom. The Ministry of Electricity of Egypt and the "
            "Ministry of Electricity said the plant will be finished in 2028.",
            "Ministry of Electricity",
            "EG",
        ),
    ],
)
def test_resolve_office_holders_and_state_bodies_take_the_state_the_text_is_about(
    pipeline: Any, text: str, name: str, country: str
) -> None:
    ents = entities(pipeline, text)
    found = ents.get(name) or next(e for e in ents.values() if name in e.aliases)
    assert found.country == country


def test_resolve_a_body_named_after_its_bloc_takes_no_state(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "China hosted the Council of Heads of Government of the Shanghai "
        "Cooperation Organisation in Beijing.",
    )
    council = next(e for e in ents.values() if e.name.startswith("Council of Heads"))
    assert council.country is None


def test_resolve_a_name_running_into_its_verb_is_dropped(pipeline: Any) -> None:
    ents = entities(pipeline, "Avtotor started SKD assembly of Chinese cars in Kaliningrad.")
    assert not any("started" in n for n in ents)


def test_resolve_a_capital_is_no_misspelt_actor(pipeline: Any) -> None:
    ents = entities(pipeline, "Antara reported that Ankara approved the pipeline deal.")
    assert not any("Ankara" in e.aliases for e in ents.values() if e.name == "Antara")


@pytest.mark.parametrize(
    ("text", "name", "etype", "country"),
    [
        (
            "The frigate INS Tushil was handed over to the Indian Navy in Kaliningrad.",
            "INS Tushil",
            "PRODUCT",
            "IN",
        ),
        (
            "The Commerce Department added the firms to the Entity List on Friday.",
            "Entity List",
            "INITIATIVE",
            None,
        ),
    ],
)
def test_resolve_ships_and_sanction_lists_are_no_people_or_organisations(
    pipeline: Any, text: str, name: str, etype: str, country: str | None
) -> None:
    ents = entities(pipeline, text)
    assert ents[name].type == etype
    if country:
        assert ents[name].country == country


def test_resolve_an_acronym_may_leave_out_an_adjective_in_front(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "India and Germany held the Biennial Inter-Governmental "
        "Consultations (IGC) in Berlin. The IGC ended with nine accords.",
    )
    assert "IGC" not in ents
    assert any("IGC" in e.aliases for e in ents.values())


def test_resolve_a_state_leading_a_bank_name_is_part_of_it(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "Russian importers pay through Ping An Bank, Bank of Ningbo, and "
        "China Zheshang Bank, traders said.",
    )
    assert "China Zheshang Bank" in ents
    assert ents["China Zheshang Bank"].country == "CN"


def test_resolve_reactor_technology_acronyms_are_no_actors(pipeline: Any) -> None:
    ents = entities(pipeline, "The plant will use a Russian PWR design supplied by Rosatom.")
    assert "PWR" not in ents
    assert ents["Rosatom"].type == "ORG"


def test_resolve_a_body_named_after_its_city_takes_its_state(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "Shenzhen Rural Commercial Bank stopped taking payments from Russian clients in March.",
    )
    assert ents["Shenzhen Rural Commercial Bank"].country == "CN"


def test_resolve_a_generic_body_joins_the_one_state_body_named_in_full(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "The U.S. Department of Commerce added Huawei to its list. The "
        "Department of Commerce said more firms would follow.",
    )
    us = ents["United States Department of Commerce"]
    assert "Department of Commerce" in us.aliases
    assert "Department of Commerce" not in ents


def test_resolve_an_acronym_glued_to_its_year_joins_its_long_form(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "Oil ministers met at the Caspian Oil Week (COW)-2024 in Baku on Tuesday.",
    )
    assert not any(")" in e.name for e in ents.values())
    week = [e for e in ents.values() if "COW" in e.aliases]
    assert week
    assert week[0].name == "Caspian Oil Week"


@pytest.mark.parametrize(
    ("text", "name", "etype"),
    [
        ("Work on the Rooppur-2 nuclear power plant resumed in March.", "Rooppur-2", "FACILITY"),
        ("Admirals met at the naval forum Fleet-2024 in Kronstadt.", "Fleet-2024", "EVENT"),
        ("India ordered more S-400 missile systems from Russia.", "S-400", "PRODUCT"),
    ],
)
def test_resolve_a_designation_takes_the_type_of_its_head_noun(
    pipeline: Any, text: str, name: str, etype: str
) -> None:
    assert entities(pipeline, text)[name].type == etype


def test_resolve_a_name_with_a_title_in_apposition_is_a_person(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "The figures were confirmed by Vadim Badekha, the General Director of the United "
        "Engine Corporation, at the show.",
    )
    assert ents["Vadim Badekha"].type == "PERSON"


def test_resolve_a_name_modifying_firm_is_an_organisation(pipeline: Any) -> None:
    ents = entities(
        pipeline, "Payments stalled, said Oleg Sidorov, the director of the Tsvetnaya Sfera firm."
    )
    assert ents["Tsvetnaya Sfera"].type == "ORG"
    assert ents["Oleg Sidorov"].type == "PERSON"


def test_resolve_a_list_of_rockets_shares_the_possessive_state(pipeline: Any) -> None:
    ents = entities(
        pipeline, "Energomash makes engines for Russia’s Soyuz, Angara and Proton launch vehicles."
    )
    for name in ("Soyuz", "Proton", "Angara"):
        assert ents[name].type == "PRODUCT", name
        assert ents[name].country == "RU", name


def test_resolve_a_product_takes_its_makers_country(pipeline: Any) -> None:
    ents = entities(pipeline, "Dealers said the Chery Tiggo cars sold well in Kazakhstan.")
    assert ents["Tiggo"].type == "PRODUCT"
    assert ents["Tiggo"].country == "CN"
    assert ents["Tiggo"].affiliation == "Chery"


def test_resolve_a_counterpart_takes_the_modifying_state(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "Germany's Economy Minister Robert Habeck and French counterpart, Bruno Le Maire "
        "met in Paris on Monday.",
    )
    assert ents["Bruno Le Maire"].country == "FR"
    assert ents["Robert Habeck"].country == "DE"


def test_resolve_the_other_sides_counterpart_gives_no_home_state(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "India and the U.S. want more trade. The U.S. and India met in Washington. Commerce "
        "Minister Piyush Goyal said that once his U.S. counterpart is confirmed, talks would "
        "start.",
    )
    assert ents["Piyush Goyal"].country == "IN"


def test_resolve_led_gives_a_country_like_based(pipeline: Any) -> None:
    ents = entities(pipeline, "Rome joined the Italian-led Tempest programme in 2019.")
    assert ents["Tempest"].country == "IT"


def test_resolve_a_smelter_is_a_facility(pipeline: Any) -> None:
    ents = entities(pipeline, "The firm is commissioning the new Luanshya Copper Smelter.")
    assert ents["Luanshya Copper Smelter"].type == "FACILITY"


def test_resolve_a_numbered_unit_of_a_named_site_is_a_facility_in_its_state(
    pipeline: Any,
) -> None:
    ents = entities(
        pipeline,
        "Rosatom will build two reactors at Kazakhstan's Ulken site. The first unit, "
        "Ulken-1, should start in 2035.",
    )
    assert ents["Ulken"].type == "FACILITY"
    assert ents["Ulken-1"].type == "FACILITY"
    assert ents["Ulken-1"].country == "KZ"


def test_resolve_a_palace_stands_in_the_state_its_sentence_names(pipeline: Any) -> None:
    ents = entities(
        pipeline, "The two leaders met at Akasaka Palace, the Japanese government said."
    )
    assert ents["Akasaka Palace"].country == "JP"


def test_resolve_a_pipeline_between_two_states_gets_no_state(pipeline: Any) -> None:
    ents = entities(
        pipeline, "Gazprom opened the Power of Siberia pipeline between Russia and China."
    )
    assert ents["Power of Siberia"].country is None


def test_resolve_a_plant_takes_its_owners_country(pipeline: Any) -> None:
    ents = entities(pipeline, "Russian Helicopters' Progress plant builds the Ka-52 helicopter.")
    assert ents["Progress"].type == "FACILITY"
    assert ents["Progress"].country == "RU"


def test_resolve_a_rule_list_takes_the_state_of_the_departments_named(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "The U.S. Department of Commerce added five Chinese firms to the Entity List on Friday.",
    )
    assert ents["Entity List"].type == "INITIATIVE"
    assert ents["Entity List"].country == "US"
    ents = entities(pipeline, "Huawei and ZTE remain on the Entity List, Beijing said.")
    assert ents["Entity List"].country is None


def test_resolve_an_acronym_defined_for_a_kind_names_the_thing_after_it(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "The engines will power India's home-built light-combat aircraft (LCA) Tejas. HAL "
        "has worked with GE on the Indian LCA since 1986, and the LCA flies with F404 engines.",
    )
    tejas = ents["Tejas"]
    assert tejas.type == "PRODUCT"
    assert tejas.country == "IN"
    assert {"LCA", "Indian LCA"} <= set(tejas.aliases)
    assert "LCA" not in ents
    assert "Indian LCA" not in ents


def test_resolve_a_kind_noun_before_a_vague_head_types_the_name(pipeline: Any) -> None:
    ents = entities(
        pipeline, "He criticised the Poseidon gas pipeline project planned by Greece and Italy."
    )
    assert ents["Poseidon"].type == "FACILITY"


def test_resolve_a_name_the_ner_calls_an_event_is_typed_by_its_head(pipeline: Any) -> None:
    ents = entities(pipeline, "Some of the Typhoon fighters are based at Coningsby.")
    assert ents["Typhoon"].type == "PRODUCT"


def test_resolve_a_fleet_after_port_of_is_a_body_not_a_place(pipeline: Any) -> None:
    ents = entities(
        pipeline, "The destroyer returned to San Diego, home port of the US Pacific Fleet."
    )
    assert ents["US Pacific Fleet"].type == "ORG"
    assert ents["US Pacific Fleet"].country == "US"
    assert ents["San Diego"].type == "PLACE"


def test_resolve_a_bank_in_a_list_of_one_states_banks_is_of_that_state(pipeline: Any) -> None:
    assert (
        entities(pipeline, "Exporters now pay through Zhongyuan Bank.")["Zhongyuan Bank"].country
        is None
    )
    ents = entities(
        pipeline,
        "Exporters now pay through Zhongyuan Bank, Bank of Jiangsu, China Minsheng Bank and "
        "Harbin Bank.",
    )
    assert ents["Zhongyuan Bank"].country == "CN"


def test_resolve_a_title_hung_on_the_next_noun_still_makes_an_office_holder(
    pipeline: Any,
) -> None:
    ents = entities(
        pipeline,
        "Pakistan signed the loan with China. Officials call it central to the Prime Minister "
        "Imran Khan government's power plan.",
    )
    assert ents["Imran Khan"].country == "PK"
    assert ents["Imran Khan"].role == "Prime Minister of Pakistan"


def test_resolve_a_law_runs_over_small_words_and_its_first_word_joins_it(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "The grant comes from the 2022 CHIPS and Science Act, the Commerce Department said. "
        "It adds $40 million in CHIPS funding to train workers.",
    )
    act = ents["CHIPS and Science Act"]
    assert act.type == "INITIATIVE"
    assert act.country == "US"
    assert "CHIPS" in act.aliases
    assert "CHIPS" not in ents


def test_resolve_two_laws_in_a_row_stay_two(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "Money flows under the Inflation Reduction Act and the Infrastructure Investment and "
        "Jobs Act, the Treasury said.",
    )
    assert ents["Inflation Reduction Act"].type == "INITIATIVE"
    assert ents["Infrastructure Investment and Jobs Act"].type == "INITIATIVE"


def test_resolve_titled_surname_tagged_as_an_organisation_is_the_person(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "PM Modi met Russian President Vladimir Putin in Moscow. Prime Minister Narendra Modi "
        "said India valued the partnership.",
    )
    modi = ents["Narendra Modi"]
    assert modi.type == "PERSON"
    assert "Modi" in modi.aliases
    assert "PM Modi" not in ents
    assert modi.role == "Prime Minister of India"


def test_resolve_title_words_of_company_names_stay_companies(pipeline: Any) -> None:
    ents = entities(pipeline, "General Electric will supply gas turbines to Rosatom next year.")
    assert ents["General Electric"].type == "ORG"


def test_resolve_model_codes_are_products_and_revisions_join_the_model(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "The army fielded K2 tanks and K9 gun-howitzers this year. Later it ordered K9A1 "
        "self-propelled howitzers from Hanwha Aerospace.",
    )
    k9 = ents["K9"]
    assert k9.type == "PRODUCT"
    assert "K9A1" in k9.aliases
    assert "K9A1" not in ents


def test_resolve_national_versions_of_a_model_stay_apart(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "Warsaw bought K9 howitzers from Seoul, and its own K9PL howitzers will be built later.",
    )
    assert "K9PL" not in ents["K9"].aliases
    assert ents["K9PL"].type == "PRODUCT"
    assert ents["K9PL"].country == "PL"  # Poland's version, named by its code


def test_resolve_dateline_agency_acronym_is_the_outlet(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "Source: Kestrel\n\nMOSCOW (KNS): A Russian plant will supply helicopters to "
        "Kazakhstan, the agency reported.",
    )
    assert "KNS" in ents["Kestrel"].aliases
    assert "KNS" not in ents


@pytest.mark.parametrize(
    ("text", "name", "alias"),
    [
        (
            "Gas goes into the pipeline system of the Chinese People's Republic, Miller said.",
            "China",
            "Chinese People's Republic",
        ),
        (
            "Under the deal with China's Exim Bank, Hungary will borrow 85 percent of the cost.",
            "Export-Import Bank of China",
            "Exim Bank",
        ),
    ],
)
def test_resolve_known_actor_named_with_its_state_apart(
    pipeline: Any, text: str, name: str, alias: str
) -> None:
    ents = entities(pipeline, text)
    assert alias in ents[name].aliases


def test_resolve_party_organ_stands_for_the_party(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "Xi Jinping met the General Secretary of the LPRP Central Committee. The Lao People's "
        "Revolutionary Party (LPRP) hailed the railway.",
    )
    assert "LPRP Central Committee" in ents["Lao People's Revolutionary Party"].aliases


def test_resolve_same_body_of_two_states_stays_two(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "India's Department of Commerce and the US Department of Commerce signed a memorandum "
        "on semiconductor supply chains.",
    )
    india = ents["Indian Department of Commerce"]
    us = ents["United States Department of Commerce"]
    assert (india.country, us.country) == ("IN", "US")
    assert india.key != us.key


def test_resolve_state_body_takes_the_gazetteer_name_of_its_state(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "The Department of Commerce said on Monday that Washington would add 36 Chinese "
        "companies to its Entity List.",
    )
    assert "Department of Commerce" in ents["United States Department of Commerce"].aliases


def test_resolve_social_handles_of_known_people_are_the_people(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "The plant brings forward the vision of President @EmmanuelMacron and PM @narendramodi, "
        "the embassy wrote on Friday.",
    )
    assert ents["Narendra Modi"].country == "IN"
    assert ents["Emmanuel Macron"].type == "PERSON"


def test_resolve_coordinated_bodies_are_two_bodies(pipeline: Any) -> None:
    ents = entities(
        pipeline,
        "In a new round of sanctions against Russia, the US Departments of State and Commerce "
        "targeted several entities.",
    )
    assert "Commerce" in ents["United States Department of Commerce"].aliases
    assert all(" and" not in name for name in ents)


def test_resolve_and_link_keep_two_states_bodies_apart_across_documents(pipeline: Any) -> None:
    from tieline.extract.link import link_entities

    docs = {
        "a": "India's Department of Commerce cut duties on Russian fertiliser on Tuesday.",
        "b": "The Department of Commerce added 36 Chinese firms to the Entity List, Washington "
        "said on Friday.",
    }
    rows = [
        {
            "doc_id": doc,
            "key": e.key,
            "name": e.name,
            "type": e.type,
            "country": e.country,
            "aliases": list(e.aliases),
            "mention_count": e.mention_count,
        }
        for doc, text in docs.items()
        for e in entities(pipeline, text).values()
    ]
    linked, _, _ = link_entities(rows, pipeline.gazetteer)
    bodies = {e.name: e.country for e in linked if "Department of Commerce" in e.name}
    assert bodies == {
        "Indian Department of Commerce": "IN",
        "United States Department of Commerce": "US",
    }


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # the sector of the sentence, else of the text, picks the member company
        (
            "Samsung will build two new memory chip plants in Texas, the governor said.",
            "Samsung Electronics",
        ),
        (
            "A Korean consortium will build four reactors for the new nuclear power plant. "
            "Its members are KEPCO, Samsung and Doosan.",
            "Samsung C&T",
        ),
        # a member named in full takes the bare name, whatever the sector
        (
            "Samsung C&T will build the new chip plant in Texas. Samsung said work starts in May.",
            "Samsung C&T",
        ),
        # no sector, or two members named: the group
        ("Samsung sponsored the football league for three seasons.", "Samsung Group"),
        (
            "Samsung Electronics and Samsung C&T signed a memorandum on solar panels. "
            "Samsung said the plant opens in 2026.",
            "Samsung Group",
        ),
    ],
)
def test_resolve_bare_group_name_is_the_member_the_text_is_about(
    pipeline: Any, text: str, name: str
) -> None:
    ents = entities(pipeline, text)
    assert name in ents
    assert "Samsung" in ents[name].aliases
    assert ents[name].country == "KR"
    if name != "Samsung Group":
        assert "Samsung Group" not in ents  # the bare name went to the member
