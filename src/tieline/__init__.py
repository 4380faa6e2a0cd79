"""Tieline: a source-linked knowledge graph of international technological and industrial
cooperation, from news articles. The public Python API (see ``tieline.api``)."""

import inspect as _inspect
import types as _types
from typing import Any as _Any

import tieline.eval as _eval_stage
import tieline.ingest as _ingest_stage
from tieline import api as _api
from tieline.api import (
    Library,
    chart,
    cluster,
    clusters,
    contradictions,
    digest,
    documents,
    entities,
    entity,
    evaluate,
    events,
    export,
    fetch,
    figures,
    graph,
    merge,
    relink,
    report,
    scope,
    search,
    series,
    split,
    summary,
    timeline,
    to_json,
    watch,
)
from tieline.config import Settings, load_settings
from tieline.errors import TielineError


class _CallableStage(_types.ModuleType):
    """The stage package ``tieline.ingest``, callable as the API's ``ingest``.

    One name cannot be both a package and a function; rebinding ``tieline.ingest`` to the
    function broke ``import tieline.ingest.fetch``. The package stays what the name holds, and
    calling it runs ``tieline.api.ingest``.
    """

    def __call__(self, *sources: _Any, **kw: _Any) -> _Any:
        return _api.ingest(*sources, **kw)


class _CallableEval(_types.ModuleType):
    """The stage package ``tieline.eval``, callable as the API's ``evaluate`` (``tieline
    eval``), for the reason ``_CallableStage`` gives."""

    def __call__(self, *args: _Any, **kw: _Any) -> _Any:
        return _api.evaluate(*args, **kw)


_ingest_stage.__class__ = _CallableStage
_ingest_stage.__signature__ = _inspect.signature(_api.ingest)  # type: ignore[attr-defined]
_ingest_stage.__doc__ = _ingest_stage.__doc__ or _api.ingest.__doc__ or ""
ingest = _ingest_stage
_eval_stage.__class__ = _CallableEval
_eval_stage.__signature__ = _inspect.signature(_api.evaluate)  # type: ignore[attr-defined]
_eval_stage.__doc__ = _eval_stage.__doc__ or _api.evaluate.__doc__ or ""
eval = _eval_stage

__all__ = [
    "Library",
    "Settings",
    "TielineError",
    "chart",
    "cluster",
    "clusters",
    "contradictions",
    "digest",
    "documents",
    "entities",
    "entity",
    "eval",
    "evaluate",
    "events",
    "export",
    "fetch",
    "figures",
    "graph",
    "ingest",
    "load_settings",
    "merge",
    "relink",
    "report",
    "scope",
    "search",
    "series",
    "split",
    "summary",
    "timeline",
    "to_json",
    "watch",
]
