"""Phone numbers in E.164, the one form Switchboard stores and sends."""

from __future__ import annotations

import re
from functools import cache

import phonenumbers
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata, PhoneNumber


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
        number = parse_international(text)
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
        number = parse_international(text) if region is None else phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def digits_only(phone: str) -> str:
    """'+49 170 123-45' -> '4917012345': gateways want international numbers as bare digits."""
    return "".join(ch for ch in phone if ch in "0123456789")


E164_SHAPE = re.compile(r"\+[1-9]\d{2,18}")


def parse_international(text: str) -> PhoneNumber:
    """`phonenumbers.parse(text, None)`, with a shortcut for text already written as E.164
    ('+' and digits) whose national part the parser would keep as it stands: no leading zero,
    and nothing its country's national-prefix rule could strip. Most imported numbers look so,
    and the general parser was more than half of checking one (tests/instances/
    test_phone_number_shortcut.py holds both ways to the same answers)."""
    if E164_SHAPE.fullmatch(text):
        digits = text[1:]
        code = next(
            (int(digits[:n]) for n in (1, 2, 3) if int(digits[:n]) in COUNTRY_CODE_TO_REGION_CODE),
            0,
        )
        national = digits[len(str(code)) :] if code else ""
        if 2 <= len(national) <= 17 and national[0] != "0" and _keeps_national(code, national):
            return PhoneNumber(country_code=code, national_number=int(national))
    return phonenumbers.parse(text, None)


def _keeps_national(code: int, national: str) -> bool:
    prefix = _national_prefix_rule(code)
    return prefix is not None and not prefix.match(national)


@cache
def _national_prefix_rule(code: int) -> re.Pattern | None:
    """The country's rule for a national prefix to strip; a pattern that never matches when
    it has none; None when its metadata is missing (then the general parser decides)."""
    region = phonenumbers.region_code_for_country_code(code)
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(code, region)
    if metadata is None:
        return None
    return re.compile(metadata.national_prefix_for_parsing or "(?!)")
