"""Bodies without a `\\u` escape for a NUL or a surrogate skip the walk that replaces such
characters; the result must be exactly what the walk gives, for any body."""

from __future__ import annotations

import json

from hypothesis import example, given, settings
from hypothesis import strategies as st

from instances.engines.webhook_json import _clean, decode_untrusted

# Any code point, lone surrogates and NUL included, so that json.dumps writes their escapes.
text = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=20)
values = st.recursive(
    st.none() | st.booleans() | st.integers() | text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=1500, deadline=None)
@given(value=values, ascii_only=st.booleans())
@example(value={"a": "x\x00y"}, ascii_only=True)
@example(value={"\ud800": "\udfff"}, ascii_only=True)
@example(value=["\\u0000"], ascii_only=True)
def test_the_shortcut_gives_what_cleaning_every_value_gives(value, ascii_only):
    try:
        body = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate written raw cannot be UTF-8
        return
    decoded = decode_untrusted(body)
    walked, replaced = _clean(json.loads(body))
    assert decoded.value == walked
    assert decoded.sanitised == replaced


def test_escapes_written_in_capitals_are_cleaned_too():
    decoded = decode_untrusted(b'{"a": "x\\uD83Dy", "b": "\\u0000"}')
    assert decoded.value == {"a": "x\ufffdy", "b": "\ufffd"}
    assert decoded.sanitised
