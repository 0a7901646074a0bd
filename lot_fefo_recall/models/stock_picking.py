from odoo import api, fields, models
from odoo.exceptions import UserError

from .stock_move import _MAX_CHAIN_DEPTH


class StockPicking(models.Model):
    _name = "stock.picking"
    _inherit = ["stock.picking", "lot_fefo_recall.input.guard"]

    shelf_life_shortage = fields.Text(
        compute="_compute_shelf_life_shortage",
        help="Lines not fully reserved because the stock on hand does not meet the "
        "customer's minimum remaining shelf life.",
    )

    shelf_life_warning = fields.Boolean(
        string="Short-Dated for Customer",
        compute="_compute_shelf_life_warning",
        store=True,
        help="Lots reserved for this delivery do not meet the customer's shelf life rule, "
        "which only warns: tell the customer or pick other lots.",
    )
    shelf_life_warning_note = fields.Text(
        string="Short-Dated Lots",
        compute="_compute_shelf_life_warning",
        store=True,
        help="Which reserved lots do not meet which customer rule.",
    )

    @api.depends("move_ids.shelf_life_shortage")
    def _compute_shelf_life_shortage(self):
        for picking in self:
            notes = picking.move_ids.filtered("shelf_life_shortage").mapped("shelf_life_shortage")
            picking.shelf_life_shortage = "\n".join(notes) or False

    @api.depends("move_ids.shelf_life_warning_note")
    def _compute_shelf_life_warning(self):
        for picking in self:
            notes = picking.move_ids.filtered("shelf_life_warning_note").mapped(
                "shelf_life_warning_note"
            )
            picking.shelf_life_warning_note = "\n".join(notes) or False
            picking.shelf_life_warning = bool(notes)

    def action_generate_lot_names(self):
        """Give every lot-tracked receipt line without a lot an internal lot number from
        its pattern, before validation, so that labels can be printed. Lines without a
        pattern keep waiting for a lot number typed by the user."""
        self._check_input_ids()
        lines = self._get_lines_needing_lot_name()
        if not lines:
            raise UserError(
                self.env._(
                    "Every lot-tracked line of %(pickings)s already has a lot number.",
                    pickings=", ".join(self.mapped("name")),
                )
            )
        without_pattern = lines.filtered(lambda ml: not ml._get_lot_name_pattern())
        if without_pattern == lines:
            raise UserError(
                self.env._(
                    "No lot number pattern applies to %(products)s: enter their lot numbers, "
                    "or set a pattern on the product or its category, or turn on Generate "
                    "Lot Numbers on Receipt in the Inventory settings.",
                    products=", ".join(sorted(set(lines.product_id.mapped("display_name")))),
                )
            )
        (lines - without_pattern)._assign_generated_lot_names()
        return True

    def _sanity_check(self, separate_pickings=True):
        # Generated here, after draft receipts were confirmed and given their lines by
        # button_validate, and before core refuses lines without a lot.
        self._get_lines_needing_lot_name()._assign_generated_lot_names()
        return super()._sanity_check(separate_pickings=separate_pickings)

    def _pre_action_done_hook(self):
        # First, so that a refused transfer writes nothing (not even the picked flags).
        # Blocked lots: the rule of stock.move.line._action_done, told before any
        # backorder or expiry question.
        self._get_move_lines_to_validate()._check_blocked_lots_leaving()
        problems = self._get_lot_check_problems()
        if problems and not self._lot_check_override_allowed():
            return self._action_refuse_lot_checks(problems)
        # Lots picked by hand instead of the reserved ones are judged as they ship.
        self.move_ids._update_shelf_life_reserved_notes()
        return super()._pre_action_done_hook()

    def _get_lines_needing_lot_name(self):
        return self.move_line_ids.filtered(
            lambda ml: (
                ml.state not in ("done", "cancel")
                and ml.picking_code == "incoming"
                and ml.picking_type_id.use_create_lots
                and ml.product_id.tracking == "lot"
                and not ml.lot_id
                and not ml.lot_name
                and ml.quantity
            )
        )

    def _lot_check_override_allowed(self):
        return (
            self.env.context.get("lot_fefo_accept_lot_checks")
            and self.env.user._is_lot_quality_manager()
        )

    def _get_lot_check_problems(self):
        """Lines a quality manager must accept before validation, as a list of dicts
        (line, message). Refusals nobody can override raise at once."""
        return self._get_receipt_shelf_life_problems() + self._get_delivery_lot_problems()

    def _get_delivery_lot_problems(self):
        """Customer delivery lines with a lot that breaks the customer's shelf life rule:
        a problem to accept. (Blocked lots are refused before, see
        ``_pre_action_done_hook``.)"""
        problems = []
        lines = self._get_move_lines_to_validate().filtered(
            lambda ml: ml.lot_id and ml.move_id._get_shelf_life_customer_move()
        )
        dated = lines.filtered(lambda ml: ml.product_id.use_expiration_date)
        # A rule that only warns, or one a sales manager lifted, refuses nothing.
        requirements = {move: move._get_shelf_life_reservation_filter() for move in dated.move_id}
        for line in dated:
            rule, min_date = requirements[line.move_id]
            if not rule:
                continue
            field = rule._get_lot_date_field()
            lot_date = line.lot_id[field]
            if not lot_date or lot_date >= min_date:
                continue
            delivery = line.move_id._get_shelf_life_customer_move()
            customer = delivery.partner_id or delivery.picking_id.partner_id
            # Days as the rule counted them, in the warehouse's time zone.
            warehouse = delivery.picking_type_id.warehouse_id
            values = {
                "product": line.product_id.display_name,
                "lot": line.lot_id.name,
                "date": fields.Date.to_string(rule._get_local_day(lot_date, warehouse)),
                "customer": customer.commercial_partner_id.name,
                "minimum": rule._describe_minimum(line.product_id),
                "ship": fields.Date.to_string(rule._get_local_day(delivery.date, warehouse)),
            }
            message = (
                self.env._(
                    "%(product)s lot %(lot)s is best before %(date)s: it does not meet "
                    "%(customer)s's %(minimum)s (shipping on %(ship)s).",
                    **values,
                )
                if field == "use_date"
                else self.env._(
                    "%(product)s lot %(lot)s expires on %(date)s: it does not meet "
                    "%(customer)s's %(minimum)s (shipping on %(ship)s).",
                    **values,
                )
            )
            problems.append({"line": line, "message": f"{message} {rule._explain()}"})
        return problems

    def _schedule_shelf_life_warning_activity(self):
        """One activity per flagged delivery for the salesperson, who tells the customer
        or has other lots picked; none when one is still open on it or on an earlier
        step of it (Odoo creates the ship step of a pick-and-ship when the pick is done:
        the activity is then on the pick)."""
        activity_type = self.env.ref("mail.mail_activity_data_warning")
        for picking in self.filtered("shelf_life_warning"):
            summary = picking._get_shelf_life_warning_summary()
            if picking._get_shelf_life_chain().activity_ids.filtered(
                lambda a, summary=summary: (
                    a.activity_type_id == activity_type and a.summary == summary
                )
            ):
                continue
            picking.activity_schedule(
                "mail.mail_activity_data_warning",
                summary=summary,
                note=picking.shelf_life_warning_note,
                user_id=picking._get_shelf_life_salesperson().id,
            )

    def _get_shelf_life_chain(self):
        """This transfer and the earlier steps of the delivery it is part of."""
        self.ensure_one()
        pickings = self
        moves = self.move_ids.move_orig_ids
        for _depth in range(_MAX_CHAIN_DEPTH):
            if not moves:
                break
            pickings |= moves.picking_id
            moves = moves.move_orig_ids
        return pickings

    def _get_shelf_life_warning_summary(self):
        self.ensure_one()
        return self.env._(
            "Short-dated lots for %(customer)s",
            customer=self.partner_id.commercial_partner_id.name or self.name,
        )

    def _get_shelf_life_salesperson(self):
        """Who hears of a short-dated delivery: the salesperson of the sale order, else
        the transfer's responsible, else the current user; someone who can open it."""
        self.ensure_one()
        candidates = (
            self.move_ids.sale_line_id.order_id.user_id[:1],
            self.sale_id.user_id,
            self.user_id,
        )
        for user in candidates:
            if user and not user.share and self.with_user(user).has_access("read"):
                return user
        return self.env.user

    def _get_receipt_shelf_life_problems(self, lines=None):
        """Vendor receipt lines whose lot is expired, or expires sooner after today than
        the product's minimum shelf life on receipt: of the lines to validate, or of
        ``lines`` only (a scanned carton's).

        :return: list of dicts (line, message); a lot without expiration date of an
            expiry-tracked product is refused at once, that is not a matter of degree.
        """
        now = fields.Datetime.now()
        Rule = self.env["stock.shelf.life.rule"]
        problems = []
        lines = (self._get_move_lines_to_validate() if lines is None else lines).filtered(
            lambda ml: (
                ml.product_id.use_expiration_date
                and ml.product_id.tracking != "none"
                and ml._is_vendor_receipt()
            )
        )
        for line in lines:
            product = line.product_id
            lot_label = line.lot_id.name or line.lot_name or self.env._("(no lot)")
            expiration = line.lot_id.expiration_date if line.lot_id else line.expiration_date
            if not expiration:
                raise UserError(
                    self.env._(
                        "%(product)s lot %(lot)s has no expiration date. Enter it on the "
                        "receipt %(picking)s before validating: products that use "
                        "expiration dates can not be received without one.",
                        product=product.display_name,
                        lot=lot_label,
                        picking=line.picking_id.name,
                    )
                )
            minimum = product.product_tmpl_id._get_receipt_min_shelf_life_days()
            # Calendar days where the warehouse is, as customer rules count them.
            warehouse = line.picking_id.picking_type_id.warehouse_id
            expiry_day = Rule._get_local_day(expiration, warehouse)
            days_left = (expiry_day - Rule._get_local_day(now, warehouse)).days
            expiry_text = fields.Date.to_string(expiry_day)
            if expiration <= now:
                message = self.env._(
                    "%(product)s lot %(lot)s expired on %(date)s.",
                    product=product.display_name,
                    lot=lot_label,
                    date=expiry_text,
                )
            elif minimum and days_left < minimum:
                message = self.env._(
                    "%(product)s lot %(lot)s expires on %(date)s, %(left)s days after receipt; "
                    "the minimum on receipt is %(minimum)s days.",
                    product=product.display_name,
                    lot=lot_label,
                    date=expiry_text,
                    left=days_left,
                    minimum=minimum,
                )
            else:
                continue
            problems.append({"line": line, "message": message})
        return problems

    def _get_move_lines_to_validate(self):
        """The lines validation will move, as core decides it: a transfer with nothing
        picked is marked picked as a whole (stock.picking._pre_action_done_hook, which
        runs after our checks); otherwise stock.move._action_done moves only the picked
        lines and leaves the others to a backorder."""
        lines = self.env["stock.move.line"]
        for picking in self:
            todo = picking.move_line_ids.filtered(
                lambda ml: ml.state not in ("done", "cancel") and ml.quantity
            )
            # Core does not count moves to an inventory location as picked.
            if any(m.picked and m.location_dest_usage != "inventory" for m in picking.move_ids):
                todo = todo.filtered("picked")
            lines |= todo
        return lines

    def _action_refuse_lot_checks(self, problems):
        summary = "\n".join(problem["message"] for problem in problems)
        if not self.env.user._is_lot_quality_manager():
            raise UserError(
                self.env._(
                    "This transfer can not be validated:\n%(problems)s\n"
                    "Pick other lots, or ask a quality manager to accept these.",
                    problems=summary,
                )
            )
        return {
            "name": self.env._("Lot Checks"),
            "type": "ir.actions.act_window",
            "res_model": "stock.lot.check.wizard",
            "view_mode": "form",
            "target": "new",
            "context": dict(
                self.env.context,
                default_picking_ids=[fields.Command.set(self.ids)],
                default_problem_text=summary,
            ),
        }

    def _get_lot_name_values(self, product, receipt_day):
        self.ensure_one()
        return {
            "supplier_code": self.partner_id.commercial_partner_id.lot_code or "",
            "product_code": product.default_code or "",
            "warehouse_code": self.picking_type_id.warehouse_id.code or "",
            "date": receipt_day,
        }
