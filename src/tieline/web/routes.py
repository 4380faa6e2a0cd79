"""REST endpoints under /api: every input validated, every answer described in OpenAPI."""

from __future__ import annotations

from enum import Enum, StrEnum
from typing import Annotated, Any, Generic, TypeVar

from fastapi import (
    APIRouter,
    Depends,
    File,
    Header,
    HTTPException,
    Path,
    Query,
    Request,
    UploadFile,
)
from fastapi.responses import HTMLResponse, PlainTextResponse
from pydantic import BaseModel, Field

from tieline.errors import InputError
from tieline.query.scope import Scope
from tieline.records import ENTITY_TYPES, EVENT_TYPES, FIGURE_STATUSES
from tieline.web import data
from tieline.web.jobs import QueueFull, Writer


class Problem(BaseModel):
    detail: str = Field(description="What went wrong and what to do next.")


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    text = {
        400: "The request cannot be carried out as asked.",
        403: "The X-Tieline header is missing.",
        404: "Nothing by that id.",
        422: "A value the store does not hold (the closest one is named), or a malformed one.",
        413: "The file is too large.",
        415: "The file type cannot be ingested.",
    }
    return {c: {"model": Problem, "description": text[c]} for c in codes}


router = APIRouter(prefix="/api", responses=_errors(400))

T = TypeVar("T")

# Patterns that bound what a request can say; anything else is a 422 before a handler runs.
DATE = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"
# A date, or a span back from now (7d, 24h, 2w, 3m, 1y), as the CLI's --since takes it.
SINCE = r"^(\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?|\d{1,5}[hdwmyHDWMY])$"
# Two states as codes in any case or names ("cn-ru", "CN/RU", "China-Russia"); checked
# against the store (a 422 naming the closest).
PAIR = r"^[A-Za-z][A-Za-z .'()]{1,60}[-–/,:][A-Za-z .'()]{2,60}$"
DOC_ID = r"^[0-9a-f]{8,64}$"
COUNTRY = r"^[A-Za-z]{2}$"
TEXT = r"^[^\x00-\x1f]*$"  # no control characters in free-text parameters

EntityType = Enum("EntityType", {t: t for t in ENTITY_TYPES}, type=str)  # type: ignore[misc]
FigureStatus = Enum("FigureStatus", {t: t for t in FIGURE_STATUSES}, type=str)  # type: ignore[misc]


class HitKind(StrEnum):
    document = "document"
    event = "event"
    figure = "figure"
    entity = "entity"


class ReportFormat(StrEnum):
    markdown = "markdown"
    html = "html"


# --------------------------------------------------------------------------- models
class Page(BaseModel, Generic[T]):
    total: int = Field(description="How many items match, over all pages.")
    limit: int
    offset: int
    items: list[T]


class DocumentOut(BaseModel):
    id: str
    name: str
    title: str | None = None
    published: str | None = None
    published_precision: str | None = None
    author: str | None = None
    source: str | None = None
    url: str | None = None
    lang: str | None = None
    near_duplicate_of: str | None = None


class MentionSpan(BaseModel):
    start: int
    end: int
    text: str
    label: str
    entity_id: str | None = None
    entity_name: str | None = None


class ParticipantOut(BaseModel):
    entity_id: str | None = None
    name: str
    role: str | None = None
    type: str | None = None
    country: str | None = None


class EventOut(BaseModel):
    """An event as the CLI's --json and the Python API's ``to_json`` give it, field for field."""

    id: str
    type: str
    plover: str | None = None
    cameo: str | None = None
    trigger: str
    trigger_start: int | None = None
    trigger_end: int | None = None
    status: str
    sector: str | None = None
    date: str | None = Field(None, description="The date the event's text states.")
    date_precision: str | None = None
    date_source: str | None = None
    when: str | None = Field(None, description="The event's date, else its article's.")
    dated_by: str | None = Field(
        None, description="event (a date in its text), published (its article's date) or null."
    )
    confidence: float
    count: int | None = None
    participants: list[ParticipantOut]
    actors: list[ParticipantOut] = []
    objects: list[ParticipantOut] = []
    cluster_id: str | None = None
    sources: int = Field(1, description="Independent documents that report this event.")
    evidence: str
    span: list[int] = []
    sentence_start: int
    sentence_end: int
    doc_id: str
    doc: str | None = None
    title: str | None = None
    doc_title: str | None = None
    published: str | None = None
    url: str | None = None
    citation: str | None = None


