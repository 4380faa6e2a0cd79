"""Discovery and reading of inputs: files and folders to documents."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tieline.errors import InputError
from tieline.ingest.sources import (
    discover,
    flat_html_text,
    from_html,
    from_jsonl,
    from_plain,
    load_file,
    load_text,
    shown_path,
    web_url,
)
from tieline.records import InputFailure

BODY = (
    "Rosatom and the China National Nuclear Corporation signed a contract on Friday for two "
    "more reactors at the Tianwan plant in Jiangsu province, officials in Beijing said."
)


def _tree(root: Path) -> None:
    (root / "b").mkdir(parents=True)
    (root / "a.txt").write_text(BODY, encoding="utf-8")
    (root / "b" / "c.md").write_text("# Title\n\n" + BODY, encoding="utf-8")
    (root / "b" / "notes.docx").write_bytes(b"PK\x03\x04")
    (root / "b" / "d.HTML").write_text(f"<p>{BODY}</p>", encoding="utf-8")


def test_sources_discover_is_recursive_sorted_and_skips_unknown_kinds(tmp_path: Path) -> None:
    _tree(tmp_path)
    found = [
        p.relative_to(tmp_path).as_posix() for p in discover([tmp_path]) if isinstance(p, Path)
    ]
    assert found == ["a.txt", "b/c.md", "b/d.HTML"]


def test_sources_discover_follows_a_folder_link_once_and_never_loops(tmp_path: Path) -> None:
    _tree(tmp_path / "corpus")
    (tmp_path / "corpus" / "b" / "up").symlink_to("..", target_is_directory=True)
    (tmp_path / "alias").symlink_to("corpus", target_is_directory=True)
    found = [p for p in discover([tmp_path / "corpus", tmp_path / "alias"]) if isinstance(p, Path)]
    assert len({p.resolve() for p in found}) == len(found) == 3


def test_sources_discover_reports_file_link_loops_and_broken_links(tmp_path: Path) -> None:
    (tmp_path / "x.txt").symlink_to("y.txt")
    (tmp_path / "y.txt").symlink_to("x.txt")
    (tmp_path / "gone.txt").symlink_to("nowhere.txt")
    items = list(discover([tmp_path, tmp_path / "x.txt"]))
    assert all(isinstance(i, InputFailure) for i in items)
    assert sorted(Path(i.source).name for i in items) == ["gone.txt", "x.txt", "x.txt", "y.txt"]


def test_sources_load_file_refuses_a_named_pipe_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "feed.txt"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        load_file(fifo)


def test_sources_load_file_unreadable_file_gives_the_reason(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file, so a permission failure cannot be staged")
    locked = tmp_path / "locked.txt"
    locked.write_text(BODY, encoding="utf-8")
    locked.chmod(0)
    with pytest.raises(InputError, match="cannot be read: Permission denied"):
        load_file(locked)


def test_sources_odd_file_name_is_printable_and_stable(tmp_path: Path) -> None:
    raw = os.fsencode(tmp_path) + b"/r\xe9sum\xe9.txt"
    Path(os.fsdecode(raw)).write_text(BODY, encoding="utf-8")
    [path] = [p for p in discover([tmp_path]) if isinstance(p, Path)]
    [doc] = load_file(path).documents
    assert doc.name == "r\\xe9sum\\xe9.txt"
    assert doc.source_key == shown_path(path.resolve())
    doc.source_key.encode("utf-8")
    assert load_file(path).documents[0].id == doc.id


def test_sources_plain_text_document() -> None:
    doc = from_plain(
        f"Tianwan units agreed\nJune 8, 2018\n\n{BODY}\n\nBack to top", source_key="k", name="t.txt"
    )
    assert doc.title == "Tianwan units agreed"
    assert doc.published == "2018-06-08"
    assert doc.text.endswith("officials in Beijing said.")
    assert doc.id == from_plain(doc.text + "\n", source_key="other", name="u.txt").id


def test_sources_html_main_text_without_code() -> None:
    page = (
        f"<html><head><title>Tianwan units agreed</title><script>var s=1;</script></head>"
        f"<body><nav>Home | News</nav><article><h1>Tianwan units agreed</h1><p>{BODY}</p>"
        f"<p>{BODY.replace('Friday', 'Monday')}</p></article></body></html>"
    )
    doc = from_html(page, source_key="k", name="p.html")
    assert doc.title == "Tianwan units agreed"
    assert BODY in doc.text
    assert "var s" not in doc.text


def test_sources_flat_html_reads_any_depth_and_drops_code() -> None:
    flat = flat_html_text(
        "<div>" * 3000 + "<script>evil()</script><p>Deep words</p>" + "</div>" * 3000
    )
    assert flat.depth == 3001
    assert flat.text.strip() == "Deep words"


def test_sources_jsonl_lines_and_metadata() -> None:
    raw = "\n".join(
        [
            json.dumps(
                {
                    "text": BODY,
                    "title": "Reactors",
                    "date": "2018-06-08",
                    "url": "https://wire.example/a",
                }
            ),
            "",
            json.dumps({"text": BODY.replace("two", "four"), "author": "Li Wei"}),
            '{"text": 5}',
        ]
    )
    loaded = from_jsonl(raw, source_key="/abs/feed.jsonl", name="feed.jsonl", path="in/feed.jsonl")
    a, b = loaded.documents
    assert (a.title, a.published, a.url, a.name) == (
        "Reactors",
        "2018-06-08",
        "https://wire.example/a",
        "feed.jsonl:1",
    )
    assert (b.author, b.source_key) == ("Li Wei", "/abs/feed.jsonl:3")
    [f] = loaded.failures
    assert (f.source, f.reason) == ("in/feed.jsonl:4", "line has no 'text' string")


def test_sources_load_text_refuses_text_over_the_limit() -> None:
    with pytest.raises(InputError, match="200 per document"):
        load_text(BODY * 2, "text", source_key="k", name="n", max_chars=200)
    assert load_text(BODY * 2, "text", source_key="k", name="n", max_chars=None).documents


def test_sources_empty_after_cleaning_is_refused() -> None:
    with pytest.raises(InputError, match="no article text"):
        load_text("Back to top\nShare this\n", "text", source_key="k", name="n")


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("https://wire.example/a?b=1#c", True),
        ("HTTP://wire.example/", True),
        ("javascript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("  https://wire.example/x  ", True),
        ("https://wire.example/a b", False),
        ("//wire.example/x", False),
        ("https://", False),
        (None, False),
    ],
)
def test_sources_web_url_keeps_only_http_links(value: str | None, kept: bool) -> None:
    assert (web_url(value) is not None) is kept


def test_sources_jsonl_metadata_with_lone_surrogates_is_storable() -> None:
    line = (
        '{"text": "' + BODY + '", "title": "Deal \\ud800", "author": "Li \\udcffWei", '
        '"source": "\\ud800", "url": "https://wire.example/\\ud800"}'
    )
    [doc] = from_jsonl(line, source_key="k", name="n").documents
    assert (doc.title, doc.author, doc.source, doc.url) == ("Deal", "Li Wei", None, None)


def test_sources_hostile_urls_are_not_stored() -> None:
    raw = json.dumps({"text": BODY, "url": "javascript:alert(document.cookie)"})
    [doc] = from_jsonl(raw, source_key="k", name="n").documents
    assert doc.url is None
    page = (
        f"<html><head><link rel='canonical' href='javascript:alert(1)'></head><body>"
        f"<article><p>{BODY}</p></article></body></html>"
    )
    assert from_html(page, source_key="k", name="p.html").url is None


_PIECES = [
    *"<>/=\"' !-[]{}:,#*\\\n\tabcdivpscript01$&;",
    "<div>",
    "</div>",
    "<script>",
    "</script>",
    "<p>",
    "<!--",
    "-->",
    '{"text": "',
    '"}',
]
_MARKUP = st.lists(st.sampled_from(_PIECES), max_size=60).map("".join)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["text", "markdown", "html", "jsonl"]),
    st.one_of(st.text(max_size=200), _MARKUP),
)
def test_sources_any_text_gives_documents_or_input_error(kind: str, raw: str) -> None:
    reason = None
    try:
        loaded = load_text(raw, kind, source_key="k", name="n")
    except InputError as e:
        reason = str(e)
    if reason is not None:
        assert reason  # the reason for the one line
        return
    for doc in loaded.documents:
        assert doc.text.strip()
        assert doc.text == doc.text.strip()
    for failure in loaded.failures:
        assert failure.reason
