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


def to_e164_in_region(raw: str, region: str = "") -> str:
    """Like `to_e164`, but a number written nationally ('0151 2345 6789') is read as one of
    `region` (an ISO 3166 code such as 'DE'). Without a region, as `to_e164`.

    International numbers work in any region: '+49…', '0049…', bare digits that start with the
    region's own country code ('4915123456789' in Germany: spreadsheets drop the '+'), and bare
    digits that are no valid national number but a valid international one.
    """
    if not region:
        return to_e164(raw)
    text = raw.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    number = None
    if not text.startswith("+"):
        digits = digits_only(text)
        own_code = str(phonenumbers.country_code_for_region(region))
        international = _valid_number("+" + digits, None) if digits[:1] not in ("", "0") else None
        national = _valid_number(text, region)
        if international and digits.startswith(own_code):
            number = international
        else:
            number = national or international
    else:
        number = _valid_number(text, None)
    if number is None:
        raise InvalidPhoneNumber(
            f"{raw[:40]} is not a valid phone number in {region} or with a country code."
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _valid_number(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def digits_only(phone: str) -> str:
    """'+49 170 123-45' -> '4917012345': gateways want international numbers as bare digits."""
    return "".join(ch for ch in phone if ch in "0123456789")
