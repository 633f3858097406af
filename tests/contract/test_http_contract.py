"""Cross-cutting rules: one error shape, every observed status declared in OpenAPI, health endpoints,
and the README's configuration table in step with Settings."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import fastapi.routing
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from app.config import PROJECT_ROOT, Settings
from app.main import create_app
from tests.conftest import open_client, sqlite_settings

PROBLEM = "application/problem+json"
PROBLEM_REF = "#/components/schemas/Problem"

# A request that succeeds, per route; routes not listed here (added later) are still probed with
# made-up path parameters, and the test asks for an entry here so that their success is checked too.
VALID_REQUESTS: dict[str, list[str]] = {
    "/healthz": ["/healthz"],
    "/readyz": ["/readyz"],
    "/api/v1/dataset": ["/api/v1/dataset"],
    "/api/v1/papers": ["/api/v1/papers", "/api/v1/papers?format=csv"],
    "/api/v1/papers/{paper_id}": ["/api/v1/papers/glu-variants-2020", "/api/v1/papers/2002.05202"],
    "/api/v1/papers/{paper_id}/tables/{number}": ["/api/v1/papers/glu-variants-2020/tables/2"],
    "/api/v1/results": ["/api/v1/results?variant=GEGLU", "/api/v1/results?format=csv"],
    "/api/v1/compare": ["/api/v1/compare?a=GEGLU&b=SwiGLU"],
    "/api/v1/best": ["/api/v1/best?benchmark=C4"],
    "/api/v1/variants": ["/api/v1/variants"],
    "/api/v1/variants/{name}": ["/api/v1/variants/FFN_GEGLU"],
    "/api/v1/models": ["/api/v1/models?ffn_type=gated"],
    "/api/v1/models/{name}": ["/api/v1/models/gemma-2-9b"],
    "/api/v1/architectures/{family}": ["/api/v1/architectures/Gemma 2"],
    "/": ["/"],
    "/papers/{paper_id}": ["/papers/glu-variants-2020"],
    "/variants": ["/variants"],
    "/variants/{name}": ["/variants/FFN_GEGLU"],
    "/models": ["/models?activation=swiglu"],
    "/models/{name}": ["/models/Gemma 2 9B"],
}
# Requests that must fail, per route, beyond the generated ones (bad query parameters).
INVALID_REQUESTS: dict[str, list[str]] = {
    "/api/v1/papers": ["/api/v1/papers?format=xml"],
    "/api/v1/results": ["/api/v1/results?limit=100000", "/api/v1/results?variant=FFN_Mish", "/api/v1/results?sort=x"],
    "/api/v1/compare": ["/api/v1/compare?a=GEGLU", "/api/v1/compare?a=GEGLU&b=Mish"],
    "/api/v1/best": ["/api/v1/best?benchmark=ImageNet", "/api/v1/best?training_steps=-1"],
    "/api/v1/variants": ["/api/v1/variants?format=yaml"],
    "/api/v1/models": ["/api/v1/models?year_min=1"],
    "/models": ["/models?ffn_type=sparse"],
}


def api_routes(app: FastAPI) -> list[APIRoute]:
    """Every APIRoute of the app with its full path (FastAPI ≥ 0.16x keeps included routers nested)."""
    iter_contexts = getattr(fastapi.routing, "iter_route_contexts", None)
    candidates = list(app.routes) if iter_contexts is None else [c.route for c in iter_contexts(app.routes)]
    routes = [r for r in candidates if isinstance(r, APIRoute) and r.include_in_schema]
    assert {"/api/v1/papers", "/readyz", "/"} <= {r.path for r in routes}, "route discovery found too little"
    return routes


def get_routes(app: FastAPI) -> list[APIRoute]:
    return [r for r in api_routes(app) if "GET" in (r.methods or set())]


def path_param_names(route: APIRoute) -> list[str]:
    return re.findall(r"{(\w+)(?::\w+)?}", route.path)


def generated_error_requests(route: APIRoute) -> list[str]:
    """Made-up path parameters: a name that does not exist (404) and one far too long or of the wrong type (422)."""
    params = path_param_names(route)
    if not params:
        return []
    ints = {p.name for p in route.dependant.path_params if p.field_info.annotation is int}
    unknown = {p: ("999" if p in ints else "no-such-thing") for p in params}
    invalid = {p: ("not-a-number" if p in ints else "x" * 5000) for p in params}
    urls = []
    for values in (unknown, invalid):
        url = route.path
        for p, v in values.items():
            url = url.replace("{" + p + "}", v)
        urls.append(url)
    # one parameter wrong at a time too, so that e.g. an unknown table of a known paper is tried
    known = VALID_REQUESTS.get(route.path, [])
    for p in params:
        if p in ints and len(params) > 1 and known:
            bits = known[0].split("/")
            bits[route.path.split("/").index("{" + p + "}")] = "999"
            urls.append("/".join(bits))
    return urls


def observe(client: TestClient, route: APIRoute) -> dict[int, list[str]]:
    """Status -> the requests that produced it, for every probe of one route (and a 304 revalidation)."""
    seen: dict[int, list[str]] = defaultdict(list)
    for url in VALID_REQUESTS.get(route.path, []):
        response = client.get(url)
        seen[response.status_code].append(url)
        assert response.status_code == 200, (url, response.text[:300])
        etag = response.headers.get("etag")
        if etag:
            revalidated = client.get(url, headers={"If-None-Match": etag})
            seen[revalidated.status_code].append(f"{url} (If-None-Match)")
    for url in INVALID_REQUESTS.get(route.path, []) + generated_error_requests(route):
        response = client.get(url)
        seen[response.status_code].append(url)
    return seen


def declared(schema: dict[str, Any], path: str, method: str = "get") -> set[int]:
    return {int(code) for code in schema["paths"][path][method]["responses"] if code.isdigit()}


def made_up_requests(client: TestClient, route: APIRoute, method: str) -> dict[int, list[str]]:
    """Writes are only probed with made-up path parameters and no body, so that nothing is changed."""
    seen: dict[int, list[str]] = defaultdict(list)
    for url in generated_error_requests(route):
        seen[client.request(method, url).status_code].append(url)
    return seen


def test_every_route_declares_every_status_it_returns(client: TestClient, app: FastAPI) -> None:
    schema = client.get("/openapi.json").json()
    missing = []
    for route in api_routes(app):
        for method in sorted((route.methods or set()) - {"HEAD"}):
            if method == "GET":
                seen = observe(client, route)
            elif path_param_names(route):
                seen = made_up_requests(client, route, method)
            else:
                continue  # a write without a target could do real work; its own tests cover it
            statuses = declared(schema, route.path, method.lower())
            for status in sorted(set(seen) - statuses):
                example = seen[status][0][:80]
                missing.append(f"{method} {route.path} returned {status} (e.g. {example}) but does not declare it")
            if path_param_names(route):
                if method == "GET" and 404 not in seen:
                    missing.append(f"GET {route.path}: a made-up path parameter did not give 404")
                for status in (404, 422):
                    if status not in statuses:
                        missing.append(f"{method} {route.path} has path parameters but does not declare {status}")
    assert not missing, "\n".join(missing)


def test_the_reference_routes_are_all_probed(app: FastAPI) -> None:
    """Every route of the reference data and its pages has a succeeding request above."""
    reference = {r.path for r in get_routes(app)} & set(VALID_REQUESTS)
    assert reference == set(VALID_REQUESTS), sorted(set(VALID_REQUESTS) - reference)


def test_readyz_declares_503(client: TestClient, tmp_path: Path) -> None:
    schema = client.get("/openapi.json").json()
    with open_client(sqlite_settings(tmp_path / "empty.db")) as empty:
        assert empty.get("/readyz").status_code == 503
    assert 503 in declared(schema, "/readyz")


def test_declared_errors_use_the_problem_schema(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "Problem" in schema["components"]["schemas"]
    problem = schema["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "errors"} <= set(problem["properties"])
    wrong = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                if code.isdigit() and int(code) >= 400:
                    content = response.get("content", {})
                    if content.get(PROBLEM, {}).get("schema", {}).get("$ref") != PROBLEM_REF:
                        wrong.append(f"{method.upper()} {path} {code}")
    assert not wrong, "error statuses declared without the Problem schema:\n" + "\n".join(wrong)


# --- one error shape ------------------------------------------------------------------------------

ERROR_CASES: list[tuple[str, int, str | None]] = [
    ("/api/v1/results?limit=100000", 422, "limit"),
    ("/api/v1/results?limit=0", 422, "limit"),
    ("/api/v1/results?offset=-5", 422, "offset"),
    ("/api/v1/results?training_steps=lots", 422, "training_steps"),
    ("/api/v1/results?sort=colour", 422, "sort"),
    ("/api/v1/results?format=xml", 422, "format"),
    ("/api/v1/results?include_reference=maybe", 422, "include_reference"),
    ("/api/v1/results?variant=FFN_Mish", 404, "variant"),
    ("/api/v1/results?paper=attention-2017", 404, "paper"),
    ("/api/v1/results?benchmark=ImageNet", 404, "benchmark"),
    ("/api/v1/results?metric=BLEU", 404, "metric"),
    ("/api/v1/results?variant=" + "x" * 65, 422, "variant"),
    ("/api/v1/compare?a=GEGLU", 422, "b"),
    ("/api/v1/compare?a=Mish&b=GEGLU", 404, "a"),
    ("/api/v1/best?metric=BLEU", 404, "metric"),
    ("/api/v1/best?benchmark=ImageNet", 404, "benchmark"),
    ("/api/v1/papers/attention-2017", 404, "paper_id"),
    ("/api/v1/papers/glu-variants-2020/tables/9", 404, "number"),
    ("/api/v1/papers/glu-variants-2020/tables/0", 422, "number"),
    ("/api/v1/papers/glu-variants-2020/tables/one", 422, "number"),
    ("/api/v1/variants/FFN_Mish", 404, "name"),
    ("/api/v1/models/gemma-9", 404, "name"),
    ("/api/v1/models?ffn_type=sparse", 422, "ffn_type"),
    ("/api/v1/models?year_max=3000", 422, "year_max"),
    ("/api/v1/architectures/Gemma 9", 404, "family"),
    ("/papers/attention-2017", 404, "paper_id"),
    ("/variants/FFN_Mish", 404, "name"),
    ("/models/gemma-9", 404, "name"),
    ("/models?year_min=abc", 422, "year_min"),
    ("/api/v1/no-such-resource", 404, None),
    ("/no/such/page", 404, None),
    ("/static/no-such-file.css", 404, None),
]


def assert_problem(response: Any, status: int, field: str | None) -> dict[str, Any]:
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].split(";")[0] == PROBLEM
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail", "errors"} <= set(body)
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], list)
    assert "Traceback" not in response.text
    if field is not None:
        assert any(e["loc"] and e["loc"][-1] == field for e in body["errors"]), body["errors"]
        for error in body["errors"]:
            assert {"loc", "msg", "type"} <= set(error)
    return body


@pytest.mark.parametrize(("url", "status", "field"), ERROR_CASES)
def test_every_error_is_problem_json_naming_the_field(
    client: TestClient, url: str, status: int, field: str | None
) -> None:
    assert_problem(client.get(url), status, field)


def test_unknown_route_is_404_problem(client: TestClient) -> None:
    body = assert_problem(client.get("/api/v2/papers"), 404, None)
    assert "/api/v2/papers" in body["detail"]


def test_api_errors_stay_json_for_browsers(client: TestClient) -> None:
    response = client.get("/api/v1/variants/FFN_Mish", headers={"Accept": "text/html"})
    assert_problem(response, 404, "name")


def test_wrong_method_is_405_problem(client: TestClient) -> None:
    response = client.post("/api/v1/papers", json={})
    assert_problem(response, 405, None)
    assert response.headers["allow"] == "GET, HEAD"


def test_unknown_names_list_the_valid_ones(client: TestClient) -> None:
    body = client.get("/api/v1/variants/FFN_Mish").json()
    assert "FFN_GEGLU" in body["valid"] and "FFN_GEGLU" in body["detail"]


def test_limit_errors_carry_the_limit(client: TestClient) -> None:
    body = client.get("/api/v1/results?limit=100000").json()
    assert body["errors"][0]["limit"] == 500
    body = client.get("/api/v1/models?year_max=3000").json()
    assert body["errors"][0]["limit"] == 2100


# --- health ---------------------------------------------------------------------------------------


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_readyz_when_migrated(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"


def test_readyz_on_an_unmigrated_database_is_503(tmp_path: Path) -> None:
    with open_client(sqlite_settings(tmp_path / "fresh.db")) as fresh:
        body = assert_problem(fresh.get("/readyz"), 503, None)
        assert "migrate" in body["detail"]
        assert fresh.get("/healthz").status_code == 200  # liveness does not depend on the database


def test_reference_endpoints_on_an_unmigrated_database_fail_as_problem_json(tmp_path: Path) -> None:
    application = create_app(sqlite_settings(tmp_path / "fresh.db"))
    try:
        with TestClient(application, raise_server_exceptions=False) as fresh:
            response = fresh.get("/api/v1/papers")
            assert response.status_code >= 500
            body = assert_problem(response, response.status_code, None)
            assert "no such table" not in body["detail"], "internals stay in the log"
    finally:
        application.state.engine.dispose()


# --- the README's configuration table --------------------------------------------------------------


def readme_settings_table() -> dict[str, str]:
    """`ACTLAB_<NAME>` -> the default column text, from README.md's configuration table."""
    readme = PROJECT_ROOT / "README.md"
    assert readme.is_file(), "README.md is missing"
    documented: dict[str, str] = {}
    header: list[str] | None = None
    for line in readme.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not (stripped.startswith("|") and stripped.endswith("|")):
            header = None
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", stripped[1:-1])]
        if header is None:
            header = [c.lower() for c in cells]
            continue
        if all(set(c) <= set("-: ") for c in cells):
            continue
        match = re.fullmatch(r"`?(ACTLAB_[A-Z0-9_]+)`?", cells[0])
        if match and "default" in header:
            assert match.group(1) not in documented, f"{match.group(1)} is documented twice"
            documented[match.group(1)] = cells[header.index("default")]
    return documented


