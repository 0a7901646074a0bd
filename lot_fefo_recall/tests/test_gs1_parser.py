import datetime

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

GS = "\x1d"
GTIN = "09501101530003"  # GS1's example GTIN, check digit 3
D = datetime.date


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01")
class TestGs1Parser(TransactionCase):
    """lot_fefo_recall.gs1: every form a scanner or a clerk gives, every way one fails."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gs1 = cls.env["lot_fefo_recall.gs1"]

    def assertScanRefused(self, scan, *words):
        """The scan is refused with a UserError whose message holds each of ``words``."""
        with self.assertRaises(UserError) as caught:
            self.gs1.parse(scan)
        message = str(caught.exception)
        for word in words:
            self.assertIn(word, message)
        return message

    # ------------------------------------------------------------------ input forms
    def test_raw_element_string_with_gs_separators(self):
        result = self.gs1.parse(f"01{GTIN}17261231{GS}10AB-12{GS}3012")
        self.assertEqual(result["gtin"], GTIN)
        self.assertEqual(result["expiry"], D(2026, 12, 31))
        self.assertEqual(result["lot"], "AB-12")
        self.assertEqual(result["quantity"], 12.0)
        self.assertEqual(result["source"], "element_string")
        self.assertEqual(result["ais"], {"01": GTIN, "17": "261231", "10": "AB-12", "30": "12"})
        self.assertIsNone(result["serial"])
        self.assertIsNone(result["best_before"])
        self.assertIsNone(result["production"])

    def test_symbology_identifiers_and_leading_fnc1(self):
        expected = self.gs1.parse(f"01{GTIN}10AB-12")
        for prefix in ("]C1", "]d2", "]Q3", "]e0", GS, "]C1" + GS):
            with self.subTest(prefix=prefix):
                self.assertEqual(self.gs1.parse(f"{prefix}01{GTIN}10AB-12"), expected)

    def test_separator_after_fixed_length_field_is_harmless(self):
        self.assertEqual(
            self.gs1.parse(f"01{GTIN}{GS}17261231{GS}10AB-12")["ais"],
            {"01": GTIN, "17": "261231", "10": "AB-12"},
        )

    def test_parenthesised_as_printed_under_the_bars(self):
        result = self.gs1.parse(f"(01){GTIN}(15)270100(11)260115(10)AB-12(21)SN7\n")
        self.assertEqual(result["gtin"], GTIN)
        self.assertEqual(result["best_before"], D(2027, 1, 31))
        self.assertEqual(result["production"], D(2026, 1, 15))
        self.assertEqual(result["lot"], "AB-12")
        self.assertEqual(result["serial"], "SN7")

    def test_logistic_unit_content_and_count(self):
        """AI 02 (GTIN of the content) with 37 (count): the carton's GTIN and quantity."""
        result = self.gs1.parse(f"02{GTIN}3724{GS}10AB-12")
        self.assertEqual(result["gtin"], GTIN)
        self.assertEqual(result["quantity"], 24.0)
        self.assertEqual(result["lot"], "AB-12")

    def test_digital_link_with_query_parameters(self):
        result = self.gs1.parse(
            f"https://id.example.com/01/{GTIN}/10/AB%2F12/21/S1?17=261231&11=260110&linkType=all"
        )
        self.assertEqual(result["source"], "digital_link")
        self.assertEqual(result["gtin"], GTIN)
        self.assertEqual(result["lot"], "AB/12")
        self.assertEqual(result["serial"], "S1")
        self.assertEqual(result["expiry"], D(2026, 12, 31))
        self.assertEqual(result["production"], D(2026, 1, 10))

    def test_digital_link_with_path_prefix_and_short_gtin(self):
        """A resolver may put its own path before /01/; GTIN-13 is padded to 14 digits."""
        result = self.gs1.parse("]Q3HTTPS://example.com/products/01/9501101530003/10/X1")
        self.assertEqual(result["gtin"], GTIN)
        self.assertEqual(result["lot"], "X1")

    # ------------------------------------------------------------------ dates
    def test_day_00_is_the_last_day_of_the_month(self):
        for value, expected in (
            ("240200", D(2024, 2, 29)),  # leap year
            ("250200", D(2025, 2, 28)),
            ("260400", D(2026, 4, 30)),
            ("261200", D(2026, 12, 31)),
        ):
            with self.subTest(value=value):
                self.assertEqual(self.gs1.parse(f"01{GTIN}17{value}")["expiry"], expected)

    def test_century_by_the_gs1_sliding_window(self):
        """In 2026: up to 49 years ahead is this century, 51 or more is the last one."""
        for value, expected in (
            ("750101", D(2075, 1, 1)),
            ("760101", D(2076, 1, 1)),  # 50 years ahead: still this century
            ("770101", D(1977, 1, 1)),  # 51 years ahead: the last one
            ("990101", D(1999, 1, 1)),
            ("000101", D(2000, 1, 1)),
        ):
            with self.subTest(value=value):
                self.assertEqual(self.gs1.parse(f"01{GTIN}11{value}")["production"], expected)
        with freeze_time("2090-06-01"):
            self.assertEqual(self.gs1.parse(f"01{GTIN}17350101")["expiry"], D(2135, 1, 1))
            self.assertEqual(self.gs1.parse(f"01{GTIN}17450101")["expiry"], D(2045, 1, 1))

    # ------------------------------------------------------------------ bad scans
    def test_invalid_date(self):
        for value in ("261399", "260231", "260015"):
            with self.subTest(value=value):
                self.assertScanRefused(f"(01){GTIN}(17){value}", value, "not a date")
        self.assertScanRefused(f"(01){GTIN}(17)2612AB", "2612AB", "must be digits only")
        self.assertScanRefused(
            f"https://id.example.com/01/{GTIN}?17=261399", "USE BY (17) 261399", "not a date"
        )

    def test_truncated(self):
        self.assertScanRefused("(01)0950110153", "cut short", "GTIN (01)", "10 of its 14")
        self.assertScanRefused(f"01{GTIN}1726123", "cut short", "USE BY (17)", "5 of its 6")
        self.assertScanRefused(f"01{GTIN}17", "cut short")
        self.assertScanRefused(f"https://id.example.com/01/{GTIN}/10", "cut short", "10")

    def test_check_digit_failure(self):
        for scan in (
            "(01)09501101530004(10)AB",
            "0109501101530004",
            "https://id.example.com/01/09501101530004/10/AB",
        ):
            with self.subTest(scan=scan):
                self.assertScanRefused(
                    scan, "09501101530004", "wrong check digit", "should end in 3"
                )

    def test_unknown_ai(self):
        self.assertScanRefused(f"(01){GTIN}(26)1234", "26", "not a GS1 Application Identifier")
        self.assertScanRefused(f"01{GTIN}2612345", "2612", "not a GS1 Application Identifier")
        self.assertScanRefused(
            f"https://id.example.com/01/{GTIN}?999=1", "999", "not a GS1 Application Identifier"
        )

    def test_malformed(self):
        for scan, words in (
            ("", ("empty",)),
            (GS, ("empty",)),
            ("hello world", ("not a readable GS1 barcode",)),
            (f"(01{GTIN}(10)AB", ("must start with an AI in parentheses",)),
            ("(01)(10)AB", ("GTIN (01)", "cut short")),
            (f"01{GTIN}10{GS}", ("BATCH/LOT (10) is empty",)),
            (f"01{GTIN}10AB 12", ("character GS1 does not allow",)),
            (f"01{GTIN}1726123110{'A' * 21}", ("longer than the 20 characters", "separator")),
            (f"(01){GTIN}(10)A(10)B", ("two different BATCH/LOT (10)",)),
            ("(30)12X", ("VAR. COUNT (30) 12X must be digits only",)),
            ("https://id.example.com/10/AB", ("no GTIN (/01/...)",)),
            ("https:///01/" + GTIN, ("no domain",)),
        ):
            with self.subTest(scan=scan):
                self.assertScanRefused(scan, *words)

    def test_refused_scan_writes_nothing(self):
        lots = self.env["stock.lot"].search_count([])
        self.assertScanRefused("(01)0950110153", "cut short")
        self.assertEqual(self.env["stock.lot"].search_count([]), lots)

    # ------------------------------------------------------------------ check digits
    def test_check_digits_and_normalize_gtin(self):
        gs1 = self.gs1
        for code in ("96385074", "036000291452", "9501101530003", GTIN, "9501101000018"):
            with self.subTest(code=code):
                self.assertTrue(gs1.check_digit_ok(code))
        for code in ("96385075", "036000291453", "9501101530004", "", "95011015300O3", None):
            with self.subTest(code=code):
                self.assertFalse(gs1.check_digit_ok(code))
        self.assertEqual(gs1.normalize_gtin("96385074"), "00000096385074")
        self.assertEqual(gs1.normalize_gtin("036000291452"), "00036000291452")
        self.assertEqual(gs1.normalize_gtin("9501101530003"), GTIN)
        self.assertEqual(gs1.normalize_gtin(GTIN), GTIN)
        self.assertIsNone(gs1.normalize_gtin("9501101530004"))
        self.assertIsNone(gs1.normalize_gtin("12345"))
        self.assertIsNone(gs1.normalize_gtin(False))

    # ------------------------------------------------------------------ writing
    def test_element_string_machine_form_and_round_trip(self):
        values = {
            "gtin": "9501101530003",
            "lot": "AB-12",
            "serial": "S1",
            "expiry": D(2026, 12, 31),
            "best_before": D(2026, 11, 30),
            "production": D(2026, 1, 5),
            "quantity": 12.0,
        }
        machine = self.gs1.element_string(values)
        # Fixed-length AIs first, with no GS; a GS after each variable-length field but
        # the last; no GS at the end.
        self.assertEqual(machine, f"01{GTIN}1126010515261130172612313012{GS}10AB-12{GS}21S1")
        parsed = self.gs1.parse(machine)
        for key, value in values.items():
            self.assertEqual(parsed[key], GTIN if key == "gtin" else value, key)
        self.assertEqual(self.gs1.parse("]d2" + GS + machine), parsed)

    def test_element_string_only_fixed_fields_has_no_separator(self):
        values = {"gtin": GTIN, "expiry": D(2026, 12, 31)}
        self.assertEqual(self.gs1.element_string(values), f"01{GTIN}17261231")
        values["lot"] = "AB-12"
        self.assertEqual(self.gs1.element_string(values), f"01{GTIN}1726123110AB-12")

    def test_element_string_human_form(self):
        values = {"gtin": GTIN, "lot": "JAR/7", "expiry": D(2027, 2, 28)}
        human = self.gs1.element_string(values, human=True)
        self.assertEqual(human, f"(01){GTIN}(17)270228(10)JAR/7")
        parsed = self.gs1.parse(human)
        self.assertEqual(
            (parsed["gtin"], parsed["lot"], parsed["expiry"]), (GTIN, "JAR/7", D(2027, 2, 28))
        )

    def test_element_string_refuses_what_a_scan_would(self):
        with self.assertRaisesRegex(UserError, "9501101530004 has a wrong check digit"):
            self.gs1.element_string({"gtin": "9501101530004", "lot": "A"})
        with self.assertRaisesRegex(UserError, "can not be printed .* has 21 characters"):
            self.gs1.element_string({"gtin": GTIN, "lot": "L" * 21})
        with self.assertRaisesRegex(UserError, "can not be printed .* character GS1 does not"):
            self.gs1.element_string({"gtin": GTIN, "lot": "lot é"})
        with self.assertRaisesRegex(UserError, "whole number of units"):
            self.gs1.element_string({"gtin": GTIN, "quantity": 1.5})

    def test_digital_link(self):
        values = {
            "gtin": "9501101530003",
            "lot": "JAR/7",
            "expiry": D(2026, 12, 31),
            "production": D(2026, 1, 5),
        }
        link = self.gs1.digital_link("id.example.com", values)
        self.assertEqual(link, f"https://id.example.com/01/{GTIN}/10/JAR%2F7?11=260105&17=261231")
        self.assertEqual(
            self.gs1.digital_link("https://id.example.com/", values),
            link,
            "scheme and / tolerated",
        )
        parsed = self.gs1.parse(link)
        self.assertEqual(parsed["source"], "digital_link")
        self.assertEqual(
            (parsed["gtin"], parsed["lot"], parsed["expiry"], parsed["production"]),
            (GTIN, "JAR/7", D(2026, 12, 31), D(2026, 1, 5)),
        )
        with self.assertRaisesRegex(UserError, "resolver domain"):
            self.gs1.digital_link("", values)
        with self.assertRaisesRegex(UserError, "needs the product's GTIN"):
            self.gs1.digital_link("id.example.com", {"lot": "A"})
