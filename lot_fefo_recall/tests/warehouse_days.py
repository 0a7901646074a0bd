"""Random warehouse days (issue 19 item 10): a Hypothesis state machine that plays
receipts, sales, one- to three-step deliveries, partial picks and backorders, returns,
blocks, recalls with quarantine and letters, scrap, inventory counts, the write-off cron
and time passing on a real database, and checks every invariant of invariants.py after
every step.

The world (``build_world``) is made once by the test class; each example starts from it:
the machine takes a savepoint when it starts and rolls back to it in ``teardown``.
Rules pick their records by an index into what exists (so that Hypothesis shrinks a
failure to small numbers); an action Odoo refuses (UserError, ValidationError, a wizard
asking the user) is rolled back and changes nothing.
"""

import os
import sys
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form

from . import invariants as inv

START = "2026-06-01 09:00:00"
REFUSED = object()
# Frames between a rule and its count in the statistics.
_HELPERS = {"_count", "_attempt", "_validate", "<lambda>", "finish", "apply"}


def machine_settings(examples=8, steps=12):
    """CI: a fixed, derandomized run; LFR_FUZZ_EXAMPLES / LFR_FUZZ_STEPS make it longer,
    LFR_FUZZ_RANDOM=1 draws new examples each run."""
    return settings(
        max_examples=int(os.environ.get("LFR_FUZZ_EXAMPLES", examples)),
        stateful_step_count=int(os.environ.get("LFR_FUZZ_STEPS", steps)),
        deadline=None,
        derandomize=not os.environ.get("LFR_FUZZ_RANDOM"),
        database=None,
        print_blob=False,
        suppress_health_check=list(HealthCheck),
    )


def build_world(case):
    """Three warehouses (one, two and three delivery steps), dated lot-tracked products
    at standard, FIFO and average cost (lot-valued), customers with a blocking and a
    warning shelf life rule, one without, and one whose letters fail to print."""
    env = case.env
    company = env.company
    company.expiry_writeoff_mode = "report"
    warehouses = env["stock.warehouse"]
    for code, steps in (("FZ1", "ship_only"), ("FZ2", "pick_ship"), ("FZ3", "pick_pack_ship")):
        warehouses |= env["stock.warehouse"].create(
            {"name": f"Fuzz {code}", "code": code, "company_id": company.id}
        )
        warehouses[-1].delivery_steps = steps
    Category = env["product.category"]
    products = env["product.product"]
    for name, method, price in (
        ("Std", "standard", 3.0),
        ("Fifo", "fifo", 2.0),
        ("Avg", "average", 4.0),
    ):
        category = Category.create({"name": f"Fuzz {name}", "property_cost_method": method})
        products |= env["product.product"].create(
            {
                "name": f"Fuzz {name} Cheese",
                "default_code": f"FZ-{name.upper()}",
                "categ_id": category.id,
                "is_storable": True,
                "tracking": "lot",
                "lot_valuated": True,
                "use_expiration_date": True,
                "expiration_time": 120,
                "standard_price": price,
                "list_price": 10.0,
            }
        )
    Partner = env["res.partner"]
    block_customer = Partner.create(
        {"name": "Fuzz Strict Grocer", "is_company": True, "email": "strict@fuzz.example.com"}
    )
    warn_customer = Partner.create(
        {"name": "Fuzz Easy Grocer", "is_company": True, "email": "easy@fuzz.example.com"}
    )
    plain_customer = Partner.create(
        {"name": "Fuzz Corner Shop", "is_company": True, "email": "corner@fuzz.example.com"}
    )
    bad_letter_customer = Partner.create(
        {"name": "Fuzz Broken Mailbox", "is_company": True, "email": "broken@fuzz.example.com"}
    )
    Rule = env["stock.shelf.life.rule"]
    Rule.create({"partner_id": block_customer.id, "min_remaining_days": 40, "strictness": "block"})
    Rule.create({"partner_id": warn_customer.id, "min_remaining_days": 70, "strictness": "warn"})
    world = inv.InvariantWorld(
        env=env,
        company=company,
        products=products,
        warehouses=warehouses,
        rule_partners=block_customer | warn_customer,
        bad_letter_partners=bad_letter_customer,
    )
    world.customers = block_customer | warn_customer | plain_customer | bad_letter_customer
    world.vendor = env["res.partner"].create({"name": "Fuzz Dairy", "is_company": True})
    world.supplier_location = env.ref("stock.stock_location_suppliers")
    world.customer_location = env.ref("stock.stock_location_customers")
    world.transit_location = company.internal_transit_location_id
    return world


