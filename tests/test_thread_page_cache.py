"""The thread page's posts are rendered once per state of the thread and kept: what the page shows follows
every write (a new post, one hidden or shown again, a quoted post hidden elsewhere, a write by another
process), the reader's own bits (the remembered display name) never pass from one reader to another, and
the kept posts count in the process's response-cache budget."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.web import thread_view
from tests.conftest import open_client, sqlite_settings

ADMIN = "a-moderators-admin-token"
AUTH = {"authorization": f"Bearer {ADMIN}"}
HTML = {"Accept": "text/html"}


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The thread ids whose posts were rendered (a miss of the cache), in order."""
    seen: list[int] = []
    original = thread_view.render

    def counting(request: Any, name: str, context: dict[str, Any]) -> str:
        if name == thread_view.POSTS_TEMPLATE:
            seen.append(context["thread_id"])
        return original(request, name, context)

    monkeypatch.setattr(thread_view, "render", counting)
    return seen


@pytest.fixture
def db_client(db_path: Path) -> Iterator[TestClient]:
    with open_client(sqlite_settings(db_path, admin_token=ADMIN, rate_limit_writes_per_minute=10_000)) as client:
        yield client


def _thread(client: TestClient, title: str = "A long thread", posts: int = 3) -> tuple[int, list[int]]:
    made = client.post("/api/v1/threads", json={"title": title, "body": "Post 1, *first*.", "display_name": "Ada"})
    assert made.status_code == 201, made.text
    tid = made.json()["id"]
    ids = [made.json()["posts"][0]["id"]]
    for i in range(2, posts + 1):
        post = client.post(f"/api/v1/threads/{tid}/posts", json={"body": f"Post {i} of the thread."})
        assert post.status_code == 201, post.text
        ids.append(post.json()["id"])
    return tid, ids


def _page(client: TestClient, tid: int, **cookies: str) -> str:
    client.cookies.clear()
    for name, value in cookies.items():
        client.cookies.set(name, value)
    page = client.get(f"/threads/{tid}", headers=HTML)
    assert page.status_code == 200, page.text
    return page.text


def test_the_posts_render_once_and_a_new_post_shows_at_once(db_client: TestClient, renders: list[int]) -> None:
    tid, _ = _thread(db_client)
    first = _page(db_client, tid)
    assert "Post 3 of the thread." in first and renders == [tid]
    assert _page(db_client, tid) == first and renders == [tid], "the unchanged thread is served from the cache"
    added = db_client.post(f"/api/v1/threads/{tid}/posts", json={"body": "A brand new post."})
    assert added.status_code == 201
    after = _page(db_client, tid)
    assert "A brand new post." in after and f'id="post-{added.json()["id"]}"' in after and renders == [tid, tid]
    form = db_client.post(f"/threads/{tid}/posts", data={"body": "Posted with the form."},
                          headers={"Sec-Fetch-Site": "same-origin"}, follow_redirects=False)
    assert form.status_code == 303
    assert "Posted with the form." in _page(db_client, tid)


def test_hidden_posts_disappear_and_come_back(db_client: TestClient, renders: list[int]) -> None:
    tid, ids = _thread(db_client)
    assert "Post 2 of the thread." in _page(db_client, tid)
    assert db_client.post(f"/api/v1/posts/{ids[1]}/hide", json={"reason": "spam"}, headers=AUTH).status_code == 200
    hidden = _page(db_client, tid)
    assert "Post 2 of the thread." not in hidden and "This post was hidden by a moderator." in hidden
    assert db_client.post(f"/api/v1/posts/{ids[0]}/hide", headers=AUTH).status_code == 200
    assert "<h1>A long thread</h1>" not in _page(db_client, tid), "the hidden first post hides its title"
    assert db_client.post(f"/api/v1/posts/{ids[1]}/unhide", headers=AUTH).status_code == 200
    assert db_client.post(f"/api/v1/posts/{ids[0]}/unhide", headers=AUTH).status_code == 200
    shown = _page(db_client, tid)
    assert "Post 2 of the thread." in shown and "<h1>A long thread</h1>" in shown
    assert len(renders) == 4


