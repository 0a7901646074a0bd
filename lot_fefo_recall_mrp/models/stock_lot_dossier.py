from odoo import api, models


class StockLot(models.Model):
    _inherit = "stock.lot"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _get_dossier_productions(self, move_line_ids):
        """The manufacturing order of each move line that consumed a component or
        produced a lot, for the lot dossier's graph: one read of the lines' moves, one
        of the orders' names."""
        productions = super()._get_dossier_productions(move_line_ids)
        if not move_line_ids:
            return productions
        lines = self.env["stock.move.line"].sudo().browse(move_line_ids)
        moves = lines.move_id
        orders = moves.production_id | moves.raw_material_production_id
        names = {row["id"]: row["name"] for row in orders.read(["name"])}
        for line in lines:
            order = line.move_id.production_id or line.move_id.raw_material_production_id
            if order:
                productions[line.id] = ("mrp.production", order.id, names[order.id])
        return productions
