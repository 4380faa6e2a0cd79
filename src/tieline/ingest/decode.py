"""Bytes to text: detect the encoding, refuse binary data and damaged UTF-8."""

from __future__ import annotations

import codecs
import logging
import re
import unicodedata
from collections.abc import Callable

from charset_normalizer import from_bytes

from tieline.errors import InputError

_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "a PNG image"),
    (b"PK\x03\x04", "a zip archive"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"%PDF", "a PDF file"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "an executable"),
    (b"SQLite format 3\x00", "a SQLite database"),
    (b"\xd0\xcf\x11\xe0", "an Office document"),
)
# A well-formed multi-byte UTF-8 sequence (2, 3 or 4 bytes).
_UTF8_SEQ = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
# Control characters that text files do not hold (tab, newline, form feed, CR and ESC aside).
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_NON_ASCII = re.compile(rb"[\x80-\xff]")
# The legacy encoding English-language news most often comes in; preferred among equals.
_WESTERN = ("cp1252", "latin_1", "iso8859_15")
_log = logging.getLogger("tieline.ingest")
Warn = Callable[[str], None]


def _check_text(text: str) -> str:
    """Refuse decoded text full of control characters: binary data that happened to decode."""
    sample = text[: 1 << 16]
    if "\x00" in sample:
        raise InputError("binary content (NUL bytes), not text")
    if len(_CONTROLS.findall(sample)) > max(8, len(sample) // 100):
        raise InputError("binary content (control characters), not text")
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a byte order mark: one byte of each ASCII pair is NUL."""
    head = data[:4096]
    if len(head) < 8 or len(data) % 2:
        return None
    head = head[: len(head) // 2 * 2]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    half = len(head) // 2
    # Latin text puts a NUL in every other byte; other scripts leave one on spaces, digits and
    # punctuation at least. A NUL on both sides is binary data.
    enc = (
        "utf-16-le"
        if odd > 0.1 * half and even < 0.02 * half
        else ("utf-16-be" if even > 0.1 * half and odd < 0.02 * half else None)
    )
    if enc is None:
        return None
    try:
        text = data.decode(enc)
    except UnicodeDecodeError:
        return None
    # Unassigned code points and private use mean the bytes were not UTF-16 after all.
    odd_chars = sum(1 for ch in text[:2048] if unicodedata.category(ch) in ("Cn", "Co", "Cs"))
    return text if odd_chars <= len(text[:2048]) // 50 else None


def _damaged_utf8(data: bytes, err: UnicodeDecodeError) -> InputError | None:
    """Text written as UTF-8 with bytes that are not: refuse rather than guess a wrong encoding."""
    # Judge the stretch around the first bad byte; counting a whole large file is slow.
    window = data[max(0, err.start - (1 << 19)) : err.start + (1 << 19)]
    good = len(_UTF8_SEQ.findall(window))
    bad = window.decode("utf-8", "replace").count("\ufffd")
    if good and good >= bad:
        return InputError(
            f"invalid UTF-8 at byte {err.start} (bad bytes among valid UTF-8 characters); "
            "repair the file or save it again as UTF-8"
        )
    return None


_HIGH_RUN = re.compile(rb"[\x80-\xff]+")


def _mixed_utf8(data: bytes) -> bool:
    """Valid UTF-8 characters beside lone Latin-1 bytes: a file edited in two encodings.

    Latin-1 letters stand alone between ASCII ones (Soci\xe9t\xe9); Cyrillic or Chinese in a
    legacy encoding comes in runs of high bytes, and is left to the legacy decoder.
    """
    good = lone = other = 0
    for m in _HIGH_RUN.finditer(data[: 1 << 20]):
        run = m.group()
        try:
            run.decode("utf-8")
            good += 1
        except UnicodeDecodeError:
            if len(run) == 1:
                lone += 1
            else:
                other += 1
    return good > 0 and lone > 0 and other * 10 <= lone


def _cp1252_for_bad_bytes(err: UnicodeError) -> tuple[str, int]:
    """Decoding error handler: a byte that is not UTF-8 is read as Windows-1252 (Latin-1)."""
    assert isinstance(err, UnicodeDecodeError)
    bad = err.object[err.start : err.end]
    return bad.decode("cp1252", errors="replace").replace("\ufffd", ""), err.end


codecs.register_error("tieline-cp1252", _cp1252_for_bad_bytes)


def decode_bytes(data: bytes, warn: Warn | None = None) -> str:
    """Return the text in ``data``; raise InputError for empty, binary or damaged input.

    UTF-8 and UTF-16/32 with a byte order mark are read as such, and UTF-16 without one by its
    NUL bytes; UTF-8 with damaged bytes among many good characters is refused; UTF-8 with a
    few good characters among Latin-1 bytes keeps both, each read in its own encoding, and says
    so through ``warn`` (one line; logged when no ``warn`` is given); anything else goes to
    charset-normalizer, which must find a plausible encoding (Windows-1252 wins among equally
    plausible ones) or the input counts as binary.
    """
    if not data.strip():
        raise InputError("empty file" if not data else "empty file (only white space)")
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
                text = data.decode(enc)
            except UnicodeDecodeError as e:
                raise InputError(
                    f"declares {enc} with a byte order mark but does not decode at byte {e.start}; "
                    "save it again in that encoding"
                ) from e
            return _check_text(text)
    if b"\x00" in data[:4096]:
        # NUL bytes are valid UTF-8, so UTF-16 without a byte order mark is tried first.
        text16 = _utf16_without_bom(data)
        if text16 is not None:
            return _check_text(text16)
    try:
        return _check_text(data.decode("utf-8"))
    except UnicodeDecodeError as e:
        damaged = _damaged_utf8(data, e)
        if damaged is not None:
            raise damaged from e
        if b"\x00" in data[:4096]:
            raise InputError("binary content (NUL bytes), not text") from e
        if _mixed_utf8(data):
            text = _check_text(data.decode("utf-8", errors="tieline-cp1252"))
            (warn or _log.warning)(
                f"mixed encodings: UTF-8 with bytes that are not (first at byte {e.start}); "
                "those were read as Windows-1252 (Latin-1)"
            )
            return text
    if b"\x00" in data[:4096]:
        raise InputError("binary content (NUL bytes), not text")
    return _check_text(_decode_legacy(data))


def _decode_legacy(data: bytes) -> str:
    """An 8-bit or East Asian legacy encoding, as charset-normalizer judges it."""
    # charset-normalizer is slow on large inputs: judge the start and the first stretch that is
    # not ASCII, which is where the encodings differ.
    sample = data[: 1 << 15]
    first = _NON_ASCII.search(data)
    if first is not None and first.start() >= len(sample):
        sample += b"\n" + data[first.start() : first.start() + (1 << 16)]
    matches = list(from_bytes(sample))
    if not matches:
        raise InputError("not valid UTF-8 and no other text encoding fits; is it binary?")
    best = min(m.chaos for m in matches)
    plausible = [m for m in matches if m.chaos <= best + 0.01]
    names: list[str] = []
    for m in plausible:
        if any(w in m.could_be_from_charset for w in _WESTERN):
            names.extend(w for w in _WESTERN if w in m.could_be_from_charset)
    names.extend(m.encoding for m in plausible)
    for enc in names:
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    raise InputError(f"looks like {names[0]} but does not decode; save it again as UTF-8")
