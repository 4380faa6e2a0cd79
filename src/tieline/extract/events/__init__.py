"""Events: typed, with participants, sector, date and status (see GUIDE.md and docs/taxonomy.md).

Triggers come from a lexicon kept as data (``data/triggers.jsonl``): a lemma, optionally the
object it needs ("sign" + agreement), gives an event type. Participants are read along the
dependency parse from the trigger:

- the subject, or the agent of a passive, gives the parties (or the source, where the trigger
  has a direction: supplier -> recipient, sanctioner -> target);
- "with", "between", "among" and conjuncts give counterparts; "to" the recipient, "from" the
  source, "on" or "against" the target of a sanction;
- the object phrase gives facilities, products and initiatives (objects), and the parties it
  names;
- a possessive or a demonym on a nominal trigger names a party ("Putin's meeting", "US
  sanctions"); "the two countries" and "both sides" stand for the document's main pair.

When the parse gives fewer than two participants, the names in the trigger's clause are taken
at a lower confidence. Modality (will, plan, due to, expect, aim, "to be built") makes an
event planned; negation, speculation (might, could, if, "ever") and frames such as fear, deny,
refuse or consider drop it. One sentence naming five counterparts gives one event with five.
"""

from __future__ import annotations

import hashlib
import json
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from tieline.errors import ConfigError
from tieline.extract.dates import DateContext
from tieline.extract.events.tokens import FastDoc
from tieline.extract.gazetteer import Gazetteer, load_gazetteer
from tieline.extract.modality import event_modality
from tieline.extract.names import name_key
from tieline.records import EVENT_TYPES, Document, Entity, Event, Mention, Participant

NAME = "events.rules.v3"
TRAINED_NAME = "events.trained.v1"

# Only events this sure are kept; lower ones are mostly guesses from the clause alone.
MIN_CONFIDENCE = 0.5

OBJECT_TYPES = {"FACILITY", "PRODUCT", "INITIATIVE", "EVENT", "AWARD"}
ACTOR_TYPES = {"COUNTRY", "ORG", "PERSON", "BLOC"}
# Verbs that report speech: their subject is the speaker, not a participant.
REPORTING = {
    "say",
    "add",
    "note",
    "tell",
    "emphasize",
    "emphasise",
    "stress",
    "state",
    "reveal",
    "report",
    "claim",
    "mention",
    "explain",
    "argue",
    "remark",
    "comment",
    "write",
    "announce",
    "declare",
    "confirm",
    "insist",
    "recall",
    "warn",
    "believe",
    "think",
    "suggest",
    "observe",
    "underline",
    "highlight",
    "cite",
    "quote",
}
# Modality cues (will, plan, fear, deny, proposed ...) are in data/modality.jsonl, shared with
# figures: see tieline.extract.modality.
PAIR_NOUNS = {"country", "nation", "side", "state", "government", "neighbour", "neighbor"}
GENERIC_HEADS = {
    "company",
    "firm",
    "enterprise",
    "organization",
    "organisation",
    "business",
    "corporation",
    "manufacturer",
    "producer",
    "leader",
    "official",
    "government",
    "authority",
    "ministry",
    "representative",
    "delegation",
    "side",
    "industry",
    "partner",
    "investor",
    "bank",
    "entity",
    "group",
    "sector",
    "visit",
    "head",
    "president",
    "minister",
    "people",
    "team",
    "operator",
    "agency",
}
# "a number of agreements", "a package of contracts": the counted noun is the object.
QUANTITY_HEADS = {
    "number",
    "series",
    "set",
    "package",
    "range",
    "host",
    "couple",
    "pair",
    "dozen",
    "raft",
    "slew",
    "batch",
    "string",
    "total",
    "list",
    "bundle",
    "lot",
}
# Entity labels (spaCy's and the gazetteer's) that name an actor.
NAME_LABELS = {"PERSON", "ORG", "GPE", "NORP", "COUNTRY", "BLOC"}
NAMED_SPANS = {
    "ORG",
    "FAC",
    "EVENT",
    "LAW",
    "WORK_OF_ART",
    "PRODUCT",
    "BLOC",
    "INITIATIVE",
    "FACILITY",
    "AWARD",
}
# Bodies that are many parties in one: their meeting is talks with one named participant.
JOINT_BODY = re.compile(
    r"\b(?:commission|council|committee|forum|working group|assembly|"
    r"organi[sz]ation|union|summit|dialogue)\b",
    re.I,
)
MULTI_PARTY = {"agreement", "talks"}
# News agencies and papers: the source of a report, never a party to its events.
NEWS_OUTLET = re.compile(
    r"\b(?:news agency|news service|newswire|wire service|press agency|broadcast\w*|"
    r"television|tv|radio|gazette|newspaper|daily|times|post|herald|tribune|journal|"
    r"reuters|xinhua|tass|interfax|sputnik|ria novosti|associated press|bloomberg|"
    r"agence france-presse|afp|kyodo|yonhap|bernama|anadolu)\b",
    re.I,
)
# "China's largest supplier" supplies China; "Russia's arms exporter" is Russian.
AGENT_NOUNS = {"supplier", "investor", "lender", "vendor", "partner"}
GATHERINGS = {"visit", "meeting", "summit", "talks", "talk", "trip", "forum", "session", "tour"}
# "with the help of Siemens", "with the participation of CNNC": the helper takes part.
AID_NOUNS = {"help", "assistance", "support", "participation", "involvement", "backing", "aid"}
COUNTERPART_PREPS = {"with", "between", "among", "amongst", "alongside"}
# Whom a speaker tells ("told Reuters"), and the nouns of a cited source ("Izvestia's sources").
TOLD = {"dobj", "dative", "iobj"}
SOURCE_NOUNS = {"source", "report", "reporter", "correspondent"}
# Pronouns and definite nouns that stand for the speaker of a reporting verb ("Novatek said it
# had signed ...", "the company said"): by the kind of party they can stand for.
SPEAKER_PRONOUNS = {"it": "group", "its": "group", "they": "group", "their": "group"}
SPEAKER_PERSONS = {"he": "person", "she": "person", "his": "person", "her": "person"}
SPEAKER_NOUNS = {"company", "firm", "corporation", "group", "agency", "ministry", "bank"}
# Phrases that say what a deal, loan or plan is for: "a deal for the delivery of Mi-17s", "a loan
# to finance Paks II", "invest $700 million in the zone".
GOAL_PREPS = {"for", "in", "into", "at", "on", "of"}
# Definite nouns that refer back to a named facility or product: "the construction of the
# plant", "deliveries through the pipeline", "agreed to buy the jets".
FACILITY_NOUNS = {
    "pipeline",
    "plant",
    "station",
    "railway",
    "railroad",
    "bridge",
    "port",
    "dam",
    "project",
    "zone",
    "corridor",
    "terminal",
    "facility",
    "refinery",
    "complex",
}
PRODUCT_NOUNS = {
    "system",
    "jet",
    "aircraft",
    "fighter",
    "engine",
    "helicopter",
    "submarine",
    "tank",
    "missile",
    "warship",
    "frigate",
    "howitzer",
    "satellite",
}
# How far back (in tokens) "the plant" may look for a plant whose name says so, and for the
# last named facility or product of any name (about the sentence before).
ANTECEDENT_WINDOW = 400
ANTECEDENT_NEAR = 60
# Prepositions of a place where something is done: "training in Myanmar".
PLACE_PREPS = {"in", "at", "inside", "across", "throughout"}
TOPIC_PREPS = {"on", "of", "about", "over", "regarding", "concerning"}
NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "dozen": 12,
}
# Specific types absorb a cooperation event of the same sentence: "worked with X and supplied Y"
# is one supply, not a supply and a vague cooperation.
GENERIC_TYPE = "cooperation"


@dataclass(frozen=True, slots=True)
class TriggerRule:
    """One lexicon line: a lemma (with what it needs) gives an event type."""

    lemma: str
    type: str
    pos: str | None = None
    objects: frozenset[str] = frozenset()
    preps: frozenset[str] = frozenset()
    xcomp: bool = False
    direction: str | None = None
    governors: frozenset[str] = frozenset()
    actor_object: bool = False
    confidence: float = 0.8
    # False for a trigger class's bare form: a candidate for the decider, not an event by rule.
    strict: bool = True
    # A modifier the trigger needs: "jointly develop", "joint statement", "entity list".
    modifiers: frozenset[str] = frozenset()
    # The trigger may head a name: "the India-Russia Trade Forum", "the Entity List".
    named: bool = False
    # The trigger class it comes from: tells the decider what kind of reading it is.
    cls: str = ""


@dataclass(frozen=True, slots=True)
class Sector:
    """One sector of the taxonomy and the cue words that place an event in it."""

    code: str
    label: str
    pattern: re.Pattern[str]
    cues: tuple[str, ...] = ()

    @property
    def depth(self) -> int:
        return self.code.count(".")


def _data_lines(name: str) -> list[tuple[int, dict[str, Any]]]:
    path = Path(str(resources.files("tieline") / "data" / name))
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise ConfigError(f"{path}:{n}: not JSON ({e.msg}); fix the line") from e
        rows.append((n, obj))
    return rows


