"""GS1 barcodes: parse what a scanner sends, build what a label prints.

One small parser for the three forms a receiving clerk meets:

* the raw element string a GS1-128 / GS1 DataMatrix / GS1 QR scanner sends, with an
  optional symbology identifier (``]C1``, ``]d2``, ``]Q3``, ``]e0``) and the GS character
  (``\\x1d``, FNC1) ending each variable-length field that is not last;
* the element string as printed under the bars, AIs in parentheses:
  ``(01)09501101530003(17)261231(10)AB-12``;
* a GS1 Digital Link URI: ``https://id.example.com/01/09501101530003/10/AB-12?17=261231``.

Every failure is a UserError that says what is wrong with which part of the scan, so
nothing is written from a bad scan. Check digits use Odoo's own GS1 mod-10
(``odoo.tools.barcode.get_barcode_check_digit``).
"""

import calendar
import datetime
import re
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.barcode import get_barcode_check_digit

from .input_guard import shorten

GS = "\x1d"
SYMBOLOGY_IDENTIFIERS = ("]C1", "]d2", "]Q3", "]e0", "]J1")
# GS1 character set 82 (General Specifications, figure 7.11-1): what AI values may hold.
CSET82 = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]+$")

# AI -> (title, fixed length or None, maximum length, content).
# content: "gtin" (n14 + check digit), "gln" (n13 + check digit), "sscc" (n18 + check
# digit), "date" (YYMMDD), "n" (digits), "an" (character set 82), "measure" (n6 with
# the AI's last digit as the decimal position).
AIS = {
    "00": ("SSCC", 18, 18, "sscc"),
    "01": ("GTIN", 14, 14, "gtin"),
    "02": ("CONTENT", 14, 14, "gtin"),
    "10": ("BATCH/LOT", None, 20, "an"),
    "11": ("PROD DATE", 6, 6, "date"),
    "12": ("DUE DATE", 6, 6, "date"),
    "13": ("PACK DATE", 6, 6, "date"),
    "15": ("BEST BEFORE", 6, 6, "date"),
    "16": ("SELL BY", 6, 6, "date"),
    "17": ("USE BY", 6, 6, "date"),
    "20": ("VARIANT", 2, 2, "n"),
    "21": ("SERIAL", None, 20, "an"),
    "22": ("CPV", None, 20, "an"),
    "240": ("ADDITIONAL ID", None, 30, "an"),
    "241": ("CUST. PART No.", None, 30, "an"),
    "250": ("SECONDARY SERIAL", None, 30, "an"),
    "30": ("VAR. COUNT", None, 8, "n"),
    "37": ("COUNT", None, 8, "n"),
    "400": ("ORDER NUMBER", None, 30, "an"),
    "410": ("SHIP TO LOC", 13, 13, "gln"),
    "411": ("BILL TO", 13, 13, "gln"),
    "412": ("PURCHASE FROM", 13, 13, "gln"),
    "413": ("SHIP FOR LOC", 13, 13, "gln"),
    "414": ("LOC No.", 13, 13, "gln"),
    "415": ("PAY TO", 13, 13, "gln"),
    "416": ("PROD/SERV LOC", 13, 13, "gln"),
    "420": ("SHIP TO POST", None, 20, "an"),
    "422": ("ORIGIN", 3, 3, "n"),
    "7003": ("EXPIRY TIME", None, 10, "n"),
    "90": ("INTERNAL", None, 30, "an"),
    **{f"9{digit}": ("INTERNAL", None, 90, "an") for digit in "12345678"},
    "99": ("INTERNAL", None, 90, "an"),
}
# Trade measures 310n..369n: six digits, n decimals (net weight, length, volume, ...).
AIS.update(
    {
        f"3{group}{kind}{decimals}": ("MEASURE", 6, 6, "measure")
        for group in "123456"
        for kind in "0123456789"
        for decimals in "0123456"
    }
)
# AIs whose element never needs a GS after it (General Specifications, figure 7.8.5-2):
# their length is predefined by their first two digits.
PREDEFINED_LENGTH_PREFIXES = {
    "00", "01", "02", "03", "04", "11", "12", "13", "14", "15", "16", "17", "18", "19",
    "20", "31", "32", "33", "34", "35", "36", "41",
}  # fmt: skip
DATE_KEYS = {"production": "11", "best_before": "15", "expiry": "17"}
# Order of the elements written by element_string(): fixed-length first, so that only
# variable-length fields (lot, serial, quantity) need a GS between them.
WRITE_ORDER = ("gtin", "production", "best_before", "expiry", "quantity", "lot", "serial")
# Digital Link: key qualifiers that come in the path after the GTIN, in this order.
DL_PATH_QUALIFIERS = ("22", "10", "21")