def default_matches(default: Any, text: str) -> bool:
    text = text.strip().strip("`").strip()
    if default is None:
        return text.lower() in {"", "(none)", "none", "—", "-", "unset"}
    if isinstance(default, bool):
        return text.lower() == str(default).lower()
    if isinstance(default, Path):
        written = text.replace("<project>", str(PROJECT_ROOT)).replace("<project root>", str(PROJECT_ROOT))
        candidate = Path(written)
        if not candidate.is_absolute():
            candidate = PROJECT_ROOT / candidate
        return candidate.resolve() == default.resolve()
    if isinstance(default, int | float):
        try:
            return float(text.replace("_", "").replace(",", "")) == float(default)
        except ValueError:
            return False
    return text == str(default)


def test_readme_documents_every_setting_with_its_default() -> None:
    documented = readme_settings_table()
    fields = Settings.model_fields
    expected_names = {f"ACTLAB_{name.upper()}" for name in fields}
    assert sorted(expected_names - set(documented)) == [], "settings missing from the README table"
    assert sorted(set(documented) - expected_names) == [], "README documents settings that do not exist"
    wrong = []
    for name, field in fields.items():
        default = field.get_default(call_default_factory=True)
        text = documented[f"ACTLAB_{name.upper()}"]
        if not default_matches(default, text):
            wrong.append(f"ACTLAB_{name.upper()}: README says {text!r}, Settings default is {default!r}")
    assert wrong == []


def test_every_setting_has_a_description() -> None:
    assert [n for n, f in Settings.model_fields.items() if not (f.description or "").strip()] == []


def test_settings_read_the_actlab_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTLAB_PAGE_SIZE_DEFAULT", "7")
    assert Settings().page_size_default == 7
