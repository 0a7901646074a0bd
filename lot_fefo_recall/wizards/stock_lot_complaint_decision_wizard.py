from odoo import fields, models


class StockLotComplaintDecisionWizard(models.TransientModel):
    """Asks the quality manager why complaints are closed, rejected or reopened."""

    _name = "stock.lot.complaint.decision.wizard"
    _description = "Complaint Decision"

    complaint_ids = fields.Many2many("stock.lot.complaint", string="Complaints", required=True)
    state = fields.Selection(
        [("closed", "Close"), ("rejected", "Reject"), ("new", "Reopen")],
        string="Decision",
        default="rejected",
        required=True,
    )
    # Required in the form; the complaint refuses a decision without one in words.
    reason = fields.Text(
        help="Kept on the complaint and on the lot's chatter: what an auditor reads.",
    )

    def action_confirm(self):
        self.ensure_one()
        self.complaint_ids._decide(self.state, self.reason or "")
        return {"type": "ir.actions.act_window_close"}
