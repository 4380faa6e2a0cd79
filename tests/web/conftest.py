"""Web tests talk through Starlette's test client, which sends ``Host: testserver``: the app
answers only to local names by default (issue 18 F12), so these tests add that name."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session", autouse=True)
def _accept_test_client_host() -> Iterator[None]:
    try:
        from tieline.web import app as web_app
    except ImportError:  # the web extra is not installed: those tests skip themselves
        yield
        return
    local = web_app.LOCAL_HOSTS
    web_app.LOCAL_HOSTS = (*local, "testserver")
    try:
        yield
    finally:
        web_app.LOCAL_HOSTS = local
