"""Phone numbers as people write them, read into E.164 with the default country."""

from __future__ import annotations

import pytest

from instances.phone_numbers import InvalidPhoneNumber, to_e164_in_region


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("0151 2345 6789", "DE", "+4915123456789"),
        ("(0151) 2345-6789", "DE", "+4915123456789"),
        ("+49 151 23456789", "DE", "+4915123456789"),
        ("0049 151 23456789", "DE", "+4915123456789"),
        ("4915123456789", "DE", "+4915123456789"),
        ("+49 151 23456789", "US", "+4915123456789"),
        ("0049 151 23456789", "US", "+4915123456789"),
        ("(202) 555-0123", "US", "+12025550123"),
        ("1 202 555 0123", "US", "+12025550123"),
        ("07911 123456", "GB", "+447911123456"),
        ("+49 151 23456789", "", "+4915123456789"),
        ("4915123456789", "", "+4915123456789"),
    ],
)
def test_numbers_are_read_as_written_in_the_region(raw, region, e164):
    assert to_e164_in_region(raw, region) == e164


@pytest.mark.parametrize(
    ("raw", "region"),
    [("12", "DE"), ("abc", "DE"), ("", "DE"), ("030 12345678", ""), ("+49 1", "US")],
)
def test_invalid_numbers_are_refused_with_the_reason(raw, region):
    with pytest.raises(InvalidPhoneNumber, match="is not a valid phone number"):
        to_e164_in_region(raw, region)
