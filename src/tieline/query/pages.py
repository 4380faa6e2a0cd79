"""Stored rows the web's pages show as they are (documents, a document's mentions and figures,
entity lists, totals), for callers above the query layer, which never import the store."""

from __future__ import annotations

from tieline.store.curation import count_documents, count_entities, list_documents, list_entities
from tieline.store.reads import (
    counts,
    document,
    figure_spans,
    figure_statuses,
    figures,
    mentions,
)

__all__ = [
    "count_documents",
    "count_entities",
    "counts",
    "document",
    "figure_spans",
    "figure_statuses",
    "figures",
    "list_documents",
    "list_entities",
    "mentions",
]
