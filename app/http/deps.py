"""Annotated dependencies shared by the routers: settings, a database session, the response cache."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.config import Settings
from app.db import session_scope
from app.http.reference_cache import ReferenceResponses


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """One unit of work per request: committed when the route returns, rolled back on any error."""
    with session_scope(request.app.state.session_factory) as session:
        yield session


def get_reference_responses(request: Request) -> ReferenceResponses:
    cache: ReferenceResponses = request.app.state.reference_responses
    return cache


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_session)]
ReferenceDep = Annotated[ReferenceResponses, Depends(get_reference_responses)]
