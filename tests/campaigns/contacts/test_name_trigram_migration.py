"""The trigram index's migration on a database whose user may not install pg_trgm: it skips
the index instead of failing, and name search still works."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection

from campaigns.contact_services import contacts_matching
from tests.factories import ContactFactory

migration = importlib.import_module("campaigns.migrations.0006_contact_name_trigram")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL extension"),
]


def index_exists() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'contact_name_trigram'")
        return cursor.fetchone() is not None


def test_without_the_right_to_install_pg_trgm_the_index_is_skipped_not_failed():
    ContactFactory(name="Ada Lovelace")
    # All undone when the test's transaction rolls back: DDL and roles are transactional here.
    with connection.cursor() as cursor:
        cursor.execute("DROP EXTENSION pg_trgm CASCADE")
        cursor.execute("CREATE ROLE switchboard_plain_user")
        cursor.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO switchboard_plain_user")
        cursor.execute("SET ROLE switchboard_plain_user")
    assert not index_exists()

    with connection.schema_editor(atomic=False) as editor:
        migration.create_trigram_index(None, editor)

    assert not index_exists()
    assert [c.name for c in contacts_matching(search="lovel")] == ["Ada Lovelace"]
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


def test_with_the_right_the_index_is_made():
    with connection.cursor() as cursor:
        cursor.execute("DROP EXTENSION pg_trgm CASCADE")

    with connection.schema_editor(atomic=False) as editor:
        migration.create_trigram_index(None, editor)

    assert index_exists()
