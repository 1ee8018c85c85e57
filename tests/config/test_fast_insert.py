"""`insert` stores a new row exactly as `save()` would, for the models ingest uses it for."""

from __future__ import annotations

import pytest
from django.db.models.signals import post_save, pre_save
from django.forms.models import model_to_dict

from config.fast_insert import insert
from inbox.models import Chat, ConversationMessage, WebhookEvent
from tests.factories import InstanceFactory

pytestmark = pytest.mark.django_db


def stored(obj) -> dict:
    row = type(obj).objects.get(pk=obj.pk)
    return {key: value for key, value in model_to_dict(row).items() if key != "id"}


def test_an_event_is_stored_as_save_stores_it_with_its_defaults():
    instance = InstanceFactory()
    fields = {"instance": instance, "kind": "message", "payload": {"a": [1, "ü"]}, "raw_body": b"x"}
    saved = WebhookEvent.objects.create(event_id="saved", **fields)
    inserted = insert(WebhookEvent(event_id="inserted", **fields))
    assert inserted.pk > saved.pk and not inserted._state.adding
    assert inserted.state == "stored" and inserted.received_at >= saved.received_at
    differing = {"event_id", "received_at"}
    assert {k: v for k, v in stored(inserted).items() if k not in differing} == {
        k: v for k, v in stored(saved).items() if k not in differing
    }
    assert bytes(WebhookEvent.objects.get(pk=inserted.pk).raw_body) == b"x"


def test_a_message_keeps_its_chat_and_every_default():
    chat = Chat.objects.create(instance=InstanceFactory(), chat_id="4917612345678@c.us")
    message = insert(ConversationMessage(chat=chat, direction="in", provider_id="p1", body="Hi"))
    row = ConversationMessage.objects.get(pk=message.pk)
    assert (row.chat, row.body, row.reactions, row.media_file.name) == (chat, "Hi", {}, "")
    assert row.created_at == message.created_at and row.sent_at == message.sent_at


def test_an_unsaved_related_row_is_refused_as_save_refuses_it():
    chat = Chat(instance=InstanceFactory(), chat_id="4917612345678@c.us")
    with pytest.raises(ValueError, match="unsaved related object"):
        insert(ConversationMessage(chat=chat, direction="in"))


def test_models_it_is_used_for_have_no_save_signals_it_would_skip():
    for model in (WebhookEvent, ConversationMessage):
        assert not pre_save.has_listeners(model) and not post_save.has_listeners(model)
