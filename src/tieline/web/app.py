"""The web app: REST API under /api and one page served from the package (no CDN)."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from enum import Enum
from importlib import resources
from typing import Any

from fastapi import FastAPI, Path, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.middleware.trustedhost import TrustedHostMiddleware

from tieline.api import Library
from tieline.config import Settings, load_settings
from tieline.errors import FilterError, NotFoundError, TielineError
from tieline.web import apidocs, assets, views
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

# No inline script or style anywhere: scripts and styles load only from this server (the page's
# own and the vendored libraries, each pinned by its integrity value); no workers, plugins or
# frames, so nothing but those files ever runs.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; "
    "object-src 'none'; worker-src 'none'; frame-src 'none'"
)

# Validation errors listed in a 422 answer; the rest are counted.
MAX_ERRORS_SHOWN = 20

# Host names a loopback server answers to. Not "testserver" (the name test clients send):
# tests that want it add it themselves.
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
TOKEN_COOKIE = "tieline_token"
UPLOAD_PATH = "/api/uploads"


class _TooLarge(Exception):
    """An upload body went over the limit while it was being received."""


def _bearer(headers: dict[str, str], cookies: dict[str, str]) -> str | None:
    auth = headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    return cookies.get(TOKEN_COOKIE)


def _same(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


class _Guard:
    """Pure ASGI middleware: the token, the number of uploads in flight, and the upload size
    counted while the body streams in (FastAPI would spool a whole body to disk first)."""

    def __init__(
        self, app: Any, *, token: str | None, public_read: bool, max_bytes: int, max_uploads: int
    ) -> None:
        self.app = app
        self.token = token
        self.public_read = public_read
        self.max_bytes = max_bytes
        self.max_uploads = max_uploads
        self.uploads = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if self.token is not None:
            denied = self._check_token(request)
            if denied is not None:
                await denied(scope, receive, send)
                return
        if scope["method"] == "POST" and scope["path"] == UPLOAD_PATH:
            await self._upload(scope, receive, send, request)
            return
        await self.app(scope, receive, send)

    def _check_token(self, request: Request) -> Response | None:
        assert self.token is not None
        given = request.query_params.get("token")
        if given is not None and request.method == "GET" and request.url.path == "/":
            # A browser opens /?token=T once; the cookie then carries it (same site only).
            if not _same(given, self.token):
                return JSONResponse({"detail": "wrong token"}, status_code=401)
            resp = RedirectResponse("/", status_code=303)
            resp.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict")
            return resp
        if _same(_bearer(dict(request.headers), dict(request.cookies)), self.token):
            return None
        if self.public_read and request.method in ("GET", "HEAD"):
            return None
        return JSONResponse(
            {
                "detail": "this server needs its token: send 'Authorization: Bearer TOKEN', or "
                "open /?token=TOKEN once in the browser"
            },
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )

    async def _upload(self, scope: Any, receive: Any, send: Any, request: Request) -> None:
        length = request.headers.get("content-length", "")
        # The multipart envelope adds a little to the file itself.
        cap = self.max_bytes + (64 << 10)
        if length.isdigit() and int(length) > cap:
            await _too_large(self.max_bytes)(scope, receive, send)
            return
        if self.uploads >= self.max_uploads:
            await JSONResponse(
                {"detail": "too many uploads at once; try again shortly"},
                status_code=503,
                headers={"Retry-After": "5"},
            )(scope, receive, send)
            return
        seen = 0
        started = over = False

        async def counted() -> Any:
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    over = True
                    raise _TooLarge
            return message

        async def watched(message: Any) -> None:
            nonlocal started
            if over:
                # The form parser turns our stop into its own 400: answer 413 instead.
                if message["type"] == "http.response.start" and not started:
                    started = True
                    await _too_large(self.max_bytes)(scope, receive, send)
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        self.uploads += 1
        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if not started:
                await _too_large(self.max_bytes)(scope, receive, send)
        finally:
            self.uploads -= 1


def _too_large(max_bytes: int) -> Response:
    return JSONResponse(
        {"detail": f"file is over the limit of {max_bytes >> 20} MB"},
        status_code=413,
        headers={"Connection": "close"},
    )


def guarded_http_protocol(header_timeout_s: float) -> type:
    """uvicorn's h11 protocol with a deadline on each request's headers: a client sending a
    header line every few seconds (slowloris) is cut off instead of holding its connection."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class Guarded(H11Protocol):
        _timer: Any = None
        _armed_for: Any = None

        def _arm(self) -> None:
            self._disarm()
            self._armed_for = self.cycle
            self._timer = self.loop.call_later(header_timeout_s, self._headers_too_slow)

        def _disarm(self) -> None:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

        def _headers_too_slow(self) -> None:
            self._timer = None
            # No new request began since the timer was set: its headers never came in time.
            if self.cycle is self._armed_for and not self.transport.is_closing():
                self.transport.close()

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm()

        def handle_events(self) -> None:
            super().handle_events()
            if self.cycle is not self._armed_for:
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

    return Guarded


