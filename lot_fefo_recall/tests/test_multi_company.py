import io
import zipfile

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import LotFefoRecallCase


def xlsx_text(content):
    """Every string of an XLSX file (xlsxwriter writes them inline or shared)."""
    with zipfile.ZipFile(io.BytesIO(content)) as workbook:
        return "".join(
            workbook.read(name).decode()
            for name in workbook.namelist()
            if name.startswith("xl/") and name.endswith(".xml")
        )


def command_ids(commands):
    """The ids an onchange's x2many commands put in the field."""
    ids = set()
    for command in commands or ():
        if command[0] in (Command.UPDATE, Command.LINK):
            ids.add(command[1])
        elif command[0] == Command.SET:
            ids.update(command[2])
    return ids


@tagged("post_install", "-at_install")
class TestMultiCompany(LotFefoRecallCase):
    """Company A and company B share a product and a customer. A quality manager of B
    alone never sees, traces, quarantines, exports or mails anything of A's lots."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company_a = cls.company
        cls.company_b = env["res.company"].create({"name": "B Foods"})
        cls.warehouse_b = env["stock.warehouse"].search(
            [("company_id", "=", cls.company_b.id)], limit=1
        )
        cls.user_b = new_test_user(
            env,
            login="lfr_mc_quality_b",
            groups="lot_fefo_recall.group_quality_manager,stock.group_production_lot",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.env_b = env(
            user=cls.user_b, context=dict(env.context, allowed_company_ids=cls.company_b.ids)
        )
        # Both companies ship the (shared) jam to Big Box; only A ships to Corner Shop.
        cls.customer.email = "buyer@bigbox.example.com"
        cls.customer_a_only = env["res.partner"].create(
            {"name": "Corner Shop A", "is_company": True, "email": "shop@corner.example.com"}
        )
        cls.lot_a = env["stock.lot"].create(
            {
                "name": "MC-A1",
                "product_id": cls.product.id,
                "company_id": cls.company_a.id,
                "expiration_date": "2030-01-01 10:00:00",
            }
        )
        env["stock.quant"]._update_available_quantity(
            cls.product, cls.stock_location, 30, lot_id=cls.lot_a
        )
        cls._done_transfer(cls.lot_a, 5, cls.stock_location, cls.customer_location, cls.customer)
        cls._done_transfer(
            cls.lot_a, 4, cls.stock_location, cls.customer_location, cls.customer_a_only
        )
        cls.rule_a = env["stock.shelf.life.rule"].create(
            {"partner_id": cls.customer.id, "min_remaining_days": 20}
        )
        cls.recall_a = env["stock.recall"].create(
            {"reason": "A's recall", "lot_ids": [Command.set(cls.lot_a.ids)]}
        )
        cls.recall_a.action_trace()
        cls.writeoff_a = env["stock.expiry.writeoff"].create(
            {"company_id": cls.company_a.id, "mode": "report"}
        )
        env["stock.expiry.writeoff.line"].create(
            {
                "writeoff_id": cls.writeoff_a.id,
                "lot_id": cls.lot_a.id,
                "product_id": cls.product.id,
                "location_id": cls.stock_location.id,
                "quantity": 1,
                "action": "reported",
            }
        )

        env_b = env(context=dict(env.context, allowed_company_ids=cls.company_b.ids))
        stock_b = cls.warehouse_b.lot_stock_id
        cls.lot_b = env_b["stock.lot"].create(
            {
                "name": "MC-B1",
                "product_id": cls.product.id,
                "company_id": cls.company_b.id,
                "expiration_date": "2030-01-01 10:00:00",
            }
        )
        env_b["stock.quant"]._update_available_quantity(cls.product, stock_b, 30, lot_id=cls.lot_b)
        cls._done_transfer(
            cls.lot_b,
            6,
            stock_b,
            cls.customer_location,
            cls.customer,
            picking_type=cls.warehouse_b.out_type_id,
        )
        cls.recall_b = cls.env_b["stock.recall"].create(
            {"reason": "B's recall", "lot_ids": [Command.set(cls.lot_b.ids)]}
        )
        cls.recall_b.action_trace()

    def _a_records(self):
        """A's records of each model, read as the superuser."""
        env = self.env(context=dict(self.env.context, allowed_company_ids=self.company_a.ids))
        records = {
            "stock.lot": self.lot_a,
            "stock.recall": self.recall_a,
            "stock.recall.line": self.recall_a.line_ids,
            "stock.recall.customer": self.recall_a.customer_ids,
            "stock.recall.product": self.recall_a.product_line_ids,
            "stock.shelf.life.rule": self.rule_a,
            "stock.expiry.writeoff": self.writeoff_a,
            "stock.expiry.writeoff.line": self.writeoff_a.line_ids,
        }
        for model in ("stock.expiry.report", "stock.fefo.compliance.report"):
            records[model] = env[model].search([("lot_id", "=", self.lot_a.id)])
        for model, found in records.items():
            self.assertTrue(found, f"the test needs A's {model}")
        return records

    def test_b_user_sees_nothing_of_a(self):
        for model, a_records in self._a_records().items():
            Model = self.env_b[model]
            with self.subTest(model=model):
                self.assertFalse(Model.search([("id", "in", a_records.ids)]))
                self.assertFalse(Model.search([]) & a_records.with_env(self.env_b))
                groups = Model.formatted_read_group([], ["company_id"], ["__count"])
                self.assertFalse(
                    [
                        g
                        for g in groups
                        if g["company_id"] and g["company_id"][0] != self.company_b.id
                    ]
                )
                with self.assertRaises(AccessError):
                    a_records.with_env(self.env_b).read(["display_name"])
        # nor does the B user find A's lot by its number
        self.assertFalse(self.env_b["stock.lot"].name_search("MC-A1"))

    def test_b_user_can_not_act_on_a_recall(self):
        recall = self.recall_a.with_env(self.env_b)
        before = self.recall_a.read(["state", "date_traced", "date_quarantined"])
        lines = self.recall_a.line_ids
        for method in ("action_trace", "action_quarantine", "action_send_letters", "action_close"):
            with self.subTest(method=method), self.assertRaises(UserError):
                getattr(recall, method)()
        self.recall_a.invalidate_recordset()
        self.assertEqual(self.recall_a.read(["state", "date_traced", "date_quarantined"]), before)
        self.assertEqual(self.recall_a.line_ids, lines)
        self.assertFalse(self.lot_a.is_blocked)

    def test_b_user_can_not_recall_a_lots_through_the_wizard(self):
        Wizard = self.env_b["stock.recall.wizard"]
        recalls = self.env["stock.recall"].search_count([])
        for vals in (
            {"mode": "lots", "lot_ids": [Command.set(self.lot_a.ids)], "reason": "x"},
            {
                "mode": "notice",
                "vendor_lot_text": "MC-A1",
                "company_id": self.company_a.id,
                "reason": "x",
            },
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                Wizard.create(vals).action_create_recall()
        with self.assertRaises(UserError):
            Wizard.with_context(active_model="stock.lot", active_ids=self.lot_a.ids).default_get(
                ["lot_ids"]
            )
        # A's lot number in B's notice is a number B never received.
        wizard = Wizard.create({"mode": "notice", "vendor_lot_text": "MC-A1 MC-B1"})
        self.assertEqual(wizard.matched_lot_ids, self.lot_b)
        self.assertEqual(wizard.unmatched_text, "MC-A1")
        # The form computes the impact before saving: nothing of A's there either.
        spec = {
            "matched_lot_ids": {},
            "impact_partner_ids": {"fields": {"display_name": {}}},
            "impact_shipped_qty": {},
            "unmatched_text": {},
        }
        for values in (
            {"mode": "lots", "lot_ids": [Command.set(self.lot_a.ids)]},
            {"mode": "notice", "vendor_lot_text": "MC-A1", "company_id": self.company_a.id},
            {"mode": "product", "product_id": self.product.id},
        ):
            with self.subTest(onchange=values):
                try:
                    result = Wizard.onchange(
                        values, list(values), dict(spec, **{key: {} for key in values})
                    )["value"]
                except AccessError:
                    continue
                self.assertNotIn(self.lot_a.id, command_ids(result.get("matched_lot_ids")))
                partners = command_ids(result.get("impact_partner_ids"))
                self.assertNotIn(self.customer_a_only.id, partners)
                self.assertNotEqual(result.get("impact_shipped_qty"), 9)
        self.assertEqual(self.env["stock.recall"].search_count([]), recalls)

    def test_b_user_exports_only_b(self):
        Report = self.env_b["stock.expiry.report"]
        for domain in (
            [],
            [("lot_id", "=", self.lot_a.id)],
            [("company_id", "=", self.company_a.id)],
        ):
            with self.subTest(domain=domain):
                action = Report.with_context(active_domain=domain).action_export_xlsx()
                attachment = self.env["ir.attachment"].browse(
                    int(action["url"].split("/")[-1].split("?")[0])
                )
                text = xlsx_text(attachment.raw)
                self.assertNotIn("MC-A1", text)
                if not domain:
                    self.assertIn("MC-B1", text)
        for method in ("action_export_trace_xlsx", "action_export_fsma204_xlsx"):
            with self.subTest(method=method), self.assertRaises(AccessError):
                getattr(self.recall_a.with_env(self.env_b), method)()
        # A's own export, kept on A's recall, is not B's to download.
        action = self.recall_a.action_export_trace_xlsx()
        attachment = self.env["ir.attachment"].browse(
            int(action["url"].split("/")[-1].split("?")[0])
        )
        with self.assertRaises(AccessError):
            attachment.with_env(self.env_b).read(["raw"])
        # B's trace export holds B's lot only.
        action = self.recall_b.action_export_trace_xlsx()
        text = xlsx_text(
            self.env["ir.attachment"].browse(int(action["url"].split("/")[-1].split("?")[0])).raw
        )
        self.assertIn("MC-B1", text)
        self.assertNotIn("MC-A1", text)

    def test_letters_of_b_recall_never_reach_a_customers(self):
        self.assertEqual(self.recall_b.customer_ids.partner_id, self.customer)
        self.recall_b.action_send_letters()
        mails_before = self.env["mail.mail"].search([]).ids
        self.env["stock.recall.customer"]._send_queued_letters(commit=False)
        mails = self.env["mail.mail"].search([("id", "not in", mails_before)])
        self.assertTrue(mails)
        self.assertEqual(mails.recipient_ids, self.customer)
        self.assertEqual(set(mails.mapped("res_id")), set(self.recall_b.customer_ids.ids))
        self.assertFalse(self.recall_a.customer_ids.filtered("notified_on"))
        letter = (
            self.env["ir.actions.report"]
            ._render_qweb_html("lot_fefo_recall.action_report_recall_letter", self.recall_b.ids)[0]
            .decode()
        )
        self.assertIn("MC-B1", letter)
        self.assertNotIn("MC-A1", letter)
        for mail in mails:
            self.assertNotIn("MC-A1", mail.body_html or "")
