from contextlib import contextmanager

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import LotFefoRecallCase

GLN = "9501101000018"
GTIN = "09501101530003"
# (bad value, words of the refusal)
BAD_GLNS = (
    ("9501101000016", ("9501101000016", "wrong check digit", "should be 8, not 6")),
    ("950110100001", ("950110100001", "has 12 digits", "a GLN has 13")),
    ("09501101000018", ("has 14 digits",)),
    ("95011010000AB", ("95011010000AB", "may only contain digits")),
)
BAD_GTINS = (
    ("9501101530004", ("9501101530004", "wrong check digit", "should be 3, not 4")),
    ("95011015300", ("95011015300", "has 11 digits; ", "a GTIN has 8, 12, 13 or 14.")),
    ("12345", ("has 5 digits",)),
    ("9501 101530003", ("may only contain digits",)),
)


@tagged("post_install", "-at_install")
class TestGs1Identifiers(LotFefoRecallCase):
    """GLNs of the company, warehouses and partners, GTINs of products: valid ones are
    kept, invalid ones refused in the user's words with nothing saved."""

    def assertRefused(self, record, field_name, value, words):
        before = record[field_name]
        with self.assertRaises(ValidationError) as caught:
            record.write({field_name: value})
        message = str(caught.exception)
        for word in words:
            self.assertIn(word, message)
        self.assertIn("Nothing was saved", message)
        record.invalidate_recordset()
        self.assertEqual(record[field_name], before, "nothing written")

    @contextmanager
    def assertRaisesWords(self, *words):
        """assertRaises(ValidationError), rolled back to a savepoint unlike
        assertRaisesRegex, whose message holds each of ``words``."""
        with self.assertRaises(ValidationError) as caught:
            yield caught
        for word in words:
            self.assertIn(word, str(caught.exception))

    def test_company_gln(self):
        self.company.gs1_gln = GLN
        self.assertEqual(self.company.gs1_gln, GLN)
        for value, words in BAD_GLNS:
            with self.subTest(value=value):
                self.assertRefused(self.company, "gs1_gln", value, words)
        self.company.gs1_gln = False  # clearing is fine

    def test_company_settings(self):
        settings = self.env["res.config.settings"].create(
            {"gs1_gln": GLN, "gs1_resolver_domain": "id.example.com"}
        )
        settings.execute()
        self.assertEqual(self.company.gs1_gln, GLN)
        self.assertEqual(self.company.gs1_resolver_domain, "id.example.com")
        with self.assertRaisesWords("9501101000016 has a wrong check digit"):
            self.env["res.config.settings"].create({"gs1_gln": "9501101000016"}).execute()
        self.company.invalidate_recordset()
        self.assertEqual(self.company.gs1_gln, GLN)

    def test_resolver_domain(self):
        for domain in ("id.example.com", "https://id.example.com/", "example.com/gs1"):
            with self.subTest(domain=domain):
                self.company.gs1_resolver_domain = domain
        for domain in ("not a domain", "localhost", "id.example.com?x=1"):
            with self.subTest(domain=domain):
                with self.assertRaisesWords("is not a domain name"):
                    self.company.gs1_resolver_domain = domain
                self.company.invalidate_recordset()
                self.assertEqual(self.company.gs1_resolver_domain, "example.com/gs1")

    def test_warehouse_gln_falls_back_to_the_company(self):
        self.company.gs1_gln = GLN
        self.assertFalse(self.warehouse.gs1_gln)
        self.assertEqual(self.warehouse._get_gs1_gln(), GLN)
        own = "4012345000016"
        self.assertTrue(self.env["lot_fefo_recall.gs1"].check_digit_ok(own))
        self.warehouse.gs1_gln = own
        self.assertEqual(self.warehouse._get_gs1_gln(), own)
        for value, words in BAD_GLNS:
            with self.subTest(value=value):
                self.assertRefused(self.warehouse, "gs1_gln", value, words)

    def test_partner_gln_is_the_partner_gln_of_odoo(self):
        """One GLN per partner: account_add_gln's (e-invoices), here checked."""
        self.vendor.gs1_gln = GLN
        self.assertEqual(self.vendor.global_location_number, GLN)
        for value, words in BAD_GLNS:
            with self.subTest(value=value):
                self.assertRefused(self.vendor, "gs1_gln", value, words)
                self.assertRefused(self.vendor, "global_location_number", value, words)

    def test_partner_created_with_invalid_gln_is_not_created(self):
        with self.assertRaisesWords("Gulf Foods: The GLN 123 has 3 digits"):
            self.env["res.partner"].create({"name": "Gulf Foods", "gs1_gln": "123"})
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Gulf Foods")]))

    def test_product_gtin(self):
        template = self.product.product_tmpl_id
        for value in ("96385074", "036000291452", "9501101530003", GTIN):
            with self.subTest(value=value):
                template.gs1_gtin = value
                self.assertEqual(template.gs1_gtin, value)
        for value, words in BAD_GTINS:
            with self.subTest(value=value):
                self.assertRefused(template, "gs1_gtin", value, words)
        with self.assertRaisesWords("Honey: The GTIN 9501101530004"):
            self.env["product.product"].create({"name": "Honey", "gs1_gtin": "9501101530004"})
        self.assertFalse(self.env["product.product"].search([("name", "=", "Honey")]))

    def test_gtin_names_one_product(self):
        self.product.gs1_gtin = "9501101530003"
        for value in ("9501101530003", GTIN):  # GTIN-13 and the same padded to 14
            with self.subTest(value=value):
                self.assertRefused(
                    self.product_undated.product_tmpl_id,
                    "gs1_gtin",
                    value,
                    (value, "of [JAR] Glass Jar", "already the GTIN of [JAM] Strawberry Jam"),
                )
        self.product_undated.gs1_gtin = "96385074"  # another GTIN is fine

    def test_forms_show_the_identifiers(self):
        """Each identifier can be typed in its form: settings, warehouse, partner, product."""
        with Form(self.env["res.config.settings"]) as settings:
            settings.gs1_gln = GLN
            settings.gs1_resolver_domain = "id.example.com"
        settings.record.execute()
        self.assertEqual(
            (self.company.gs1_gln, self.company.gs1_resolver_domain), (GLN, "id.example.com")
        )
        with Form(self.warehouse) as warehouse:
            warehouse.gs1_gln = "4012345000016"
        with Form(self.vendor) as vendor:
            vendor.gs1_gln = "4012345000016"
        with Form(self.product.product_tmpl_id) as template:
            template.gs1_gtin = "9501101530003"
        self.assertEqual(self.warehouse.gs1_gln, "4012345000016")
        self.assertEqual(self.vendor.global_location_number, "4012345000016")
        self.assertEqual(self.product._get_gs1_gtin(), GTIN)

    def test_get_gs1_gtin_reuses_a_gtin_barcode(self):
        product = self.product
        self.assertIsNone(product._get_gs1_gtin(), "no GTIN, no barcode")
        product.barcode = "9501101530003"  # an EAN-13
        self.assertEqual(product._get_gs1_gtin(), GTIN)
        product.barcode = "036000291452"  # a UPC-A
        self.assertEqual(product._get_gs1_gtin(), "00036000291452")
        product.barcode = "JAM-001"  # an internal barcode: not a GTIN
        self.assertIsNone(product._get_gs1_gtin())
        product.barcode = "9501101530004"  # a wrong check digit: not a GTIN
        self.assertIsNone(product._get_gs1_gtin())
        product.gs1_gtin = "96385074"  # the GTIN field comes first
        self.assertEqual(product._get_gs1_gtin(), "00000096385074")
        product.barcode = "9501101530003"
        self.assertEqual(product._get_gs1_gtin(), "00000096385074")
