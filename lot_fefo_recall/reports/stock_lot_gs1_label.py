"""GS1 lot labels: a GS1-128, a GS1 DataMatrix and (with a resolver domain) a QR code
carrying a GS1 Digital Link URI, per lot or per received line.

All three are drawn by zint through zxing-cpp's writer, not by Odoo's reportlab barcodes:
reportlab's ECC200 DataMatrix has no FNC1, so its symbols read as plain Data Matrix
(``]d1``), not GS1 (``]d2``); its Code128 does take FNC1 (``\\xf1``) and reads as GS1-128,
but reportlab draws a Code128 and a QR code in about 100 ms a label against 5 ms for zint
(benchmarks/gs1_labels.py). zint also checks the GS1 data (AI lengths, characters) itself.
"""

import base64
import io

from odoo import api, fields, models
from odoo.exceptions import UserError

try:
    import zxingcpp
except ImportError:  # pragma: no cover - optional: only the GS1 labels need it
    zxingcpp = None

# Pixels a module: the images are scaled to the label, whole pixels keep the edges sharp.
CODE128_SCALE = 3
MATRIX_SCALE = 8


class ReportStockLotGs1Label(models.AbstractModel):
    """One label per lot, printed from the lot form and the Batch Register list."""

    _name = "report.lot_fefo_recall.report_stock_lot_gs1_label"
    _description = "GS1 Lot Labels"

    @api.model
    def _get_report_values(self, docids, data=None):
        lots = self.env["stock.lot"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "stock.lot",
            "docs": lots,
            "labels": self._gs1_labels([(lot, {}) for lot in lots]),
        }

    @api.model
    def _gs1_values(self, lot):
        """The GS1 data of a lot, in parse()'s keys: a serial number goes in AI 21,
        a lot (batch) number in AI 10."""
        expiry = lot.expiration_date and fields.Date.context_today(lot, lot.expiration_date)
        return {
            "gtin": lot.product_id._get_gs1_gtin(),
            "serial" if lot.product_id.tracking == "serial" else "lot": lot.name,
            "expiry": expiry or None,
            "production": lot.production_date or None,
        }

    @api.model
    def _gs1_labels(self, lots_and_extras):
        """The printable labels of ``[(lot, extra), ...]``: ``extra`` (package, quantity
        text) is shown as is. Refuses lots whose product has no GTIN, naming them."""
        lots = self.env["stock.lot"].concat(*(lot for lot, _extra in lots_and_extras))
        without_gtin = lots.product_id.filtered(lambda p: not p._get_gs1_gtin())
        if without_gtin:
            raise UserError(
                self.env._(
                    "GS1 labels need the product's GTIN, and %(products)s has none. Set "
                    "a GTIN (or a GTIN as barcode) on the product, then print again.",
                    products=", ".join(without_gtin.mapped("display_name")),
                )
            )
        gs1 = self.env["lot_fefo_recall.gs1"]
        cache = {}
        labels = []
        for lot, extra in lots_and_extras:
            if lot.id not in cache:
                values = self._gs1_values(lot)
                try:
                    machine = gs1.element_string(values)
                except UserError as error:
                    # The GTIN is valid and dates always are: the lot number is not.
                    raise UserError(
                        self.env._(
                            "Lot %(lot)s can not be printed on a GS1 label: GS1 allows up to "
                            "20 characters in a lot number, from letters, digits and "
                            "!\"%%&'()*+,-./:;<=>?_ only.",
                            lot=lot.name,
                        )
                    ) from error
                # zint's GS1 input is "[AI]value...": it places the FNC1 characters itself.
                content = "".join("[%s]%s" % element for element in gs1._elements(values))
                domain = (lot.company_id or self.env.company).gs1_resolver_domain
                link = domain and gs1.digital_link(domain, values)
                cache[lot.id] = {
                    "lot": lot,
                    "gtin": values["gtin"],
                    "element_string": machine,
                    "human": gs1.element_string(values, human=True),
                    "digital_link": link or False,
                    "code128": self._barcode_png(lot, content, "Code128", CODE128_SCALE, gs1=True),
                    "datamatrix": self._barcode_png(
                        lot, content, "DataMatrix", MATRIX_SCALE, gs1=True, force_square=True
                    ),
                    "qr": link and self._barcode_png(lot, link, "QRCode", MATRIX_SCALE),
                }
            labels.append(dict(cache[lot.id], **extra))
        return labels

    @api.model
    def _barcode_png(self, lot, content, symbology, scale, **options):
        """A barcode drawn by zint as a PNG data URI; GS1 content as "[AI]value..."."""
        if zxingcpp is None:  # pragma: no cover
            raise UserError(
                self.env._(
                    "GS1 labels are drawn with the Python package zxing-cpp, which this "
                    "server lacks: ask your administrator to install it (pip install zxing-cpp)."
                )
            )
        try:
            symbol = zxingcpp.create_barcode(
                content, getattr(zxingcpp.BarcodeFormat, symbology), **options
            )
        except Exception as error:  # zint's own GS1 checks, e.g. a lot number too long
            raise UserError(
                self.env._(
                    "Lot %(lot)s can not be printed as a GS1 barcode: %(reason)s",
                    lot=lot.display_name,
                    reason=str(error),
                )
            ) from error
        image = memoryview(symbol.to_image(scale=scale))
        height, width = image.shape[:2]
        # Imported here: Pillow is one of Odoo's own requirements.
        from PIL import Image  # pylint: disable=import-outside-toplevel

        buffer = io.BytesIO()
        Image.frombuffer("L", (width, height), bytes(image), "raw", "L", 0, 1).convert("1").save(
            buffer, format="PNG"
        )
        return "data:image/png;base64,%s" % base64.b64encode(buffer.getvalue()).decode()


class ReportPickingGs1Label(models.AbstractModel):
    """One label per line of a transfer that has a lot: per package when the line was
    put in one."""

    _name = "report.lot_fefo_recall.report_picking_gs1_label"
    _description = "GS1 Lot Labels of a Transfer"

    @api.model
    def _get_report_values(self, docids, data=None):
        pickings = self.env["stock.picking"].browse(docids)
        lines = pickings.move_line_ids.filtered("lot_id")
        if not lines:
            raise UserError(
                self.env._(
                    "%(transfers)s has no line with a lot yet: set the lots on its lines, "
                    "then print the GS1 labels.",
                    transfers=", ".join(pickings.mapped("name")),
                )
            )
        lots_and_extras = [
            (
                line.lot_id,
                {
                    "picking": line.picking_id,
                    "package": line.result_package_id,
                    "quantity": line.quantity,
                    "uom": line.product_uom_id,
                },
            )
            for line in lines
        ]
        return {
            "doc_ids": docids,
            "doc_model": "stock.picking",
            "docs": pickings,
            "labels": self.env["report.lot_fefo_recall.report_stock_lot_gs1_label"]._gs1_labels(
                lots_and_extras
            ),
        }
