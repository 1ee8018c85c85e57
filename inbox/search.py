"""Finding conversations by contact name, phone digits or message text.

Each kind of match is its own query, so PostgreSQL answers each from an index: full-text search
(GIN) over message text, and trigram indexes over names and phones where the pg_trgm extension
could be installed (migration 0004). One query OR-ing them would scan every conversation.
SQLite gets the same queries with plain `LIKE`.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from inbox.models import Chat, ConversationMessage

# Conversations taken from each kind of match: more than anyone pages through, few enough that
# the list query with them stays fast.
MATCH_LIMIT = 1000


def messages_matching(query: str) -> QuerySet[ConversationMessage]:
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        return ConversationMessage.objects.annotate(
            document=SearchVector("body", config="simple")
        ).filter(document=SearchQuery(query, config="simple", search_type="websearch"))
    return ConversationMessage.objects.filter(body__icontains=query)


def matching_chat_ids(query: str) -> set[int]:
    digits = "".join(char for char in query if char.isdigit())
    people = Q(name__icontains=query)
    if len(digits) >= 3:
        people |= Q(phone__contains=digits)
    found = set(Chat.objects.filter(people).values_list("pk", flat=True)[:MATCH_LIMIT])
    by_contact = Chat.objects.filter(contact__name__icontains=query)
    found |= set(by_contact.values_list("pk", flat=True)[:MATCH_LIMIT])
    # No order and no DISTINCT, so the scan stops at the limit: a word in every tenth message
    # (hello, thanks) gives the conversations of the first matches found, not all of them.
    in_messages = messages_matching(query).order_by().values_list("chat_id", flat=True)
    found |= set(in_messages[: MATCH_LIMIT * 2])
    return found


def search_chats(chats: QuerySet[Chat], query: str) -> QuerySet[Chat]:
    ids = sorted(matching_chat_ids(query))
    if not ids:
        return chats.none()
    if connection.vendor == "postgresql":
        # One array parameter instead of an IN list of up to 3,000: the list page runs this
        # twice (count and page), and building and planning the long list cost more than
        # running the query (docs/benchmarks.md, "Inbox at scale").
        sql = f"{Chat._meta.db_table}.id = ANY(%s)"
        where = RawSQL(sql, [ids], output_field=BooleanField())  # noqa: S611 - ids are a parameter
        return chats.filter(where)
    return chats.filter(pk__in=ids)
