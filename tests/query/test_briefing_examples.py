"""On the bundled examples plus the seeds: one real-world event reported twice is one timeline
item with both sources, and every line of the briefing stands on a quote that holds it
(issue 16). Slow: the documents are extracted with the spaCy model."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES, SEEDS

from tieline.config import Settings
from tieline.query import events as qe
from tieline.query.report import NOTICE, build_report, render_markdown
from tieline.store import reads
from tieline.store.db import Store

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not SEEDS.is_dir():
        pytest.skip(
            f"reference corpus not found at {SEEDS} (../shared is absent on a user's clone)"
        )
    from tieline.scale.runner import ingest_paths

    db = tmp_path_factory.mktemp("examples-seeds") / "s.db"
    ingest_paths([EXAMPLES, SEEDS], Settings(db=str(db), progress=False))
    return db


def test_one_construction_start_reported_twice_is_one_timeline_item(corpus_db: Path) -> None:
    with Store(str(corpus_db), create=False) as store:
        items = [
            x
            for x in qe.timeline(store, type="construction")
            if any(
                "Tianwan" in r.evidence or "Xudapu" in r.evidence or "four nuclear" in r.evidence
                for r in x.reports
            )
        ]
    assert len(items) == 1, [[r.citation for r in x.reports] for x in items]
    (item,) = items
    assert {r.doc_name for r in item.reports} == {
        "002_2fdc826d018cc5cc.txt",
        "02_tianwan_xudapu_nuclear.html",
    }
    assert item.sources == 2


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_every_briefing_line_holds_its_quote(corpus_db: Path) -> None:
    with Store(str(corpus_db), create=False) as store:
        rep = build_report(store, pair="CN-RU")
        docs = {d["id"]: d for d in reads.documents(store)}
        evs = reads.events(store)
    texts = {k: _flat(d["text"]) for k, d in docs.items()}
    triggers: dict[tuple[str, str], list[str]] = {}
    surfaces: dict[tuple[str, str], list[str]] = {}
    for ev in evs:
        key = (ev["doc_id"], _flat(ev["evidence"]))
        triggers.setdefault(key, []).append(ev["trigger"])
        surfaces.setdefault(key, []).extend(p["name"] for p in ev["participants"])
    assert rep.header[-1] == NOTICE
    assert any(h.startswith("Corpus: 16 documents") for h in rep.header)
    n = 0
    for sec in rep.sections:
        for line in sec.lines:
            n += 1
            for c in line.citations:
                assert c.quote in texts[c.doc_id], c
                assert c.label.startswith(docs[c.doc_id]["title"] or docs[c.doc_id]["name"])
            if not sec.title.startswith("Events"):
                continue
            when, _, who = (part.strip() for part in line.text.split("·")[:3])
            names = [w.strip() for w in who.split(",")]
            for c in line.citations:
                # The trigger and a participant of the line are in the quote.
                assert any(
                    t.casefold() in c.quote.casefold() for t in triggers[(c.doc_id, c.quote)]
                ), (line.text, c.quote)
                published = docs[c.doc_id]["published"]
                if "(reported)" in when:
                    assert when.split()[0] == min(
                        docs[x.doc_id]["published"]
                        for x in line.citations
                        if docs[x.doc_id]["published"]
                    )
                elif re.match(r"\d{4}", when) and published and "planned" not in line.text:
                    k = min(len(when), len(published))
                    assert when[:k] <= published[:k], (line.text, published)
            # A participant of the line is in a quote: as the line names it, or as the text
            # spells it ("Rostoc" for Rostec).
            quotes = " ".join(c.quote for c in line.citations).casefold()
            spelt = [s for c in line.citations for s in surfaces[(c.doc_id, c.quote)]]
            assert any(x.casefold() in quotes for x in [*names, *spelt]), line.text
    assert n > 5
    md = render_markdown(rep)
    assert NOTICE in md
