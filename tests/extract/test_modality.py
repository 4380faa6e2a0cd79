# ruff: noqa: E501  (test sentences read better unbroken)
"""One modality table for events and figures: the table, its errors, and hand-built sentences."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tieline.extract.lexicon import LexiconError
from tieline.extract.modality import event_modality, load_modality, modality


def test_one_table_serves_events_and_figures() -> None:
    table = modality()
    will, plan, could = table.cues["will"], table.cues["plan"], table.cues["could"]
    assert (will.event, will.figure) == ("planned", "forecast")
    assert (plan.event, plan.figure) == ("planned", "target")
    assert (could.event, could.figure) == ("speculative", "forecast")
    assert "deny" in table.words("frame", "negated")
    assert table.figure_status["expect"] == "forecast"
    assert "set" in table.figure_needs_to
    assert "goal" in table.figure_strong


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (
            '{"role": "modal", "lemmas": ["will"], "event": "planned"}\n{"role": "modal", "lemmas": ["Will"], "event": "planned"}\n',
            2,
            "'will' is listed twice",
        ),
        (
            '// c\n{"role": "verb", "lemmas": ["x"], "event": "planned"}\n',
            2,
            "'role' is 'verb', expected one of",
        ),
        ('{"role": "frame", "lemmas": ["x"]}\n', 1, "needs an 'event' or a 'figure' value"),
        ('{"role": "frame", "lemmas": ["x"], "figure": "actual"}\n', 1, "'figure' is 'actual'"),
        (
            '{"role": "frame", "lemmas": ["x"], "event": "planned", "strong": "yes"}\n',
            1,
            "'strong' must be true or false",
        ),
        ('\n\n{"lemmas": ["x"]}\n', 3, "missing 'role'"),
    ],
)
def test_a_wrong_line_names_its_file_and_line(
    tmp_path: Path, text: str, line: int, reason: str
) -> None:
    path = tmp_path / "modality.jsonl"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LexiconError) as err:
        load_modality(path)
    assert str(err.value).startswith(f"{path}:{line}: {reason}")


def _status(pipeline: Any, text: str, trigger: str) -> tuple[str, str | None]:
    doc = pipeline.nlp(text)
    tok = next(t for t in doc if t.text == trigger)
    return event_modality(tok)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "trigger", "want"),
    [
        ("Rosatom built two reactors in India.", "built", ("done", None)),
        ("Rosatom will build two reactors in Egypt.", "build", ("planned", None)),
        ("Egypt plans to buy wheat from Russia.", "buy", ("planned", None)),
        ("China is expected to sign the deal next week.", "sign", ("planned", None)),
        ("Moscow might supply more gas to Beijing.", "supply", ("planned", "spec")),
        (
            "The ministry denied that it had signed a contract with Huawei.",
            "signed",
            ("negated", "frame"),
        ),
        ("The two sides did not sign the agreement.", "sign", ("negated", "neg")),
        ("The two sides failed to conclude the deal.", "conclude", ("negated", "frame")),
        (
            "Turkey is negotiating an agreement with Russia on a second plant.",
            "agreement",
            ("planned", None),
        ),
        # What a deal provides is planned: the deal is signed, the delivery is to come.
        (
            "Russia and China inked a deal in July for the delivery of 55 helicopters.",
            "delivery",
            ("planned", None),
        ),
        (
            "India signed an agreement on Friday to buy 36 jets from France.",
            "buy",
            ("planned", None),
        ),
        # A participle tells its own event: the contract was signed, whatever the plant will do.
        (
            "A Russian plant will build helicopters for China under a contract signed last year.",
            "signed",
            ("done", None),
        ),
    ],
)
def test_event_status_from_the_words_governing_the_trigger(
    pipeline: Any, text: str, trigger: str, want: tuple[str, str | None]
) -> None:
    assert _status(pipeline, text, trigger) == want


@pytest.mark.slow
def test_the_decider_view_reads_only_the_clause(pipeline: Any) -> None:
    doc = pipeline.nlp("Russia and China inked a deal in July for the delivery of 55 helicopters.")
    tok = next(t for t in doc if t.text == "delivery")
    assert event_modality(tok, content=False) == ("done", None)
