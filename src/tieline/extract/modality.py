"""Modality: one table of cue words (``data/modality.jsonl``) for events and figures.

An event is done, planned (announced, agreed, expected: "will build", "plans to supply"), or
not stated at all (negated, speculative, feared: "denied it would sign", "might buy"); a
figure is actual, a target (planned or promised) or a forecast (expected). Both read the same
cue words: "will", "plan", "expect", "could" and the rest, each listed once with what it makes
of an event and of a figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from tieline.extract.lexicon import load_jsonl

NAME = "modality.table.v1"
ROLES = ("modal", "frame", "modifier", "content")
EVENT_VALUES = ("planned", "speculative", "unstated", "negated")
FIGURE_VALUES = ("target", "forecast")


@dataclass(frozen=True, slots=True)
class Cue:
    """One cue word and what it makes of an event and of a figure (None: nothing)."""

    lemma: str
    role: str
    event: str | None
    figure: str | None
    strong: bool
    needs_to: bool


@dataclass(frozen=True, slots=True)
class Modality:
    """The cue table, by lemma, with the sets the event and figure readers look up."""

    cues: dict[str, Cue]

    def words(self, role: str, *events: str) -> frozenset[str]:
        """Lemmas of a role whose event value is one of ``events``."""
        return frozenset(
            c.lemma for c in self.cues.values() if c.role == role and c.event in events
        )

    @property
    def figure_status(self) -> dict[str, str]:
        """Figure cues: lemma -> target or forecast."""
        return {c.lemma: c.figure for c in self.cues.values() if c.figure is not None}

    @property
    def figure_strong(self) -> frozenset[str]:
        """Figure cues that win over a weaker cue of the other kind."""
        return frozenset(c.lemma for c in self.cues.values() if c.figure and c.strong)

    @property
    def figure_needs_to(self) -> frozenset[str]:
        """Figure cues that count only before an infinitive."""
        return frozenset(c.lemma for c in self.cues.values() if c.figure and c.needs_to)


@lru_cache(maxsize=1)
def modality() -> Modality:
    """The bundled modality table, read once; a wrong line raises ``file:line: reason``."""
    return load_modality("modality.jsonl")


def load_modality(source: str | Path) -> Modality:
    """A modality table from a file (a path, or a name under ``tieline/data``)."""
    cues: dict[str, Cue] = {}
    for row in load_jsonl(source, required=("role", "lemmas")):
        role = row.choice("role", ROLES)
        event = row.choice("event", EVENT_VALUES)
        figure = row.choice("figure", FIGURE_VALUES)
        if event is None and figure is None:
            raise row.error("needs an 'event' or a 'figure' value")
        needs = row.choice("needs", ("to",))
        strong = row.get("strong", False)
        if not isinstance(strong, bool):
            raise row.error("'strong' must be true or false")
        for lemma in row.words("lemmas"):
            if lemma in cues:
                raise row.error(f"{lemma!r} is listed twice (once is enough)")
            assert role is not None
            cues[lemma] = Cue(lemma, role, event, figure, strong, needs == "to")
    return Modality(cues)


@lru_cache(maxsize=1)
def _event_words() -> tuple[frozenset[str], ...]:
    """The cue sets event_modality reads, built once: it runs on every trigger."""
    table = modality()
    return (
        table.words("frame", "unstated", "negated"),
        table.words("frame", "negated"),
        table.words("modal", "speculative"),
        table.words("modal", "planned"),
        table.words("frame", "planned"),
        table.words("modifier", "planned"),
        table.words("content", "planned"),
    )


def _chain(t: Any, lo: int = 0, hi: int = 1 << 30) -> list[Any]:
    """The trigger and the words governing it, up to the root or the edge of its paragraph."""
    out = [t]
    cur = t
    while cur.head != cur and len(out) < 40 and lo <= cur.head.i < hi:
        cur = cur.head
        out.append(cur)
    return out


def event_modality(
    t: Any, lo: int = 0, hi: int = 1 << 30, *, content: bool = True
) -> tuple[str, str | None]:
    """An event trigger's status (done, planned, negated) and why the text states no event
    (neg, spec, frame) or None, read from the words governing it in its clause.

    ``content=False`` reads the trigger's own clause only, as the trained event decider was
    taught: not whether it is the content of a deal ("a deal for the delivery of ...") nor
    the end of the walk at a participle ("under a contract signed last year").
    """
    unstated, negating, speculative, planned_modals, plan_frames, modifiers, contents = (
        _event_words()
    )
    chain = _chain(t, lo, hi)
    for node in chain:
        if node.lemma_.lower() in unstated and node != t:
            return ("negated" if node.lemma_.lower() in negating else "planned"), "frame"
    planned = False
    # Modality belongs to the trigger's own clause: walk up to the first clause boundary.
    for i, node in enumerate(chain):
        kids = list(node.children)
        if any(c.dep_ == "neg" for c in kids) or any(
            c.lower_ in ("no", "never") and c.dep_ in ("det", "neg", "advmod") for c in kids
        ):
            return "negated", "neg"
        if i == 0 and any(c.lower_ == "ever" and c.dep_ == "advmod" for c in kids):
            return "planned", "spec"
        aux = {c.lower_ for c in kids if c.dep_ in ("aux", "auxpass")}
        if aux & speculative:
            return "planned", "spec"
        if any(c.dep_ == "mark" and c.lower_ in ("if", "unless", "whether") for c in kids):
            return "planned", "spec"
        # "a reactor to be built": an infinitive on a noun is a plan, "forced to buy" is not.
        if aux & planned_modals or (i == 0 and "to" in aux and node.dep_ in ("relcl", "acl")):
            planned = True
        if (
            i > 0
            and node.lemma_.lower() in ("set", "slate", "poise")
            and chain[i - 1].dep_ == "xcomp"
        ):
            planned = True  # "is set to sign", not "set up a venture"
        if (
            node != t
            and node.lemma_.lower() in plan_frames
            and not (node.lemma_.lower() == "agree" and t.lemma_.lower() == "agree")
        ):
            planned = True
        if node.pos_ in ("NOUN", "PROPN") and any(
            c.lower_ in modifiers and c.dep_ == "amod" for c in kids
        ):
            planned = True
        if content and i > 0 and _states_content(chain[i - 1]) and _is_content_of(node, contents):
            # "a deal for the delivery of 55 helicopters", "signed an agreement to buy 36 jets"
            planned = True
        if node.dep_ in ("ccomp", "ROOT", "relcl") or (node != t and node.dep_ == "conj"):
            break
        if node.dep_ == "conj" and any(c.dep_ in ("nsubj", "nsubjpass") for c in kids):
            break  # "Egypt agreed to buy jets and Qatar bought them": a clause of its own
        if content and node.dep_ == "acl" and node.tag_ in ("VBN", "VBD"):
            break  # "under a contract signed last year": the participle tells its own, done
    return ("planned" if planned else "done"), None


def _is_content_of(node: Any, contents: frozenset[str]) -> bool:
    """A deal noun, or a verb whose object is one ("inked a deal ... for the delivery")."""
    if node.lemma_.lower() in contents:
        return True
    return node.pos_ in ("VERB", "AUX") and any(
        c.dep_ in ("dobj", "nsubjpass") and c.lemma_.lower() in contents for c in node.children
    )


def _states_content(below: Any) -> bool:
    """Whether the word under a deal noun gives its content: "for ...", "to buy ..."."""
    if below.dep_ == "prep":
        return bool(below.lower_ == "for")
    return bool(
        below.dep_ in ("acl", "advcl", "xcomp")
        and any(c.dep_ == "aux" and c.lower_ == "to" for c in below.children)
    )
