"""Names: spaCy's statistical NER with a gazetteer span ruler ahead of it.

The ruler runs before the statistical NER, so on overlap the gazetteer wins: spaCy's NER keeps
entities already set and predicts only around them.
"""

from __future__ import annotations

from typing import Any

from tieline.extract.gazetteer import Gazetteer

NAME = "ner.gazetteer.v1"

# spaCy label -> our type, before refinement. None: not an actor of its own.
LABEL_MAP: dict[str, str | None] = {
    "PERSON": "PERSON",
    "ORG": "ORG",
    "GPE": "COUNTRY",  # refined: only a state (or a capital standing for it) stays
    "NORP": None,  # demonyms give a country to what they modify
    "FAC": "FACILITY",
    "PRODUCT": "PRODUCT",
    "EVENT": "EVENT",
    "LOC": None,
    "LAW": "INITIATIVE",
    "WORK_OF_ART": None,
}
TYPES = {"COUNTRY", "ORG", "PERSON", "BLOC", "INITIATIVE", "FACILITY", "PRODUCT", "EVENT", "AWARD"}


def _token_pattern(nlp: Any, text: str, *, exact: bool) -> list[dict[str, str]]:
    toks = [t.text for t in nlp.make_doc(text)]
    return [{"ORTH": t} if exact else {"LOWER": t.lower()} for t in toks]


def ruler_patterns(nlp: Any, gaz: Gazetteer) -> list[dict[str, Any]]:
    """Entity-ruler patterns for every name, alias and acronym in the gazetteer."""
    patterns: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for a in gaz.actors:
        for surface in a.surfaces:
            # Short all-capital names are matched case-exactly so that 'US' is not 'us'.
            exact = surface.isupper() and len(surface) <= 6
            key = (surface if exact else surface.lower(), a.type)
            if key in seen:
                continue
            seen.add(key)
            patterns.append({"label": a.type, "id": a.name,
                             "pattern": _token_pattern(nlp, surface, exact=exact)})
        for ac in a.acronyms:
            if (ac, a.type) not in seen:
                seen.add((ac, a.type))
                patterns.append({"label": a.type, "id": a.name,
                                 "pattern": _token_pattern(nlp, ac, exact=True)})
    return patterns


def add_gazetteer_ruler(nlp: Any, gaz: Gazetteer) -> None:
    """Put a span ruler holding the gazetteer ahead of the statistical NER."""
    if "tieline_gazetteer" in nlp.pipe_names:
        nlp.remove_pipe("tieline_gazetteer")
    before = "ner" if "ner" in nlp.pipe_names else None
    ruler = nlp.add_pipe("entity_ruler", name="tieline_gazetteer", before=before,
                         config={"overwrite_ents": True, "validate": False})
    ruler.add_patterns(ruler_patterns(nlp, gaz))
