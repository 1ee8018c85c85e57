from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path):
    """Files the inbox stores (fetched media, attachments) go to a folder each test owns."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
