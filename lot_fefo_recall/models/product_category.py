import datetime

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from . import lot_name_pattern


class ProductCategory(models.Model):
    _name = "product.category"
    _inherit = ["product.category", "lot_fefo_recall.input.guard"]

    lot_name_pattern = fields.Char(
        string="Lot Number Pattern",
        help="Pattern for the internal lot numbers generated on receipt, e.g. "
        "{supplier_code}-{date:%Y%m%d} or {product_code}-{date:%y%m%d}-{seq:2}. "
        "Empty: the parent category's, else the company's when Generate Lot Numbers on "
        "Receipt is on in the settings; without any, lot numbers are entered by hand. Tokens: "
        + lot_name_pattern.valid_tokens_text(),
    )
    receipt_min_shelf_life_days = fields.Integer(
        string="Minimum Shelf Life on Receipt",
        help="Receipts of lots that expire sooner than this many days after the receipt "
        "date are refused. 0: no check. A product can set its own minimum.",
    )

    @api.constrains("lot_name_pattern")
    def _check_lot_name_pattern(self):
        for category in self:
            self._check_one_lot_name_pattern(category.lot_name_pattern)

    @api.constrains("receipt_min_shelf_life_days")
    def _check_receipt_min_shelf_life_days(self):
        for category in self.filtered(lambda c: c.receipt_min_shelf_life_days < 0):
            raise ValidationError(
                self.env._(
                    "The minimum shelf life on receipt of the category %(category)s can not be "
                    "negative (%(days)s days). Use 0 for no check.",
                    category=category.display_name,
                    days=category.receipt_min_shelf_life_days,
                )
            )

    @api.model
    def _check_one_lot_name_pattern(self, pattern):
        """Refuse a pattern with bad syntax, an unknown token, or one that renders to
        nothing even with every token filled in."""
        if not pattern:
            return
        sample = {
            "supplier_code": "AC",
            "product_code": "P1",
            "warehouse_code": "WH",
            "date": datetime.date(2026, 6, 15),
        }
        try:
            empty = not lot_name_pattern.render(self.env, pattern, sample)
        except lot_name_pattern.PatternError as exc:
            raise ValidationError(
                self.env._(
                    "The lot number pattern %(pattern)s can not be used: %(reason)s.\n"
                    "Valid tokens: %(tokens)s",
                    pattern=pattern,
                    reason=exc,
                    tokens=lot_name_pattern.valid_tokens_text(),
                )
            ) from exc
        if empty:
            raise ValidationError(
                self.env._(
                    "The lot number pattern %(pattern)s produces an empty lot number.\n"
                    "Valid tokens: %(tokens)s",
                    pattern=pattern,
                    tokens=lot_name_pattern.valid_tokens_text(),
                )
            )

    def _get_lot_name_pattern(self):
        """The pattern of this category, else of its nearest parent that has one; False
        for no category (a product may have none in Odoo 19)."""
        category = self[:1]
        while category:
            if category.lot_name_pattern:
                return category.lot_name_pattern
            category = category.parent_id
        return False
