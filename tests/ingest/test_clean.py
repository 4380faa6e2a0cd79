"""Text cleaning: normalisation, Markdown to text, boilerplate removal."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tieline.ingest.clean import markdown_to_text, normalise, strip_boilerplate

_NBSP_LIKE = "\u00a0\u202f\u2007\u2009\u200a\u3000\t"


def test_clean_normalise_spaces_newlines_and_width() -> None:
    raw = (
        "\ufeffRosatom\u00a0and\u202fCNNC  signed\r\nthe\tdeal \u3000 for ＶＶＥＲ-1200 "
        "units\r\r\n\n\n\nEnd "
    )
    assert normalise(raw) == "Rosatom and CNNC signed\nthe deal for VVER-1200 units\n\nEnd"


def test_clean_normalise_drops_controls_and_composes_marks() -> None:
    assert normalise("Cafe\x00\u0301 de\x07al\x1b") == "Café deal"


def test_clean_normalise_drops_lone_surrogates() -> None:
    out = normalise("Rosatom \ud800built\udcff a plant")
    assert out == "Rosatom built a plant"
    out.encode("utf-8")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.one_of(st.characters(), st.characters(categories=["Cs"])), max_size=200))
def test_clean_normalise_output_always_encodes(text: str) -> None:
    normalise(text).encode("utf-8")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_clean_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_clean_normalise_leaves_nfkc_without_odd_spaces_or_controls(text: str) -> None:
    out = normalise(text)
    assert unicodedata.is_normalized("NFKC", out)
    assert not any(ch in out for ch in _NBSP_LIKE)
    assert all(ch == "\n" or unicodedata.category(ch) != "Cc" for ch in out)
    assert out == out.strip()
    assert "\n\n\n" not in out


def test_clean_markdown_undoes_escapes_and_keeps_link_text() -> None:
    text, heading = markdown_to_text(
        "# Yamal LNG ships first cargo\n\nBy [Ivan Sokolov](#)\n\n"
        "The plant cost \\$27 billion and *Novatek* owns 50.1\\% of it."
    )
    assert heading == "Yamal LNG ships first cargo"
    assert text.splitlines()[2] == "By Ivan Sokolov"
    assert "The plant cost $27 billion and Novatek owns 50.1% of it." in text


@pytest.mark.parametrize(
    "hostile",
    [
        "Rosatom signed <script>alert('x')</script> the deal.",
        "Rosatom signed <style>p{color:red}</style> the deal.",
        "Rosatom signed <iframe src='http://attacker.invalid'>fallback</iframe> the deal.",
        "Rosatom signed the deal.\n\n<script>\nalert('block')\n</script>",
        "Rosatom signed <img src=x onerror=\"alert('x')\"> the deal.",
    ],
)
def test_clean_markdown_drops_raw_html_and_script_code(hostile: str) -> None:
    text, _ = markdown_to_text(hostile)
    assert "Rosatom signed" in text
    for bad in ("alert", "color:red", "fallback", "onerror", "<"):
        assert bad not in text


def test_clean_boilerplate_lines_and_comment_section_go() -> None:
    body = "\n".join(f"Paragraph {i} about the Power of Siberia pipeline." for i in range(6))
    raw = (
        f"Share this article\n{body} Back To Top\nBack to top\nFollow us on Telegram\n"
        "Leave a Reply\nYou are commenting using your WordPress.com account.\nNice post!"
    )
    out = strip_boilerplate(raw)
    assert out.splitlines()[0] == "Paragraph 0 about the Power of Siberia pipeline."
    assert out.endswith("Paragraph 5 about the Power of Siberia pipeline.")
    for gone in (
        "Share this",
        "Back To Top",
        "Back to top",
        "Follow us",
        "Leave a Reply",
        "Nice post",
    ):
        assert gone not in out


def test_clean_boilerplate_keeps_an_early_comment_like_line() -> None:
    # A "2 comments" line in the top third is a page header, not the start of the comments.
    raw = "2 comments\nRussia and India agreed on the Kudankulam units.\nMore text.\nEven more."
    assert strip_boilerplate(raw).startswith("2 comments")
