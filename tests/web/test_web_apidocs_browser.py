"""The /docs page in a real browser (Debian's Chromium via Playwright, a real uvicorn): Swagger
UI draws every operation under the page's CSP, and nothing is fetched from elsewhere."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from webdata import build_store

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's chromium is not installed at /usr/bin/chromium "
        "(apt-get install chromium); browser tests never download one",
    ),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    pytest.importorskip("fastapi_offline", reason="the API page's files come with it")
    import uvicorn

    from tieline.web.app import create_app

    db = build_store(tmp_path_factory.mktemp("apidocs-browser") / "web.db")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    srv = uvicorn.Server(
        uvicorn.Config(create_app(str(db)), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def test_docs_page_draws_the_api_offline(server: str) -> None:
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            ctx = browser.new_context(base_url=server)
            ctx.on("request", lambda r: requests.append(r.url))
            pg: Any = ctx.new_page()
            pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            pg.on("pageerror", lambda e: errors.append(str(e)))
            pg.goto("/docs")
            pg.wait_for_selector(".opblock", timeout=30_000)
            paths = pg.locator(".opblock-summary-path").all_inner_texts()
            # Try one operation from the page: the request goes to this server and answers.
            summary = pg.locator(".opblock-get", has_text="/api/summary").first
            summary.locator(".opblock-summary").click()
            pg.locator("button.try-out__btn").first.click()
            pg.locator("button.execute").first.click()
            cell = ".live-responses-table tbody .response-col_status"
            pg.wait_for_selector(cell, timeout=30_000)
            status = pg.locator(cell).first.inner_text()
        finally:
            browser.close()
    assert any(p.replace("\u200b", "") == "/api/documents" for p in paths), paths
    assert status.strip().startswith("200"), status
    here = urlsplit(server).netloc
    elsewhere = [
        u
        for u in requests
        if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).netloc != here
    ]
    assert elsewhere == []
    assert any(u.endswith("/openapi.json") for u in requests)
    assert errors == []
