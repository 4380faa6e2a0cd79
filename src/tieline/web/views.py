"""Reads the page needs beside the REST lists: where each fact's document comes from."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from tieline.web import data

router = APIRouter(prefix="/api")

DOC_ID = r"^[0-9a-f]{8,64}$"


class SourceOut(BaseModel):
    doc_id: str
    outlet: str | None = Field(None, description="The outlet or feed the document came from.")
    title: str | None = None
    published: str | None = None
    url: str | None = None


@router.get(
    "/sources",
    response_model=dict[str, SourceOut],
    summary="The source (outlet, date, title) of each document asked for",
)
def get_sources(
    request: Request,
    doc: Annotated[
        list[str],
        Query(max_length=500, description=("Document ids (repeat the parameter, at most 500).")),
    ],
) -> Any:
    """Outlet, date, title and address of each known document; unknown ids are left out."""
    return data.sources(request.app.state.store, doc)
