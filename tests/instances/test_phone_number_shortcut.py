"""The E.164 shortcut of `parse_international` gives exactly what phonenumbers' parser gives."""

from __future__ import annotations

import phonenumbers
from hypothesis import example, given, settings
from hypothesis import strategies as st
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneNumberType

from instances.phone_numbers import parse_international

CODES = sorted(COUNTRY_CODE_TO_REGION_CODE)
EXAMPLES = sorted(
    phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    for region in phonenumbers.SUPPORTED_REGIONS
    for kind in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.TOLL_FREE)
    if (number := phonenumbers.example_number_for_type(region, kind)) is not None
)


def outcome(parse, text: str):
    try:
        number = parse(text)
    except phonenumbers.NumberParseException as exc:
        return ("refused", exc.error_type)
    return (number, phonenumbers.is_valid_number(number))


def slow(text: str):
    return phonenumbers.parse(text, None)


@settings(max_examples=3000, deadline=None)
@given(
    st.one_of(
        st.sampled_from(EXAMPLES),
        st.builds(
            lambda code, rest: f"+{code}{rest}",
            st.sampled_from(CODES),
            st.text(alphabet="0123456789", max_size=17),
        ),
        st.text(alphabet="+0123456789", max_size=22),
    )
)
@example("+4915123456789")
@example("+4401234")
@example("+12015550123")
@example("+390612345678")
def test_the_shortcut_and_the_parser_agree(text):
    assert outcome(parse_international, text) == outcome(slow, text)


def test_the_example_numbers_of_every_region_agree():
    for text in EXAMPLES:
        assert outcome(parse_international, text) == outcome(slow, text)
