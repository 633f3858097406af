"""Claims about which stored paper is whose: its title, authors, year or arXiv id ("the 'GLU Variants Improve
Transformer' paper is narang et al 2021 yeah?", "arXiv 2102.11972 is Shazeer's?", "Shazeer's paper came out in
2021, right?").

Why a module of its own: a question that names one paper and attributes it to the other paper's authors reads
to the routing as a question about the paper it attributes it to, and gets that paper's table cells, which
never say that the attribution is wrong. The stored paper metadata decide it: :func:`detect` finds the paper a
claim is about (by its title, arXiv id or, failing those, its first author) and what is attributed to it (an
author, a year, an arXiv id or a title), and :func:`compose` answers yes or no first, then the right
attribution, and names the other stored paper when the attribution is that paper's.
"""

from __future__ import annotations

import re
from typing import Any

from app.answers.builder import Builder
from app.answers.facts import Facts, paper_citation

#: A claim stated for checking, not a question asking for a cell.
CLAIM = re.compile(r"\?\s*$|\b(?:right|correct|true|yeah|yes|isn't it|is that so|confirm)\b")
#: The words that attribute a paper ("is by", "written by", "from 2021", "et al", "came out").
ATTRIBUTION = re.compile(r"\b(?:is|was|by|from|written|wrote|authored|published|released|came out|et al|arxiv|"
                         r"paper(?:'s)?|in \d{4})\b")
#: A question about the paper's results rather than its authorship.
#: With the paper named by its author only, the words must be about the paper itself.
AUTHOR_ATTRIBUTION = re.compile(r"\b(?:paper|published|came out|released|written|wrote|authored|arxiv|et al|"
                                r"(?:from|in|is|was) (?:19|20)\d\d)\b")
ABOUT_RESULTS = re.compile(r"\b(?:beat|beats|better|worse|best|worst|scores?|loss|perplexity|glue|superglue|squad|"
                           r"xsum|table|column|cells?|results?|rank\w*|compare\w*|vs\.?|versus|params?|d_ff|"
                           r"baseline|setup)\b")
ARXIV_ID = re.compile(r"\b(\d{4}\.\d{4,5})(?:v\d+)?\b")
#: A publication year (not a width such as 2048 that happens to start with 20).
YEAR = re.compile(r"(?<![\d.,])(19[5-9]\d|20[0-3]\d)(?!\d|[.,]\d)")
STOP = {"do", "the", "a", "an"}


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "


def _papers(facts: Facts) -> list[dict[str, Any]]:
    return [facts.main_paper(), *facts.side_papers.values()]


def _title_aliases(paper: dict[str, Any]) -> list[str]:
    """The title as people shorten it: its first three words, or its first content words and 'paper'."""
    words = _words(paper["title"]).split()
    content = [w for w in words if w not in STOP]
    aliases = [" ".join(words), " ".join(words[:3]), " ".join(content[:2]) + " paper"]
    return [f" {a} " for a in dict.fromkeys(aliases)]


def surname(paper: dict[str, Any]) -> str:
    """The first author's surname ("Sharan Narang et al." -> "narang")."""
    first = re.sub(r"\bet al\.?", "", str(paper["authors"])).split(",")[0].split(" and ")[0].strip()
    return first.split()[-1].lower() if first else ""


def _arxiv(paper: dict[str, Any]) -> str:
    found = ARXIV_ID.search(str(paper["arxiv"]))
    return found.group(1) if found else ""


def detect(text: str, facts: Facts) -> dict[str, Any] | None:
    """The paper a claim is about and what it attributes to it, or None when the question states no attribution
    of a stored paper's title, authors, year or arXiv id."""
    if not CLAIM.search(text):
        return None
    papers = _papers(facts)
    words = _words(text)
    by_title = [p for p in papers if any(a in words for a in _title_aliases(p))]
    ids = ARXIV_ID.findall(text)
    by_id = [p for p in papers if _arxiv(p) in ids]
    authors = [p for p in papers if re.search(rf"\b{re.escape(surname(p))}\b", text)]
    years = [int(y) for y in YEAR.findall(ARXIV_ID.sub(" ", text))]
    rest = words
    found = by_title or by_id or authors
    if not found:
        return None
    subject = found[0]
    for alias in _title_aliases(subject):
        rest = rest.replace(alias, " ")
    if not ATTRIBUTION.search(rest) or ABOUT_RESULTS.search(rest):
        return None
    named_by = "title" if by_title else "arxiv" if by_id else "author"
    if named_by == "author" and not AUTHOR_ATTRIBUTION.search(rest):
        return None  # "in shazeer the gated width is …": the paper's content, not who wrote it
    claimed_authors = [p["id"] for p in authors if named_by != "author" or p is not subject]
    claimed_ids = [i for i in ids if named_by != "arxiv" or i != _arxiv(subject)]
    claimed_titles = [p["id"] for p in by_title if p is not subject]
    if named_by == "author" and len(authors) > 1:
        return None  # "shazeer and narang …": two papers named by author, no one subject
    if not (claimed_authors or claimed_ids or claimed_titles or years):
        return None
    return {"what": "paper_attribution", "paper": subject["id"], "authors": claimed_authors, "years": years,
            "arxiv_ids": claimed_ids, "titles": claimed_titles}


def compose(b: Builder, inputs: dict[str, Any]) -> None:
    """Yes when every attribution matches the paper's stored metadata, else no; then the paper's title, authors,
    year and arXiv id, and the other stored paper's when the attribution is that paper's."""
    papers = {p["id"]: p for p in _papers(b.facts)}
    paper = papers[str(inputs["paper"])]
    wrong_authors = [a for a in inputs.get("authors", []) if a != paper["id"]]
    wrong_years = [y for y in inputs.get("years", []) if int(y) != int(paper["year"])]
    wrong_ids = [i for i in inputs.get("arxiv_ids", []) if i != _arxiv(paper)]
    wrong_titles = [t for t in inputs.get("titles", []) if t != paper["id"]]
    b.cite(paper_citation(paper))
    right = (f"“{paper['title']}” is by {paper['authors']} ({paper['year']}), {paper['arxiv']} "
             "(stored paper metadata).")
    if not (wrong_authors or wrong_years or wrong_ids or wrong_titles):
        b.add(f"Yes. {right}")
        return
    b.add(f"No. {right}")
    others = [p for p in papers.values() if p["id"] != paper["id"] and (
        p["id"] in wrong_authors or p["id"] in wrong_titles or _arxiv(p) in wrong_ids
        or int(p["year"]) in [int(y) for y in wrong_years])]
    for other in others:
        b.cite(paper_citation(other))
        b.add(f"{other['authors']} ({other['year']}) is the other stored paper, “{other['title']}”, "
              f"{other['arxiv']}.")
    unknown = [i for i in wrong_ids if all(_arxiv(p) != i for p in papers.values())]
    if unknown:
        b.quoted_names.extend(unknown)
        b.add(f"arXiv {', '.join(unknown)} is not one of the stored papers.")
