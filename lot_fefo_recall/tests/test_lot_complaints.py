from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .common import LotFefoRecallCase


@tagged("post_install", "-at_install")
class TestLotComplaints(LotFefoRecallCase):
    """Big Box complains about jam lot CMP1, shipped to it in delivery ``delivery``.
    Complaints and returns count against the lot; past the category's thresholds a
    quality manager is asked, once, to consider a recall."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activity_type = cls.env.ref("lot_fefo_recall.mail_activity_type_recall_suggested")
        cls.buyer = cls.env["res.partner"].create(
            {"name": "Anna Buyer", "parent_id": cls.customer.id}
        )
        cls.other_customer = cls.env["res.partner"].create(
            {"name": "Corner Shop", "is_company": True}
        )
        cls.lot = cls._put_in_stock(cls.product, 500, "CMP1", "2030-01-01 10:00:00")
        cls.other_lot = cls._put_in_stock(cls.product, 500, "CMP2", "2030-01-01 10:00:00")
        cls.delivery = cls._ship(cls.lot, 40, cls.customer)
        cls.salesman = new_test_user(
            cls.env, login="lfr_cmp_salesman", groups="sales_team.group_sale_salesman"
        )

    @classmethod
    def _ship(cls, lot, quantity, partner):
        return cls._done_transfer(
            lot, quantity, cls.stock_location, cls.customer_location, partner
        )

    @classmethod
    def _take_back(cls, lot, quantity, partner):
        return cls._done_transfer(
            lot, quantity, cls.customer_location, cls.stock_location, partner
        )

    def _complaint(self, **vals):
        return self.env["stock.lot.complaint"].create(
            dict({"lot_id": self.lot.id, "partner_id": self.customer.id, "kind": "taste"}, **vals)
        )

    def _recall_activities(self, lot=None):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "stock.lot"),
                ("res_id", "=", (lot or self.lot).id),
                ("activity_type_id", "=", self.activity_type.id),
            ]
        )

    # ------------------------------------------------------------ reaching them

    def test_create_from_lot_customer_and_delivery(self):
        action = self.lot.action_view_lot_complaints()
        with Form(self.env["stock.lot.complaint"].with_context(**action["context"])) as form:
            form.partner_id = self.customer
            form.kind = "foreign_body"
        from_lot = form.record
        self.assertRegex(from_lot.name, r"^CMP/\d{4}/\d{4}$")
        self.assertEqual(from_lot.lot_id, self.lot)
        self.assertEqual(from_lot.product_id, self.product)
        self.assertEqual(from_lot.state, "new")

        action = self.delivery.action_view_lot_complaints()
        with Form(self.env["stock.lot.complaint"].with_context(**action["context"])) as form:
            self.assertEqual(form.partner_id, self.customer)
            self.assertEqual(form.lot_id, self.lot, "the delivery shipped that lot only")
            form.kind = "packaging"
        from_delivery = form.record
        self.assertEqual(from_delivery.picking_id, self.delivery)

        action = self.buyer.action_view_lot_complaints()
        with Form(self.env["stock.lot.complaint"].with_context(**action["context"])) as form:
            self.assertEqual(form.partner_id, self.buyer)
            form.lot_id = self.lot
            # the buyer's company received the delivery
            form.picking_id = self.delivery
            form.kind = "illness"
        from_buyer = form.record
        self.assertEqual(from_buyer.partner_id, self.buyer, "the caller stays the complainant")

        all_three = from_lot | from_delivery | from_buyer
        self.assertEqual(self.lot.complaint_count, 3)
        self.assertEqual(self.customer.lot_complaint_count, 3)
        self.assertEqual(self.buyer.lot_complaint_count, 3, "the whole customer's complaints")
        self.assertEqual(self.other_customer.lot_complaint_count, 0)
        self.assertEqual(self.delivery.lot_complaint_count, 2)
        Complaint = self.env["stock.lot.complaint"]
        for record, expected in (
            (self.lot, all_three),
            (self.customer, all_three),
            (self.buyer, all_three),
            (self.delivery, from_delivery | from_buyer),
        ):
            action = record.action_view_lot_complaints()
            self.assertEqual(Complaint.search(action["domain"]), expected, record.display_name)

        from_lot.action_reject("Not our product")
        self.assertEqual(self.lot.complaint_count, 2, "a rejected complaint does not count")
        from_lot.action_reset("It was ours after all")
        self.assertEqual(self.lot.complaint_count, 3)

    def test_states(self):
        complaint = self._complaint()
        complaint.action_investigate()
        self.assertEqual(complaint.state, "investigating")
        complaint.action_close("Supplier corrected the recipe")
        self.assertEqual(complaint.state, "closed")
        self.assertEqual(self.lot.complaint_count, 1, "a closed complaint still counts")

    # ------------------------------------------------------------ return rate

    def test_return_rate_after_delivery_and_return(self):
        self.assertEqual((self.lot.shipped_qty, self.lot.returned_qty), (40, 0))
        self.assertEqual(self.lot.return_rate, 0)
        self.assertEqual(self.other_lot.return_rate, 0, "nothing shipped: no rate")
        self._ship(self.lot, 60, self.other_customer)
        self._take_back(self.lot, 5, self.customer)
        self.assertEqual((self.lot.shipped_qty, self.lot.returned_qty), (100, 5))
        self.assertEqual(self.lot.return_rate, 5.0)
        # a return made with Odoo's own return wizard counts too
        wizard = Form(
            self.env["stock.return.picking"].with_context(
                active_id=self.delivery.id, active_model="stock.picking"
            )
        ).save()
        wizard.product_return_moves.quantity = 10
        returned = wizard._create_return()
        returned.move_ids.picked = True
        returned.button_validate()
        self.assertEqual(returned.state, "done")
        self.assertEqual((self.lot.shipped_qty, self.lot.returned_qty), (100, 15))
        self.assertEqual(self.lot.return_rate, 15.0)
        # what stays inside the warehouse is no shipment
        self._done_transfer(self.lot, 20, self.stock_location, self.warehouse.wh_pack_stock_loc_id)
        self.assertEqual(self.lot.shipped_qty, 100)
        # batch register: filters and sorting on the stored figures
        Lot = self.env["stock.lot"]
        lots = self.lot | self.other_lot
        self.assertEqual(
            Lot.search([("id", "in", lots.ids)], order="return_rate desc"),
            self.lot + self.other_lot,
        )
        self.assertEqual(Lot.search([("id", "in", lots.ids), ("return_rate", ">", 10)]), self.lot)

    def test_return_rate_bounded(self):
        # more back than shipped (stock that came back from elsewhere): 100 %, not more
        self._take_back(self.other_lot, 7, self.customer)
        self.assertEqual(self.other_lot.return_rate, 0, "nothing shipped")
        self._ship(self.other_lot, 5, self.customer)
        self.assertEqual(self.other_lot.return_rate, 100)

    def test_two_step_delivery_and_dropship_count_once(self):
        output = self.warehouse.wh_output_stock_loc_id
        self._done_transfer(self.other_lot, 10, self.stock_location, output)
        self.assertEqual(self.other_lot.shipped_qty, 0, "not at the customer yet")
        self._done_transfer(self.other_lot, 10, output, self.customer_location, self.customer)
        self.assertEqual(self.other_lot.shipped_qty, 10)
        dropshipped = self.env["stock.lot"].create(
            {"name": "CMP-DS", "product_id": self.product.id}
        )
        self._done_transfer(
            dropshipped, 6, self.supplier_location, self.customer_location, self.customer
        )
        self._take_back(dropshipped, 3, self.customer)
        self.assertEqual((dropshipped.shipped_qty, dropshipped.returned_qty), (6, 3))
        self.assertEqual(dropshipped.return_rate, 50)

    # ------------------------------------------------------------ thresholds

    def test_complaint_threshold_raises_one_activity(self):
        self.category.complaint_threshold = 3
        self._complaint()
        self._complaint(kind="illness")
        self.assertFalse(self._recall_activities())
        self.assertFalse(self.lot.complaint_threshold_reached)
        Lot = self.env["stock.lot"]
        self.assertFalse(Lot.search([("complaint_count", ">", 0), ("id", "!=", self.lot.id)]))
        self.assertEqual(Lot.search([("complaint_count", ">", 0)]), self.lot)
        self._complaint(kind="foreign_body")
        activity = self._recall_activities()
        self.assertEqual(len(activity), 1)
        self.assertTrue(self.lot.complaint_threshold_reached)
        self.assertIn("recall", activity.summary)
        self.assertIn("3 complaints", str(activity.note))
        self.assertTrue(activity.user_id.has_group("lot_fefo_recall.group_quality_manager"))
        self.assertEqual(Lot.search([("complaint_threshold_reached", "=", True)]), self.lot)
        # a fourth complaint, a state change: still one activity while it is open
        fourth = self._complaint(kind="other")
        fourth.action_investigate()
        self.assertEqual(self._recall_activities(), activity)
        # done, and a new complaint comes: asked again
        activity.action_done()
        self._complaint()
        self.assertEqual(len(self._recall_activities()), 1)
        self.assertNotEqual(self._recall_activities(), activity)

    def test_return_rate_threshold_raises_one_activity(self):
        self.category.return_rate_threshold = 2.0
        self._take_back(self.lot, 0.5, self.customer)
        self.assertEqual(self.lot.return_rate, 1.25)
        self.assertFalse(self._recall_activities())
        self._take_back(self.lot, 0.5, self.customer)
        self.assertEqual(self.lot.return_rate, 2.5)
        activity = self._recall_activities()
        self.assertEqual(len(activity), 1)
        self.assertIn("2.5 %", str(activity.note))
        self.assertTrue(self.lot.return_rate_threshold_reached)
        self.assertEqual(
            self.env["stock.lot"].search([("return_rate_threshold_reached", "=", True)]),
            self.lot,
        )
        self._take_back(self.lot, 1, self.customer)
        self.assertEqual(self._recall_activities(), activity, "no second activity")
        self.assertFalse(self._recall_activities(self.other_lot))

    def test_threshold_off_and_rejected_complaints(self):
        for _i in range(4):
            self._complaint()
        self.assertFalse(self._recall_activities(), "no threshold on the category")
        self._complaint().action_reject("Unfounded")
        self.category.complaint_threshold = 5
        self._complaint()
        self.assertEqual(self.lot.complaint_count, 5)
        self.assertTrue(self.lot.complaint_threshold_reached)
        self.assertEqual(len(self._recall_activities()), 1)

    def test_rejected_complaints_do_not_count(self):
        self.category.complaint_threshold = 2
        self._complaint().action_reject("Unfounded")
        self._complaint()
        self.assertEqual(self.lot.complaint_count, 1)
        self.assertFalse(self._recall_activities(), "a rejected complaint does not count")

    # ------------------------------------------------------------ bad inputs

    def test_bad_inputs_refused(self):
        Complaint = self.env["stock.lot.complaint"]
        before = Complaint.search_count([])
        other_delivery = self._ship(self.lot, 5, self.other_customer)
        other_lot_delivery = self._ship(self.other_lot, 5, self.customer)
        cases = [
            (
                {"picking_id": other_delivery.id},
                "Delivery .* went to Corner Shop, not to Big Box Retail",
            ),
            (
                {"picking_id": other_lot_delivery.id},
                "Delivery .* did not ship lot CMP1 to Big Box Retail",
            ),
            (
                {"picking_id": self._receipt().id},
                "is not a delivery to a customer",
            ),
            ({"kind": "mould"}, "is one of Foreign Body, Illness"),
            ({"lot_id": False}, "Lot is required"),
            ({"partner_id": False}, "Customer is required"),
        ]
        for vals, message in cases:
            with self.subTest(vals=vals), self.assertRefused(ValidationError, message):
                self._complaint(**vals)
        self.assertEqual(Complaint.search_count([]), before, "nothing written")
        self.assertEqual(self.lot.complaint_count, 0)

        complaint = self._complaint(picking_id=self.delivery.id)
        with self.assertRefused(ValidationError, "did not ship lot CMP2"):
            complaint.lot_id = self.other_lot
        self.assertEqual(complaint.lot_id, self.lot)
        self.assertEqual(self.other_lot.complaint_count, 0)

        for vals, message in (
            ({"complaint_threshold": -1}, "can not be negative"),
            ({"return_rate_threshold": 120}, "percentage from 0 to 100, not 120"),
            ({"return_rate_threshold": -2}, "percentage from 0 to 100, not -2"),
        ):
            with self.subTest(vals=vals), self.assertRefused(ValidationError, message):
                self.category.write(vals)
        self.assertEqual(self.category.complaint_threshold, 0)
        self.assertEqual(self.category.return_rate_threshold, 0)

    def _receipt(self):
        return self._done_transfer(self.other_lot, 1, self.supplier_location, self.stock_location)

    # ------------------------------------------------------------ access

    def test_salesman_takes_calls_but_does_not_delete(self):
        Complaint = self.env["stock.lot.complaint"].with_user(self.salesman)
        with Form(Complaint.with_context(default_partner_id=self.customer.id)) as form:
            form.lot_id = self.lot.with_user(self.salesman)
            form.picking_id = self.delivery.with_user(self.salesman)
            form.kind = "foreign_body"
        complaint = form.record
        self.assertEqual(complaint.lot_id, self.lot)
        self.assertEqual(self.lot.complaint_count, 1)
        self.assertEqual(self.customer.with_user(self.salesman).lot_complaint_count, 1)
        complaint.message_post(body="Photo of the jar to follow.")
        with self.assertRefused(AccessError, "not allowed to delete"):
            complaint.unlink()
        with self.assertRefused(AccessError, "not allowed to modify"):
            complaint.state = "closed"
        self.assertEqual(complaint.sudo().state, "new")

        stock_complaint = complaint.with_user(self.stock_user)
        stock_complaint.action_investigate()
        self.assertEqual(complaint.state, "investigating")
        with self.assertRefused(AccessError, "not allowed to delete"):
            stock_complaint.unlink()
        self.assertTrue(complaint.exists())
        complaint.with_user(self.quality_manager).unlink()
        self.assertFalse(complaint.exists())
        self.assertEqual(self.lot.complaint_count, 0)

    # ------------------------------------------------------------ companies

    def test_multi_company(self):
        company_b = self.env["res.company"].create({"name": "B Foods"})
        lot_b = self.env["stock.lot"].create(
            {"name": "CMP-B", "product_id": self.product.id, "company_id": company_b.id}
        )
        with self.assertRefused(ValidationError, "Lot CMP-B belongs to B Foods, not to"):
            self._complaint(lot_id=lot_b.id)
        self.assertEqual(lot_b.complaint_count, 0)

        user_b = new_test_user(
            self.env,
            login="lfr_cmp_user_b",
            groups="stock.group_stock_user,stock.group_production_lot",
            company_id=company_b.id,
            company_ids=[Command.set(company_b.ids)],
        )
        complaint_b = (
            self.env["stock.lot.complaint"]
            .with_user(user_b)
            .with_context(allowed_company_ids=company_b.ids)
            .create({"lot_id": lot_b.id, "partner_id": self.customer.id, "kind": "taste"})
        )
        self.assertEqual(complaint_b.company_id, company_b)
        complaint_a = self._complaint()
        Complaint_b = self.env["stock.lot.complaint"].with_user(user_b)
        self.assertEqual(Complaint_b.search([]), complaint_b, "B sees only its own")
        with self.assertRaises(AccessError):
            complaint_a.with_user(user_b).read(["name"])
        self.assertEqual(self.customer.with_user(self.quality_manager).lot_complaint_count, 1)
        self.assertEqual(self.customer.with_user(user_b).lot_complaint_count, 1)


@tagged("post_install", "-at_install")
class TestLotComplaintTour(HttpCase):
    """In a browser: from a lot, record a customer's complaint; the lot counts it."""

    def test_complaint_from_lot(self):
        product = self.env["product.product"].create(
            {"name": "Tour Honey", "is_storable": True, "tracking": "lot"}
        )
        lot = self.env["stock.lot"].create({"name": "TOUR-CMP", "product_id": product.id})
        customer = self.env["res.partner"].create({"name": "Tour Caller", "is_company": True})
        self.start_tour(
            f"/odoo/batch-register/{lot.id}",
            "lot_fefo_recall_lot_complaint",
            login="admin",
            timeout=120,
        )
        complaint = self.env["stock.lot.complaint"].search([("lot_id", "=", lot.id)])
        self.assertEqual(len(complaint), 1)
        self.assertEqual((complaint.partner_id, complaint.kind), (customer, "foreign_body"))
        self.assertEqual(lot.complaint_count, 1)
