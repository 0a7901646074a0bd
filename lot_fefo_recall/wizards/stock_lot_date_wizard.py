from odoo import api, fields, models

from ..models.stock_lot import DATE_FIELDS, DATE_REASON_CONTEXT_KEY


class StockLotDateWizard(models.TransientModel):
    """Change the filled dates of a lot, saying why: a quality manager's act, kept on
    the lot's chatter old -> new with the reason."""

    _name = "stock.lot.date.wizard"
    _description = "Change Lot Dates"

    lot_id = fields.Many2one("stock.lot", required=True, readonly=True)
    expiration_date = fields.Datetime()
    use_date = fields.Datetime(string="Best before Date")
    removal_date = fields.Datetime()
    alert_date = fields.Datetime()
    # Required in the form; the lot refuses a change without one in words.
    reason = fields.Text(help="Kept on the lot's chatter with the old and new dates.")

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        lot = self.env["stock.lot"].browse(res.get("lot_id"))
        if lot:
            for name in DATE_FIELDS:
                res.setdefault(name, lot[name])
        return res

    @api.onchange("expiration_date")
    def _onchange_expiration_date(self):
        """The other dates move with the expiration date, as product_expiry moves them."""
        lot = self.lot_id
        if not (lot.expiration_date and self.expiration_date):
            return
        delta = self.expiration_date - lot.expiration_date
        for name in DATE_FIELDS[1:]:
            if lot[name]:
                self[name] = lot[name] + delta

    def action_confirm(self):
        self.ensure_one()
        vals = {name: self[name] for name in DATE_FIELDS if self[name] != self.lot_id[name]}
        if vals:
            self.lot_id.with_context(**{DATE_REASON_CONTEXT_KEY: self.reason or ""}).write(vals)
        return {"type": "ir.actions.act_window_close"}
