"""message-pro QR codes in each answer form, and screenshots."""

from __future__ import annotations

import pytest

from instances.engines.base import (
    PermanentError,
)
from tests.instances.engines.messagepro.gateway import INSTANCE


def test_qr_returns_an_image_answer_as_png(api, engine):
    api.get(f"/api/v2/instances/{INSTANCE}/qr-code").respond(
        200, content=b"\x89PNG-qr", headers={"Content-Type": "image/png"}
    )

    assert engine.qr().png == b"\x89PNG-qr"


def test_qr_decodes_a_data_uri_in_json(api, engine):
    api.get(f"/api/v2/instances/{INSTANCE}/qr-code").respond(
        200, json={"data": {"qr": "data:image/png;base64,iVBORw0KGgo="}}
    )

    assert engine.qr().png == b"\x89PNG\r\n\x1a\n"


def test_qr_keeps_a_raw_qr_string(api, engine):
    api.get(f"/api/v2/instances/{INSTANCE}/qr-code").respond(200, json={"qr_code": "2@abc,def"})

    qr = engine.qr()

    assert qr.value == "2@abc,def"
    assert qr.png == b""


def test_qr_without_any_code_is_a_permanent_error(api, engine):
    api.get(f"/api/v2/instances/{INSTANCE}/qr-code").respond(200, json={"status": "authenticated"})

    with pytest.raises(PermanentError):
        engine.qr()


def test_screenshot_returns_the_image(api, engine):
    api.get(f"/api/v2/instances/{INSTANCE}/screenshot").respond(
        200, content=b"\xff\xd8jpeg", headers={"Content-Type": "image/jpeg"}
    )

    shot = engine.screenshot()

    assert shot.content == b"\xff\xd8jpeg"
    assert shot.mimetype == "image/jpeg"
