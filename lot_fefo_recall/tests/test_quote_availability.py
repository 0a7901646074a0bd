from ast import literal_eval
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .common import FEFO_STORY_EXPIRY, LotFefoRecallCase

TODAY = "2026-06-01 10:00:00"


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestQuoteAvailability(LotFefoRecallCase):
    """While quoting, each line shows the free stock of its warehouse that meets the
    customer's shelf life rule, its earliest and latest lot date, and warns when the
    line asks for more; the same figure per product for reports."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["stock.shelf.life.rule"].with_context(active_test=False).search([]).unlink()
        # Big Box's 60-day rule; L45, L90, L200 (10 each) in the first warehouse.
        cls.rule, cls.lots = cls._stock_fefo_story()
        cls.warehouse_2 = cls.env["stock.warehouse"].create(
            {"name": "Lot FEFO Second Warehouse", "code": "LF2", "company_id": cls.company.id}
        )
        with freeze_time(TODAY):
            cls.lots["W2-L30"] = cls._put_in_stock(
                cls.product, 8, "W2-L30", "2026-07-01 10:00:00", cls.warehouse_2.lot_stock_id
            )
            cls.lots["W2-L100"] = cls._put_in_stock(
                cls.product, 7, "W2-L100", "2026-09-09 10:00:00", cls.warehouse_2.lot_stock_id
            )
        cls.no_rule_customer = cls.env["res.partner"].create(
            {"name": "Corner Shop", "is_company": True}
        )

    def _quote(self, lines, partner=None, warehouse=None, **values):
        """A quotation from ``warehouse`` (ours by default) of ``lines``: ``(product,
        quantity)`` or ``(product, quantity, unit)``."""
        order_lines = []
        for product, quantity, *uom in lines:
            vals = {"product_id": product.id, "product_uom_qty": quantity}
            if uom:
                vals["product_uom_id"] = uom[0].id
            order_lines.append(Command.create(vals))
        return self.env["sale.order"].create(
            dict(
                {
                    "partner_id": (partner or self.customer).id,
                    "warehouse_id": (warehouse or self.warehouse).id,
                    "order_line": order_lines,
                },
                **values,
            )
        )

    @staticmethod
    def _figures(line):
        return (
            line.shelf_life_acceptable_qty,
            line.shelf_life_earliest_expiry,
            line.shelf_life_latest_expiry,
            line.shelf_life_short,
        )

    def test_figures_per_warehouse(self):
        """60 days from 2026-06-01: lots expiring on 2026-07-31 or later, so L90 and
        L200 in the first warehouse, W2-L100 only in the second."""
        salesman = new_test_user(
            self.env, login="lfr_quote_salesman", groups="sales_team.group_sale_salesman"
        )
        line = self._quote([(self.product, 5)], user_id=salesman.id).order_line
        self.assertEqual(line.shelf_life_rule_id, self.rule)
        self.assertEqual(
            self._figures(line),
            (20, self._dt(FEFO_STORY_EXPIRY["L90"]), self._dt(FEFO_STORY_EXPIRY["L200"]), False),
        )
        self.assertEqual(
            line.shelf_life_why,
            "60-day minimum: lots expiring on 2026-07-31 or later. Rule for the customer Big "
            "Box Retail: no rule for the delivery address; it comes before customer tag, "
            "country and default rules, for every product.",
        )
        # the salesperson of the quotation sees the same (no stock rights needed)
        as_salesman = line.with_user(salesman)
        as_salesman.invalidate_recordset()
        self.assertEqual(as_salesman.shelf_life_acceptable_qty, 20)
        self.assertEqual(as_salesman.shelf_life_rule_id, self.rule)
        line_2 = self._quote([(self.product, 9)], warehouse=self.warehouse_2).order_line
        self.assertEqual(
            self._figures(line_2),
            (7, self._dt("2026-09-09 10:00:00"), self._dt("2026-09-09 10:00:00"), True),
        )

    def test_exclusions(self):
        """Blocked lots, reserved quantities, set-aside stock, stock past its removal
        date and lots short of the minimum are not acceptable; a fully reserved lot no
        longer sets the earliest date."""
        order = self._quote([(self.product, 5)])
        Quant = self.env["stock.quant"]
        self.lots["L90"].write({"is_blocked": True, "block_reason": "Lab check"})
        Quant._update_reserved_quantity(
            self.product, self.stock_location, 4, lot_id=self.lots["L200"]
        )
        hold = self.env["stock.location"].create(
            {"name": "Hold", "location_id": self.stock_location.id, "is_set_aside": True}
        )
        self._put_in_stock(self.product, 6, "HELD", "2027-01-01 10:00:00", location=hold)
        self._put_in_stock(
            self.product,
            5,
            "QUARANTINED",
            "2027-01-01 10:00:00",
            location=self.warehouse._get_quarantine_location(),
        )
        self._put_in_stock(
            self.product, 3, "TO-REMOVE", "2027-01-01 10:00:00"
        ).removal_date = "2026-05-30 10:00:00"
        order.order_line.invalidate_recordset()
        self.assertEqual(
            self._figures(order.order_line),
            (6, self._dt(FEFO_STORY_EXPIRY["L200"]), self._dt(FEFO_STORY_EXPIRY["L200"]), False),
        )
        # the whole of L200 reserved: nothing acceptable left, no dates
        Quant._update_reserved_quantity(
            self.product, self.stock_location, 6, lot_id=self.lots["L200"]
        )
        order.order_line.invalidate_recordset()
        self.assertEqual(self._figures(order.order_line), (0, False, False, True))
        # a lot without date is acceptable, as at reservation
        self._put_in_stock(self.product, 2, "UNDATED", False)
        order.order_line.invalidate_recordset()
        self.assertEqual(order.order_line.shelf_life_acceptable_qty, 2)

    def test_line_unit_of_measure(self):
        """20 units meet the rule: 1.66 dozen (rounded down: never promise more than
        there is); 2 dozen are short, 1.5 dozen are not."""
        dozen = self.env.ref("uom.product_uom_dozen")
        order = self._quote([(self.product, 2, dozen)])
        self.assertEqual(order.order_line.shelf_life_acceptable_qty, 1.66)
        self.assertTrue(order.order_line.shelf_life_short)
        order.order_line.product_uom_qty = 1.5
        self.assertFalse(order.order_line.shelf_life_short)

    def test_lines_above_come_first(self):
        """As Odoo's forecast: a line gets what the lines above it for the same product
        leave; the warning at confirmation sums them."""
        order = self._quote([(self.product, 15), (self.product, 8)])
        first, second = order.order_line
        self.assertEqual(self._figures(first)[::3], (20, False))
        self.assertEqual(self._figures(second)[::3], (5, True))
        result = order.action_confirm()
        self.assertIn(
            "Only 20 Units of [JAM] Strawberry Jam meet Big Box Retail's 60-day minimum "
            "(23 ordered)",
            result["params"]["message"],
        )
        self.assertEqual(self._figures(first), (0, False, False, False), "quotations only")

    def test_requested_date_and_best_before(self):
        """A rule measured against the best before date, counted from the requested
        delivery date plus transit: the lot date and the minimum follow it."""
        self.lots["L90"].use_date = "2026-08-20 10:00:00"
        self.lots["L200"].use_date = "2026-11-18 10:00:00"
        self.rule.date_basis = "use"
        # from the shipping date: best before 2026-07-31 or later
        order = self._quote([(self.product, 5)], commitment_date="2026-06-20 08:00:00")
        line = order.order_line
        self.assertEqual(
            self._figures(line),
            (20, self._dt("2026-08-20 10:00:00"), self._dt("2026-11-18 10:00:00"), False),
        )
        # requested on 2026-06-20 + 10 days transit + 60 days: 2026-08-29 or later
        self.rule.write({"reference": "requested", "transit_days": 10})
        line.invalidate_recordset()
        self.assertEqual(
            self._figures(line),
            (10, self._dt("2026-11-18 10:00:00"), self._dt("2026-11-18 10:00:00"), False),
        )
        self.assertIn("lots best before 2026-08-29 or later", line.shelf_life_why)

    def test_warning_while_quoting(self):
        with Form(self.env["sale.order"]) as form:
            form.partner_id = self.customer
            form.warehouse_id = self.warehouse
            with form.order_line.new() as row:
                row.product_id = self.product
                with self.assertLogs("odoo.tests.form.onchange", "WARNING") as logs:
                    row.product_uom_qty = 25
                self.assertEqual(row.shelf_life_acceptable_qty, 20)
                self.assertTrue(row.shelf_life_short)
        self.assertEqual(len(logs.output), 1)
        self.assertIn("Short-dated stock Only 20 Units of [JAM] Strawberry Jam", logs.output[0])
        self.assertIn("(25 ordered)", logs.output[0])
        self.assertIn("60-day minimum: lots expiring on 2026-07-31 or later.", logs.output[0])
        # enough: no warning
        with Form(form.record) as form, form.order_line.edit(0) as row:
            with self.assertNoLogs("odoo.tests.form.onchange", "WARNING"):
                row.product_uom_qty = 12
            self.assertFalse(row.shelf_life_short)

    def test_no_rule_no_figures(self):
        order = self._quote(
            [(self.product, 5), (self.product_undated, 5)], partner=self.no_rule_customer
        )
        dated, undated = order.order_line
        for line in (dated, undated):
            self.assertFalse(line.shelf_life_rule_id)
            self.assertEqual(self._figures(line), (0, False, False, False))
            self.assertFalse(line.shelf_life_why)
        # a product without expiration dates under a rule for every product
        undated = self._quote([(self.product_undated, 5)]).order_line
        self.assertFalse(undated.shelf_life_rule_id)

    def test_product_figure_for_reports(self):
        """product.product.shelf_life_acceptable_qty by customer and warehouse in the
        context, searchable."""
        product = self.product.with_context(
            shelf_life_partner_id=self.customer.id, warehouse_id=self.warehouse.id
        )
        self.assertEqual(product.shelf_life_acceptable_qty, 20)
        self.assertEqual(
            product.with_context(warehouse_id=self.warehouse_2.id).shelf_life_acceptable_qty, 7
        )
        self.assertEqual(product.with_context(warehouse_id=False).shelf_life_acceptable_qty, 27)
        # no rule: every free, shippable lot
        no_rule = product.with_context(shelf_life_partner_id=self.no_rule_customer.id)
        self.assertEqual(no_rule.shelf_life_acceptable_qty, 30)
        self.assertEqual(
            self.product_undated.with_context(warehouse_id=False).shelf_life_acceptable_qty, 0
        )
        Product = product.env["product.product"]
        self.assertIn(self.product, Product.search([("shelf_life_acceptable_qty", ">", 19)]))
        self.assertNotIn(self.product, Product.search([("shelf_life_acceptable_qty", ">", 20)]))
        self.assertIn(
            self.product,
            Product.with_context(warehouse_id=self.warehouse_2.id).search(
                [("shelf_life_acceptable_qty", "=", 7)]
            ),
        )

    def test_report_wizard(self):
        wizard = (
            self.env["stock.acceptable.stock.wizard"]
            .with_user(self.stock_user)
            .create({"partner_id": self.customer.id, "warehouse_id": self.warehouse_2.id})
        )
        action = wizard.action_open_products()
        self.assertEqual(action["res_model"], "product.product")
        self.assertEqual(action["name"], "Stock Acceptable to Big Box Retail")
        products = (
            self.env["product.product"]
            .with_user(self.stock_user)
            .with_context(**action["context"])
            .search([*literal_eval(action["domain"]), ("shelf_life_acceptable_qty", ">", 0)])
        )
        self.assertIn(self.product, products)
        self.assertEqual(
            products.filtered(lambda p: p == self.product).shelf_life_acceptable_qty, 7
        )

    def test_report_wizard_needs_customer(self):
        Wizard = self.env["stock.acceptable.stock.wizard"].with_user(self.stock_user)
        count = Wizard.search_count([])
        with self.assertRefused(ValidationError, "Customer"):
            Wizard.create({"warehouse_id": self.warehouse.id, "partner_id": False})
        self.assertEqual(Wizard.search_count([]), count)

    def test_query_count_constant(self):
        """Computing the figures of a 20-line quotation takes as many queries as of a
        one-line one, and as many with 10 times the lots."""
        products = self.env["product.product"].create(
            [
                {
                    "name": f"Jam {index}",
                    "is_storable": True,
                    "tracking": "lot",
                    "use_expiration_date": True,
                    "expiration_time": 180,
                }
                for index in range(20)
            ]
        )

        def add_lots(count):
            lots = self.env["stock.lot"].create(
                [
                    {
                        "name": f"{product.name}-{count}-{index}",
                        "product_id": product.id,
                        "expiration_date": datetime(2026, 7, 1)
                        + timedelta(days=(index * 7) % 120),
                    }
                    for product in products
                    for index in range(count)
                ]
            )
            self.env["stock.quant"].create(
                [
                    {
                        "product_id": lot.product_id.id,
                        "location_id": self.stock_location.id,
                        "lot_id": lot.id,
                        "quantity": 3,
                    }
                    for lot in lots
                ]
            )

        def queries(order):
            self.env.flush_all()
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            order.order_line.mapped("shelf_life_acceptable_qty")
            return self.env.cr.sql_log_count - start

        add_lots(5)
        one = self._quote([(products[0], 1)])
        twenty = self._quote([(product, 1) for product in products])
        self.assertEqual(len(twenty.order_line.filtered("shelf_life_rule_id")), 20)
        count = queries(one)
        self.assertEqual(queries(twenty), count)
        add_lots(50)
        self.assertEqual(queries(twenty), count)
        # 60 days from 2026-06-01: lots expiring on 2026-07-31 or later
        acceptable = self.env["stock.quant"].search(
            [
                ("product_id", "=", products[0].id),
                ("expiration_date", ">=", datetime(2026, 7, 31)),
            ]
        )
        self.assertEqual(len(acceptable), 37)
        self.assertEqual(twenty.order_line[0].shelf_life_acceptable_qty, 3 * 37)


@tagged("post_install", "-at_install")
class TestQuoteAvailabilityTour(HttpCase):
    """A salesperson adds a product to a quotation for a customer with a rule and sees
    the acceptable quantity next to Odoo's forecast."""

    def test_quote_availability_tour(self):
        env = self.env
        warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
        customer = env["res.partner"].create({"name": "Tour Retailer", "is_company": True})
        product = env["product.product"].create(
            {
                "name": "Tour Marmalade",
                "is_storable": True,
                "tracking": "lot",
                "use_expiration_date": True,
                "expiration_time": 365,
            }
        )
        env["stock.shelf.life.rule"].create({"partner_id": customer.id, "min_remaining_days": 60})
        now = datetime.now().replace(microsecond=0)
        for name, days, quantity in (("TOUR-SHORT", 30, 5), ("TOUR-FRESH", 200, 13)):
            lot = env["stock.lot"].create(
                {
                    "name": name,
                    "product_id": product.id,
                    "expiration_date": now + timedelta(days=days),
                }
            )
            env["stock.quant"]._update_available_quantity(
                product, warehouse.lot_stock_id, quantity, lot_id=lot
            )
        order = env["sale.order"].create({"partner_id": customer.id, "warehouse_id": warehouse.id})
        self.start_tour(
            f"/odoo/sales/{order.id}",
            "lot_fefo_recall_quote_availability",
            login="admin",
            timeout=120,
        )
        self.assertEqual(order.order_line.product_id, product)
        self.assertEqual(order.order_line.product_uom_qty, 20)
        self.assertEqual(order.order_line.shelf_life_acceptable_qty, 13)
