import datetime

import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError


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
