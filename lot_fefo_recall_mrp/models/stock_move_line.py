from odoo import models


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    def _get_blocked_lot_documents(self):
        """Also the manufacturing order or unbuild order that consumes the lot."""
        documents = super()._get_blocked_lot_documents()
        move = self.move_id
        return documents + [
            document
            for document in (move.raw_material_production_id, move.production_id, move.unbuild_id)
            if document
        ]
