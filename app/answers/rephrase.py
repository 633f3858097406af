"""Optional rephrasing of a composed answer by an OpenAI-compatible endpoint (off by default).

Why it is guarded: a language model may smooth the wording, but it must not touch the facts. A
rephrasing is accepted only if (1) the numbers it contains are exactly the numbers of the composed answer
(same values, same count; none added, none changed, none dropped), (2) it keeps every link target of the
composed answer, and (3) it passes the same grounding check. Anything else — including a timeout or an
error from the endpoint — keeps the composed text, and "how this was answered" records why.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.answers import grounding
from app.config import Settings

log = logging.getLogger("actlab.answers")

PROMPT = (
    "Rewrite the following answer so it reads naturally. Keep its Markdown structure and every link. "
    "Do not add, remove, round or change any number, and do not add any fact. Reply with the answer only."
)

Transport = Callable[[str, dict[str, Any], dict[str, str], float], dict[str, Any]]


def http_post_json(url: str, payload: dict[str, Any], headers: dict[str, str], timeout: float) -> dict[str, Any]:
    """POST ``payload`` as JSON and return the JSON reply; the one HTTP client of the optional endpoints
    (rephrasing, planning), so both time out and fail the same way."""
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        data: dict[str, Any] = json.loads(response.read().decode("utf-8"))
        return data


@dataclass(frozen=True)
class RephraseOutcome:
    text: str
    accepted: bool
    reason: str

    def to_meta(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "reason": self.reason}


_LINK = re.compile(r"\]\(([^)]+)\)")


def number_multiset(text: str) -> Counter[str]:
    """Numbers as values (1.630 and 1.63 are the same value; 524,288 and 524288 too)."""
    out: Counter[str] = Counter()
    for token in grounding.numbers_in(text):
        value = grounding.to_decimal(token)
        if value is not None:
            out[format(value.normalize(), "f")] += 1
    return out


def accept(original: str, candidate: str) -> tuple[bool, str]:
    """Whether ``candidate`` keeps exactly the numbers and the links of ``original``."""
    if not candidate.strip():
        return False, "empty rephrasing"
    before, after = number_multiset(original), number_multiset(candidate)
    if before != after:
        added = sorted((after - before).elements())
        dropped = sorted((before - after).elements())
        return False, f"numbers changed (added {added or 'none'}, removed {dropped or 'none'})"
    if set(_LINK.findall(original)) - set(_LINK.findall(candidate)):
        return False, "a link was dropped"
    return True, "numbers and links unchanged"


def rephrase(text: str, settings: Settings, transport: Transport | None = None) -> RephraseOutcome:
    """Ask the configured endpoint to rephrase ``text``; keep ``text`` unless the result passes the checks."""
    if not settings.rephrase_endpoint_url:
        return RephraseOutcome(text, False, "rephrasing is off")
    url = settings.rephrase_endpoint_url.rstrip("/") + "/chat/completions"
    headers = {"Content-Type": "application/json"}
    if settings.rephrase_api_key:
        headers["Authorization"] = f"Bearer {settings.rephrase_api_key.get_secret_value()}"
    payload = {
        "model": settings.rephrase_model,
        "temperature": 0,
        "messages": [{"role": "system", "content": PROMPT}, {"role": "user", "content": text}],
    }
    try:
        data = (transport or http_post_json)(url, payload, headers, settings.rephrase_timeout_seconds)
        candidate = str(data["choices"][0]["message"]["content"])
    except Exception as exc:  # the endpoint is optional: any failure keeps the composed text
        log.warning("rephrasing failed: %s", exc)
        return RephraseOutcome(text, False, f"endpoint error: {type(exc).__name__}")
    ok, reason = accept(text, candidate)
    return RephraseOutcome(candidate if ok else text, ok, reason)
