from dateutil.relativedelta import relativedelta

from odoo import fields, models

SCORECARD_MONTHS = 12


class ResPartner(models.Model):
    """The vendor's scorecard over the last twelve months, on its form."""

    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    scorecard_lot_count = fields.Integer(
        string="Lots Received (12 months)", compute="_compute_vendor_scorecard"
    )
    scorecard_aged_percent = fields.Float(
        string="Aged on Arrival (%)", compute="_compute_vendor_scorecard", digits=(16, 1)
    )
    scorecard_waste_percent = fields.Float(
        string="Waste (%)", compute="_compute_vendor_scorecard", digits=(16, 1)
    )
    scorecard_recall_count = fields.Integer(
        string="Recalled Lots", compute="_compute_vendor_scorecard"
    )
    scorecard_complaint_count = fields.Integer(
        string="Complaints on Its Lots", compute="_compute_vendor_scorecard"
    )
    scorecard_median_days = fields.Float(
        string="Median Days Left at Receipt", compute="_compute_vendor_scorecard", digits=(16, 0)
    )

    def _compute_vendor_scorecard(self):
        now = fields.Datetime.now()
        since = now - relativedelta(months=SCORECARD_MONTHS)
        Scorecard = self.env["stock.vendor.scorecard"]
        for partner in self:
            figures = (
                Scorecard._get_vendor_figures(partner, since, now) if partner._origin.id else {}
            )
            partner.scorecard_lot_count = figures.get("lots", 0)
            partner.scorecard_aged_percent = figures.get("aged_percent", 0.0)
            partner.scorecard_waste_percent = figures.get("waste_percent", 0.0)
            partner.scorecard_recall_count = figures.get("recalls", 0)
            partner.scorecard_complaint_count = figures.get("complaints", 0)
            partner.scorecard_median_days = figures.get("median_days", 0.0)

    def action_view_vendor_scorecard(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "lot_fefo_recall.stock_vendor_scorecard_action"
        )
        action["domain"] = [("supplier_id", "child_of", self.commercial_partner_id.id)]
        action["context"] = {"search_default_last_year": 1}
        return action
