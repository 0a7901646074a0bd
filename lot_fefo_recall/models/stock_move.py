from odoo import fields, models
from odoo.fields import Domain

# How far down a chain (pick, pack, ship) a move looks for the customer delivery.
_MAX_CHAIN_DEPTH = 4
# Lots named in a shortage explanation.
_MAX_LOTS_NAMED = 3
# cr.cache key of the rules one reservation looked up, per move (_action_assign)
_RULE_CACHE = "lot_fefo_recall.shelf_life_rule_minimum"


class StockMove(models.Model):
    _name = "stock.move"
    _inherit = ["stock.move", "lot_fefo_recall.input.guard"]

    shelf_life_shortage = fields.Text(
        copy=False,
        readonly=True,
        help="Why part of this move is not reserved although stock exists: the lots on hand "
        "do not meet the customer's minimum remaining shelf life.",
    )
    shelf_life_warning_note = fields.Text(
        string="Short-Dated Lots",
        copy=False,
        readonly=True,
        help="Lots reserved for this move that do not meet the customer's shelf life rule, "
        "which only warns: the delivery is flagged and the salesperson told.",
    )
    shelf_life_override_note = fields.Text(
        string="Reserved Under Override",
        copy=False,
        readonly=True,
        help="Lots reserved for this move that do not meet the customer's shelf life rule, "
        "taken under the one-time override a sales manager set on the sale order line.",
    )
    shelf_life_override = fields.Boolean(
        related="sale_line_id.shelf_life_override",
        string="Shelf Life Override",
        help="A sales manager lifted the customer's shelf life rule for this sale order "
        "line, once: its deliveries reserve and ship lots whatever the rule asks.",
    )
    shelf_life_override_reason = fields.Text(
        related="sale_line_id.shelf_life_override_reason",
        string="Override Reason",
        help="Why the sales manager lifted the customer's shelf life rule for this line.",
    )

    def _update_reserved_quantity(
        self, need, location_id, lot_id=None, package_id=None, owner_id=None, strict=True
    ):
        """The move that chooses lots for a customer takes only lots meeting the
        customer's blocking shelf life rule. Chained steps reserve what the previous step
        brought without coming here; blocked lots are left out for every move by
        stock.quant._get_reserve_quantity."""
        rule, min_date = self._get_shelf_life_reservation_filter()
        if not min_date:
            return super()._update_reserved_quantity(
                need, location_id, lot_id, package_id, owner_id, strict
            )
        return super(
            StockMove,
            self.with_context(
                lot_fefo_min_date=min_date, lot_fefo_min_date_field=rule._get_lot_date_field()
            ),
        )._update_reserved_quantity(need, location_id, lot_id, package_id, owner_id, strict)

    def _action_assign(self, force_qty=False):
        # One reservation looks a move's rule up once: the lot filter (once per location
        # core gathers from), the shortage note and the reserved-lot notes share it.
        cache = self.env.cr.cache
        outermost = _RULE_CACHE not in cache
        if outermost:
            cache[_RULE_CACHE] = {}
        try:
            res = super()._action_assign(force_qty=force_qty)
            self._update_shelf_life_shortage()
            self._update_shelf_life_reserved_notes()
        finally:
            if outermost:
                cache.pop(_RULE_CACHE, None)
        return res

    def _action_done(self, cancel_backorder=False):
        breaches = self._get_shelf_life_override_breaches()
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        done = [breach for breach in breaches if breach["line"].exists().state == "done"]
        self._post_shelf_life_override_on_lots(done)
        return moves

    def _is_customer_delivery(self):
        self.ensure_one()
        return (
            self.picking_type_id.code == "outgoing" and self.location_dest_id.usage == "customer"
        )

    def _get_shelf_life_customer_move(self):
        """The move whose customer and date the shelf life rule is about: this move when
        it delivers to a customer or is the first step of a delivery (its final location
        is the customer's, as a pick of pick-and-ship), else the customer delivery it
        feeds. Empty for receipts, internal transfers and manufacturing."""
        self.ensure_one()
        move = self
        for _depth in range(_MAX_CHAIN_DEPTH):
            if move._is_customer_delivery() or move.location_final_id.usage == "customer":
                return move
            move = move.move_dest_ids[:1]
            if not move:
                break
        return self.browse()

    def _get_shelf_life_final_move(self):
        """The last step, to the customer, of the delivery this move is part of: this
        move, or the one it feeds down a pick, pack, ship chain. Empty when none."""
        self.ensure_one()
        move = self
        for _depth in range(_MAX_CHAIN_DEPTH):
            if move._is_customer_delivery():
                return move
            move = move.move_dest_ids[:1]
            if not move:
                break
        return self.browse()

    def _get_shelf_life_sale_line(self):
        """The sale order line this move delivers: its own, else the one of the delivery
        it feeds down a chain."""
        self.ensure_one()
        move = self
        for _depth in range(_MAX_CHAIN_DEPTH):
            if move.sale_line_id:
                return move.sale_line_id
            move = move.move_dest_ids[:1]
            if not move:
                break
        return self.env["sale.order.line"]

    def _get_shelf_life_rule_minimum(self):
        """``(rule, earliest value the rule's lot date may have)`` of the customer's rule
        for this move, whatever its strictness or an override; an empty rule and None
        when no rule applies. The rule counts from the shipping date, or from the sale
        order's requested delivery date (commitment date) when it says so."""
        self.ensure_one()
        cache = self.env.cr.cache.get(_RULE_CACHE)
        if cache is None:
            return self._lookup_shelf_life_rule_minimum()
        if self.id not in cache:
            cache[self.id] = self._lookup_shelf_life_rule_minimum()
        rule, min_date = cache[self.id]
        return rule.with_env(self.env), min_date

    def _lookup_shelf_life_rule_minimum(self):
        rule = self.env["stock.shelf.life.rule"]
        if not self.product_id.use_expiration_date:
            return rule, None
        delivery = self._get_shelf_life_customer_move()
        partner = delivery.partner_id or delivery.picking_id.partner_id
        if not delivery or not partner:
            return rule, None
        rule = rule._get_rule(partner, self.product_id, self.company_id)
        if not rule:
            return rule, None
        order = self._get_shelf_life_sale_line().order_id
        return rule, rule._get_min_date(
            self.product_id,
            delivery.date,
            delivery.picking_type_id.warehouse_id,
            requested_date=order.commitment_date or None,
        )

    def _get_shelf_life_requirement(self):
        """``(rule, earliest value the rule's lot date may have)`` this move must honour
        (the date is of ``rule._get_lot_date_field()``), or an empty rule and None when
        no customer rule applies or a sales manager lifted it on the sale order line."""
        self.ensure_one()
        if self._get_shelf_life_sale_line().shelf_life_override:
            return self.env["stock.shelf.life.rule"], None
        return self._get_shelf_life_rule_minimum()

    def _get_shelf_life_reservation_filter(self):
        """``(rule, minimum)`` the reservation filters lots on: a blocking rule only; a
        rule that warns lets the move reserve as if there were none."""
        rule, min_date = self._get_shelf_life_requirement()
        if not rule or rule.strictness != "block":
            return self.env["stock.shelf.life.rule"], None
        return rule, min_date

    def _get_shelf_life_short_lots(self, rule, min_date):
        """Lots of this move's reserved lines whose rule date is before ``min_date``."""
        self.ensure_one()
        field = rule._get_lot_date_field()
        return self.move_line_ids.lot_id.filtered(
            lambda lot: lot[field] and lot[field] < min_date
        ).sorted(lambda lot: (lot[field], lot.id))

    def _get_shelf_life_free_lots_before(self, field, min_date):
        """Lots with free stock this move could take but whose date ``field``
        (expiration_date or use_date) is before ``min_date``, earliest first: what a
        shortage note names."""
        self.ensure_one()
        quant_field = "lot_id.use_date" if field == "use_date" else "expiration_date"
        domain = self.env["stock.quant"]._get_shippable_domain(
            self.product_id, self.location_id, self.date
        ) & Domain(quant_field, "<", min_date)
        quants = (
            self.env["stock.quant"]
            .sudo()
            .search_fetch(
                domain,
                ["lot_id", "expiration_date", "quantity", "reserved_quantity"],
                order="expiration_date, id",
            )
        )
        quants = quants.filtered(lambda q: q.product_uom_id.compare(q.available_quantity, 0) > 0)
        return quants.lot_id.sorted(lambda lot: (lot[field], lot.id))

    def _describe_shelf_life_lots(self, rule, lots, field=None):
        """'lot L20 (expires 2026-06-21), lot L45 (...)', the lot date ``field`` (by
        default the one the rule measures), as a day where the warehouse is; a few lots
        named, the rest counted."""
        self.ensure_one()
        field = field or rule._get_lot_date_field()
        warehouse = self.picking_type_id.warehouse_id
        names = []
        for lot in lots[:_MAX_LOTS_NAMED]:
            day = fields.Date.to_string(rule._get_local_day(lot[field], warehouse))
            names.append(
                self.env._("lot %(lot)s (best before %(date)s)", lot=lot.name, date=day)
                if field == "use_date"
                else self.env._("lot %(lot)s (expires %(date)s)", lot=lot.name, date=day)
            )
        described = ", ".join(names)
        if len(lots) > _MAX_LOTS_NAMED:
            described = self.env._(
                "%(lots)s and %(count)s more lots",
                lots=described,
                count=len(lots) - _MAX_LOTS_NAMED,
            )
        return described

    def _get_shelf_life_customer(self):
        self.ensure_one()
        delivery = self._get_shelf_life_customer_move()
        return (delivery.partner_id or self.picking_id.partner_id).commercial_partner_id

    def _update_shelf_life_shortage(self):
        """Explain, on the move and in the transfer's chatter, a reservation left short
        because the stock on hand does not meet the customer's rule."""
        moves = self.filtered(
            lambda m: (
                m.state in ("confirmed", "partially_available", "assigned")
                and m.product_id.use_expiration_date
                and m.picking_type_id.code == "outgoing"
            )
        )
        for move in moves:
            note = move._get_shelf_life_shortage_note() or False
            if note == (move.shelf_life_shortage or False):
                continue
            move.shelf_life_shortage = note
            if note and move.picking_id:
                move.picking_id.message_post(body=note, subtype_xmlid="mail.mt_note")

    def _get_shelf_life_shortage_note(self):
        self.ensure_one()
        missing = self.product_uom_qty - self.quantity
        if self.product_uom.compare(missing, 0) <= 0:
            return None
        rule, min_date = self._get_shelf_life_reservation_filter()
        if not rule:
            return None
        lots = self._get_shelf_life_free_lots_before(rule._get_lot_date_field(), min_date)
        if not lots:
            return None
        note = self.env._(
            "%(quantity)s %(uom)s of %(product)s not reserved: %(lots)s does not meet "
            "%(customer)s's %(minimum)s.",
            quantity=f"{missing:g}",
            uom=self.product_uom.name,
            product=self.product_id.display_name,
            lots=self._describe_shelf_life_lots(rule, lots),
            customer=self._get_shelf_life_customer().name,
            minimum=rule._describe_minimum(self.product_id),
        )
        return f"{note} {rule._explain()}"

    def _update_shelf_life_reserved_notes(self):
        """After a reservation, say which reserved lots do not meet the customer's rule
        although the move took them: a rule that only warns flags the delivery and gives
        the salesperson an activity; a sales manager's override is said in the
        transfer's chatter. A step waiting for the previous one keeps what that step
        said of its lots."""
        moves = self.filtered(
            lambda m: (
                m.state not in ("draft", "done", "cancel")
                and m.product_id.use_expiration_date
                and (m.move_line_ids or not m.move_orig_ids)
                and m._get_shelf_life_customer_move()
            )
        )
        flagged = self.env["stock.picking"]
        for move in moves:
            warning, override = move._get_shelf_life_reserved_notes()
            if (override or False) != (move.shelf_life_override_note or False):
                move.shelf_life_override_note = override
                if override and move.picking_id:
                    move.picking_id.message_post(body=override, subtype_xmlid="mail.mt_note")
            # The delivery to the customer is flagged from the step that chose the lots.
            final = move._get_shelf_life_final_move() or move
            targets = move | (final if not final.move_line_ids else final.browse())
            changed = False
            for target in targets:
                if (warning or False) != (target.shelf_life_warning_note or False):
                    target.shelf_life_warning_note = warning
                    changed = True
            if changed and warning:
                flagged |= final.picking_id if final.shelf_life_warning_note else move.picking_id
        # One activity, on the delivery to the customer.
        flagged._schedule_shelf_life_warning_activity()

    def _get_shelf_life_reserved_notes(self):
        """``(warning, override note)`` on the lots reserved for this move that do not
        meet the customer's rule; each None when there is nothing to say."""
        self.ensure_one()
        rule, min_date = self._get_shelf_life_rule_minimum()
        if not rule:
            return None, None
        lots = self._get_shelf_life_short_lots(rule, min_date)
        if not lots:
            return None, None
        values = {
            "product": self.product_id.display_name,
            "lots": self._describe_shelf_life_lots(rule, lots),
            "customer": self._get_shelf_life_customer().name,
            "minimum": rule._describe_minimum(self.product_id),
        }
        sale_line = self._get_shelf_life_sale_line()
        if sale_line.shelf_life_override:
            return None, self.env._(
                "%(product)s: %(lots)s reserved under the one-time override of "
                "%(customer)s's %(minimum)s, approved on %(order)s by %(manager)s: "
                "%(reason)s",
                order=sale_line.order_id.name,
                manager=sale_line.shelf_life_override_user_id.name or "",
                reason=sale_line.shelf_life_override_reason or "",
                **values,
            )
        if rule.strictness != "warn":
            return None, None
        note = self.env._(
            "%(product)s: %(lots)s does not meet %(customer)s's %(minimum)s; reserved all "
            "the same, as the rule only warns.",
            **values,
        )
        return f"{note} {rule._explain()}", None

    def _get_shelf_life_override_breaches(self):
        """Lines about to ship to a customer, under a sales manager's override, a lot
        that does not meet the customer's rule: list of dicts (line, rule, sale line)."""
        breaches = []
        for move in self.filtered(
            lambda m: (
                m.state not in ("done", "cancel")
                and m.product_id.use_expiration_date
                and m._is_customer_delivery()
            )
        ):
            sale_line = move._get_shelf_life_sale_line()
            if not sale_line.shelf_life_override:
                continue
            rule, min_date = move._get_shelf_life_rule_minimum()
            if not rule:
                continue
            short = move._get_shelf_life_short_lots(rule, min_date)
            breaches.extend(
                {"line": line, "rule": rule, "sale_line": sale_line}
                for line in move.move_line_ids
                if line.lot_id in short and line.quantity
            )
        return breaches

    def _post_shelf_life_override_on_lots(self, breaches):
        """Keep in the lot's history that it shipped short-dated under an override."""
        for breach in breaches:
            line, rule, sale_line = breach["line"], breach["rule"], breach["sale_line"]
            body = self.env._(
                "Shipped to %(customer)s on %(picking)s (%(quantity)s %(uom)s) although it "
                "does not meet the shelf life rule %(rule)s (%(minimum)s): one-time "
                "override on %(order)s, approved by %(manager)s. Reason: %(reason)s",
                customer=line.move_id._get_shelf_life_customer().name,
                picking=line.picking_id.name,
                quantity=f"{line.quantity:g}",
                uom=line.product_uom_id.name,
                rule=rule.display_name,
                minimum=rule._describe_minimum(line.product_id),
                order=sale_line.order_id.name,
                manager=sale_line.shelf_life_override_user_id.name or "",
                reason=sale_line.shelf_life_override_reason or "",
            )
            # sudo: whoever ships may not post on lots; the note is the add-on's record
            line.lot_id.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