def _static_bytes(name: str) -> bytes:
    return resources.files("tieline.web").joinpath("static", name).read_bytes()


def _describe_422(app: FastAPI) -> None:
    """Say in the spec what a 422 carries: FastAPI's list of field errors, or (a FilterError)
    one line naming a value the store does not hold and the closest one it does."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        spec: dict[str, Any] = build()
        schema = spec.get("components", {}).get("schemas", {}).get("HTTPValidationError")
        detail = (schema or {}).get("properties", {}).get("detail")
        if schema and detail is not None and "anyOf" not in detail:  # once: the spec is cached
            listed = schema["properties"]["detail"]
            schema["properties"]["detail"] = {
                "title": "Detail",
                "anyOf": [
                    {k: v for k, v in listed.items() if k != "title"},
                    {"type": "string"},
                ],
                "description": "The fields the request got wrong, or one line naming a value "
                "the store does not hold (a country, pair, sector, type or measure) and the "
                "closest one it does.",
            }
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(
    db_url: str,
    *,
    settings: Settings | None = None,
    allowed_hosts: Sequence[str] | None = None,
    token: str | None = None,
    public_read: bool = False,
) -> FastAPI:
    """Build the app over the store at db_url (a SQLite path or a postgresql:// URL).

    allowed_hosts guards against DNS rebinding: requests naming another Host are refused.
    By default only local names are accepted; name the server's own names when serving on
    another interface. token (else ``settings.serve_token``): every request must present it
    (``Authorization: Bearer``, or the cookie set by opening ``/?token=...``), except reads
    when public_read.
    """
    from dataclasses import replace

    settings = replace(settings or load_settings(toml_path=None, env={}), db=db_url, progress=False)
    # The open knowledge base, read through the API; serve starts an empty one if none is there.
    store = Library(db_url, settings=settings, create=True)
    writer = Writer(store, settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Uploads a killed server left are ingested now, and links it left stale rebuilt.
        writer.resume()
        yield
        writer.close()
        store.close()

    app = FastAPI(
        title="Tieline",
        description=(
            "Source-linked knowledge graph of international technological and "
            "industrial cooperation: documents, entities, events, figures, search, "
            "network, timeline and cited briefings. Every fact carries the document "
            "and the character span it came from."
        ),
        version="0.1.0",
        # FastAPI's own pages load their UI from a CDN: web/apidocs.py serves /docs (and the
        # spec again at /openapi.json) from this server instead.
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.settings = settings
    app.state.writer = writer
    app.include_router(router)
    app.include_router(views.router)
    app.include_router(assets.router)
    app.include_router(apidocs.router)
    _describe_422(app)
    token = token or settings.serve_token or None
    app.add_middleware(
        _Guard,
        token=token,
        public_read=public_read,
        max_bytes=settings.max_file_mb << 20,
        max_uploads=max(1, settings.max_uploads_in_flight),
    )
    # Added last, so outermost: a request naming a foreign Host is refused before anything.
    app.add_middleware(
        TrustedHostMiddleware,
        allowed_hosts=[h for h in (allowed_hosts or LOCAL_HOSTS) if h != "*"] or list(LOCAL_HOSTS),
    )

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
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
        detail = [
            {
                "loc": [str(p)[:100] for p in e.get("loc", ())][:10],
                "msg": str(e.get("msg", ""))[:300],
                "type": str(e.get("type", ""))[:100],
            }
            for e in errors[:MAX_ERRORS_SHOWN]
        ]
        body: dict[str, object] = {"detail": detail}
        if len(errors) > MAX_ERRORS_SHOWN:
            body["more_errors"] = len(errors) - MAX_ERRORS_SHOWN
        return JSONResponse(body, status_code=422)

    @app.exception_handler(NotFoundError)
    async def not_found(_request: Request, exc: NotFoundError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(FilterError)
    async def unknown_value(_request: Request, exc: FilterError) -> JSONResponse:
        # A country, pair, sector, type or measure the store does not hold: the request is
        # well formed but names nothing (422, as a value the schema refuses), with the closest.
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(TielineError)
    async def bad_request(_request: Request, exc: TielineError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    env = Environment(
        loader=PackageLoader("tieline.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    index_html = env.get_template("index.html").render(title="Tieline", **assets.page_assets())

    @app.api_route(
        "/", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False
    )
    def index() -> HTMLResponse:
        return HTMLResponse(index_html)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: StaticName = Path()) -> Response:  # noqa: B008
        return Response(
            _static_bytes(name.value),
            media_type=STATIC[name.value],
            headers={"Cache-Control": "no-cache"},
        )

    return app
