"""End to end: a real uvicorn server on 127.0.0.1 and Debian's Chromium driven by Playwright.

Every view is driven at a laptop width (1366 px) and a phone width (390 px); screenshots land in
tests/artifacts/. The timeline, network and charts are drawn by the vendored libraries, which the
page exposes as ``window.tieline`` (``timeline``, ``cy``, ``chart``) for these tests to read back.
"""

from __future__ import annotations

import csv
import io
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from webdata import PIPELINE, _doc, _event, _mention, _span, build_store

from tieline.config import Settings
from tieline.records import Entity, Extraction, Figure
from tieline.scale.runner import relink
from tieline.store.db import Store
from tieline.store.events import cluster_events

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS = {"desktop": 1366, "phone": 390}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's chromium is not installed at /usr/bin/chromium "
        "(apt-get install chromium); browser tests never download one",
    ),
]

# A second report of the Power of Siberia deliveries (one happening, two sources) and a figure
# of another pair of states, so that the timeline groups a cluster and the chart shows two pairs.
SECOND = (
    "Russian gas began flowing to China through the Power of Siberia pipeline in December 2019, "
    "the two governments said. Trade between India and Russia reached $65 billion in 2023, "
    "officials in New Delhi said."
)


def _second_report() -> tuple[Any, Extraction]:
    doc = replace(
        _doc(SECOND, "second.txt", "Pipeline opens; India trade record", "2024-02-02"),
        source="Second wire",
    )
    s, e = _span(SECOND, "$65 billion")
    ss = SECOND.index("Trade between India")
    fig = Figure(
        id=f"fig-{doc.id[:6]}-{s}",
        measure="trade_turnover",
        value=65e9,
        unit="USD",
        start=s,
        end=e,
        text="$65 billion",
        evidence=SECOND[ss:],
        currency="USD",
        period="2023",
        period_start="2023-01-01",
        period_end="2023-12-31",
        status="actual",
        actors=("India", "Russia"),
        sentence_start=ss,
        sentence_end=len(SECOND),
    )
    ext = Extraction(
        doc.id,
        PIPELINE,
        mentions=(
            _mention(SECOND, "Russia", "COUNTRY", "russia"),
            _mention(SECOND, "China", "COUNTRY", "china"),
            _mention(SECOND, "Power of Siberia", "FACILITY", "power of siberia"),
            _mention(SECOND, "India", "COUNTRY", "india"),
        ),
        entities=(
            Entity("russia", "Russia", "COUNTRY", "RU", mention_count=1),
            Entity("china", "China", "COUNTRY", "CN", mention_count=1),
            Entity("power of siberia", "Power of Siberia", "FACILITY", "RU", mention_count=1),
            Entity("india", "India", "COUNTRY", "IN", mention_count=1),
        ),
        events=(
            _event(
                SECOND,
                "flowing",
                "supply",
                "energy.gas",
                "2019-12",
                [
                    ("russia", "Russia", "source"),
                    ("china", "China", "target"),
                    ("power of siberia", "Power of Siberia", "object"),
                ],
            ),
        ),
        figures=(fig,),
    )
    return doc, ext


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served by a real uvicorn on a free local port, in a thread."""
    import uvicorn

    from tieline.web.app import create_app

    db = build_store(tmp_path_factory.mktemp("browser") / "web.db")
    with Store(str(db)) as store:
        doc, ext = _second_report()
        store.write([(doc, ext, None)])
        relink(store, Settings(db=str(db), progress=False))
        cluster_events(store)  # the two reports of the deliveries become one happening
    port = _free_port()
    config = uvicorn.Config(
        create_app(str(db)), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


class Watch:
    """What the page did that it should not: dialogs, console errors, requests elsewhere."""

    def __init__(self) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []


def _open(browser: Any, server: str, width: int) -> tuple[Any, Any, Watch]:
    phone = width < 600
    ctx = browser.new_context(
        viewport={"width": width, "height": 844 if phone else 900},
        base_url=server,
        accept_downloads=True,
        has_touch=phone,
        device_scale_factor=1,
    )
    pg = ctx.new_page()
    watch = Watch()

    def on_dialog(d: Any) -> None:
        watch.dialogs.append(d.message)
        d.dismiss()

    pg.on("dialog", on_dialog)
    pg.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: watch.errors.append(str(e)))
    ctx.on("request", lambda r: watch.requests.append(r.url))
    return ctx, pg, watch


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[tuple[Any, Watch]]:
    ctx, pg, watch = _open(browser, server, WIDTHS["desktop"])
    yield pg, watch
    ctx.close()


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def sized(
    request: pytest.FixtureRequest, browser: Any, server: str
) -> Iterator[tuple[Any, Watch, str]]:
    """A page at a laptop's width and at a phone's."""
    ctx, pg, watch = _open(browser, server, WIDTHS[request.param])
    yield pg, watch, request.param
    ctx.close()


def _shot(pg: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    pg.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path


def _no_overlap(boxes: list[dict[str, float]], what: str) -> None:
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (
                a["x"] + a["width"] <= b["x"] + 0.5
                or b["x"] + b["width"] <= a["x"] + 0.5
                or a["y"] + a["height"] <= b["y"] + 0.5
                or b["y"] + b["height"] <= a["y"] + 0.5
            )
            assert apart, f"{what} overlap: {a} and {b}"


def _fits_the_screen(pg: Any, width: int) -> None:
    # Nothing makes the page wider than the screen: no sideways scrolling of the whole page.
    assert pg.evaluate("document.documentElement.scrollWidth") <= width


def _download(pg: Any, button: Any) -> tuple[str, str]:
    with pg.expect_download() as info:
        button.click()
    d = info.value
    return d.suggested_filename, Path(d.path()).read_text(encoding="utf-8")


def _undated(text: str) -> str:
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\S*", "<time>", text)


def _cells(pg: Any, table: str, column: int) -> list[str]:
    return [
        t.strip()
        for t in pg.locator(
            f"[data-table={table}] tbody tr td:nth-child({column})"
        ).all_inner_texts()
    ]


# ------------------------------------------------------------------ search, entity, document
def test_search_open_entity_and_follow_a_quote(page: tuple[Any, Watch]) -> None:
    pg, watch = page
    pg.goto("/")
    pg.wait_for_selector("text=Most mentioned actors")
    pg.fill("#q", "Rosatom")
    pg.press("#q", "Enter")
    pg.wait_for_selector("ol.hits li.hit")
    marks = pg.locator("ol.hits mark").all_inner_texts()
    assert marks
    assert {m.casefold() for m in marks} == {"rosatom"}
    assert pg.locator("aside.facets [data-facet=kind]").count() == 1
    pg.locator("ol.hits li.hit", has=pg.locator(".badge.k-entity")).locator("a.hit-title").click()
    pg.wait_for_selector("h1:text-is('Rosatom')")
    assert pg.locator(".badge.t-ORG").first.is_visible()
    assert pg.locator("[data-table=entity-events] tbody tr").count() == 2
    # Mentions carry their quote and a source column: outlet, date and title.
    assert pg.locator("[data-table=mentions] tbody tr").count() == 3
    assert pg.locator("[data-table=mentions] blockquote mark").first.inner_text() == "Rosatom"
    sources = _cells(pg, "mentions", 3)
    assert all(s.startswith("Tieline test wire") for s in sources), sources
    assert any("2022-05-19" in s and "Tianwan units under construction" in s for s in sources)
    _shot(pg, "entity-1366.png")
    pg.locator("a.quote-link").first.click()
    target = pg.wait_for_selector("#doctext mark.target")
    assert target.inner_text() == "Rosatom"
    assert target.is_visible()
    for cls in ("mention", "trigger", "evsent"):
        assert pg.locator(f"#doctext .ann.{cls}").count() >= 1, cls
    assert watch.dialogs == []
    assert watch.errors == []


def test_semantic_switch_asks_for_search_by_meaning(page: tuple[Any, Watch]) -> None:
    pg, watch = page
    pg.goto("/")
    pg.wait_for_selector("text=Most mentioned actors")
    pg.fill("#q", "natural gas sales to Asia")
    pg.check("#semantic")
    with pg.expect_request(lambda r: "/api/search" in r.url) as req:
        pg.press("#q", "Enter")
    assert "semantic=true" in req.value.url
    pg.wait_for_selector("h1:has-text('by meaning')", timeout=120_000)
    assert "semantic=1" in pg.evaluate("location.hash")
    # With the extra installed the hits come ranked by meaning; without it the page says so.
    kinds = pg.locator("ol.hits li.hit .badge[class*=k-]").all_inner_texts()
    if kinds:
        assert set(kinds) <= {"event", "figure"}  # meaning ranks facts, not whole documents
    else:
        assert pg.locator("p.warn").count() + pg.locator("text=Nothing found").count() == 1
    assert watch.errors == []


# ------------------------------------------------------------------ timeline
def test_timeline_labels_clusters_zoom_and_opens_an_event(sized: tuple[Any, Watch, str]) -> None:
    pg, watch, size = sized
    pg.goto("/#/timeline")
    pg.wait_for_selector("#timeline .vis-item .tl-label")
    pg.wait_for_timeout(300)
    labels = pg.locator("#timeline .vis-item .tl-label").all_inner_texts()
    # Five reports of four happenings: the two reports of the pipeline deliveries are one box.
    assert len(labels) == 4, labels
    assert sum("supply" in t for t in labels) == 1
    supply = next(t for t in labels if "supply" in t)
    assert "Russia" in supply
    assert "China" in supply
    assert "×2" in supply
    assert any(t.startswith("agreement") and "Gazprom" in t for t in labels)
    boxes = [b.bounding_box() for b in pg.locator("#timeline .vis-item.vis-box").all()]
    _no_overlap([b for b in boxes if b], "timeline items")
    lanes = pg.locator("#timeline .vis-label .tl-lane").all_inner_texts()
    assert sorted(lanes) == ["energy.gas", "energy.nuclear"]
    _fits_the_screen(pg, WIDTHS[size])
    _shot(pg, f"timeline-{WIDTHS[size]}.png")
    # Zoom: the buttons narrow and widen the window the library shows.
    span = "(() => { const w = window.tieline.timeline.getWindow(); return w.end - w.start; })()"
    before = pg.evaluate(span)
    pg.click("button[aria-label='zoom in']")
    pg.wait_for_timeout(700)
    assert pg.evaluate(span) < before * 0.9
    pg.click("text=fit all")
    pg.wait_for_timeout(700)
    # A click opens the event with every report's quote and source.
    pg.locator("#timeline .vis-item", has_text="supply").click()
    detail = pg.locator("#event-detail")
    pg.wait_for_selector("#event-detail .quotes li")
    assert detail.locator(".quotes li").count() == 2
    text = detail.inner_text()
    assert "Power of Siberia pipeline began deliveries" in text
    assert "Russian gas began flowing to China" in text
    assert "Tieline test wire" in text
    assert "Second wire" in text
    # The table under the timeline has the source column.
    assert all(
        s.startswith(("Tieline test wire", "Second wire")) for s in _cells(pg, "timeline-events", 5)
    )
    # Lanes by actor: one lane per actor taking part.
    pg.select_option("select[name=group]", "actor")
    pg.wait_for_selector("#timeline .vis-label .tl-lane:text-is('Gazprom')")
    lanes = pg.locator("#timeline .vis-label .tl-lane").all_inner_texts()
    assert {"Gazprom", "Rosatom", "Russia", "China"} <= set(lanes)
    assert watch.errors == []


def test_timeline_filters_by_sector_type_and_pair(page: tuple[Any, Watch]) -> None:
    from playwright.sync_api import expect

    pg, watch = page
    pg.goto("/#/timeline")
    items = pg.locator("#timeline .vis-item .tl-label")
    expect(items).to_have_count(4)
    pg.select_option("select[name=sector]", "energy.gas")
    expect(items).to_have_count(2)
    pg.select_option("select[name=type]", "supply")
    expect(pg.locator("[data-table=timeline-events] tbody tr")).to_have_count(1)
    assert "deliveries" in pg.locator("[data-table=timeline-events] tbody").inner_text()
    pg.goto("/#/timeline?pair=CN-RU")
    expect(items).to_have_count(3)
    # A later page of reports says which ones it shows and leads back to the first.
    pg.goto("/#/timeline?offset=3")
    expect(items).to_have_count(2)
    expect(pg.get_by_text("Reports 4–5 of 5, oldest first.")).to_be_visible()
    pg.get_by_text("← previous").click()
    expect(items).to_have_count(4)
    assert watch.errors == []


# ------------------------------------------------------------------ network
LABEL_BOXES = """() => window.tieline.cy.nodes().map((n) => {
  const b = n.renderedBoundingBox({ includeLabels: true, includeOverlays: false });
  return { id: n.id(), label: n.data('name'), x: b.x1, y: b.y1, width: b.w, height: b.h };
})"""


def test_network_labels_readable_filters_tooltips_and_opens_an_actor(
    sized: tuple[Any, Watch, str],
) -> None:
    pg, watch, size = sized
    pg.goto("/#/network")
    pg.wait_for_function(
        "() => window.tieline && window.tieline.cy && window.tieline.cy.nodes().length"
    )
    api = pg.evaluate("fetch('/api/graph').then(r => r.json())")
    boxes = pg.evaluate(LABEL_BOXES)
    assert len(boxes) == len(api["nodes"]) >= 4
    assert {b["label"] for b in boxes} == {n["name"] for n in api["nodes"]}
    _no_overlap(boxes, "network labels")
    # Labels stay readable on screen: at least 9 px, also when the drawing is fitted to a phone.
    px = pg.evaluate(
        "parseFloat(window.tieline.cy.nodes()[0].style('font-size')) * window.tieline.cy.zoom()"
    )
    assert px >= 9
    # Every label lies inside the drawing: none clipped at an edge.
    area = pg.locator("#network").bounding_box()
    for b in boxes:
        assert b["x"] >= 0, b
        assert b["y"] >= 0, b
        assert b["x"] + b["width"] <= area["width"] + 0.5, b
        assert b["y"] + b["height"] <= area["height"] + 0.5, b
    assert pg.evaluate("window.tieline.cy.edges().length") == len(api["edges"])
    _fits_the_screen(pg, WIDTHS[size])
    _shot(pg, f"network-{WIDTHS[size]}.png")
    # Pointing at a link lists the events the two actors share, with their source.
    at = pg.evaluate("""() => window.tieline.cy.edges().filter((x) =>
        [x.source().data('name'), x.target().data('name')].includes('Gazprom'))[0]
        .renderedMidpoint()""")
    pg.mouse.move(area["x"] + at["x"], area["y"] + at["y"])
    tip = pg.locator(".net-tip")
    tip.wait_for(state="visible")
    assert "Gazprom" in tip.inner_text()
    assert "China National Petroleum" in tip.inner_text()
    assert "signed a 30-year gas supply contract" in tip.inner_text()
    assert "Tieline test wire" in tip.inner_text()
    # Zoom in with the button: the library's zoom level grows.
    z = pg.evaluate("window.tieline.cy.zoom()")
    pg.click("button[aria-label='zoom in']")
    assert pg.evaluate("window.tieline.cy.zoom()") > z
    # Filter: links of at least two shared events leave only the actors they join.
    pg.fill("input[name=min]", "2")
    pg.press("input[name=min]", "Enter")
    pg.locator("input[name=min]").dispatch_event("change")
    pg.wait_for_function("() => location.hash.includes('min=2')")
    pg.wait_for_function("() => window.tieline && window.tieline.cy")
    heavy = {frozenset((e["source"], e["target"])) for e in api["edges"] if e["weight"] >= 2}
    ids = set(pg.evaluate("window.tieline.cy.nodes().map((n) => n.id())"))
    assert ids == {x for e in heavy for x in e}
    # Country filter: only links touching a Chinese actor.
    pg.goto("/#/network?country=CN")
    pg.wait_for_function("() => window.tieline && window.tieline.cy")
    shown = pg.evaluate("window.tieline.cy.edges().map((e) => [e.source().id(), e.target().id()])")
    country = {n["id"]: n["country"] for n in api["nodes"]}
    touching = [e for e in api["edges"] if "CN" in (country[e["source"]], country[e["target"]])]
    assert 0 < len(shown) == len(touching) < len(api["edges"])
    assert all("CN" in (country[a], country[b]) for a, b in shown)
    # A click opens the actor.
    pg.goto("/#/network")
    pg.wait_for_function("() => window.tieline && window.tieline.cy")
    pos = pg.evaluate("window.tieline.cy.getElementById('rosatom').renderedPosition()")
    area = pg.locator("#network").bounding_box()
    pg.mouse.click(area["x"] + pos["x"], area["y"] + pos["y"])
    pg.wait_for_selector("h1:text-is('Rosatom')")
    assert watch.errors == []


def test_network_date_window_narrows_the_links(page: tuple[Any, Watch]) -> None:
    pg, watch = page
    pg.goto("/#/network?since=2020")
    pg.wait_for_function("() => window.tieline && window.tieline.cy")
    ids = set(pg.evaluate("window.tieline.cy.nodes().map((n) => n.id())"))
    assert "rosatom" in ids
    assert "gazprom" not in ids  # its only event, the 2014 contract, is before the window
    assert watch.errors == []


# ------------------------------------------------------------------ figures
def test_figures_series_distinguish_status_and_show_quotes(sized: tuple[Any, Watch, str]) -> None:
    pg, watch, size = sized
    pg.goto("/#/figures?measure=trade_turnover&pair=CN-RU,IN-RU")
    pg.wait_for_function("() => window.tieline && window.tieline.chart")
    series = pg.evaluate(
        "window.tieline.chart.getOption().series.map((s) => "
        "({ name: s.name, n: s.data.length, line: s.lineStyle.type }))"
    )
    by_name = {s["name"]: s for s in series}
    assert by_name["trade turnover CN-RU · actual"]["n"] == 2
    assert by_name["trade turnover CN-RU · actual"]["line"] == "solid"
    assert by_name["trade turnover CN-RU · target"]["n"] == 1
    assert by_name["trade turnover CN-RU · target"]["line"] == "dashed"
    assert by_name["trade turnover IN-RU · actual"]["n"] == 1
    _fits_the_screen(pg, WIDTHS[size])
    _shot(pg, f"figures-{WIDTHS[size]}.png")
    # Pointing at the target shows its quote and its source.
    xy = pg.evaluate("""() => { const c = window.tieline.chart;
      const i = c.getOption().series.findIndex((s) => s.name.endsWith('CN-RU · target'));
      return c.convertToPixel({ seriesIndex: i }, c.getOption().series[i].data[0].value); }""")
    box = pg.locator("#series").bounding_box()
    pg.mouse.move(box["x"] + xy[0], box["y"] + xy[1])
    tip = pg.locator(".fig-tip")
    tip.wait_for(state="visible")
    assert "target" in tip.inner_text()
    assert "above the target of $200 billion" in tip.inner_text()
    assert "Tieline test wire" in tip.inner_text()
    # The table lists the figures of both pairs with their source.
    assert pg.locator("[data-table=figures] tbody tr").count() == 4
    assert all(s.startswith(("Tieline test wire", "Second wire")) for s in _cells(pg, "figures", 8))
    assert watch.errors == []


# ------------------------------------------------------------------ tables and downloads
def test_table_download_returns_the_rows_shown(sized: tuple[Any, Watch, str]) -> None:
    from playwright.sync_api import expect

    pg, watch, size = sized
    pg.goto("/#/entities")
    pg.wait_for_selector("[data-table=entities] tbody tr")
    # Sort by name; the download holds the same rows in the same order.
    if size == "phone":  # rows are cards: the menu sorts them
        pg.select_option("[data-table=entities] select.sort-select", "name:1")
    else:
        pg.locator("[data-table=entities] th[data-key=name] button").click()
    names = _cells(pg, "entities", 1)
    assert names == sorted(names, key=str.lower)
    name, text = _download(pg, pg.locator("[data-table=entities] button[data-format=csv]"))
    assert name == "entities.csv"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["name"] for r in rows] == names
    name, text = _download(pg, pg.locator("[data-table=entities] button[data-format=json]"))
    assert name == "entities.json"
    assert [r["name"] for r in json.loads(text)] == names
    # Search in the entity list.
    pg.fill("input[name=entity-q]", "atom")
    pg.press("input[name=entity-q]", "Enter")
    pg.wait_for_function("() => location.hash.includes('q=atom')")
    expect(pg.locator("[data-table=entities] tbody tr")).to_have_count(2)
    assert sorted(_cells(pg, "entities", 1)) == ["Atomstroyexport", "Rosatom"]
    _fits_the_screen(pg, WIDTHS[size])
    _shot(pg, f"entities-{WIDTHS[size]}.png")
    # Events on a document page have the source column too, and download as shown.
    pg.goto("/#/timeline")
    pg.wait_for_selector("[data-table=timeline-events] tbody tr")
    _, text = _download(pg, pg.locator("[data-table=timeline-events] button[data-format=json]"))
    rows = json.loads(text)
    assert len(rows) == pg.locator("[data-table=timeline-events] tbody tr").count() == 4
    assert all(r["source"].startswith(("Tieline test wire", "Second wire")) for r in rows)
    assert watch.errors == []


def test_phone_tables_collapse_to_cards(browser: Any, server: str) -> None:
    ctx, pg, watch = _open(browser, server, WIDTHS["phone"])
    try:
        pg.goto("/#/documents")
        pg.wait_for_selector("[data-table=documents] tbody tr")
        assert pg.locator("[data-table=documents] thead").is_hidden() or pg.evaluate(
            "document.querySelector('[data-table=documents] thead').getBoundingClientRect()"
            ".height <= 1"
        )
        row = pg.locator("[data-table=documents] tbody tr").first.bounding_box()
        assert row["width"] <= WIDTHS["phone"]
        _fits_the_screen(pg, WIDTHS["phone"])
        _shot(pg, "documents-390.png")
        pg.goto("/#/entity/rosatom")
        pg.wait_for_selector("[data-table=mentions] tbody tr")
        _fits_the_screen(pg, WIDTHS["phone"])
        _shot(pg, "entity-390.png")
        assert watch.errors == []
    finally:
        ctx.close()


# ------------------------------------------------------------------ briefing
def test_briefing_is_on_the_page_and_downloads(sized: tuple[Any, Watch, str]) -> None:
    pg, watch, size = sized
    pg.goto("/#/briefing")
    pg.wait_for_selector("article.briefing h2, article.briefing h3")
    md = pg.evaluate("fetch('/api/report?format=markdown').then(r => r.text())")
    shown = pg.locator("article.briefing").inner_text()
    first = next(line.lstrip("# ").strip() for line in md.splitlines() if line.strip())
    assert first in shown
    name, text = _download(pg, pg.locator("button[data-format=md]"))
    assert name == "briefing.md"
    # The same briefing, but for the minute it was written at.
    assert _undated(text) == _undated(md)
    name, text = _download(pg, pg.locator("button[data-format=html]"))
    assert name == "briefing.html"
    assert text.lstrip().lower().startswith("<!doctype html")
    _fits_the_screen(pg, WIDTHS[size])
    _shot(pg, f"briefing-{WIDTHS[size]}.png")
    assert watch.errors == []


# ------------------------------------------------------------------ no request leaves the server
def test_no_request_leaves_the_server(sized: tuple[Any, Watch, str], server: str) -> None:
    pg, watch, size = sized
    for view in (
        "/",
        "/#/timeline",
        "/#/network",
        "/#/figures",
        "/#/entities",
        "/#/documents",
        "/#/briefing",
        "/#/upload",
        "/#/entity/rosatom",
        "/#/search?q=gas",
    ):
        pg.goto(view)
        pg.wait_for_function(
            "() => document.body.dataset.view && "
            "!['loading', 'error'].includes(document.body.dataset.view)"
        )
        pg.wait_for_timeout(200)
    if size == "desktop":
        _shot(pg, "search-1366.png")
    here = urlsplit(server).netloc
    assert watch.requests
    elsewhere = [
        u
        for u in watch.requests
        if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).netloc != here
    ]
    assert elsewhere == []
    # The vendored libraries were loaded, from this server.
    assert any("/static/vendor/vis-timeline-graph2d.min.js" in u for u in watch.requests)
    assert any("/static/vendor/cytoscape.min.js" in u for u in watch.requests)
    assert any("/static/vendor/echarts.common.min.js" in u for u in watch.requests)
    assert watch.errors == []


# ------------------------------------------------------------------ safety
def test_stored_hostile_text_is_shown_never_run(page: tuple[Any, Watch]) -> None:
    pg, watch = page
    pg.goto("/#/search?q=Bold%20claims")
    pg.wait_for_selector("ol.hits li.hit")
    pg.locator("ol.hits a.hit-title").first.click()
    pg.wait_for_selector("#doctext")
    text = pg.locator("#doctext").inner_text()
    assert "<script>window.__pwned = 1</script>" in text
    assert "onerror=" in text
    assert pg.locator("h1").inner_text().startswith("<img src=x")
    assert pg.locator("#doctext script, #doctext img, #doctext b, h1 img").count() == 0
    # The hostile title shows in the timeline, the network tip and the tables as text only.
    for view, ready in (
        ("/#/entity/rosatom", ".quotes li, [data-table=mentions] tbody tr"),
        ("/#/timeline", "#timeline .vis-item"),
        ("/#/documents", "[data-table=documents] tbody tr"),
    ):
        pg.goto(view)
        pg.wait_for_selector(ready)
        pg.wait_for_timeout(200)
        assert pg.locator("main img").count() == 0, view
    # Opening the hostile event on the timeline shows its quote as text.
    pg.goto("/#/timeline")
    pg.locator("#timeline .vis-item", has_text="talks").click()
    pg.wait_for_selector("#event-detail .quotes li")
    assert "<script>" in pg.locator("#event-detail").inner_text()
    assert pg.locator("#event-detail script, #event-detail img").count() == 0
    assert pg.evaluate("window.__pwned") is None
    assert watch.dialogs == []
    assert watch.errors == []


def test_uploads_several_files_with_progress_and_never_runs_them(
    page: tuple[Any, Watch], tmp_path: Path
) -> None:
    pg, watch = page
    html = tmp_path / "hostile upload.html"
    html.write_text(
        "<html><head><title>Rosneft and Sinopec talks</title>"
        "<script>window.__pwned = 'head'; alert('head')</script></head><body><article>"
        "<h1>Rosneft and Sinopec talks <img src=x onerror=\"window.__pwned='h1'\"></h1>"
        "<p>Rosneft agreed to supply crude oil to Sinopec in 2025, the companies said in Moscow "
        "on Tuesday. <img src=x onerror=\"alert('attr')\"></p>"
        "<p>A reader wrote &lt;img src=x onerror=alert(document.domain)&gt; and "
        "&lt;script&gt;window.__pwned='text'&lt;/script&gt; in the comments.</p>"
        "<iframe src=\"javascript:alert('frame')\"></iframe>"
        "<script>window.__pwned = 'body'</script></article></body></html>",
        encoding="utf-8",
    )
    plain = tmp_path / "kazakh grain.txt"
    plain.write_text(
        "Kazakhstan and China opened a new grain terminal at Khorgos in 2023, "
        "the railway operator said on Monday.\n",
        encoding="utf-8",
    )
    pg.goto("/#/upload")
    pg.set_input_files("input[type=file]", [str(html), str(plain)])
    pg.click("form.upload button[type=submit]")
    pg.wait_for_selector(".upload-state:has-text('Done')", timeout=180_000)
    assert "2 added" in pg.locator(".upload-state").inner_text()
    assert pg.locator(".upload-files li").count() == 2
    for state in pg.locator(".upload-files .file-state").all_inner_texts():
        assert state.startswith("done"), state
    assert pg.evaluate("document.querySelector('progress.upload-progress').value") == 2
    assert pg.evaluate(
        "Array.from(document.querySelectorAll('.upload-files progress'))"
        ".every((p) => p.value === 1)"
    )
    _shot(pg, "upload-1366.png")
    print(pg.locator(".upload-result").inner_text(), watch.errors)
    pg.locator(".upload-result a", has_text="Rosneft").first.click()
    pg.wait_for_selector("#doctext")
    text = pg.locator("#doctext").inner_text()
    assert "Rosneft agreed to supply crude oil" in text
    assert "<img src=x onerror=alert(document.domain)>" in text
    assert pg.locator("#doctext img, #doctext script, #doctext iframe").count() == 0
    pg.wait_for_timeout(300)
    assert pg.evaluate("window.__pwned") is None
    assert watch.dialogs == []
    assert watch.errors == []


def test_entity_page_walks_its_events_and_mentions_by_page(page: tuple[Any, Watch]) -> None:
    pg, watch = page
    # A page after the first: the rest of its events, a link back, and the same mentions.
    pg.goto("/#/entity/rosatom?offset=1&mentions_offset=2")
    pg.wait_for_selector("h1:text-is('Rosatom')")
    assert pg.locator("[data-table=entity-events] tbody tr").count() == 1
    assert pg.locator("h2:text-is('Events (2)')").count() == 1
    assert pg.locator("[data-table=mentions] tbody tr").count() == 1
    assert pg.locator("h2:text-is('Mentions (3)')").count() == 1
    assert pg.locator("p.pager a:text('next')").count() == 0
    pg.locator("section:has([data-table=entity-events]) p.pager a:text('previous')").click()
    pg.wait_for_selector("[data-table=entity-events] tbody tr:nth-child(2)")
    assert "mentions_offset=2" in pg.url
    assert pg.locator("[data-table=mentions] tbody tr").count() == 1
    pg.locator("section.mentions p.pager a:text('previous')").click()
    pg.wait_for_selector("[data-table=mentions] tbody tr:nth-child(3)")
    assert pg.locator("p.pager a").count() == 0
    assert watch.errors == []


def test_curator_merges_and_splits_from_the_entity_page(page: tuple[Any, Watch]) -> None:
    pg, watch = page
    pg.goto("/#/entity/rosatom")
    pg.wait_for_selector("h1:text-is('Rosatom')")
    pg.fill("input[name=other]", "atomstroyexport")
    pg.click("form.curate button:text('Merge')")
    pg.wait_for_selector("dd.aliases:has-text('Atomstroyexport')")
    api = pg.evaluate("fetch('/api/entities?q=Atomstroyexport').then(r => r.json())")
    assert [e["id"] for e in api["items"]] == ["rosatom"]
    pg.select_option("select[name=alias]", "Atomstroyexport")
    pg.click("form.curate button:text('Split')")
    pg.wait_for_selector("[role=status]:has-text('Split')")
    pg.wait_for_selector("dd.aliases:text-is('none')")
    api = pg.evaluate("fetch('/api/entities?q=Atomstroyexport').then(r => r.json())")
    assert [e["id"] for e in api["items"]] == ["atomstroyexport"]
    assert watch.errors == []
