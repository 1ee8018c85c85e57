"""The one decoder for JSON from outside: webhook bodies the engines post.

`json.loads` accepts what no database column can hold: NaN, Infinity and numbers that overflow
to infinity (PostgreSQL's jsonb refuses them), NUL characters and lone UTF-16 surrogates
(refused by jsonb and by text columns), invalid UTF-8, and nesting deep enough to exhaust the
parser's recursion. Here those values are neutralised so the event can still be stored and
applied, and `Decoded.sanitised` tells the caller to keep the original bytes beside it. Only
what cannot be read at all (not JSON, nested past MAX_DEPTH) is refused with a ValueError
whose message says why.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 64
REPLACEMENT = "\ufffd"

_UNSTORABLE_CHARACTERS = re.compile("[\x00\ud800-\udfff]")
# Only a \u escape puts a NUL or a lone surrogate into a decoded string: raw control characters
# are not JSON, and UTF-8 cannot carry surrogates. A body without such an escape (nearly every
# one) skips the walk over its values, which was a twelfth of applying a webhook.
_UNSTORABLE_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")
# Strings (with their escapes) or brackets, so brackets inside strings are not counted.
_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


@dataclass(frozen=True)
class Decoded:
    value: Any
    sanitised: bool


def loads_untrusted(body: bytes) -> Any:
    """The body's JSON value, neutralised for storage. ValueError with a reason otherwise."""
    return decode_untrusted(body).value


def decode_untrusted(body: bytes) -> Decoded:
    try:
        text, sanitised = body.decode("utf-8"), False
    except UnicodeDecodeError:
        text, sanitised = body.decode("utf-8", errors="replace"), True
    text = text.removeprefix("\ufeff")
    _refuse_deep_nesting(text)
    neutralised: list[str] = []

    def finite_float(literal: str) -> float | None:
        number = float(literal)
        if math.isfinite(number):
            return number
        neutralised.append(literal)
        return None

    def no_constant(literal: str) -> None:
        neutralised.append(literal)

    try:
        value = json.loads(text, parse_float=finite_float, parse_constant=no_constant)
    except json.JSONDecodeError as exc:
        raise ValueError(f"The body is not JSON: {exc.msg} (character {exc.pos}).") from None
    except (ValueError, RecursionError) as exc:
        # Integers past Python's digit limit, or a nesting the pre-scan did not see.
        raise ValueError(f"The body is not JSON this receiver accepts: {exc}"[:200]) from None
    cleaned, replaced = _clean(value) if _UNSTORABLE_ESCAPE.search(text) else (value, False)
    return Decoded(cleaned, sanitised or replaced or bool(neutralised))


def _refuse_deep_nesting(text: str) -> None:
    # Cheap exit: a body with few brackets cannot be nested deeply.
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        lexeme = match.group()
        if lexeme in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ValueError(f"The body nests deeper than {MAX_DEPTH} levels.")
        elif lexeme in "]}":
            depth -= 1


def _clean(value: Any) -> tuple[Any, bool]:
    """Strings without NUL or lone surrogates; the flag says whether anything was replaced."""
    if isinstance(value, str):
        cleaned = _UNSTORABLE_CHARACTERS.sub(REPLACEMENT, value)
        return cleaned, cleaned != value
    if isinstance(value, list):
        items = [_clean(item) for item in value]
        return [item for item, _ in items], any(changed for _, changed in items)
    if isinstance(value, dict):
        result, changed = {}, False
        for key, item in value.items():
            clean_key, key_changed = _clean(key)
            clean_item, item_changed = _clean(item)
            result[clean_key] = clean_item
            changed = changed or key_changed or item_changed
        return result, changed
    return value, False