@lru_cache(maxsize=1)
def load_triggers() -> dict[str, tuple[TriggerRule, ...]]:
    """The trigger lexicon, by lemma."""
    out: dict[str, list[TriggerRule]] = {}
    for n, row in _data_lines("triggers.jsonl"):
        if row.get("type") not in EVENT_TYPES or not row.get("lemma"):
            raise ConfigError(f"triggers.jsonl:{n}: needs 'lemma' and a 'type' among {EVENT_TYPES}")
        rule = TriggerRule(
            lemma=str(row["lemma"]).lower(),
            type=str(row["type"]),
            pos=row.get("pos"),
            objects=frozenset(str(x).lower() for x in row.get("objects", [])),
            preps=frozenset(str(x).lower() for x in row.get("preps", [])),
            xcomp=bool(row.get("xcomp")),
            direction=row.get("direction"),
            governors=frozenset(str(x).lower() for x in row.get("governors", [])),
            actor_object=bool(row.get("actor_object")),
            confidence=float(row.get("confidence", 0.8)),
        )
        out.setdefault(rule.lemma, []).append(rule)
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def load_trigger_classes() -> dict[str, tuple[TriggerRule, ...]]:
    """The trigger classes: verb and noun forms of each event type, by lemma.

    A class may ask for a preposition or particle ("build ... for", "come up"), a modifier
    ("jointly develop", "joint statement") or an object ("provide technology"); those readings
    come before the bare forms of the same lemma.
    """
    out: dict[str, list[TriggerRule]] = {}
    for n, row in _data_lines("trigger_classes.jsonl"):
        if row.get("type") not in EVENT_TYPES or not (row.get("verbs") or row.get("nouns")):
            raise ConfigError(
                f"trigger_classes.jsonl:{n}: needs 'verbs' or 'nouns' and a "
                f"'type' among {EVENT_TYPES}"
            )
        unknown = set(row) - _CLASS_KEYS
        if unknown:
            raise ConfigError(
                f"trigger_classes.jsonl:{n}: unknown key(s) {sorted(unknown)}; "
                f"use {sorted(_CLASS_KEYS)}"
            )
        for pos, key in (("VERB", "verbs"), ("NOUN", "nouns")):
            for lemma in row.get(key, []):
                rule = TriggerRule(
                    lemma=str(lemma).lower(),
                    type=str(row["type"]),
                    pos=pos,
                    objects=frozenset(str(x).lower() for x in row.get("objects", [])),
                    preps=frozenset(str(x).lower() for x in row.get("preps", [])),
                    direction=row.get("direction"),
                    confidence=float(row.get("confidence", 0.5)),
                    strict=False,
                    modifiers=frozenset(str(x).lower() for x in row.get("modifiers", [])),
                    named=bool(row.get("named")),
                    cls=str(row.get("class", "")),
                )
                out.setdefault(rule.lemma, []).append(rule)
    # The readings with a condition first: "jointly develop" is cooperation before "develop"
    # is construction (one candidate per type and token).
    return {
        k: tuple(sorted(v, key=lambda r: not (r.objects or r.preps or r.modifiers)))
        for k, v in out.items()
    }


_CLASS_KEYS = {
    "class",
    "type",
    "verbs",
    "nouns",
    "direction",
    "confidence",
    "objects",
    "preps",
    "modifiers",
    "named",
}


@lru_cache(maxsize=1)
def load_sectors() -> tuple[Sector, ...]:
    """The sector taxonomy with its cue patterns."""
    out = []
    for n, row in _data_lines("sectors.jsonl"):
        cues = [str(c).lower() for c in row.get("cues", [])]
        if not row.get("sector") or not cues:
            raise ConfigError(f"sectors.jsonl:{n}: needs 'sector' and 'cues'")
        alts = "|".join(re.escape(c) for c in sorted(cues, key=len, reverse=True))
        out.append(
            Sector(
                str(row["sector"]),
                str(row.get("label", row["sector"])),
                re.compile(rf"(?<![\w-])(?:{alts})(?![\w-])", re.I),
                tuple(cues),
            )
        )
    return tuple(out)


# A cue starts and ends a run of word characters and hyphens, which is what the patterns'
# look-arounds ask, so the runs of a text looked up in a table of cues find what every
# pattern's search finds, in one pass instead of one per sector.
_RUN = re.compile(r"[\w-]+")
# Letters that re.IGNORECASE matches to a-z besides A-Z ("İ", "ı", "ſ", the Kelvin sign);
# str.lower() does not map them alike, so a text holding one is searched pattern by pattern.
_CASE_FOLDS = re.compile("[\u0130\u0131\u017f\u212a]")


@lru_cache(maxsize=1)
def _cue_table() -> tuple[dict[str, tuple[int, ...]], frozenset[str], int] | None:
    """Cue -> indices of its sectors, the cues' first runs, and the longest cue's length."""
    table: dict[str, tuple[int, ...]] = {}
    for i, s in enumerate(load_sectors()):
        if not s.cues:
            return None
        for cue in s.cues:
            if not cue.isascii() or not _RUN.fullmatch(cue[:1] + cue[-1:]):
                return None  # a cue with a sign at an end, or beyond ASCII: the patterns say
            table[cue] = (*table.get(cue, ()), i)
    if not table:
        return None
    heads = frozenset(m.group() for c in table if (m := _RUN.match(c)))
    return table, heads, max(map(len, table))


def _sector_hits(text: str, sectors: tuple[Sector, ...]) -> list[tuple[int, int, str]]:
    """(-depth, first cue's offset, code) of every sector cued in the text, in sector order."""
    table = _cue_table() if sectors is load_sectors() else None
    if table is None or _CASE_FOLDS.search(text):
        return [(-s.depth, m.start(), s.code) for s in sectors if (m := s.pattern.search(text))]
    cues, heads, longest = table
    low = text.lower()
    runs = [(m.start(), m.end()) for m in _RUN.finditer(text)]
    first: dict[int, int] = {}
    for i, (start, end) in enumerate(runs):
        if low[start:end] not in heads:
            continue
        for _, end in runs[i:]:
            if end - start > longest:
                break
            for k in cues.get(low[start:end], ()):
                first.setdefault(k, start)
    return [(-sectors[k].depth, first[k], sectors[k].code) for k in sorted(first)]


def find_sector(texts: Iterable[str], names: Iterable[str] = ()) -> str | None:
    """The most specific sector cued in the first text that cues any, nearest the start first.

    Names are matched whole only ("Rosatom" is nuclear; "Silk Road Fund" is not a road): pass
    texts with the names blanked out, and the names apart.
    """
    sectors = load_sectors()
    for text in texts:
        hits = _sector_hits(text, sectors)
        if hits:
            # Prefer the subsector whose parent is also cued ("nuclear power" beats "power"),
            # else the earliest cue.
            hits.sort(key=lambda h: (h[1], h[0]))
            first = hits[0]
            deeper = [h for h in hits if h[2].startswith(first[2] + ".")]
            return (min(deeper, key=lambda h: h[1]) if deeper else first)[2]
    for name in names:
        for s in sectors:
            m = s.pattern.fullmatch(name.strip())
            if m:
                return s.code
    return None


@lru_cache(maxsize=1)
def _bundled_gazetteer() -> Gazetteer:
    return load_gazetteer()


# ----------------------------------------------------------------------------- the document
@dataclass(frozen=True, slots=True)
class _Actor:
    key: str
    name: str
    type: str


@dataclass
class _Candidate:
    """A trigger found in a sentence, with what has been read about it so far."""

    rule: TriggerRule
    trigger: Any
    sent: Any
    object_head: Any | None
    phrase: set[int] = field(default_factory=set)  # token indices of the object phrase
    # entity key -> (actor, role, token index)
    parts: dict[str, tuple[_Actor, str, int]] = field(default_factory=dict)
    fallback: bool = False
    wide: bool = False  # participants had to come from the whole sentence
    status: str = "done"
    lo: int = 0
    hi: int = 1 << 30
    core: set[int] = field(default_factory=set)
    extent: dict[int, tuple[int, int]] = field(default_factory=dict)
    why: str | None = None  # why the text states no event: neg, spec or frame
    flags: set[str] = field(default_factory=set)
    n_parsed: int = 0

    def add(self, actor: _Actor, role: str, tok: int) -> None:
        if not self.lo <= tok < self.hi:
            return
        old = self.parts.get(actor.key)
        if old is None or (old[1] == "party" and role in ("source", "target")):
            self.parts[actor.key] = (actor, role, tok)


