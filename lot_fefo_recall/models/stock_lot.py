from odoo import api, fields, models
from odoo.exceptions import AccessError

# Filled by the first receipt; afterwards only quality managers change them.
REGISTER_FIELDS = (
    "supplier_id",
    "supplier_lot_name",
    "receipt_date",
    "receipt_picking_id",
    "production_date",
)
# Blocking is a quality decision whatever the previous value.
BLOCK_FIELDS = ("is_blocked", "block_reason")


class StockLot(models.Model):
    _inherit = "stock.lot"
    _rec_names_search = ["name", "supplier_lot_name"]

    supplier_id = fields.Many2one(
        "res.partner",
        string="Vendor",
        index="btree_not_null",
        tracking=True,
        help="The vendor who supplied this lot, filled by its first receipt.",
    )
    supplier_lot_name = fields.Char(
        string="Vendor Lot",
        index="trigram",
        tracking=True,
        help="The vendor's own lot or batch number. It is unique per vendor only: two "
        "vendors may use the same number.",
    )
    receipt_date = fields.Datetime(
        string="Received On", tracking=True, help="Date of the first receipt of this lot."
    )
    receipt_picking_id = fields.Many2one(
        "stock.picking",
        string="First Receipt",
        index="btree_not_null",
        tracking=True,
    )
    production_date = fields.Date(tracking=True)
    is_blocked = fields.Boolean(
        string="Blocked",
        tracking=True,
        copy=False,
        help="A blocked lot is never reserved nor shipped.",
    )
    block_reason = fields.Char(tracking=True, copy=False)
    days_left = fields.Integer(
        compute="_compute_days_left",
        help="Days from today to the expiration date; negative once expired.",
    )
    can_edit_register = fields.Boolean(compute="_compute_can_edit_register")

    @api.depends("expiration_date")
    @api.depends_context("tz")
    def _compute_days_left(self):
        today = fields.Date.context_today(self)
        for lot in self:
            if lot.expiration_date:
                expiry_day = fields.Date.context_today(lot, lot.expiration_date)
                lot.days_left = (expiry_day - today).days
            else:
                lot.days_left = 0

    @api.depends_context("uid")
    def _compute_can_edit_register(self):
        self.can_edit_register = self.env.user.has_group("lot_fefo_recall.group_quality_manager")

    def write(self, vals):
        self._check_register_write(vals)
        return super().write(vals)

    def _check_register_write(self, vals):
        """Stock users may fill an empty register field (a receipt does), but only
        quality managers change a filled one or block a lot."""
        if self.env.su or self.env.user.has_group("lot_fefo_recall.group_quality_manager"):
            return
        changed = [name for name in BLOCK_FIELDS if name in vals]
        for name in REGISTER_FIELDS:
            if name not in vals:
                continue
            new = self._fields[name].convert_to_cache(vals[name], self)
            for lot in self:
                old = lot[name]
                old = old.id if isinstance(old, models.BaseModel) else old
                if old and old != new:
                    changed.append(name)
                    break
        if changed:
            labels = ", ".join(
                self._fields[name].get_description(self.env)["string"] for name in changed
            )
            raise AccessError(
                self.env._(
                    "Only quality managers can change %(fields)s of lot %(lots)s.",
                    fields=labels,
                    lots=", ".join(self.mapped("display_name")),
                )
            )