def _ends_gs(ai):
    """Whether a GS must follow this AI's element when another element comes after it."""
    return ai[:2] not in PREDEFINED_LENGTH_PREFIXES


class LotFefoRecallGs1(models.AbstractModel):
    _name = "lot_fefo_recall.gs1"
    _description = "GS1 Barcodes (parser and writer)"

    # ------------------------------------------------------------------ check digits
    @api.model
    def check_digit_ok(self, code):
        """Whether ``code`` is a GTIN-8/12/13/14, a GLN-13 or an SSCC-18 whose last digit is
        the GS1 mod-10 check digit of the others."""
        if not isinstance(code, str) or not code.isdigit() or not code.isascii():
            return False
        if len(code) not in (8, 12, 13, 14, 18):
            return False
        padded = code.rjust(18, "0")
        return int(padded[-1]) == get_barcode_check_digit(padded)

    @api.model
    def normalize_gtin(self, code):
        """The 14-digit GTIN of a GTIN-8/12/13/14 (left-padded with zeros), or None when
        ``code`` is not a valid GTIN."""
        if isinstance(code, str):
            code = code.strip()
        if not isinstance(code, str) or len(code) not in (8, 12, 13, 14):
            return None
        if not self.check_digit_ok(code):
            return None
        return code.rjust(14, "0")

    @api.model
    def _identifier_problem(self, code, lengths, kind):
        """What is wrong with a GTIN or GLN as a user typed it, in their words, or None.
        ``lengths`` are the digit counts allowed; ``kind`` is "GTIN" or "GLN"."""
        if not code.isdigit() or not code.isascii():
            return self.env._(
                "The %(kind)s %(code)s may only contain digits.", kind=kind, code=shorten(code)
            )
        if len(code) not in lengths:
            return self.env._(
                "The %(kind)s %(code)s has %(count)s digits; a %(kind)s has %(allowed)s.",
                kind=kind,
                code=code,
                count=len(code),
                allowed=self.env._(
                    "%(some)s or %(last)s",
                    some=", ".join(str(n) for n in lengths[:-1]),
                    last=lengths[-1],
                )
                if len(lengths) > 1
                else lengths[0],
            )
        if not self.check_digit_ok(code):
            padded = code.rjust(18, "0")
            return self.env._(
                "The %(kind)s %(code)s has a wrong check digit: its last digit should be "
                "%(digit)s, not %(last)s. Check for a typing error.",
                kind=kind,
                code=code,
                digit=get_barcode_check_digit(padded),
                last=code[-1],
            )
        return None

    @api.model
    def _check_identifier_field(self, records, field_name, kind):
        """Refuse (ValidationError) a GTIN or GLN field holding an invalid value.
        ``kind`` is "GTIN" (8, 12, 13 or 14 digits) or "GLN" (13 digits)."""
        lengths = (8, 12, 13, 14) if kind == "GTIN" else (13,)
        for record in records:
            code = record[field_name]
            if not code:
                continue
            problem = self._identifier_problem(code, lengths, kind)
            if problem:
                raise ValidationError(
                    self.env._(
                        "%(record)s: %(problem)s Nothing was saved.",
                        record=record.display_name or record._description,
                        problem=problem,
                    )
                )

    # ------------------------------------------------------------------ parsing
    @api.model
    def parse(self, text):
        """Decode one scan. Returns a dict: gtin (14 digits or None; AI 01, else AI 02),
        lot (10), serial (21), expiry (17), best_before (15), production (11) as dates,
        quantity (30, else 37) as a float, ais ({ai: raw value}) and source
        ("element_string" or "digital_link"). Raises UserError when the scan can not be
        read as GS1 data."""
        if not isinstance(text, str) or not text.strip(GS + " \r\n\t"):
            raise UserError(self.env._("The scan is empty: scan the carton's GS1 barcode."))
        scan = text.strip(" \r\n\t")
        for prefix in SYMBOLOGY_IDENTIFIERS:
            if scan.startswith(prefix):
                scan = scan[len(prefix) :]
                break
        if re.match(r"^https?://", scan, re.IGNORECASE):
            ais = self._parse_digital_link(scan)
            source = "digital_link"
        else:
            scan = scan.lstrip(GS)
            if scan.startswith("("):
                ais = self._parse_parenthesised(scan)
            else:
                ais = self._parse_raw(scan)
            source = "element_string"
        return self._result(ais, source, text)

    def _malformed(self, text, reason):
        if self.env.context.get("gs1_writing"):
            return UserError(
                self.env._(
                    "%(value)s can not be printed in a GS1 barcode: %(reason)s",
                    value=shorten(text, 80),
                    reason=reason,
                )
            )
        return UserError(
            self.env._(
                "The scan %(scan)s is not a readable GS1 barcode: %(reason)s Nothing was "
                "recorded; scan the barcode again or type its printed text.",
                scan=shorten(text.replace(GS, "<GS>"), 80),
                reason=reason,
            )
        )

    def _unknown_ai(self, text, ai):
        return self._malformed(
            text,
            self.env._(
                "it starts a field with %(ai)s, which is not a GS1 Application Identifier "
                "this add-on reads (GTIN 01/02, lot 10, dates 11/15/17, serial 21, "
                "quantity 30/37, ...).",
                ai=ai,
            ),
        )

    def _ai_at(self, scan, position):
        """The known AI starting at ``position`` of a raw element string (AIs are
        prefix-free: at most one of the 2-, 3- and 4-digit candidates is known)."""
        for size in (2, 3, 4):
            candidate = scan[position : position + size]
            if candidate in AIS:
                return candidate
        return None

    def _parse_raw(self, scan):
        ais = {}
        position = 0
        while position < len(scan):
            ai = self._ai_at(scan, position)
            if ai is None:
                raise self._unknown_ai(scan, shorten(scan[position : position + 4], 8))
            title, fixed, maximum, _content = AIS[ai]
            position += len(ai)
            if fixed:
                value = scan[position : position + fixed]
                if len(value) < fixed or GS in value:
                    raise self._truncated(scan, ai, title, fixed, value.split(GS)[0])
                position += fixed
                if scan[position : position + 1] == GS:  # a needless separator: harmless
                    position += 1
            else:
                end = scan.find(GS, position)
                end = len(scan) if end == -1 else end
                value = scan[position:end]
                if len(value) > maximum:
                    raise self._malformed(
                        scan,
                        self.env._(
                            "the %(title)s (%(ai)s) %(value)s is longer than the %(max)s "
                            "characters GS1 allows; a separator (GS / FNC1) is probably "
                            "missing after it.",
                            title=title,
                            ai=ai,
                            value=shorten(value),
                            max=maximum,
                        ),
                    )
                position = end + 1
            self._add(ais, ai, value, scan)
        return ais

    def _truncated(self, scan, ai, title, fixed, value):
        return self._malformed(
            scan,
            self.env._(
                "it is cut short: the %(title)s (%(ai)s) has %(count)s of its %(fixed)s "
                "characters (%(value)s).",
                title=title,
                ai=ai,
                count=len(value),
                fixed=fixed,
                value=value or "-",
            ),
        )

    def _parse_parenthesised(self, scan):
        ais = {}
        scan = scan.replace(GS, "")
        pieces = re.split(r"\((\d{2,4})\)", scan)
        if pieces[0].strip():
            raise self._malformed(
                scan, self.env._("it must start with an AI in parentheses, like (01).")
            )
        for index in range(1, len(pieces), 2):
            ai, value = pieces[index], pieces[index + 1].strip()
            if ai not in AIS:
                raise self._unknown_ai(scan, ai)
            self._check_length(scan, ai, value)
            self._add(ais, ai, value, scan)
        if not ais:
            raise self._malformed(scan, self.env._("it has no AI in parentheses, like (01)."))
        return ais

    def _parse_digital_link(self, scan):
        parts = urlsplit(scan)
        if not parts.netloc:
            raise self._malformed(scan, self.env._("the web address has no domain."))
        segments = [unquote(segment) for segment in parts.path.split("/") if segment]
        # The primary key (01 GTIN) may follow any path prefix of the resolver.
        if "01" not in segments:
            raise self._malformed(
                scan,
                self.env._("the GS1 Digital Link address has no GTIN (/01/...) in its path."),
            )
        start = segments.index("01")
        path = segments[start:]
        if len(path) % 2:
            raise self._malformed(
                scan,
                self.env._(
                    "the GS1 Digital Link path is cut short: %(ai)s has no value.",
                    ai=path[-1],
                ),
            )
        ais = {}
        for index in range(0, len(path), 2):
            ai, value = path[index], path[index + 1]
            if ai not in AIS:
                raise self._unknown_ai(scan, shorten(ai, 8))
            if ai == "01" and len(value) in (8, 12, 13) and value.isdigit():
                value = value.rjust(14, "0")  # Digital Link allows GTIN-8/12/13
            self._check_length(scan, ai, value)
            self._add(ais, ai, value, scan)
        for key, value in parse_qsl(parts.query, keep_blank_values=True):
            if not key.isdigit():
                continue  # linkType, context, ...: for the resolver, not data
            if key not in AIS:
                raise self._unknown_ai(scan, shorten(key, 8))
            self._check_length(scan, key, value)
            self._add(ais, key, value, scan)
        return ais

    def _check_length(self, scan, ai, value):
        title, fixed, maximum, _content = AIS[ai]
        if fixed and len(value) < fixed:
            raise self._truncated(scan, ai, title, fixed, value)
        if len(value) > maximum:
            raise self._malformed(
                scan,
                self.env._(
                    "the %(title)s (%(ai)s) %(value)s has %(count)s characters; GS1 allows "
                    "%(max)s.",
                    title=title,
                    ai=ai,
                    value=shorten(value),
                    count=len(value),
                    max=maximum,
                ),
            )

    def _add(self, ais, ai, value, scan):
        """Check one element's value against its AI and keep it."""
        title, _fixed, _maximum, content = AIS[ai]
        if not value:
            raise self._malformed(
                scan,
                self.env._("the %(title)s (%(ai)s) is empty.", title=title, ai=ai),
            )
        if ai in ais and ais[ai] != value:
            raise self._malformed(
                scan,
                self.env._(
                    "it holds two different %(title)s (%(ai)s): %(first)s and %(second)s.",
                    title=title,
                    ai=ai,
                    first=shorten(ais[ai]),
                    second=shorten(value),
                ),
            )
        if content == "an":
            if not CSET82.match(value):
                raise self._malformed(
                    scan,
                    self.env._(
                        "the %(title)s (%(ai)s) %(value)s holds a character GS1 does not "
                        "allow (letters, digits and !\"%%&'()*+,-./:;<=>?_ only).",
                        title=title,
                        ai=ai,
                        value=shorten(value),
                    ),
                )
        elif not (value.isdigit() and value.isascii()):
            raise self._malformed(
                scan,
                self.env._(
                    "the %(title)s (%(ai)s) %(value)s must be digits only.",
                    title=title,
                    ai=ai,
                    value=shorten(value),
                ),
            )
        elif content in ("gtin", "gln", "sscc") and not self.check_digit_ok(value):
            raise UserError(
                self.env._(
                    "The %(title)s (%(ai)s) %(value)s in the scan has a wrong check digit "
                    "(it should end in %(digit)s): the barcode is damaged or misread. "
                    "Nothing was recorded; scan it again or type its printed text.",
                    title=title,
                    ai=ai,
                    value=value,
                    digit=get_barcode_check_digit(value.rjust(18, "0")),
                )
            )
        elif content == "date":
            self._date(value, ai, scan)
        ais[ai] = value

    def _date(self, value, ai, scan=None):
        """YYMMDD -> date. DD=00 is the month's last day; the century follows GS1's
        sliding window (General Specifications 7.12): up to 49 years ahead, 50 back."""
        title = AIS[ai][0]
        this_year = fields.Date.context_today(self).year
        year_digits, month, day = int(value[:2]), int(value[2:4]), int(value[4:6])
        difference = year_digits - this_year % 100
        century = this_year // 100
        if 51 <= difference <= 99:
            century -= 1
        elif -99 <= difference <= -50:
            century += 1
        year = century * 100 + year_digits
        try:
            if not 1 <= month <= 12:
                raise ValueError
            if day == 0:
                day = calendar.monthrange(year, month)[1]
            return datetime.date(year, month, day)
        except ValueError:
            raise self._malformed(
                scan or value,
                self.env._(
                    "the %(title)s (%(ai)s) %(value)s is not a date (YYMMDD: year, month "
                    "01-12, day 01-31 or 00 for the month's end).",
                    title=title,
                    ai=ai,
                    value=value,
                ),
            ) from None

    def _result(self, ais, source, text):
        quantity = ais.get("30") or ais.get("37")
        return {
            "gtin": ais.get("01") or ais.get("02"),
            "lot": ais.get("10"),
            "serial": ais.get("21"),
            **{
                key: self._date(ais[ai], ai, text) if ai in ais else None
                for key, ai in DATE_KEYS.items()
            },
            "quantity": float(quantity) if quantity else None,
            "ais": ais,
            "source": source,
        }

    # ------------------------------------------------------------------ writing
    @api.model
    def _elements(self, values):
        """[(ai, value)] of a dict in parse()'s keys, in WRITE_ORDER, each value checked
        as parse() would check it (so a label never prints what a scan would refuse)."""
        elements = []
        for key in WRITE_ORDER:
            value = values.get(key)
            if value in (None, False, ""):
                continue
            if key == "gtin":
                gtin = self.normalize_gtin(value)
                if not gtin:
                    raise UserError(
                        self._identifier_problem(str(value), (8, 12, 13, 14), "GTIN")
                        or self.env._("%(value)s is not a GTIN.", value=value)
                    )
                elements.append(("01", gtin))
            elif key in DATE_KEYS:
                elements.append((DATE_KEYS[key], value.strftime("%y%m%d")))
            elif key == "quantity":
                if float(value) != int(value) or value < 0:
                    raise UserError(
                        self.env._(
                            "A GS1 count (AI 30) is a whole number of units, not %(qty)s.",
                            qty=value,
                        )
                    )
                elements.append(("30", str(int(value))))
            else:
                elements.append(({"lot": "10", "serial": "21"}[key], str(value)))
        ais = {}
        writer = self.with_context(gs1_writing=True)
        for ai, value in elements:
            writer._check_length(value, ai, value)
            writer._add(ais, ai, value, value)
        return elements

    @api.model
    def element_string(self, values, human=False):
        """The GS1 element string of ``values`` (parse()'s keys): human form
        "(01)...(17)...(10)..." or machine form, fixed-length AIs first and a GS
        (FNC1) after each variable-length field that is not the last. The machine form has
        no leading FNC1: the symbol's encoder adds it."""
        elements = self._elements(values)
        if human:
            return "".join(f"({ai}){value}" for ai, value in elements)
        parts = []
        for index, (ai, value) in enumerate(elements):
            parts.append(ai + value)
            if _ends_gs(ai) and index < len(elements) - 1:
                parts.append(GS)
        return "".join(parts)

    @api.model
    def digital_link(self, domain, values):
        """The GS1 Digital Link URI of ``values`` on the resolver ``domain``:
        https://<domain>/01/<gtin>[/10/<lot>][/21/<serial>]?17=YYMMDD&11=..."""
        domain = (domain or "").strip().rstrip("/")
        domain = re.sub(r"^https?://", "", domain, flags=re.IGNORECASE)
        if not domain:
            raise UserError(self.env._("Set the GS1 Digital Link resolver domain first."))
        elements = dict(self._elements(values))
        if "01" not in elements:
            raise UserError(self.env._("A GS1 Digital Link needs the product's GTIN."))
        path = "/01/" + elements.pop("01")
        for ai in DL_PATH_QUALIFIERS:
            if ai in elements:
                path += f"/{ai}/" + quote(elements.pop(ai), safe="")
        query = "&".join(f"{ai}={quote(value, safe='')}" for ai, value in elements.items())
        return f"https://{domain}{path}" + (f"?{query}" if query else "")
