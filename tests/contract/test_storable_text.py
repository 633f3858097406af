"""Text a database cannot store — a NUL character, an unpaired surrogate — is refused with a 422 naming the
field, on SQLite and on PostgreSQL, in JSON bodies, forms, query strings and paths, and nothing is written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.exc import DataError, OperationalError

from app.config import Settings
from app.http.problems import FieldError, problem_response
from app.storable_text import NUL_MESSAGE, SURROGATE_MESSAGE
from tests.conftest import open_client, sqlite_settings

ADMIN = "an-admin-token-for-the-text-tests"
AUTH = {"authorization": f"Bearer {ADMIN}", "content-type": "application/json"}
JSON = {"content-type": "application/json"}
BAD = {"\x00": NUL_MESSAGE, "\ud800": SURROGATE_MESSAGE}
COUNTED = ("threads", "posts", "post_quotes", "jobs")


@pytest.fixture(params=["sqlite", "postgresql"])
def admin_client(request: pytest.FixtureRequest) -> Iterator[TestClient]:
    base: Settings = request.getfixturevalue("settings" if request.param == "sqlite" else "pg_settings")
    update = {
        "admin_token": SecretStr(ADMIN),
        "rate_limit_writes_per_minute": 100_000,
        "rate_limit_reads_per_minute": 100_000,
    }
    with open_client(base.model_copy(update=update)) as client:
        yield client


def _counts(client: TestClient) -> dict[str, Any]:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        out: dict[str, Any] = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in COUNTED}
        out["result_1"] = conn.execute(text("SELECT value_text FROM results WHERE id = 1")).scalar()
        out["hidden"] = conn.execute(text("SELECT count(*) FROM posts WHERE hidden_at IS NOT NULL")).scalar()
    return out


def _refused(response: Any, loc: list[str | int], message: str) -> None:
    assert response.status_code == 422, (response.request.url, response.text[:400])
    assert response.headers["content-type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert any(e["loc"] == loc and message in e["msg"] for e in errors), errors


def _raw(payload: dict[str, Any]) -> bytes:
    """JSON as a client writes it: a lone surrogate travels as its escape ("\\ud800")."""
    return json.dumps(payload, ensure_ascii=True).encode()


def test_json_write_endpoints_refuse_nul_and_lone_surrogates(admin_client: TestClient) -> None:
    client = admin_client
    thread = client.post("/api/v1/threads", json={"title": "Text", "body": "first"}).json()
    tid, pid = thread["id"], thread["posts"][0]["id"]
    writes: list[tuple[str, str, dict[str, Any], list[str | int], dict[str, str]]] = []
    for field in ("title", "body", "display_name"):
        good = {"title": "t", "body": "b", "display_name": "Ada"}
        writes.append(("POST", "/api/v1/threads", good, ["body", field], JSON))
    for field in ("body", "display_name"):
        writes.append(
            ("POST", f"/api/v1/threads/{tid}/posts", {"body": "b", "display_name": "Ada"}, ["body", field], JSON)
        )
    for field in ("question", "display_name"):
        writes.append(
            ("POST", "/api/v1/questions", {"question": "what is GEGLU?", "display_name": "Ada"}, ["body", field], JSON)
        )
    writes.append(("POST", f"/api/v1/posts/{pid}/hide", {"reason": "r"}, ["body", "reason"], AUTH))
    for field in ("value_text", "stddev_text"):
        writes.append(
            ("PATCH", "/api/v1/results/1", {"value_text": "1.0", "stddev_text": "0.1"}, ["body", field], AUTH)
        )
    before = _counts(client)
    for method, url, good, loc, headers in writes:
        for bad, message in BAD.items():
            payload = {**good, str(loc[-1]): f"x{bad}y"}
            _refused(client.request(method, url, content=_raw(payload), headers=headers), loc, message)
    corpus = {"kind": "quality", "steps": 10, "corpus": {"kind": "text", "text": ""}}
    for bad, message in BAD.items():
        corpus["corpus"] = {"kind": "text", "text": f"some text {bad} more"}
        _refused(
            client.post("/api/v1/comparisons", content=_raw(corpus), headers=JSON),
            ["body", "corpus", "text", "text"],
            message,
        )
        variants = {"kind": "speed", "variants": [f"ReLU{bad}"]}
        _refused(
            client.post("/api/v1/comparisons", content=_raw(variants), headers=JSON), ["body", "variants", 0], message
        )
    assert _counts(client) == before


def test_page_forms_refuse_nul(admin_client: TestClient) -> None:
    client = admin_client
    thread = client.post("/api/v1/threads", json={"title": "Forms", "body": "first"}).json()
    before = _counts(client)
    forms = [
        ("/threads", {"title": "t\x00", "body": "b"}, "title"),
        ("/threads", {"title": "t", "body": "b", "display_name": "A\x00"}, "display_name"),
        (f"/threads/{thread['id']}/posts", {"body": "b\x00"}, "body"),
        (f"/threads/{thread['id']}/ask", {"question": "what\x00?"}, "question"),
        ("/ask", {"question": "what\x00?"}, "question"),
        ("/comparisons", {"kind": "quality", "corpus_text": "text \x00 here"}, "corpus_text"),
    ]
    for url, data, field in forms:
        _refused(client.post(url, data=data, follow_redirects=False), ["body", field], NUL_MESSAGE)
    multipart = client.post(
        "/comparisons",
        data={"kind": "quality"},
        files={"corpus_file": ("c.txt", b"text \x00 here", "text/plain")},
        follow_redirects=False,
    )
    _refused(multipart, ["body", "corpus_file"], NUL_MESSAGE)
    assert _counts(client) == before


@pytest.mark.parametrize(
    "url, loc",
    [
        ("/api/v1/results?benchmark=GLUE%00", ["query", "benchmark"]),
        ("/api/v1/results?metric=%00&variant=geglu", ["query", "metric"]),
        ("/api/v1/models?organization=goo%00gle", ["query", "organization"]),
        ("/api/v1/compare?a=FFN_GEGLU&b=%00", ["query", "b"]),
        ("/api/v1/variants/gelu%00", ["path", "name"]),
        ("/api/v1/papers/glu%00", ["path", "paper_id"]),
        ("/api/v1/models/gemma%00", ["path", "name"]),
        ("/api/v1/architectures/Gemma%002", ["path", "family"]),
        ("/api/v1/threads/1%00", ["path", "thread_id"]),
        ("/api/v1/comparisons/%00", ["path", "job_id"]),
        ("/api/v1/curves?fn=gelu%00", ["query", "fn"]),
        ("/api/v1/threads?x%00=1", ["query", "x\x00"]),
    ],
)
def test_query_and_path_values_with_nul_are_refused(each_database_client: TestClient, url: str, loc: list[str]) -> None:
    _refused(each_database_client.get(url), loc, NUL_MESSAGE)


def test_a_lone_surrogate_as_a_field_name_is_a_422(client: TestClient) -> None:
    response = client.post("/api/v1/threads", content=_raw({"title": "t", "body": "b", "\ud800": 1}), headers=JSON)
    assert response.status_code == 422 and response.json()["errors"][0]["loc"][0] == "body"


def test_an_echoed_lone_surrogate_does_not_break_the_error_answer() -> None:
    """Whatever a problem echoes from the input is encodable: a lone surrogate is shown as U+FFFD."""
    response = problem_response(
        422, "unknown variant 'x\ud800'", errors=[FieldError(loc=["body", "\ud800"], msg="unknown")]
    )
    body = json.loads(response.body)
    assert body["detail"] == "unknown variant 'x\ufffd'" and body["errors"][0]["loc"] == ["body", "\ufffd"]


def test_database_errors_map_to_422_and_503_with_retry_after(tmp_path: Path) -> None:
    """The last line: a value a column cannot hold is the client's 422; an unreachable database a 503."""
    with open_client(sqlite_settings(tmp_path / "x.db")) as client:
        app = client.app

        @app.get("/test-only/data-error")  # type: ignore[attr-defined,untyped-decorator]
        def _data_error() -> None:
            raise DataError("INSERT …", {}, Exception("value too long"))

        @app.get("/test-only/operational-error")  # type: ignore[attr-defined,untyped-decorator]
        def _unavailable() -> None:
            raise OperationalError("SELECT 1", {}, Exception("connection refused"))

        stored = client.get("/test-only/data-error")
        assert stored.status_code == 422 and stored.json()["detail"] == "a value the database cannot store"
        assert "value too long" not in stored.text
        down = client.get("/test-only/operational-error")
        assert down.status_code == 503 and int(down.headers["retry-after"]) >= 1


