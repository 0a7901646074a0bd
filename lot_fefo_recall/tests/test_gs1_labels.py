import subprocess
import tempfile
from datetime import date, datetime
from pathlib import Path

import zxingcpp
from PIL import Image

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import LotFefoRecallCase

LOT_REPORT = "lot_fefo_recall.action_report_stock_lot_gs1_label"
PICKING_REPORT = "lot_fefo_recall.action_report_picking_gs1_label"


def pdf_pages(raw, dpi=300):
    """The pages of a PDF as images, as a label printer's scanner would see them."""
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder, "labels.pdf")
        pdf.write_bytes(raw)
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), str(Path(folder, "page"))],
            check=True,
        )
        pages = []
        for png in sorted(Path(folder).glob("page*.png")):
            with Image.open(png) as image:
                pages.append(image.copy())
        return pages


def pdf_text(raw):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
        pdf.write(raw)
        pdf.flush()
        return subprocess.run(
            ["pdftotext", "-layout", pdf.name, "-"], capture_output=True, check=True, text=True
        ).stdout


def decode(page):
    """The barcodes of a page read by zxing-cpp, by format."""
    found = {}
    for result in zxingcpp.read_barcodes(page):
        found.setdefault(result.format, []).append(result)
    return found


@tagged("post_install", "-at_install")
class TestGs1Labels(LotFefoRecallCase):
    """GS1 lot labels are read back from the printed PDF by a real decoder (zxing-cpp):
    the GS1-128 and the GS1 DataMatrix carry the element string with FNC1 (]C1, ]d2),
    the QR code the GS1 Digital Link URI."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gs1 = cls.env["lot_fefo_recall.gs1"]
        # A GTIN-13 as the product barcode is the product's GTIN.
        cls.product.barcode = "9501101530003"
        cls.product_undated.barcode = "4006381333931"
        cls.company.gs1_resolver_domain = "id.example.com"
        cls.lot_dated = cls.env["stock.lot"].create(
            {
                "name": "JAM-0615",
                "product_id": cls.product.id,
                "expiration_date": datetime(2026, 12, 1, 10, 0),
                "production_date": date(2026, 6, 1),
            }
        )
        cls.lot_undated = cls.env["stock.lot"].create(
            {"name": "JAR/7", "product_id": cls.product_undated.id}
        )

    def _render(self, report, records):
        pdf, _format = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(report, records.ids)
        )
        return pdf

    def _assert_label(self, page, values, qr=True):
        """The page's GS1-128 and DataMatrix carry ``values`` as one element string with
        FNC1; its QR code (when expected) the Digital Link URI."""
        machine = self.gs1.element_string(values)
        found = decode(page)
        (code128,) = found.get(zxingcpp.BarcodeFormat.Code128, [None])
        (datamatrix,) = found.get(zxingcpp.BarcodeFormat.DataMatrix, [None])
        self.assertTrue(code128, "the GS1-128 is not readable")
        self.assertTrue(datamatrix, "the GS1 DataMatrix is not readable")
        # FNC1 first: the decoders report GS1 symbologies, not plain Code 128/Data Matrix.
        self.assertEqual(code128.symbology_identifier, "]C1")
        self.assertEqual(datamatrix.symbology_identifier, "]d2")
        for symbol in (code128, datamatrix):
            scanned = symbol.symbology_identifier + symbol.bytes.decode()
            self.assertEqual(symbol.bytes.decode(), machine)
            parsed = self.gs1.parse(scanned)
            for key, value in values.items():
                self.assertEqual(parsed[key], value, key)
        qr_codes = found.get(zxingcpp.BarcodeFormat.QRCode, [])
        if not qr:
            self.assertFalse(qr_codes, "no resolver domain, no Digital Link QR code")
            return
        (qr_code,) = qr_codes
        link = self.gs1.digital_link("id.example.com", values)
        self.assertEqual(qr_code.text, link)
        self.assertTrue(link.startswith("https://id.example.com/01/"), link)
        parsed = self.gs1.parse(qr_code.text)
        self.assertEqual(parsed["source"], "digital_link")
        for key, value in values.items():
            self.assertEqual(parsed[key], value, key)

    def test_lot_labels_scan_back(self):
        """Printed from the Batch Register list (two lots selected): one label each, its
        barcodes scanning back to the lot's GTIN, lot, expiry and production date, the
        human-readable string printed under them."""
        pdf = self._render(LOT_REPORT, self.lot_dated | self.lot_undated)
        dated, undated = pdf_pages(pdf)
        self._assert_label(
            dated,
            {
                "gtin": "09501101530003",
                "lot": "JAM-0615",
                "expiry": date(2026, 12, 1),
                "production": date(2026, 6, 1),
            },
        )
        # No expiry or production date known: GTIN and lot only.
        self._assert_label(undated, {"gtin": "04006381333931", "lot": "JAR/7"})
        text = pdf_text(pdf)
        self.assertIn("(01)09501101530003(11)260601(17)261201(10)JAM-0615", text)
        self.assertIn("(01)04006381333931(10)JAR/7", text)
        self.assertIn("Strawberry Jam", text)

    def test_no_resolver_domain_no_qr_code(self):
        self.company.gs1_resolver_domain = False
        (page,) = pdf_pages(self._render(LOT_REPORT, self.lot_undated))
        self._assert_label(page, {"gtin": "04006381333931", "lot": "JAR/7"}, qr=False)

    def test_serial_number_in_ai_21(self):
        """A serial-tracked product's label carries its serial number in AI 21."""
        self.product_undated.tracking = "serial"
        serial = self.env["stock.lot"].create(
            {"name": "SN-0042", "product_id": self.product_undated.id}
        )
        (page,) = pdf_pages(self._render(LOT_REPORT, serial))
        self._assert_label(page, {"gtin": "04006381333931", "serial": "SN-0042"})
        self.assertIn("(01)04006381333931(21)SN-0042", pdf_text(self._render(LOT_REPORT, serial)))

    def test_receipt_labels_one_per_line(self):
        """Printed from a receipt: one label per line with a lot, showing its package."""
        package = self.env["stock.package"].create({"name": "PALLET-1"})
        picking = self._new_receipt(
            [
                (self.product, 12, {"lot_id": self.lot_dated.id, "result_package_id": package.id}),
                (self.product_undated, 5, {"lot_id": self.lot_undated.id}),
            ]
        )
        pdf = self._render(PICKING_REPORT, picking)
        pages = pdf_pages(pdf)
        self.assertEqual(len(pages), 2)
        self._assert_label(
            pages[0],
            {
                "gtin": "09501101530003",
                "lot": "JAM-0615",
                "expiry": date(2026, 12, 1),
                "production": date(2026, 6, 1),
            },
        )
        self._assert_label(pages[1], {"gtin": "04006381333931", "lot": "JAR/7"})
        self.assertIn("PALLET-1", pdf_text(pdf))

    def test_print_menus(self):
        """The labels are in the Print menu of lots (form and list) and of transfers."""
        self.assertEqual(self.env.ref(LOT_REPORT).binding_model_id.model, "stock.lot")
        self.assertEqual(self.env.ref(PICKING_REPORT).binding_model_id.model, "stock.picking")

    def _assert_refused(self, report, records, *words):
        attachments = self.env["ir.attachment"].search_count([])
        with self.assertRaises(UserError) as refusal:
            self._render(report, records)
        for word in words:
            self.assertIn(word, str(refusal.exception))
        self.assertEqual(self.env["ir.attachment"].search_count([]), attachments)

    def test_product_without_gtin_is_refused(self):
        self.product_undated.barcode = False
        self._assert_refused(
            LOT_REPORT, self.lot_dated | self.lot_undated, "Glass Jar", "has no", "GTIN"
        )

    def test_receipt_without_lots_is_refused(self):
        picking = self._new_receipt([(self.product, 3, {})])
        self._assert_refused(PICKING_REPORT, picking, picking.name, "no line with a lot")

    def test_lot_name_too_long_for_gs1_is_refused(self):
        """GS1 allows 20 characters in a lot number (AI 10)."""
        lot = self.env["stock.lot"].create(
            {"name": "JAM-2026-06-15-PALLET-0001", "product_id": self.product.id}
        )
        self._assert_refused(
            LOT_REPORT, lot, "Lot JAM-2026-06-15-PALLET-0001 can not be printed", "20 characters"
        )

    def test_lot_name_outside_gs1_characters_is_refused(self):
        lot = self.env["stock.lot"].create({"name": "JAM é", "product_id": self.product.id})
        self._assert_refused(LOT_REPORT, lot, "Lot JAM é can not be printed", "letters, digits")
