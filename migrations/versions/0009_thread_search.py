"""Full-text search over thread titles and posts.

SQLite: an FTS5 table ``thread_search`` (rowid = post id; the thread's title and the post's body, stemmed
with the porter tokenizer), filled from the stored posts and kept up to date by triggers on posts and
thread titles. PostgreSQL: GIN indexes on ``to_tsvector('english', …)`` of post bodies and thread titles,
the expressions app/thread_search.py queries. Neither is an ORM model (app.thread_search.search_object
names them for the drift check).

Revision ID: 0009_thread_search
Revises: 0008_bigint_ids
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009_thread_search"
down_revision: str | None = "0008_bigint_ids"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ROW = "(SELECT title FROM threads WHERE id = new.thread_id), new.body"
SQLITE_UP = [
    "CREATE VIRTUAL TABLE thread_search USING fts5(title, body, thread_id UNINDEXED, tokenize = 'porter unicode61')",
    "INSERT INTO thread_search (rowid, title, body, thread_id) "
    "SELECT p.id, t.title, p.body, p.thread_id FROM posts p JOIN threads t ON t.id = p.thread_id",
    "CREATE TRIGGER thread_search_post_insert AFTER INSERT ON posts BEGIN "
    f"INSERT INTO thread_search (rowid, title, body, thread_id) VALUES (new.id, {_ROW}, new.thread_id); END",
    "CREATE TRIGGER thread_search_post_update AFTER UPDATE OF body, thread_id ON posts BEGIN "
    "DELETE FROM thread_search WHERE rowid = old.id; "
    f"INSERT INTO thread_search (rowid, title, body, thread_id) VALUES (new.id, {_ROW}, new.thread_id); END",
    "CREATE TRIGGER thread_search_post_delete AFTER DELETE ON posts BEGIN "
    "DELETE FROM thread_search WHERE rowid = old.id; END",
    "CREATE TRIGGER thread_search_title_update AFTER UPDATE OF title ON threads BEGIN "
    "UPDATE thread_search SET title = new.title WHERE thread_id = new.id; END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS thread_search_title_update",
    "DROP TRIGGER IF EXISTS thread_search_post_delete",
    "DROP TRIGGER IF EXISTS thread_search_post_update",
    "DROP TRIGGER IF EXISTS thread_search_post_insert",
    "DROP TABLE IF EXISTS thread_search",
]
POSTGRES_UP = [
    "CREATE INDEX ix_posts_body_search ON posts USING gin (to_tsvector('english', body))",
    "CREATE INDEX ix_threads_title_search ON threads USING gin (to_tsvector('english', title))",
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS ix_threads_title_search", "DROP INDEX IF EXISTS ix_posts_body_search"]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_UP if dialect == "sqlite" else POSTGRES_UP if dialect == "postgresql" else []:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_DOWN if dialect == "sqlite" else POSTGRES_DOWN if dialect == "postgresql" else []:
        op.execute(statement)
