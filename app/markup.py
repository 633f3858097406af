"""Markdown in, sanitized HTML out, at read time; and the plain text of a post.

A post stores its Markdown source only. It is rendered with markdown-it-py with raw HTML disabled
(``<script>`` stays text) and the result is cleaned again by nh3 (an allow-list of tags, attributes and
URL schemes, so ``javascript:`` links and event handlers cannot survive even if the renderer had a bug).
Rendering on read means a sanitizer fix protects every post already stored; an LRU cache keeps that cheap.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import unescape
from html.parser import HTMLParser

import latex2mathml.converter
import nh3
from markdown_it import MarkdownIt

from app.cache_memory import memoized

EXCERPT_CHARS = 280

# Tags the renderer produces for CommonMark + tables; nothing else survives sanitizing.
ALLOWED_TAGS = {
    "a", "p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "del", "img",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"style"},
    "td": {"style"},
    "ol": {"start"},
    "code": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


@memoized("markdown", 4096)  # visitors' posts, each up to ACTLAB_POST_BODY_MAX_CHARS: counted in bytes
def render_markdown(source: str) -> str:
    """Markdown to HTML that is safe to put in a page: raw HTML is text, then nh3 removes anything else.
    A code span holding a LaTeX formula (``\\frac``, ``\\mathrm``, ...) is typeset as MathML, so a post
    that quotes a stored formula shows the formula, not its source."""
    html = _md.render(source)
    return _CODE_SPAN.sub(_typeset, nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
        filter_style_properties={"text-align"},
    ))


_CODE_SPAN = re.compile(r"<code>([^<\n]{1,400})</code>")
_LATEX_COMMAND = re.compile(r"\\(?:frac|mathrm|operatorname|sigma|max|min|tanh|cdot|odot|otimes|left|right|sqrt|"
                            r"Phi|exp|ln|text|beta|alpha|lambda)(?![A-Za-z])")
MATHML_TAGS = {"math", "mrow", "mi", "mo", "mn", "msub", "msup", "msubsup", "mfrac", "msqrt", "mroot", "mtext",
               "mspace", "mstyle", "munder", "mover", "munderover", "mtable", "mtr", "mtd"}
MATHML_ATTRIBUTES = {"math": {"xmlns", "display"}, "mi": {"mathvariant"}, "mo": {"stretchy", "fence", "form"},
                     "mspace": {"width"}, "mstyle": {"displaystyle", "scriptlevel"}}


def _typeset(code: re.Match[str]) -> str:
    """A code span that is a LaTeX formula as MathML (sanitized to MathML's presentation tags); any other
    code span, or one the converter cannot read, as it was."""
    text = unescape(code.group(1))
    if not _LATEX_COMMAND.search(text):
        return code.group(0)
    try:
        math = formula_mathml(text)
    except Exception:  # not a formula latex2mathml reads: leave it as code
        return code.group(0)
    return nh3.clean(math, tags=MATHML_TAGS, attributes=MATHML_ATTRIBUTES)


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"p", "li", "br", "tr", "h1", "h2", "h3", "h4", "pre", "blockquote", "td", "th"}:
            self.parts.append(" ")


@memoized("plain-text", 4096)
def plain_text(source: str) -> str:
    """The visible text of a post (rendered, tags and link targets dropped, spaces collapsed)."""
    parser = _TextOnly()
    parser.feed(render_markdown(source))
    return " ".join("".join(parser.parts).split())


def excerpt(source: str, limit: int = EXCERPT_CHARS) -> str:
    text = plain_text(source)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@lru_cache(maxsize=256)
def formula_mathml(latex: str) -> str:
    """A stored LaTeX formula as inline MathML, which browsers typeset natively (no script, no raw source
    on the page); the JSON twins keep the LaTeX for anyone who wants to copy it. Bounded by count: its keys
    are the reference data's stored formulas, never a visitor's text."""
    return str(latex2mathml.converter.convert(latex))
