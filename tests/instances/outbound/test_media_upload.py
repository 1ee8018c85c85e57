"""A file uploaded on the compose page: checked by content, kept until the message is final,
and fetched by the gateway from a signed link that expires."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from instances.models import InstanceStatus, OutboundMessage
from instances.models import OutboundStatus as S
from instances.outbound import enqueue
from instances.outbound.actions import ActionRefused, cancel_message, retry_message
from instances.outbound.dispatcher import send_next
from instances.outbound.media import (
    LinkRefused,
    StoredMedia,
    delete_finished_media,
    read_link,
    signed_url,
)
from tests.factories import InstanceFactory

pytestmark = pytest.mark.django_db

COMPOSE = reverse("messages:compose")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(200)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + b"x" * 100


@pytest.fixture
def operator_client(client, operator):
    client.force_login(operator)
    return client


@pytest.fixture
def instance():
    return InstanceFactory(name="Sales", status=InstanceStatus.WORKING)


def compose(client, instance, kind, **fields):
    data = {"instance": instance.pk, "to": "+49 151 2345 6789", "kind": kind, "priority": 0}
    return client.post(COMPOSE, {**data, **fields})


def path_of(url: str) -> str:
    return url.removeprefix("http://127.0.0.1:8000")


def test_an_uploaded_image_is_queued_with_a_link_the_gateway_can_fetch_without_login(
    operator_client, instance, client, settings
):
    settings.PUBLIC_BASE_URL = "https://switchboard.example"
    upload = SimpleUploadedFile("shelf.png", PNG, content_type="application/x-anything")

    response = compose(operator_client, instance, "image", file=upload, caption="New stock")

    message = OutboundMessage.objects.get()
    assert response.status_code == 302
    assert message.payload["caption"] == "New stock"
    assert message.payload["mimetype"] == "image/png"
    assert message.payload["filename"] == "shelf.png"
    assert message.payload["url"].startswith("https://switchboard.example/messages/media/")
    assert message.media_name.startswith("outbound/") and "shelf" not in message.media_name
    client.logout()
    fetched = client.get(message.payload["url"].removeprefix("https://switchboard.example"))
    assert fetched.status_code == 200
    assert fetched["Content-Type"] == "image/png"
    assert fetched["Content-Disposition"] == 'attachment; filename="shelf.png"'
    assert b"".join(fetched.streaming_content) == PNG


def test_a_document_keeps_the_name_the_person_gave_it(operator_client, instance):
    upload = SimpleUploadedFile("scan-0041.pdf", PDF)

    compose(operator_client, instance, "document", file=upload, filename="Invoice 41.pdf")

    message = OutboundMessage.objects.get()
    assert message.payload["filename"] == "Invoice 41.pdf"
    assert message.payload["mimetype"] == "application/pdf"
    assert message.media_name.endswith(".pdf")


@pytest.mark.parametrize(
    ("kind", "name", "content", "says"),
    [
        ("image", "photo.jpg", b"just some text, not a photo", "not what its name (.jpg) says"),
        ("image", "setup.exe", b"MZ\x90\x00" + bytes(100), "cannot be sent. Accepted: .jpeg"),
        ("voice", "note.png", PNG, "cannot be sent. Accepted: .m4a, .mp3, .ogg, .opus"),
        ("video", "clip.mp4", PNG, "not what its name (.mp4) says"),
        ("document", "empty.pdf", b"", "The file is empty."),
    ],
)
def test_a_file_of_the_wrong_type_is_refused_at_the_file_field(
    operator_client, instance, media_root, kind, name, content, says
):
    response = compose(operator_client, instance, kind, file=SimpleUploadedFile(name, content))

    assert response.status_code == 200
    assert says in response.context["form"].errors["file"][0]
    assert not OutboundMessage.objects.exists()
    assert not any(Path(media_root).rglob("*.*"))


def test_a_file_over_the_size_limit_is_refused_before_anything_is_stored(
    operator_client, instance, media_root, settings
):
    settings.OUTBOUND_MEDIA_MAX_BYTES = 100

    response = compose(operator_client, instance, "image", file=SimpleUploadedFile("a.png", PNG))

    assert "At most 0.0 MB" in response.context["form"].errors["file"][0]
    assert not OutboundMessage.objects.exists()
    assert not any(Path(media_root).rglob("*.*"))


def test_a_media_message_needs_a_file_or_an_address_but_not_both(operator_client, instance):
    neither = compose(operator_client, instance, "image")
    both = compose(
        operator_client,
        instance,
        "image",
        file=SimpleUploadedFile("a.png", PNG),
        url="https://cdn.example/a.png",
    )

    assert "Upload a file" in neither.context["form"].errors["file"][0]
    assert "not both" in both.context["form"].errors["url"][0]
    assert not OutboundMessage.objects.exists()


def test_the_compose_page_offers_a_file_field_for_media(operator_client):
    page = operator_client.get(COMPOSE, {"kind": "document"}).content.decode()

    assert 'type="file"' in page and 'enctype="multipart/form-data"' in page


def test_a_forged_or_expired_link_is_refused_with_a_reason(client, instance):
    message = enqueue(
        instance, "+4915123456789", "image", {}, upload=SimpleUploadedFile("a.png", PNG)
    )
    url = path_of(message.payload["url"])
    token = url.rstrip("/").rsplit("/", 1)[-1]

    forged = client.get(url.replace(token, token[:-2] + "xx"))
    assert forged.status_code == 404 and b"not valid" in forged.content
    later = timezone.now() + timedelta(days=4)
    with pytest.raises(LinkRefused, match="expired"):
        read_link(token, now=later)


def test_the_file_is_deleted_once_the_message_is_sent_and_its_link_then_says_so(
    linked, accepted, client
):
    message = enqueue(
        linked,
        "+4915123456789",
        "image",
        {"caption": "Hi"},
        upload=SimpleUploadedFile("a.png", PNG),
    )
    url = path_of(message.payload["url"])

    send_next(linked.pk, rng=random.Random(1))

    message.refresh_from_db()
    assert message.status == S.SENT
    (record,) = accepted()
    assert record["request"]["file"]["url"] == message.payload["url"]
    assert record["request"]["file"]["mimetype"] == "image/png"
    assert delete_finished_media() == 1
    message.refresh_from_db()
    assert message.media_name == ""
    gone = client.get(url)
    assert gone.status_code == 410 and b"deleted" in gone.content


def test_a_failed_message_keeps_its_file_until_its_link_has_expired(instance, settings):
    message = enqueue(
        instance, "+4915123456789", "image", {}, upload=SimpleUploadedFile("a.png", PNG)
    )
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=S.FAILED, status_changed_at=timezone.now()
    )

    assert delete_finished_media() == 0
    later = timezone.now() + timedelta(days=settings.OUTBOUND_MEDIA_LINK_DAYS, hours=1)
    assert delete_finished_media(now=later) == 1


def test_cancelling_deletes_the_file_at_once(instance, media_root):
    message = enqueue(
        instance, "+4915123456789", "image", {}, upload=SimpleUploadedFile("a.png", PNG)
    )

    cancel_message(message)

    assert message.media_name == ""
    assert not any(Path(media_root).rglob("*.png"))


def test_retrying_gives_the_gateway_a_fresh_link_and_refuses_once_the_file_is_gone(instance):
    message = enqueue(
        instance, "+4915123456789", "image", {}, upload=SimpleUploadedFile("a.png", PNG)
    )
    expired = signed_url(
        StoredMedia(message.media_name, "image/png", "a.png"), timezone.now() - timedelta(days=1)
    )
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=S.FAILED, payload={**message.payload, "url": expired}
    )
    message.refresh_from_db()

    retry_message(message)

    token = message.payload["url"].rstrip("/").rsplit("/", 1)[-1]
    assert message.status == S.QUEUED
    assert read_link(token).name == message.media_name
    with pytest.raises(LinkRefused):
        read_link(expired.rstrip("/").rsplit("/", 1)[-1])
    OutboundMessage.objects.filter(pk=message.pk).update(status=S.FAILED, media_name="")
    message.refresh_from_db()
    with pytest.raises(ActionRefused, match="uploaded file has been deleted"):
        retry_message(message)


def test_an_oversized_upload_is_refused_before_its_body_is_read(
    operator_client, instance, settings, media_root
):
    settings.OUTBOUND_MEDIA_MAX_BYTES = 1000
    upload = SimpleUploadedFile("big.png", PNG + bytes(100_000))

    response = compose(operator_client, instance, "image", file=upload)

    assert response.status_code == 413
    assert b"larger than 0.0 MB" in response.content
    assert not OutboundMessage.objects.exists()
