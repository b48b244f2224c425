"""The Alembic migrations build exactly the schema the models declare, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from restomairie.migrate import upgrade
from restomairie.models import Base
from tests.conftest import BACKENDS, drop_schema, new_engine


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrations_match_the_models(backend: str, tmp_path: Path) -> None:
    engine, schema = new_engine(backend, tmp_path)
    try:
        upgrade(engine)
        upgrade(engine)  # running it again is harmless
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
    finally:
        engine.dispose()
        drop_schema(schema)
