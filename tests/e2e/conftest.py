"""Browser end-to-end fixtures: one real `actlab serve` (with its embedded job worker) per session on a
temporary SQLite file, driven by Playwright in the system's headless Chromium.

- The browser is Debian's ``chromium`` (``/usr/bin/chromium``, or ``E2E_CHROMIUM``; ``scripts/test.sh``
  installs it in CI).
  Playwright's own browser downloads are never used. With ``CI=true`` a missing chromium or
  ``playwright`` package fails the run; elsewhere the tests are skipped with the reason.
- Every page a test opens is watched: console errors (CSP violations and failed loads show up there),
  uncaught page errors, failed requests and HTTP responses >= 400 are collected, and the test fails at
  teardown if there were any.
- ``Tab.shot()`` writes a screenshot to ``test-artifacts/screenshots/`` (git-ignored); the server's
  log goes to ``test-artifacts/e2e-server.log``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request, Response

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Server settings of the session: the test environment (it serves the vendored axe-core), no rate limits
# (one client sends everything), and a job reports its progress often enough that a run of a few seconds
# shows several live updates.
SERVER_ENV = {
    "ACTLAB_ENVIRONMENT": "test",
    "ACTLAB_LOG_LEVEL": "warning",
    "ACTLAB_LOG_FORMAT": "text",
    "ACTLAB_RATE_LIMIT_READS_PER_MINUTE": "10000000",
    "ACTLAB_RATE_LIMIT_WRITES_PER_MINUTE": "1000000",
    "ACTLAB_WORKER_POLL_SECONDS": "0.2",
    "ACTLAB_JOB_EVENT_FLUSH_SECONDS": "0.1",
}
SERVER_START_SECONDS = 120
NAVIGATION_TIMEOUT_MS = 30_000
ACTION_TIMEOUT_MS = 10_000


def unavailable(what: str) -> None:
    """In CI a missing browser is a failure, never a skip; locally it is a skip with the reason."""
    if IN_CI:
        pytest.fail(f"{what} (CI=true: the browser tests must run)")
    pytest.skip(what)


def chromium_path() -> str | None:
    """E2E_CHROMIUM if set (another Chromium build), else Debian's /usr/bin/chromium, else one on PATH."""
    wanted = os.environ.get("E2E_CHROMIUM")
    if wanted is not None:
        return wanted if os.access(wanted, os.X_OK) else None
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Check the browser stack before the server starts, so a missing one costs no time."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        unavailable(f"the playwright package is not installed ({exc}); pip install -e '.[test]'")
    path = chromium_path()
    if path is None:
        unavailable(
            f"chromium is not installed ({os.environ.get('E2E_CHROMIUM') or '/usr/bin/chromium'} missing; "
            "apt-get install -y chromium)"
        )
    assert path is not None
    return path


@pytest.fixture(scope="session")
def server(chromium_executable: str) -> Iterator[str]:
    """Base URL of a real `actlab serve` (migrations, seed, embedded worker) on a temporary SQLite file."""
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / "e2e-server.log"
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="actlab-e2e-") as tmp, log_path.open("wb") as log:
        env = {
            **os.environ,
            **SERVER_ENV,
            "ACTLAB_DATABASE_URL": f"sqlite:///{tmp}/e2e.db",
            "ACTLAB_HOST": "127.0.0.1",
            "ACTLAB_PORT": str(port),
        }
        # A session of its own, so teardown can stop the server and the worker it started together.
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_ready(base, proc, log_path)
            yield base
        finally:
            _stop(proc)


def _wait_until_ready(base: str, proc: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while True:
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"actlab serve exited with {proc.returncode}:\n{log_path.read_text()[-4000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"actlab serve not ready in {SERVER_START_SECONDS} s:\n{log_path.read_text()[-4000:]}")
        time.sleep(0.2)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="session")
def browser(chromium_executable: str) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Tab:
    """One browser tab on the test server; everything that goes wrong on it is kept in ``problems``."""

    page: Page
    base: str
    test_name: str
    problems: list[str] = field(default_factory=list)
    shots: int = 0

    def goto(self, path: str) -> Response:
        response = self.page.goto(self.base + path)
        assert response is not None, f"no response for {path}"
        assert response.ok, f"GET {path}: HTTP {response.status}"
        return response

    def path(self) -> str:
        return self.page.url.removeprefix(self.base)

    def shot(self, label: str) -> Path:
        """A full-page screenshot: test-artifacts/screenshots/<test>-<n>-<label>.png."""
        self.shots += 1
        name = re.sub(r"[^A-Za-z0-9_.]+", "-", f"{self.test_name}-{self.shots:02d}-{label}").strip("-")
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def watch(page: Page, problems: list[str]) -> None:
    """Collect console errors, page errors, failed requests and error responses of one page."""

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "") if message.location else ""
            problems.append(f"console error on {page.url}: {message.text} [{where}]")

    def on_request_failed(request: Request) -> None:
        failure = request.failure or ""
        # ERR_ABORTED is the browser cancelling a request itself: the page navigates on before the
        # favicon arrived, a newer re-plot supersedes an older fetch, the live view reloads once its job
        # finished. Server errors arrive as responses (below); blocked loads fail with another reason.
        if failure == "net::ERR_ABORTED":
            return
        problems.append(f"request failed: {request.method} {request.url} ({request.resource_type}): {failure}")

    def on_response(response: Response) -> None:
        if response.status >= 400:
            problems.append(f"HTTP {response.status} for {response.request.method} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"uncaught error on {page.url}: {error}"))
    page.on("requestfailed", on_request_failed)
    page.on("response", on_response)


@pytest.fixture
def open_tab(browser: Browser, server: str, request: pytest.FixtureRequest) -> Iterator[Callable[..., Tab]]:
    """``open_tab(javascript=True)`` -> a watched tab in a fresh browser context. At teardown the test
    fails if any tab saw a console error, a page error, a failed request or an error response."""
    contexts: list[BrowserContext] = []
    tabs: list[Tab] = []

    def open_(javascript: bool = True, **context_args: Any) -> Tab:
        context = browser.new_context(
            java_script_enabled=javascript, viewport={"width": 1280, "height": 900}, **context_args
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        name = request.node.name
        if not javascript and "nojs" not in name:
            name += "-nojs"
        if tabs:
            name += f"-tab{len(tabs) + 1}"
        tab = Tab(page, server, name)
        watch(page, tab.problems)
        tabs.append(tab)
        return tab

    yield open_
    for context in contexts:
        context.close()
    problems = [p for tab in tabs for p in tab.problems]
    if problems:
        pytest.fail("browser problems:\n" + "\n".join(problems), pytrace=False)
