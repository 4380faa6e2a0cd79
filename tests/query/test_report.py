"""The briefing: every claim carries a citation whose quote is in the cited document."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tieline.query.report import (
    Citation,
    Line,
    build_report,
    render_html,
    render_markdown,
    write_report,
)
from tieline.store import reads
from tieline.store.db import Store


@pytest.fixture
def kb(kb_db: Path) -> Iterator[Store]:
    with Store(str(kb_db), create=False) as s:
        yield s


def _check_citations(store: Store, report) -> int:  # type: ignore[no-untyped-def]
    texts = {d["id"]: " ".join(d["text"].split()) for d in reads.documents(store)}
    n = 0
    for sec in report.sections:
        for line in sec.lines:
            assert line.citations, line
            for c in line.citations:
                assert c.quote in texts[c.doc_id], c
            n += 1
    return n


@pytest.mark.parametrize(
    ("pair", "since"), [(None, None), ("CN-RU", None), ("CN-RU", "2019-07"), ("IN-RU", "2018")]
)
def test_report_every_claim_is_cited(kb: Store, pair: str | None, since: str | None) -> None:
    assert _check_citations(kb, build_report(kb, pair=pair, since=since)) > 0


def test_report_sections(kb: Store) -> None:
    rep = build_report(kb, pair="CN-RU")
    titles = [s.title for s in rep.sections]
    assert titles[0] == "Key actors"
    assert "Events: energy" in titles
    assert "Figures: targets against actuals" in titles
    lines = {s.title: [ln.text for ln in s.lines] for s in rep.sections}
    figures = lines["Figures: targets against actuals"]
    # The 2024 target has no 2024 actual: neither met nor missed against 2018's trade.
    assert not any(" met" in t or "missed" in t for t in figures)
    # Two sources give 2018 trade as $107 and $108 billion (under 5% apart): one line, both cited.
    (trade_2018,) = [
        ln
        for s in rep.sections
        if s.title.startswith("Figures")
        for ln in s.lines
        if "(2018, CN-RU, actual)" in ln.text
    ]
    assert "107" in trade_2018.text and "108" in trade_2018.text  # noqa: PT018
    assert len({c.doc_id for c in trade_2018.citations}) == 2
    assert not [ln for s in rep.sections if s.title.startswith("Contradictions") for ln in s.lines]
    assert rep.header[-1] == "Extracted automatically: check the quotes."
    assert rep.header[1] == "Pair: CN–RU"


def test_line_refuses_no_citation() -> None:
    with pytest.raises(ValueError, match="citation"):
        Line("Russia and China signed a deal", ())


def test_markdown_every_bullet_cites(kb: Store, tmp_path: Path) -> None:
    out = write_report(build_report(kb), tmp_path / "brief.md")
    bullets = [ln for ln in out.read_text().splitlines() if ln.startswith("- ")]
    assert bullets
    for b in bullets:
        assert re.search(r" — source: .+: “.+”", b), b
    assert "<script>" not in out.read_text()


class _Claims(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.claims: list[list[str]] = []
        self.tags: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts += 1
        if tag == "li":
            self.claims.append([])
        if self.claims and tag in ("q", "span"):
            self.claims[-1].append(tag)


def test_html_escaped_and_cited(kb: Store, tmp_path: Path) -> None:
    rep = build_report(kb)
    page = render_html(rep)
    parser = _Claims()
    parser.feed(page)
    assert parser.scripts == 0
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    n_lines = sum(len(s.lines) for s in rep.sections)
    assert len(parser.claims) == n_lines
    assert all("q" in tags and "span" in tags for tags in parser.claims)
    assert write_report(rep, tmp_path / "b.html").read_text().startswith("<!doctype html>")


def test_html_hostile_citation_url() -> None:
    from tieline.query.report import Report, Section

    c = Citation("d1", "<b>x</b>", 'He said "<img src=x onerror=alert(1)>"', "javascript:alert(1)")
    rep = Report("t", None, None, "now", (Section("s", (Line("a <i>b</i>", (c,)),)),))
    page = render_html(rep)
    assert "javascript:" not in page
    assert "<img" not in page and "<b>x" not in page  # noqa: PT018
    md = render_markdown(rep)
    assert "\\<img" in md  # a backslash escape: Markdown shows the text, runs nothing
    assert "javascript:" not in md


def test_report_on_empty_store(memory_store: Store) -> None:
    rep = build_report(memory_store)
    assert all(not s.lines and s.note for s in rep.sections)


@pytest.mark.slow
@pytest.mark.parametrize("pair", [None, "CN-RU"])
def test_report_on_examples_every_claim_is_cited(
    examples_db: Path, tmp_path: Path, pair: str | None
) -> None:
    with Store(str(examples_db), create=False) as store:
        rep = build_report(store, pair=pair)
        assert _check_citations(store, rep) > 5
    md = write_report(rep, tmp_path / "brief.md").read_text()
    bullets = [ln for ln in md.splitlines() if ln.startswith("- ")]
    assert len(bullets) == sum(len(s.lines) for s in rep.sections)
    assert all(" — source: " in b for b in bullets)


def test_a_near_duplicate_copy_is_not_another_source(tmp_path: Path) -> None:
    """A syndicated copy of an article (stored as a near duplicate of it) reports its events
    again, but a briefing line counts one source for the two."""
    from dataclasses import replace

    from tests.conftest import load_module

    mod = load_module("kbdata", Path(__file__).parent / "kbdata.py")
    items = mod.kb_items()
    plain = build_report(Store(str(mod.write_kb(tmp_path / "plain.db", items))))
    doc, ext, _ = next(i for i in items if i[1].events)
    copy_id = doc.id[:-4] + "copy"
    copy = replace(
        doc,
        id=copy_id,
        source_key=doc.source_key + "-copy",
        name=doc.name + "-copy",
        near_duplicate_of=doc.id,
    )
    copied = replace(
        ext,
        doc_id=copy_id,
        events=tuple(replace(e, id=e.id[:-4] + "copy") for e in ext.events),
        figures=tuple(replace(f, id=f.id[:-4] + "copy") for f in ext.figures),
    )
    with Store(str(mod.write_kb(tmp_path / "copied.db", [*items, (copy, copied, None)]))) as s:
        rep = build_report(s)
        _check_citations(s, rep)

    def events(r):  # type: ignore[no-untyped-def]
        return [ln.text for sec in r.sections if sec.title.startswith("Events") for ln in sec.lines]

    assert events(plain), "the knowledge base has event lines"
    assert events(rep) == events(plain)
