"""Model choices built from the engine layer's enums, so the two cannot drift apart."""

from __future__ import annotations

import enum


def choices_from(members: type[enum.StrEnum]) -> list[tuple[str, str]]:
    """`LINK_PREVIEW = "link_preview"` becomes the choice ("link_preview", "Link preview")."""
    return [(member.value, member.name.replace("_", " ").capitalize()) for member in members]
