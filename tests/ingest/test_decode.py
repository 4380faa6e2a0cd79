"""Bytes to text: encodings read correctly, binary and damaged input refused with a reason."""

from __future__ import annotations

import gzip

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tieline.errors import InputError
from tieline.ingest.decode import decode_bytes

RU = "Россия и Китай подписали соглашение о поставках газа по газопроводу «Сила Сибири»."
FR = "Moscou et Pékin ont signé un accord — « coopération stratégique » à Zürich, déjà."
ZH = "中国和俄罗斯签署了天然气供应协议，双方同意扩大能源合作。"


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (FR.encode("utf-8"), FR),
        (b"\xef\xbb\xbf" + FR.encode("utf-8"), FR),
        (FR.encode("utf-16"), FR),
        (FR.encode("utf-16-le"), FR),  # no byte order mark
        (FR.encode("utf-16-be"), FR),
        (FR.encode("utf-32"), FR),
        (
            "Société Générale, Müller, façade, naïve, São Paulo.".encode("latin-1"),
            "Société Générale, Müller, façade, naïve, São Paulo.",
        ),
        (
            "“Rosatom’s deal” — worth €5 bn, said Müller…".encode("cp1252"),
            "“Rosatom’s deal” — worth €5 bn, said Müller…",
        ),
        ((RU + " ").encode("cp1251") * 3, (RU + " ") * 3),
        (ZH.encode("gb18030") * 2, ZH * 2),
    ],
)
def test_decode_reads_text_in_its_encoding(data: bytes, text: str) -> None:
    assert decode_bytes(data) == text


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b" \n\t\r\n ", "only white space"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"PK\x03\x04\x14\x00\x00\x00", "zip"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "PDF"),
        (gzip.compress(b"Russia and China"), "gzip"),
        (b"\x7fELF\x02\x01\x01", "executable"),
        (b"SQLite format 3\x00" + b"\x00" * 84, "SQLite"),
        (bytes(range(1, 32)) * 40, "control characters"),
        (b"ab\x00cd\x00\x01\x02\x03" * 200 + b"\x00", "NUL"),
    ],
)
def test_decode_refuses_binary_with_the_reason(data: bytes, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        decode_bytes(data)


def test_decode_refuses_damaged_utf8_naming_the_byte() -> None:
    good = "Düsseldorf — the turbine maker’s Moscow venture. ".encode()
    data = good + b"\xc3\x28 and \xa0\xa1 " + good
    with pytest.raises(InputError, match=rf"invalid UTF-8 at byte {len(good)}\b"):
        decode_bytes(data)


def test_decode_latin1_found_far_into_a_large_file() -> None:
    data = b"Plain ASCII line about gas prices.\n" * 5000 + "Müller, Société".encode("latin-1")
    assert decode_bytes(data).endswith("Müller, Société")


_MAGIC_TEXT = ("%PDF", "GIF8", "SQLite format 3")


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")),
        min_size=1,
        max_size=300,
    )
)
def test_decode_utf8_and_utf16_round_trip(text: str) -> None:
    assume(text.strip(" \t\n\r\x0b\x0c") and not text.startswith(("\ufeff", *_MAGIC_TEXT)))
    assert decode_bytes(text.encode("utf-8")) == text
    assert decode_bytes(text.encode("utf-16")) == text


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_decode_any_bytes_give_text_or_input_error(data: bytes) -> None:
    reason = ""
    try:
        out: str | None = decode_bytes(data)
    except InputError as e:
        out, reason = None, str(e)
    if out is None:
        assert reason  # refused, with a reason
    else:
        assert "\x00" not in out
