import datetime

import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from . import lot_name_pattern


class ProductTemplate(models.Model):
    _name = "product.template"
    _inherit = ["product.template", "lot_fefo_recall.input.guard"]

    receipt_min_shelf_life_override = fields.Boolean(
        string="Own Minimum Shelf Life on Receipt",
        help="Use the minimum below instead of the product category's.",
    )
    receipt_min_shelf_life_days = fields.Integer(
        string="Minimum Shelf Life on Receipt",
        help="Receipts of lots that expire sooner than this many days after the receipt "
        "date are refused. 0: no check.",
    )

    lot_name_pattern = fields.Char(
        string="Lot Number Pattern",
        help="Pattern for the internal lot numbers generated on receipt for this product, "
        "e.g. {product_code}-{date:%y%m%d}-{seq:2}. Empty: its category's pattern, else the "
        "company's when Generate Lot Numbers on Receipt is on. Tokens: "
        + lot_name_pattern.valid_tokens_text(),
    )

    gs1_gtin = fields.Char(
        string="GTIN",
        index="btree_not_null",
        help="The product's GS1 Global Trade Item Number (8, 12, 13 or 14 digits, last "
        "one a check digit), read from scanned cartons and printed on lot labels. Empty: "
        "the barcode stands for it when it is a valid GTIN (EAN-13, UPC-A, ...).",
    )

    @api.constrains("lot_name_pattern")
    def _check_lot_name_pattern(self):
        for template in self:
            self.env["product.category"]._check_one_lot_name_pattern(template.lot_name_pattern)

    @api.constrains("gs1_gtin")
    def _check_gs1_gtin(self):
        gs1 = self.env["lot_fefo_recall.gs1"]
        gs1._check_identifier_field(self, "gs1_gtin", "GTIN")
        # A scan finds its product by GTIN: one product per GTIN, however it is written
        # (a GTIN-13 and the same GTIN padded to 14 digits are one GTIN).
        for template in self.filtered("gs1_gtin"):
            gtin = gs1.normalize_gtin(template.gs1_gtin)
            spellings = {gtin[14 - size :] for size in (8, 12, 13, 14)}
            other = (
                self.sudo()
                .with_context(active_test=False)
                .search([("gs1_gtin", "in", list(spellings)), ("id", "!=", template.id)], limit=1)
            )
            if other:
                raise ValidationError(
                    self.env._(
                        "The GTIN %(gtin)s of %(product)s is already the GTIN of "
                        "%(other)s: one GTIN names one product. Nothing was saved.",
                        gtin=template.gs1_gtin,
                        product=template.display_name,
                        other=other.display_name,
                    )
                )

    @api.constrains("receipt_min_shelf_life_days")
    def _check_receipt_min_shelf_life_days(self):
        for template in self.filtered(lambda t: t.receipt_min_shelf_life_days < 0):
            raise ValidationError(
                self.env._(
                    "The minimum shelf life on receipt of %(product)s can not be negative "
                    "(%(days)s days). Use 0 for no check.",
                    product=template.display_name,
                    days=template.receipt_min_shelf_life_days,
                )
            )

    def _get_receipt_min_shelf_life_days(self):
        self.ensure_one()
        if self.receipt_min_shelf_life_override:
            return self.receipt_min_shelf_life_days
        return self.categ_id.receipt_min_shelf_life_days

    def _get_expiration_from_production(self, production_date, warehouse=None):
        """The expiration date of a lot produced on ``production_date`` when only that
        is known: the start of the day ``expiration_time`` days later, counted in the
        warehouse's time zone as shelf life rules count days (a UTC datetime, like
        every stored Datetime)."""
        self.ensure_one()
        expiry_day = production_date + datetime.timedelta(days=self.expiration_time)
        tz = self.env["stock.shelf.life.rule"]._get_day_tz(warehouse)
        local = tz.localize(datetime.datetime.combine(expiry_day, datetime.time.min))
        return local.astimezone(pytz.UTC).replace(tzinfo=None)
