from markupsafe import Markup

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
# product_expiry's dates: filled at receipt; once the lot holds or held stock, changed
# only by a quality manager who says why (the Change Dates wizard), recorded old -> new
# on the chatter.
DATE_FIELDS = ("expiration_date", "use_date", "removal_date", "alert_date")
# Set by the Change Dates wizard (or a quality manager's own call) to the reason given.
DATE_REASON_CONTEXT_KEY = "lot_date_change_reason"
# Who may see a lot's customers: whoever sees the deliveries (see
# _has_customer_list_access).
CUSTOMER_LIST_GROUP = "stock.group_stock_user"


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
    # Tracked: every change of a filled date is on the chatter, old -> new.
    expiration_date = fields.Datetime(tracking=True)
    use_date = fields.Datetime(tracking=True)
    removal_date = fields.Datetime(tracking=True)
    alert_date = fields.Datetime(tracking=True)
    days_left = fields.Integer(
        compute="_compute_days_left",
        help="Days from today to the expiration date; negative once expired.",
    )
    can_edit_register = fields.Boolean(compute="_compute_can_edit_register")
    dates_locked = fields.Boolean(
        compute="_compute_dates_locked",
        help="The lot holds or held stock: its filled dates are evidence, changed only by "
        "a quality manager with a reason (Change Dates).",
    )

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

    def _compute_dates_locked(self):
        locked = self._get_stock_history_lots()
        for lot in self:
            lot.dates_locked = lot in locked

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
        reason = self._check_date_write(vals)
        lots = self
        if reason:
            # The audit trail of a date change is not for the caller to switch off.
            lots = self.with_context(tracking_disable=False, mail_notrack=False)
            lots._track_set_log_message(
                Markup("<p>%s</p>") % self.env._("Dates changed: %(reason)s", reason=reason)
            )
        res = super(StockLot, lots).write(vals)
        if vals.get("is_blocked"):
            self._release_reservations()
        return res

    def action_change_dates(self):
        """The Change Dates wizard of this lot (quality managers)."""
        self.ensure_one()
        self.env.user._check_lot_quality_manager(
            self.env._("Only quality managers change the dates of lot %(lot)s.", lot=self.name)
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "lot_fefo_recall.stock_lot_date_wizard_action"
        )
        action["context"] = {"default_lot_id": self.id}
        return action

    @api.model
    def _has_customer_list_access(self):
        """The one rule for who may see the customers a lot went to (the dossier's
        graph, its EPCIS history, a recall's trace): those who see the deliveries
        themselves, Inventory users. Others who read lots (salesmen taking complaints)
        do not."""
        return self.env.su or self.env.user.has_group(CUSTOMER_LIST_GROUP)

    def _check_customer_list_access(self):
        if not self._has_customer_list_access():
            raise AccessError(
                self.env._(
                    "Only Inventory users may see the customers that lot %(lots)s went to.",
                    lots=", ".join(self.mapped("display_name")),
                )
            )

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

    def _get_stock_history_lots(self):
        """Those of these lots that hold or held stock: a quant or a done move line."""
        lots = self.filtered("id")
        if not lots:
            return self.browse()
        # sudo: whether stock ever moved, not what the user may read of it
        with_quants = {
            lot.id
            for [lot] in self.env["stock.quant"]
            .sudo()
            ._read_group([("lot_id", "in", lots.ids)], ["lot_id"])
        }
        rest = lots.filtered(lambda lot: lot.id not in with_quants)
        moved = set()
        if rest:
            moved = {
                lot.id
                for [lot] in self.env["stock.move.line"]
                .sudo()
                ._read_group([("lot_id", "in", rest.ids), ("state", "=", "done")], ["lot_id"])
            }
        return lots.filtered(lambda lot: lot.id in with_quants or lot.id in moved)

    def _check_date_write(self, vals):
        """Stock users fill an empty date (a receipt does); changing a filled one is a
        quality manager's act with a reason. Return the reason when this write changes a
        filled date. A change of product (allowed by core only while the lot has no
        moves) recomputes the dates the way product_expiry does, and is left alone."""
        names = [name for name in DATE_FIELDS if name in vals]
        if not names or self.env.su:
            return None
        if "product_id" in vals and any(lot.product_id.id != vals["product_id"] for lot in self):
            return None
        # A lot that never held stock is still being typed in (Odoo's own lot form
        # tests edit such dates freely); its dates become evidence with its first stock.
        guarded = self._get_stock_history_lots()
        changed = []
        for name in names:
            new = self._fields[name].convert_to_cache(vals[name], self)
            if any(lot[name] and lot[name] != new for lot in guarded):
                changed.append(name)
        if not changed:
            return None
        labels = ", ".join(
            self._fields[name].get_description(self.env)["string"] for name in changed
        )
        lots = ", ".join(self.mapped("display_name"))
        if not self.env.user._is_lot_quality_manager():
            raise AccessError(
                self.env._(
                    "Only quality managers change the %(fields)s of lot %(lots)s once set.",
                    fields=labels,
                    lots=lots,
                )
            )
        reason = self.env.context.get(DATE_REASON_CONTEXT_KEY)
        if not isinstance(reason, str) or not reason.strip():
            raise UserError(
                self.env._(
                    "Say why the %(fields)s of lot %(lots)s change: use Change Dates on the "
                    "lot. The reason and the old and new dates are kept on its chatter.",
                    fields=labels,
                    lots=lots,
                )
            )
        return reason.strip()