class Report(BaseModel):
    id: str | None = None
    doc_id: str
    doc_title: str
    quote: str
    start: int = Field(description="Start of the quote's sentence in the document text.")
    end: int
    citation: str | None = None


class TimelineEvent(EventOut):
    when: str | None = Field(None, description="The event's date, else its first report's.")
    dated_by: str | None = Field(None, description="event (a date in the text) or published.")
    reports: list[Report] = Field(description="Every document that reports this event.")


class FigureOut(BaseModel):
    """A figure as the CLI's --json gives it, field for field."""

    id: str
    doc_id: str
    doc: str | None = None
    title: str | None = None
    citation: str | None = None
    span: list[int] = []
    countries: list[str] = []
    measure: str | None = None
    value: float
    unit: str
    currency: str | None = None
    period: str | None = None
    period_start: str | None = None
    period_end: str | None = None
    status: str
    actors: list[str]
    evidence: str
    text: str
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    doc_title: str | None = None
    published: str | None = None


class DocumentFull(DocumentOut):
    text: str
    mentions: list[MentionSpan]
    events: list[EventOut]
    figures: list[FigureOut]


class EntityOut(BaseModel):
    id: str
    name: str
    type: str
    country: str | None = None
    role: str | None = None
    affiliation: str | None = None
    kb_id: str | None = None
    mention_count: int
    doc_count: int
    first_seen: str | None = None
    last_seen: str | None = None
    aliases: list[str]


class Quote(BaseModel):
    doc_id: str
    doc_title: str
    published: str | None = None
    start: int = Field(description="Start of the mention in the document text.")
    end: int
    text: str
    quote: str = Field(description="The sentence around the mention.")
    quote_start: int = Field(description="Where the quote starts in the document text.")


class LifeStage(BaseModel):
    stage: str = Field(description="agreement, contract, financing, construction start, ...")
    date: str | None = None
    dated_by: str = Field(
        description="event (a date in the text), cluster (a date another report of the same "
        "happening states) or published."
    )
    status: str
    event_id: str
    doc_id: str
    doc_title: str | None = None
    published: str | None = None
    evidence: str
    start: int = Field(description="Start of the quoted sentence in the document text.")
    end: int


class EntityFull(EntityOut):
    events: list[EventOut] = Field(description="One page of its events, oldest first.")
    event_total: int = Field(0, description="Its events over all pages.")
    event_limit: int = Field(200, description="Events read for this page.")
    event_offset: int = Field(0, description="Events skipped before this page.")
    mentions: list[Quote] = Field(description="One page of its mentions (document order).")
    mention_total: int
    mention_limit: int = Field(200, description="Mentions read for this page.")
    mention_offset: int = Field(0, description="Mentions skipped before this page.")
    lifecycle: list[LifeStage] = Field(
        default_factory=list,
        description="A facility's or product's stages in order, each first reported where.",
    )


class Timeline(BaseModel):
    events: list[TimelineEvent]
    total: int = Field(0, description="Reports that match, over all pages.")
    limit: int = Field(200, description="Reports read for this page.")
    offset: int = Field(0, description="Reports skipped before this page.")
    sectors: list[str]
    types: list[str]
    pairs: list[str]


class SeriesPoint(BaseModel):
    date: str
    value: float
    status: str
    unit: str
    currency: str | None = None
    period: str | None = None
    doc_id: str
    start: int
    end: int
    evidence: str


class Series(BaseModel):
    measure: str
    pair: str | None = None
    unit: str | None = None
    points: list[SeriesPoint]


class Hit(BaseModel):
    kind: HitKind
    id: str
    doc_id: str | None = None
    title: str | None = None
    snippet: str
    highlights: list[list[int]] = Field(description="[start, end) offsets of matches in snippet.")
    start: int | None = Field(None, description="Where the snippet starts in the document text.")
    end: int | None = None
    type: str | None = None
    sector: str | None = None
    date: str | None = None
    score: float
    doc_name: str | None = None
    doc_title: str | None = None
    url: str | None = None
    quote: str | None = None
    actors: list[str] = []


class SearchPage(Page[Hit]):
    facets: dict[str, dict[str, int]]


class Node(BaseModel):
    id: str
    name: str
    country: str | None = None
    type: str | None = None
    events: int = Field(description="Events the actor takes part in.")
    degree: float = 0.0
    betweenness: float = 0.0
    eigenvector: float = 0.0
    community: int = Field(0, description="Community number (0 is the largest).")


