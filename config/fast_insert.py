"""Inserting one new row with a statement written once per model, for ingest's hot path.

`Model.save()` compiles its INSERT anew for every row: about 0.1 ms of CPU a row more than a
kept statement, on a path that stores two rows a webhook (docs/benchmarks.md, "Webhook ingest
under load"). `insert` prepares the values as `save()` does (`pre_save`, so defaults and
`auto_now_add` apply, then `get_db_prep_save`) and runs the statement kept for the model, whose
key the database numbers. It sends no `pre_save`/`post_save` signals: it is only for models
nothing listens to that way (a test checks it).
"""

from __future__ import annotations

from functools import cache

from django.db import connection
from django.db.models import Model


def insert(obj: Model) -> Model:
    """Insert `obj` as a new row and set its primary key, like `obj.save(force_insert=True)`."""
    model = type(obj)
    if not connection.features.can_return_columns_from_insert:
        obj.save(force_insert=True)
        return obj
    obj._prepare_related_fields_for_save(operation_name="save")
    fields, sql = _statement(model)
    values = insert_values(obj, fields)
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        setattr(obj, model._meta.pk.attname, cursor.fetchone()[0])
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


def insert_values(obj: Model, fields: list) -> list:
    """`fields` of a new `obj` as an INSERT stores them: defaults and `auto_now_add` applied."""
    return [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]


@cache
def _statement(model: type[Model]) -> tuple[list, str]:
    meta = model._meta
    fields = [field for field in meta.concrete_fields if field is not meta.pk]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders}) "  # noqa: S608 - names from the model
        f"RETURNING {quote(meta.pk.column)}"
    )
    return fields, sql
