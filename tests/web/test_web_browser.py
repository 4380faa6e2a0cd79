"""End to end: a real uvicorn server on 127.0.0.1 and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from webdata import build_store

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="Debian's chromium is not installed at /usr/bin/chromium "
                              "(apt-get install chromium); browser tests never download one"),
]


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
    port = _free_port()
    config = uvicorn.Config(create_app(str(db)), host="127.0.0.1", port=port,
                            log_level="warning", lifespan="on")
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
    """What the page did that it should not: dialogs, console errors, CSP violations."""

    def __init__(self) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[tuple[Any, Watch]]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server)
    pg = ctx.new_page()
    watch = Watch()

    def on_dialog(d: Any) -> None:
        watch.dialogs.append(d.message)
        d.dismiss()

    pg.on("dialog", on_dialog)
    pg.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: watch.errors.append(str(e)))
    yield pg, watch
    ctx.close()


def _shot(pg: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    pg.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path


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
    assert pg.locator("table.events tbody tr").count() == 2
    assert pg.locator(".quotes li").count() == 3
    assert pg.locator(".quotes mark").first.inner_text() == "Rosatom"
    _shot(pg, "entity.png")
    quote = pg.locator("a.quote-link").first
    quote.click()
    target = pg.wait_for_selector("#doctext mark.target")
    assert target.inner_text() == "Rosatom"
    assert target.is_visible()
    # Every kind of fact is highlighted in the document.
    for cls in ("mention", "trigger", "evsent"):
        assert pg.locator(f"#doctext .ann.{cls}").count() >= 1, cls
    assert watch.dialogs == []
    assert watch.errors == []


def test_timeline_filters_by_sector_type_and_pair(page: tuple[Any, Watch]) -> None:
    from playwright.sync_api import expect

    pg, watch = page
    pg.goto("/#/timeline")
    pg.wait_for_selector("svg.timeline-chart circle.dot")
    assert pg.locator("svg.timeline-chart circle.dot").count() == 4
    _shot(pg, "timeline.png")
    dots = pg.locator("svg.timeline-chart circle.dot")
    pg.select_option("select[name=sector]", "energy.gas")
    expect(dots).to_have_count(2)
    pg.select_option("select[name=type]", "supply")
    expect(pg.locator("table.events tbody tr")).to_have_count(1)
    assert "deliveries" in pg.locator("table.events tbody").inner_text()
    pg.goto("/#/timeline?pair=CN-RU")
    expect(dots).to_have_count(3)
    # A later page of reports says which ones it shows and leads back to the first.
    pg.goto("/#/timeline?offset=2")
    expect(dots).to_have_count(2)
    expect(pg.get_by_text("Reports 3–4 of 4, oldest first.")).to_be_visible()
    pg.get_by_text("← previous").click()
    expect(dots).to_have_count(4)
    expect(pg.locator(".pager a")).to_have_count(0)
    assert watch.errors == []


def test_figures_chart_shows_actuals_against_targets(page: tuple[Any, Watch]) -> None:
    pg, watch = page
    pg.goto("/#/figures?measure=trade_turnover&pair=CN-RU")
    pg.wait_for_selector("svg.series-chart")
    assert pg.locator("svg.series-chart circle.pt-actual").count() == 2
    assert pg.locator("svg.series-chart circle.pt-target").count() == 1
    assert pg.locator("svg.series-chart polyline.line-actual").count() == 1
    _shot(pg, "figures.png")
    assert watch.errors == []


def test_network_draws_actors_and_opens_one(page: tuple[Any, Watch]) -> None:
    pg, watch = page
    pg.goto("/#/network")
    pg.wait_for_selector("svg.network g.node-g")
    n = pg.locator("svg.network g.node-g").count()
    api_nodes = pg.evaluate("fetch('/api/graph').then(r => r.json()).then(g => g.nodes.length)")
    assert n == api_nodes >= 4
    assert pg.locator("svg.network line.edge").count() >= 3
    pg.wait_for_timeout(600)  # let the layout settle a little
    _shot(pg, "network.png")
    pg.locator("svg.network g.node-g[data-id=rosatom] circle").click()
    pg.wait_for_selector("h1:text-is('Rosatom')")
    assert watch.errors == []


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
    pg.goto("/#/entity/rosatom")
    pg.wait_for_selector(".quotes li")
    pg.wait_for_timeout(300)
    assert pg.evaluate("window.__pwned") is None
    assert watch.dialogs == []
    assert watch.errors == []


def test_uploaded_hostile_article_is_ingested_with_progress_and_never_runs(
        page: tuple[Any, Watch], tmp_path: Path) -> None:
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
        encoding="utf-8")
    pg.goto("/#/upload")
    pg.set_input_files("input[type=file]", str(html))
    pg.click("form.upload button[type=submit]")
    pg.wait_for_selector(".upload-state:has-text('Done')", timeout=120_000)
    assert "1 added" in pg.locator(".upload-state").inner_text()
    assert pg.evaluate("document.querySelector('progress.upload-progress').value") == 1
    pg.locator(".upload-result a").first.click()
    pg.wait_for_selector("#doctext")
    text = pg.locator("#doctext").inner_text()
    assert "Rosneft agreed to supply crude oil" in text
    assert "<img src=x onerror=alert(document.domain)>" in text
    assert pg.locator("#doctext img, #doctext script, #doctext iframe").count() == 0
    pg.wait_for_timeout(300)
    assert pg.evaluate("window.__pwned") is None
    assert watch.dialogs == []
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
