from odoo import api, fields, models
from odoo.exceptions import UserError


class StockExpiryWriteoffWizard(models.TransientModel):
    _name = "stock.expiry.writeoff.wizard"
    _description = "Write off expired stock now"
    _inherit = ["lot_fefo_recall.input.guard"]

    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, required=True
    )
    mode = fields.Selection(related="company_id.expiry_writeoff_mode")
    grace_days = fields.Integer(related="company_id.expiry_writeoff_grace_days")
    quant_ids = fields.Many2many(
        "stock.quant", compute="_compute_preview", string="Expired Stock to Write Off"
    )
    reserved_quant_ids = fields.Many2many(
        "stock.quant", compute="_compute_preview", string="Reserved (skipped and reported)"
    )
    recall_quant_ids = fields.Many2many(
        "stock.quant", compute="_compute_preview", string="In an Open Recall (kept as evidence)"
    )
    total_quantity = fields.Float(compute="_compute_preview")

    @api.depends("company_id")
    def _compute_preview(self):
        Quant = self.env["stock.quant"]
        Writeoff = self.env["stock.expiry.writeoff"]
        for wizard in self:
            quants = Quant.search(Writeoff._get_expired_quants_domain(wizard.company_id))
            recalls = Writeoff._get_open_recalls_by_lot(wizard.company_id, quants.lot_id)
            in_recall = quants.filtered(lambda q, recalls=recalls: q.lot_id in recalls)
            reserved = (quants - in_recall).filtered(
                lambda q: q.product_uom_id.compare(q.reserved_quantity, 0) > 0
            )
            todo = quants - in_recall - reserved
            wizard.quant_ids = todo
            wizard.reserved_quant_ids = reserved
            wizard.recall_quant_ids = in_recall
            wizard.total_quantity = sum(todo.mapped("quantity"))

    def action_write_off(self):
        self.ensure_one()
        self.env.user._check_lot_quality_manager(
            self.env._("Only quality managers write off expired stock.")
        )
        log = self.env["stock.expiry.writeoff"]._write_off(self.company_id, commit=False)
        if not log:
            raise UserError(self.env._("There is no expired stock left to write off."))
        return {
            "type": "ir.actions.act_window",
            "res_model": "stock.expiry.writeoff",
            "res_id": log.id,
            "views": [(False, "form")],
        }
