"""The web app: REST API under /api and one page served from the package (no CDN)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from enum import Enum
from importlib import resources

from fastapi import FastAPI, Path, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.middleware.trustedhost import TrustedHostMiddleware

from tieline.config import Settings, load_settings
from tieline.errors import NotFoundError, TielineError
from tieline.store.db import Store
from tieline.web.jobs import Writer
from tieline.web.routes import router

# The page's own assets: a fixed name -> media type map. Request paths never reach the disk;
# only these names are looked up, inside the installed package.
STATIC: dict[str, str] = {
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
    "icon.svg": "image/svg+xml",
}
StaticName = Enum("StaticName", {n.replace(".", "_"): n for n in STATIC}, type=str)  # type: ignore[misc]

# No inline script or style anywhere: scripts and styles load only from this server.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")

# Validation errors listed in a 422 answer; the rest are counted.
MAX_ERRORS_SHOWN = 20

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]", "testserver")


def _static_bytes(name: str) -> bytes:
    return resources.files("tieline.web").joinpath("static", name).read_bytes()


def create_app(db_url: str, *, settings: Settings | None = None,
               allowed_hosts: Sequence[str] | None = None) -> FastAPI:
    """Build the app over the store at db_url (a SQLite path or a postgresql:// URL).

    allowed_hosts guards against DNS rebinding: requests naming another Host are refused.
    By default only local names are accepted; pass ["*"] when serving on a public interface.
    """
    from dataclasses import replace

    settings = replace(settings or load_settings(toml_path=None, env={}), db=db_url, progress=False)
    store = Store(db_url)
    writer = Writer(store, settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        writer.close()
        store.close()

    app = FastAPI(
        title="Tieline",
        description=("Source-linked knowledge graph of international technological and "
                     "industrial cooperation: documents, entities, events, figures, search, "
                     "network, timeline and cited briefings. Every fact carries the document "
                     "and the character span it came from."),
        version="0.1.0",
        docs_url=None, redoc_url=None,  # their UIs load from a CDN; the spec is at openapi_url
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.settings = settings
    app.state.writer = writer
    app.include_router(router)
    app.add_middleware(TrustedHostMiddleware,
                       allowed_hosts=list(allowed_hosts or LOCAL_HOSTS))

    @app.middleware("http")
    async def security_headers(request: Request,
                               call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own answer echoes each bad value ("input"): a 20 MB body came back as a
        # 20 MB response. Say where and what, never the value, for a bounded number of errors.
        errors = exc.errors()
        detail = [{"loc": [str(p)[:100] for p in e.get("loc", ())][:10],
                   "msg": str(e.get("msg", ""))[:300], "type": str(e.get("type", ""))[:100]}
                  for e in errors[:MAX_ERRORS_SHOWN]]
        body: dict[str, object] = {"detail": detail}
        if len(errors) > MAX_ERRORS_SHOWN:
            body["more_errors"] = len(errors) - MAX_ERRORS_SHOWN
        return JSONResponse(body, status_code=422)

    @app.exception_handler(NotFoundError)
    async def not_found(_request: Request, exc: NotFoundError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(TielineError)
    async def bad_request(_request: Request, exc: TielineError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    env = Environment(loader=PackageLoader("tieline.web", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    index_html = env.get_template("index.html").render(title="Tieline")

    @app.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse,
                   include_in_schema=False)
    def index() -> HTMLResponse:
        return HTMLResponse(index_html)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: StaticName = Path()) -> Response:  # noqa: B008
        return Response(_static_bytes(name.value), media_type=STATIC[name.value],
                        headers={"Cache-Control": "no-cache"})

    return app
