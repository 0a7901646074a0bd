from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    lot_name_pattern = fields.Char(related="company_id.lot_name_pattern", readonly=False)
