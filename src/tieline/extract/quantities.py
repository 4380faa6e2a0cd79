"""Figures: money, volumes, percentages and counts with measure, period and status."""

from __future__ import annotations

from typing import Any

from tieline.records import Document, Entity, Figure, Mention

NAME = "quantities.rules.v0"


def extract_figures(doc: Document, sdoc: Any, mentions: list[Mention],
                    entities: list[Entity]) -> list[Figure]:
    """Figures stated in a parsed document. The walking skeleton finds none yet."""
    return []
