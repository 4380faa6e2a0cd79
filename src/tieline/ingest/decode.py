"""Bytes to text: detect the encoding, refuse binary data."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from tieline.errors import InputError

_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "a PNG image"),
    (b"PK\x03\x04", "a zip archive"),
    (b"%PDF", "a PDF file"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "an executable"),
)


def decode_bytes(data: bytes) -> str:
    """Return the text in ``data``; raise InputError for empty or binary input.

    UTF-8 and UTF-16/32 with a byte order mark are read as such; anything else goes to
    charset-normalizer, which must find a plausible encoding or the input counts as binary.
    """
    if not data.strip():
        raise InputError("empty file")
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            raise InputError(f"binary content ({what}), not text")
    for bom, enc in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(enc)
            except UnicodeDecodeError as e:
                raise InputError(f"declares {enc} with a byte order mark but does not decode: {e}") from e
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        if "\x00" in text:
            raise InputError("binary content (NUL bytes), not text")
        return text
    if b"\x00" in data[:4096]:
        raise InputError("binary content (NUL bytes), not text")
    best = from_bytes(data[: 1 << 20]).best()
    if best is None or best.encoding is None:
        raise InputError("not valid UTF-8 and no other text encoding fits; is it binary?")
    try:
        return data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError) as e:
        raise InputError(f"looks like {best.encoding} but does not decode: {e}") from e
