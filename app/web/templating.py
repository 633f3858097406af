"""The Jinja environment: autoescaping on, a few number filters, and the JSON-twin link helper."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi.templating import Jinja2Templates
from starlette.requests import Request

from app import __version__
from app.config import Settings
from app.markup import formula_mathml
from app.web.examples import EXAMPLE_QUESTIONS
from app.web.formatting import significant, steps, steps_label

NAV = [
    ("/", "Home"),
    ("/papers/glu-variants-2020", "GLU variants paper"),
    ("/variants", "FFN variants"),
    ("/models", "Model catalog"),
    ("/activations", "Activations"),
    ("/comparisons", "Comparisons"),
    ("/glossary", "Glossary"),
]


def make_templates(settings: Settings) -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(settings.templates_dir))
    env = templates.env
    env.autoescape = True
    env.globals["nav"] = NAV
    env.globals["app_version"] = __version__
    env.globals["example_questions"] = EXAMPLE_QUESTIONS
    env.filters["thousands"] = lambda n: f"{n:,}" if isinstance(n, int) else n
    env.filters["sig"] = significant
    env.filters["steps"] = steps
    env.filters["steps_label"] = steps_label
    env.filters["mathml"] = formula_mathml
    env.globals["valid_name_href"] = valid_name_href
    return templates


def valid_name_href(path: str, unknown: str | None, name: str) -> str | None:
    """Where a valid name of a 404 page leads: the same path with the unknown name's segment (the last one
    equal to it) replaced by ``name``, so a mistyped address is one click from the right page. None when
    the unknown name is not a path segment (it came from a query or a body)."""
    parts = path.split("/")
    for i in range(len(parts) - 1, 0, -1):
        if unknown is not None and parts[i] == unknown:
            return "/".join(quote(p, safe="", errors="replace") for p in [*parts[:i], name, *parts[i + 1 :]])
    return None


def render(request: Request, name: str, context: dict[str, Any]) -> str:
    """Render a template to a string (pages are cached as bytes, so no TemplateResponse)."""
    templates: Jinja2Templates = request.app.state.templates
    template = templates.env.get_template(name)
    return template.render({"request": request, "current_path": request.url.path, **context})
