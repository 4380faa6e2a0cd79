"""Text cleaning: Unicode normalisation, Markdown to plain text, boilerplate removal."""

from __future__ import annotations

import re
import unicodedata

from markdown_it import MarkdownIt

_ODD_SPACE = "\t\u00a0\u1680\u180e\u2000-\u200b\u202f\u205f\u3000"
# Runs of two or more spaces, or any run holding an odd space; a lone ASCII space is left alone
# so that long texts are not rewritten character by character.
_SPACES = re.compile(rf"[ {_ODD_SPACE}]*[{_ODD_SPACE}][ {_ODD_SPACE}]*| {{2,}}")
# Control characters (Unicode category Cc) other than tab and newline, and lone surrogates
# (category Cs: JSON's "\ud800" escapes give them), which no text encoding can store.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_BLANKS = re.compile(r"\n{3,}")
# Line and page breaks other than newline: vertical tab, form feed, the file/group/record
# separators, NEL and the Unicode line and paragraph separators. They part words, so they
# become newlines rather than vanish with the other controls ("2019\fRussia's").
_BREAKS = re.compile(r"[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")

# Lines that belong to the page around an article, not to the article: comment forms, share
# and login blocks, navigation. Matched against a whole stripped line, case-blind.
_BOILERPLATE_LINE = re.compile(
    r"^(?:"
    r"back to top|top of page|skip to (?:main )?content|"
    r"share(?: this(?: article| story)?)?:?|like this:?|related(?: articles| posts)?:?|"
    r"click to (?:share|print|email).*|"
    r"(?:sign|log) ?in|(?:sign|log) ?out|subscribe(?: now)?|register|"
    r"fill in your details below or click an icon to log in:?.*|"
    r"you are commenting using your .* account\..*|"
    r"connecting to %s|notify me of (?:new comments|new posts).*|"
    r"this site uses akismet to reduce spam\..*|"
    r"(?:google|twitter|facebook|linkedin|wordpress\.com) (?:photo|picture|account)|"
    r"follow us on .*|advertisement|loading\.\.\.|cookie(?:s)? (?:policy|settings)"
    r")$",
    re.IGNORECASE,
)
# A comment section opener: everything from here to the end is page furniture.
_COMMENTS_START = re.compile(
    r"^(?:leave a (?:reply|comment)|post a comment|\d+ comments?|comments? \(\d+\)"
    r"|add (?:a|your) comment)\s*:?$",
    re.IGNORECASE,
)
_TRAILING_BACK_TO_TOP = re.compile(r"\s*back to top\s*$", re.IGNORECASE)


def normalise(text: str) -> str:
    """NFKC, no non-breaking or odd spaces, controls or lone surrogates, Unix newlines, no
    trailing blanks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    text = _BREAKS.sub("\n", text)
    # Controls go before NFKC, so that a mark they separated from its letter composes now and
    # a second pass changes nothing.
    text = unicodedata.normalize("NFKC", _CONTROL.sub("", text))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def strip_boilerplate(text: str) -> str:
    """Drop page furniture: comment forms and everything after them, share/login lines."""
    lines = text.split("\n")
    out: list[str] = []
    n = len(lines)
    for i, line in enumerate(lines):
        s = line.strip()
        if _COMMENTS_START.match(s) and i > n // 3:
            break
        if s and _BOILERPLATE_LINE.match(s):
            continue
        if s.lower().endswith("back to top"):
            line = _TRAILING_BACK_TO_TOP.sub("", line)
        out.append(line)
    return _BLANKS.sub("\n\n", "\n".join(out)).strip()


_MD = MarkdownIt("commonmark")
_HIDDEN_OPEN = re.compile(r"<(?:script|style|iframe|noscript|template|object)\b[^>]*(?<!/)>", re.I)
_HIDDEN_CLOSE = re.compile(r"</(?:script|style|iframe|noscript|template|object)\s*>", re.I)


# Marks only Markdown writes: an ATX heading, a link or image, a backslash escape of a
# Markdown character, strong emphasis.
_MD_HEADING = re.compile(r"^#{1,6}[ \t]+\S", re.MULTILINE)
_MD_LINK = re.compile(r"!?\[[^\]\n]{1,300}\]\((?:[^()\s]{0,500}|<[^<>\n]{0,500}>)\)")
_MD_ESCAPE = re.compile(r"\\[$*_#\[\]()`>!|-]")
_MD_STRONG = re.compile(r"(?<![\w*])\*\*[^\s*][^*\n]{0,200}\*\*(?![\w*])")


def looks_like_markdown(text: str) -> bool:
    """True for text written in Markdown: a heading first, or two kinds of Markdown marks.

    A .txt file saved from a Markdown source keeps '#', link syntax and '\\$' escapes; read as
    plain text they would reach titles, authors and quotes.
    """
    sample = text[: 1 << 16]
    first = next((line.strip() for line in sample.split("\n") if line.strip()), "")
    marks = (_MD_HEADING, _MD_LINK, _MD_ESCAPE, _MD_STRONG)
    kinds = sum(bool(rx.search(sample)) for rx in marks)
    # A heading on the first line is one kind; a second kind of mark confirms it.
    return kinds >= 2 or (bool(_MD_HEADING.match(first)) and len(_MD_HEADING.findall(sample)) > 1)


def markdown_to_text(source: str, *, line_breaks: bool = False) -> tuple[str, str | None]:
    """Render Markdown to plain text (escapes undone, links to their text).

    Returns the text and the first level-one heading, if any. ``line_breaks`` keeps the line
    breaks inside a paragraph (a .txt file's header lines stand one under another).
    """
    tokens = _MD.parse(source)
    blocks: list[str] = []
    heading: str | None = None
    in_h1 = False
    for tok in tokens:
        if tok.type == "heading_open":
            in_h1 = tok.tag == "h1"
        elif tok.type == "inline":
            parts: list[str] = []
            hidden = False
            for child in tok.children or []:
                if child.type == "html_inline":
                    # Raw HTML in Markdown: tags vanish, and what a script or style holds is code,
                    # not article text.
                    if _HIDDEN_OPEN.match(child.content):
                        hidden = True
                    elif _HIDDEN_CLOSE.match(child.content):
                        hidden = False
                elif hidden:
                    continue
                elif child.type in ("text", "code_inline"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    hard = child.type == "hardbreak" or line_breaks
                    parts.append("\n" if hard else " ")
                elif child.type == "image":
                    parts.append(child.content)
            line = "".join(parts).strip()
            if line:
                blocks.append(line)
                if in_h1 and heading is None:
                    heading = line
        elif tok.type in ("fence", "code_block"):
            blocks.append(tok.content.strip())
        elif tok.type == "heading_close":
            in_h1 = False
    return "\n\n".join(b for b in blocks if b), heading
