# ruff: noqa: E501  (test sentences read better unbroken)
"""Figures: the number grammar, periods, and measure/status/period from the clause.

The sentences are our own, news-like, about public facts; none is copied from the seeds.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tieline.extract.quantities import (
    SCALES,
    extract_figures,
    find_amounts,
    find_periods,
    parse_amount,
    parse_period,
)
from tieline.records import Document

# ------------------------------------------------------------------------------ amounts


@pytest.mark.parametrize(
    ("phrase", "value", "unit"),
    [
        ("US$65.8 billion", 65.8e9, "USD"),
        ("$3bn", 3e9, "USD"),
        ("\\$2 billion", 2e9, "USD"),
        ("$5m", 5e6, "USD"),
        ("$1-billion", 1e9, "USD"),
        ("1.2m tonnes", 1.2e6, "t"),
        ("USD 4.5 billion", 4.5e9, "USD"),
        ("1.5 trillion roubles", 1.5e12, "RUB"),
        ("700 billion rubles", 7e11, "RUB"),
        ("¥10 billion", 1e10, "CNY"),
        ("10 billion yuan", 1e10, "CNY"),
        ("RMB 3.2 billion", 3.2e9, "CNY"),
        ("€2.5m", 2.5e6, "EUR"),
        ("£450 million", 4.5e8, "GBP"),
        ("Rs 2,500 crore", 2.5e10, "INR"),
        ("five billion dollars", 5e9, "USD"),
        ("a billion dollars", 1e9, "USD"),
        ("1,200,000 dollars", 1.2e6, "USD"),
        ("31 percent", 31, "percent"),
        ("2%", 2, "percent"),
        ("4.5 per cent", 4.5, "percent"),
        ("100 million tonnes", 1e8, "t"),
        ("50 million tons", 5e7, "t"),
        ("38 bcm", 3.8e10, "m3"),
        ("38 billion cubic metres", 3.8e10, "m3"),
        ("1.6 million barrels per day", 1.6e6, "bbl/d"),
        ("300,000 bpd", 3e5, "bbl/d"),
        ("78 projects", 78, "count"),
        ("twelve joint ventures", 12, "count"),
    ],
)
def test_parse_amount_reads_value_and_unit(phrase: str, value: float, unit: str) -> None:
    a = parse_amount(phrase)
    assert a is not None, phrase
    assert a.unit == unit
    assert a.value == pytest.approx(value, rel=1e-12)


def test_parse_amount_sets_iso_currency_only_for_money() -> None:
    money = parse_amount("1.5 trillion roubles")
    volume = parse_amount("38 bcm")
    assert money is not None
    assert money.currency == "RUB"
    assert money.kind == "money"
    assert volume is not None
    assert volume.currency is None
    assert volume.kind == "volume"


@pytest.mark.parametrize(
    "phrase",
    [
        "five agreements",
        "two countries",
        "the 25th meeting",
        "12 years",
        "ten years",
        "in 2021",
        "MQ-1 Predator",
        "5G networks",
        "the 071 series",
        "3,000 workers",
        "45 days",
        "Vision 2025",
        "in 2019 won the tender",
        "5m long",
        "the two projects",
        "$90 a barrel",
        "$350 per thousand cubic metres",
        "$60/bbl",
    ],
)
def test_numbers_that_measure_no_cooperation_are_not_amounts(phrase: str) -> None:
    assert find_amounts(phrase) == []


def test_runs_of_digits_too_long_for_an_amount_are_skipped() -> None:
    text = "$" + "9" * 400 + " trillion, " + "7" * 300 + " projects and 3 billion more, up 5%"
    assert [(a.text, a.value) for a in find_amounts(text)] == [("5%", 5.0)]


def test_approximate_amounts_keep_their_value() -> None:
    text = "Russia shipped more than 50 million tons of oil and upward of $2 billion in arms."
    got = find_amounts(text)
    assert [(a.value, a.unit, a.approx) for a in got] == [(5e7, "t", True), (2e9, "USD", True)]
    for a in got:
        assert text[a.start : a.end] == a.text


def test_amount_spans_point_into_the_text() -> None:
    text = "The bank lent ¥10 billion, and 78 projects worth US$160 billion are under way."
    got = find_amounts(text)
    assert [text[a.start : a.end] for a in got] == ["¥10 billion", "78 projects", "US$160 billion"]


_CURRENCY_MARKS = [
    ("US$", "USD"),
    ("$", "USD"),
    ("€", "EUR"),
    ("¥", "CNY"),
    ("RMB ", "CNY"),
    ("£", "GBP"),
    ("₽", "RUB"),
    ("HK$", "HKD"),
]
_CURRENCY_WORDS = [
    ("dollars", "USD"),
    ("yuan", "CNY"),
    ("roubles", "RUB"),
    ("rubles", "RUB"),
    ("euros", "EUR"),
    ("rupees", "INR"),
    ("yen", "JPY"),
]


@settings(max_examples=300, deadline=None)
@given(
    number=st.decimals(
        min_value=Decimal("0.01"),
        max_value=Decimal("999999"),
        places=2,
        allow_nan=False,
        allow_infinity=False,
    ),
    scale=st.sampled_from(sorted(SCALES)),
    mark=st.sampled_from(_CURRENCY_MARKS),
    grouped=st.booleans(),
)
def test_money_with_a_mark_round_trips(
    number: Decimal, scale: str, mark: tuple[str, str], grouped: bool
) -> None:
    digits = f"{number:,}" if grouped else f"{number}"
    phrase = f"{mark[0]}{digits} {scale}"
    a = parse_amount(phrase)
    assert a is not None, phrase
    assert a.unit == mark[1]
    assert a.value == pytest.approx(float(number * SCALES[scale]), rel=1e-9)


@settings(max_examples=200, deadline=None)
@given(
    number=st.integers(min_value=1, max_value=10**6),
    scale=st.sampled_from(["thousand", "million", "billion", "trillion", "bn", "mln"]),
    word=st.sampled_from(_CURRENCY_WORDS),
    prefix=st.sampled_from(["", "more than ", "about ", "upward of "]),
)
def test_money_with_a_currency_word_round_trips(
    number: int, scale: str, word: tuple[str, str], prefix: str
) -> None:
    phrase = f"{prefix}{number} {scale} {word[0]}"
    a = parse_amount(phrase)
    assert a is not None, phrase
    assert (a.unit, a.value) == (word[1], pytest.approx(number * SCALES[scale]))
    assert a.approx == bool(prefix)
    assert a.text == phrase[len(prefix) :]


@settings(max_examples=200, deadline=None)
@given(
    number=st.integers(min_value=1, max_value=999),
    unit=st.sampled_from(
        [
            ("tonnes", "t", 1),
            ("percent", "percent", 1),
            ("%", "percent", 1),
            ("bcm", "m3", 10**9),
            ("barrels per day", "bbl/d", 1),
        ]
    ),
)
def test_volumes_and_percentages_round_trip(number: int, unit: tuple[str, str, int]) -> None:
    sep = "" if unit[0] == "%" else " "
    a = parse_amount(f"{number}{sep}{unit[0]}")
    assert a is not None
    assert (a.unit, a.value) == (unit[1], number * unit[2])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_the_parsers_never_crash_on_arbitrary_text(text: str) -> None:
    for a in find_amounts(text):
        assert 0 <= a.start < a.end <= len(text)
        assert text[a.start : a.end] == a.text
        assert a.value >= 0
    parse_amount(text)
    for p in find_periods(text, "2020-05-17"):
        assert 0 <= p.begin < p.end <= len(text)
    parse_period(text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "$",
                "US$",
                "€",
                "¥",
                "5",
                "1,000",
                ".",
                "billion",
                "bn",
                " ",
                "percent",
                "%",
                "tonnes",
                "projects",
                "2021",
                "by",
                "first",
                "months",
                "of",
                "-",
                "\\",
                "m",
                "k",
                "roubles",
                "a year",
            ]
        ),
        max_size=30,
    )
)
def test_the_parsers_never_crash_on_number_soup(parts: list[str]) -> None:
    text = "".join(parts)
    for a in find_amounts(text):
        assert text[a.start : a.end] == a.text
    find_periods(text, None)


# ------------------------------------------------------------------------------ periods


@pytest.mark.parametrize(
    ("phrase", "published", "label", "start", "end"),
    [
        ("in the first five months of 2022", None, "2022-01/2022-05", "2022-01-01", "2022-05-31"),
        ("in the first 7 months of 2023", None, "2023-01/2023-07", "2023-01-01", "2023-07-31"),
        ("in the first half of 2021", None, "2021-01/2021-06", "2021-01-01", "2021-06-30"),
        ("in Q3 2019", None, "2019-07/2019-09", "2019-07-01", "2019-09-30"),
        ("in the second quarter of 2020", None, "2020-04/2020-06", "2020-04-01", "2020-06-30"),
        ("in January-May 2022", None, "2022-01/2022-05", "2022-01-01", "2022-05-31"),
        ("in February 2024", None, "2024-02", "2024-02-01", "2024-02-29"),
        ("in 2021", None, "2021", "2021-01-01", "2021-12-31"),
        ("by 2030", None, "2030", "2030-01-01", "2030-12-31"),
        ("between 2015 and 2020", None, "2015/2020", "2015-01-01", "2020-12-31"),
        ("annually", None, "annual", None, None),
        ("a year", None, "annual", None, None),
        ("this year", "2019-11-05", "2019", "2019-01-01", "2019-12-31"),
        ("last year", "2019-11-05", "2018", "2018-01-01", "2018-12-31"),
        (
            "in the first four months of this year",
            "2023-06-01",
            "2023-01/2023-04",
            "2023-01-01",
            "2023-04-30",
        ),
        ("by April", "2019-11-05", "2019-04", "2019-04-01", "2019-04-30"),
    ],
)
def test_parse_period(
    phrase: str, published: str | None, label: str, start: str | None, end: str | None
) -> None:
    p = parse_period(phrase, published)
    assert p is not None
    assert (p.label, p.start_date, p.end_date) == (label, start, end)


@pytest.mark.parametrize("phrase", ["this year", "last year", "by April", "year-end"])
def test_relative_periods_stay_null_without_a_publication_date(phrase: str) -> None:
    p = parse_period(phrase, None)
    assert p is not None
    assert p.label is None


@pytest.mark.parametrize(
    "phrase",
    [
        "a year ago",
        "a year earlier",
        "year-on-year",
        "Vision 2025",
        "Made in China 2025",
        "may rise",
    ],
)
def test_phrases_that_fix_no_period(phrase: str) -> None:
    assert parse_period(phrase, "2020-01-01") is None


def test_deadline_and_reference_years_are_marked() -> None:
    got = {
        p.label: p.kind
        for p in find_periods(
            "rose to $110 billion in 2019 from $108 billion in 2018, and should reach $200 billion by 2024"
        )
    }
    assert got == {"2019": "year", "2018": "year", "2024": "deadline"}
    ref = find_periods("up 20% compared with 2018")
    assert [p.kind for p in ref] == ["reference"]


# ------------------------------------------------------------------------------ figures


def _figures(pipeline: Any, text: str, published: str | None = "2023-06-10") -> list[Any]:
    doc = Document(id="t0", source_key="t0", text=text, name="t0.txt", published=published)
    return list(pipeline.extract(doc).figures)


def _brief(figs: list[Any]) -> list[tuple[Any, ...]]:
    return [(f.measure, f.value, f.unit, f.status, f.period) for f in figs]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Trade between India and Russia climbed to $65.7 billion in 2023, official data showed.",
            [("trade_turnover", 65.7e9, "USD", "actual", "2023")],
        ),
        (
            "In the first seven months of 2023, bilateral trade between China and Brazil amounted to US$98 billion.",
            [("trade_turnover", 98e9, "USD", "actual", "2023-01/2023-07")],
        ),
        (
            "India and Russia aim to raise bilateral trade to $100 billion by 2030.",
            [("trade_turnover", 1e11, "USD", "target", "2030")],
        ),
        (
            "Trade between Turkey and Russia is expected to reach $60 billion next year, the minister said.",
            [("trade_turnover", 6e10, "USD", "forecast", "2024")],
        ),
        (
            "Russia will supply 38 bcm of natural gas to China annually through the pipeline.",
            [("supply_volume", 3.8e10, "m3/yr", "target", "annual")],
        ),
        (
            "India imported 1.6 million barrels per day of Russian crude in May 2023.",
            [("supply_volume", 1.6e6, "bbl/d", "actual", "2023-05")],
        ),
        (
            "Rail freight between Kazakhstan and China reached 28 million tonnes in 2022.",
            [("cargo_volume", 2.8e7, "t", "actual", "2022")],
        ),
        (
            "Exports of Russian coal to India rose 40 percent in the first half of 2022.",
            [("export_growth", 40, "percent", "actual", "2022-01/2022-06")],
        ),
        (
            "Japan's share of Australia's LNG exports is about 40%.",
            [("export_share", 40, "percent", "actual", None)],
        ),
        (
            "Rosatom is building the plant with a loan of 10 billion euros from the state fund.",
            [("investment_value", 1e10, "EUR", "actual", None)],
        ),
        (
            "The two governments approved 12 joint projects worth 1.5 trillion roubles.",
            [
                ("project_count", 12, "count", "actual", None),
                ("project_value", 1.5e12, "RUB", "actual", None),
            ],
        ),
        (
            "Saudi Arabia sold oil worth $30 billion to China in 2021.",
            [("export_value", 3e10, "USD", "actual", "2021")],
        ),
        (
            "Russian oil accounted for 35% of India's crude imports in 2023.",
            [("supply_share", 35, "percent", "actual", "2023")],
        ),
        (
            "Chinese investment in Russia fell to 1.5 billion dollars in 2015 from 2.3 billion in 2014.",
            [
                ("investment_value", 1.5e9, "USD", "actual", "2015"),
                ("investment_value", 2.3e9, "USD", "actual", "2014"),
            ],
        ),
        (
            "Gas deliveries to China reached 22.7 bcm in 2023 and are set to rise to 38 bcm in 2025.",
            [
                ("supply_volume", 2.27e10, "m3", "actual", "2023"),
                ("supply_volume", 3.8e10, "m3", "forecast", "2025"),
            ],
        ),
        (
            "The two governments set a goal of $200 billion in annual trade by 2024.",
            [("trade_turnover", 2e11, "USD", "target", "2024")],
        ),
        (
            "Trade between Iran and China will be worth $30 billion in 2025.",
            [("trade_turnover", 3e10, "USD", "forecast", "2025")],
        ),
        (
            "The partners put $3 billion in new solar projects in Egypt.",
            [("investment_value", 3e9, "USD", "actual", None)],
        ),
        (
            "Novatek holds 50.1% of the venture, and CNPC and TotalEnergies each own 20%.",
            [
                ("ownership_share", 50.1, "percent", "actual", None),
                ("ownership_share", 20, "percent", "actual", None),
            ],
        ),
        ("India's trade deficit with Russia widened to $57 billion in 2023.", []),
        ("India buys Russian oil at a 30% discount and pays $60 a barrel.", []),
        (
            "Washington imposed tariffs of 25% on Chinese imports worth $50 billion.",
            [("import_value", 5e10, "USD", "actual", None)],
        ),
        (
            "Trade between Chile and China grew 30% in 2022. Inflation in Chile rose to 7.4% that year.",
            [("trade_growth", 30, "percent", "actual", "2022")],
        ),
        (
            "Russia sold 20 million tonnes of wheat to Egypt in 2022. That was 15% more than in 2021.",
            [
                ("supply_volume", 2e7, "t", "actual", "2022"),
                ("supply_growth", 15, "percent", "actual", "2022"),
            ],
        ),
        (
            "Sinopec agreed to buy a 10% stake in the Amur gas chemical complex for $1.3 billion.",
            [
                ("ownership_share", 10, "percent", "actual", None),
                ("investment_value", 1.3e9, "USD", "actual", None),
            ],
        ),
        (
            "Rosatom and CNNC signed contracts worth more than 20 billion yuan (US$3 billion) in 2018.",
            [
                ("contract_value", 2e10, "CNY", "actual", "2018"),
                ("contract_value", 3e9, "USD", "actual", "2018"),
            ],
        ),
        (
            "Russia shipped 107 million tonnes of oil to China in 2023, up 24% on 2022.",
            [
                ("supply_volume", 1.07e8, "t", "actual", "2023"),
                ("supply_growth", 24, "percent", "actual", "2023"),
            ],
        ),
    ],
)
def test_figures_from_news_sentences(
    pipeline: Any, text: str, expected: list[tuple[Any, ...]]
) -> None:
    got = _brief(_figures(pipeline, text))
    assert [(m, pytest.approx(v), u, s, p) for m, v, u, s, p in got] == expected


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_a_sentence_without_a_verb_still_gives_its_figure(pipeline: Any) -> None:
    # Regression: the walk up to the clause's verb looped forever at a noun root.
    figs = _figures(pipeline, "Record trade of $190 billion between Russia and China in 2022")
    assert _brief(figs) == [("trade_turnover", 1.9e11, "USD", "actual", "2022")]


@pytest.mark.slow
def test_a_goal_that_was_met_gives_a_target_and_an_actual(pipeline: Any) -> None:
    figs = _figures(
        pipeline,
        "The target for 2021 was to lift trade between Egypt and China to $20 billion and this was achieved.",
    )
    assert [(f.status, f.period, f.value) for f in figs] == [
        ("target", "2021", 2e10),
        ("actual", "2021", 2e10),
    ]
    assert len({f.id for f in figs}) == 2


@pytest.mark.slow
def test_a_baseline_after_from_is_an_actual(pipeline: Any) -> None:
    figs = _figures(
        pipeline,
        "China and Russia plan to double trade to $200 billion by 2024, up from $107 billion in 2018.",
    )
    assert _brief(figs) == [
        ("trade_turnover", 2e11, "USD", "target", "2024"),
        ("trade_turnover", 1.07e11, "USD", "actual", "2018"),
    ]


@pytest.mark.slow
def test_growth_cues_stay_in_their_clause(pipeline: Any) -> None:
    figs = _figures(
        pipeline,
        "Trade between Kazakhstan and China has grown 20 percent this year and is forecast to hit the $40 billion mark.",
    )
    assert [(f.measure, f.status, f.period) for f in figs] == [
        ("trade_growth", "actual", "2023"),
        ("trade_turnover", "forecast", None),
    ]


@pytest.mark.slow
def test_relative_periods_need_a_publication_date(pipeline: Any) -> None:
    text = "Last year, Russia supplied 80 million tonnes of oil to China."
    assert [f.period for f in _figures(pipeline, text, None)] == [None]
    assert [f.period for f in _figures(pipeline, text, "2020-03-02")] == ["2019"]


@pytest.mark.slow
def test_anaphora_takes_the_measure_of_the_figure_before(pipeline: Any) -> None:
    figs = _figures(
        pipeline,
        "Russia delivered 20 million tons of grain to Egypt in 2022. In 2023 this figure rose by 12 percent.",
    )
    assert [(f.measure, f.period) for f in figs] == [
        ("supply_volume", "2022"),
        ("supply_growth", "2023"),
    ]


@pytest.mark.slow
def test_a_target_or_the_figure_takes_the_measure_of_the_text_before(pipeline: Any) -> None:
    text = (
        "Trade between Brazil and China rose to $157 billion in 2023. Lula and Xi had set "
        "a target of $200 billion by 2026. In 2022 the figure stood at $150 billion."
    )
    assert [(f.measure, f.status, f.period) for f in _figures(pipeline, text)] == [
        ("trade_turnover", "actual", "2023"),
        ("trade_turnover", "target", "2026"),
        ("trade_turnover", "actual", "2022"),
    ]


@pytest.mark.slow
def test_a_headline_and_the_body_each_state_their_figure(pipeline: Any) -> None:
    # GUIDE.md counts the body's statement; a headline repeating it is optional, so both are kept
    # and the body's keeps its own cue. Repeats within the body are one figure.
    text = (
        "Brazil-China trade to hit $150 billion by year-end\n\n"
        "Trade between Brazil and China is projected to reach $150 billion, the ministry said. "
        "Trade between the two countries could reach $150 billion, he added."
    )
    figs = _figures(pipeline, text, None)
    assert [(f.measure, f.status) for f in figs] == [
        ("trade_turnover", "target"),
        ("trade_turnover", "forecast"),
    ]
    assert figs[1].start > text.index("\n")


@pytest.mark.slow
def test_figures_keep_provenance_and_actors(pipeline: Any) -> None:
    text = "Officials said on Monday that trade between Russia and China amounted to $190 billion in 2022."
    (f,) = _figures(pipeline, text)
    assert text[f.start : f.end] == f.text == "$190 billion"
    assert f.evidence in text
    assert f.text in f.evidence
    assert text[f.sentence_start : f.sentence_end].startswith("Officials said")
    assert set(f.actors) == {"Russia", "China"}
    assert (f.currency, f.period_start, f.period_end) == ("USD", "2022-01-01", "2022-12-31")


@pytest.mark.slow
def test_numbers_that_are_not_measures_give_no_figures(pipeline: Any) -> None:
    text = (
        "The two leaders met for the 25th time and signed five agreements. Rosatom has worked "
        "in China for more than ten years and employs 3,000 people there. The 2 units will "
        "start in 2027."
    )
    assert _figures(pipeline, text) == []


_FRAGMENTS = [
    "Trade",
    "between",
    "Russia",
    "and",
    "China",
    "reached",
    "$65.8 billion",
    "in 2022",
    "the goal",
    "is",
    "was",
    "to reach",
    "projected",
    "by 2030",
    "50 million tonnes",
    "of oil",
    "up",
    "31 percent",
    "from",
    "78 projects",
    "worth",
    "this",
    "annually",
    "Record",
    "target",
    "of",
    ",",
    ".",
    "\n\n",
    "and this happened",
    "last year",
    "(",
    ")",
    "€2 billion",
    "the figure",
    "Inflation",
    "stood at",
    "2%",
    "more than",
]


@pytest.mark.slow
@pytest.mark.timeout(300)
@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), min_size=1, max_size=40))
def test_extraction_never_crashes_or_hangs_on_garbled_news(pipeline: Any, words: list[str]) -> None:
    text = " ".join(words)
    for f in _figures(pipeline, text, None):
        assert text[f.start : f.end] == f.text
        assert f.evidence in text
        assert f.measure is not None
        assert f.status in ("actual", "target", "forecast")


# ------------------------------------------------------------------------------ referee


@pytest.mark.slow
def test_referee_figure_scores_on_the_seeds(seed_scores: dict[str, Any]) -> None:
    figures = seed_scores["figures"]
    # Floors at what the extractor reaches (issue 4 asks for F1 >= 0.95, status >= 0.95).
    assert figures["f1"] >= 0.99
    assert figures["status_accuracy"] >= 0.99
    assert figures["measure_accuracy"] >= 0.99
    assert figures["period_accuracy"] >= 0.99


@pytest.mark.slow  # importing spaCy alone takes seconds
def test_figures_without_a_dependency_parse_fall_back_to_the_sentence() -> None:
    spacy = pytest.importorskip("spacy")
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    text = (
        "Trade between China and Russia is expected to reach $200 billion in 2024. "
        "Russia supplied 50 million tonnes of oil."
    )
    doc = Document(id="t1", source_key="t1", text=text, name="t1.txt", published="2023-05-01")
    figs = extract_figures(doc, nlp(text), [], [])
    assert _brief(figs) == [
        ("trade_turnover", 2e11, "USD", "forecast", "2024"),
        ("supply_volume", 5e7, "t", "actual", None),
    ]
    assert all(f.evidence in text for f in figs)


# ------------------------------------------------------------------------------ issue 14: units, counts, measures


@pytest.mark.parametrize(
    ("phrase", "value", "unit"),
    [
        ("USD117.5 billion", 117.5e9, "USD"),
        ("₹40,300 Crores", 4.03e11, "INR"),
        ("Rs 1.2 lakh crore", 1.2e12, "INR"),
        ("6.6mn mt", 6.6e6, "t"),
        ("70 Mt", 7e7, "t"),
        ("150,000-metric-tons", 1.5e5, "t"),
        ("51 agreements", 51, "count"),
        ("36 companies", 36, "count"),
        ("21,500 jobs", 21500, "count"),
        ("4 Gen 3+ VVER-1200 units", 4, "count"),
        ("55 Mi-17 helicopters", 55, "count"),
    ],
)
def test_parse_amount_reads_issue_14_units(phrase: str, value: float, unit: str) -> None:
    a = parse_amount(phrase)
    assert a is not None, phrase
    assert (a.unit, a.value) == (unit, pytest.approx(value))


@pytest.mark.parametrize(
    "text",
    [
        "the Nord Stream 2 project",
        "two 1,000 MW power plants",
        "abc123 tonnes",
        "the two countries signed five agreements",
        "12 years of joint projects",
    ],
)
def test_names_sizes_and_small_worded_counts_are_no_amounts(text: str) -> None:
    assert find_amounts(text) == []


def test_a_count_hidden_behind_a_rejected_match_is_found() -> None:
    assert [a.value for a in find_amounts("the two countries signed 51 agreements")] == [51]


@pytest.mark.parametrize(
    ("phrase", "published", "label"),
    [
        ("aid of €2 billion till 2030", "2022-05-02", "2022/2030"),
        ("signed on Monday", "2015-04-22", "2015-04"),
        ("last Friday", "2015-05-01", "2015-04"),
        ("5.5 mt/yr", None, "annual"),
        ("a 150,000-tonnes-a-year smelter", None, "annual"),
    ],
)
def test_issue_14_period_phrases(phrase: str, published: str | None, label: str) -> None:
    p = parse_period(phrase, published)
    assert p is not None
    assert p.label == label


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # money in each currency the text gives, a conversion being a second figure
        (
            "Hungary signed a contract with Rosatom worth 12.5 billion euros (US$14 billion) in 2014.",
            [
                ("contract_value", 12.5e9, "EUR", "actual", "2014"),
                ("contract_value", 14e9, "USD", "actual", "2014"),
            ],
        ),
        (
            "Gazprom signed a loan agreement worth RUB 20 billion (USD 391.3 million).",
            [
                ("investment_value", 2e10, "RUB", "actual", None),
                ("investment_value", 3.913e8, "USD", "actual", None),
            ],
        ),
        # volumes: a pipeline's design capacity is a target, m3 a year is m3/yr
        (
            "The Power of Siberia 2 pipeline is planned to carry 50 billion cubic metres of gas annually.",
            [("capacity", 5e10, "m3/yr", "target", "annual")],
        ),
        (
            "Russian crude imports by India rose to 1.9 million barrels per day in May 2023.",
            [("supply_volume", 1.9e6, "bbl/d", "actual", "2023-05")],
        ),
        # shares and stakes; a fall is negative
        (
            "TotalEnergies took a 20% stake in the Yamal LNG project.",
            [("ownership_share", 20, "percent", "actual", None)],
        ),
        (
            "Japan's imports of Australian coal shrank 4.3% in 2020.",
            [("import_growth", -4.3, "percent", "actual", "2020")],
        ),
        (
            "The share of Chinese brands in Russian car sales rose to 50 percent in 2023.",
            [("supply_share", 50, "percent", "actual", "2023")],
        ),
        # counts: agreements, goods in a deal (a target until delivered), goods delivered
        (
            "Pakistan and China signed 51 agreements during the visit in April 2015.",
            [("agreement_count", 51, "count", "actual", "2015-04")],
        ),
        (
            "India signed a deal with France for the purchase of 36 Rafale jets.",
            [("supply_volume", 36, "count", "target", None)],
        ),
        (
            "By March 2023, HAL had delivered 75 engines to the air force.",
            [("supply_volume", 75, "count", "actual", "2023-03")],
        ),
        (
            "The plant will create 2,000 jobs in Texas.",
            [("job_count", 2000, "count", "target", None)],
        ),
        # status: a supplier's commitment is a target, an estimate of cost a forecast
        (
            "Russia will provide $11 billion as a loan for the Rooppur plant.",
            [("investment_value", 1.1e10, "USD", "target", None)],
        ),
        # prices and unit prices are no figures
        ("Each helicopter costs about $15 million.", []),
    ],
)
def test_issue_14_figures_from_news_sentences(
    pipeline: Any, text: str, expected: list[tuple[Any, ...]]
) -> None:
    got = _brief(_figures(pipeline, text, None))
    assert [(m, pytest.approx(v), u, s, p) for m, v, u, s, p in got] == expected


@pytest.mark.slow
def test_a_third_countrys_figure_is_not_given_to_the_pair(pipeline: Any) -> None:
    text = (
        "Russia and China signed a gas deal in Moscow, and Russia and China agreed to expand "
        "trade. Saudi Arabia's oil exports rose 5 percent in 2023, the two sides noted."
    )
    figs = _figures(pipeline, text)
    assert [f.value for f in figs] == [5]
    assert "Russia" not in figs[0].actors
    assert "Saudi Arabia" in figs[0].actors


def test_a_bare_month_in_an_undated_article_takes_the_year_stated_nearby() -> None:
    text = "Exports fell in 2019. In March, imports rose again."
    got = [p for p in find_periods(text, None) if p.kind != "year"]
    assert [p.label for p in got] == ["2019-03"]
    # without any year stated, the month stays unfixed
    assert [p.label for p in find_periods("In March, imports rose again.", None)] == [None]


@pytest.mark.slow
def test_a_restated_amount_takes_the_period_of_its_other_statement(pipeline: Any) -> None:
    text = (
        "India and US aim to boost trade to $500 billion\n\n"
        "India and the United States agreed to raise their bilateral trade to $500 billion by 2030."
    )
    figs = [f for f in _figures(pipeline, text, None) if f.value == 500e9]
    assert len(figs) == 2  # the headline's and the body's
    assert {f.period for f in figs} == {"2030"}
