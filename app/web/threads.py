"""Thread pages: the list, one thread with nested replies, quotes, inline plots and tables, and the forms.

Pages work without JavaScript: every form posts to an HTML route that redirects back (303,
Post/Redirect/Get); app/static/threads.js only moves the reply form next to the post being answered.
Each page is built from the same documents as its JSON twin (app/documents/threads.py) and links it. Bad
input re-renders the same page with its status (422, 413) and every field as it was typed, the refusal in
plain words beside its field (app/web/form_errors.py), so nothing typed is lost to an error page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app import papers, thread_search, threads
from app.answers import pipeline as answers
from app.answers.pipeline import publish_job_if_needed
from app.documents import threads as documents
from app.domain import InvalidInputError
from app.http.deps import SessionDep, SettingsDep
from app.http.forms import form_id, form_ids, form_text
from app.http.inputs import read_form
from app.http.jobs import client_of
from app.http.openapi import ID_FIELD, form_body, text_field
from app.http.pagination import LimitQuery, OffsetQuery, page_bounds
from app.http.problems import problem_responses
from app.web import names, thread_view
from app.web.form_errors import FormError, plain_error
from app.web.tables import full_runs_first
from app.web.templating import render

router = APIRouter(tags=["pages"], default_response_class=HTMLResponse)
HTML: dict[int | str, dict[str, Any]] = {200: {"content": {"text/html": {}}, "description": "HTML page"}}
SEE_OTHER: dict[int | str, dict[str, Any]] = {303: {"description": "Stored: see the thread."}}
ThreadId = Annotated[int, Path(ge=1, le=2**63 - 1)]


# The form fields the page routes read, declared so the OpenAPI document describes them.
NAME = text_field("display_name_max_chars", required_text=False)
BODY, QUESTION = text_field("post_body_max_chars"), text_field("question_max_chars")
THREAD_FORM = form_body(
    {"title": text_field("thread_title_max_chars"), "body": BODY, "display_name": NAME}, ["title", "body"]
)
POST_FORM = form_body({"body": BODY, "display_name": NAME, "parent_id": ID_FIELD}, ["body"])
ASK_IN_THREAD_FORM = form_body({"question": QUESTION, "display_name": NAME, "parent_id": ID_FIELD}, ["question"])
ASK_FORM = form_body({"question": QUESTION, "display_name": NAME}, ["question"])
COMPOSE_FORM = form_body(
    {"kind": {"type": "string", "enum": ["post", "question"]}, "body": BODY, "display_name": NAME,
     "parent_id": ID_FIELD},
    ["body"],
)
SearchQuery = Annotated[
    str | None, Query(max_length=thread_search.QUERY_MAX_CHARS, description="Words to find in titles and posts.")
]


@router.get("/threads", responses=HTML | problem_responses(422))
def threads_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    limit: LimitQuery = None,
    offset: OffsetQuery = 0,
    q: SearchQuery = None,
) -> Response:
    """The thread list; with ``q``, first the threads whose title or posts hold every word of it."""
    lim, off = page_bounds(settings, limit, offset)
    return _threads_page(request, session, settings, lim, off, query=q)


def _threads_page(request: Request, session: Session, settings: Any, lim: int, off: int, *,
                  error: FormError | None = None, form: dict[str, str] | None = None,
                  ask_error: FormError | None = None, query: str | None = None,
                  similar: list[dict[str, Any]] | None = None) -> Response:
    curated, _ = documents.list_threads(session, 100, 0, curated=True)
    items, total = documents.list_threads(session, lim, off, curated=False)
    results = thread_search.search(session, query) if query else None
    kept = form or {}
    html = render(request, "threads.html", {
        "curated": curated, "threads": items, "total": total, "limit": lim, "offset": off,
        "next_offset": off + lim if off + lim < total else None, "prev_offset": max(off - lim, 0) if off else None,
        "error": error, "form": names.prefilled(request, kept if not ask_error and "title" in kept else {}),
        "settings": settings, "ask_error": ask_error, "search": results, "query": query or "",
        "ask_form": names.prefilled(request, kept if ask_error or "question" in kept else {}), "similar": similar,
    })
    failed = error or ask_error
    return HTMLResponse(html, status_code=failed.status if failed else 200)


@router.post(
    "/threads",
    openapi_extra=THREAD_FORM,
    responses=SEE_OTHER | problem_responses(413, 422, 429),
    status_code=303,
)
async def create_thread_form(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    form = await read_form(request)

    def handle() -> Response:  # database work runs in the thread pool, off the event loop
        title, body = form_text(form, "title") or "", form_text(form, "body") or ""
        name = form_text(form, "display_name")
        if form_text(form, "preview"):  # "check first": the similar explanations, nothing written
            lim, _ = page_bounds(settings, None, 0)
            return _preview(lambda similar: _threads_page(
                request, session, settings, lim, 0, similar=similar,
                form={"title": title, "body": body, "display_name": name or ""}), session, title)
        try:
            thread, _ = threads.create_thread(session, settings, title, threads.NewPost(body=body, display_name=name))
        except InvalidInputError as exc:
            session.rollback()
            lim, _ = page_bounds(settings, None, 0)
            return _threads_page(request, session, settings, lim, 0, error=plain_error(exc),
                                 form={"title": title, "body": body, "display_name": name or ""})
        session.commit()
        return names.remember(RedirectResponse(f"/threads/{thread.id}", status_code=303), name)

    return await run_in_threadpool(handle)


@router.get("/threads/{thread_id}", responses=HTML | problem_responses(404, 422))
def thread_page(
    request: Request,
    thread_id: ThreadId,
    session: SessionDep,
    settings: SettingsDep,
    reply_to: Annotated[str | None, Query(max_length=32, description="Prefill the form replying to this post.")] = None,
    quote: Annotated[str | None, Query(max_length=32, description="Prefill the form quoting this post.")] = None,
    kind: Annotated[str | None, Query(max_length=16, description="The composer's mode: post or question.")] = None,
) -> Response:
    # Prefill hints from a link: anything that is not a post id of this thread just leaves the form empty.
    return _thread_page(request, session, settings, thread_id, reply_to=_hint(reply_to), quote=_hint(quote),
                        kind="question" if kind == "question" else "post")


def _hint(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) <= 18 else None


def _thread_page(request: Request, session: Session, settings: Any, thread_id: int, *,
                 reply_to: int | None = None, quote: int | None = None, error: FormError | None = None,
                 form: dict[str, str] | None = None, ask_error: FormError | None = None,
                 kind: str = "post") -> Response:
    # The posts come from the cache while the thread is unchanged; the form around them is this reader's.
    summary, posts_html = thread_view.thread_posts(request, session, thread_id)
    quoted_post = None
    if quote is not None:
        try:
            quoted_post = documents.quoted_post(session, quote)
        except threads.PostNotFoundError:
            quoted_post = None
    html = render(request, "thread.html", {
        "thread": summary, "posts_html": posts_html, "reply_to": thread_view.reply_target(session, thread_id, reply_to),
        "quote": quoted_post, "error": error, "ask_error": ask_error, "form": names.prefilled(request, form or {}),
        "settings": settings, "kind": kind,
    })
    failed = error or ask_error
    return HTMLResponse(html, status_code=failed.status if failed else 200)


@router.post(
    "/threads/{thread_id}/posts",
    openapi_extra=POST_FORM,
    responses=SEE_OTHER | problem_responses(404, 413, 422, 429),
    status_code=303,
)
async def create_post_form(
    request: Request, thread_id: ThreadId, session: SessionDep, settings: SettingsDep
) -> Response:
    form = await read_form(request)

    def handle() -> Response:  # database work runs in the thread pool, off the event loop
        body = form_text(form, "body") or ""
        name = form_text(form, "display_name")
        kept = {"body": body, "display_name": name or ""}
        try:
            parent_id = form_id(form, "parent_id", "body.parent_id")
            post = threads.add_post(session, settings, thread_id, threads.NewPost(
                body=body, display_name=name, parent_id=parent_id, quote_ids=tuple(form_ids(form, "quote_ids"))))
        except InvalidInputError as exc:
            session.rollback()
            return _thread_page(request, session, settings, thread_id, error=plain_error(exc), form=kept)
        session.commit()
        return names.remember(RedirectResponse(f"/threads/{thread_id}#post-{post.id}", status_code=303), name)

    return await run_in_threadpool(handle)


@router.post(
    "/threads/{thread_id}/ask",
    openapi_extra=ASK_IN_THREAD_FORM,
    responses=SEE_OTHER | problem_responses(404, 413, 422, 429),
    status_code=303,
)
async def ask_in_thread_form(
    request: Request, thread_id: ThreadId, session: SessionDep, settings: SettingsDep
) -> Response:
    """The ask box of a thread: the question and the answer are added to this thread."""
    form = await read_form(request)

    def handle() -> Response:  # database work runs in the thread pool, off the event loop
        question = form_text(form, "question") or form_text(form, "body") or ""
        name = form_text(form, "display_name")
        try:
            parent_id = form_id(form, "parent_id", "body.parent_id")
            asked = answers.ask(
                session, settings, question, thread_id=thread_id, parent_id=parent_id, display_name=name,
                client=client_of(request, settings),
            )
        except InvalidInputError as exc:
            session.rollback()
            return _thread_page(request, session, settings, thread_id, ask_error=plain_error(exc),
                                form={"question": question, "display_name": name or ""}, kind="question")
        session.commit()
        publish_job_if_needed(settings, asked)
        return names.remember(
            RedirectResponse(f"/threads/{thread_id}#post-{asked.answer_post_id}", status_code=303), name
        )

    return await run_in_threadpool(handle)


@router.post(
    "/ask",
    openapi_extra=ASK_FORM,
    responses=SEE_OTHER | problem_responses(413, 422, 429),
    status_code=303,
)
async def ask_form(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The home page's ask box: a new thread with the question and its answer."""
    form = await read_form(request)

    def handle() -> Response:  # database work runs in the thread pool, off the event loop
        question = form_text(form, "question") or ""
        name = form_text(form, "display_name")
        kept = {"question": question, "display_name": name or ""}

        def home(error: FormError | None = None, similar: list[dict[str, Any]] | None = None) -> Response:
            html = render(request, "home.html", {
                "best": full_runs_first(papers.best(session, benchmark="C4")), "ask_error": error,
                "ask_form": kept, "similar": similar,
            })
            return HTMLResponse(html, status_code=error.status if error else 200)

        if form_text(form, "preview"):  # "check first": the similar explanations, nothing written
            return _preview(lambda similar: home(similar=similar), session, question)
        try:
            asked = answers.ask(session, settings, question, display_name=name, client=client_of(request, settings))
        except InvalidInputError as exc:  # the home page again, with what was typed and why it was refused
            session.rollback()
            return home(plain_error(exc))
        session.commit()
        publish_job_if_needed(settings, asked)
        return names.remember(
            RedirectResponse(f"/threads/{asked.thread_id}#post-{asked.answer_post_id}", status_code=303), name
        )

    return await run_in_threadpool(handle)


