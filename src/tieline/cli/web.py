"""``tieline serve``: the web page and REST API over a store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tieline.cli.common import (
    DbOption,
    SetOption,
    err,
    errors_to_exit,
    labelled,
    settings_from,
)


def register(app: typer.Typer) -> None:
    """Add the serve command."""

    @app.command()
    def serve(
        db: DbOption = None,
        host: Annotated[str, typer.Option(help="Interface to listen on; keep 127.0.0.1 unless "
                                               "you mean to share the store.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
        sets: SetOption = None,
    ) -> None:
        """Serve the web page and REST API (OpenAPI at /api/openapi.json) over a store.

        The page searches, shows entities, events on a timeline, figures against targets, the
        actor network and each document with its facts highlighted; it can upload articles and
        merge or split entities. Reading goes on while an upload is ingested.
        """
        try:
            import uvicorn

            from tieline.web.app import LOCAL_HOSTS, create_app
        except ImportError as e:
            from tieline.errors import MissingExtraError

            with errors_to_exit():
                raise MissingExtraError("web", "tieline serve") from e
        settings = settings_from(db, sets)
        if "://" not in settings.db and not Path(settings.db).expanduser().exists():
            err.print(labelled("note:", "yellow", f"no store at {settings.db}; starting an empty "
                               "one (upload articles on the page, or run 'tieline ingest PATH "
                               f"--db {settings.db}')"), highlight=False)
        hosts = ["*"] if host in ("0.0.0.0", "::") else [*LOCAL_HOSTS, host]
        with errors_to_exit():
            web_app = create_app(settings.db, settings=settings, allowed_hosts=hosts)
        err.print(f"Tieline on http://{host}:{port}/ over {settings.db} (Ctrl-C to stop)",
                  highlight=False)
        uvicorn.run(web_app, host=host, port=port, log_level="warning")
