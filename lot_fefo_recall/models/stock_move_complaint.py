from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        lines = moves.move_line_ids.filtered(
            lambda line: (
                line.lot_id
                and line.state == "done"
                and "customer" in (line.location_id.usage, line.location_dest_id.usage)
            )
        )
        lines.lot_id._update_customer_flows()
        return moves
