from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    lot_complaint_count = fields.Integer(
        string="Lot Complaints",
        compute="_compute_lot_complaint_count",
        groups="stock.group_stock_user,sales_team.group_sale_salesman",
    )

    def _compute_lot_complaint_count(self):
        """Complaints of the customer's whole company, its contacts' included."""
        commercial = self.commercial_partner_id
        counts = dict(
            self.env["stock.lot.complaint"]._read_group(
                [("partner_id.commercial_partner_id", "in", commercial._origin.ids)],
                ["partner_id"],
                ["__count"],
            )
        )
        by_commercial = {}
        for partner, count in counts.items():
            key = partner.commercial_partner_id.id
            by_commercial[key] = by_commercial.get(key, 0) + count
        for partner in self:
            partner.lot_complaint_count = by_commercial.get(
                partner.commercial_partner_id._origin.id, 0
            )

    def action_view_lot_complaints(self):
        self.ensure_one()
        commercial = self.commercial_partner_id
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "lot_fefo_recall.stock_lot_complaint_action"
        )
        action["domain"] = [("partner_id", "child_of", commercial.id)]
        action["context"] = {"default_partner_id": self.id}
        return action
