"""Search over thread titles and posts, and the "this looks like" hint before a duplicate question.

Why it is built this way:

* **The database's own full-text index.** SQLite uses an FTS5 table kept up to date by triggers, PostgreSQL
  GIN indexes on ``to_tsvector('english', …)`` of titles and post bodies (migration 0009). Both stem
  English words (SQLite with the porter tokenizer), so "activations" finds "activation" on either.
* **Words only, never query syntax.** The query is cut into words here and each is passed as a quoted
  term (SQLite) or through ``plainto_tsquery`` (PostgreSQL): quotes, ``AND``/``OR``/``NEAR``, ``*``, ``:``
  or parentheses in what a person typed are searched as text or dropped, never parsed. Every word must
  occur (in the title or in one post).
* **Hidden posts are not found**, and a thread whose title is hidden is found only through a visible
  post's text, never through its title.
* **Similar titles by word overlap.** The duplicate hint compares the words of a new title or question
  with the curated threads' titles (a few dozen), in Python, so it is the same on both databases.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import bindparam, func, or_, select, text
from sqlalchemy.orm import Session

from app.documents.threads import hidden_titles
from app.domain import InvalidInputError
from app.orm import Post, Thread
from app.search_schema import SEARCH_TABLE
from app.threads import HIDDEN_TITLE

#: The longest query accepted (characters); longer is a 422 naming the limit.
QUERY_MAX_CHARS = 200
#: At most this many words of a query are searched (the rest is ignored).
QUERY_MAX_WORDS = 12
RESULTS_MAX = 20
EXCERPT_CHARS = 200
_WORD = re.compile(r"\w+", re.UNICODE)
#: Words too common to make two titles similar.
_STOP_TEXT = (
    "a an and are as at be but by can do does for from how i if in is it of on or so than that the their "
    "there they this to use uses used using vs was we what when where which who why will with you"
)
STOPWORDS = frozenset(_STOP_TEXT.split())
#: How much of a curated title's words a question must share to be hinted (Dice coefficient).
SIMILARITY_MIN = 0.4


def validate_query(query: str, field: str = "query.q") -> list[str]:
    """The words to search for; NUL or a query over the limit is refused naming the field."""
    if "\x00" in query:
        raise InvalidInputError(field, "must not contain NUL characters")
    if len(query) > QUERY_MAX_CHARS:
        raise InvalidInputError(field, f"at most {QUERY_MAX_CHARS} characters, got {len(query)}", QUERY_MAX_CHARS)
    return _WORD.findall(query.casefold())[:QUERY_MAX_WORDS]


def search(session: Session, query: str, field: str = "query.q") -> dict[str, Any]:
    """Threads whose title or posts hold every word of ``query``, best match first, each with the
    matching post's excerpt (one entry per thread)."""
    words = validate_query(query, field)
    if not words:
        return {"query": query, "words": [], "items": []}
    hits = _sqlite_hits(session, words) if _dialect(session) == "sqlite" else _postgres_hits(session, words)
    items: list[dict[str, Any]] = []
    seen: set[int] = set()
    for thread_id, post_id in hits:
        if thread_id in seen:
            continue
        seen.add(thread_id)
        items.append(_item(session, thread_id, post_id, words))
        if len(items) == RESULTS_MAX:
            break
    return {"query": query, "words": words, "items": items}


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _fts5_query(words: list[str]) -> str:
    """Each word as an FTS5 string (a phrase of one token): operators and quotes lose their meaning."""
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def _sqlite_hits(session: Session, words: list[str]) -> list[tuple[int, int]]:
    """(thread, post) pairs by BM25 (title weighted twice). A thread with a hidden title matches only
    through its posts' text."""
    stmt = text(
        f"SELECT s.thread_id, s.rowid FROM {SEARCH_TABLE} s JOIN posts p ON p.id = s.rowid "
        f"WHERE {SEARCH_TABLE} MATCH :q AND p.hidden_at IS NULL "
        f"ORDER BY bm25({SEARCH_TABLE}, 2.0, 1.0), s.rowid LIMIT :n"
    )
    rows = session.execute(stmt, {"q": _fts5_query(words), "n": RESULTS_MAX * 5}).all()
    body_only = session.execute(
        text(f"SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH :q"),
        {"q": "{body} : (" + _fts5_query(words) + ")"},
    ).scalars()
    return _drop_hidden_titles(session, [(int(t), int(p)) for t, p in rows], {int(r) for r in body_only})


