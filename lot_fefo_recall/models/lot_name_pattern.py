"""Internal lot numbers built from a pattern such as ``{supplier_code}-{date:%Y%m%d}``.

The pattern is parsed with :class:`string.Formatter` so that the syntax is the
familiar ``str.format`` one, but only the tokens below are accepted and every
token is rendered by this module (never by ``str.format``), so a pattern can
not reach attributes or items of the values.
"""

import string

TOKENS = {
    "supplier_code": "the vendor's lot code (e.g. AC for ABC Corp)",
    "product_code": "the product's internal reference",
    "warehouse_code": "the receiving warehouse's short name",
    "date:<format>": "the receipt date, e.g. {date:%Y%m%d} or {date:%y%m%d}",
    "julian": "the receipt date as YYDDD (year and day of the year)",
    "seq:<width>": "a counter, e.g. {seq:3} gives 001, 002, ...",
}
_PLAIN_TOKENS = {"supplier_code", "product_code", "warehouse_code", "julian"}
_MAX_SEQ_WIDTH = 12
_STRIP = " \t-_/."


class PatternError(ValueError):
    """The pattern can not be used; the message says why, in the user's words."""


def valid_tokens_text():
    return ", ".join("{%s}" % token for token in TOKENS)


def parse(env, pattern):
    """Return the pattern as a list of ``(literal, token, spec)`` parts.

    Raise :class:`PatternError` (translated with ``env``) on bad syntax or an
    unknown token.
    """
    try:
        parts = list(string.Formatter().parse(pattern or ""))
    except ValueError as exc:
        raise PatternError(
            env._("a brace is not closed or not opened (write tokens as {token})")
        ) from exc
    result = []
    for literal, token, spec, conversion in parts:
        if token is None:
            result.append((literal, None, None))
            continue
        shown = "{%s%s}" % (token, f":{spec}" if spec else "")
        if conversion or "{" in (spec or "") or "}" in (spec or ""):
            raise PatternError(env._("the token %(token)s is not valid", token=shown))
        if token in _PLAIN_TOKENS:
            if spec:
                raise PatternError(env._("the token %(token)s takes no format", token=shown))
        elif token == "date":
            if not spec:
                raise PatternError(
                    env._(
                        "the token %(token)s needs a format, e.g. %(example)s",
                        token="{date}",
                        example="{date:%Y%m%d}",
                    )
                )
        elif token == "seq":
            if not spec.isdigit() or not 1 <= int(spec) <= _MAX_SEQ_WIDTH:
                raise PatternError(
                    env._(
                        "the token %(token)s needs a width from 1 to %(max)s, e.g. {seq:3}",
                        token=shown,
                        max=_MAX_SEQ_WIDTH,
                    )
                )
        else:
            raise PatternError(env._("unknown token %(token)s", token=shown))
        result.append((literal, token, spec))
    return result


def has_counter(env, pattern):
    return any(token == "seq" for _literal, token, _spec in parse(env, pattern))


def render(env, pattern, values, counter=1):
    """Render ``pattern`` with ``values`` (``supplier_code``, ``product_code``,
    ``warehouse_code`` strings and a ``date`` :class:`datetime.date`).

    ``counter`` fills ``{seq:<width>}``. Separators left dangling at either end by
    empty tokens are dropped, so ``{supplier_code}-{date:%Y%m%d}`` without a vendor
    code gives ``20260615``.
    """
    out = []
    for literal, token, spec in parse(env, pattern):
        out.append(literal)
        if token is None:
            continue
        if token == "date":
            out.append(values["date"].strftime(spec))
        elif token == "julian":
            out.append(values["date"].strftime("%y%j"))
        elif token == "seq":
            out.append(str(counter).zfill(int(spec)))
        else:
            out.append(values.get(token) or "")
    return "".join(out).strip(_STRIP)
