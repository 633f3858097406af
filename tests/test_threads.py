"""Threads and posts: the JSON API, the pages (Post/Redirect/Get), limits, atomic writes, and the
curated explanation threads loaded with the reference data."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.answers.explanations import PLACEHOLDER, load_explanations, read_entries
from app.config import Settings
from app.db import create_db_engine, make_session_factory, session_scope
from app.orm import Post, PostQuote, Result, Thread
from app.seed import DATA_DIR, load_reference_data
from tests import reference_numbers
from tests.conftest import open_client, sqlite_settings

CURATED_KEYS = {
    "why-gemma-2-geglu", "approximated-gelu", "two-thirds-rule", "geglu-vs-swiglu", "why-llama-palm-swiglu",
    "gelu-vs-relu", "paper-limits", "misreading-1942", "reference-rows", "ffn-formulas", "table1-columns",
    "gemma-hidden-act-legacy",
}


@pytest.fixture
def client(db_path: Path) -> Iterator[TestClient]:
    with open_client(sqlite_settings(db_path, rate_limit_writes_per_minute=10_000)) as test_client:
        yield test_client


def new_thread(client: TestClient, **fields: Any) -> dict[str, Any]:
    payload = {"title": "GEGLU at scale?", "body": "Has anyone tried **GEGLU** above 1B parameters?", **fields}
    response = client.post("/api/v1/threads", json=payload)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


# --- JSON API ---------------------------------------------------------------------------------------


def test_create_thread_and_reply_and_quote(client: TestClient) -> None:
    thread = new_thread(client, display_name="Ada")
    assert thread["title"] == "GEGLU at scale?" and thread["post_count"] == 1
    first = thread["posts"][0]
    assert first["display_name"] == "Ada" and first["author_kind"] == "person"
    assert "<strong>GEGLU</strong>" in first["body_html"]
    other = new_thread(client, title="Another thread", body="Quoted from elsewhere")
    reply = client.post(f"/api/v1/threads/{thread['id']}/posts",
                        json={"body": "Not that I know.", "parent_id": first["id"],
                              "quote_ids": [other["posts"][0]["id"]]})
    assert reply.status_code == 201, reply.text
    assert reply.headers["location"] == f"/api/v1/threads/{thread['id']}#post-{reply.json()['id']}"
    assert reply.json()["display_name"] == "Anonymous"
    nested = client.post(f"/api/v1/threads/{thread['id']}/posts",
                         json={"body": "deeper", "parent_id": reply.json()["id"]})
    assert nested.status_code == 201
    doc = client.get(f"/api/v1/threads/{thread['id']}").json()
    assert doc["post_count"] == 3 and doc["links"]["page"] == f"/threads/{thread['id']}"
    assert len(doc["posts"]) == 1
    level1 = doc["posts"][0]["replies"]
    assert [p["body"] for p in level1] == ["Not that I know."]
    assert [p["body"] for p in level1[0]["replies"]] == ["deeper"]
    quote = level1[0]["quotes"][0]
    assert quote["thread_title"] == "Another thread" and quote["excerpt"] == "Quoted from elsewhere"
    assert quote["html_url"] == f"/threads/{other['id']}#post-{other['posts'][0]['id']}"


def test_list_threads_paginates_most_recent_first(client: TestClient) -> None:
    made = [new_thread(client, title=f"thread {i}")["id"] for i in range(3)]
    client.post(f"/api/v1/threads/{made[0]}/posts", json={"body": "bump"})
    listing = client.get("/api/v1/threads?curated=false&limit=2").json()
    assert listing["total"] == 3 and [t["id"] for t in listing["items"]] == [made[0], made[2]]
    assert listing["next"] == "/api/v1/threads?curated=false&limit=2&offset=2"
    curated = client.get("/api/v1/threads?curated=true&limit=50").json()
    assert {t["curated_key"] for t in curated["items"]} == CURATED_KEYS
    assert client.get("/api/v1/threads?limit=100000").status_code == 422


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("/api/v1/threads", {"title": "  ", "body": "x"}, "title"),
        ("/api/v1/threads", {"title": "t" * 201, "body": "x"}, "title"),
        ("/api/v1/threads", {"title": "ok", "body": ""}, "body"),
        ("/api/v1/threads", {"title": "ok", "body": "b" * 10_001}, "body"),
        ("/api/v1/threads", {"title": "ok", "body": "x", "display_name": "n" * 61}, "display_name"),
        ("/api/v1/threads", {"title": "ok", "body": "x", "display_name": "Activation Lab"}, "display_name"),
        ("/api/v1/threads", {"title": "ok"}, "body"),
        ("/api/v1/threads", {"title": "ok", "body": "x", "admin": True}, "admin"),
    ],
)
def test_bad_thread_input_is_422_naming_the_field(client: TestClient, path: str, payload: dict[str, Any],
                                                  field: str) -> None:
    response = client.post(path, json=payload)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert any(e["loc"][-1] == field for e in body["errors"]), body
    if field in ("title", "body", "display_name") and "limit" in body["detail"]:
        assert body["errors"][0]["limit"] in (200, 10_000, 60)


def test_bad_post_input_is_422_naming_the_field(client: TestClient) -> None:
    a, b = new_thread(client), new_thread(client, title="other")
    url = f"/api/v1/threads/{a['id']}/posts"
    cases = [
        ({"body": "x", "parent_id": b["posts"][0]["id"]}, "parent_id"),
        ({"body": "x", "parent_id": 10**9}, "parent_id"),
        ({"body": "x", "quote_ids": [10**9]}, "quote_ids"),
        ({"body": "x", "quote_ids": list(range(1, 13))}, "quote_ids"),
        ({"body": " \n "}, "body"),
    ]
    for payload, field in cases:
        response = client.post(url, json=payload)
        assert response.status_code == 422, (payload, response.text)
        assert any(e["loc"][-1] == field for e in response.json()["errors"]), response.json()
    missing = client.post("/api/v1/threads/999999/posts", json={"body": "x"})
    assert missing.status_code == 404 and missing.json()["errors"][0]["loc"] == ["path", "thread_id"]
    assert client.get("/api/v1/threads/999999").status_code == 404
    assert client.get("/api/v1/threads/abc").status_code == 422


def test_failed_writes_leave_nothing_behind(client: TestClient, app: Any, db_path: Path) -> None:
    engine = create_db_engine(sqlite_settings(db_path))
    factory = make_session_factory(engine)

    def counts() -> tuple[int, int, int]:
        with factory() as s:
            return (s.scalar(select(func.count()).select_from(Thread)) or 0,
                    s.scalar(select(func.count()).select_from(Post)) or 0,
                    s.scalar(select(func.count()).select_from(PostQuote)) or 0)

    before = counts()
    assert client.post("/api/v1/threads", json={"title": "fine", "body": "b" * 10_001}).status_code == 422
    thread = new_thread(client)
    after_thread = counts()
    assert after_thread == (before[0] + 1, before[1] + 1, before[2])
    bad = client.post(f"/api/v1/threads/{thread['id']}/posts",
                      json={"body": "x", "quote_ids": [thread["posts"][0]["id"], 10**9]})
    assert bad.status_code == 422
    assert counts() == after_thread
    with factory() as s:
        stored = s.get(Thread, thread["id"])
        assert stored is not None and stored.post_count == 1
    engine.dispose()


def test_reply_depth_and_thread_size_limits(db_path: Path) -> None:
    settings = sqlite_settings(db_path, reply_depth_max=2, thread_posts_max=4, rate_limit_writes_per_minute=10_000)
    with open_client(settings) as client:
        thread = new_thread(client)
        parent = thread["posts"][0]["id"]
        for _ in range(2):
            parent = client.post(f"/api/v1/threads/{thread['id']}/posts",
                                 json={"body": "r", "parent_id": parent}).json()["id"]
        too_deep = client.post(f"/api/v1/threads/{thread['id']}/posts", json={"body": "r", "parent_id": parent})
        assert too_deep.status_code == 422 and too_deep.json()["errors"][0]["limit"] == 2
        assert client.post(f"/api/v1/threads/{thread['id']}/posts", json={"body": "4th"}).status_code == 201
        full = client.post(f"/api/v1/threads/{thread['id']}/posts", json={"body": "5th"})
        assert full.status_code == 422 and full.json()["errors"][0]["loc"] == ["path", "thread_id"]


def test_titles_and_names_are_one_clean_line(client: TestClient) -> None:
    thread = new_thread(client, title="  two\n lines\tand\x07 a bell  ", display_name="  Ada\n Lovelace ")
    assert thread["title"] == "two lines and a bell"
    assert thread["posts"][0]["display_name"] == "Ada Lovelace"


@pytest.mark.parametrize("first_word", [190, 196, 197, 198, 199, 200, 203])
def test_a_long_question_becomes_a_thread_with_a_title_within_the_limit(client: TestClient, first_word: int) -> None:
    """A question longer than the title limit (a pasted config, say) is cut at a word boundary for its title,
    and the cut must still fit once stored: titles are NFKC-normalised, which turns "…" into three characters.
    The first word's length puts the last space before the limit at each position around it."""
    question = "x" * first_word + " why does llama use swiglu" * 10 + "?"
    asked = client.post("/api/v1/questions", json={"question": question})
    assert asked.status_code == 201, asked.text
    title = asked.json()["thread"]["title"]
    assert len(title) <= Settings().thread_title_max_chars  # type: ignore[call-arg]
    assert title.endswith("...") and question.startswith(title[:-3])


