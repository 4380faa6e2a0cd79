"""Tieline: a source-linked knowledge graph of international technological and industrial
cooperation, from news articles. The public Python API (see ``tieline.api``)."""

# The stage package ``tieline.ingest`` is loaded first so that the function ``ingest`` below is
# what ``tieline.ingest`` names: a package binds its name on its parent only when first loaded.
import tieline.ingest  # noqa: F401  (isort: keep before the API import)
from tieline.api import (
    chart,
    digest,
    entities,
    events,
    export,
    fetch,
    figures,
    graph,
    ingest,
    report,
    search,
    series,
    summary,
    watch,
)
from tieline.config import Settings, load_settings
from tieline.errors import TielineError

__all__ = [
    "Settings",
    "TielineError",
    "chart",
    "digest",
    "entities",
    "events",
    "export",
    "fetch",
    "figures",
    "graph",
    "ingest",
    "load_settings",
    "report",
    "search",
    "series",
    "summary",
    "watch",
]