class _DocIndex:
    """Token -> actor lookups for one parsed document."""

    def __init__(
        self, sdoc: Any, mentions: Sequence[Mention], entities: Sequence[Entity], gaz: Gazetteer
    ) -> None:
        self.sdoc = sdoc
        self.gaz = gaz
        # spaCy rebuilds Doc.text on every access: keep it once.
        self.text: str = sdoc.text
        # Each token's offset and text, read once: a spaCy Token is built on every access.
        offsets = sdoc.to_array(["IDX", "LENGTH"]).tolist() if len(sdoc) else []
        self.starts: list[int] = [a for a, _ in offsets]
        self.words: list[str] = [self.text[a : a + n] for a, n in offsets]
        self._sent_texts: dict[int, str] = {}
        by_key = {e.key: e for e in entities}
        self.tok: dict[int, _Actor] = {}
        self.extent: dict[int, tuple[int, int]] = {}  # token -> first and last token of its name
        counts: Counter[str] = Counter()
        first: dict[str, int] = {}
        self.countries: dict[str, _Actor] = {}
        for m in mentions:
            if not m.entity_key:
                continue
            e = by_key.get(m.entity_key)
            actor = _Actor(m.entity_key, e.name if e else m.text, e.type if e else m.label)
            # A place is where something happens and a news outlet reports it: neither acts.
            if actor.type == "PLACE" or (actor.type == "ORG" and NEWS_OUTLET.search(actor.name)):
                continue
            span = sdoc.char_span(m.start, m.end, alignment_mode="expand")
            if span is None:
                continue
            for t in span:
                self.tok.setdefault(t.i, actor)
                self.extent.setdefault(t.i, (span.start, span.end - 1))
            if actor.type == "COUNTRY":
                counts[actor.key] += 1
                first.setdefault(actor.key, m.start)
                self.countries[actor.key] = actor
        # Demonyms ("Chinese companies", "the Russian side") stand for their state.
        demonyms = gaz.demonym_words()
        for i, word in enumerate(self.words):
            if i in self.tok or not word[:1].isupper() or word.lower() not in demonyms:
                continue
            state = gaz.demonym_of(word)
            if state is not None and state.type == "COUNTRY":
                actor = _Actor(name_key(state.name), state.name, "COUNTRY")
                self.tok[i] = actor
                counts[actor.key] += 1
                first.setdefault(actor.key, self.starts[i])
                self.countries.setdefault(actor.key, actor)
        ranked = sorted(counts, key=lambda k: (-counts[k], first[k]))
        # "The two countries" and "both sides" stand for the pair the document is about.
        self.pair = [self.countries[k] for k in ranked[:2]] if len(ranked) >= 2 else []

    @cached_property
    def named(self) -> Counter[str]:
        """Tokens per actor, counted once per name (its first token)."""
        return Counter(a.key for i, a in self.tok.items() if self.extent.get(i, (i,))[0] == i)

    @cached_property
    def main_actors(self) -> frozenset[str]:
        """The three most named actors of the document."""
        ranked = sorted(self.named.items(), key=lambda kv: (-kv[1], kv[0]))
        return frozenset(k for k, _ in ranked[:3])

    @cached_property
    def kinds(self) -> dict[int, frozenset[str]]:
        """Facility and product names -> the nouns that said what they are where named: "the
        Ka-226T helicopters", "the Tianwan plant" (by the name's tokens)."""
        out: dict[int, frozenset[str]] = {}
        for i, a in self.tok.items():
            if a.type not in ("FACILITY", "PRODUCT") or self.extent[i][0] != i:
                continue
            first, last = self.extent[i]
            words = {self.sdoc[k].lemma_.lower() for k in range(first, last + 1)}
            # The noun the name modifies, through compounds the parser split it into
            # ("Ka-226 T helicopters").
            head = self.sdoc[last]
            for _ in range(3):
                if head.dep_ != "compound" or head.head == head:
                    break
                head = head.head
            if head.pos_ == "NOUN" and not first <= head.i <= last:
                words.add(head.lemma_.lower())
            for k in range(first, last + 1):
                out[k] = frozenset(words)
        return out

    def actor(self, t: Any) -> _Actor | None:
        return self.tok.get(t.i)

    def unnamed_text(self, lo: int, hi: int, chars: tuple[int, int] | None = None) -> str:
        """The words of tokens lo..hi-1 (those starting inside ``chars`` when given) outside
        any name, joined by spaces."""
        if chars is not None:
            lo = bisect_left(self.starts, chars[0], lo, max(lo, hi))
            hi = bisect_left(self.starts, chars[1], lo, max(lo, hi))
        named = self.extent
        return " ".join(self.words[i] for i in range(lo, hi) if i not in named)

    def sentence_text(self, sent: Any) -> str:
        """The sentence's words outside any name (once per sentence)."""
        out = self._sent_texts.get(sent.start)
        if out is None:
            out = self._sent_texts[sent.start] = self.unnamed_text(sent.start, sent.end)
        return out

    def place(self, t: Any) -> _Actor | None:
        """The state a place name stands for: the state itself or its capital."""
        a = self.actor(t)
        if a is not None:
            return a if a.type == "COUNTRY" else None
        if t.ent_type_ not in ("GPE", "COUNTRY"):
            return None
        span = next((e for e in self.sdoc.ents if e.start <= t.i < e.end), None)
        text = span.text if span is not None else t.text
        state = self.gaz.capital_of(text) or self.gaz.lookup(text)
        if state is None or state.type != "COUNTRY":
            return None
        return _Actor(name_key(state.name), state.name, "COUNTRY")


_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_SMALL_WORDS = {
    "a",
    "an",
    "the",
    "and",
    "or",
    "of",
    "on",
    "in",
    "at",
    "to",
    "for",
    "with",
    "by",
    "from",
    "as",
    "vs",
}


def _is_headline(text: str, pos: int, title: str | None = None) -> bool:
    """Whether the line holding ``pos`` is a title: no closing stop, words capitalised.

    Headlines restate the story in telegraphic grammar that parses badly; the body states the
    same event in full.
    """
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start : end if end >= 0 else len(text)].strip()
    if not line or line[-1] in ".!?”\"’';)":
        return False
    if title and " ".join(line.split()) == " ".join(title.split()):
        return True  # the article's own title, in sentence case or not
    if not text[:start].strip():
        return True  # the first line, without a closing stop
    words = [w for w in _WORD.findall(line) if w.lower() not in _SMALL_WORDS]
    if not words or len(words) > 25:
        return False
    return sum(1 for w in words if w[0].isupper()) / len(words) >= 0.6


def _segment(sent: Any, t: Any, text: str, title: str | None = None) -> tuple[int, int]:
    """Token bounds of the trigger's sentence cut at paragraph breaks and after headlines the
    parser ran over."""
    p0 = text.rfind("\n\n", sent.start_char, t.idx)
    p1 = text.find("\n\n", t.idx, sent.end_char)
    nl = text.rfind("\n", sent.start_char, t.idx)
    if nl > p0 and nl > sent.start_char and _is_headline(text, nl - 1, title):
        p0 = nl
    lo, hi = sent.start, sent.end
    if p0 >= 0:
        lo = next((x.i for x in sent if x.idx > p0), lo)
    if p1 >= 0:
        hi = next((x.i for x in sent if x.idx >= p1), hi)
    return lo, hi


def _matches_rule(t: Any, rule: TriggerRule) -> Any | bool | None:
    """The object head satisfying the rule, True when the rule needs none, False on no match."""
    if rule.pos == "VERB" and t.pos_ not in ("VERB",):
        return False
    if rule.pos == "NOUN" and t.pos_ not in ("NOUN", "PROPN"):
        return False
    if rule.preps:
        kids = {c.lower_ for c in t.children if c.dep_ in ("prep", "advmod", "prt")}
        named_object = rule.actor_object and any(
            c.dep_ == "dobj" and c.ent_type_ in NAME_LABELS for c in t.children
        )
        if not kids & rule.preps and not named_object:
            return False
    if rule.xcomp and not any(c.dep_ == "xcomp" for c in t.children):
        return False
    if rule.modifiers and not _modified(t, rule.modifiers):
        return False
    if rule.governors and not _verb_argument(t, rule.governors):
        return False
    if not rule.objects:
        return True
    for c in _object_candidates(t):
        if c.lemma_.lower() in rule.objects or c.lower_ in rule.objects:
            return c
    return False


# How a modifier hangs on its trigger: "jointly develop", "joint statement", "co-develop".
MODIFIER_DEPS = {"advmod", "amod", "compound", "npadvmod", "nmod", "prt", "dep"}


def _modified(t: Any, modifiers: frozenset[str]) -> bool:
    """Whether a trigger carries one of these modifiers, or a hyphenated prefix ("co-develop")."""
    for c in t.children:
        if c.dep_ in MODIFIER_DEPS and (c.lower_ in modifiers or c.lemma_.lower() in modifiers):
            return True
    if t.i >= 2 and t.nbor(-1).text == "-" and t.nbor(-2).lower_ in modifiers:
        return True
    # "develop ... together", "work together with"
    return any(x.lower_ in modifiers and x.dep_ == "advmod" and x.head.head == t for x in t.subtree)


def _verb_argument(t: Any, governors: frozenset[str]) -> bool:
    """A noun that one of these verbs acts on: "cooperation is being established".

    A noun under another noun ("areas of cooperation", "the commission for cooperation") names
    a topic or a body, and one under other verbs ("cooperation is reaching a new level")
    describes a relation rather than stating an event.
    """
    head = t.head
    if t.dep_ == "conj":
        return _verb_argument(head, governors) if head != t else False
    if t.dep_ in ("nsubj", "nsubjpass", "dobj", "attr", "xcomp"):
        return head.pos_ == "VERB" and head.lemma_.lower() in governors
    if t.dep_ == "pobj" and head.dep_ == "prep" and head.head.pos_ == "VERB":
        return head.head.lemma_.lower() in governors
    return False


def _object_candidates(t: Any) -> list[Any]:
    """Tokens that can be a trigger's object: objects, passive subjects, 'of'/'on' phrases."""
    out = []
    for c in t.children:
        if c.dep_ in ("dobj", "nsubjpass", "attr", "oprd", "dative", "compound", "amod", "nmod"):
            out.append(c)
            out.extend(x for x in c.children if x.dep_ == "conj")
        elif c.dep_ == "prep" and c.lower_ in ("of", "on", "with", "for", "to"):
            for p in c.children:
                if p.dep_ == "pobj":
                    out.append(p)
                    out.extend(x for x in p.children if x.dep_ == "conj")
        elif c.dep_ == "xcomp" and c.pos_ in ("NOUN", "PROPN"):
            out.append(c)
    for c in list(out):
        if c.lemma_.lower() in QUANTITY_HEADS:
            out.extend(
                p
                for k in c.children
                if k.dep_ == "prep" and k.lower_ == "of"
                for p in k.children
                if p.dep_ == "pobj"
            )
    # "sanctions that X imposed": the noun a relative clause modifies is its object.
    if t.dep_ in ("relcl", "acl") and t.head.pos_ in ("NOUN", "PROPN"):
        out.append(t.head)
    return out


def _subject_tokens(v: Any, depth: int = 0) -> list[Any]:
    """The subject (or passive agent) of a verb, inherited through xcomp, conj and relatives."""
    if depth > 4:
        return []
    subs = []
    for c in v.children:
        if c.dep_ in ("nsubj", "csubj"):
            if c.lower_ in ("which", "that", "who", "whom") and v.dep_ == "relcl":
                subs.append(v.head)
            else:
                subs.append(c)
        elif c.dep_ == "agent":
            subs.extend(p for p in c.children if p.dep_ == "pobj")
    if subs:
        return subs
    if any(c.dep_ == "nsubjpass" for c in v.children):
        return []  # a passive's subject is what the event is about, not who does it
    if v.dep_ in ("xcomp", "conj", "advcl", "pcomp", "acomp") and v.head != v:
        if v.dep_ == "pcomp":
            prep = v.head
            return _subject_tokens(prep.head, depth + 1) if prep.head != prep else []
        return _subject_tokens(v.head, depth + 1)
    if v.dep_ == "acl" and v.tag_ == "VBG":
        return [v.head]
    return []


