"""Campaign texts with `{name}`-style variables: `{name}`, `{phone}`, a contact's custom fields
and the recipient's own vars (from an uploaded CSV). `{{` and `}}` write literal braces.

Only plain names are variables, never `str.format` fields: a text like `{0.__class__}` is
neither looked up nor run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from django.db import connection

VARIABLE = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]{0,59})\}")
BUILT_IN = ("name", "phone")


def variables_in(text: str) -> list[str]:
    """The variable names a text uses, in order of first use."""
    found: list[str] = []
    for match in VARIABLE.finditer(text):
        name = match.group(1)
        if name and name not in found:
            found.append(name)
    return found


def unknown_variables(texts: Iterable[str], known: Iterable[str]) -> list[str]:
    known_set = set(known)
    unknown: list[str] = []
    for text in texts:
        unknown += [n for n in variables_in(text) if n not in known_set and n not in unknown]
    return unknown


def render(text: str, values: Mapping[str, object], *, keep_missing: bool = False) -> str:
    """The text with each variable replaced; a variable the recipient has no value for is
    left empty (the form already refused names nobody has), or kept as written for a preview."""

    def replace(match: re.Match) -> str:
        if match.group(0) == "{{":
            return "{"
        if match.group(0) == "}}":
            return "}"
        value = values.get(match.group(1))
        if value is None:
            return match.group(0) if keep_missing else ""
        return str(value)

    return VARIABLE.sub(replace, text)


def values_for(name: str, phone: str, custom_fields: Mapping | None, vars: Mapping | None) -> dict:
    """What a recipient's variables stand for: its own vars win over the contact's fields."""
    values: dict[str, object] = {}
    values.update(custom_fields or {})
    values.update({"name": name, "phone": phone})
    values.update(vars or {})
    return values


def known_variables(campaign_id: int | None = None) -> set[str]:
    """Every variable some recipient could have: the built-in ones, every custom field key of
    any contact, and the vars keys of the campaign's recipients. Two queries."""
    known = set(BUILT_IN)
    known |= _json_keys("campaigns_contact", "custom_fields")
    if campaign_id is not None:
        known |= _json_keys("campaigns_campaignrecipient", "vars", campaign_id)
    return known


def _json_keys(table: str, column: str, campaign_id: int | None = None) -> set[str]:
    conditions, params = [], []
    if campaign_id is not None:
        conditions.append("t.campaign_id = %s")
        params.append(campaign_id)
    if connection.vendor == "postgresql":
        # jsonb_object_keys refuses anything but an object.
        conditions.append(f"jsonb_typeof(t.{column}) = 'object'")
        keys = f"jsonb_object_keys(t.{column}) FROM {table} t"
    else:
        conditions.append(f"json_type(t.{column}) = 'object'")
        keys = f"j.key FROM {table} t, json_each(t.{column}) j"
    # Table and column names come from this module only; values go as parameters.
    sql = f"SELECT DISTINCT {keys} WHERE {' AND '.join(conditions)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}