class WarehouseDays(RuleBasedStateMachine):
    """Set ``case`` (the running TransactionCase, whose ``world`` build_world made)
    on the class before running it."""

    case = None
    # rule name -> [done, refused, nothing to do]: LFR_FUZZ_STATS=1 prints them
    stats = None

    def __init__(self):
        super().__init__()
        self.env = type(self).case.env
        self.world = type(self).case.world
        self._savepoint = self.env.cr.savepoint()
        self._freezer = freeze_time(START)
        self.clock = self._freezer.start()
        self.internal_only = False
        self.leaks = inv.snapshot_leaks(self.env, self.world)
        self.values = inv.snapshot_values(self.env, self.world)

    def teardown(self):
        self._freezer.stop()
        self._savepoint.close(rollback=True)
        self.env.invalidate_all(flush=False)
        self.env.registry.clear_cache()

    # ------------------------------------------------------------------- helpers

    def _attempt(self, action):
        """Run ``action``; refused (an error or a wizard asking the user), roll it
        back and return REFUSED."""
        savepoint = self.env.cr.savepoint()
        try:
            result = action()
        except (UserError, ValidationError) as error:
            savepoint.close(rollback=True)
            self._count(1, str(error))
            return REFUSED
        if isinstance(result, dict) and result.get("res_model"):
            savepoint.close(rollback=True)
            self._count(1, result["res_model"])
            return REFUSED
        savepoint.close(rollback=False)
        self._count(0)
        return result

    def _count(self, column, why=None):
        if self.stats is None:
            return
        frame = sys._getframe(1)
        while frame.f_code.co_name in _HELPERS:
            frame = frame.f_back
        name = frame.f_code.co_name
        self.stats.setdefault(name, [0, 0, {}])[column] += 1
        if why:
            reasons = self.stats[name][2]
            reasons[why[:90]] = reasons.get(why[:90], 0) + 1

    @staticmethod
    def _pick(records, index):
        return records[index % len(records)] if records else None

    def _warehouse(self, index):
        return self._pick(self.world.warehouses, index)

    def _product(self, index):
        return self._pick(self.world.products, index)

    def _lots(self, **filters):
        domain = [("product_id", "in", self.world.products.ids)]
        domain += [(name, "=", value) for name, value in filters.items()]
        return self.env["stock.lot"].search(domain, order="id")

    def _stock_quants(self, warehouse=None, sellable=True):
        domain = [
            ("product_id", "in", self.world.products.ids),
            ("location_id.usage", "=", "internal"),
            ("quantity", ">", 0),
        ]
        if warehouse:
            domain.append(("location_id", "child_of", warehouse.lot_stock_id.id))
        quants = self.env["stock.quant"].search(domain, order="id")
        return inv._sellable(self.env, quants) if sellable else quants

    def _validate(self, pickings):
        return self._attempt(
            lambda: pickings.with_context(skip_backorder=True, skip_expired=True).button_validate()
        )

    def _handset_transfer(self, lot, quantity, source, dest, picking_type, partner=None):
        """A transfer of ``quantity`` of ``lot`` whose lot a worker typed by hand."""
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": partner.id if partner else False,
                "location_id": source.id,
                "location_dest_id": dest.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": lot.product_id.id,
                            "product_uom_qty": quantity,
                            "location_id": source.id,
                            "location_dest_id": dest.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.move_ids.move_line_ids.unlink()
        self.env["stock.move.line"].create(
            {
                "move_id": picking.move_ids.id,
                "picking_id": picking.id,
                "product_id": lot.product_id.id,
                "lot_id": lot.id,
                "quantity": quantity,
                "location_id": source.id,
                "location_dest_id": dest.id,
                "picked": True,
            }
        )
        return picking

    # --------------------------------------------------------------------- rules

    @initialize(
        warehouse=st.integers(0, 2),
        lots=st.lists(
            st.tuples(st.integers(5, 30), st.integers(10, 150), st.integers(1, 5)),
            min_size=1,
            max_size=3,
        ),
    )
    def opening_stock(self, warehouse, lots):
        """Every day starts with some stock of each product, so that the other rules
        find something to do."""
        for product in range(len(self.world.products)):
            self.receive(warehouse=warehouse, product=product, lots=lots)

    @rule(
        warehouse=st.integers(0, 2),
        product=st.integers(0, 2),
        lots=st.lists(
            st.tuples(st.integers(1, 30), st.integers(10, 150), st.integers(1, 5)),
            min_size=1,
            max_size=3,
        ),
    )
    def receive(self, warehouse, product, lots):
        """A vendor delivers several of its lots in one receipt: (quantity, days to
        expiry); the first lot's price is the receipt's."""
        warehouse = self._warehouse(warehouse)
        product = self._product(product)
        now = fields.Datetime.now()
        location = warehouse.lot_stock_id
        supplier = self.world.supplier_location
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": warehouse.in_type_id.id,
                "partner_id": self.world.vendor.id,
                "location_id": supplier.id,
                "location_dest_id": location.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": sum(lot[0] for lot in lots),
                            "price_unit": lots[0][2],
                            "location_id": supplier.id,
                            "location_dest_id": location.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        move = picking.move_ids
        move.move_line_ids.unlink()
        count = self.env["stock.lot"].search_count([])
        self.env["stock.move.line"].create(
            [
                {
                    "move_id": move.id,
                    "picking_id": picking.id,
                    "product_id": product.id,
                    "location_id": supplier.id,
                    "location_dest_id": location.id,
                    "quantity": quantity,
                    "picked": True,
                    "lot_name": f"FZ{count + index}-{days}",
                    "supplier_lot_name": f"V{count + index}",
                    "expiration_date": now + timedelta(days=days),
                }
                for index, (quantity, days, _price) in enumerate(lots)
            ]
        )
        self._validate(picking)

    @rule(
        warehouse=st.integers(0, 2),
        customer=st.integers(0, 3),
        product=st.integers(0, 2),
        quantity=st.integers(1, 25),
    )
    def sell(self, warehouse, customer, product, quantity):
        """A sale order confirmed: its delivery reserves by FEFO under the customer's
        rule."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self._pick(self.world.customers, customer).id,
                "warehouse_id": self._warehouse(warehouse).id,
                "order_line": [
                    Command.create(
                        {"product_id": self._product(product).id, "product_uom_qty": quantity}
                    )
                ],
            }
        )
        self._attempt(order.action_confirm)

    def _open_steps(self):
        return self.env["stock.picking"].search(
            [
                ("picking_type_id.warehouse_id", "in", self.world.warehouses.ids),
                ("picking_type_code", "in", ("outgoing", "internal")),
                ("state", "in", ("confirmed", "assigned")),
                ("move_ids.product_id", "in", self.world.products.ids),
            ],
            order="id",
        )

    @rule(picking=st.integers(0, 50), share=st.sampled_from([100, 100, 50, 30]))
    def validate_step(self, picking, share):
        """A picker validates a step of a delivery (reserving first if need be), taking
        ``share`` % of what is reserved: the rest goes to a backorder."""
        picking = self._pick(self._open_steps(), picking)
        if not picking:
            return
        if picking.state != "assigned":
            picking.action_assign()
            if picking.state != "assigned":
                return
        lines = picking.move_line_ids.sorted("id")
        wanted = sum(lines.mapped("quantity")) * share // 100
        if share < 100 and wanted:
            for line in lines:
                take = min(line.quantity, wanted)
                wanted -= take
                if take:
                    line.write({"quantity": take, "picked": True})
        self._validate(picking)

    @rule(delivery=st.integers(0, 50), quantity=st.integers(1, 10))
    def customer_returns(self, delivery, quantity):
        """A customer sends back part of a delivery's first lot."""
        deliveries = self.env["stock.picking"].search(
            [
                ("picking_type_id.warehouse_id", "in", self.world.warehouses.ids),
                ("location_dest_id.usage", "=", "customer"),
                ("state", "=", "done"),
            ],
            order="id",
        )
        delivery = self._pick(deliveries, delivery)
        if not delivery:
            return
        line = delivery.move_line_ids.sorted("id")[:1]
        quantity = min(quantity, line.quantity)
        wizard = Form(
            self.env["stock.return.picking"].with_context(
                active_id=delivery.id, active_model="stock.picking"
            )
        ).save()
        wizard.product_return_moves.quantity = 0
        wizard.product_return_moves.filtered(
            lambda r: r.move_id == line.move_id
        ).quantity = quantity
        returned = wizard._create_return()
        move = returned.move_ids.filtered(lambda m: m.product_uom_qty)
        returned.move_ids.move_line_ids.unlink()
        self.env["stock.move.line"].create(
            {
                "move_id": move.id,
                "picking_id": returned.id,
                "product_id": line.product_id.id,
                "lot_id": line.lot_id.id,
                "quantity": quantity,
                "location_id": move.location_id.id,
                "location_dest_id": move.location_dest_id.id,
                "picked": True,
            }
        )
        self._validate(returned)

    @rule(lot=st.integers(0, 50), block=st.booleans())
    def block_or_unblock(self, lot, block):
        """A quality manager blocks a lot (it is taken out of open transfers) or
        releases it."""
        lot = self._pick(self._lots(), lot)
        if lot:
            self._attempt(
                lambda: lot.write({"is_blocked": block, "block_reason": block and "Fuzz hold"})
            )

    @rule(lot=st.integers(0, 50), letters=st.booleans())
    def recall(self, lot, letters):
        """A recall of a lot: traced, quarantined (blocked, its stock moved to each
        warehouse's quarantine), and its customers' letters queued."""
        lot = self._pick(self._lots(), lot)
        if not lot:
            return
        with Form(self.env["stock.recall.wizard"]) as form:
            form.mode = "lots"
            form.lot_ids.add(lot)
            form.reason = "Fuzz: listeria"
        action = form.record.action_create_recall()
        recall = self.env["stock.recall"].browse(action["res_id"])
        recall.action_trace()
        self.internal_only = self._attempt(recall.action_quarantine) is not REFUSED
        if letters:
            self._attempt(recall.action_send_letters)

    @rule()
    def letters_cron(self):
        """The letters cron runs (without committing); the Broken Mailbox customer's
        letters fail to print. It must never stop the other recalls' letters."""
        Report = type(self.env["report.lot_fefo_recall.report_recall_letter"])
        render = Report._render_letters
        bad = self.world.bad_letter_partners

        def failing_render(report, customers):
            if customers.partner_id & bad:
                raise UserError(
                    report.env._("Fuzz: the letter of a broken mailbox does not print")
                )
            return render(report, customers)

        with patch.object(Report, "_render_letters", failing_render):
            try:
                self.env["stock.recall.customer"]._send_queued_letters(commit=False)
            except UserError as error:
                raise AssertionError(
                    f"Invariant (g): one failing letter stopped the letters cron: {error}"
                ) from error
        inv.check_queued_letters_sent(self.env, self.world)

    @rule(quant=st.integers(0, 50), quantity=st.integers(1, 10))
    def scrap(self, quant, quantity):
        """Scrap part of what is free in a location."""
        quant = self._pick(self._stock_quants(sellable=False), quant)
        if not quant:
            return
        quantity = min(quantity, quant.quantity - quant.reserved_quantity)
        if quantity <= 0:
            return
        scrap = self.env["stock.scrap"].create(
            {
                "product_id": quant.product_id.id,
                "lot_id": quant.lot_id.id,
                "location_id": quant.location_id.id,
                "scrap_qty": quantity,
            }
        )
        self._attempt(scrap.action_validate)

    @rule(quant=st.integers(0, 50), counted=st.integers(0, 40))
    def count_inventory(self, quant, counted):
        """An inventory count sets a quant to what was counted (never below what is
        reserved: core then leaves the reservation as it is)."""
        quant = self._pick(self._stock_quants(sellable=False), quant)
        if not quant:
            return
        counted = max(counted, quant.reserved_quantity)

        def apply():
            quant.with_context(inventory_mode=True).inventory_quantity = counted
            return quant.action_apply_inventory()

        self._attempt(apply)

    @rule(mode=st.sampled_from(["scrap", "move", "report"]))
    def write_off_cron(self, mode):
        """The expiry write-off cron's batch, without committing, in one of its modes."""
        self.world.company.expiry_writeoff_mode = mode
        self._attempt(
            lambda: self.env["stock.expiry.writeoff"]._write_off(self.world.company, commit=False)
        )
        self.internal_only = mode == "move"

    @rule(days=st.integers(1, 40))
    def days_pass(self, days):
        self.clock.tick(timedelta(days=days))

    def _blocked_stock(self, index):
        quants = self._stock_quants().filtered(lambda q: q.lot_id.is_blocked)
        return self._pick(quants, index)

    @rule(quant=st.integers(0, 50), quantity=st.integers(1, 5))
    def handset_blocked_delivery(self, quant, quantity):
        """A worker types a blocked lot on a customer delivery by hand: refused."""
        quant = self._blocked_stock(quant)
        if not quant:
            return
        warehouse = quant.location_id.warehouse_id
        picking = self._handset_transfer(
            quant.lot_id,
            min(quantity, quant.quantity),
            quant.location_id,
            self.world.customer_location,
            warehouse.out_type_id,
            self.world.customers[2],
        )
        self._validate(picking)

    @rule(quant=st.integers(0, 50), quantity=st.integers(1, 5))
    def handset_blocked_transit(self, quant, quantity):
        """A worker sends a blocked lot to another warehouse (transit): refused."""
        quant = self._blocked_stock(quant)
        if not quant or not self.world.transit_location:
            return
        warehouse = quant.location_id.warehouse_id
        picking = self._handset_transfer(
            quant.lot_id,
            min(quantity, quant.quantity),
            quant.location_id,
            self.world.transit_location,
            warehouse.int_type_id,
        )
        self._validate(picking)

    # ---------------------------------------------------------------- invariants

    @invariant()
    def hold_invariants(self):
        env, world = self.env, self.world
        env.invalidate_all()
        before = self.leaks
        self.leaks = inv.check_no_blocked_lot_leaves(env, world, before)
        inv.check_deliveries_respect_rules(
            env, world, self.leaks.done_line_ids - before.done_line_ids
        )
        self.values = inv.check_internal_moves_keep_value(
            env, world, self.values, self.internal_only
        )
        self.internal_only = False
        inv.check_state(env, world)
