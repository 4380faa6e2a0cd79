"""A parsed document's tokens as plain Python objects, read from spaCy's arrays once.

The event reader walks the parse token by token (heads, children, subtrees, dependency labels,
lemmas) thousands of times per document. A spaCy ``Token`` is built anew on every ``doc[i]``,
``.head`` or ``.children`` step and each ``.dep_`` or ``.lemma_`` looks its string up again;
here each token is built once per document and its attributes are plain fields. The objects
answer the same attribute names with the same values as spaCy's, so the reading code runs
unchanged on either (its tests still pass spaCy tokens).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

# The attributes read into fields, in the order of ``Doc.to_array``.
_ATTRS = (
    "ORTH",
    "LOWER",
    "LEMMA",
    "POS",
    "TAG",
    "DEP",
    "ENT_TYPE",
    "IDX",
    "HEAD",
    "IS_PUNCT",
    "IS_SPACE",
    "LIKE_NUM",
    "IS_CURRENCY",
)


class FastToken:
    """One token: spaCy's ``Token`` attributes the event reader uses, as fields."""

    __slots__ = (
        "_subtree",
        "dep_",
        "doc",
        "ent_type_",
        "head",
        "i",
        "idx",
        "is_currency",
        "is_punct",
        "is_space",
        "lefts",
        "lemma_",
        "like_num",
        "lower_",
        "pos_",
        "rights",
        "tag_",
        "text",
    )

    doc: FastDoc
    i: int
    text: str
    lower_: str
    lemma_: str
    pos_: str
    tag_: str
    dep_: str
    ent_type_: str
    idx: int
    is_punct: bool
    is_space: bool
    like_num: bool
    is_currency: bool
    head: FastToken
    lefts: tuple[FastToken, ...]
    rights: tuple[FastToken, ...]
    _subtree: tuple[FastToken, ...] | None

    @property
    def children(self) -> tuple[FastToken, ...]:
        """The token's dependents, left to right."""
        return self.lefts + self.rights

    @property
    def subtree(self) -> tuple[FastToken, ...]:
        """The token and all its descendants, in spaCy's order (left subtrees, self, right)."""
        out = self._subtree
        if out is None:
            parts: list[FastToken] = []
            for w in self.lefts:
                parts.extend(w.subtree)
            parts.append(self)
            for w in self.rights:
                parts.extend(w.subtree)
            out = self._subtree = tuple(parts)
        return out

    # spaCy's edges are its own bookkeeping, which can differ from the subtree's ends after
    # sentence boundaries cut a tree: read them from spaCy (once per candidate at most).
    @property
    def left_edge(self) -> FastToken:
        """The leftmost token of the subtree, as spaCy records it."""
        return self.doc.tokens[int(self.doc.sdoc[self.i].left_edge.i)]

    @property
    def right_edge(self) -> FastToken:
        """The rightmost token of the subtree, as spaCy records it."""
        return self.doc.tokens[int(self.doc.sdoc[self.i].right_edge.i)]

    @property
    def ancestors(self) -> Iterator[FastToken]:
        """The heads above the token, nearest first."""
        cur = self
        while cur.head is not cur:
            cur = cur.head
            yield cur

    def nbor(self, i: int = 1) -> FastToken:
        """The token ``i`` places away; IndexError outside the document, as spaCy."""
        j = self.i + i
        if j < 0 or j >= len(self.doc.tokens):
            raise IndexError(f"token index {j} out of range")
        return self.doc.tokens[j]

    def __len__(self) -> int:
        return len(self.text)

    def __repr__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


class FastSpan:
    """A slice of a ``FastDoc``: the ``Span`` attributes the event reader uses."""

    __slots__ = ("doc", "end", "start")

    def __init__(self, doc: FastDoc, start: int, end: int) -> None:
        self.doc, self.start, self.end = doc, start, end

    def __iter__(self) -> Iterator[FastToken]:
        return iter(self.doc.tokens[self.start : self.end])

    def __len__(self) -> int:
        return self.end - self.start

    # A span's characters run from its first token to the end of its last, as in spaCy; an
    # empty span asks spaCy.
    @property
    def start_char(self) -> int:
        """Where the span starts in the text."""
        if self.end > self.start:
            return self.doc.tokens[self.start].idx
        return int(self.doc.sdoc[self.start : self.end].start_char)

    @property
    def end_char(self) -> int:
        """Where the span ends in the text."""
        if self.end > self.start:
            last = self.doc.tokens[self.end - 1]
            return last.idx + len(last.text)
        return int(self.doc.sdoc[self.start : self.end].end_char)

    @property
    def text(self) -> str:
        """The span's text, as spaCy gives it."""
        if self.end > self.start:
            return self.doc.text[self.start_char : self.end_char]
        return str(self.doc.sdoc[self.start : self.end].text)

    @property
    def root(self) -> FastToken:
        """The span's syntactic root."""
        return self.doc.tokens[int(self.doc.sdoc[self.start : self.end].root.i)]


class FastDoc:
    """A parsed document whose tokens are ``FastToken``s, built once."""

    def __init__(self, sdoc: Any, text: str | None = None) -> None:
        self.sdoc = sdoc
        # spaCy joins Doc.text from its tokens on every access: the caller's copy when it has one.
        self.text: str = sdoc.text if text is None else text
        self.tensor = getattr(sdoc, "tensor", None)
        n = len(sdoc)
        cols = sdoc.to_array(list(_ATTRS)).T.tolist() if n else [[] for _ in _ATTRS]
        orth, low, lem, pos, tag, dep, ent, idx, head, pun, spc, num, cur = cols
        strings = sdoc.vocab.strings
        # Each distinct value's string once: a column repeats a few hundred of them.
        names = {h: strings[h] if h else "" for h in {*orth, *low, *lem, *pos, *tag, *dep, *ent}}
        toks: list[FastToken] = []
        heads: list[int] = []
        for i in range(n):
            t = FastToken()
            t.doc, t.i, t.idx = self, i, idx[i]
            t.text, t.lower_, t.lemma_ = names[orth[i]], names[low[i]], names[lem[i]]
            t.pos_, t.tag_, t.dep_ = names[pos[i]], names[tag[i]], names[dep[i]]
            t.ent_type_ = names[ent[i]]
            t.is_punct, t.is_space = bool(pun[i]), bool(spc[i])
            t.like_num, t.is_currency = bool(num[i]), bool(cur[i])
            t._subtree = None
            toks.append(t)
            # HEAD is stored as an offset; the unsigned array wraps negative ones.
            h = head[i]
            heads.append(i + (h if h < 1 << 63 else h - (1 << 64)))
        lefts: list[list[FastToken]] = [[] for _ in range(n)]
        rights: list[list[FastToken]] = [[] for _ in range(n)]
        for t, h in zip(toks, heads, strict=True):
            t.head = toks[h]
            if h != t.i:
                (lefts if t.i < h else rights)[h].append(t)
        for t in toks:
            t.lefts, t.rights = tuple(lefts[t.i]), tuple(rights[t.i])
        self.tokens = toks
        self.sents = [FastSpan(self, s.start, s.end) for s in sdoc.sents] if n else []
        self.ents = [FastSpan(self, e.start, e.end) for e in sdoc.ents]

    def __len__(self) -> int:
        return len(self.tokens)

    def __iter__(self) -> Iterator[FastToken]:
        return iter(self.tokens)

    def __getitem__(self, key: int | slice) -> Any:
        if isinstance(key, slice):
            start, stop, _ = key.indices(len(self.tokens))
            return FastSpan(self, start, max(start, stop))
        return self.tokens[key]
