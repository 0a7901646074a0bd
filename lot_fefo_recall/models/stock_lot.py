from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

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
    _name = "stock.lot"
    _inherit = ["stock.lot", "lot_fefo_recall.input.guard"]
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
        self.can_edit_register = self.env.user._is_lot_quality_manager()

    def _compute_value(self):
        # stock_account values a lot at its quantity on hand: a lot set aside in
        # quarantine is still on the books, its value must not drop to 0.
        return super(StockLot, self.with_context(lot_fefo_count_set_aside=True))._compute_value()

    @api.onchange("production_date")
    def _onchange_production_date(self):
        """A new lot of which only the production date is known expires after the
        product's expiration time; a saved lot keeps the date it has."""
        for lot in self.filtered(
            lambda lot: not lot._origin and lot.production_date and lot.use_expiration_date
        ):
            lot.expiration_date = lot.product_id.product_tmpl_id._get_expiration_from_production(
                lot.production_date
            )

    @api.model_create_multi
    def create(self, vals_list):
        # Before the values are read here: the guard mixin's own create comes later.
        self._check_input_values(vals_list)
        products = self.env["product.product"].browse(
            [vals["product_id"] for vals in vals_list if vals.get("product_id")]
        )
        for vals in vals_list:
            if vals.get("production_date") and not vals.get("expiration_date"):
                product = products.browse(vals.get("product_id"))
                if product.use_expiration_date:
                    vals["expiration_date"] = (
                        product.product_tmpl_id._get_expiration_from_production(
                            fields.Date.to_date(vals["production_date"])
                        )
                    )
        return super().create(vals_list)

    def write(self, vals):
        # Before the values are read here: the guard mixin's own write comes later.
        self._check_input_values([vals])
        self._check_register_write(vals)
        res = super().write(vals)
        if vals.get("is_blocked"):
            self._release_reservations()
        return res

    def _release_reservations(self):
        """Take these (blocked) lots out of every open transfer that reserves them and
        reserve those transfers again from lots they may take; return the transfers.

        Picked lines are released too: the units in the picker's hands must not leave.
        The moves that had been picked are set back to not picked, as core reserves
        only moves nobody picked yet, and the transfer gets a to-do for its responsible
        (or whoever picked) to set the blocked units aside and pick again. A lot
        blocked is blocked in every company: when it is reserved in a company the user
        does not work in, nothing is released and the user is told which transfers."""
        # sudo: a lot of a product shared between companies may be reserved anywhere
        lines = (
            self.env["stock.move.line"]
            .sudo()
            .search(
                [
                    ("lot_id", "in", self.ids),
                    ("state", "not in", ("done", "cancel")),
                    ("location_id.usage", "in", ("internal", "transit")),
                ]
            )
        )
        out_of_reach = lines.filtered(lambda ml: ml.company_id not in self.env.companies)
        if out_of_reach and not self.env.su:
            raise UserError(
                self.env._(
                    "Lot %(lots)s is reserved in transfers of other companies: "
                    "%(transfers)s. Select those companies too, then block it again.",
                    lots=", ".join(out_of_reach.lot_id.mapped("name")),
                    transfers=", ".join(
                        f"{line.reference} ({line.company_id.name})" for line in out_of_reach
                    ),
                )
            )
        lines = lines.with_env(self.env)
        if not lines:
            return self.env["stock.picking"]
        pickings = lines.picking_id
        moves = lines.move_id
        picked_moves = moves.filtered("picked")
        released = {
            picking: self._describe_lines(picking_lines)
            for picking, picking_lines in lines.grouped("picking_id").items()
        }
        picked_lines = picked_moves.move_line_ids.filtered("picked")
        pickers = {
            picking: picking.user_id or picking_lines.write_uid[:1] or self.env.user
            for picking, picking_lines in picked_lines.grouped("picking_id").items()
            if picking
        }
        transfers_by_lot = {
            lot: ", ".join(dict.fromkeys(lot_lines.mapped("reference")))
            for lot, lot_lines in lines.grouped("lot_id").items()
        }
        lines.unlink()
        picked_moves.picked = False
        moves.filtered(lambda m: m.state not in ("done", "cancel"))._action_assign()

        for lot, transfers in transfers_by_lot.items():
            lot.message_post(
                body=self.env._(
                    "Blocked: taken out of %(transfers)s, which were reserved again from "
                    "other lots where stock allowed.",
                    transfers=transfers,
                ),
                subtype_xmlid="mail.mt_note",
            )
        for picking in pickings:
            picking.message_post(
                body=self.env._(
                    "Blocked lots taken out of this transfer: %(lines)s. It was reserved "
                    "again from other lots where stock allowed.",
                    lines=released[picking],
                ),
                subtype_xmlid="mail.mt_note",
            )
        for picking, user in pickers.items():
            picking.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Blocked lots were picked"),
                note=self.env._(
                    "Lots of this transfer were blocked after it was picked: %(lines)s. "
                    "Set those units aside, they must not leave, and pick the transfer "
                    "again.",
                    lines=released[picking],
                ),
                user_id=user.id,
            )
        return pickings

    def _describe_lines(self, lines):
        return ", ".join(
            self.env._(
                "%(quantity)s %(uom)s of %(product)s lot %(lot)s",
                quantity=f"{line.quantity:g}",
                uom=line.product_uom_id.name,
                product=line.product_id.display_name,
                lot=line.lot_id.name,
            )
            for line in lines
        )

    def _check_register_write(self, vals):
        """Stock users may fill an empty register field (a receipt does), but only
        quality managers change a filled one or block a lot."""
        if self.env.su or self.env.user._is_lot_quality_manager():
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