def test_a_quoted_post_hidden_in_another_thread_leaves_the_quoting_page(db_client: TestClient) -> None:
    other, _ = _thread(db_client, "Elsewhere", posts=1)
    quoted = db_client.post(f"/api/v1/threads/{other}/posts", json={"body": "Words worth quoting."}).json()
    tid, _ = _thread(db_client)
    quoting = db_client.post(f"/api/v1/threads/{tid}/posts", json={"body": "see", "quote_ids": [quoted["id"]]})
    assert quoting.status_code == 201
    assert "Words worth quoting." in _page(db_client, tid)
    assert db_client.post(f"/api/v1/posts/{quoted['id']}/hide", headers=AUTH).status_code == 200
    page = _page(db_client, tid)
    assert "Words worth quoting." not in page and "A post in “Elsewhere”:" in page


def test_one_readers_remembered_name_never_reaches_another(db_client: TestClient, renders: list[int]) -> None:
    tid, _ = _thread(db_client)
    alice = _page(db_client, tid, actlab_display_name="Alice%20%3Cb%3E")
    bob = _page(db_client, tid, actlab_display_name="Bob")
    nobody = _page(db_client, tid)
    assert 'value="Alice &lt;b&gt;"' in alice and "Alice" not in bob and "Alice" not in nobody
    assert 'value="Bob"' in bob and "Bob" not in alice and "Bob" not in nobody
    assert 'id="post-name" name="display_name" maxlength' in nobody and 'value=""' in nobody
    assert renders == [tid], "the three readers share the rendered posts"


def test_a_write_by_another_process_shows_on_the_next_request(db_path: Path, renders: list[int]) -> None:
    settings = sqlite_settings(db_path, rate_limit_writes_per_minute=10_000)
    with open_client(settings) as first, open_client(settings) as second:
        tid, _ = _thread(first)
        assert "From the other process." not in _page(first, tid)
        assert second.post(f"/api/v1/threads/{tid}/posts", json={"body": "From the other process."}).status_code == 201
        assert "From the other process." in _page(first, tid)


def test_the_kept_posts_count_in_the_response_cache_budget(db_path: Path, renders: list[int]) -> None:
    with open_client(sqlite_settings(db_path, response_cache_max_bytes=4_096)) as small:
        tid, _ = _thread(small, posts=12)
        assert "Post 12 of the thread." in _page(small, tid)
        assert "Post 12 of the thread." in _page(small, tid)
        kept = small.app.state.reference_responses.thread_posts  # type: ignore[attr-defined]
        assert kept.info()["entries"] == 0 and renders == [tid, tid], "a page over the budget is not kept"
        assert kept.budget.used <= kept.budget.max_bytes
    with open_client(sqlite_settings(db_path)) as roomy:
        assert "Post 12 of the thread." in _page(roomy, tid)
        kept = roomy.app.state.reference_responses.thread_posts  # type: ignore[attr-defined]
        info = kept.info()
        assert info["entries"] == 1 and info["bytes"] > 12 * 100 and kept.budget.used >= info["bytes"]


@pytest.mark.postgres
def test_on_postgresql_the_kept_posts_follow_new_and_hidden_posts(pg_settings: Settings, renders: list[int]) -> None:
    settings = Settings(**{**pg_settings.model_dump(), "admin_token": ADMIN, "rate_limit_writes_per_minute": 10_000})
    with open_client(settings) as client:
        tid, ids = _thread(client)
        assert "Post 3 of the thread." in _page(client, tid) and "Post 3 of the thread." in _page(client, tid)
        assert renders == [tid]
        assert client.post(f"/api/v1/threads/{tid}/posts", json={"body": "Added on PostgreSQL."}).status_code == 201
        assert "Added on PostgreSQL." in _page(client, tid)
        assert client.post(f"/api/v1/posts/{ids[2]}/hide", headers=AUTH).status_code == 200
        assert "Post 3 of the thread." not in _page(client, tid) and renders == [tid, tid, tid]
