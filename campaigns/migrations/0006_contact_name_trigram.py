from django.db import DatabaseError, migrations, transaction

# Name search on the contact list is `icontains` (UPPER(name) LIKE UPPER('%...%')): on
# PostgreSQL a trigram index on the same expression serves it. The pg_trgm extension is trusted
# from PostgreSQL 13 on, but a database user without CREATE on the database still cannot
# install it: then the index is skipped and names are searched by scanning, slower but right
# (docs/architecture.md, "Contacts"). SQLite has no such index; the migration does nothing there.
TRIGRAM_INDEX = (
    "CREATE INDEX IF NOT EXISTS contact_name_trigram ON campaigns_contact "
    "USING gin (UPPER(name::text) gin_trgm_ops)"
)


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        return
    schema_editor.execute(TRIGRAM_INDEX)


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS contact_name_trigram")


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0005_campaign_counters"),
    ]

    operations = [
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]
