"""The asker the answer tests share: the service's pipeline on a module's own copy of the seeded SQLite file,
so each test module asks in threads of its own and no module sees another's posts."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.db import create_db_engine, make_session_factory
from tests.answers import eval_runner as ev
from tests.conftest import sqlite_settings


@pytest.fixture(scope="module")
def asker(seeded_template: Path, tmp_path_factory: pytest.TempPathFactory,
          request: pytest.FixtureRequest) -> Iterator[ev.Asker]:
    path = tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1]) / "answers.db"
    shutil.copyfile(seeded_template, path)
    settings = sqlite_settings(path)
    engine = create_db_engine(settings)
    try:
        yield ev.pipeline_asker(make_session_factory(engine), settings)
    finally:
        engine.dispose()
