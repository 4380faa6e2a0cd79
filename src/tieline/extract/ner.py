"""Names: spaCy's statistical NER with gazetteer span rulers around it.

Organisations, blocs, facilities and the other non-state actors are matched by a ruler that
runs before the statistical NER, so on overlap the gazetteer wins: spaCy's NER keeps entities
already set and predicts only around them. State names run in a second ruler after the NER,
filling only gaps: a state's name is often the first word of a company's ("China Electronics
Technology Group"), and fixing it first would cut the company's name in two.
"""

from __future__ import annotations

from typing import Any

from tieline.extract.gazetteer import Gazetteer

NAME = "ner.gazetteer.v3"

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


def ruler_patterns(nlp: Any, gaz: Gazetteer, *, states: bool | None = None) -> list[dict[str, Any]]:
    """Entity-ruler patterns for every name, alias and acronym in the gazetteer.

    ``states``: True for states only, False for everything else, None for all.
    """
    patterns: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for a in gaz.actors:
        if states is not None and (a.type == "COUNTRY") != states:
            continue
        for surface in a.surfaces:
            # Short all-capital names are matched case-exactly so that 'US' is not 'us'.
            exact = surface.isupper() and len(surface) <= 6
            key = (surface if exact else surface.lower(), a.type)
            if key in seen:
                continue
            seen.add(key)
            # Case-blind names are phrase patterns (PhraseMatcher on LOWER, see
            # add_gazetteer_ruler): with ~1,500 names it is many times faster than the
            # token Matcher, which tries every pattern at every token.
            patterns.append(
                {
                    "label": a.type,
                    "id": a.name,
                    "pattern": _token_pattern(nlp, surface, exact=True) if exact else surface,
                }
            )
        for ac in a.acronyms:
            if (ac, a.type) not in seen:
                seen.add((ac, a.type))
                patterns.append(
                    {"label": a.type, "id": a.name, "pattern": _token_pattern(nlp, ac, exact=True)}
                )
    return patterns


def _add_rulers(
    nlp: Any, name: str, patterns: list[dict[str, Any]], *, overwrite: bool, **where: Any
) -> None:
    """One ruler for the case-blind names (PhraseMatcher on LOWER) and, right after it, one for
    the case-exact acronyms (PhraseMatcher on ORTH), which only fills gaps.

    Phrase matching looks each token up once, where the token Matcher tries every pattern at
    every token: with ~2,000 names that was the slowest part of extraction (see
    docs/performance.md). The exact patterns become strings whose tokens are the same ORTHs.
    """
    lower = [p for p in patterns if isinstance(p["pattern"], str)]
    exact = [
        {**p, "pattern": " ".join(t["ORTH"] for t in p["pattern"])}
        for p in patterns
        if not isinstance(p["pattern"], str)
    ]
    ruler = nlp.add_pipe(
        "entity_ruler",
        name=name,
        **where,
        config={"overwrite_ents": overwrite, "validate": False, "phrase_matcher_attr": "LOWER"},
    )
    ruler.add_patterns(lower)
    acronyms = nlp.add_pipe(
        "entity_ruler",
        name=f"{name}_exact",
        after=name,
        config={"overwrite_ents": False, "validate": False, "phrase_matcher_attr": "ORTH"},
    )
    acronyms.add_patterns(exact)


def add_gazetteer_ruler(nlp: Any, gaz: Gazetteer) -> None:
    """Put the gazetteer's actors ahead of the statistical NER and its states after it."""
    for name in (
        "tieline_gazetteer",
        "tieline_gazetteer_exact",
        "tieline_states",
        "tieline_states_exact",
    ):
        if name in nlp.pipe_names:
            nlp.remove_pipe(name)
    has_ner = "ner" in nlp.pipe_names
    _add_rulers(
        nlp,
        "tieline_gazetteer",
        ruler_patterns(nlp, gaz, states=False),
        overwrite=True,
        before="ner" if has_ner else None,
    )
    _add_rulers(
        nlp,
        "tieline_states",
        ruler_patterns(nlp, gaz, states=True),
        overwrite=False,
        after="ner" if has_ner else "tieline_gazetteer_exact",
    )
