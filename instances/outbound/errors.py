"""The one error type for anything that cannot be queued."""

from __future__ import annotations


class OutboundValidationError(ValueError):
    """Bad input for a message. `errors` maps each field (dotted for nested ones) to messages,
    so a form shows them next to the field and the API names the field."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items()))
