"""Declarative base shared by every table, with a naming convention so Alembic migrations are stable."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


#: The type of every integer id and of the keys that point at one: 64-bit on PostgreSQL, so any id the API
#: accepts (1 .. 2^63 - 1) fits the column; plain INTEGER on SQLite, whose INTEGER PRIMARY KEY already is
#: 64-bit and is the only form that autoincrements (so the SQLite schema stays as it was).
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
