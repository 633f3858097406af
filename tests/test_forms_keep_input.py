"""Every page form, refused, answers with the same page: what was typed in its fields, the refusal in plain
words beside the field (with autofocus there), and the setting name only in the details line."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from tests.conftest import open_client, sqlite_settings

HTML = {"Accept": "text/html"}


def _outside_details(html: str) -> str:
    """The page without its error details lines, where the API field and the setting may be named."""
    return re.sub(r"<details class=\"error-details\">.*?</details>", "", html, flags=re.S)


def _no_internal_names(html: str) -> None:
    rest = _outside_details(html)
    assert "ACTLAB_" not in rest and "body." not in rest, rest[:2000]
    assert html.count('id="error"') == 1 and "autofocus" in html


def _thread(client: TestClient) -> int:
    created = client.post("/api/v1/threads", json={"title": "Forms", "body": "first"})
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def test_a_blank_question_on_home_keeps_the_name_and_says_why(client: TestClient) -> None:
    response = client.post("/ask", data={"question": "   ", "display_name": "Ada Typed"}, headers=HTML)
    assert response.status_code == 422
    assert "Write a question first." in response.text and 'value="Ada Typed"' in response.text
    assert "Why do transformers use GeGLU" in response.text  # the home page itself, not an error page
    _no_internal_names(response.text)


def test_an_over_long_question_keeps_the_text_and_names_the_setting_once(client: TestClient,
                                                                          settings: Settings) -> None:
    question = "why " * (settings.question_max_chars // 4 + 5)
    response = client.post("/ask", data={"question": question}, headers=HTML)
    assert response.status_code == 422 and question.strip() in response.text
    assert f"at most {settings.question_max_chars:,} characters" in response.text
    assert response.text.count("ACTLAB_QUESTION_MAX_CHARS") == 1
    _no_internal_names(response.text)


def test_a_blank_question_in_a_thread(client: TestClient) -> None:
    thread_id = _thread(client)
    response = client.post(f"/threads/{thread_id}/ask", data={"question": " ", "display_name": "Bo Kept"},
                           headers=HTML)
    assert response.status_code == 422 and "Write a question first." in response.text
    assert 'value="Bo Kept"' in response.text
    _no_internal_names(response.text)


def test_an_empty_post_keeps_the_name_and_focuses_the_post(client: TestClient) -> None:
    thread_id = _thread(client)
    response = client.post(f"/threads/{thread_id}/posts", data={"body": "  \n ", "display_name": "Cy Kept"},
                           headers=HTML)
    assert response.status_code == 422 and "Write something to post first." in response.text
    assert 'value="Cy Kept"' in response.text
    assert re.search(r'<textarea id="post-body"[^>]* autofocus', response.text)
    _no_internal_names(response.text)


def test_a_new_thread_without_a_title_keeps_the_body(client: TestClient) -> None:
    response = client.post("/threads", data={"title": " ", "body": "kept body text", "display_name": "Di"},
                           headers=HTML)
    assert response.status_code == 422 and "Give the thread a title." in response.text
    assert "kept body text" in response.text and 'value="Di"' in response.text
    assert re.search(r'<input id="thread-title"[^>]* autofocus', response.text)
    _no_internal_names(response.text)


def test_a_comparison_over_the_time_limit_keeps_the_form_and_says_why(client: TestClient) -> None:
    data = {"kind": "quality", "variants": ["ReLU", "GEGLU"], "steps": "20000", "seeds": "20",
            "device": "cpu", "matched": "1", "d_model": "64"}
    response = client.post("/comparisons", data=data, headers=HTML)
    assert response.status_code == 422, response.text[:500]
    text = response.text
    assert re.search(r"This comparison would take about \d+ s; this server allows \d+ s\. "
                     r"Use fewer steps, variants or seeds\.", text)
    assert text.count("ACTLAB_COMPARE_MAX_EXPECTED_SECONDS") == 1
    assert re.search(r'name="steps" value="20000"', text) and re.search(r'name="seeds" value="20"', text)
    assert re.search(r'value="ReLU" checked', text) and not re.search(r'value="SwiGLU" checked', text)
    assert re.search(r'name="steps" value="20000"[^>]* autofocus', text)
    _no_internal_names(text)


def test_a_comparison_with_a_bad_field_keeps_the_form(client: TestClient) -> None:
    response = client.post("/comparisons", data={"kind": "quality", "steps": "lots", "d_model": "96"}, headers=HTML)
    assert response.status_code == 422
    assert "The steps must be a number." in response.text and 'name="d_model" value="96"' in response.text
    assert 'name="steps" value="lots"' in response.text
    _no_internal_names(response.text)


def test_a_comparison_over_a_field_limit(client: TestClient) -> None:
    response = client.post("/comparisons", data={"kind": "quality", "steps": "999999", "device": "cpu"}, headers=HTML)
    assert response.status_code == 422 and "Use at most 20000 steps" in response.text
    assert response.text.count("ACTLAB_COMPARE_MAX_STEPS") == 1
    _no_internal_names(response.text)


def test_the_estimate_button_shows_the_estimate_without_queueing(client: TestClient) -> None:
    data = {"kind": "quality", "steps": "150", "device": "cpu", "matched": "1", "estimate": "1"}
    response = client.post("/comparisons", data=data, headers=HTML)
    assert response.status_code == 200
    body = client.get("/api/v1/comparisons/estimate?device=cpu&steps=150").json()
    shown = re.sub(r"<[^>]+>", "", response.text)
    assert f"Estimate: about {round(body['seconds'])} s" in shown
    assert f"peak memory about {round(body['peak_memory_bytes'] / 2**20)} MiB" in shown
    assert 'name="steps" value="150"' in response.text
    assert client.get("/api/v1/comparisons").json()["total"] == 0


@pytest.mark.parametrize("preset", ["paper", "quick", "longer"])
def test_presets_fill_the_form_within_the_limits(client: TestClient, preset: str) -> None:
    response = client.get(f"/comparisons?preset={preset}")
    assert response.status_code == 200
    steps = int(re.search(r'name="steps" value="(\d+)"', response.text)[1])  # type: ignore[index]
    seeds = int(re.search(r'name="seeds" value="(\d+)"', response.text)[1])  # type: ignore[index]
    paper = client.get("/comparisons?preset=paper").text
    paper_steps = int(re.search(r'name="steps" value="(\d+)"', paper)[1])  # type: ignore[index]
    if preset == "quick":
        assert steps < paper_steps
    if preset == "longer":
        assert steps > paper_steps and seeds > 3
    estimate = client.get(f"/api/v1/comparisons/estimate?steps={steps}&seeds={seeds}").json()
    assert estimate["allowed"], estimate


def test_a_full_queue_keeps_the_form(tmp_path: object, db_path: object) -> None:
    settings = sqlite_settings(db_path, compare_max_unfinished_per_client=1)  # type: ignore[arg-type]
    with open_client(settings) as client:
        data = {"kind": "quality", "steps": "5", "seeds": "1", "variants": ["ReLU"], "device": "cpu"}
        assert client.post("/comparisons", data=data, follow_redirects=False).status_code == 303
        data["steps"] = "6"
        response = client.post("/comparisons", data=data, headers=HTML, follow_redirects=False)
        assert response.status_code == 429 and "Retry-After" in response.headers
        assert 'name="steps" value="6"' in response.text and "Try again in" in response.text
        _no_internal_names(response.text)
