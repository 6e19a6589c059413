"""A hub database per test, on SQLite and on PostgreSQL (a fresh database in the cluster
``AGENT_ASSIST_TEST_POSTGRES_URL`` names; skipped without it), migrated to the latest schema.

Use in a module: ``from tests.unit.hub.databases import db  # noqa: F401``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_assist.hub.db import Database
from tests.integration.hubserver import (
    DATABASES,
    POSTGRES_ENV,
    create_postgres_database,
    drop_postgres_database,
    postgres_url,
)


@pytest.fixture(params=DATABASES)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        database = Database.open(None, tmp_path)
        yield database
        database.close()
        return
    admin = postgres_url()
    if admin is None:
        pytest.skip(f"{POSTGRES_ENV} is not set (scripts/test starts a throwaway PostgreSQL)")
    url = create_postgres_database(admin)
    database = Database.open(url, tmp_path)
    try:
        yield database
    finally:
        database.close()
        drop_postgres_database(admin, url)