# --- pages ------------------------------------------------------------------------------------------


def test_pages_link_their_json_twins(client: TestClient) -> None:
    thread = new_thread(client)
    listing = client.get("/threads")
    assert listing.status_code == 200 and 'href="/api/v1/threads"' in listing.text
    page = client.get(f"/threads/{thread['id']}")
    assert page.status_code == 200 and f'href="/api/v1/threads/{thread["id"]}"' in page.text
    assert "GEGLU at scale?" in page.text and "Has anyone tried" in page.text
    assert client.get("/threads/999999").status_code == 404


def test_forms_post_and_redirect_back(client: TestClient) -> None:
    created = client.post("/threads", data={"title": "From the form", "body": "first", "display_name": "Bo"},
                          follow_redirects=False)
    assert created.status_code == 303
    thread_url = created.headers["location"]
    thread_id = int(thread_url.rsplit("/", 1)[1])
    doc = client.get(f"/api/v1/threads/{thread_id}").json()
    first_id = doc["posts"][0]["id"]
    reply_form = client.get(f"{thread_url}?reply_to={first_id}")
    assert f'name="parent_id" value="{first_id}"' in reply_form.text
    quote_form = client.get(f"{thread_url}?quote={first_id}")
    assert f'name="quote_ids" value="{first_id}"' in quote_form.text
    replied = client.post(f"/threads/{thread_id}/posts", data={"body": "second", "parent_id": str(first_id),
                                                               "quote_ids": str(first_id)}, follow_redirects=False)
    assert replied.status_code == 303 and re.fullmatch(rf"/threads/{thread_id}#post-\d+", replied.headers["location"])
    page = client.get(thread_url).text
    assert 'class="quote-embed"' in page and f'href="/threads/{thread_id}#post-{first_id}"' in page
    assert re.search(r'id="post-\d+" style="--depth: 1"', page), "the reply is nested"


