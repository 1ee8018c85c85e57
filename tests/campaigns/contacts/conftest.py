from __future__ import annotations

import io
from collections.abc import Callable

import pytest


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def opener(data: bytes) -> Callable[[], io.BytesIO]:
    """What the readers take: a function that opens the file (here: bytes in memory)."""
    return lambda: io.BytesIO(data)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
