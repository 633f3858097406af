"""``/static``: the files under app/static, except test tooling outside the test environment.

axe-core (app/static/vendor/axe-core) is vendored for the browser accessibility tests only; a deployment
has no use for 650 KB of audit script, so outside ``environment == "test"`` its folder answers 404 like
any missing file.
"""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

#: Folders under app/static served only when the environment is "test".
TEST_ONLY_FOLDERS = ("vendor/axe-core",)


class SiteStaticFiles(StaticFiles):
    """StaticFiles that hides the test-only folders unless ``serve_test_tools``."""

    def __init__(self, directory: Path, *, serve_test_tools: bool) -> None:
        super().__init__(directory=directory)
        self.serve_test_tools = serve_test_tools

    async def get_response(self, path: str, scope: Scope) -> Response:
        normalized = path.replace("\\", "/").lstrip("/")
        if not self.serve_test_tools and any(
            normalized == folder or normalized.startswith(f"{folder}/") for folder in TEST_ONLY_FOLDERS
        ):
            raise HTTPException(status_code=404)
        return await super().get_response(path, scope)
