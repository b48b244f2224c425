"""Shared fixtures: a pinned clock, the Dijon settings, and a fresh database per test on SQLite and,
when ``RESTOMAIRIE_TEST_DATABASE_URL`` is set, on PostgreSQL too (a schema of its own per test).

Under CI (``CI=true``) an unreachable PostgreSQL is a failure, not a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, make_url, text

from restomairie.clock import PARIS, Clock
from restomairie.config import Settings, load_config
from restomairie.db import make_engine, normalise_url
from restomairie.models import Base
from restomairie.runtime import Runtime

PG_URL = os.environ.get("RESTOMAIRIE_TEST_DATABASE_URL")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
BACKENDS = ["sqlite", "postgresql"]
DEFAULT_NOW = datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)  # a Monday, phone line open


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if PG_URL or IN_CI:
        return
    skip = pytest.mark.skip(reason="RESTOMAIRIE_TEST_DATABASE_URL not set")
    for item in items:
        if "postgresql" in item.keywords or "[postgresql" in item.nodeid:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_config("dijon", environ={})


@pytest.fixture
def clock() -> Clock:
    return Clock(tz=PARIS, frozen=DEFAULT_NOW)


def _pg_engine(schema: str) -> Engine:
    if not PG_URL:
        pytest.fail("CI=true but RESTOMAIRIE_TEST_DATABASE_URL is not set")
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})


def new_engine(backend: str, tmp_path: Path) -> tuple[Engine, str]:
    if backend == "sqlite":
        return make_engine(f"sqlite:///{tmp_path / 'test.db'}"), ""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    return _pg_engine(schema), schema


def drop_schema(schema: str) -> None:
    if schema and PG_URL:
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def pg_schema_url() -> Iterator[str]:
    """The URL of an empty PostgreSQL database of its own (a schema, named in the URL's
    ``options`` as a deployment names it), dropped afterwards; the test is skipped without
    PostgreSQL (outside CI)."""
    if not PG_URL and not IN_CI:
        pytest.skip("RESTOMAIRIE_TEST_DATABASE_URL not set")
    engine = _pg_engine(schema := f"t_{uuid.uuid4().hex[:12]}")
    engine.dispose()
    url = make_url(normalise_url(str(PG_URL))).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        drop_schema(schema)


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    eng, schema = new_engine(request.param, tmp_path)
    Base.metadata.create_all(eng)
    try:
        yield eng
    finally:
        eng.dispose()
        drop_schema(schema)


@pytest.fixture
def rt(settings: Settings, clock: Clock, engine: Engine) -> Runtime:
    runtime = Runtime.build(settings=settings, clock=clock, engine=engine)
    runtime.sync_schools()
    return runtime


def pg_url() -> str:
    assert PG_URL
    return normalise_url(PG_URL)


@pytest.fixture
def app(rt: Runtime):  # type: ignore[no-untyped-def]
    from restomairie.web import create_app

    application = create_app({"TESTING": True}, runtime=rt)
    return application


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()