def _preview(page: Callable[[list[dict[str, Any]]], Response], session: Session, text: str) -> Response:
    """The page again with the explanations whose titles look like ``text`` (what the form's "Check first"
    button asks for without JavaScript); nothing is stored."""
    words = text.replace("\x00", "")[: thread_search.QUERY_MAX_CHARS]
    return page(thread_search.similar_threads(session, words))


@router.post(
    "/threads/{thread_id}/compose",
    openapi_extra=COMPOSE_FORM,
    responses=SEE_OTHER | problem_responses(404, 413, 422, 429),
    status_code=303,
)
async def compose_form(request: Request, thread_id: ThreadId, session: SessionDep, settings: SettingsDep) -> Response:
    """The thread's one composer: ``kind=post`` adds a post (a reply or quote when its hidden fields say
    so), ``kind=question`` asks the service, whose answer joins the thread."""
    form = await read_form(request)
    asked_kind = form_text(form, "kind")
    kind = "question" if asked_kind == "question" else "post"

    def handle() -> Response:  # database work runs in the thread pool, off the event loop
        body = form_text(form, "body") or ""
        name = form_text(form, "display_name")
        kept = {"body": body, "display_name": name or ""}
        try:
            if asked_kind not in (None, "", "post", "question"):
                raise InvalidInputError("body.kind", "must be 'post' or 'question'")
            parent_id = form_id(form, "parent_id", "body.parent_id")
            if kind == "question":
                asked = answers.ask(
                    session, settings, body, thread_id=thread_id, parent_id=parent_id, display_name=name,
                    client=client_of(request, settings),
                )
            else:
                post = threads.add_post(session, settings, thread_id, threads.NewPost(
                    body=body, display_name=name, parent_id=parent_id, quote_ids=tuple(form_ids(form, "quote_ids"))))
        except InvalidInputError as exc:
            session.rollback()
            error = plain_error(exc)
            if kind == "question":
                return _thread_page(request, session, settings, thread_id, ask_error=error, form=kept, kind=kind)
            return _thread_page(request, session, settings, thread_id, error=error, form=kept, kind=kind)
        session.commit()
        if kind == "question":
            publish_job_if_needed(settings, asked)
            target = asked.answer_post_id
        else:
            target = post.id
        return names.remember(RedirectResponse(f"/threads/{thread_id}#post-{target}", status_code=303), name)

    return await run_in_threadpool(handle)