class Edge(BaseModel):
    source: str
    target: str
    weight: int = Field(description="Events the two actors share.")
    types: dict[str, int]
    type: str | None = Field(None, description="The most common event type.")
    events: list[str] = []
    first: str | None = None
    last: str | None = None


class Graph(BaseModel):
    nodes: list[Node]
    edges: list[Edge]
    communities: list[list[str]] = Field([], description="Node ids per community, largest first.")


class Summary(BaseModel):
    documents: int
    entities: dict[str, int]
    events: dict[str, int]
    figures: int
    figures_by_unit: dict[str, int]
    entity_types: list[str]
    countries: list[str]
    event_types: list[str]
    sectors: list[str]
    measures: list[str]
    pairs: list[str]


class JobOut(BaseModel):
    id: str
    name: str
    state: str = Field(description="queued, running, done or failed.")
    stage: str
    done: int
    total: int
    added: int
    updated: int
    unchanged: int
    duplicates: int
    doc_ids: list[str]
    failures: list[dict[str, str]]
    error: str | None = None


class MergeIn(BaseModel):
    a: str = Field(
        min_length=1, max_length=300, pattern=TEXT, description="Entity (id or name) that stays."
    )
    b: str = Field(
        min_length=1, max_length=300, pattern=TEXT, description="Entity (id or name) merged in."
    )


class SplitIn(BaseModel):
    entity_id: str = Field(min_length=1, max_length=300, pattern=TEXT)
    alias: str = Field(
        min_length=1,
        max_length=300,
        pattern=TEXT,
        description="An alias of the entity that becomes an entity of its own.",
    )


class CurateOut(BaseModel):
    entities: int = Field(description="Entities in the store after relinking.")
    entity_id: str | None = Field(None, description="Where the kept entity now lives.")


# --------------------------------------------------------------------------- parameters
Limit = Annotated[int, Query(ge=1, le=500, description="Items per page (1-500).")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")]
Since = Annotated[
    str | None,
    Query(pattern=SINCE, description="From this date (YYYY[-MM[-DD]]) or span back (7d, 1y)."),
]
Until = Annotated[str | None, Query(pattern=DATE, description="Up to this date: YYYY[-MM[-DD]].")]
Pair = Annotated[
    str | None,
    Query(
        max_length=130,
        pattern=PAIR,
        description="Two different states the store holds, e.g. CN-RU (any case, or names).",
    ),
]
Actor = Annotated[
    str | None,
    Query(min_length=1, max_length=200, pattern=TEXT, description="Entity id, name or alias."),
]
Sector = Annotated[str | None, Query(min_length=1, max_length=60, pattern=TEXT)]
Measure = Annotated[str | None, Query(min_length=1, max_length=80, pattern=TEXT)]


Country = Annotated[
    str | None,
    Query(min_length=2, max_length=60, pattern=TEXT, description="ISO code (RU) or name."),
]


def _filters(
    actor: Actor = None,
    type: Annotated[
        str | None,
        Query(
            pattern=r"^[A-Za-z_ -]{1,40}$",
            description=f"Event type: {', '.join(EVENT_TYPES)}.",
        ),
    ] = None,
    sector: Sector = None,
    since: Since = None,
    until: Until = None,
    pair: Pair = None,
    country: Country = None,
    status: Annotated[
        str | None, Query(pattern=r"^[A-Za-z]{1,20}$", description="done, planned or negated.")
    ] = None,
) -> Scope:
    # The one filter record of every read; values are checked against the store by the
    # query layer (a 422 naming the closest).
    return Scope.of(
        actor=actor,
        type=type,
        sector=sector,
        since=since,
        until=until,
        pair=pair,
        country=country,
        status=status,
    )


Filtered = Annotated[Scope, Depends(_filters)]


def _store(request: Request) -> Any:
    return request.app.state.store


def _writer(request: Request) -> Writer:
    return request.app.state.writer  # type: ignore[no-any-return]


def _csrf(
    x_tieline: Annotated[
        str | None, Header(description="Any value; a custom header a cross-site form cannot send.")
    ] = None,
) -> None:
    # Browsers send a custom header cross-site only after a CORS preflight, which this server
    # never grants, so a hostile page cannot make a visitor's browser upload or curate.
    if not x_tieline:
        raise HTTPException(403, "send the header X-Tieline: 1 with requests that change data")


# --------------------------------------------------------------------------- reads
@router.get("/summary", response_model=Summary, summary="Totals and the values filters offer")
def get_summary(request: Request) -> Any:
    return data.summary(_store(request))


@router.get("/documents", response_model=Page[DocumentOut], summary="List documents")
def list_documents(
    request: Request,
    limit: Limit = 50,
    offset: Offset = 0,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=200, pattern=TEXT, description="Words in title or name."),
    ] = None,
) -> Any:
    return data.list_documents(_store(request), q, limit=limit, offset=offset)


