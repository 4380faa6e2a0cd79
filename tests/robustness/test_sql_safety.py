"""SQL is always parameterised: only store/ issues SQL; every statement built from pieces is a
reviewed site that interpolates constants or bind-parameter names only; hostile values pass
through the real store as data."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tieline.records import Document, Extraction
from tieline.store import reads
from tieline.store.db import Store

SRC = Path(__file__).resolve().parents[2] / "src" / "tieline"
# sqlalchemy.text / literal_column called by name; driver-level methods called on a connection.
_SQL_FUNCS = {"text", "literal_column"}
_SQL_METHODS = {"exec_driver_sql", "executescript"}

# Reviewed sites that build SQL from pieces, and why each is safe. A new site fails the test
# until it is reviewed and added here: values must go in as bind parameters, never as text.
REVIEWED = {
    # to_tsquery('english', :t0) ... built from generated bind names; the words are bound.
    ("store/search.py", "_match_pg"),
    # One statement that ranks a page and counts the matches (a materialized pool of the
    # newest matches): the f-strings add the constant BM25 weight or headline test, constant
    # ORDER BY keys and generated kind bind names; the query, kinds, pool size and cap are
    # bound.
    ("store/search.py", "_ranked_sqlite"),
    # The count beside a ranked page: the same generated kind clause and tsquery bind names as
    # the two above, wrapped in a constant count; the query, kinds and cap are bound.
    ("store/search.py", "count_matches"),
    # FTS5 triggers: table and column names from the module's constant _SOURCES/_WATCHED.
    ("store/fts.py", "_sqlite_create"),
    ("store/fts.py", "_pg_create"),
    ("store/fts.py", "rebuild"),
    # The vector table's column type: BLOB or BYTEA, chosen by dialect.
    ("store/fts.py", "create_vectors"),
    # Bulk insert on SQLite: the table from the constant _ORDER, the columns the keys that
    # _rows writes in code, every value a ? parameter.
    ("store/bulk.py", "_insert_many"),
    # Migrations' DDL helpers: table and column names are constants of each migration.
    ("store/migrations.py", "_add_column"),
    ("store/migrations.py", "_create_index"),
    ("store/migrations.py", "_drop_index"),
}


def _is_dynamic(node: ast.expr) -> bool:
    """An SQL argument put together at run time (f-string, %, +, .format, join)."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in {"format", "join"}
    return isinstance(node, ast.Name)  # a variable: look where it was built


def _sql_sites() -> list[tuple[str, str, int, bool]]:
    """(file, enclosing function, line, dynamic?) of every call that takes raw SQL text."""
    out: list[tuple[str, str, int, bool]] = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        funcs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            f, first = node.func, node.args[0]
            raw_execute = (
                isinstance(f, ast.Attribute)
                and f.attr == "execute"
                and isinstance(first, ast.Constant | ast.JoinedStr)
            )
            if not (
                raw_execute
                or (isinstance(f, ast.Name) and f.id in _SQL_FUNCS)
                or (isinstance(f, ast.Attribute) and f.attr in _SQL_METHODS)
            ):
                continue
            owner = min(
                (fn for fn in funcs if fn.lineno <= node.lineno <= (fn.end_lineno or 0)),
                key=lambda fn: (fn.end_lineno or 0) - fn.lineno,
                default=None,
            )
            out.append(
                (rel, owner.name if owner else "<module>", node.lineno, _is_dynamic(node.args[0]))
            )
    return out


def test_sql_only_the_store_issues_raw_sql() -> None:
    outside = [s for s in _sql_sites() if not s[0].startswith("store/")]
    assert outside == [], "raw SQL outside store/"


def test_sql_every_statement_built_from_pieces_is_reviewed() -> None:
    dynamic = {(f, fn) for f, fn, _line, dyn in _sql_sites() if dyn}
    assert dynamic <= REVIEWED, f"unreviewed SQL built from pieces: {sorted(dynamic - REVIEWED)}"


HOSTILE = [
    "x'; DROP TABLE documents; --",
    '" OR 1=1 --',
    "%' OR '%'='",
    "); DELETE FROM mentions; --",
    'NEAR(a b) OR * AND "',
    "\\'; SELECT * FROM sqlite_master; --",
    "\x00",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_sql_hostile_values_are_data_in_the_real_store(memory_store: Store, value: str) -> None:
    doc = Document(
        id="d1",
        source_key=value,
        text=f"Russia and China agreed. {value}",
        name=value,
        title=value,
        author=value,
        source=value,
        url=value,
    )
    memory_store.write([(doc, Extraction(doc_id="d1", pipeline_version="v1"), None)])
    assert reads.document(memory_store, value) is None  # an id that is not there
    stored = reads.document(memory_store, "d1")
    assert stored is not None
    assert (stored["name"], stored["title"], stored["source_key"]) == (value, value, value)
    assert memory_store.count("documents") == 1
    assert memory_store.stored_by_source([value])[value].id == "d1"


@pytest.mark.parametrize("value", HOSTILE)
def test_sql_hostile_search_text_is_bound(memory_store: Store, value: str) -> None:
    from tieline.errors import TielineError
    from tieline.query.search import SearchQuery, search

    doc = Document(
        id="d1",
        source_key="k",
        text="Rosatom and CNNC signed a reactor contract.",
        name="n.txt",
        title="Reactor contract",
    )
    memory_store.write([(doc, Extraction(doc_id="d1", pipeline_version="v1"), None)])
    try:
        search(memory_store, SearchQuery(text=value))
    except TielineError:
        pass  # a query it cannot read is refused with a reason; that is fine
    assert memory_store.count("documents") == 1
    page = search(memory_store, SearchQuery(text="reactor"))
    assert [h.doc_id for h in page.items if h.kind == "document"] == ["d1"]
