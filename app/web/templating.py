"""The Jinja environment: autoescaping on, a few number filters, and the JSON-twin link helper."""

from __future__ import annotations

from typing import Any

from fastapi.templating import Jinja2Templates
from starlette.requests import Request

from app import __version__
from app.config import Settings

NAV = [
    ("/", "Home"),
    ("/papers/glu-variants-2020", "GLU variants paper"),
    ("/variants", "FFN variants"),
    ("/models", "Model catalog"),
    ("/activations", "Activations"),
    ("/comparisons", "Comparisons"),
]


def make_templates(settings: Settings) -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(settings.templates_dir))
    env = templates.env
    env.autoescape = True
    env.globals["nav"] = NAV
    env.globals["app_version"] = __version__
    env.filters["thousands"] = lambda n: f"{n:,}" if isinstance(n, int) else n
    return templates


def render(request: Request, name: str, context: dict[str, Any]) -> str:
    """Render a template to a string (pages are cached as bytes, so no TemplateResponse)."""
    templates: Jinja2Templates = request.app.state.templates
    template = templates.env.get_template(name)
    return template.render({"request": request, "current_path": request.url.path, **context})
