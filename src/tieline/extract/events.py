"""Events: typed, with participants, sector, date and status (see GUIDE.md)."""

from __future__ import annotations

from typing import Any

from tieline.records import Document, Entity, Event, Mention

NAME = "events.rules.v0"


def extract_events(doc: Document, sdoc: Any, mentions: list[Mention],
                   entities: list[Entity]) -> list[Event]:
    """Events stated in a parsed document. The walking skeleton finds none yet."""
    return []
