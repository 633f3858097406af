"""Thread search (SQLite FTS5 and PostgreSQL full-text, migration 0009), the "this looks like" hint, the
remembered display name and the thread page's one composer.

Search promises are checked on both databases: every test taking ``db_client`` runs on the seeded SQLite
copy and on a freshly migrated PostgreSQL database (marker ``postgres``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import inspect, text

from app.config import Settings
from app.db import create_db_engine
from app.migrate import alembic_config
from app.search_schema import SEARCH_INDEXES, SEARCH_TABLE
from app.thread_search import QUERY_MAX_CHARS
from tests.conftest import open_client, sqlite_settings

HTML = {"Accept": "text/html"}
ADMIN = "a-moderators-admin-token"
#: The tests write more than the default per-minute write limit allows one client.
OVERRIDES = {"admin_token": SecretStr(ADMIN), "rate_limit_writes_per_minute": 10_000}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_client(request: pytest.FixtureRequest) -> Iterator[TestClient]:
    fixture = "settings" if request.param == "sqlite" else "pg_settings"
    settings: Settings = request.getfixturevalue(fixture)
    with open_client(settings.model_copy(update=OVERRIDES)) as client:
        yield client


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with open_client(settings.model_copy(update=OVERRIDES)) as test_client:
        yield test_client


def new_thread(client: TestClient, title: str, body: str, name: str | None = None) -> dict[str, Any]:
    payload = {"title": title, "body": body, **({"display_name": name} if name else {})}
    response = client.post("/api/v1/threads", json=payload)
    assert response.status_code == 201, response.text
    return dict(response.json())


def found(client: TestClient, q: str) -> list[int]:
    response = client.get("/api/v1/search/threads", params={"q": q})
    assert response.status_code == 200, response.text
    return [hit["thread_id"] for hit in response.json()["items"]]


def test_search_finds_titles_and_posts_with_every_word_stemmed(db_client: TestClient) -> None:
    by_title = new_thread(db_client, "Quokka activations in tiny transformers", "Nothing else here.")
    by_post = new_thread(db_client, "An unrelated heading", "The quokka measured two activation curves.")
    reply = db_client.post(f"/api/v1/threads/{by_title['id']}/posts", json={"body": "A wombat joined later."})
    assert reply.status_code == 201
    assert set(found(db_client, "quokka")) == {by_title["id"], by_post["id"]}
    assert set(found(db_client, "quokkas activation")) == {by_title["id"], by_post["id"]}  # stemmed both ways
    assert found(db_client, "wombat") == [by_title["id"]]  # a reply is found, its thread listed once
    assert found(db_client, "quokka wombat") == [by_title["id"]]  # title word + post word: every word counts
    assert found(db_client, "quokka zebra") == []
    hit = db_client.get("/api/v1/search/threads", params={"q": "wombat"}).json()["items"][0]
    assert hit["excerpt"] == "A wombat joined later."
    assert hit["html_url"] == f"/threads/{by_title['id']}#post-{reply.json()['id']}"


def test_query_syntax_is_searched_as_words_never_parsed(db_client: TestClient) -> None:
    thread = new_thread(db_client, "Numbat gates", 'The numbat said "OR" and NOT near the title: col:umn * twice.')
    for hostile in (
        '"numbat', 'numbat"', "numbat'", "numbat OR", "NOT numbat", "numbat AND", "numbat*", "^numbat",
        "NEAR(numbat", "title:numbat", "numbat)", "(numbat", "numbat -gates", "{numbat}", "numbat & | ! :",
        "numbat \\ ; --",
    ):
        assert found(db_client, hostile) == [thread["id"]], hostile
    assert found(db_client, "numbat''; DROP TABLE posts; --") == []  # "drop", "table" are not in the thread
    assert found(db_client, '"" * : ^ ()') == []  # no word at all: nothing searched, nothing found
    assert db_client.get(f"/api/v1/threads/{thread['id']}").status_code == 200


def test_nul_and_overlong_queries_are_422_naming_the_field(db_client: TestClient) -> None:
    nul = db_client.get("/api/v1/search/threads", params={"q": "numbat\x00"})
    assert nul.status_code == 422 and nul.json()["errors"][0]["loc"] == ["query", "q"]
    long = db_client.get("/api/v1/search/threads", params={"q": "x" * (QUERY_MAX_CHARS + 1)})
    assert long.status_code == 422
    assert long.json()["errors"][0]["loc"] == ["query", "q"] and str(QUERY_MAX_CHARS) in long.text
    assert db_client.get("/api/v1/search/threads", params={"q": "x" * QUERY_MAX_CHARS}).status_code == 200
    page = db_client.get("/threads", params={"q": "x" * (QUERY_MAX_CHARS + 1)}, headers=HTML)
    assert page.status_code == 422


def test_hidden_posts_are_not_found_and_a_hidden_title_only_through_visible_posts(db_client: TestClient) -> None:
    thread = new_thread(db_client, "Bilby secrets", "Bilby first post.")
    second = db_client.post(f"/api/v1/threads/{thread['id']}/posts", json={"body": "A visible bandicoot."}).json()
    headers = {"Authorization": f"Bearer {ADMIN}"}
    hidden = db_client.post(f"/api/v1/posts/{thread['posts'][0]['id']}/hide", json={}, headers=headers)
    assert hidden.status_code == 200, hidden.text
    assert found(db_client, "bilby") == []  # the title is hidden with its first post, and that post too
    hits = db_client.get("/api/v1/search/threads", params={"q": "bandicoot"}).json()["items"]
    assert [h["post_id"] for h in hits] == [second["id"]]
    assert "Bilby" not in hits[0]["title"]


def test_the_threads_page_searches_without_javascript(db_client: TestClient) -> None:
    thread = new_thread(db_client, "Echidna <b>spines</b>", "About echidna & platypus.")
    page = db_client.get("/threads", params={"q": 'echidna "spines'}, headers=HTML)
    assert page.status_code == 200
    results = page.text.split('id="search-results"', 1)[1].split("</section>", 1)[0]
    assert f'href="/threads/{thread["id"]}#post-{thread["posts"][0]["id"]}"' in results
    assert "Echidna &lt;b&gt;spines&lt;/b&gt;" in results  # escaped, never markup
    assert "1 thread found" in unescape(results)
    assert 'href="/api/v1/search/threads?q=echidna%20%22spines"' in results
    none = db_client.get("/threads", params={"q": "zzzqqq"}, headers=HTML).text
    assert "0 threads found" in none and "No thread holds every one of these words" in none


def test_the_search_migration_downgrades_and_upgrades_cleanly_on_sqlite(tmp_path: Path) -> None:
    settings = sqlite_settings(tmp_path / "search.db")
    command.upgrade(alembic_config(settings), "head")
    engine = create_db_engine(settings)
    try:
        with engine.begin() as conn:
            now = "2026-01-01 00:00:00"
            conn.execute(text("INSERT INTO threads (id, title, post_count, created_at, updated_at) "
                              "VALUES (1, 'Kept title', 1, :now, :now)"), {"now": now})
            conn.execute(text("INSERT INTO posts (id, thread_id, author_kind, body, attachments, citations, "
                              "created_at) VALUES (1, 1, 'person', 'kept body', '[]', '[]', :now)"), {"now": now})
        command.downgrade(alembic_config(settings), "0008_bigint_ids")
        assert SEARCH_TABLE not in inspect(engine).get_table_names()
        command.upgrade(alembic_config(settings), "head")  # the index is rebuilt from the stored posts
        with engine.connect() as conn:
            rows = conn.execute(text(f"SELECT rowid, title FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH 'kept'"))
            assert [tuple(r) for r in rows] == [(1, "Kept title")]
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_the_search_migration_downgrades_and_upgrades_cleanly_on_postgres(pg_url: str) -> None:
    settings = Settings(database_url=pg_url, environment="test")
    command.upgrade(alembic_config(settings), "head")
    engine = create_db_engine(settings)

    def indexes() -> set[str]:
        return {i["name"] for table in ("posts", "threads") for i in inspect(engine).get_indexes(table) if i["name"]}

    try:
        assert set(SEARCH_INDEXES) <= indexes()
        command.downgrade(alembic_config(settings), "0008_bigint_ids")
        engine.dispose()
        assert not set(SEARCH_INDEXES) & indexes()
        command.upgrade(alembic_config(settings), "head")
        engine.dispose()
        assert set(SEARCH_INDEXES) <= indexes()
    finally:
        engine.dispose()


def test_the_similar_hint_names_the_curated_explanation(client: TestClient) -> None:
    curated = client.get("/api/v1/threads", params={"curated": "true", "limit": 100}).json()["items"]
    target = next(t for t in curated if t["title"].startswith("GEGLU vs SwiGLU"))
    hint = client.get("/api/v1/search/similar-threads", params={"title": "Is GEGLU better than SwiGLU?"}).json()
    assert hint["items"][0]["thread_id"] == target["id"]
    assert client.get("/api/v1/search/similar-threads", params={"title": "hello world"}).json()["items"] == []
    # Without JavaScript: "Check for an existing explanation" shows it, keeps the text and stores nothing.
    before = client.get("/api/v1/threads").json()["total"]
    for path, field in (("/ask", "question"), ("/threads", "title")):
        page = client.post(path, data={field: "Is GEGLU better than SwiGLU?", "preview": "1"}, headers=HTML)
        assert page.status_code == 200
        form_html = page.text.split('id="new-thread"', 1)[1] if path == "/threads" else page.text
        hint_html = form_html.split('data-similar aria-live="polite">', 1)[1].split("</div>", 1)[0]
        assert "This looks like" in hint_html and f'href="/threads/{target["id"]}"' in hint_html
        assert "Is GEGLU better than SwiGLU?" in page.text
    assert client.get("/api/v1/threads").json()["total"] == before


def test_the_display_name_is_remembered_in_a_lax_cookie_and_prefilled(client: TestClient) -> None:
    created = client.post("/threads", data={"title": "Cookie jar", "body": "first", "display_name": "Zoë Q"},
                          follow_redirects=False)
    assert created.status_code == 303
    cookie = created.headers["set-cookie"]
    assert cookie.startswith("actlab_display_name=Zo%C3%AB%20Q;") and "SameSite=lax" in cookie
    assert "HttpOnly" not in cookie
    thread = client.get(created.headers["location"], headers=HTML).text
    assert '<input id="post-name" name="display_name" maxlength="60" value="Zoë Q">' in thread
    listing = client.get("/threads", headers=HTML).text
    assert 'value="Zoë Q"' in listing.split('id="new-thread"', 1)[1]
    client.cookies.clear()
    assert 'value="Zoë Q"' not in client.get(created.headers["location"], headers=HTML).text


def test_one_composer_posts_or_asks_by_its_toggle(client: TestClient) -> None:
    created = client.post("/threads", data={"title": "Composer", "body": "first"}, follow_redirects=False)
    path = created.headers["location"]
    page = client.get(path, headers=HTML).text
    assert page.count("<form method=\"post\"") == 1, "one form to post or ask in a thread"
    assert 'name="kind" value="post" checked' in page and 'name="kind" value="question"' in page
    post = client.post(f"{path}/compose", data={"kind": "post", "body": "a plain post"}, follow_redirects=False)
    assert post.status_code == 303
    asked = client.post(f"{path}/compose", data={"kind": "question", "body": "what is GEGLU?"}, follow_redirects=False)
    assert asked.status_code == 303
    doc = client.get(f"/api/v1{path}").json()
    kinds = [(p["author_kind"], p["body"][:40]) for p in doc["posts"]]
    assert ("person", "a plain post") in kinds and ("person", "what is GEGLU?") in kinds
    assert any(p["author_kind"] == "service" for p in doc["posts"] + [r for p in doc["posts"] for r in p["replies"]])
    refused = client.post(f"{path}/compose", data={"kind": "question", "body": " ", "display_name": "Kept"},
                          headers=HTML)
    assert refused.status_code == 422 and "Write a question first." in refused.text
    assert 'name="kind" value="question" checked' in refused.text and 'value="Kept"' in refused.text
    ask_link = client.get(f"{path}?reply_to={doc['posts'][0]['id']}&kind=question", headers=HTML).text
    assert 'name="kind" value="question" checked' in ask_link
    unknown = client.post(f"{path}/compose", data={"kind": "poll", "body": "kept"}, headers=HTML)
    assert unknown.status_code == 422 and "post" in unknown.text and "kept" in unknown.text
    assert len(client.get(f"/api/v1{path}").json()["posts"]) == len(doc["posts"])  # nothing written


def test_how_this_was_answered_prints_numbers_at_their_precision(client: TestClient) -> None:
    asked = client.post("/api/v1/questions", json={"question": "Where is the tanh approximation of GELU furthest "
                                                               "from exact GELU?"})
    assert asked.status_code in (200, 201), asked.text
    thread_id = asked.json()["thread"]["id"]
    page = client.get(f"/threads/{thread_id}", headers=HTML).text
    how = page.split('class="how-answered"', 1)[1].split("</details>", 1)[0]
    assert "x = 2.6989" in how
    assert re.search(r"\d\.\d{6,}", how) is None, "no float noise in how this was answered"