@router.get(
    "/documents/{doc_id}",
    response_model=DocumentFull,
    responses=_errors(404),
    summary="One document with its text and every extracted fact as spans",
)
def get_document(
    request: Request, doc_id: Annotated[str, Path(pattern=DOC_ID, max_length=64)]
) -> Any:
    return data.get_document(_store(request), doc_id)


@router.get("/entities", response_model=Page[EntityOut], summary="List entities")
def list_entities(
    request: Request,
    limit: Limit = 50,
    offset: Offset = 0,
    type: Annotated[EntityType | None, Query()] = None,
    country: Annotated[str | None, Query(pattern=COUNTRY)] = None,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=200, pattern=TEXT, description="Part of a name or alias."),
    ] = None,
) -> Any:
    return data.list_entities(
        _store(request),
        type=type.value if type else None,
        country=country,
        q=q,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/entities/{entity_id:path}",
    response_model=EntityFull,
    responses=_errors(404),
    summary="One entity: aliases, role, country, events, mentions with quotes",
)
def get_entity(
    request: Request,
    entity_id: Annotated[str, Path(min_length=1, max_length=300, pattern=TEXT)],
    limit: Annotated[int, Query(ge=1, le=500, description="Events per page (1-500).")] = 200,
    offset: Offset = 0,
    mentions_limit: Annotated[
        int, Query(ge=1, le=500, description="Mentions per page (1-500).")
    ] = 200,
    mentions_offset: Offset = 0,
) -> Any:
    return data.get_entity(
        _store(request),
        entity_id,
        max_events=limit,
        events_offset=offset,
        max_mentions=mentions_limit,
        mentions_offset=mentions_offset,
    )


@router.get("/events", response_model=Page[EventOut], summary="List events")
def list_events(request: Request, f: Filtered, limit: Limit = 50, offset: Offset = 0) -> Any:
    return data.list_events(_store(request), f, limit=limit, offset=offset)


@router.get(
    "/timeline",
    response_model=Timeline,
    summary="Events in date order, with the sectors, types and pairs to filter by",
    description="A page of the timeline: the real-world events of `limit` reports "
    "from `offset` (reports oldest first, as /api/events), each once with "
    "its reports on the page; `total` counts the reports.",
)
def get_timeline(request: Request, f: Filtered, limit: Limit = 200, offset: Offset = 0) -> Any:
    return data.timeline(_store(request), f, limit=limit, offset=offset)


@router.get("/figures", response_model=Page[FigureOut], summary="List figures")
def list_figures(
    request: Request,
    limit: Limit = 50,
    offset: Offset = 0,
    measure: Measure = None,
    pair: Pair = None,
    status: Annotated[FigureStatus | None, Query()] = None,
    unit: Annotated[
        str | None,
        Query(pattern=r"^[A-Za-z0-9/%]{1,12}$", description="USD, t, bbl/d, percent ..."),
    ] = None,
) -> Any:
    return data.list_figures(
        _store(request),
        measure=measure,
        pair=pair,
        status=status.value if status else None,
        unit=unit,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/figures/series",
    response_model=Series,
    summary="One measure over time: actuals beside targets",
)
def get_series(
    request: Request,
    measure: Annotated[str, Query(min_length=1, max_length=80, pattern=TEXT)],
    pair: Pair = None,
) -> Any:
    return data.series(_store(request), measure=measure, pair=pair)