class _Reader:
    """Reads the participants of one trigger from the parse."""

    def __init__(self, idx: _DocIndex, shadow: set[int]) -> None:
        self.idx = idx
        self.shadow = shadow

    def expand(self, tok: Any, depth: int = 0) -> list[tuple[_Actor, Any]]:
        """The actors a noun phrase names: its own name, its members, or the pair it stands for."""
        if depth > 4 or tok.i in self.shadow:
            return []
        out: list[tuple[_Actor, Any]] = []
        a = self.idx.actor(tok)
        if a is not None:
            out.append((a, tok))
            # "Russian Technologies and federal space agency Roscosmos": a named apposition.
            for c in tok.children:
                if c.dep_ == "appos" and self.idx.actor(c) is not None:
                    out.extend(self.expand(c, depth + 1))
        elif self._is_pair(tok):
            out.extend((p, tok) for p in self.idx.pair)
        elif tok.pos_ in ("NOUN", "PROPN", "PRON", "ADJ", "NUM"):
            listed: list[tuple[_Actor, Any]] = []
            owners: list[tuple[_Actor, Any]] = []
            for c in tok.children:
                if c.dep_ == "prep" and _lists_members(c, tok):
                    for p in c.children:
                        if p.dep_ == "pobj":
                            listed.extend(self.expand(p, depth + 1))
                elif c.dep_ in ("compound", "amod", "nmod", "appos"):
                    if c.dep_ == "appos":
                        listed.extend(self.expand(c, depth + 1))
                    elif (ca := self.idx.actor(c)) is not None:
                        owners.append((ca, c))
                elif c.dep_ == "poss":
                    owners.extend(self.expand(c, depth + 1))
                elif c.dep_ == "prep" and c.lower_ == "to" and tok.lemma_.lower() in GATHERINGS:
                    # "Putin's visit to Beijing": the host state takes part.
                    for p in c.children:
                        if p.dep_ == "pobj" and (host := self.idx.place(p)) is not None:
                            owners.append((host, p))
                elif (
                    c.dep_ == "prep"
                    and c.lower_ in ("from", "of", "by")
                    and (
                        tok.lemma_.lower() in GENERIC_HEADS
                        or tok.lemma_.lower() in AID_NOUNS
                        or tok.pos_ == "PRON"
                    )
                ):
                    for p in c.children:
                        if p.dep_ == "pobj":
                            owners.extend(self.expand(p, depth + 1))
            # "enterprises such as A and B": the listed members are the parties, not the owner.
            out.extend(listed or owners)
        # "The Ministry of Science of Myanmar and Rosatom": the parser often hangs the conjunct
        # on the last word inside the first name; it is a party of its own all the same.
        inner = [tok]
        if a is not None and tok.i in self.idx.extent:
            first, last = self.idx.extent[tok.i]
            inner = [tok.doc[k] for k in range(first, last + 1)]
        for x in inner:
            for c in x.children:
                if c.dep_ == "conj" and not (a is not None and self.idx.actor(c) == a):
                    out.extend(self.expand(c, depth + 1))
        return out

    def _is_pair(self, tok: Any) -> bool:
        if not self.idx.pair:
            return False
        low = tok.lower_
        if low == "other" and any(c.lower_ == "each" for c in tok.children):
            return True  # "with each other"
        if tok.lemma_.lower() not in PAIR_NOUNS or tok.tag_ not in ("NNS", "NNPS"):
            return False
        mods = {c.lower_ for c in tok.children}
        return bool(mods & {"two", "both"}) or "the" in mods

    def pobjs(self, tok: Any, preps: set[str]) -> list[Any]:
        return [
            p
            for c in tok.children
            if c.dep_ == "prep" and c.lower_ in preps
            for p in c.children
            if p.dep_ == "pobj"
        ]


def _count_of(tok: Any | None) -> int | None:
    if tok is None:
        return None
    for c in tok.children:
        if c.dep_ == "nummod":
            w = c.lower_.replace(",", "")
            if w.isdigit():
                return int(w)
            if w in NUMBERS:
                return NUMBERS[w]
    return None


_modality = event_modality


def _status(t: Any, lo: int = 0, hi: int = 1 << 30) -> str | None:
    """done, planned, or None when the text states no event (negated, feared, speculative)."""
    status, why = _modality(t, lo, hi)
    return None if why else status


def _clause_head(t: Any) -> Any:
    """The verb heading the trigger's clause (the trigger itself when it is a verb)."""
    cur = t
    for _ in range(12):
        if cur.pos_ in ("VERB", "AUX") and cur.lemma_.lower() not in REPORTING:
            return cur
        if cur.head == cur:
            return cur
        cur = cur.head
    return cur


def _lists_members(prep: Any, noun: Any) -> bool:
    """A preposition that lists members of a noun: "such as", "including", "like"."""
    if prep.lower_ in ("including", "like"):
        return True
    return prep.lower_ == "as" and any(g.lower_ == "such" for g in (*prep.children, *noun.children))


def _shadowed(sent: Any) -> set[int]:
    """Owners of listed members: "China's enterprises such as A and B" -> China is shadowed."""
    out: set[int] = set()
    for t in sent:
        has_list = any(c.dep_ == "prep" and _lists_members(c, t) for c in t.children)
        if has_list:
            for c in t.children:
                if c.dep_ == "poss":
                    out.update(x.i for x in c.subtree)
    return out


def _reporting_subjects(sent: Any) -> set[int]:
    """Tokens naming who reports: speakers, whom they tell, and the sources a text cites."""
    out: set[int] = set()
    for t in sent:
        low = t.lemma_.lower()
        if low in REPORTING and t.pos_ == "VERB":
            for c in t.children:
                # "told Reuters", "told reporters": the listener is no party either.
                if c.dep_ in ("nsubj", "nsubjpass") or (low == "tell" and c.dep_ in TOLD):
                    out.update(x.i for x in c.subtree)
        elif t.lower_ == "according" and t.dep_ == "prep":
            # "according to Vortexa", "according to Izvestia's sources"
            out.update(x.i for x in t.subtree)
        elif low in SOURCE_NOUNS and (low != "source" or t.tag_ == "NNS"):
            # "Izvestia's sources", "a TASS report": who holds the source only reports (one
            # "source" may be a supplier: "China's main source of oil").
            for c in t.children:
                if c.dep_ in ("poss", "compound"):
                    out.update(x.i for x in c.subtree)
    return out


def _forms(t: Any) -> list[str]:
    """The keys a token is looked up by: its lemma, its form, "know-how"."""
    lemma = t.lemma_.lower()
    keys = [lemma]
    if t.lower_ != lemma:
        keys.append(t.lower_)
    if t.lower_ == "how" and t.i >= 2 and t.nbor(-1).text == "-" and t.nbor(-2).lower_ == "know":
        keys.append("know-how")
    return keys


