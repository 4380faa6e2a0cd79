"""The event reader's plain tokens answer exactly what spaCy's tokens and spans answer."""

from __future__ import annotations

from typing import Any

import pytest

from tieline.extract.events.tokens import FastDoc

# Short sentences written for these tests: a name over several tokens, a possessive, a
# coordination, a relative clause, numbers and a currency, and a line break between sentences.
TEXT = (
    "Rosatom and Egypt's Nuclear Power Plants Authority signed a contract on Monday, which\n"
    "covers four reactors at El Dabaa.  The plant will cost $25 billion, officials said.\n\n"
    "China's CNPC bought a 20% stake in Yamal LNG from Novatek in 2013."
)
WORD_ATTRS = (
    "text",
    "lower_",
    "lemma_",
    "pos_",
    "tag_",
    "dep_",
    "ent_type_",
    "idx",
    "is_punct",
    "is_space",
    "like_num",
    "is_currency",
)


@pytest.mark.slow
def test_every_token_attribute_matches_spacys(pipeline: Any) -> None:
    sdoc = pipeline.nlp(TEXT)
    fdoc = FastDoc(sdoc)
    assert len(fdoc) == len(sdoc)
    assert fdoc.text == sdoc.text
    for t, f in zip(sdoc, fdoc, strict=True):
        assert [getattr(f, a) for a in WORD_ATTRS] == [getattr(t, a) for a in WORD_ATTRS]
        assert f.head.i == t.head.i
        assert f.i == t.i
        assert len(f) == len(t)
        for rel in ("children", "lefts", "rights", "subtree", "ancestors"):
            assert [x.i for x in getattr(f, rel)] == [x.i for x in getattr(t, rel)], rel
        assert (f.left_edge.i, f.right_edge.i) == (t.left_edge.i, t.right_edge.i)
        # One object per token: identity stands for spaCy's equality within a document.
        assert f.head is fdoc[t.head.i]


@pytest.mark.slow
def test_sentences_entities_and_slices_match_spacys(pipeline: Any) -> None:
    sdoc = pipeline.nlp(TEXT)
    fdoc = FastDoc(sdoc, sdoc.text)

    def shape(s: Any) -> tuple[Any, ...]:
        return (s.start, s.end, s.start_char, s.end_char, s.text, s.root.i, [x.i for x in s])

    assert [shape(s) for s in fdoc.sents] == [shape(s) for s in sdoc.sents]
    assert len(fdoc.sents) == 3
    assert [shape(e) for e in fdoc.ents] == [shape(e) for e in sdoc.ents]
    for lo, hi in ((0, 5), (3, 4), (7, 20), (len(sdoc) - 3, len(sdoc))):
        assert shape(fdoc[lo:hi]) == shape(sdoc[lo:hi])
    assert (fdoc[2:2].start_char, fdoc[2:2].text) == (sdoc[2:2].start_char, sdoc[2:2].text)


@pytest.mark.slow
def test_nbor_stops_at_the_document_ends_as_spacy_does(pipeline: Any) -> None:
    sdoc = pipeline.nlp("Russia supplied China.")
    fdoc = FastDoc(sdoc)
    assert fdoc[1].nbor(-1).text == "Russia"
    assert fdoc[1].nbor().text == "China"
    for i, step in ((0, -1), (len(sdoc) - 1, 1)):
        with pytest.raises(IndexError):
            sdoc[i].nbor(step)
        with pytest.raises(IndexError):
            fdoc[i].nbor(step)
