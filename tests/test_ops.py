"""Operations: scrape-time metrics (queue, durations, heartbeats, posts) and backup/restore of user data
(`actlab export` / `actlab import`): a round trip SQLite -> PostgreSQL -> SQLite gives the same API answers,
and a bad file is refused whole, with a clear message."""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select, update

from app import backup
from app.cli.common import migrate
from app.cli.main import main
from app.clock import utcnow
from app.config import Settings
from app.db import create_db_engine, make_session_factory
from app.jobs import local, queue
from app.orm import Base, Job, JobEvent, Post, PostQuote, Thread
from tests.conftest import open_client, sqlite_settings
from tests.jobs.test_comparisons import FAST_WORKER, TINY, read_events

#: The curated explanation threads the seed writes: one per entry of the shipped explanations file.
CURATED = len(yaml.safe_load((Path(__file__).resolve().parents[1] / "app/data/explanations.yaml").read_text("utf-8")))
ADMIN = "an-operators-admin-token"
AUTH = {"authorization": f"Bearer {ADMIN}"}


def samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics as {(name, sorted labels): value}."""
    response = client.get("/metrics")
    assert response.status_code == 200
    out = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


# --- metrics --------------------------------------------------------------------------------------------


def test_metrics_show_queue_durations_heartbeats_and_posts(db_path: Path) -> None:
    # figures are read before and after a job; scrape caching (its own test) must not serve the first set again
    settings = sqlite_settings(db_path, admin_token=ADMIN, metrics_cache_seconds=0, **FAST_WORKER)
    engine = create_db_engine(settings)
    factory = make_session_factory(engine)
    try:
        with open_client(settings) as client:
            before = samples(client)
            assert before[("actlab_jobs", (("status", "queued"),))] == 0
            assert before[("actlab_job_oldest_queued_age_seconds", ())] == 0
            curated_posts = before[("actlab_posts_total", (("author_kind", "service"),))]
            assert curated_posts >= 8 and before[("actlab_threads_total", ())] >= 8

            thread = client.post("/api/v1/threads", json={"title": "t", "body": "first"}).json()
            reply = client.post(f"/api/v1/threads/{thread['id']}/posts", json={"body": "second"}).json()
            assert client.post(f"/api/v1/posts/{reply['id']}/hide", headers=AUTH).status_code == 200

            done = client.post("/api/v1/comparisons", json=TINY).json()["id"]
            local.serve_forever(settings, once=True)  # the first job runs to the end
            running = client.post("/api/v1/comparisons", json={**TINY, "steps": 7}).json()["id"]
            waiting = client.post("/api/v1/comparisons", json={**TINY, "steps": 8}).json()["id"]
            claimed = queue.claim(factory, "local:host:1234:abcdef", job_id=running)
            assert claimed is not None
            with factory() as session:  # its worker last beat 42 s ago; the oldest queued job waited 90 s
                ago = utcnow() - timedelta(seconds=42)
                session.execute(update(Job).where(Job.id == running).values(heartbeat_at=ago))
                ago = utcnow() - timedelta(seconds=90)
                session.execute(update(Job).where(Job.id == waiting).values(created_at=ago))
                session.commit()

            after = samples(client)
            jobs = {status: after[("actlab_jobs", (("status", status),))] for status in
                    ("queued", "running", "succeeded", "failed", "cancelled")}
            assert jobs == {"queued": 1, "running": 1, "succeeded": 1, "failed": 0, "cancelled": 0}
            assert 89 <= after[("actlab_job_oldest_queued_age_seconds", ())] < 120
            labels = (("job", running), ("worker", "local:host:1234:abcdef"))
            age = after[("actlab_worker_heartbeat_age_seconds", labels)]
            assert 41 <= age < 60
            with factory() as session:
                job = queue.get_job(session, done)
                assert job.started_at is not None and job.finished_at is not None
                took = (job.finished_at - job.started_at).total_seconds()
            assert after[("actlab_job_duration_seconds_count", (("status", "succeeded"),))] == 1
            total = after[("actlab_job_duration_seconds_sum", (("status", "succeeded"),))]
            assert total == pytest.approx(took, abs=0.01)
            assert after[("actlab_job_duration_seconds_bucket", (("le", "+Inf"), ("status", "succeeded")))] == 1
            assert after[("actlab_job_duration_seconds_bucket", (("le", "15"), ("status", "succeeded")))] == 1
            assert after[("actlab_posts_total", (("author_kind", "person"),))] == 2
            assert after[("actlab_posts_total", (("author_kind", "service"),))] == curated_posts
            assert after[("actlab_threads_total", ())] == before[("actlab_threads_total", ())] + 1
            assert after[("actlab_posts_hidden", ())] == 1
            assert not any(name == "actlab_metrics_callback_errors" for name, _ in after)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_metrics_on_postgres(pg_settings: Settings) -> None:
    with open_client(pg_settings.model_copy(update=FAST_WORKER)) as client:
        job_id = client.post("/api/v1/comparisons", json=TINY).json()["id"]
        local.serve_forever(pg_settings.model_copy(update=FAST_WORKER), once=True)
        assert client.get(f"/api/v1/comparisons/{job_id}").json()["status"] == "succeeded"
        after = samples(client)
        assert after[("actlab_jobs", (("status", "succeeded"),))] == 1
        assert after[("actlab_job_duration_seconds_count", (("status", "succeeded"),))] == 1
        assert 0 < after[("actlab_job_duration_seconds_sum", (("status", "succeeded"),))] < 60
        assert not any(name == "actlab_metrics_callback_errors" for name, _ in after)


# --- backup and restore ---------------------------------------------------------------------------------


def test_the_export_format_covers_every_column_of_the_user_tables() -> None:
    """A new column must be added to the format (and its version considered) before it can be lost."""
    for name, columns in backup.COLUMNS.items():
        assert set(columns) == set(Base.metadata.tables[name].columns.keys()), name


def make_user_data(client: TestClient, settings: Settings) -> dict[str, Any]:
    """Threads, replies, quotes (across threads and of a curated thread), a hidden post, and jobs in every
    state a restore must keep: succeeded (with results and events), cancelled, queued."""
    curated = client.get("/api/v1/threads?curated=true").json()["items"][0]
    curated_first = client.get(f"/api/v1/threads/{curated['id']}").json()["posts"][0]["id"]
    a = client.post("/api/v1/threads", json={"title": "Round trip", "body": "Is **GEGLU** better?",
                                             "display_name": "Ada"}).json()
    r1 = client.post(f"/api/v1/threads/{a['id']}/posts",
                     json={"body": "Replying — with ünïcödé", "parent_id": a["posts"][0]["id"]}).json()
    client.post(f"/api/v1/threads/{a['id']}/posts", json={"body": "deeper", "parent_id": r1["id"]})
    b = client.post("/api/v1/threads", json={"title": "Second", "body": "quoting", "display_name": "Bo"}).json()
    client.post(f"/api/v1/threads/{b['id']}/posts", json={"body": "see both", "quote_ids": [r1["id"], curated_first]})
    client.post(f"/api/v1/threads/{curated['id']}/posts", json={"body": "a reply to a curated thread"})
    spam = client.post(f"/api/v1/threads/{b['id']}/posts", json={"body": "spam"}).json()
    assert client.post(f"/api/v1/posts/{spam['id']}/hide", json={"reason": "spam"}, headers=AUTH).status_code == 200
    asked = client.post("/api/v1/questions", json={"question": "Is GEGLU better than SwiGLU?"})
    assert asked.status_code == 201, asked.text

    succeeded = client.post("/api/v1/comparisons", json=TINY).json()
    local.serve_forever(settings, once=True)
    cancelled = client.post("/api/v1/comparisons", json={**TINY, "steps": 7}).json()
    token = {"authorization": f"Bearer {cancelled['cancel_token']}"}
    assert client.delete(f"/api/v1/comparisons/{cancelled['id']}", headers=token).status_code == 200
    queued = client.post("/api/v1/comparisons", json={**TINY, "steps": 8}).json()
    return {"threads": [a["id"], b["id"], curated["id"]], "jobs": [succeeded["id"], cancelled["id"], queued["id"]],
            "finished_jobs": [succeeded["id"], cancelled["id"]], "queued_token": queued["cancel_token"]}


def api_answers(client: TestClient, made: dict[str, Any]) -> dict[str, Any]:
    """The API answers a restore must reproduce: thread list and documents, job list, jobs, event streams."""
    threads = client.get("/api/v1/threads?limit=500").json()
    out: dict[str, Any] = {"threads": threads, "jobs": client.get("/api/v1/comparisons?limit=500").json()}
    for item in threads["items"]:
        out[f"thread {item['id']}"] = client.get(f"/api/v1/threads/{item['id']}").json()
    for job_id in made["jobs"]:
        out[f"job {job_id}"] = client.get(f"/api/v1/comparisons/{job_id}").json()
    for job_id in made["finished_jobs"]:
        out[f"events {job_id}"] = read_events(client, job_id)
    return out


def rows_of(path: Path) -> list[str]:
    """The data lines of an export (header and end line aside)."""
    if path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8") as packed:
            lines = packed.read().splitlines()
    else:
        lines = path.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["format"] == "actlab-user-data" and json.loads(lines[-1])["end"] is True
    return lines[1:-1]


def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str, *argv: str) -> tuple[
    int, str, str
]:
    monkeypatch.setenv("ACTLAB_DATABASE_URL", url)
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.postgres
def test_export_import_round_trip_sqlite_postgres_sqlite(
    db_path: Path, pg_url: str, seeded_template: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    source = sqlite_settings(db_path, admin_token=ADMIN, rate_limit_writes_per_minute=10_000, **FAST_WORKER)
    with open_client(source) as client:
        made = make_user_data(client, source)
        original = api_answers(client, made)
    assert any(p["hidden"] for p in original[f"thread {made['threads'][1]}"]["posts"])

    first = tmp_path / "from-sqlite.jsonl.gz"
    code, out, err = run_cli(monkeypatch, capsys, source.database_url, "export", str(first))
    assert code == 0, err
    assert "exported" in out and "jobs" in out

    # Into an empty PostgreSQL database (import migrates it), then the reference data as the operator would.
    code, out, err = run_cli(monkeypatch, capsys, pg_url, "import", str(first))
    assert code == 0, err
    assert "imported" in out and "actlab seed" in out
    code, out, err = run_cli(monkeypatch, capsys, pg_url, "seed")
    assert code == 0, err
    assert f"curated_threads         0 inserted    0 updated    0 deleted {CURATED:>4} unchanged" in out
    pg = Settings(database_url=pg_url, environment="test", admin_token=ADMIN, **FAST_WORKER)  # type: ignore[arg-type]
    with open_client(pg) as client:
        assert api_answers(client, made) == original
        # the submitter's token still cancels the restored job; new rows get fresh ids (sequences moved)
        assert client.delete(f"/api/v1/comparisons/{made['jobs'][2]}",
                             headers={"authorization": f"Bearer {made['queued_token']}"}).status_code == 200
        newest = max(t["id"] for t in original["threads"]["items"])
        created = client.post("/api/v1/threads", json={"title": "after the restore", "body": "new"})
        assert created.status_code == 201 and created.json()["id"] == newest + 1

    # Back from PostgreSQL into a fresh SQLite that `actlab seed` already filled (its curated threads are replaced).
    second = tmp_path / "from-postgres.jsonl"
    code, _, err = run_cli(monkeypatch, capsys, pg_url, "export", str(second))
    assert code == 0, err
    restored_path = tmp_path / "restored.db"
    shutil.copyfile(seeded_template, restored_path)
    restored = sqlite_settings(restored_path, **FAST_WORKER)
    code, out, err = run_cli(monkeypatch, capsys, restored.database_url, "import", str(second))
    assert code == 0, err
    assert f"replaced the {CURATED} curated threads" in out
    with open_client(restored) as client:
        answers = api_answers(client, made)
    # the same, except what happened on PostgreSQL after the first restore
    assert answers[f"job {made['jobs'][0]}"] == original[f"job {made['jobs'][0]}"]
    assert answers[f"events {made['jobs'][0]}"] == original[f"events {made['jobs'][0]}"]
    for thread_id in made["threads"]:
        assert answers[f"thread {thread_id}"] == original[f"thread {thread_id}"]
    assert answers[f"job {made['jobs'][2]}"]["status"] == "cancelled"
    assert len(answers["threads"]["items"]) == len(original["threads"]["items"]) + 1
    # and row for row the same data as the first export, apart from the two later writes
    first_rows, second_rows = set(rows_of(first)), set(rows_of(second))
    assert len(first_rows - second_rows) == 1  # the queued job, cancelled on PostgreSQL since
    assert {json.loads(r)["table"] for r in second_rows - first_rows} == {"threads", "posts", "jobs", "job_events"}


@pytest.fixture
def exported(db_path: Path, tmp_path: Path) -> Iterator[tuple[Settings, Path]]:
    """A SQLite database with user data, and its export."""
    settings = sqlite_settings(db_path, admin_token=ADMIN, rate_limit_writes_per_minute=10_000, **FAST_WORKER)
    with open_client(settings) as client:
        client.post("/api/v1/threads", json={"title": "one", "body": "first"})
        thread = client.post("/api/v1/threads", json={"title": "two", "body": "second"}).json()
        reply = {"body": "reply", "parent_id": thread["posts"][0]["id"]}
        client.post(f"/api/v1/threads/{thread['id']}/posts", json=reply)
        client.post("/api/v1/comparisons", json=TINY)
    path = tmp_path / "export.jsonl"
    backup.export_data(settings, str(path))
    yield settings, path


def user_rows(settings: Settings) -> dict[str, int]:
    engine = create_db_engine(settings)
    try:
        with make_session_factory(engine)() as session:
            return {
                name: session.scalar(select(func.count()).select_from(model)) or 0
                for name, model in (("threads", Thread), ("posts", Post), ("post_quotes", PostQuote),
                                    ("jobs", Job), ("job_events", JobEvent))
            }
    finally:
        engine.dispose()


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_is_all_or_nothing_and_names_the_problem(
    exported: tuple[Settings, Path], seeded_template: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    source, path = exported
    lines = path.read_text(encoding="utf-8").splitlines()
    target_path = tmp_path / "target.db"
    shutil.copyfile(seeded_template, target_path)
    target = sqlite_settings(target_path)
    empty = user_rows(target)
    header = json.loads(lines[0])

    def refused(file: Path, *expected: str) -> None:
        code, out, err = run_cli(monkeypatch, capsys, target.database_url, "import", str(file))
        assert code == 2, (out, err)
        assert err.startswith("actlab: error: import refused: ") and "Traceback" not in err
        for text in expected:
            assert text in err, err
        assert user_rows(target) == empty  # nothing written, the seeded curated threads untouched

    refused(write_lines(tmp_path / "v2.jsonl", [json.dumps({**header, "version": 2}), *lines[1:]]),
            "format version 2", "reads version 1 only")
    refused(write_lines(tmp_path / "other.jsonl", ['{"hello": "world"}', *lines[1:]]), "not an Activation Lab export")
    refused(write_lines(tmp_path / "cut.jsonl", lines[:-3]), "truncated")
    posts = [i for i, line in enumerate(lines) if line.startswith('{"table": "posts"')]
    broken = list(lines)
    row = json.loads(broken[posts[-1]])
    row["row"]["thread_id"] = 999_999  # a post of a thread that is not in the file: rows before it were valid
    broken[posts[-1]] = json.dumps(row)
    refused(write_lines(tmp_path / "fk.jsonl", broken), "break a constraint", "nothing was imported")
    typed = list(lines)
    row = json.loads(typed[posts[0]])
    row["row"]["created_at"] = "yesterday"
    typed[posts[0]] = json.dumps(row)
    refused(write_lines(tmp_path / "type.jsonl", typed), f"line {posts[0] + 1}", "posts.created_at", "ISO 8601")
    extra = list(lines)
    row = json.loads(extra[posts[0]])
    row["row"]["is_admin"] = True
    extra[posts[0]] = json.dumps(row)
    refused(write_lines(tmp_path / "column.jsonl", extra), "unknown ['is_admin']")
    # a database that already holds user data is refused too
    code, _, err = run_cli(monkeypatch, capsys, source.database_url, "import", str(path))
    assert code == 2 and "already holds user data" in err

    code, _, err = run_cli(monkeypatch, capsys, target.database_url, "import", str(path))
    assert code == 0, err
    assert user_rows(target) == user_rows(source)


def test_export_reads_one_snapshot_and_writes_the_file_only_when_complete(
    exported: tuple[Settings, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, _ = exported
    target = tmp_path / "nested" / "backup.jsonl.gz"

    def fail(*_: Any, **__: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(backup, "_dump_value", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        backup.export_data(settings, str(target))
    assert not target.exists() and list(target.parent.iterdir()) == []  # no half-written backup left behind
    monkeypatch.undo()
    counts = backup.export_data(settings, str(target))
    assert counts == user_rows(settings)
    assert len(rows_of(target)) == sum(counts.values())


def test_import_needs_a_migrated_database(exported: tuple[Settings, Path], tmp_path: Path) -> None:
    _, path = exported
    bare = sqlite_settings(tmp_path / "bare.db")
    with pytest.raises(backup.BackupError, match="actlab migrate"):
        backup.import_data(bare, str(path))
    migrate(bare)
    report = backup.import_data(bare, str(path))
    assert report.counts["threads"] == 2 + CURATED and report.replaced_curated_threads == 0
