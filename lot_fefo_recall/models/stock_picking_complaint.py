from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    lot_complaint_count = fields.Integer(
        string="Lot Complaints", compute="_compute_lot_complaint_count"
    )

    def _compute_lot_complaint_count(self):
        counts = dict(
            self.env["stock.lot.complaint"]._read_group(
                [("picking_id", "in", self._origin.ids)], ["picking_id"], ["__count"]
            )
        )
        for picking in self:
            picking.lot_complaint_count = counts.get(picking._origin, 0)

    def action_view_lot_complaints(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "lot_fefo_recall.stock_lot_complaint_action"
        )
        action["domain"] = [("picking_id", "=", self.id)]
        context = {
            "default_picking_id": self.id,
            "default_partner_id": self.partner_id.commercial_partner_id.id,
            "default_company_id": self.company_id.id,
        }
        lots = self.move_line_ids.filtered(lambda line: line.state == "done").lot_id
        if len(lots) == 1:
            context["default_lot_id"] = lots.id
        action["context"] = context
        return action
