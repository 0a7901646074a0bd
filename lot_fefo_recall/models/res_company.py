from odoo import api, fields, models

from . import lot_name_pattern

DEFAULT_LOT_NAME_PATTERN = "{supplier_code}-{date:%Y%m%d}"


class ResCompany(models.Model):
    _inherit = "res.company"

    lot_name_pattern = fields.Char(
        string="Default Lot Number Pattern",
        default=DEFAULT_LOT_NAME_PATTERN,
        help="Pattern for the internal lot numbers generated on receipt when a product "
        "category has none. Tokens: " + lot_name_pattern.valid_tokens_text(),
    )

    @api.constrains("lot_name_pattern")
    def _check_lot_name_pattern(self):
        for company in self:
            self.env["product.category"]._check_one_lot_name_pattern(company.lot_name_pattern)
