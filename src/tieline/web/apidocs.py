"""The OpenAPI spec at ``/openapi.json`` and an interactive API page at ``/docs``, all local.

FastAPI's own ``/docs`` loads Swagger UI from a CDN; here its files come from the
``fastapi-offline`` package (part of the ``web`` extra) and the page is served by this server,
so reading the API's documentation makes no request outside it.
"""

from __future__ import annotations

from enum import Enum
from functools import lru_cache
from importlib import resources
from importlib.util import find_spec
from typing import Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse

SPEC_URL = "/openapi.json"
DOCS_URL = "/docs"

# The Swagger UI files that fastapi-offline ships, by the name they are served under.
_ASSETS: dict[str, tuple[str, str]] = {
    "swagger-ui-bundle.js": ("swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
    "swagger-ui.css": ("swagger-ui.css", "text/css; charset=utf-8"),
}
AssetName = Enum("AssetName", {n: n for n in _ASSETS}, type=str)  # type: ignore[misc]

# The page's own script, a file rather than inline so the page keeps a CSP without
# 'unsafe-inline' scripts. validatorUrl null: Swagger UI otherwise sends the spec to
# validator.swagger.io for its badge.
_INIT_JS = """window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "SPEC_URL",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    layout: "BaseLayout"
  });
});
""".replace("SPEC_URL", SPEC_URL)

_PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tieline API</title>
<link rel="icon" href="/static/icon.svg">
<link rel="stylesheet" href="{DOCS_URL}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{DOCS_URL}/swagger-ui-bundle.js"></script>
<script src="{DOCS_URL}/init.js"></script>
</body>
</html>
"""

# As the app's CSP, except that Swagger UI sets inline styles on the elements it draws.
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'; object-src 'none'; worker-src 'none'; frame-src 'none'"
)

_MISSING = (
    "The API page needs the package fastapi-offline: pip install 'tieline[web]'. "
    f"The spec itself is at {SPEC_URL}."
)

router = APIRouter(include_in_schema=False)


def available() -> bool:
    """Whether the Swagger UI files (package fastapi-offline) are installed."""
    return find_spec("fastapi_offline") is not None


@lru_cache(maxsize=len(_ASSETS))
def _asset(name: str) -> bytes:
    return (resources.files("fastapi_offline") / "static" / _ASSETS[name][0]).read_bytes()


@router.get(SPEC_URL)
def openapi_spec(request: Request) -> JSONResponse:
    """The same OpenAPI document as /api/openapi.json, where tools look for it first."""
    spec: dict[str, Any] = request.app.openapi()
    return JSONResponse(spec)


@router.get(DOCS_URL)
def docs_page() -> Response:
    """Swagger UI over this server's spec, every file served from here."""
    if not available():
        return PlainTextResponse(_MISSING, status_code=404)
    return HTMLResponse(_PAGE, headers={"Content-Security-Policy": DOCS_CSP})


@router.get(DOCS_URL + "/init.js")
def docs_init() -> Response:
    """The script that starts Swagger UI on the docs page."""
    return Response(_INIT_JS, media_type="text/javascript; charset=utf-8")


@router.get(DOCS_URL + "/{name}")
def docs_asset(name: AssetName = Path()) -> Response:  # noqa: B008
    """One of Swagger UI's files, from the installed fastapi-offline package."""
    if not available():
        return PlainTextResponse(_MISSING, status_code=404)
    return Response(
        _asset(name.value),
        media_type=_ASSETS[name.value][1],
        headers={"Cache-Control": "public, max-age=86400"},
    )
