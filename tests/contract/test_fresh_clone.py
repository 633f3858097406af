"""A clone of the repository stands on its own: the README's test command collects its tests in an empty
folder with nothing beside it (no ground truth or helper files outside the repository)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"git {' '.join(args)} failed in {cwd}:\n{done.stdout}{done.stderr}"
    return done.stdout.strip()


def committed_head() -> str:
    """The commit the tests run from; outside a git checkout (an unpacked archive) there is nothing to clone."""
    reason = ""
    if shutil.which("git") is None:
        reason = "git is not installed"
    elif not (ROOT / ".git").exists():
        reason = f"{ROOT} is not a git checkout"
    if reason:
        if IN_CI:
            pytest.fail(f"the fresh-clone check needs git: {reason}")
        pytest.skip(reason)
    return git("rev-parse", "HEAD", cwd=ROOT)


@pytest.mark.slow
def test_a_fresh_clone_collects_the_suite(tmp_path: Path) -> None:
    head = committed_head()
    folder = tmp_path / "empty"
    folder.mkdir()
    clone = folder / "activation-lab"
    git("clone", "--quiet", "--no-hardlinks", "--no-checkout", str(ROOT), str(clone), cwd=folder)
    git("fetch", "--quiet", "origin", "HEAD", cwd=clone)  # a detached HEAD is on no branch a clone copies
    git("checkout", "--quiet", "--detach", head, cwd=clone)
    assert sorted(p.name for p in folder.iterdir()) == ["activation-lab"]

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")},
        "PYTHONPATH": str(clone),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    # The clone's own code is what its tests import, not the checkout this venv was installed from.
    where = subprocess.run(
        [sys.executable, "-c", "import app; print(app.__file__)"],
        cwd=clone, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).resolve().is_relative_to(clone.resolve()), where.stdout

    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=clone, env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    output = collected.stdout + collected.stderr
    assert collected.returncode == 0, f"collection failed in a fresh clone of {head}:\n{output[-5000:]}"
    count = re.search(r"(\d+) tests? collected", output)
    assert count is not None and int(count.group(1)) > 0, output[-5000:]