def test_form_errors_re_render_with_422_naming_the_field(client: TestClient) -> None:
    thread = new_thread(client)
    response = client.post(f"/threads/{thread['id']}/posts", data={"body": "kept text", "display_name": "n" * 61})
    assert response.status_code == 422
    assert "body.display_name" in response.text and "kept text" in response.text
    response = client.post("/threads", data={"title": "", "body": "kept body"})
    assert response.status_code == 422 and "body.title" in response.text and "kept body" in response.text
    response = client.post("/ask", data={"question": ""}, headers={"Accept": "text/html"})
    assert response.status_code == 422 and "question" in response.text


def test_cross_site_form_posts_are_refused(client: TestClient) -> None:
    response = client.post("/threads", data={"title": "t", "body": "b"}, headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403


def test_curated_thread_page_shows_plots_tables_and_how_it_was_answered(client: TestClient) -> None:
    curated = {t["curated_key"]: t for t in client.get("/api/v1/threads?curated=true").json()["items"]}
    page = client.get(f"/threads/{curated['approximated-gelu']['id']}").text
    assert page.count("<svg") >= 2, "the curve and the error curve are drawn inline"
    assert "How this was answered" in page and "4.7324e-4" in page
    page = client.get(f"/threads/{curated['why-gemma-2-geglu']['id']}").text
    assert '<figure class="attachment paper-table">' in page and "1.633" in page
    assert "The report gives no ablation of its own" in page


# --- curated explanations ---------------------------------------------------------------------------------


def test_curated_explanations_are_grounded_and_cite_rows(client: TestClient) -> None:
    """Read over HTTP; every number is traced to tests/reference or recomputed by the test itself."""
    listed = client.get("/api/v1/threads", params={"limit": 100}).json()["items"]
    threads = [t for t in listed if t["curated_key"] is not None]
    assert {t["curated_key"] for t in threads} == CURATED_KEYS
    for thread in threads:
        doc = client.get(f"/api/v1/threads/{thread['id']}").json()
        post = doc["posts"][0] if doc["posts"] else None
        assert post is not None and post["author_kind"] == "service"
        assert post["citations"], thread["curated_key"]
        kinds = {c["kind"] for c in post["citations"]}
        assert kinds & {"result", "paper_fact", "architecture", "catalog"}, thread["curated_key"]
        meta = post["answer_meta"] or {}
        computations = meta.get("explanation", {}).get("computations", [])
        report = reference_numbers.check(f"{doc['title']}\n\n{post['body']}", computations)
        assert report.ok, (thread["curated_key"], report.ungrounded, report.problems)


def test_curated_sources_type_no_stored_value(seeded_template: Path) -> None:
    """Values come from placeholders: no printed table value appears as typed text in the explanations."""
    source = (DATA_DIR / "explanations.yaml").read_text(encoding="utf-8")
    without_placeholders = PLACEHOLDER.sub(" ", source)
    engine = create_db_engine(sqlite_settings(seeded_template))
    with make_session_factory(engine)() as session:
        values = {r.value_text for r in session.scalars(select(Result)) if "." in r.value_text}
    engine.dispose()
    typed = sorted(v for v in values if re.search(rf"(?<![\d.]){re.escape(v)}(?![\d])", without_placeholders))
    assert typed == []
    entries = yaml.safe_load(source)
    assert {e["key"] for e in entries} == CURATED_KEYS


def test_seed_is_idempotent_and_follows_corrected_data(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    settings = sqlite_settings(tmp_path / "db.sqlite")
    from app.cli.common import migrate

    migrate(settings)
    engine = create_db_engine(settings)
    factory = make_session_factory(engine)
    with session_scope(factory) as session:
        load_reference_data(session, data)
    with session_scope(factory) as session:
        report = load_reference_data(session, data)
        assert report.counts["curated_threads"]["unchanged"] == len(CURATED_KEYS) and not report.changed
    # correct a value: the explanation that cites it changes with it
    table1 = data / "glu_variants_2020_table1.csv"
    table1.write_text(table1.read_text(encoding="utf-8").replace(",524288,1.633,", ",524288,1.632,"), encoding="utf-8")
    # the misreading that quotes the same cell is corrected with it (the seed refuses a stale quote)
    misreadings = data / "misreadings.yaml"
    misreadings.write_text(misreadings.read_text(encoding="utf-8").replace("1.633", "1.632"), encoding="utf-8")
    with session_scope(factory) as session:
        report = load_reference_data(session, data)
        assert report.counts["curated_threads"]["updated"] >= 1
        body = _curated_body(session, "misreading-1942")
        assert "1.632" in body and "1.633" not in body
    # remove an entry: a thread nobody replied to goes; one with replies stays as an ordinary thread
    with session_scope(factory) as session:
        kept = session.scalar(select(Thread).where(Thread.curated_key == "paper-limits"))
        assert kept is not None
        session.add(Post(thread_id=kept.id, author_kind="person", body="a reply", attachments=[], citations=[]))
    entries = [e for e in read_entries(data) if e["key"] not in ("gelu-vs-relu", "paper-limits")]
    (data / "explanations.yaml").write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    with session_scope(factory) as session:
        load_reference_data(session, data)
        keys = set(session.scalars(select(Thread.curated_key).where(Thread.curated_key.is_not(None))))
        assert keys == CURATED_KEYS - {"gelu-vs-relu", "paper-limits"}
        assert session.get(Thread, kept.id) is not None
    engine.dispose()


def test_a_placeholder_naming_nothing_stops_the_load(tmp_path: Path, seeded_template: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    entries = read_entries(data)
    entries[0]["summary"] += " {{cell 1 | FFN_Mish | 524,288 steps}}"
    (data / "explanations.yaml").write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    path = tmp_path / "db.sqlite"
    shutil.copyfile(seeded_template, path)
    engine = create_db_engine(sqlite_settings(path))
    with make_session_factory(engine)() as session, pytest.raises(ValueError, match="FFN_Mish"):
        load_explanations(session, data)
    entries[0]["summary"] = entries[0]["summary"].replace(" {{cell 1 | FFN_Mish | 524,288 steps}}", " It is 3.14.")
    (data / "explanations.yaml").write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    with make_session_factory(engine)() as session, pytest.raises(ValueError, match="ungrounded"):
        load_explanations(session, data)
    engine.dispose()


def _curated_body(session: Session, key: str) -> str:
    thread = session.scalar(select(Thread).where(Thread.curated_key == key))
    assert thread is not None
    post = session.scalars(select(Post).where(Post.thread_id == thread.id).order_by(Post.id)).first()
    assert post is not None
    return str(post.body)


def test_settings_limits_have_descriptions() -> None:
    for name in ("thread_title_max_chars", "post_body_max_chars", "display_name_max_chars", "question_max_chars",
                 "post_quotes_max", "reply_depth_max", "thread_posts_max", "rephrase_endpoint_url"):
        assert (Settings.model_fields[name].description or "").strip(), name
    assert Settings().rephrase_endpoint_url is None  # type: ignore[call-arg]


def test_decimal_values_survive_as_printed(client: TestClient) -> None:
    answer = client.post("/api/v1/questions", json={"question": "What is the GLUE average of GEGLU?"}).json()
    cited = [c for c in answer["post"]["citations"] if c["kind"] == "result"]
    assert cited and all(Decimal(c["value_text"]) for c in cited)
    assert "84.12" in answer["post"]["body"]


def test_a_comparison_post_shows_the_result_when_the_job_finishes(client: TestClient, db_path: Path) -> None:
    from app.jobs.local import serve_forever

    asked = client.post("/api/v1/questions",
                        json={"question": "run a comparison of ReGLU and GLU with 20 steps and 2 seeds"})
    assert asked.status_code == 201, asked.text
    post = asked.json()["post"]
    job = post["attachments"][0]
    assert job["kind"] == "job" and job["page"] == f"/comparisons/{job['job_id']}"
    thread_url = f"/threads/{asked.json()['thread']['id']}"
    assert "job-queued" in client.get(thread_url).text
    serve_forever(sqlite_settings(db_path), once=True)  # the embedded worker runs the queued job
    page = client.get(thread_url).text
    assert "job-succeeded" in page
    assert re.search(r"<th scope=\"row\">ReGLU</th><td class=\"num\">\d\.\d{4} ± \d\.\d{4} \(2 runs\)", page)
    assert 'class="verdicts"' in page


@pytest.mark.postgres
def test_threads_and_questions_on_postgres(pg_settings: Settings) -> None:
    settings = pg_settings.model_copy(update={"rate_limit_writes_per_minute": 10_000, "thread_posts_max": 4})
    with open_client(settings) as client:
        curated = client.get("/api/v1/threads?curated=true").json()
        assert {t["curated_key"] for t in curated["items"]} == CURATED_KEYS
        asked = client.post("/api/v1/questions", json={"question": "Why does Gemma 2 use GeGLU?"})
        assert asked.status_code == 201, asked.text
        thread_id = asked.json()["thread"]["id"]
        follow = client.post("/api/v1/questions", json={"question": "what about Llama 3?", "thread_id": thread_id})
        assert follow.status_code == 201 and "swiglu" in follow.json()["post"]["body"]
        assert follow.json()["post"]["answer_meta"]["grounding"]["ok"]
        first = asked.json()["question_post"]["id"]
        # the thread holds four posts now: a fifth is refused by the conditional UPDATE
        full = client.post(f"/api/v1/threads/{thread_id}/posts", json={"body": "x", "quote_ids": [first]})
        assert full.status_code == 422 and full.json()["errors"][0]["loc"] == ["path", "thread_id"]
        page = client.get(f"/threads/{thread_id}")
        assert page.status_code == 200 and "How this was answered" in page.text


# --- moderation: hidden posts ------------------------------------------------------------------------------

ADMIN = "a-moderators-admin-token"


def test_admin_hides_a_post_and_the_tree_stays_intact(db_path: Path) -> None:
    settings = sqlite_settings(db_path, admin_token=ADMIN, rate_limit_writes_per_minute=10_000)
    auth = {"authorization": f"Bearer {ADMIN}"}
    with open_client(settings) as client:
        thread = new_thread(client, display_name="Ada")
        tid, first = thread["id"], thread["posts"][0]["id"]
        bad = client.post(f"/api/v1/threads/{tid}/posts",
                          json={"body": "SPAM **buy now**", "parent_id": first, "display_name": "Spammer"}).json()
        under = client.post(f"/api/v1/threads/{tid}/posts", json={"body": "a reply below it", "parent_id": bad["id"]})
        assert under.status_code == 201
        other = new_thread(client, title="Elsewhere", body="quoting it")
        quoting = client.post(f"/api/v1/threads/{other['id']}/posts", json={"body": "see", "quote_ids": [bad["id"]]})
        assert quoting.status_code == 201

        url = f"/api/v1/posts/{bad['id']}/hide"
        missing = client.post(url)
        assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
        wrong = client.post(url, headers={"authorization": "Bearer not-the-admin"})
        assert wrong.status_code == 401 and "invalid_token" in wrong.headers["www-authenticate"]
        assert client.get(f"/api/v1/threads/{tid}").json()["posts"][0]["replies"][0]["body"].startswith("SPAM")

        hidden = client.post(url, json={"reason": "advertising"}, headers=auth)
        assert hidden.status_code == 200, hidden.text
        assert hidden.json()["hidden"] is True and hidden.json()["hidden_reason"] == "advertising"
        assert hidden.json()["body"].startswith("SPAM")  # the admin sees what was hidden
        assert client.post(url, headers=auth).json()["hidden_reason"] == "advertising"  # idempotent

        doc = client.get(f"/api/v1/threads/{tid}").json()
        placeholder = doc["posts"][0]["replies"][0]
        assert placeholder["id"] == bad["id"] and placeholder["hidden"] is True
        assert placeholder["body"] == "" and placeholder["display_name"] is None
        assert "hidden by a moderator" in placeholder["body_html"]
        assert [r["body"] for r in placeholder["replies"]] == ["a reply below it"]  # replies stay attached
        assert doc["posts"][0]["hidden"] is False and doc["title"] == "GEGLU at scale?"
        assert "SPAM" not in client.get(f"/api/v1/threads/{tid}").text

        quote = client.get(f"/api/v1/threads/{other['id']}").json()["posts"][1]["quotes"][0]
        assert quote["hidden"] is True and quote["display_name"] is None and "SPAM" not in quote["excerpt"]

        page = client.get(f"/threads/{tid}")
        assert page.status_code == 200 and "This post was hidden by a moderator." in page.text
        assert "SPAM" not in page.text and "Spammer" not in page.text and "a reply below it" in page.text
        assert f'id="post-{bad["id"]}"' in page.text  # links to it still land in the right place
        assert "SPAM" not in client.get(f"/threads/{other['id']}").text
        assert "SPAM" not in client.get(f"/threads/{other['id']}?quote={bad['id']}").text

        # Hiding a thread's first post hides the title it gave the thread.
        assert client.post(f"/api/v1/posts/{first}/hide", headers=auth).status_code == 200
        listing = client.get("/api/v1/threads?curated=false").json()["items"]
        assert {t["id"]: t["title"] for t in listing}[tid] == "(title hidden by a moderator)"
        assert client.get(f"/api/v1/threads/{tid}").json()["title"] == "(title hidden by a moderator)"
        assert "GEGLU at scale?" not in client.get(f"/threads/{tid}").text

        shown = client.post(f"/api/v1/posts/{bad['id']}/unhide", headers=auth)
        assert shown.status_code == 200 and shown.json()["hidden"] is False
        again = client.get(f"/api/v1/threads/{tid}").json()["posts"][0]["replies"][0]
        assert again["body"] == "SPAM **buy now**" and again["display_name"] == "Spammer"
        assert client.post("/api/v1/posts/999999/hide", headers=auth).status_code == 404
