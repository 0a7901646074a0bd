from odoo import api, fields, models
from odoo.fields import Command


class StockLotForceWizard(models.TransientModel):
    _inherit = "stock.lot.force.wizard"

    production_ids = fields.Many2many("mrp.production", string="Manufacturing Orders")

    @api.model
    def default_get(self, fields):
        res = super().default_get(fields)
        context = self.env.context
        if context.get("active_model") == "mrp.production" and "production_ids" in fields:
            res["production_ids"] = [Command.set(context.get("active_ids") or [])]
        return res

    @api.depends("production_ids")
    def _compute_blocked_lots(self):
        return super()._compute_blocked_lots()

    def _get_move_lines(self):
        return super()._get_move_lines() | self.production_ids.move_raw_ids.move_line_ids.filtered(
            lambda ml: ml.state not in ("done", "cancel")
        )

    def _validate_documents(self):
        if not self.production_ids:
            return super()._validate_documents()
        res = self.production_ids.with_env(self.env).button_mark_done()
        if self.picking_ids:
            super()._validate_documents()
        return res
