from collections import defaultdict

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
        self._set_fefo_compliance()
        res = super()._action_done()
        self.exists()._fill_batch_register()
        return res

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
        self.ensure_one()
        return (
            self.product_id.categ_id._get_lot_name_pattern()
            or self.company_id.lot_name_pattern
            or self.env.company.lot_name_pattern
        )

    def _assign_generated_lot_names(self):
        """Set ``lot_name`` on these receipt lines from their product's pattern.

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
            key = (line.picking_id, line.product_id, line.supplier_lot_name or "")
            groups[(*key, line.expiration_date)] |= line
        requests = []
        for (picking, product, *_batch), lines in groups.items():
            pattern = lines[0]._get_lot_name_pattern()
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
