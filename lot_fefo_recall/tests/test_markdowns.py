from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import LotFefoRecallCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 10:00:00")
class TestMarkdowns(LotFefoRecallCase):
    """Jam lots with 10, 25 and 60 days left; steps 30 % at 30 days, 50 % at 15, 70 % at 7
    (the add-on's defaults for the main company, set here for ours), window 30 days."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Step = cls.env["stock.markdown.step"]
        Step.search([("company_id", "=", cls.company.id)]).unlink()
        Step.create(
            [
                {"company_id": cls.company.id, "days_left": days, "discount": discount}
                for days, discount in ((30, 30), (15, 50), (7, 70))
            ]
        )
        cls.company.expiry_discount_days = 30
        cls.lot_10 = cls._put_in_stock(cls.product, 10, "M10", "2026-06-11 10:00:00")
        cls.lot_25 = cls._put_in_stock(cls.product, 10, "M25", "2026-06-26 10:00:00")
        cls.lot_60 = cls._put_in_stock(cls.product, 10, "M60", "2026-07-31 10:00:00")
        cls.product.list_price = 10.0
        cls.pricelist = cls.env["product.pricelist"].create(
            {"name": "Shops", "company_id": cls.company.id}
        )
        cls.manager = cls.env.ref("base.user_admin")

    def _review(self, lots):
        return self.env["stock.expiry.report"].search([("lot_id", "in", lots.ids)])

    def _wizard(self, lots, **vals):
        rows = self._review(lots)
        form = Form(
            self.env["stock.markdown.wizard"].with_context(
                active_model="stock.expiry.report", active_ids=rows.ids
            )
        )
        form.pricelist_id = self.pricelist
        for name, value in vals.items():
            setattr(form, name, value)
        return form.save()

    def _counts(self):
        return (
            self.env["product.pricelist.item"].search_count([]),
            self.env["stock.lot.markdown"].search_count([]),
        )

    def test_expiry_review_suggests_the_tightest_step(self):
        rows = self._review(self.lot_10 | self.lot_25 | self.lot_60)
        self.assertEqual(
            {row.lot_id.name: row.markdown_discount for row in rows},
            {"M10": 50.0, "M25": 30.0, "M60": 0.0},
        )
        suggested = self.env["stock.expiry.report"].search(
            [("markdown_discount", ">", 0), ("product_id", "=", self.product.id)]
        )
        self.assertEqual(
            suggested.lot_id, self.lot_10 | self.lot_25, 'the "Markdown Suggested" filter'
        )
        self.company.expiry_discount_days = 20
        rows.invalidate_recordset()
        self.assertEqual(self._review(self.lot_25).markdown_discount, 0, "outside the window")

    def test_mark_down_sell_and_measure(self):
        wizard = self._wizard(self.lot_10)
        self.assertEqual(wizard.line_ids.discount, 50.0)
        markdown = self.env["stock.lot.markdown"].search(wizard.action_confirm()["domain"])
        item = markdown.pricelist_item_id
        self.assertRecordValues(
            item,
            [
                {
                    "pricelist_id": self.pricelist.id,
                    "product_id": self.product.id,
                    "compute_price": "percentage",
                    "percent_price": 50.0,
                    "date_start": self._dt("2026-06-01 10:00:00"),
                    "date_end": self._dt("2026-06-11 10:00:00"),
                }
            ],
        )
        self.assertEqual(markdown.lot_ids, self.lot_10)
        self.assertIn("M10", markdown.note)
        self.assertEqual(markdown.quantity, 10)
        self.assertIn("Marked down 50 %", self.lot_10.message_ids[0].body)

        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "pricelist_id": self.pricelist.id,
                "warehouse_id": self.warehouse.id,
                "order_line": [
                    Command.create({"product_id": self.product.id, "product_uom_qty": 4})
                ],
            }
        )
        self.assertEqual(order.order_line.price_reduce_taxexcl, 5.0, "half price")
        order.action_confirm()
        delivery = order.picking_ids
        self.assertEqual(
            delivery.move_line_ids.lot_id, self.lot_10, "FEFO ships the marked-down lot"
        )
        delivery.button_validate()
        self.assertEqual(delivery.state, "done")
        markdown.action_refresh_results()
        self.assertEqual(markdown.sold_qty, 4)
        self.assertAlmostEqual(markdown.recovered_value, 20.0)
        self.assertEqual(markdown.written_off_value, 0)
        # pivot: recovered vs written off
        (group,) = self.env["stock.lot.markdown"].read_group(
            [("id", "=", markdown.id)], ["recovered_value:sum", "written_off_value:sum"], []
        )
        self.assertAlmostEqual(group["recovered_value"], 20.0)

    def test_bad_markdowns_are_refused(self):
        before = self._counts()
        with self.assertRefused(UserError, "Choose the lots to mark down"):
            self.env["stock.markdown.wizard"].create(
                {"pricelist_id": self.pricelist.id}
            ).action_confirm()
        wizard = self._wizard(self.lot_10)
        wizard.line_ids.discount = 100
        with self.assertRefused(UserError, "between 0 and 100 %, not 100"):
            wizard.action_confirm()
        wizard = self._wizard(self.lot_10 | self.lot_25)
        with self.assertRefused(UserError, "A price list rule is per product"):
            wizard.action_confirm()
        wizard = self._wizard(self.lot_10, date_start=self._dt("2026-06-20 00:00:00"))
        with self.assertRefused(UserError, "M10 expires on 2026-06-11, before the markdown"):
            wizard.action_confirm()
        self.assertEqual(self._counts(), before, "nothing written")
        self._wizard(self.lot_10).action_confirm()
        after_first = self._counts()
        wizard = self._wizard(self.lot_25)
        with self.assertRefused(UserError, "is already marked down on Shops"):
            wizard.action_confirm()
        self.assertEqual(self._counts(), after_first)

    def test_steps_are_checked(self):
        Step = self.env["stock.markdown.step"]
        count = Step.search_count([])
        with self.assertRefused(ValidationError, "not more than 0"):
            Step.create({"days_left": 0, "discount": 10})
        with self.assertRefused(ValidationError, "between 0 and 100 %, not 120"):
            Step.create({"days_left": 5, "discount": 120})
        # the database refuses it; the user reads the constraint's message
        with mute_logger("odoo.sql_db"), self.assertRefused(IntegrityError, "unique_days"):
            Step.create({"days_left": 30, "discount": 10})
            self.env.flush_all()
        self.assertEqual(Step.search_count([]), count)

    def test_other_company_steps_do_not_apply(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        self.env["stock.markdown.step"].search([("company_id", "=", self.company.id)]).unlink()
        self.env["stock.markdown.step"].create(
            {"company_id": other.id, "days_left": 30, "discount": 40}
        )
        self.assertEqual(self._review(self.lot_10).markdown_discount, 0)
        self.assertEqual(self.env["stock.markdown.step"]._get_discount(other, 10), 40)