@router.get(
    "/search",
    response_model=SearchPage,
    summary="Full-text search over documents, events, figures and entities",
)
def search(
    request: Request,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            pattern=TEXT,
            description='Words that must all match; "a phrase" works.',
        ),
    ],
    actor: Actor = None,
    sector: Sector = None,
    since: Since = None,
    until: Until = None,
    type: Annotated[
        str | None,
        Query(
            pattern=r"^[A-Za-z_.]{1,40}$",
            description="Event type, entity type (ORG ...) or figure measure.",
        ),
    ] = None,
    kind: Annotated[HitKind | None, Query(description="Only hits of this kind.")] = None,
    semantic: Annotated[
        bool,
        Query(
            description=(
                "Rank events and figures by meaning (sentence embeddings; the 'semantic' "
                "extra) instead of by words."
            )
        ),
    ] = False,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Any:
    f = Scope.of(actor=actor, sector=sector, since=since, until=until)
    res = data.search(
        _store(request), q, f, kind.value if kind else None, type=type, semantic=semantic
    )
    return {**data.page(res["hits"], limit, offset), "total": res["total"], "facets": res["facets"]}


@router.get("/graph", response_model=Graph, summary="The actor network as JSON")
def get_graph(request: Request, f: Filtered) -> Any:
    return data.graph(_store(request), f)


@router.get(
    "/report",
    summary="A cited briefing as Markdown or HTML",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/markdown": {}, "text/html": {}}}},
)
def get_report(
    request: Request,
    pair: Pair = None,
    since: Since = None,
    format: ReportFormat = ReportFormat.markdown,
) -> Any:
    text = data.report(_store(request), pair, since, format.value)
    if format is ReportFormat.markdown:
        return PlainTextResponse(text, media_type="text/markdown; charset=utf-8")
    # The briefing is a page of its own: sandboxed, no scripts, only its own inline style.
    return HTMLResponse(
        text,
        headers={
            "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'"
        },
    )


# --------------------------------------------------------------------------- writes
@router.post(
    "/uploads",
    response_model=JobOut,
    status_code=202,
    responses=_errors(403, 413, 415),
    dependencies=[Depends(_csrf)],
    summary="Upload an article (.txt .md .html .jsonl); ingest runs in the background",
)
async def upload(request: Request, file: Annotated[UploadFile, File()]) -> Any:
    settings = request.app.state.settings
    limit = settings.max_file_mb << 20
    chunks, size = [], 0
    while chunk := await file.read(1 << 20):
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"file is over the limit of {settings.max_file_mb} MB")
        chunks.append(chunk)
    try:
        job = _writer(request).submit(file.filename, b"".join(chunks))
    except QueueFull as e:
        raise HTTPException(503, str(e), headers={"Retry-After": "30"}) from e
    except InputError as e:
        raise HTTPException(415, str(e)) from e
    return job.public()


@router.get(
    "/uploads/{job_id}",
    response_model=JobOut,
    summary="Progress of an upload",
    responses=_errors(404),
)
def upload_status(request: Request, job_id: Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]) -> Any:
    job = _writer(request).jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"no upload {job_id}")
    return job.public()


def _entity_or_404(request: Request, entity_id: str) -> dict[str, Any]:
    # An id, a name, an alias or an acronym, as the CLI's merge and split take them.
    ent = data.Index(_store(request)).entities.get(entity_id)
    if ent is None:
        raise HTTPException(404, f"no entity {entity_id!r}")
    return ent


@router.post(
    "/curate/merge",
    response_model=CurateOut,
    dependencies=[Depends(_csrf)],
    responses=_errors(403, 404),
    summary="Merge entity b into entity a (kept across re-ingest)",
)
def merge(request: Request, body: MergeIn) -> Any:
    a = _entity_or_404(request, body.a)
    b = _entity_or_404(request, body.b)
    if a["id"] == b["id"]:
        raise HTTPException(400, "an entity cannot be merged with itself; pick two entities")
    n = _writer(request).curate("merge", a["id"], b["id"])
    idx = data.Index(_store(request))
    return {"entities": n, "entity_id": idx.keys.get(a["id"], a["id"])}


@router.post(
    "/curate/split",
    response_model=CurateOut,
    dependencies=[Depends(_csrf)],
    responses=_errors(403, 404),
    summary="Split an alias off an entity into an entity of its own",
)
def split(request: Request, body: SplitIn) -> Any:
    ent = _entity_or_404(request, body.entity_id)
    if body.alias not in ent["aliases"]:
        raise HTTPException(
            400,
            f"{body.alias!r} is not an alias of {ent['name']!r}; its aliases are {ent['aliases']}",
        )
    n = _writer(request).curate("split", ent["id"], alias=body.alias)
    idx = data.Index(_store(request))
    return {"entities": n, "entity_id": idx.keys.get(ent["id"], ent["id"])}
