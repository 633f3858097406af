"""``/api/v1/search/threads`` and ``/api/v1/search/similar-threads``: the JSON of the threads page's search
and of the composer's "this looks like" hint (app/thread_search.py does both)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from app import thread_search
from app.http.deps import SessionDep
from app.http.openapi import success
from app.http.problems import problem_responses

router = APIRouter(prefix="/api/v1/search", tags=["threads"])


class SearchHit(BaseModel):
    """One thread found, through its best-matching visible post."""

    thread_id: int
    title: str = Field(description="The thread's title (a placeholder when a moderator hid it).")
    curated: bool = Field(description="An explanation written by the project.")
    post_id: int
    excerpt: str = Field(description="Plain text of the post around the first searched word.")
    html_url: str
    thread_url: str = Field(description="The thread's JSON.")


class SearchResult(BaseModel):
    query: str
    words: list[str] = Field(description="The words searched for (query syntax is not interpreted).")
    items: list[SearchHit]


class SimilarThread(BaseModel):
    thread_id: int
    title: str
    score: float = Field(description="Dice coefficient of the two titles' content words, 0 to 1.")
    html_url: str


class SimilarThreads(BaseModel):
    title: str
    items: list[SimilarThread]


Text = Annotated[str, Query(max_length=thread_search.QUERY_MAX_CHARS, description="Words to look for.")]


@router.get("/threads", response_model=None, responses=success(SearchResult) | problem_responses(422))
def search_threads(q: Text, session: SessionDep) -> dict[str, Any]:
    """Threads whose title or posts hold every word of ``q`` (stemmed: "activations" finds "activation"),
    best first, one per thread with the matching post's excerpt. Query syntax is not interpreted: quotes
    and operators are searched as text. Hidden posts are never found."""
    return thread_search.search(session, q)


@router.get("/similar-threads", response_model=None, responses=success(SimilarThreads) | problem_responses(422))
def similar_threads(title: Text, session: SessionDep) -> dict[str, Any]:
    """The curated explanations whose titles share most words with ``title`` (a question or thread title
    about to be posted), most similar first: what the composer shows as "this looks like…"."""
    return {"title": title, "items": thread_search.similar_threads(session, title)}
