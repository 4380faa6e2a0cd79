"""Resolution within one document: surface forms to canonical entities.

- gazetteer names, aliases and acronyms go to their actor;
- a capital standing for its government goes to the state; other places are dropped;
- acronyms defined in the text ("Long Form (LF)") join their long form;
- a surname or a short name goes to the full name met earlier in the document;
- honorifics, a leading "the" and possessives are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tieline.extract.gazetteer import Gazetteer
from tieline.extract.names import clean_surface, name_key
from tieline.extract.ner import LABEL_MAP
from tieline.records import Entity, Mention

NAME = "resolve.document.v1"

_HONORIFIC = re.compile(
    r"^(?:mr|mrs|ms|dr|prof|sir|president|premier|minister|chairman|general|gen|comrade)\.?\s+",
    re.IGNORECASE,
)
_ACRONYM_AFTER = re.compile(r"^\s*\(\s*([A-Z][A-Za-z0-9&\-]{1,11})\s*\)")
# Words that make a boilerplate context: a media brand named in a comment or share block.
_MEDIA = {"google", "twitter", "facebook", "linkedin", "instagram", "youtube", "whatsapp",
          "telegram", "wordpress", "akismet", "gravatar", "reddit", "pinterest"}


@dataclass
class _Cluster:
    name: str
    type: str
    country: str | None
    by: str
    aliases: dict[str, None] = field(default_factory=dict)
    count: int = 0


def _acronym_of(long: str) -> str:
    words = [w for w in re.split(r"[\s\-]+", long) if w and w[0].isalpha()]
    return "".join(w[0] for w in words if w[0].isupper())


def resolve_document(sdoc: Any, gaz: Gazetteer) -> tuple[list[Mention], list[Entity]]:
    """Mentions with entity keys, and one Entity per canonical actor, for a parsed document."""
    text: str = sdoc.text
    clusters: dict[str, _Cluster] = {}
    mentions: list[Mention] = []
    acronyms: dict[str, str] = {}  # acronym -> key, from definitions in this text
    persons: dict[str, str] = {}  # surname / given name -> key of the full name
    for ent in sdoc.ents:
        label = ent.label_
        by = "gazetteer" if ent.ent_id_ else "ner"
        surface = clean_surface(_HONORIFIC.sub("", ent.text))
        if not surface or not any(ch.isalpha() for ch in surface):
            continue
        if by == "ner" and surface.casefold() in _MEDIA:
            continue
        actor = gaz.lookup(ent.ent_id_) if ent.ent_id_ else gaz.lookup(surface)
        etype: str | None
        country: str | None = None
        if actor is not None:
            name, etype, country = actor.name, actor.type, actor.country
        elif label == "GPE" and (cap := gaz.capital_of(surface)) is not None:
            name, etype, country = cap.name, cap.type, cap.country
        elif surface in acronyms:
            c = clusters[acronyms[surface]]
            name, etype, country = c.name, c.type, c.country
        else:
            etype = LABEL_MAP.get(label, None) if label not in ("COUNTRY", "ORG", "BLOC") else label
            if etype is None or label == "GPE":
                continue  # places that are not states, demonyms, works
            name = surface
            if etype == "PERSON":
                parts = surface.split()
                if len(parts) == 1 and surface in persons:
                    name = clusters[persons[surface]].name
        key = name_key(name)
        c = clusters.get(key)
        if c is None:
            c = clusters[key] = _Cluster(name=name, type=etype, country=country, by=by)
        c.aliases.setdefault(surface, None)
        c.count += 1
        if etype == "PERSON" and len(name.split()) > 1:
            persons.setdefault(name.split()[-1], key)
        m = _ACRONYM_AFTER.match(text[ent.end_char : ent.end_char + 16])
        if m and _acronym_of(name).startswith(m.group(1)[:2].upper()):
            acronyms[m.group(1)] = key
            c.aliases.setdefault(m.group(1), None)
        mentions.append(Mention(ent.start_char, ent.end_char, ent.text, etype, by, key))
    entities = [
        Entity(key=k, name=c.name, type=c.type, country=c.country,
               aliases=tuple(a for a in c.aliases if a != c.name), mention_count=c.count)
        for k, c in clusters.items()
    ]
    return mentions, entities
