"""`actlab migrate` and `actlab seed` through app.cli.main: success, and exit code 2 with a clear message
(no traceback) for a database that cannot be used."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.cli.main import main
from tests.conftest import read_reference_csv


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str, *argv: str) -> tuple[
    int, str, str
]:
    monkeypatch.setenv("ACTLAB_DATABASE_URL", url)
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_migrate_then_seed(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "nested" / "folder" / "actlab.db"
    url = f"sqlite:///{db}"
    code, out, err = run(monkeypatch, capsys, url, "migrate")
    assert code == 0, err
    assert "latest migration" in out
    assert db.is_file()

    code, out, err = run(monkeypatch, capsys, url, "seed")
    assert code == 0, err
    assert "revision 1" in out and "updated" in out
    cells = sum(len(read_reference_csv(f"glu_variants_2020_table{n}.csv")) for n in (1, 2, 3, 4))
    cells += sum(len(read_reference_csv(f"narang_2021_{part}.csv")) for part in ("table1", "single_source"))
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM results").fetchone()[0] == cells
        assert conn.execute("SELECT count(*) FROM catalog_models").fetchone()[0] == len(
            read_reference_csv("model_catalog.csv") + read_reference_csv("model_catalog_extended.csv")
        )

    code, out, err = run(monkeypatch, capsys, url, "seed")
    assert code == 0, err
    assert "revision 1: no changes" in out


def test_seed_migrates_a_new_database_first(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(monkeypatch, capsys, f"sqlite:///{tmp_path / 'fresh.db'}", "seed")
    assert code == 0, err
    assert "revision 1" in out


def assert_clean_failure(code: int, out: str, err: str, *expected: str) -> None:
    assert code == 2
    assert err.startswith("actlab: "), err
    assert "Traceback" not in err and "Traceback" not in out
    for text in expected:
        assert text in err, err
    assert len(err.strip().splitlines()) <= 3, "one short message, not a dump"


@pytest.mark.parametrize("command", ["migrate", "seed"])
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url", ("ACTLAB_DATABASE_URL",)),
        ("mysql://user@localhost/actlab", ("unsupported database", "mysql")),
        ("sqlite+nosuchdriver:///x.db", ("cannot open", "nosuchdriver")),
    ],
)
def test_bad_url_is_exit_code_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: str, url: str,
    expected: tuple[str, ...],
) -> None:
    code, out, err = run(monkeypatch, capsys, url, command)
    assert_clean_failure(code, out, err, *expected)


@pytest.mark.parametrize("command", ["migrate", "seed"])
def test_path_under_proc_is_exit_code_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    code, out, err = run(monkeypatch, capsys, "sqlite:////proc/actlab-test/actlab.db", command)
    assert_clean_failure(code, out, err, "/proc/actlab-test")


@pytest.mark.parametrize("command", ["migrate", "seed"])
def test_file_used_as_a_folder_is_exit_code_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file, not a folder\n")
    code, out, err = run(monkeypatch, capsys, f"sqlite:///{blocker}/actlab.db", command)
    assert_clean_failure(code, out, err, str(blocker))
    assert blocker.read_text() == "a file, not a folder\n"


def test_unreachable_postgres_is_exit_code_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(monkeypatch, capsys, "postgresql+psycopg://postgres@127.0.0.1:1/actlab", "migrate")
    assert_clean_failure(code, out, err, "cannot connect")


def test_invalid_setting_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("ACTLAB_PAGE_SIZE_MAX", "0")
    code, out, err = run(monkeypatch, capsys, f"sqlite:///{tmp_path / 'x.db'}", "migrate")
    assert_clean_failure(code, out, err, "ACTLAB_PAGE_SIZE_MAX")


def test_unknown_subcommand_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["frobnicate"])
    assert exit_info.value.code == 2
    assert "usage: actlab" in capsys.readouterr().err
