from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import SQL

from . import lot_name_pattern
from .stock_move import _MAX_CHAIN_DEPTH

# How many counter values one look-up tries for a free lot number.
_COUNTER_LOOKAHEAD = 20
# Verdicts set by validation (_set_fefo_compliance), never typed: not writable.
_VERDICT_FIELDS = ("fefo_compliant", "fefo_choice")


class StockMoveLine(models.Model):
    _name = "stock.move.line"
    _inherit = ["stock.move.line", "lot_fefo_recall.input.guard"]

    # Core does not index it; recalls and FEFO checks look move lines up by lot.
    lot_id = fields.Many2one(index="btree_not_null")
    supplier_lot_name = fields.Char(
        string="Vendor Lot",
        help="The vendor's own lot or batch number, as printed on the received goods.",
    )
    # Typed by the receiver in the detailed operations: editable, so that a printed
    # expiration date written together with the production date is kept.
    expiration_date = fields.Datetime(readonly=False)
    production_date = fields.Date(
        help="The production date printed by the vendor. When the goods show no "
        "expiration date, it is the production date plus the product's expiration time.",
    )
    fefo_compliant = fields.Boolean(
        string="FEFO Compliant",
        copy=False,
        readonly=True,
        help="Set when a line delivering to a customer is validated: false when, as its "
        "lot was taken out of the warehouse stock (at the pick of a multi-step delivery), "
        "a lot that expires earlier, met the customer's rule and was available there was "
        "passed over. Empty for other lines.",
    )
    # The verdict of the first step of a multi-step delivery, where the lots are chosen,
    # kept until the final delivery line takes it (see _set_fefo_compliance). Not a
    # Boolean: "not judged" must differ from "passed over".
    fefo_choice = fields.Selection(
        [("followed", "FEFO Followed"), ("passed_over", "Earlier Lot Passed Over")],
        string="FEFO at Pick",
        copy=False,
        readonly=True,
    )

    @api.depends("production_date")
    def _compute_expiration_date(self):
        res = super()._compute_expiration_date()
        for line in self.filtered(
            lambda ml: (
                ml.production_date
                and not ml.lot_id.expiration_date
                and ml.picking_type_use_create_lots
                and ml.product_id.use_expiration_date
            )
        ):
            line.expiration_date = line.product_id.product_tmpl_id._get_expiration_from_production(
                line.production_date, line.picking_type_id.warehouse_id
            )
        return res

    @api.model
    def _check_input_values(self, vals_list):
        super()._check_input_values(vals_list)
        if self.env.su:
            return
        for vals in vals_list:
            verdicts = [name for name in _VERDICT_FIELDS if name in vals]
            if verdicts:
                raise AccessError(
                    self.env._(
                        "%(fields)s is set when the delivery is validated: nobody changes "
                        "it by hand.",
                        fields=", ".join(
                            self._fields[name].get_description(self.env)["string"]
                            for name in verdicts
                        ),
                    )
                )

    def _prepare_new_lot_vals(self):
        vals = super()._prepare_new_lot_vals()
        if self.supplier_lot_name:
            vals["supplier_lot_name"] = self.supplier_lot_name
        if self.production_date:
            vals["production_date"] = self.production_date
        return vals

    def _action_done(self):
        # The one place every flow that moves stock passes: deliveries, manufacturing,
        # transfers, scrap, inventory adjustments, whatever screen or code started it.
        forced = self._check_blocked_lots_leaving()
        forced._post_blocked_lot_override()
        self._set_fefo_compliance()
        res = super()._action_done()
        self.exists()._fill_batch_register()
        return res

    def _check_blocked_lots_leaving(self):
        """Refuse to take blocked lots out of the stock: to a customer, into production or
        into transit (to another warehouse or company), also through the first step of a
        chain bound there (the pick of a delivery).
        They may go to internal locations (quarantine and other set-aside locations
        included), back to the vendor, to scrap, or be counted lower by an inventory
        adjustment (a correction of the books, not goods leaving).

        A quality manager forces them out with a written reason (the wizard
        ``stock.lot.force.wizard`` puts the lots and the reason in the context); it is
        posted on the lots and on the transfers or orders.

        :return: the lines forced out, to be recorded once they move."""
        refused = self._get_blocked_lot_exits()
        if not refused:
            return self.browse()
        forced_lot_ids = set(self.env.context.get("lot_fefo_force_blocked_lot_ids") or ())
        unforced = {
            line: exit_ for line, exit_ in refused.items() if line.lot_id.id not in forced_lot_ids
        }
        if (
            unforced
            or not self._get_blocked_lot_override_reason()
            or not self.env.user._is_lot_quality_manager()
        ):
            raise UserError(
                "\n".join(
                    [
                        self._describe_blocked_lot_exits(unforced or refused),
                        self.env._(
                            "Pick other lots, or force them out with a written reason: "
                            "Actions > Force Blocked Lots Out."
                        )
                        if self.env.user._is_lot_quality_manager()
                        else self.env._(
                            "Pick other lots, or ask a quality manager to force them out "
                            "with a written reason."
                        ),
                    ]
                )
            )
        return self.browse([line.id for line in refused])

    def _get_blocked_lot_override_reason(self):
        return (self.env.context.get("lot_fefo_force_blocked_reason") or "").strip()

    def _get_blocked_lot_exits(self):
        """``{line: exit}`` of the lines that would take a blocked lot out of the stock,
        ``exit`` saying where: ``customer``, ``production`` or ``transit``."""
        exits = {}
        for line in self.filtered(
            lambda ml: ml.lot_id.is_blocked and ml.product_uom_id.compare(ml.quantity, 0) > 0
        ):
            exit_ = line._get_location_exit(line.location_dest_id)
            if not exit_ and line.location_dest_id.usage == "internal":
                exit_ = line._get_chain_exit()
            if exit_:
                exits[line] = exit_
        return exits

    @api.model
    def _get_location_exit(self, location):
        """How going to ``location`` takes goods out of the stock, or False. Another
        company is reached through a transit location (core refuses a move between two
        companies' locations)."""
        usage = location.usage
        return usage if usage in ("customer", "production", "transit") else False

    def _get_chain_exit(self):
        """The exit the chain this internal step feeds ends in: the pick of a delivery
        leaves for the customer, the pick of components for production. Only for goods
        taken from an internal location (a receipt feeding a delivery is no exit)."""
        self.ensure_one()
        if self.location_id.usage != "internal":
            return False
        moves = self.move_id
        for _depth in range(_MAX_CHAIN_DEPTH):
            for location in moves.location_final_id | moves.location_dest_id:
                exit_ = self._get_location_exit(location)
                if exit_:
                    return exit_
            moves = moves.move_dest_ids
            if not moves:
                break
        return False

    def _describe_blocked_lot_exits(self, exits):
        headers = {
            "customer": self.env._("Blocked lots can not be shipped: %(lots)s."),
            "production": self.env._("Blocked lots can not be consumed in production: %(lots)s."),
            "transit": self.env._(
                "Blocked lots can not be sent to another warehouse or company: %(lots)s."
            ),
        }
        by_exit = defaultdict(list)
        for line, exit_ in exits.items():
            by_exit[exit_].append(line)
        paragraphs = [
            headers[exit_]
            % {
                "lots": ", ".join(
                    self.env._(
                        "%(product)s lot %(lot)s (%(reason)s) in %(document)s",
                        product=line.product_id.display_name,
                        lot=line.lot_id.name,
                        reason=line.lot_id.block_reason or self.env._("blocked"),
                        document=line.reference or line.move_id.reference or "",
                    )
                    for line in lines
                )
            }
            for exit_, lines in by_exit.items()
        ]
        return "\n".join(paragraphs)

    def _get_blocked_lot_documents(self):
        """The records whose chatter tells that this line forced a blocked lot out."""
        self.ensure_one()
        return [self.picking_id] if self.picking_id else []

    def _post_blocked_lot_override(self):
        if not self:
            return
        header = self.env._(
            "Blocked lots forced out by %(user)s. Reason: %(reason)s",
            user=self.env.user.name,
            reason=self._get_blocked_lot_override_reason(),
        )
        lines_by_document = defaultdict(lambda: self.browse())
        for line in self:
            for document in line._get_blocked_lot_documents():
                lines_by_document[document] |= line
        for record, lines in [
            *self.grouped("lot_id").items(),
            *lines_by_document.items(),
        ]:
            record.message_post(
                body=Markup("<p>%s</p><ul>%s</ul>")
                % (
                    header,
                    Markup("").join(
                        Markup("<li>%s</li>")
                        % self.env._(
                            "%(quantity)s %(uom)s of %(product)s lot %(lot)s: %(document)s, "
                            "%(origin)s to %(destination)s",
                            quantity=f"{line.quantity:g}",
                            uom=line.product_uom_id.name,
                            product=line.product_id.display_name,
                            lot=line.lot_id.name,
                            document=line.reference or "",
                            origin=line.location_id.complete_name,
                            destination=line.location_dest_id.complete_name,
                        )
                        for line in lines
                    ),
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _set_fefo_compliance(self):
        """Rate the lots leaving for a customer, before the stock moves.

        The lots are chosen where they are taken out of the warehouse stock: by a
        one-step delivery, or by the first step (the pick) of a multi-step one, the later
        steps moving what it brought. That step is judged when validated: was a lot that
        expires earlier, meets the customer's rule and was available (not reserved) in
        the warehouse stock passed over? A one-step delivery line gets the verdict in
        ``fefo_compliant``; a pick line keeps it in ``fefo_choice`` and the final
        delivery line of the same lot takes it, so that what left the warehouse is rated
        once. A final line whose lot no earlier step judged (a lot swapped at the last
        step) is judged itself.
        """
        lines = self.filtered(
            lambda ml: (
                ml.lot_id.expiration_date
                and ml.quantity
                and ml.product_id.use_expiration_date
                and ml.move_id._get_shelf_life_customer_move()
            )
        )
        finals = lines.filtered(lambda ml: ml.move_id._is_customer_delivery())
        carried = {line: line._get_fefo_choice_lines() for line in finals}
        firsts = (lines - finals).filtered(
            lambda ml: (
                not ml.move_id.move_orig_ids.filtered(lambda m: m.location_id.usage == "internal")
            )
        )
        judged = firsts | finals.filtered(lambda ml: not carried[ml])
        passed_over = judged._get_fefo_passed_over()
        # sudo: the verdicts are refused to every user's own writes (see
        # _check_input_values); validation is the one place that sets them.
        (firsts & passed_over).sudo().fefo_choice = "passed_over"
        (firsts - passed_over).sudo().fefo_choice = "followed"
        for line in finals:
            if carried[line]:
                compliant = set(carried[line].mapped("fefo_choice")) == {"followed"}
            else:
                compliant = line not in passed_over
            line.sudo().fefo_compliant = compliant

    def _get_fefo_choice_lines(self):
        """Lines of the earlier steps of this line's delivery chain that chose its lot
        and were judged (see ``_set_fefo_compliance``)."""
        self.ensure_one()
        choices = self.browse()
        moves = self.move_id.move_orig_ids
        for _depth in range(_MAX_CHAIN_DEPTH):
            if not moves:
                break
            choices |= moves.move_line_ids.filtered(
                lambda ml: ml.lot_id == self.lot_id and ml.fefo_choice
            )
            moves = moves.move_orig_ids
        return choices

    def _get_fefo_passed_over(self):
        """The lines whose lot was taken while a lot that expires earlier, meets the
        customer's rule and was available in the warehouse stock was left. One query per
        product, warehouse stock and customer minimum, not per line."""
        groups = defaultdict(lambda: self.browse())
        requirements = {move: move._get_shelf_life_requirement() for move in self.move_id}
        for line in self:
            rule, min_date = requirements[line.move_id]
            # the lot date the customer's minimum applies to: expiration or best before
            field = rule._get_lot_date_field() if rule else "expiration_date"
            move = line.move_id
            # The whole warehouse stock, not the step's source (the output location of
            # a pick-and-ship), nor the shelf the picker went to.
            warehouse = move.location_id.warehouse_id or move.picking_type_id.warehouse_id
            stock = warehouse.lot_stock_id or move.location_id
            groups[(line.product_id, stock, field, min_date)] |= line
        now = fields.Datetime.now()
        passed_over = self.browse()
        for (product, stock, field, min_date), group in groups.items():
            latest = max(group.lot_id.mapped("expiration_date"))
            domain = self.env["stock.quant"]._get_shippable_domain(product, stock, now) & Domain(
                "expiration_date", "<", latest
            )
            if min_date:
                domain &= Domain(f"lot_id.{field}", ">=", min_date)
            quants = (
                self.env["stock.quant"]
                .sudo()
                .search_fetch(
                    domain, ["lot_id", "expiration_date", "quantity", "reserved_quantity"]
                )
            )
            available = quants.filtered(
                lambda q: q.product_uom_id.compare(q.quantity - q.reserved_quantity, 0) > 0
            )
            passed_over |= group.filtered(
                lambda ml, available=available: available.filtered(
                    lambda q: (
                        q.lot_id != ml.lot_id and q.expiration_date < ml.lot_id.expiration_date
                    )
                )
            )
        return passed_over

    def _is_vendor_receipt(self):
        self.ensure_one()
        return self.picking_code == "incoming" and self.location_id.usage == "supplier"

    def _prepare_batch_register_vals(self):
        """Register values a vendor receipt line gives its lot; only fields the lot does
        not have yet are returned, so a later receipt never overwrites the first."""
        self.ensure_one()
        lot = self.lot_id
        vals = {}
        if not lot.receipt_picking_id:
            vals["receipt_picking_id"] = self.picking_id.id
            vals["receipt_date"] = self.date
        vendor = self.picking_id.partner_id.commercial_partner_id
        if vendor and not lot.supplier_id:
            vals["supplier_id"] = vendor.id
        if self.supplier_lot_name and not lot.supplier_lot_name:
            vals["supplier_lot_name"] = self.supplier_lot_name
        if self.production_date and not lot.production_date:
            vals["production_date"] = self.production_date
        return vals

    def _fill_batch_register(self):
        """Called on lines just validated (their move is not marked done yet)."""
        lines = self.filtered(lambda ml: ml.lot_id and ml._is_vendor_receipt()).sorted("date")
        seen_lots = set()
        for line in lines:
            if line.lot_id.id in seen_lots:
                continue
            seen_lots.add(line.lot_id.id)
            vals = line._prepare_batch_register_vals()
            if vals:
                line.lot_id.write(vals)

    def _get_lot_name_pattern(self):
        """The pattern this line's lot number is generated from: the product's, else its
        category's, else the company's when it turned Generate Lot Numbers on Receipt on.
        False when none applies: the user enters the lot number, as in standard Odoo."""
        self.ensure_one()
        company = self.company_id or self.env.company
        return (
            self.product_id.lot_name_pattern
            or self.product_id.categ_id._get_lot_name_pattern()
            or (company.lot_name_generation and company.lot_name_pattern)
            or False
        )

    def _assign_generated_lot_names(self):
        """Set ``lot_name`` on these receipt lines from their product's pattern; lines
        without a pattern are left as they are (core asks for their lot number).

        Lines of one product in one receipt share one lot when they carry the same
        vendor lot and expiration date; each other vendor lot or expiration date is a
        lot of its own. A name already used for the product, by a lot, by a pending
        receipt line or by another group, takes the next counter value:
        ``{seq:<width>}`` when the pattern has one, else a ``-2``, ``-3``... suffix.
        """
        if not self:
            return
        receipt_day = fields.Date.context_today(self)
        groups = defaultdict(lambda: self.browse())
        for line in self:
            pattern = line._get_lot_name_pattern()
            if not pattern:
                continue
            key = (line.picking_id, line.product_id, line.supplier_lot_name or "", pattern)
            groups[(*key, line.expiration_date)] |= line
        requests = []
        for (picking, product, _supplier_lot, pattern, _expiry), lines in groups.items():
            values = picking._get_lot_name_values(product, receipt_day)
            if not lot_name_pattern.render(self.env, pattern, values):
                raise UserError(
                    self.env._(
                        "The lot number pattern %(pattern)s gives an empty lot number for "
                        "%(product)s on %(picking)s. Set the vendor's lot code or the "
                        "product's internal reference, or change the pattern.",
                        pattern=pattern,
                        product=product.display_name,
                        picking=picking.name,
                    )
                )
            requests.append((lines, product, pattern, values))
        names = self._pick_free_lot_names(requests)
        for (lines, *_rest), name in zip(requests, names, strict=True):
            lines.write({"lot_name": name})

    def _pick_free_lot_names(self, requests):
        """One free name per ``(lines, product, pattern, values)`` request, looking up
        the names in use for all requests at once, a window of counters at a time."""
        names = [None] * len(requests)
        taken = defaultdict(set)
        start = 1
        while None in names:
            window = range(start, start + _COUNTER_LOOKAHEAD)
            candidates = {
                index: [self._lot_name_candidate(pattern, values, counter) for counter in window]
                for index, (_lines, _product, pattern, values) in enumerate(requests)
                if names[index] is None
            }
            in_use = self._lot_names_in_use(
                {requests[index][1].id for index in candidates},
                {name for names_ in candidates.values() for name in names_},
            )
            for index, options in candidates.items():
                product_id = requests[index][1].id
                used = taken[product_id] | in_use[product_id]
                free = next((name for name in options if name not in used), None)
                if free:
                    names[index] = free
                    taken[product_id].add(free)
            start += _COUNTER_LOOKAHEAD
        return names

    def _lot_name_candidate(self, pattern, values, counter):
        if lot_name_pattern.has_counter(self.env, pattern):
            return lot_name_pattern.render(self.env, pattern, values, counter)
        name = lot_name_pattern.render(self.env, pattern, values)
        return name if counter == 1 else f"{name}-{counter}"

    def _lot_names_in_use(self, product_ids, names):
        """Names of ``names`` already used per product id, by a lot of any company or by
        a receipt line not yet validated."""
        in_use = defaultdict(set)
        self.env["stock.lot"].flush_model(["name", "product_id"])
        # The lots of these products first, then their names: asked both at once,
        # PostgreSQL also reads core's trigram index on stock_lot.name, which costs
        # tens of milliseconds on a few thousand lots where the product index alone
        # answers in well under one (benchmarks/gs1_scan.py). Any company's lots count.
        rows = self.env.execute_query(
            SQL(
                "WITH product_lot AS MATERIALIZED ("
                " SELECT product_id, name FROM stock_lot WHERE product_id = ANY(%s))"
                " SELECT product_id, name FROM product_lot WHERE name = ANY(%s)",
                list(product_ids),
                list(names),
            )
        )
        for product_id, name in rows:
            in_use[product_id].add(name)
        pending = self.sudo().search_fetch(
            [
                ("product_id", "in", list(product_ids)),
                ("lot_name", "in", list(names)),
                ("lot_id", "=", False),
                ("state", "not in", ("done", "cancel")),
            ],
            ["lot_name", "product_id"],
        )
        for line in pending:
            in_use[line.product_id.id].add(line.lot_name)
        return in_use