def _stems(t: Any) -> list[str]:
    """A verb's form without its inflection, for when the lemmatiser missed it ("installed"
    gave "instal")."""
    low = t.lower_
    out = []
    if t.pos_ == "VERB":
        for suffix, add in (("ied", "y"), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e")):
            if low.endswith(suffix) and len(low) > len(suffix) + 2:
                out.append(low[: -len(suffix)] + add)
    return out


def _find_candidates(
    sent: Any,
    lexicon: dict[str, tuple[TriggerRule, ...]],
    classes: dict[str, tuple[TriggerRule, ...]] | None = None,
) -> list[_Candidate]:
    out = []
    for t in sent:
        keys = _forms(t)
        seen_types: set[str] = set()
        found: list[_Candidate] = []
        for key in keys:
            for rule in lexicon.get(key, ()):
                if rule.type in seen_types:
                    continue
                head = _matches_rule(t, rule)
                if head is False:
                    continue
                seen_types.add(rule.type)
                found.append(
                    _Candidate(
                        rule=rule,
                        trigger=t,
                        sent=sent,
                        object_head=head if head is not True else None,
                    )
                )
        # The more specific reading wins: "bought a stake" is an investment, not a supply.
        if any(c.rule.objects for c in found):
            found = [c for c in found if c.rule.objects]
        # The trigger classes: candidates for the decider, one per type.
        if not classes:
            out.extend(found)
            continue
        stems = [x for x in _stems(t) if x not in keys]
        in_name = t.ent_type_ in NAMED_SPANS
        for key in [*keys, *stems]:
            for rule in classes.get(key, ()):
                # Inside a name only the classes that may head one are read.
                if rule.type in seen_types or rule.named != in_name or not _pos_fits(t, rule):
                    continue
                head = True
                if rule.objects or rule.preps or rule.modifiers:
                    head = _matches_rule(t, rule)
                    if head is False:
                        continue
                seen_types.add(rule.type)
                found.append(
                    _Candidate(
                        rule=rule,
                        trigger=t,
                        sent=sent,
                        object_head=head if head is not True else None,
                    )
                )
        out.extend(found)
    return out


def _pos_fits(t: Any, rule: TriggerRule) -> bool:
    if rule.pos == "VERB":
        return bool(t.pos_ == "VERB")
    if rule.pos == "NOUN":
        return bool(t.pos_ in ("NOUN", "PROPN"))
    return bool(t.pos_ in ("VERB", "NOUN", "PROPN"))


def _named_trigger(t: Any, rule: TriggerRule) -> bool:
    """Whether a trigger inside a name may still be read: it heads a name its class allows
    ("the India-Russia Trade Forum" is a meeting; "Shanghai Cooperation Organisation" is no
    cooperation)."""
    if not rule.named or not t.ent_type_:
        return False
    span = next((e for e in t.doc.ents if e.start <= t.i < e.end), None)
    return span is not None and span.root == t


def _phrase(c: _Candidate) -> set[int]:
    """Token indices of the object phrase: what the event is about."""
    t = c.trigger
    heads: list[Any] = []
    if c.object_head is not None and c.object_head != t.head:
        heads.append(c.object_head)
    verbs = [t]
    if t.pos_ == "VERB":
        # "discussed and exchanged views on X": the coordinated verb shares the subject and topic.
        verbs += [
            k
            for k in t.children
            if k.dep_ == "conj"
            and k.pos_ == "VERB"
            and not any(g.dep_ in ("nsubj", "nsubjpass") for g in k.children)
        ]
    for v in verbs:
        for k in v.children:
            if k.dep_ in ("dobj", "xcomp", "dative") or (
                k.dep_ == "prep" and k.lower_ in TOPIC_PREPS
            ):
                heads.append(k)
    idx: set[int] = set()
    for h in heads:
        idx.update(x.i for x in h.subtree)
    # A relative clause or a clausal apposition on the object is another statement ("the
    # S-400, a purchase that led Washington to ...", "the plant, which Rosatom is building").
    for i in list(idx):
        tok = t.doc[i]
        if tok.dep_ == "relcl" or (
            tok.dep_ == "appos" and any(x.pos_ == "VERB" for x in tok.subtree)
        ):
            idx.difference_update(x.i for x in tok.subtree)
    if c.object_head is not None and c.object_head == t.head:
        # A relative clause's noun: the noun and its own modifiers, not the whole sentence.
        idx.add(t.head.i)
        idx.update(x.i for x in t.head.lefts)
    idx.discard(t.i)
    return idx


def _prep_of(tok: Any) -> str | None:
    """The preposition governing a name, through lists: "on Rosneft and Lukoil" -> on."""
    while tok.dep_ == "conj" and tok.head != tok:
        tok = tok.head
    return str(tok.head.lower_) if tok.dep_ == "pobj" and tok.head.dep_ == "prep" else None


def _describes(tok: Any, idx: _DocIndex) -> bool:
    """A state named only to describe another party or a place: "Chinese President Xi Jinping",
    "the Russian firm Atomstroyexport", "his Japanese counterpart, Shinzo Abe", "in Irkutsk,
    Russia"."""
    a = idx.actor(tok)
    if a is None or a.type != "COUNTRY":
        return False
    if (
        tok.dep_ in ("appos", "conj", "npadvmod")
        and tok.i > 1
        and tok.nbor(-1).text == ","
        and tok.head.ent_type_ in ("GPE", "LOC", "FAC")
        and idx.actor(tok.head) is None
    ):
        return True  # the state after a city names where, not who
    if tok.dep_ not in ("amod", "compound", "nmod"):
        return False

    def named(x: Any) -> bool:
        n = idx.actor(x)
        return n is not None and n != a and n.type in ("PERSON", "ORG")

    head = tok.head
    for _ in range(4):
        if named(head) or any(k.dep_ == "appos" and named(k) for k in head.children):
            return True
        if head.dep_ == "appos" and named(head.head):
            return True
        if head.dep_ not in ("compound", "amod", "nmod") or head.head == head:
            return False
        head = head.head
    return False


def _speaker(s: Any, reader: _Reader) -> list[tuple[_Actor, Any]]:
    """The speaker a pronoun or "the company" stands for under a reporting verb: "Novatek said
    it had signed ...", "GE said it began working with HAL", "the company was in talks"."""
    low = s.lower_
    kind = SPEAKER_PRONOUNS.get(low) or SPEAKER_PERSONS.get(low)
    if (
        kind is None
        and s.lemma_.lower() in SPEAKER_NOUNS
        and s.tag_ == "NN"
        and any(d.lower_ == "the" for d in s.children)
    ):
        kind = "group"
    if kind is None:
        return []
    v = s.head
    for _ in range(6):
        if v.pos_ in ("VERB", "AUX") and v.dep_ == "ccomp":
            break
        if v.head == v:
            return []
        v = v.head
    rep = v.head
    if v.dep_ != "ccomp" or rep.lemma_.lower() not in REPORTING:
        return []
    out: list[tuple[_Actor, Any]] = []
    for c in rep.children:
        if c.dep_ != "nsubj":
            continue
        for x in c.subtree:
            a = reader.idx.actor(x)
            if a is None or x.i in reader.shadow or a.type not in ACTOR_TYPES:
                continue
            if (a.type == "PERSON") == (kind == "person") and not _describes(x, reader.idx):
                out.append((a, x))
    return out


# How far back (in tokens) "it" or "the company" may look for the party it stands for.
REFERENT_WINDOW = 80


def _referent(s: Any, reader: _Reader) -> list[tuple[_Actor, Any]]:
    """The party a pronoun or "the company" subject stands for outside reported speech: "the
    loan it granted to Hungary", "the company won a contract" -> the nearest subject before it
    that names an organisation (or a state, for "it")."""
    low = s.lower_
    if low in ("it", "its", "they", "their"):
        kinds = {"ORG", "COUNTRY", "BLOC"}
    elif (
        s.lemma_.lower() in SPEAKER_NOUNS
        and s.tag_ == "NN"
        and any(d.lower_ == "the" for d in s.children)
    ):
        kinds = {"ORG"}
    else:
        return []
    idx = reader.idx
    for i in range(s.i - 1, max(-1, s.i - REFERENT_WINDOW), -1):
        a = idx.tok.get(i)
        if a is None or a.type not in kinds or i in reader.shadow:
            continue
        x = s.doc[i]
        if _describes(x, idx):
            continue
        # Only a subject is referred back to this way: walk up the name to its head.
        head = s.doc[idx.extent.get(i, (i, i))[1]]
        while head.dep_ in ("compound", "flat", "appos", "conj") and head.head != head:
            head = head.head
        if head.dep_ in ("nsubj", "nsubjpass"):
            return [(a, x)]
    return []


def _goal_heads(t: Any) -> list[Any]:
    """Nouns that say what a trigger is for, through purpose clauses and goal phrases: "signed a
    deal for the delivery of 55 Mi-17 helicopters", "a loan to finance the construction of X"."""
    out: list[Any] = []
    frontier = [t, *(k for k in t.children if k.dep_ in ("dobj", "nsubjpass", "attr"))]
    if t.pos_ in ("NOUN", "PROPN") and t.dep_ in ("dobj", "nsubjpass", "attr"):
        # "granted Hungary a loan to finance X": the purpose hangs on the governing verb.
        out.extend(
            k
            for k in t.head.children
            if k.dep_ in ("xcomp", "advcl")
            and k.i > t.i
            and any(a.lower_ == "to" for a in k.children if a.dep_ == "aux")
        )
        frontier.extend(out)
    for hop in range(3):
        nxt: list[Any] = []
        for h in frontier:
            for k in h.children:
                if (
                    k.dep_ == "prep"
                    and k.lower_ in GOAL_PREPS
                    and (k.lower_ != "of" or hop or h != t)
                ):
                    nxt.extend(p for p in k.children if p.dep_ in ("pobj", "pcomp"))
                elif (
                    k.dep_ in ("xcomp", "advcl", "acl", "relcl") and k.pos_ == "VERB" and k.i > t.i
                ):
                    # "to build", "in order to build", "a loan to finance": an infinitive states
                    # the purpose (the parser calls some of them relative clauses).
                    if any(a.lower_ == "to" for a in k.children if a.dep_ == "aux"):
                        nxt.append(k)
                elif k.dep_ in ("dobj", "conj", "appos") and h is not t:
                    nxt.append(k)
        out.extend(nxt)
        frontier = nxt
    return out


def _antecedent(tok: Any, idx: _DocIndex) -> tuple[_Actor, int] | None:
    """The named facility or product a definite noun refers back to: "the plant", "the jets"."""
    low = tok.lemma_.lower()
    want = "FACILITY" if low in FACILITY_NOUNS else "PRODUCT" if low in PRODUCT_NOUNS else None
    pinned = any(d.lower_ in ("the", "this", "that", "these", "those") for d in tok.children)
    if (
        want is None
        or tok.pos_ != "NOUN"
        or idx.actor(tok) is not None
        or not pinned
        or any(idx.actor(x) is not None for x in tok.lefts)
    ):
        return None
    nearest = None
    for i in range(tok.i - 1, max(-1, tok.i - ANTECEDENT_WINDOW), -1):
        a = idx.tok.get(i)
        if a is None or a.type != want:
            continue
        if low in a.name.lower() or low in idx.kinds.get(i, ()):
            # "the plant" -> "Akkuyu Nuclear Power Plant"; "the helicopters" -> "Ka-226T
            # helicopters" named so before
            return a, i
        if nearest is None and tok.i - i <= ANTECEDENT_NEAR:
            nearest = (a, i)
    return nearest


def _read_participants(c: _Candidate, reader: _Reader, reporting: set[int]) -> None:
    t, rule = c.trigger, c.rule
    direction = rule.direction
    subj_role = {"supplier": "source", "buyer": "target", "sanctioner": "source"}.get(
        direction or "", "party"
    )
    other_from = "source" if direction == "buyer" else "party"
    # 1. The subject side.
    subjects: list[tuple[Any, str]] = []
    if t.pos_ == "VERB":
        subjects = [(k, subj_role) for k in _subject_tokens(t)]
    else:
        # A nominal trigger: possessives and name modifiers, then the governing verb's subject.
        # An agent noun's possessor is its customer: "China's largest supplier".
        poss_role = "target" if t.lemma_.lower() in AGENT_NOUNS else subj_role
        for k in t.children:
            if k.dep_ == "poss" or (
                k.dep_ in ("compound", "amod", "nmod") and reader.idx.actor(k) is not None
            ):
                subjects.append((k, poss_role if k.dep_ == "poss" else subj_role))
        # "the loan it granted to Hungary", "the contract Rosatom signed": the subject of a
        # relative clause whose object the trigger is.
        for k in t.children:
            if k.dep_ == "relcl" and not any(g.dep_ in ("dobj", "nsubjpass") for g in k.children):
                subjects.extend(
                    (g, subj_role)
                    for g in k.children
                    if g.dep_ == "nsubj" and g.lower_ not in ("which", "that", "who")
                )
        gov = t.head
        if t.dep_ == "pobj" and gov.head != gov:
            gov = gov.head
        if (
            t.dep_ in ("dobj", "attr", "pobj", "oprd", "xcomp")
            and gov.pos_ in ("VERB", "AUX")
            and gov.lemma_.lower() not in REPORTING
        ):
            # "Rosneft is under US sanctions": the subject is the target.
            role = "target" if t.dep_ == "pobj" and t.head.lower_ == "under" else subj_role
            subjects.extend((k, role) for k in _subject_tokens(gov))
    subjects = [(k, r) for k, r in subjects if c.lo <= k.i < c.hi]
    for s, role in subjects:
        if s.i in reporting and s.head.lemma_.lower() in REPORTING:
            continue
        for a, tok in reader.expand(s) or _speaker(s, reader) or _referent(s, reader):
            c.add(a, role, tok.i)
    if t.pos_ == "VERB" and not subjects and c.lo > c.sent.start:
        # The parser ran this sentence into the headline above it, so its subject hangs there:
        # the names between the cut and the verb are the subject in linear order.
        for i in range(c.lo, t.i):
            tok = t.doc[i]
            if (named := reader.idx.actor(tok)) is not None and named.type in ACTOR_TYPES:
                c.add(named, subj_role, i)
    # 2. Counterparts, recipients, sources and targets attached to the trigger.
    for p in reader.pobjs(t, COUNTERPART_PREPS):
        for a, tok in reader.expand(p):
            c.add(a, "party", tok.i)
    if direction == "supplier":
        for p in reader.pobjs(t, {"to", "for"}):
            for a, tok in reader.expand(p):
                c.add(a, "target", tok.i)
    if direction in ("supplier", "buyer"):
        for p in reader.pobjs(t, {"from"}):
            for a, tok in reader.expand(p):
                c.add(a, other_from if direction == "buyer" else "source", tok.i)
    if direction == "sanctioner":
        for p in reader.pobjs(t, {"on", "against", "to"}):
            for a, tok in reader.expand(p):
                c.add(a, "target", tok.i)
            for p2 in reader.pobjs(p, {"to", "against", "on"}):  # "on exports to China"
                for a, tok in reader.expand(p2):
                    c.add(a, "target", tok.i)
    # "signed during Putin's visit", "agreed at the summit of A and B": the visitors take part.
    for p in reader.pobjs(t, {"during", "at", "on"}):
        if p.lemma_.lower() in GATHERINGS:
            for a, tok in reader.expand(p):
                c.add(a, "party", tok.i)
    if rule.type in ("construction", "investment"):
        for p in reader.pobjs(t, {"in", "to", "from", "into"}):
            for a, tok in reader.expand(p):
                if rule.type == "investment":
                    # "invested $1bn in Yamal LNG": what is invested in is the target.
                    c.add(a, "object" if a.type in OBJECT_TYPES else "target", tok.i)
                elif a.type == "COUNTRY":
                    c.add(a, "party", tok.i)
    if rule.type in ("construction", "supply"):
        # "the pipeline from Russia to China": the ends of a line are often attached higher up.
        for tok in _clause_head(t).subtree:
            prep = _prep_of(tok)
            end = reader.idx.actor(tok) if prep in ("from", "to") else None
            if end is not None and end.type == "COUNTRY" and end.key not in c.parts:
                role = (
                    "party"
                    if rule.type == "construction"
                    else ("source" if prep == "from" else "target")
                )
                c.add(end, role, tok.i)
    if t.pos_ == "VERB" and direction == "supplier":
        for k in t.children:
            if k.dep_ == "dative":
                for a, tok in reader.expand(k):
                    c.add(a, "target", tok.i)
    if rule.type == "award":
        for k in t.children:
            if k.dep_ in ("dobj", "dative") and reader.idx.actor(k) is not None:
                for a, tok in reader.expand(k):
                    c.add(a, "target", tok.i)
    # 3. The object phrase: facilities and products as objects, parties it names as parties.
    phrase_actors: list[tuple[_Actor, Any]] = []
    for i in sorted(c.phrase):
        tok = t.doc[i]
        named = reader.idx.actor(tok)
        if named is None or i in reader.shadow or i in reporting or _describes(tok, reader.idx):
            continue
        if (
            tok.dep_ == "poss"
            and tok.head.i in c.phrase
            and named.type == "COUNTRY"
            and any(
                reader.idx.actor(x) is not None and reader.idx.actor(x) != named
                for x in tok.head.subtree
                if x.i != i and x.i not in reader.shadow
            )
        ):
            continue  # "China's Silk Road plan": the owner of a named object, not a new party
        if (
            named.type == "COUNTRY"
            and rule.type in ("agreement", "cooperation")
            and _prep_of(tok) in PLACE_PREPS
        ):
            continue  # "signed an MoU for training in Myanmar": where, not who
        phrase_actors.append((named, tok))
    for a, tok in phrase_actors:
        if a.type in OBJECT_TYPES:
            c.add(a, "object", tok.i)
        elif a.key not in c.parts:
            role = "party"
            prep = _prep_of(tok)
            # "the pipeline from Russia to China", "sold jets to India"
            if prep == "to" and direction != "buyer":
                role = "target" if direction or rule.type != "construction" else "party"
            if direction == "buyer":
                role = "source"
            elif direction == "sanctioner" and prep in ("on", "against", "to"):
                role = "target"  # "imposed sanctions on Rosneft", "export bans to Iran"
            c.add(a, role, tok.i)
    # What the deal, loan or plan is for: facilities and products named in its goal phrases.
    goals = _goal_heads(t)
    for h in goals:
        found_object = False
        for tok in (*h.lefts, h):
            named = reader.idx.actor(tok)
            if named is not None and named.type in OBJECT_TYPES and tok.i not in reporting:
                c.add(named, "object", tok.i)
                found_object = True
        if found_object or h.lemma_.lower() in FACILITY_NOUNS:
            # "invest in Zambia's economic zone", "to build Egypt's first nuclear plant": the
            # state hosting the facility takes part.
            for k in h.children:
                host = reader.idx.actor(k) if k.dep_ == "poss" else None
                if host is not None and host.type == "COUNTRY" and host.key not in c.parts:
                    c.add(host, "target" if rule.type == "investment" else "party", k.i)
    # "the construction of the plant", "agreed to buy the jets": the thing named before.
    t_nominal = t.pos_ in ("NOUN", "PROPN")
    for tok in (*(t.doc[i] for i in sorted(c.phrase)), *goals, *(t.subtree if t_nominal else ())):
        if (found := _antecedent(tok, reader.idx)) is not None and found[0].key not in c.parts:
            c.add(found[0], "object", tok.i)
            if found[0].key in c.parts:
                c.flags.add("antecedent")
                break  # one referred object; it does not count towards the parties (_min_parts)
    # Direction: goods of a named state ("French warships", "Russian fuel") give the source.
    if (
        direction in ("buyer", "supplier")
        and c.object_head is None
        and not any(role == "source" for _, role, _ in c.parts.values())
    ):
        # Bought goods, or goods delivered in the passive; "supplies Turkish customers" names
        # the recipients, not the goods.
        goods = ("dobj", "nsubjpass") if direction == "buyer" else ("nsubjpass",)
        for k in t.children:
            if k.dep_ in goods:
                for m in k.children:
                    maker = reader.idx.actor(m) if m.dep_ in ("amod", "compound") else None
                    if maker is not None:
                        c.add(maker, "source", m.i)


def _fallback(c: _Candidate, reader: _Reader, reporting: set[int]) -> None:
    """Names in the trigger's clause, then in its sentence, when the parse gave too few."""
    head = _clause_head(c.trigger)
    # Agreements and talks always have two sides: the sentence may name the other one.
    scopes = (head.subtree, c.sent) if c.rule.type in MULTI_PARTY else (head.subtree,)
    for scope in scopes:
        for tok in scope:
            if tok.i in reader.shadow or tok.i in reporting or _describes(tok, reader.idx):
                continue
            a = reader.idx.actor(tok)
            if a is None and tok.head.lower_ == "to" and tok.head.head.lemma_.lower() in GATHERINGS:
                a = reader.idx.place(tok)  # "Putin's visit to Beijing": the host state
            if a is None or a.key in c.parts or a.type not in ACTOR_TYPES:
                continue
            c.add(a, "party", tok.i)
            c.fallback = True
        if len(c.parts) >= 2:
            return
        c.wide = True


def _widen(c: _Candidate, reader: _Reader, reporting: set[int]) -> None:
    """Objects named in the clause, and actors in the sentence when the clause named none.

    For candidates the rules left out: a trained decider weighs how far their participants
    had to be looked for ("Construction of the pipeline began in May": the pipeline).
    """
    head = _clause_head(c.trigger)
    for scope, wide in ((head.subtree, False), (c.sent, True)):
        for tok in scope:
            if (
                tok.i in reader.shadow
                or tok.i in reporting
                or not c.lo <= tok.i < c.hi
                or _describes(tok, reader.idx)
            ):
                continue
            a = reader.idx.actor(tok)
            if a is None or a.key in c.parts:
                continue
            if a.type in OBJECT_TYPES:
                c.add(a, "object", tok.i)
                c.flags.add("widened_object" if not wide else "wide_object")
            elif a.type in ACTOR_TYPES and (
                not wide or not any(r != "object" for _, r, _ in c.parts.values())
            ):
                c.add(a, "party", tok.i)
                c.flags.add("widened_actor" if not wide else "wide_actor")
        if any(r != "object" for _, r, _ in c.parts.values()):
            return


def _evidence_span(c: _Candidate, core: set[int]) -> tuple[int, int]:
    sent = c.sent
    idx = {c.trigger.i, *core}
    # Names taken from the clause join the quote when they sit in the trigger's own phrase, or
    # when the parse gave no participant at all ("Talks are underway between A and B").
    scope = {x.i for x in (c.trigger if core else _clause_head(c.trigger)).subtree}
    idx.update(tok for _, _, tok in c.parts.values() if tok in scope)
    if c.object_head is not None:
        idx.add(c.object_head.i)
    idx.update(c.phrase)
    # The trigger's own phrase, without coordinated or adverbial clauses that follow it.
    for k in c.trigger.children:
        if k.i > c.trigger.i and k.dep_ not in (
            "conj",
            "cc",
            "punct",
            "advcl",
            "relcl",
            "parataxis",
            "mark",
            "npadvmod",
            "advmod",
        ):
            idx.update(x.i for x in k.subtree)
    # A quote holds whole names: "Russian Technologies", not "Technologies".
    ext = [c.extent.get(i, (i, i)) for i in idx]
    lo = max(min(a for a, _ in ext), sent.start, c.lo)
    hi = min(max(b for _, b in ext), sent.end - 1, c.hi - 1)
    doc = c.trigger.doc
    while hi > lo and (doc[hi].is_punct or doc[hi].is_space) and doc[hi].text not in (")", "”"):
        hi -= 1
    while lo < hi and (doc[lo].is_punct or doc[lo].is_space or doc[lo].dep_ in ("cc", "mark")):
        lo += 1
    return doc[lo].idx, doc[hi].idx + len(doc[hi].text)


def _anaphoric(c: _Candidate) -> bool:
    """Whether the trigger's parties are only referred to: "the countries", "they", "their"."""
    t = c.trigger
    near = [k for k in t.children if k.dep_ in ("poss", "nsubj", "nsubjpass")]
    if t.pos_ == "VERB":
        near += _subject_tokens(t)
    return any(k.pos_ == "PRON" or k.lemma_.lower() in PAIR_NOUNS for k in near)


def _min_parts(c: _Candidate) -> int:
    """Two participants, or one joint body for talks ("the meeting of the commission"); an object
    only referred to ("the plant") is one more to find, not one found."""
    extra = int("antecedent" in c.flags)
    if c.rule.type == "talks" and any(
        a.type == "BLOC" or (a.type == "ORG" and JOINT_BODY.search(a.name))
        for a, _, _ in c.parts.values()
    ):
        return 1 + extra
    return 2 + extra


def _absorb(c: _Candidate, host: _Candidate) -> None:
    """Move a generic event's participants into the specific event that explains it."""
    for a, role, tok in c.parts.values():
        if a.key not in host.parts:
            host.add(a, "party" if role != "object" else role, tok)
            if tok in c.core:
                host.core.add(tok)


TEMPORAL_PREPS = {"after", "before", "during", "following", "since", "until", "ahead", "amid"}


def _time_adjunct_of(noun: Any, verb: Any) -> bool:
    """Whether a nominal trigger only times another trigger: "signed after the meeting"."""
    prep = noun.head
    return noun.dep_ == "pobj" and prep.lower_ in TEMPORAL_PREPS and prep.head == verb


def _linked(a: _Candidate, b: _Candidate) -> bool:
    """Two triggers coordinated in one clause ("worked with X and supplied Y")."""
    ta, tb = a.trigger, b.trigger
    return bool((ta.dep_ == "conj" and ta.head == tb) or (tb.dep_ == "conj" and tb.head == ta))


def _event_id(doc_id: str, etype: str, start: int) -> str:
    return hashlib.sha1(f"{doc_id}|{etype}|{start}".encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class EventCandidate:
    """A trigger read with its participants, status and date, before any decision.

    ``event`` is what the candidate becomes when a decider keeps it; ``features`` are the
    numbers a trained decider weighs (sorted by name); ``rule_keep`` is the rule decider's
    verdict, so both decide on the same candidates.
    """

    event: Event
    sentence: int
    clause: str
    strict: bool
    rule_keep: bool
    features: tuple[tuple[str, float], ...] = ()
    # The parser's own token vectors (spaCy's ``doc.tensor``): the trigger's, then the mean over
    # its clause; empty when the parse carries none.
    vector: tuple[float, ...] = ()
    # False when negation, speculation or a frame (fear, deny, consider) says no event happened.
    stated: bool = True
    # Whether a participant is named in the sentence itself, not only referred to ("the two
    # countries", "the plant"): a decider tells a new report from a reference back by it.
    named: bool = True


def find_candidates(
    doc: Document,
    sdoc: Any,
    mentions: list[Mention],
    entities: list[Entity],
    gazetteer: Gazetteer | None = None,
) -> list[EventCandidate]:
    """Every trigger of the lexicon and of the trigger classes, read, in text order."""
    lexicon = load_triggers()
    classes = load_trigger_classes()
    idx = _DocIndex(sdoc, mentions, entities, gazetteer or _bundled_gazetteer())
    # The reading below walks heads and children thousands of times: over plain tokens built
    # once per document, not spaCy tokens built on every step.
    fdoc = FastDoc(sdoc, idx.text)
    kept_events: list[Event] = []
    out: list[EventCandidate] = []
    n_sents = 0
    dates = DateContext(idx.text, doc.published)
    sent_starts: list[int] = []
    for si, sent in enumerate(fdoc.sents):
        n_sents += 1
        sent_starts.append(sent.start_char)
        # A trigger word inside a name ("Shanghai Cooperation Organisation") is no trigger.
        cands = [
            c
            for c in _find_candidates(sent, lexicon, classes)
            if not _is_headline(idx.text, c.trigger.idx, doc.title)
            and (
                _named_trigger(c.trigger, c.rule)
                or (
                    c.trigger.ent_type_ not in NAMED_SPANS
                    and idx.actor(c.trigger) in (None, *idx.countries.values())
                )
            )
        ]
        if not cands:
            continue
        shadow = _shadowed(sent)
        reporting = _reporting_subjects(sent)
        reader = _Reader(idx, shadow)
        for c in cands:
            c.lo, c.hi = _segment(sent, c.trigger, idx.text, doc.title)
            c.extent = idx.extent
            # The decider weighs the clause's own modality; the event's status also reads
            # what governs it beyond (see _to_event).
            status, why = _modality(c.trigger, c.lo, c.hi, content=False)
            c.status, c.why = status, why
            c.phrase = {i for i in _phrase(c) if c.lo <= i < c.hi}
        # The rule path: strict triggers stating an event.
        kept = [c for c in cands if c.rule.strict and c.why is None]
        # A trigger inside another event's object phrase is part of that event's description;
        # one in its time adjunct ("signed a protocol after the meeting") only dates it.
        for group in (kept, cands):
            for a in group:
                for b in group:
                    if a is not b and (
                        (
                            b.trigger.i in a.phrase
                            and not (a.trigger.i in b.phrase and a.trigger.i > b.trigger.i)
                        )
                        or _time_adjunct_of(b.trigger, a.trigger)
                    ):
                        b.flags.add("nested" if group is kept else "nested_any")
        for c in cands:
            _read_participants(c, reader, reporting)
            c.core = {tok for _, _, tok in c.parts.values()}
        # Cooperation beside a more specific event of the same sentence joins it: "worked
        # with X and supplied Y" is one supply.
        rule_live = [c for c in kept if "nested" not in c.flags]
        specific = [o for o in rule_live if o.rule.type != GENERIC_TYPE]
        for c in cands:
            host = next((o for o in specific if o is not c and _linked(o, c)), None)
            if c.rule.type == GENERIC_TYPE and host is not None:
                if c in rule_live:
                    _absorb(c, host)
                c.flags.add("absorbed")
        for c in cands:
            c.n_parsed = len(c.parts)
            if len(c.parts) < 2:
                _fallback(c, reader, reporting)
        final: list[_Candidate] = []
        for c in rule_live:
            if "absorbed" in c.flags or len(c.parts) < _min_parts(c):
                continue
            # "held a dialogue, with A and B meeting their counterparts": one sentence, one
            # type and shared participants make one event.
            same = next(
                (o for o in final if o.rule.type == c.rule.type and set(o.parts) & set(c.parts)),
                None,
            )
            if same is not None:
                for actor, role, tok in c.parts.values():
                    same.add(actor, role, tok)
                    if tok in c.core:
                        same.core.add(tok)
                same.core.add(c.trigger.i)  # the quote covers both statements
                c.flags.add("merged")
                continue
            final.append(c)
        for c in cands:
            named = {
                a.key
                for a, _, tok in c.parts.values()
                if tok in c.core and idx.actor(sdoc[tok]) == a
            }
            # "The countries discussed ...", "after their meeting": an anaphoric report of an
            # event already stated in this document is that event again, not a new one.
            if (
                not named
                and _anaphoric(c)
                and any(
                    e.type == c.rule.type and set(c.parts) <= {p.entity_key for p in e.participants}
                    for e in kept_events
                )
            ):
                c.flags.add("repeat")
        for c in cands:
            if c not in final:
                _widen(c, reader, reporting)
        _context(cands)
        _rule_context(cands, final)
        for c in cands:
            ev = _to_event(doc, c, idx, dates, sent_starts[:-1])
            keep = c in final and "repeat" not in c.flags and ev.confidence >= MIN_CONFIDENCE
            if keep:
                kept_events.append(ev)
            out.append(
                EventCandidate(
                    event=ev,
                    sentence=si,
                    clause=_clause_text(c),
                    strict=c.rule.strict,
                    rule_keep=keep,
                    features=_features(c, ev, idx, si),
                    vector=_vector(c),
                    stated=c.why is None or _threat(c),
                    named=any(idx.actor(sdoc[tok]) == a for a, _, tok in c.parts.values()),
                )
            )
    n = max(n_sents, 1)
    out = _dates_from_context(out, dates)
    return [replace(x, features=(*x.features, ("position", round(x.sentence / n, 3)))) for x in out]


def _threat(c: _Candidate) -> bool:
    """A sanction the text says may come ("could face US sanctions", "risks sanctions") is
    stated: a threat is itself reported, as a planned sanction."""
    return c.why == "spec" and c.rule.type == "sanction"


# How many sentences apart two statements of one event may be: "X has signed a contract ...
# The two sides inked the contract on Friday."
RESTATED_WITHIN = 3


def _dates_from_context(out: list[EventCandidate], dates: DateContext) -> list[EventCandidate]:
    """Dates for events their own sentences leave undated: from a nearby statement of the same
    event that is dated, else, for an event done and told in the lead, the dateline's day."""
    donors = [
        x
        for x in out
        if x.stated and x.event.date_source in ("explicit", "relative") and x.event.status == "done"
    ]
    result = []
    for x in out:
        ev = x.event
        if ev.date is None and ev.status == "done":
            near = [
                d
                for d in donors
                if d.event.type == ev.type
                and d.sentence != x.sentence
                and abs(d.sentence - x.sentence) <= RESTATED_WITHIN
            ]
            when = None
            if near:
                d = min(near, key=lambda d: (abs(d.sentence - x.sentence), d.sentence))
                when = _date_of(d.event, "context")
            else:
                lead = dates.lead(ev.sentence_start)
                when = (lead.value, lead.precision, lead.source) if lead else None
            if when is not None:
                ev = replace(ev, date=when[0], date_precision=when[1], date_source=when[2])
                x = replace(x, event=ev)
        result.append(x)
    return result


def _date_of(ev: Event, source: str) -> tuple[str, str, str] | None:
    """An event's date, precision and a new source, or None when undated."""
    if ev.date is None or ev.date_precision is None:
        return None
    return ev.date, ev.date_precision, source


def extract_events(
    doc: Document,
    sdoc: Any,
    mentions: list[Mention],
    entities: list[Entity],
    gazetteer: Gazetteer | None = None,
    *,
    decider: str | None = None,
) -> list[Event]:
    """Events stated in a parsed document, in text order, as the chosen decider keeps them."""
    from tieline.extract.events.decide import decide

    return decide(find_candidates(doc, sdoc, mentions, entities, gazetteer), decider)


def _context(cands: Sequence[_Candidate]) -> None:
    """Flags saying which other triggers share the sentence, and which govern this one.

    Annotators give one statement its main event: "signed a deal to supply gas" is an
    agreement (the supply is its content), so the decider must see the governing trigger.
    """
    for c in cands:
        ancestors = {x.i for x in c.trigger.ancestors}
        for o in cands:
            if o is c:
                continue
            tag = "strict" if o.rule.strict else "loose"
            c.flags.add(f"with={c.rule.type}|{o.rule.type}")
            if o.trigger.i == c.trigger.i:
                c.flags.add(f"same_token={c.rule.type}|{o.rule.type}")
            elif o.trigger.i in ancestors:
                c.flags.add(f"under={c.rule.type}|{o.rule.type}|{tag}")
            elif c.trigger.i in {x.i for x in o.trigger.ancestors}:
                c.flags.add(f"over={c.rule.type}|{o.rule.type}")
        c.flags.add(f"crowd={min(len(cands), 6)}")


def _rule_context(cands: Sequence[_Candidate], final: Sequence[_Candidate]) -> None:
    """Flags relating a candidate to the events the rules state in its sentence: one of another
    type governing it or beside it makes this one likely its content ("signed a deal to
    supply gas" is an agreement) or a side remark."""
    for c in cands:
        if c in final:
            continue
        ancestors = {x.i for x in c.trigger.ancestors}
        others = [o for o in final if o.rule.type != c.rule.type]
        if any(o.trigger.i in ancestors for o in others):
            c.flags.add("under_rule")
        elif others:
            c.flags.add("beside_rule")


def _clause_text(c: _Candidate) -> str:
    """The trigger's clause inside its paragraph: what a trained decider reads."""
    head = _clause_head(c.trigger)
    sub = [x.i for x in head.subtree if c.lo <= x.i < c.hi] or [c.trigger.i]
    doc = c.trigger.doc
    return str(doc[min(sub) : max(sub) + 1].text)


# Per parsed document: how often each actor is named, for the salience features.
def _context_features(c: _Candidate, idx: _DocIndex) -> dict[str, float]:
    """What the document around the candidate says: its main pair, its main actors, figures."""
    named = idx.named
    keys = {a.key for a, _, _ in c.parts.values()}
    pair = {a.key for a in idx.pair}
    top = idx.main_actors
    total = max(sum(named.values()), 1)
    head = c.trigger.head
    clause = c.trigger.doc[max(c.lo, c.sent.start) : min(c.hi, c.sent.end)]
    return {
        "pair_both": float(bool(pair) and pair <= keys),
        "pair_one": float(len(pair & keys) == 1),
        "top_actor": float(bool(top & keys)),
        "salience": min(max((named[k] for k in keys), default=0) / total * 4, 1.0),
        f"head={head.lemma_.lower() if head.i != c.trigger.i else 'ROOT'}": 1.0,
        "figure": float(any(t.like_num or t.is_currency for t in clause)),
        "noun_modifier": float(_modifies_noun(c.trigger)),
    }


def _modifies_noun(t: Any) -> bool:
    """Whether the trigger, itself or as a conjunct, describes another noun: it then names a
    kind of thing, not a happening ("the trade and investment sectors", "supply chains")."""
    first = t
    for _ in range(8):
        if first.dep_ != "conj" or first.head == first:
            break
        first = first.head
    return bool(first.dep_ in ("compound", "amod", "nmod") and first.head.pos_ in ("NOUN", "PROPN"))


def _vector(c: _Candidate) -> tuple[float, ...]:
    """The trigger's token vector and its clause's mean, from the parse's tensor (no extra cost)."""
    tensor = getattr(c.trigger.doc, "tensor", None)
    if tensor is None or len(tensor.shape) != 2 or tensor.shape[0] != len(c.trigger.doc):
        return ()
    import numpy as np

    # The clause's tokens: its head's subtree (a span in English parses) inside the paragraph.
    head = _clause_head(c.trigger)
    lo, hi = max(head.left_edge.i, c.lo), min(head.right_edge.i + 1, c.hi)
    clause = tensor[lo:hi] if lo < hi else tensor[c.trigger.i : c.trigger.i + 1]
    both = np.concatenate([tensor[c.trigger.i], np.add.reduce(clause) / len(clause)])
    # Rounded: the same text gives the same numbers on every machine, and the model file agrees.
    return tuple(np.round(both.astype(np.float64), 4).tolist())


def _features(c: _Candidate, ev: Event, idx: _DocIndex, si: int) -> tuple[tuple[str, float], ...]:
    """The numbers a trained decider weighs, by name."""
    roles = Counter(role for _, role, _ in c.parts.values())
    actors = [a for a, role, _ in c.parts.values() if role != "object"]
    f: dict[str, float] = {
        f"type={c.rule.type}": 1.0,
        f"lemma={c.rule.type}:{c.rule.lemma}": 1.0,
        f"class={c.rule.cls or 'lexicon'}": 1.0,
        # Tense and number: "sells", "talk about" and "production of" state habits, not events.
        f"tag={c.trigger.tag_}": 1.0,
        f"det={_determiner(c.trigger)}": 1.0,
        f"pos={c.trigger.pos_}": 1.0,
        f"dep={c.trigger.dep_}": 1.0,
        f"status={c.status}": 1.0,
        f"why={c.why}": 1.0,
        "strict": float(c.rule.strict),
        "confidence": c.rule.confidence,
        "parts": min(len(c.parts), 4) / 4,
        "parsed_parts": min(c.n_parsed, 4) / 4,
        "actors": min(len(actors), 4) / 4,
        "objects": float(roles["object"] > 0),
        "directed": float(roles["source"] + roles["target"] > 0),
        "one_part": float(len(c.parts) == 1),
        "no_part": float(not c.parts),
        "countries": float(sum(a.type == "COUNTRY" for a in actors) >= 2),
        "fallback": float(c.fallback),
        "wide": float(c.wide),
        "below_min": float(len(c.parts) < _min_parts(c)),
        # Dated by its own clause or sentence; one dated from context is no surer an event.
        "dated": float(
            ev.date is not None and ev.date_source != "context" and ev.date_precision != "monthday"
        ),
        "sector": float(ev.sector is not None),
        "first_sentence": float(si == 0),
        "lead": float(si < 3),
        "quote": float('"' in ev.evidence or "“" in ev.evidence),
    }
    f.update(_context_features(c, idx))
    for flag in c.flags:
        f[f"flag={flag}"] = 1.0
    return tuple(sorted(f.items()))


def _determiner(t: Any) -> str:
    """What a nominal trigger is pinned by: "the deal", "a deal", "Russia's deal", "two deals",
    or nothing ("cooperation between A and B" names a topic more often than an event)."""
    if t.pos_ not in ("NOUN", "PROPN"):
        return "verb"
    for k in t.children:
        if k.dep_ == "poss":
            return "poss"
        if k.dep_ == "nummod":
            return "num"
        if k.dep_ == "det":
            return "the" if k.lower_ in ("the", "this", "that", "these", "those") else k.lower_
    return "none"


def _to_event(
    doc: Document, c: _Candidate, idx: _DocIndex, dates: DateContext, previous: Sequence[int]
) -> Event:
    t = c.trigger
    start, end = _evidence_span(c, c.core)
    evidence = idx.text[start:end]
    head = _clause_head(t)
    # The clause and the sentence, inside the trigger's paragraph: a header line or a title
    # the parser ran over dates nothing.
    sub = [x for x in head.subtree if c.lo <= x.i < c.hi] or [t]
    clause = (min(x.idx for x in sub), max(x.idx + len(x.text) for x in sub))
    seg = t.doc[max(c.lo, c.sent.start) : min(c.hi, c.sent.end)]
    local = dates.local(clause, (seg.start_char, seg.end_char), t.idx)
    # Else the sentences just before, in its paragraph ("In May 2012 ... Moscow had then ...").
    when = local or dates.before(seg.start_char, previous)
    # Names are blanked out of the texts that cue a sector: "Silk Road Fund" is no road.
    named = idx.extent
    phrase_text = " ".join(idx.words[i] for i in sorted(c.phrase) if i not in named)
    sent = c.sent
    # Built only when the texts before cue no sector.
    texts = (
        phrase_text,
        lambda: idx.unnamed_text(max(c.lo, sent.start), sent.end, (start, end)),
        lambda: idx.sentence_text(sent),
    )
    sector = find_sector(
        (x if isinstance(x, str) else x() for x in texts),
        [a.name for a, _, _ in c.parts.values()],
    )
    conf = c.rule.confidence
    if c.fallback:
        conf *= 0.6 if c.wide else 0.7
    order = sorted(
        c.parts.values(),
        key=lambda p: ({"source": 0, "party": 1, "target": 2, "object": 3}[p[1]], p[2]),
    )
    return Event(
        id=_event_id(doc.id, c.rule.type, t.idx),
        type=c.rule.type,
        trigger=t.text,
        trigger_start=t.idx,
        trigger_end=t.idx + len(t.text),
        sentence_start=c.sent.start_char,
        sentence_end=c.sent.end_char,
        evidence=evidence,
        participants=tuple(Participant(a.key, a.name, role) for a, role, _ in order),
        sector=sector,
        date=when.value if when else None,
        date_precision=when.precision if when else None,
        date_source=when.source if when else None,
        status=_modality(t, c.lo, c.hi)[0] if c.why is None else c.status,
        confidence=round(conf, 3),
        count=_count_of(
            c.object_head if c.object_head is not None else (t if t.pos_ == "NOUN" else None)
        ),
    )
