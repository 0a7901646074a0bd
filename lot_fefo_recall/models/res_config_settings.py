from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _name = "res.config.settings"
    _inherit = ["res.config.settings", "lot_fefo_recall.input.guard"]

    lot_name_pattern = fields.Char(related="company_id.lot_name_pattern", readonly=False)
    lot_name_generation = fields.Boolean(related="company_id.lot_name_generation", readonly=False)
    gs1_gln = fields.Char(related="company_id.gs1_gln", readonly=False)
    gs1_resolver_domain = fields.Char(related="company_id.gs1_resolver_domain", readonly=False)
    expiry_horizon_1 = fields.Integer(related="company_id.expiry_horizon_1", readonly=False)
    expiry_horizon_2 = fields.Integer(related="company_id.expiry_horizon_2", readonly=False)
    expiry_horizon_3 = fields.Integer(related="company_id.expiry_horizon_3", readonly=False)
    expiry_donate_days = fields.Integer(related="company_id.expiry_donate_days", readonly=False)
    expiry_discount_days = fields.Integer(
        related="company_id.expiry_discount_days", readonly=False
    )
    expiry_return_days = fields.Integer(related="company_id.expiry_return_days", readonly=False)
    expiry_sales_window_days = fields.Integer(
        related="company_id.expiry_sales_window_days", readonly=False
    )
    expiry_digest_user_ids = fields.Many2many(
        related="company_id.expiry_digest_user_ids", readonly=False
    )
    expiry_writeoff_mode = fields.Selection(
        related="company_id.expiry_writeoff_mode", readonly=False
    )
    expiry_writeoff_grace_days = fields.Integer(
        related="company_id.expiry_writeoff_grace_days", readonly=False
    )
    expiry_responsible_id = fields.Many2one(
        related="company_id.expiry_responsible_id", readonly=False
    )
    recall_follow_up_days = fields.Integer(
        related="company_id.recall_follow_up_days", readonly=False
    )
    recall_follow_up_max = fields.Integer(
        related="company_id.recall_follow_up_max", readonly=False
    )
