"""Deciders: which event candidates become events.

Both read the same ``EventCandidate`` records. The rule decider keeps what the strict trigger
lexicon and the participant rules accept; the trained one scores every candidate with a linear
model (``make train``, weights in ``data/models/events.json``) over the candidate's features, the
words of its clause and the parser's token vectors of its trigger and clause, keeps those above
the trained threshold, and folds candidates of one type sharing a participant in one sentence
into the best scored.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from tieline.errors import ConfigError
from tieline.extract.events import EventCandidate
from tieline.records import Event

DECIDERS = ("rules", "trained")
DEFAULT_DECIDER = "rules"
MODEL_FILE = "events.json"
# Hashed feature space: candidate features and clause words share it.
DIM = 1 << 12
_WORDS = re.compile(r"[^\W\d_]+")
# A clause word's value beside a named feature's 1.0: words are many and each says little.
WORD_WEIGHT = 0.3


class Decider(Protocol):
    """Keeps, and scores, the candidates that are events."""

    def __call__(self, candidates: Sequence[EventCandidate]) -> list[Event]: ...


# Feature and word names repeat across candidates: hash each once.
@lru_cache(maxsize=1 << 16)
def _bucket(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=4).digest(), "big") % DIM


def vectorize(c: EventCandidate) -> dict[int, float]:
    """The candidate as a sparse vector: its named features and its clause's words by type."""
    v: dict[int, float] = {}
    for name, value in c.features:
        if value:
            i = _bucket(name)
            v[i] = v.get(i, 0.0) + value
    etype = c.event.type
    words = {w.lower() for w in _WORDS.findall(c.clause)}
    trig = c.event.trigger.lower()
    for w in words:
        if w == trig:
            continue
        for name in (f"w={w}", f"w={etype}:{w}"):
            i = _bucket(name)
            v[i] = v.get(i, 0.0) + WORD_WEIGHT
    return v


def rule_decide(candidates: Sequence[EventCandidate]) -> list[Event]:
    """The events the rules keep."""
    return [c.event for c in candidates if c.rule_keep]


class TrainedDecider:
    """A logistic model over hashed features; weights from a small JSON file."""

    def __init__(self, model: dict[str, Any]) -> None:
        self.weights: list[float] = [float(x) for x in model["weights"]]
        self.bias = float(model["bias"])
        # Weights over the parser's token vectors (``EventCandidate.vector``), standardised by
        # the training set's mean and scale; a model without them reads the hashed features only.
        self.dense = [float(x) for x in model.get("dense_weights", [])]
        self.mean = [float(x) for x in model.get("dense_mean", [])]
        self.scale = [float(x) or 1.0 for x in model.get("dense_scale", [])]
        if not (len(self.dense) == len(self.mean) == len(self.scale)):
            raise ConfigError("event model's dense weights, mean and scale differ in length")
        self.threshold = float(model["threshold"])
        # The rules' events stay: the model adds what the rules miss, it does not overrule them.
        self.keep_rules = bool(model.get("keep_rules", True))
        if len(self.weights) != DIM:
            raise ConfigError(
                f"event model has {len(self.weights)} weights, wants {DIM}; "
                "retrain it with `make train`"
            )

    def score(self, c: EventCandidate) -> float:
        """The probability that the candidate states a gold-standard event."""
        z = self.bias + sum(self.weights[i] * x for i, x in vectorize(c).items())
        if self.dense and len(c.vector) == len(self.dense):
            z += sum(
                w * (x - m) / s
                for w, x, m, s in zip(self.dense, c.vector, self.mean, self.scale, strict=True)
            )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def __call__(self, candidates: Sequence[EventCandidate]) -> list[Event]:
        scored = [(self.score(c), c) for c in candidates]
        # A candidate the text does not state (negated, speculative, feared) is never added.
        kept = [
            (max(p, 1.0) if self.keep_rules and c.rule_keep else p, c)
            for p, c in scored
            if (c.stated and not _described(c)) or (self.keep_rules and c.rule_keep)
        ]
        kept = [(p, c) for p, c in kept if p >= self.threshold]
        # One statement, one event: same sentence, same type, a shared participant.
        best: list[tuple[float, EventCandidate]] = []
        for p, c in sorted(kept, key=lambda x: (-x[0], x[1].event.trigger_start)):
            keys = {x.entity_key for x in c.event.participants}
            if any(
                o.sentence == c.sentence
                and o.event.type == c.event.type
                and (
                    keys & {x.entity_key for x in o.event.participants}
                    or o.event.trigger_start == c.event.trigger_start
                )
                for _, o in best
            ):
                continue
            best.append((p, c))
        # A document reports a happening once and refers back to it after: a later candidate of
        # the same type between the same participants as a kept one is that happening again,
        # unless it names its parties and gives a figure: "Russia aims to raise its gas supply
        # to China by 10 bcm" is a report of its own, "the countries agreed to share
        # technologies" is not (5-fold CV on dev: events F1 0.560 -> 0.571, seeds kept).
        seen: set[tuple[str, frozenset[str]]] = set()
        once: list[tuple[float, EventCandidate]] = []
        for p, c in best:
            key = (c.event.type, frozenset(x.entity_key for x in c.event.participants))
            if key in seen and not (self.keep_rules and c.rule_keep) and not _new_report(c):
                continue
            seen.add(key)
            once.append((p, c))
        best = once
        best.sort(key=lambda x: x[1].event.trigger_start)
        return [
            c.event if c.rule_keep and self.keep_rules else _with_confidence(c.event, p)
            for p, c in best
        ]


# Candidates the reading already explained: an anaphoric report of an event already kept ("the
# countries also discussed ...") and generic cooperation folded into a specific event of its
# clause ("worked with X and supplied Y"). Adding them back cost seed precision and gained
# nothing on the dev corpus's 5-fold cross-validation.
_DESCRIBED = {"flag=repeat", "flag=absorbed"}


def _described(c: EventCandidate) -> bool:
    """Whether the candidate repeats or is folded into an event the reading already has."""
    return any(name in _DESCRIBED and v for name, v in c.features)


def _new_report(c: EventCandidate) -> bool:
    """Whether a candidate repeating a kept event's type and parties is a report of its own."""
    return c.named and any(name == "figure" and v for name, v in c.features)


def _with_confidence(e: Event, p: float) -> Event:
    from dataclasses import replace

    return replace(e, confidence=round(p, 3))


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> TrainedDecider:
    """The trained decider from a model file (the bundled one by default)."""
    where = (
        Path(path)
        if path
        else Path(str(resources.files("tieline") / "data" / "models" / MODEL_FILE))
    )
    try:
        model = json.loads(where.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise ConfigError(
            f"{where}: no event model; run `make train` or use the events.rules.v3 component"
        ) from e
    except json.JSONDecodeError as e:
        raise ConfigError(f"{where}:{e.lineno}: not JSON ({e.msg}); run `make train`") from e
    return TrainedDecider(model)


def decide(
    candidates: Sequence[EventCandidate], decider: str | None = None, model_path: str | None = None
) -> list[Event]:
    """The events the named decider keeps among the candidates."""
    name = decider or DEFAULT_DECIDER
    if name == "rules":
        return rule_decide(candidates)
    if name == "trained":
        return load_model(model_path)(candidates)
    raise ConfigError(f"unknown event decider '{name}'; choose one of {', '.join(DECIDERS)}")