def _postgres_hits(session: Session, words: list[str]) -> list[tuple[int, int]]:
    """The same on PostgreSQL. The GIN-indexed expressions find the rows holding any of the words; of those,
    the title and the post together must hold every word (as one FTS5 row does on SQLite). Ranked by
    ts_rank, the title weighted twice."""
    every = func.plainto_tsquery("english", bindparam("q", " ".join(words)))
    anyone = or_tsqueries([func.plainto_tsquery("english", bindparam(f"w{i}", w)) for i, w in enumerate(words)])
    body_vec = func.to_tsvector(text("'english'"), Post.body)
    title_vec = func.to_tsvector(text("'english'"), Thread.title)
    body_hit = body_vec.op("@@")(every)
    rank = func.ts_rank(title_vec, every) * 2 + func.ts_rank(body_vec, every)
    stmt = (
        select(Post.thread_id, Post.id, body_hit)
        .join(Thread, Thread.id == Post.thread_id)
        .where(
            Post.hidden_at.is_(None),
            or_(body_vec.op("@@")(anyone), title_vec.op("@@")(anyone)),
            title_vec.op("||")(body_vec).op("@@")(every),
        )
        .order_by(rank.desc(), Post.id)
        .limit(RESULTS_MAX * 5)
    )
    rows = session.execute(stmt).all()
    return _drop_hidden_titles(session, [(int(t), int(p)) for t, p, _ in rows], {int(p) for _, p, b in rows if b})


def or_tsqueries(queries: list[Any]) -> Any:
    """``q1 || q2 || …``: a tsquery matching any of them."""
    combined = queries[0]
    for q in queries[1:]:
        combined = combined.op("||")(q)
    return combined


def _drop_hidden_titles(
    session: Session, hits: list[tuple[int, int]], body_matches: set[int]
) -> list[tuple[int, int]]:
    hidden = hidden_titles(session, list({t for t, _ in hits}))
    return [(t, p) for t, p in hits if t not in hidden or p in body_matches]


def _item(session: Session, thread_id: int, post_id: int, words: list[str]) -> dict[str, Any]:
    thread = session.get(Thread, thread_id)
    post = session.get(Post, post_id)
    assert thread is not None and post is not None
    title = HIDDEN_TITLE if hidden_titles(session, [thread_id]) else thread.title
    return {
        "thread_id": thread_id,
        "title": title,
        "curated": thread.curated_key is not None,
        "post_id": post_id,
        "excerpt": excerpt(post.body, words),
        "html_url": f"/threads/{thread_id}#post-{post_id}",
        "thread_url": f"/api/v1/threads/{thread_id}",
    }


def excerpt(body: str, words: list[str]) -> str:
    """About EXCERPT_CHARS of ``body`` around the first searched word (the start when none is found
    as written, e.g. a stemmed match), on one line."""
    flat = " ".join(body.split())
    folded = flat.casefold()
    starts = [i for i in (folded.find(w) for w in words) if i >= 0]
    start = max(min(starts) - EXCERPT_CHARS // 4, 0) if starts else 0
    piece = flat[start : start + EXCERPT_CHARS]
    return ("…" if start else "") + piece + ("…" if start + EXCERPT_CHARS < len(flat) else "")


def _content_words(value: str) -> set[str]:
    return {w.removesuffix("s") if len(w) > 3 else w for w in _WORD.findall(value.casefold()) if w not in STOPWORDS}


def similar_threads(
    session: Session, title: str, field: str = "query.title", limit: int = 3
) -> list[dict[str, Any]]:
    """Curated threads whose titles share most of their words with ``title`` (Dice coefficient of the
    content words, at least SIMILARITY_MIN), most similar first."""
    validate_query(title, field)
    wanted = _content_words(title)
    if not wanted:
        return []
    scored = []
    for thread in session.scalars(select(Thread).where(Thread.curated_key.is_not(None)).order_by(Thread.id)):
        theirs = _content_words(thread.title)
        if not theirs:
            continue
        score = 2 * len(wanted & theirs) / (len(wanted) + len(theirs))
        if score >= SIMILARITY_MIN:
            scored.append((score, thread))
    scored.sort(key=lambda st: -st[0])
    return [
        {"thread_id": t.id, "title": t.title, "score": round(s, 3), "html_url": f"/threads/{t.id}"}
        for s, t in scored[:limit]
    ]
