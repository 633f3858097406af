"""Thread pages: the list, one thread with nested replies, quotes, inline plots and tables, and the forms.

Pages work without JavaScript: every form posts to an HTML route that redirects back (303,
Post/Redirect/Get); app/static/threads.js only moves the reply form next to the post being answered.
Each page is built from the same documents as its JSON twin (app/documents/threads.py) and links it. Bad
input re-renders the same page with its status (422, 413) and every field as it was typed, the refusal in
plain words beside its field (app/web/form_errors.py), so nothing typed is lost to an error page.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app import papers, threads
from app.answers import pipeline as answers
from app.answers.pipeline import publish_job_if_needed
from app.documents import threads as documents
from app.domain import InvalidInputError
from app.http.deps import SessionDep, SettingsDep
from app.http.forms import form_id, form_ids, form_text
from app.http.inputs import read_form
from app.http.openapi import ID_FIELD, form_body, text_field
from app.http.pagination import LimitQuery, OffsetQuery, page_bounds
from app.http.problems import problem_responses
from app.web.form_errors import FormError, plain_error
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


@router.get("/threads", responses=HTML | problem_responses(422))
def threads_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    limit: LimitQuery = None,
    offset: OffsetQuery = 0,
) -> Response:
    lim, off = page_bounds(settings, limit, offset)
    return _threads_page(request, session, settings, lim, off)


def _threads_page(request: Request, session: Session, settings: Any, lim: int, off: int, *,
                  error: FormError | None = None, form: dict[str, str] | None = None,
                  ask_error: FormError | None = None) -> Response:
    curated, _ = documents.list_threads(session, 100, 0, curated=True)
    items, total = documents.list_threads(session, lim, off, curated=False)
    html = render(request, "threads.html", {
        "curated": curated, "threads": items, "total": total, "limit": lim, "offset": off,
        "next_offset": off + lim if off + lim < total else None, "prev_offset": max(off - lim, 0) if off else None,
        "error": error, "form": form or {}, "settings": settings, "ask_error": ask_error,
        "ask_form": form if ask_error else {},
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
        try:
            thread, _ = threads.create_thread(session, settings, title, threads.NewPost(body=body, display_name=name))
        except InvalidInputError as exc:
            session.rollback()
            lim, _ = page_bounds(settings, None, 0)
            return _threads_page(request, session, settings, lim, 0, error=plain_error(exc),
                                 form={"title": title, "body": body, "display_name": name or ""})
        session.commit()
        return RedirectResponse(f"/threads/{thread.id}", status_code=303)

    return await run_in_threadpool(handle)


@router.get("/threads/{thread_id}", responses=HTML | problem_responses(404, 422))
def thread_page(
    request: Request,
    thread_id: ThreadId,
    session: SessionDep,
    settings: SettingsDep,
    reply_to: Annotated[str | None, Query(max_length=32, description="Prefill the form replying to this post.")] = None,
    quote: Annotated[str | None, Query(max_length=32, description="Prefill the form quoting this post.")] = None,
) -> Response:
    # Prefill hints from a link: anything that is not a post id of this thread just leaves the form empty.
    return _thread_page(request, session, settings, thread_id, reply_to=_hint(reply_to), quote=_hint(quote))


def _hint(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) <= 18 else None


def _thread_page(request: Request, session: Session, settings: Any, thread_id: int, *,
                 reply_to: int | None = None, quote: int | None = None, error: FormError | None = None,
                 form: dict[str, str] | None = None, ask_error: FormError | None = None) -> Response:
    doc = documents.get_thread(session, thread_id)
    flat = threads.flatten_tree(doc["posts"])
    by_id = {p["id"]: p for _, p in flat}
    for _, post in flat:
        post["resolved"] = documents.resolve_attachments(session, post)
    quoted_post = None
    if quote is not None:
        try:
            quoted_post = documents.quoted_post(session, quote)
        except threads.PostNotFoundError:
            quoted_post = None
    html = render(request, "thread.html", {
        "thread": doc, "posts": flat, "reply_to": by_id.get(reply_to) if reply_to else None,
        "quote": quoted_post, "error": error, "ask_error": ask_error, "form": form or {}, "settings": settings,
        "last_answer": next((p for _, p in reversed(flat) if p["author_kind"] == "service"), None),
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
        return RedirectResponse(f"/threads/{thread_id}#post-{post.id}", status_code=303)

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
        question = form_text(form, "question") or ""
        name = form_text(form, "display_name")
        try:
            parent_id = form_id(form, "parent_id", "body.parent_id")
            asked = answers.ask(
                session, settings, question, thread_id=thread_id, parent_id=parent_id, display_name=name
            )
        except InvalidInputError as exc:
            session.rollback()
            return _thread_page(request, session, settings, thread_id, ask_error=plain_error(exc),
                                form={"question": question, "display_name": name or ""})
        session.commit()
        publish_job_if_needed(settings, asked)
        return RedirectResponse(f"/threads/{thread_id}#post-{asked.answer_post_id}", status_code=303)

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
        try:
            asked = answers.ask(session, settings, question, display_name=name)
        except InvalidInputError as exc:  # the home page again, with what was typed and why it was refused
            session.rollback()
            error = plain_error(exc)
            html = render(request, "home.html", {
                "best": papers.best(session, benchmark="C4"), "ask_error": error,
                "ask_form": {"question": question, "display_name": name or ""},
            })
            return HTMLResponse(html, status_code=error.status)
        session.commit()
        publish_job_if_needed(settings, asked)
        return RedirectResponse(f"/threads/{asked.thread_id}#post-{asked.answer_post_id}", status_code=303)

    return await run_in_threadpool(handle)
