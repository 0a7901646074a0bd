"""Who may change what in the quality records (issue 19 item 8).

Each refusal is tried the way RPC would do it: the ORM as a low-rights user
(``with_user``), calling the public method or writing the field directly."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import LotFefoRecallCase
from .recall_letters_world import RecallLettersWorld

DATES = ("expiration_date", "use_date", "removal_date", "alert_date")


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 10:00:00")
class TestQualityPermissions(LotFefoRecallCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot = cls._put_in_stock(cls.product, 50, "PERM-1", "2026-12-01 10:00:00")
        cls.delivery = cls._new_delivery(cls.customer, [(cls.product, 5)])
        cls.delivery.action_assign()
        cls.delivery.move_ids.picked = True
        cls.delivery.with_context(
            skip_expired=True, lot_fefo_accept_lot_checks=True
        )._action_done()
        cls.shipped_line = cls.delivery.move_line_ids
        cls.salesman = new_test_user(
            cls.env, login="lfr_perm_salesman", groups="sales_team.group_sale_salesman"
        )

    def _complaint(self, **vals):
        return self.env["stock.lot.complaint"].create(
            dict(
                {"lot_id": self.lot.id, "partner_id": self.customer.id, "kind": "illness"},
                **vals,
            )
        )

    def _flush_tracking(self):
        self.env.flush_all()
        self.env.cr.precommit.run()

    # ------------------------------------------------------------ complaints

    def test_stock_user_may_not_reject_or_close_a_complaint(self):
        complaint = self._complaint()
        self.assertEqual(self.lot.complaint_count, 1)
        lot_messages = self.lot.message_ids
        as_stock_user = complaint.with_user(self.stock_user)
        for state in ("rejected", "closed"):
            with self.subTest(state=state):
                with self.assertRefused(AccessError, "Only quality managers set complaint"):
                    as_stock_user.write({"state": state})
                with self.assertRefused(AccessError, "Only quality managers set complaint"):
                    as_stock_user.with_context(lot_complaint_decision_reason="I say so").write(
                        {"state": state}
                    )
        for action in ("action_reject", "action_close"):
            with self.subTest(action=action):
                with self.assertRefused(AccessError, "Only quality managers set complaint"):
                    getattr(as_stock_user, action)("Unfounded")
                with self.assertRefused(AccessError, "Only quality managers set complaint"):
                    getattr(as_stock_user, action)()
        self.assertEqual(complaint.state, "new")
        self.assertEqual(self.lot.complaint_count, 1, "the complaint still counts")
        self.assertEqual(self.lot.message_ids, lot_messages)
        # nor is a complaint created already decided
        for state in ("rejected", "closed"):
            with self.subTest(create=state), self.assertRefused(UserError, "starts as New"):
                self.env["stock.lot.complaint"].with_user(self.stock_user).create(
                    {
                        "lot_id": self.lot.id,
                        "partner_id": self.customer.id,
                        "kind": "illness",
                        "state": state,
                    }
                )
        self.assertEqual(self.lot.complaint_count, 1)
        # investigating stays a stock user's step
        as_stock_user.action_investigate()
        self.assertEqual(complaint.state, "investigating")

    def test_quality_manager_rejects_with_a_reason(self):
        complaint = self._complaint()
        as_manager = complaint.with_user(self.quality_manager)
        for reason in (None, "", "   ", 42):
            with (
                self.subTest(reason=reason),
                self.assertRefused(UserError, "Say why complaint .* is closed, rejected"),
            ):
                as_manager.with_context(lot_complaint_decision_reason=reason).write(
                    {"state": "rejected"}
                )
        with self.assertRefused(UserError, "Say why complaint"):
            as_manager.action_reject(" ")
        self.assertEqual(complaint.state, "new")

        # the form's button asks for the reason
        action = as_manager.action_reject()
        self.assertEqual(action["res_model"], "stock.lot.complaint.decision.wizard")
        self.assertEqual(complaint.state, "new")
        Wizard = (
            self.env["stock.lot.complaint.decision.wizard"]
            .with_user(self.quality_manager)
            .with_context(**action["context"])
        )
        with self.assertRefused(UserError, "Say why complaint"):
            Wizard.create({}).action_confirm()
        self.assertEqual(complaint.state, "new")
        with Form(
            self.env["stock.lot.complaint.decision.wizard"]
            .with_user(self.quality_manager)
            .with_context(**action["context"])
        ) as form:
            form.reason = "Lab found no pathogen in the retained samples"
        form.record.action_confirm()
        self._flush_tracking()
        self.assertEqual(complaint.state, "rejected")
        self.assertEqual(self.lot.complaint_count, 0)
        tracked = complaint.message_ids.filtered("tracking_value_ids")[:1]
        self.assertIn("Lab found no pathogen", tracked.body)
        self.assertEqual(
            tracked.tracking_value_ids.filtered(lambda t: t.field_id.name == "state").mapped(
                lambda t: (t.old_value_char, t.new_value_char)
            ),
            [("New", "Rejected")],
        )
        note = self.lot.message_ids[:1]
        self.assertIn(complaint.name, note.body)
        self.assertIn("Rejected", note.body)
        self.assertIn("Lab found no pathogen", note.body)

        # reopening is a decision too
        with self.assertRefused(AccessError, "Only quality managers"):
            complaint.with_user(self.stock_user).action_reset("Customer called again")
        complaint.with_user(self.quality_manager).action_reset("Customer sent a photo")
        self.assertEqual(complaint.state, "new")
        self.assertEqual(self.lot.complaint_count, 1)

    # ------------------------------------------------------------ FEFO verdicts

    def test_fefo_verdicts_are_not_writable(self):
        line = self.shipped_line
        self.assertEqual(line.state, "done")
        verdict = (line.fefo_compliant, line.fefo_choice)
        self.assertTrue(line.fefo_compliant)
        for user in (self.stock_user, self.quality_manager):
            for vals in ({"fefo_compliant": False}, {"fefo_choice": "passed_over"}):
                with (
                    self.subTest(user=user.login, vals=vals),
                    self.assertRefused(AccessError, "set when the delivery is validated"),
                ):
                    line.with_user(user).write(vals)
        line.invalidate_recordset()
        self.assertEqual((line.fefo_compliant, line.fefo_choice), verdict)

    # ------------------------------------------------------------ lot dates

    def test_first_fill_of_a_date_is_free(self):
        lot = self.env["stock.lot"].create(
            {"name": "PERM-EMPTY", "product_id": self.product.id, "expiration_date": False}
        )
        self.assertFalse(lot.expiration_date)
        lot.with_user(self.stock_user).expiration_date = "2027-01-01 10:00:00"
        self.assertEqual(lot.expiration_date, datetime(2027, 1, 1, 10))
        self.assertTrue(lot.use_date, "product_expiry fills the other dates from it")
        # a new lot's dates, computed by product_expiry, and a change of its product
        other = (
            self.env["stock.lot"]
            .with_user(self.stock_user)
            .create({"name": "PERM-NEW", "product_id": self.product.id})
        )
        self.assertTrue(other.expiration_date)

    def test_dates_of_a_lot_that_never_held_stock_are_still_typed_in(self):
        """Until the lot holds stock its dates are data entry (Odoo's own lot form tests
        edit them); from its first stock on they are evidence."""
        lot = self.env["stock.lot"].create(
            {"name": "PERM-DRAFT", "product_id": self.product.id, "expiration_date": "2027-01-01"}
        )
        self.assertFalse(lot.dates_locked)
        with Form(lot.with_user(self.stock_user)) as form:
            form.expiration_date = datetime(2027, 2, 1)
        self.assertEqual(lot.expiration_date, datetime(2027, 2, 1))
        self.env["stock.quant"]._update_available_quantity(
            self.product, self.stock_location, 3, lot_id=lot
        )
        lot.invalidate_recordset(["dates_locked"])
        self.assertTrue(lot.dates_locked)
        with self.assertRefused(AccessError, "Only quality managers change the"):
            lot.with_user(self.stock_user).write({"expiration_date": datetime(2027, 3, 1)})
        with (
            Form(lot.with_user(self.stock_user)) as form,
            self.assertRaises(AssertionError, msg="a filled date is read-only"),
        ):
            form.expiration_date = datetime(2027, 3, 1)
        self.assertEqual(lot.expiration_date, datetime(2027, 2, 1))

    def test_stock_user_may_not_change_a_filled_date(self):
        before = {name: self.lot[name] for name in DATES}
        messages = self.lot.message_ids
        later = before["expiration_date"] + timedelta(days=365)
        as_stock_user = self.lot.with_user(self.stock_user)
        for name in DATES:
            for value in (later, False):
                with self.subTest(field=name, value=value):
                    with self.assertRefused(AccessError, "Only quality managers change the"):
                        as_stock_user.write({name: value})
                    with self.assertRefused(AccessError, "Only quality managers change the"):
                        as_stock_user.with_context(lot_date_change_reason="Because").write(
                            {name: value}
                        )
        with self.assertRefused(AccessError, "Only quality managers change the dates"):
            as_stock_user.action_change_dates()
        self.lot.invalidate_recordset()
        self.assertEqual({name: self.lot[name] for name in DATES}, before)
        self.assertEqual(self.lot.message_ids, messages)
        # writing the same value back is no change
        as_stock_user.write({"expiration_date": before["expiration_date"]})

    def test_quality_manager_changes_dates_with_a_reason(self):
        before = {name: self.lot[name] for name in DATES}
        later = before["expiration_date"] + timedelta(days=30)
        as_manager = self.lot.with_user(self.quality_manager)
        for reason in (None, "", "  ", 7):
            with (
                self.subTest(reason=reason),
                self.assertRefused(UserError, "Say why the Expiration Date of lot PERM-1"),
            ):
                as_manager.with_context(lot_date_change_reason=reason).write(
                    {"expiration_date": later}
                )
        self.lot.invalidate_recordset()
        self.assertEqual({name: self.lot[name] for name in DATES}, before)

        action = as_manager.action_change_dates()
        Wizard = (
            self.env[action["res_model"]]
            .with_user(self.quality_manager)
            .with_context(**action["context"])
        )
        with self.assertRefused(UserError, "Say why the Expiration Date"):
            Wizard.create({"expiration_date": later}).action_confirm()
        with Form(
            self.env[action["res_model"]]
            .with_user(self.quality_manager)
            .with_context(**action["context"])
        ) as form:
            self.assertEqual(form.expiration_date, before["expiration_date"])
            form.expiration_date = later
            self.assertEqual(form.use_date, before["use_date"] + timedelta(days=30))
            form.reason = "Vendor corrected the printed date (letter of 28 May)"
        form.record.action_confirm()
        self._flush_tracking()
        self.lot.invalidate_recordset()
        for name in DATES:
            self.assertEqual(self.lot[name], before[name] + timedelta(days=30), name)
        message = self.lot.message_ids.filtered("tracking_value_ids")[:1]
        self.assertIn("Vendor corrected the printed date", message.body)
        self.assertEqual(message.author_id, self.quality_manager.partner_id)
        changes = {
            value.field_id.name: (value.old_value_datetime, value.new_value_datetime)
            for value in message.tracking_value_ids
        }
        self.assertEqual(
            changes,
            {name: (before[name], before[name] + timedelta(days=30)) for name in DATES},
        )

    def test_date_audit_trail_can_not_be_switched_off(self):
        before = self.lot.expiration_date
        self.lot.with_user(self.quality_manager).with_context(
            lot_date_change_reason="Shelf-life study extended it",
            tracking_disable=True,
            mail_notrack=True,
        ).write({"expiration_date": before + timedelta(days=10)})
        self._flush_tracking()
        message = self.lot.message_ids.filtered("tracking_value_ids")[:1]
        self.assertIn("Shelf-life study", message.body)
        self.assertIn("expiration_date", message.tracking_value_ids.field_id.mapped("name"))

    # ------------------------------------------------------------ customer list

    def test_customer_list_one_rule(self):
        """Who may see a lot's customers: Inventory users; not a salesman who reads
        lots to take complaints."""
        as_salesman = self.lot.with_user(self.salesman)
        as_salesman.check_access("read")
        with self.assertRefused(AccessError, "Only Inventory users may see the customers"):
            as_salesman.get_dossier_data()
        with self.assertRefused(AccessError, "Only Inventory users may see the customers"):
            as_salesman.action_export_epcis()
        with self.assertRefused(AccessError, "Only Inventory users may see the customers"):
            self.env["stock.recall.trace"].with_user(self.salesman)._trace_lots(
                as_salesman, self.company
            )
        data = self.lot.with_user(self.stock_user).get_dossier_data()
        self.assertIn(
            self.customer.id,
            [node["res_id"] for node in data["nodes"] if node["kind"] == "customer"],
        )
        self.assertTrue(data["actions"]["can_export"])


@tagged("post_install", "-at_install")
class TestMockRecallLetters(RecallLettersWorld, LotFefoRecallCase):
    """A mock recall's letters are a drill: they carry no working answer link."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._build_letters_world()

    def test_mock_letter_has_no_answer_link(self):
        mock = (
            self.env["stock.recall"]
            .with_user(self.stock_user)
            .create(
                {
                    "reason": "Drill",
                    "is_mock": True,
                    "lot_ids": [Command.set(self.letters_lot.ids)],
                }
            )
        )
        mock.action_trace()
        self.assertTrue(mock.customer_ids)
        action = mock.action_print_letters()
        self.assertEqual(action["report_name"], "lot_fefo_recall.report_recall_letter")
        html = str(
            self.env["ir.actions.report"]
            .with_user(self.stock_user)
            ._render_qweb_html("lot_fefo_recall.report_recall_letter", mock.ids)[0]
        )
        self.assertIn("Alpine Grocers", html)
        self.assertNotIn("/my/recall/", html)
        self.assertNotIn("access_token", html)
        self.assertIn("mock recall", html)
        self.assertFalse(any(mock.sudo().customer_ids.mapped("access_token")))
        # a real recall's letter keeps its link
        html = str(
            self.env["ir.actions.report"]._render_qweb_html(
                "lot_fefo_recall.report_recall_letter", self.letters_recall.ids
            )[0]
        )
        self.assertIn("/my/recall/", html)
