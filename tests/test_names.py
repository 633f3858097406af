"""Titles and display names: only what shows is kept, an invisible one is refused, and no look-alike of the
service's name passes as a display name."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.names import has_visible, looks_like, skeleton, visible_text
from app.threads import SERVICE_NAME

INVISIBLE = [
    "\u200b",  # zero-width space
    "\u200b\u200c\u200d\u2060",  # zero-width (non-)joiners, word joiner
    "\u202e\u202d\u202c",  # bidi override and pop
    "\u2066\u2069\u200e\u200f",  # isolates, LRM/RLM
    "\ufeff\u00ad",  # BOM, soft hyphen
    "\u3164\u115f",  # Hangul fillers
    "\u2800",  # Braille blank
    " \u200b \u200b ",
]
IMPERSONATIONS = [
    "Activation Lab",
    "activation lab",
    "Activation Lab\u200b",
    "\u202eActivation Lab",
    "\u0410ctivation Lab",  # Cyrillic А
    "Activ\u0430tion L\u0430b",  # Cyrillic а
    "\u0391ctivation Lab",  # Greek Α
    "Activati\u03bfn Lab",  # Greek ο
    "Activation  Lab",
    "ActivationLab",
    "Activation-Lab",
    "\uff21\uff43\uff54\uff49\uff56\uff41\uff54\uff49\uff4f\uff4e \uff2c\uff41\uff42",  # full-width
    "Activ\u00e1tion L\u00e0b",  # accents
    "Activati0n 1ab",
    "A\u200dctivation Lab",
]


def test_visible_text_drops_format_characters_and_applies_nfkc() -> None:
    assert visible_text("Ada\u200b Love\u00adlace\u202e") == "Ada Lovelace"
    assert visible_text("\ufb01ne \uff21") == "fine A"
    assert not any(has_visible(v) for v in INVISIBLE)
    assert has_visible("Ada") and has_visible("\u00e9") and has_visible("日本")


@pytest.mark.parametrize("name", IMPERSONATIONS)
def test_look_alikes_of_the_service_name(name: str) -> None:
    assert looks_like(name, SERVICE_NAME), skeleton(name)


@pytest.mark.parametrize("name", ["Activation Labs fan", "Ada Lovelace", "Lab Activation", "Activation"])
def test_other_names_are_not_the_service(name: str) -> None:
    assert not looks_like(name, SERVICE_NAME)


@pytest.mark.parametrize("invisible", INVISIBLE)
def test_invisible_titles_and_names_are_refused(client: TestClient, invisible: str) -> None:
    before = client.get("/api/v1/threads").json()["total"]
    for payload, field in [
        ({"title": invisible, "body": "b"}, "title"),
        ({"title": "t", "body": "b", "display_name": invisible}, "display_name"),
        ({"title": "t", "body": invisible}, "body"),
    ]:
        response = client.post("/api/v1/threads", json=payload)
        assert response.status_code == 422, (payload, response.text)
        error = response.json()["errors"][0]
        assert error["loc"] == ["body", field] and error["msg"] == "has no visible characters"
    assert client.get("/api/v1/threads").json()["total"] == before


@pytest.mark.parametrize("name", IMPERSONATIONS)
def test_the_service_name_cannot_be_borrowed(client: TestClient, name: str) -> None:
    response = client.post("/api/v1/threads", json={"title": "t", "body": "b", "display_name": name})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "display_name"]
    asked = client.post("/api/v1/questions", json={"question": "what is GEGLU?", "display_name": name})
    assert asked.status_code == 422


def test_stored_titles_and_names_are_what_shows(client: TestClient) -> None:
    payload = {"title": "GE\u200bGLU \ufb01ndings\u202e", "body": "b", "display_name": "\u202eAda\u200d"}
    created = client.post("/api/v1/threads", json=payload)
    assert created.status_code == 201
    thread = created.json()
    assert thread["title"] == "GEGLU findings" and thread["posts"][0]["display_name"] == "Ada"
    blank = client.post("/api/v1/threads", json={"title": "t", "body": "b", "display_name": "   "})
    assert blank.status_code == 201 and blank.json()["posts"][0]["display_name"] == "Anonymous"
