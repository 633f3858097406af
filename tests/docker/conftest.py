"""Fixtures of the Docker tests: the engine (started here when installed but down) and the built image."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

import pytest

from tests.docker.engine import Containers, build_image, running_engine


@pytest.fixture(scope="session")
def docker_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with running_engine(tmp_path_factory.mktemp("dockerd")):
        yield


@pytest.fixture(scope="session")
def built_image(docker_engine: None) -> dict[str, Any]:
    """The image, built once per run on the layer cache (see ``build_image``)."""
    return build_image()


@pytest.fixture
def containers(built_image: dict[str, Any], request: pytest.FixtureRequest) -> Iterator[Containers]:
    """The test's containers; their last log lines go into the report when the test fails."""
    started = Containers()
    try:
        yield started
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            for name in started.names:
                print(f"--- docker logs {name} ---\n{started.logs(name)}")
        started.remove_all()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the item, so a fixture's teardown knows whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report

