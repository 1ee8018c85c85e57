"""The queue's bookkeeping around a send: claiming due rows with their attempts, and recording a
send's outcome on the row and its attempt.

Both are on every send's path (a claim per batch, an outcome per message), so on PostgreSQL
each is a single statement (data-modifying CTEs) run in autocommit: one round trip and one
commit, where the ORM needs BEGIN, two to five statements and COMMIT, each a round trip
(bench/outbound_throughput.py, docs/benchmarks.md). Other databases (SQLite in development)
take the ORM path, in one transaction, with the same effect.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction
from django.db.models import Case, F, When

from instances.models import Instance, OutboundMessage, OutboundStatus, SendAttempt

S = OutboundStatus
Outcome = SendAttempt.Outcome
MESSAGES = OutboundMessage._meta.db_table
ATTEMPTS = SendAttempt._meta.db_table

# Row locks cannot be taken in a query with a window function, so the rows are locked first and
# numbered after. The status check in the UPDATE is the claim; SKIP LOCKED only keeps workers
# from queueing up behind each other.
CLAIM_SQL = f"""
WITH locked AS (
    SELECT id, priority, due_at FROM {MESSAGES}
    WHERE instance_id = %(instance)s AND status = %(queued)s AND due_at <= %(now)s
    ORDER BY priority DESC, due_at, id
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
), placed AS (
    SELECT id, row_number() OVER (ORDER BY priority DESC, due_at, id) - 1 AS place FROM locked
), claimed AS (
    UPDATE {MESSAGES} AS message
    SET status = %(sending)s, claimed_by = %(worker)s, claimed_at = %(now)s,
        claim_order = placed.place, attempts = message.attempts + 1, status_changed_at = %(now)s
    FROM placed
    WHERE message.id = placed.id AND message.status = %(queued)s
    RETURNING message.*
), tried AS (
    INSERT INTO {ATTEMPTS}
        (message_id, instance_id, worker, planned_for, started_at, outcome, detail)
    SELECT id, instance_id, %(worker)s, %(planned_for)s, %(now)s, %(trying)s, '' FROM claimed
)
SELECT * FROM claimed ORDER BY claim_order
"""  # noqa: S608 - table names from the models

# The attempt is updated only when the row was still `sending`: otherwise the caller looks at
# the row under a lock and records both itself.
RECORD_SQL = f"""
WITH moved AS (
    UPDATE {MESSAGES} SET {{assignments}}
    WHERE id = %(message)s AND status = %(sending)s
    RETURNING id
), finished AS (
    UPDATE {ATTEMPTS} SET outcome = %(outcome)s, finished_at = %(at)s, detail = %(detail)s
    WHERE message_id IN (SELECT id FROM moved) AND outcome = %(trying)s
)
SELECT count(*) FROM moved
"""  # noqa: S608 - table names from the models, columns from OUTCOME_COLUMNS
# The columns an outcome may set on its row (`record_outcome`), checked before they go into SQL.
OUTCOME_COLUMNS = frozenset({"status", "status_changed_at", "provider_id", "last_error", "sent_at"})


def claim(
    instance: Instance,
    now: datetime,
    worker: str,
    limit: int,
    planned_for: datetime | None,
) -> list[OutboundMessage]:
    """Up to `limit` of the instance's due rows, highest priority and oldest first, now `sending`
    for `worker` with their place in the batch (`claim_order`) and an attempt each; in order."""
    if connection.vendor == "postgresql":
        params = {
            "instance": instance.pk,
            "now": now,
            "limit": limit,
            "worker": worker,
            "planned_for": planned_for,
            "queued": S.QUEUED,
            "sending": S.SENDING,
            "trying": Outcome.SENDING,
        }
        return list(OutboundMessage.objects.raw(CLAIM_SQL, params))
    return _claim_with_orm(instance, now, worker, limit, planned_for)


def _claim_with_orm(
    instance: Instance,
    now: datetime,
    worker: str,
    limit: int,
    planned_for: datetime | None,
) -> list[OutboundMessage]:
    due = OutboundMessage.objects.filter(instance=instance, status=S.QUEUED, due_at__lte=now)
    with transaction.atomic():
        ids = list(
            due.select_for_update(skip_locked=True)
            .order_by("-priority", "due_at", "id")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        # The conditional update is the claim (SQLite has no row locks, but one writer at a time).
        OutboundMessage.objects.filter(pk__in=ids, status=S.QUEUED).update(
            status=S.SENDING,
            claimed_by=worker,
            claimed_at=now,
            claim_order=Case(*(When(pk=pk, then=n) for n, pk in enumerate(ids))),
            attempts=F("attempts") + 1,
            status_changed_at=now,
        )
        claimed = list(
            OutboundMessage.objects.filter(
                pk__in=ids, status=S.SENDING, claimed_by=worker, claimed_at=now
            ).order_by("claim_order")
        )
        SendAttempt.objects.bulk_create(
            SendAttempt(
                message=message,
                instance=instance,
                worker=worker,
                planned_for=planned_for,
                started_at=now,
            )
            for message in claimed
        )
    return claimed


def record_outcome(
    message_id: int, outcome: str, detail: str, at: datetime, fields: dict[str, object]
) -> bool:
    """Set `fields` on a row that is still `sending` and finish its open attempt with `outcome`;
    False (and nothing written) when the row has moved on, e.g. an ack outran the send's
    answer."""
    if connection.vendor == "postgresql":
        unknown = set(fields) - OUTCOME_COLUMNS
        if unknown:
            raise ValueError(f"Not an outcome column: {', '.join(sorted(unknown))}")
        assignments = ", ".join(f"{name} = %({name})s" for name in fields)
        params = {
            **fields,
            "message": message_id,
            "sending": S.SENDING,
            "outcome": outcome,
            "at": at,
            "detail": detail,
            "trying": Outcome.SENDING,
        }
        with connection.cursor() as cursor:
            cursor.execute(RECORD_SQL.format(assignments=assignments), params)
            return cursor.fetchone()[0] > 0
    with transaction.atomic():
        moved = OutboundMessage.objects.filter(pk=message_id, status=S.SENDING).update(**fields)
        if moved:
            SendAttempt.objects.filter(message_id=message_id, outcome=Outcome.SENDING).update(
                outcome=outcome, finished_at=at, detail=detail
            )
    return bool(moved)
