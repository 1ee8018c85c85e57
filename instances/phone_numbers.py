"""Phone numbers in E.164, the one form Switchboard stores and sends."""

from __future__ import annotations

import phonenumbers


class InvalidPhoneNumber(ValueError):
    pass


def to_e164(raw: str) -> str:
    """'+49 151 2345 6789' -> '+4915123456789'. Numbers must carry their country code."""
    text = raw.strip()
    if text and not text.startswith("+"):
        text = "+" + text.lstrip("0")
    problem = (
        f"{raw[:40]} is not a valid phone number. Include the country code, like +49 151 23456789."
    )
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(problem) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(problem)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def digits_only(phone: str) -> str:
    """'+49 170 123-45' -> '4917012345': gateways want international numbers as bare digits."""
    return "".join(ch for ch in phone if ch in "0123456789")