def test_a_pasted_corpus_over_its_byte_limit_is_a_413_naming_the_field(client: TestClient) -> None:
    """Over 1 MiB in the form's text box (urlencoded or multipart, as the page sends it with a file input)."""
    limit = client.app.state.settings.compare_corpus_max_bytes  # type: ignore[attr-defined]
    text_over = "a" * (1024 * 1024 + 10)
    assert len(text_over) > limit
    urlencoded = client.post("/comparisons", data={"kind": "quality", "corpus_text": text_over}, follow_redirects=False)
    multipart = client.post(
        "/comparisons",
        data={"kind": "quality", "corpus_text": text_over},
        files={"corpus_file": ("", b"", "application/octet-stream")},
        follow_redirects=False,
    )
    for response in (urlencoded, multipart):
        assert response.status_code == 413, response.text[:300]
        assert response.headers["content-type"] == "application/problem+json"
        error = response.json()["errors"][0]
        assert error["loc"] == ["body", "corpus_text"] and error["limit"] == limit
        assert "ACTLAB_COMPARE_CORPUS_MAX_BYTES" in response.json()["detail"]


def test_every_page_form_is_read_through_the_checked_reader() -> None:
    """Page routes read forms with app.http.inputs.read_form (checked fields, no parser-made 400)."""
    root = Path(__file__).resolve().parents[2] / "app"
    readers = [
        p.relative_to(root).as_posix()
        for d in ("web", "api")
        for p in (root / d).rglob("*.py")
        if "request.form(" in p.read_text(encoding="utf-8")
    ]
    assert readers == []
