"""``tieline serve``: the web page and REST API over a store."""

from __future__ import annotations

import errno
import socket
from pathlib import Path
from typing import Annotated

import typer

from tieline.cli.common import (
    DbOption,
    SetOption,
    err,
    errors_to_exit,
    fail,
    labelled,
    settings_from,
)
from tieline.errors import ConfigError


def register(app: typer.Typer) -> None:
    """Add the serve command."""

    @app.command()
    def serve(
        db: DbOption = None,
        host: Annotated[
            str,
            typer.Option(
                help="Interface to listen on; keep 127.0.0.1 unless you mean to share the store."
            ),
        ] = "127.0.0.1",
        port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
        token: Annotated[
            str | None,
            typer.Option(
                help="Token every client must present (Authorization: Bearer, or open "
                "/?token=... once); needed beyond loopback [setting serve_token]."
            ),
        ] = None,
        public_read: Annotated[
            bool,
            typer.Option(
                "--public-read", help="With a token: reading needs none, only changes do."
            ),
        ] = False,
        server_name: Annotated[
            list[str] | None,
            typer.Option(
                "--server-name",
                help="A host name clients reach this server by (repeatable); "
                "requests naming any other Host are refused.",
            ),
        ] = None,
        sets: SetOption = None,
    ) -> None:
        """Serve the web page and REST API over a store (API page at /docs, spec at /openapi.json).

        The page searches, shows entities, events on a timeline, figures against targets, the
        actor network and each document with its facts highlighted; it can upload articles and
        merge or split entities. Reading goes on while an upload is ingested. A port already
        in use is refused with one line and exit code 2.
        """
        try:
            import uvicorn

            from tieline.web.app import LOCAL_HOSTS, LOOPBACK, create_app, guarded_http_protocol
        except ImportError as e:
            from tieline.errors import MissingExtraError

            with errors_to_exit():
                raise MissingExtraError("web", "tieline serve") from e
        settings = settings_from(db, sets)
        token = token or settings.serve_token
        loopback = host in LOOPBACK or host.startswith("127.")
        if not loopback and not token:
            with errors_to_exit():
                raise ConfigError(
                    f"serving on {host} lets other machines in: give a token (--token T, or "
                    "the setting serve_token / TIELINE_SERVE_TOKEN); add --public-read to let "
                    "anyone read"
                )
        # The Host check holds on every interface (against DNS rebinding): the local names,
        # the address bound, this machine's name and the names given with --server-name.
        hosts = [*LOCAL_HOSTS, *(server_name or [])]
        if host not in ("0.0.0.0", "::"):
            hosts.append(f"[{host}]" if ":" in host else host)
        else:
            hosts += [socket.gethostname()]
        # Bound before anything is printed: a port in use is one line and a non-zero exit,
        # not a "Tieline on ..." banner followed by uvicorn's own error.
        sock = _listen(host, port)
        if "://" not in settings.db and not Path(settings.db).expanduser().exists():
            err.print(
                labelled(
                    "note:",
                    "yellow",
                    f"no store at {settings.db}; starting an empty "
                    "one (upload articles on the page, or run 'tieline ingest PATH "
                    f"--db {settings.db}')",
                ),
                highlight=False,
            )
        with errors_to_exit():
            web_app = create_app(
                settings.db,
                settings=settings,
                allowed_hosts=hosts,
                token=token,
                public_read=public_read,
            )
        err.print(
            f"Tieline on http://{host}:{port}/ over {settings.db} (Ctrl-C to stop)", highlight=False
        )
        config = uvicorn.Config(
            web_app,
            host=host,
            port=port,
            log_level="warning",
            http=guarded_http_protocol(settings.serve_header_timeout_s),
            limit_concurrency=max(1, settings.serve_max_connections),
            timeout_keep_alive=5,
        )
        server = uvicorn.Server(config)
        try:
            server.run(sockets=[sock])
        except KeyboardInterrupt:
            pass
        finally:
            sock.close()
        if not server.started:
            raise typer.Exit(1)


def _listen(host: str, port: int) -> socket.socket:
    """A socket listening on host:port, or one error line and exit 2 when it cannot be had."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        # create_server sets SO_REUSEADDR (a restart need not wait out TIME_WAIT), which on
        # POSIX still refuses a port another process is listening on.
        sock = socket.create_server((host, port), family=family, backlog=2048)
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            fail(
                f"port {port} on {host} is already in use (another tieline serve?); stop that "
                f"server or choose another port with --port"
            )
        if e.errno == errno.EACCES:
            fail(f"no permission to listen on port {port} on {host}; choose a port above 1023")
        fail(f"cannot listen on {host}:{port}: {e.strerror or e}")
    sock.set_inheritable(True)
    return sock
