"""Hostile and malformed input over RPC (issue 11 item 3).

Requests go through the real HTTP stack the way the web client sends them: a logged-in
session POSTing JSON-RPC to /web/dataset/call_kw/<model>/<method>, the portal form, the
report routes. The tables are built from the fields the add-on owns, so a field added
later is covered without touching this file."""

import json
import re
from urllib.parse import quote

from odoo import Command, http, models
from odoo.tests import HttpCase, new_test_user, tagged

from .common import LotFefoRecallCase

MODULE = "lot_fefo_recall"
# What a refusal may be: a user error or an access error, never a server error.
USER_ERRORS = {
    "odoo.exceptions.UserError",
    "odoo.exceptions.ValidationError",
    "odoo.exceptions.AccessError",
    "odoo.exceptions.MissingError",
    "odoo.exceptions.RedirectWarning",
}
# Python's and PostgreSQL's words: a message holding them was not written for a user.
TECHNICAL = re.compile(
    r"Traceback|File \"|invalid literal|psycopg2|Wrong value for|Expected singleton|"
    r"has no attribute|not subscriptable|unsupported operand|NoneType|out of range for|"
    r"violates|KeyError|TypeError|ValueError|could not convert|is not iterable|"
    r"unhashable|NUL \(0x00\)|invalid input syntax|cannot be completed"
)
MISSING_ID = 2**31 - 1
HUGE = "x" * (1 << 20)
NUL = "LOT\x00-1"
# Right-to-left text with its marks, emoji, full-width and combining characters.
ODD_TEXT = "\u202bخطأ الدفعة\u202c 🍓🧪 \uff2c\uff2f\uff34-٣ e\u0301 测试"

# Values of the wrong type, empty where a value is needed, too large or absurd:
# each must be refused, whatever the field.
WRONG_VALUES = {
    "boolean": ["yes please", [True], {"a": 1}, 2**63],
    "integer": ["abc", "NaN", [1], {"a": 1}, 2**63, 1e308],
    "float": ["abc", "NaN", [1.5], {"a": 1}, 1e308],
    "char": [["a"], {"a": 1}, HUGE, NUL],
    "text": [["a"], {"a": 1}, HUGE, NUL],
    "html": [["a"], {"a": 1}, HUGE, NUL],
    "selection": ["no_such_choice", ["a"], {"a": 1}],
    "date": ["abc", "2026-13-45", [2026], {"a": 1}, 20260101],
    "datetime": ["abc", "2026-02-30 10:00:00", [2026], {"a": 1}, 20260101],
    "many2one": ["abc", [1], {"id": 1}, -1, 2**63, MISSING_ID],
    "many2many": [
        "abc",
        {"a": 1},
        [["x"]],
        [[6, 0, "abc"]],
        [[4, 2**63]],
        [[4, MISSING_ID]],
        [[9, 1]],
    ],
}
WRONG_VALUES["one2many"] = WRONG_VALUES["many2many"]


def short(value):
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


@tagged("post_install", "-at_install")
class TestHostileRpc(LotFefoRecallCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company_a = cls.company
        cls.manager = new_test_user(
            env,
            login="lfr_hostile_manager",
            groups="base.group_system,stock.group_stock_manager,product.group_product_manager,"
            "sales_team.group_sale_manager,lot_fefo_recall.group_quality_manager,"
            "stock.group_production_lot,base.group_partner_manager",
            company_id=cls.company_a.id,
            company_ids=[Command.set(cls.company_a.ids)],
        )
        cls.customer.email = "buyer@bigbox.example.com"
        cls.lot = cls._put_in_stock(cls.product, 50, "HOST-A1", "2030-01-01 10:00:00")
        cls.other_lot = cls._put_in_stock(cls.product, 50, "HOST-A2", "2030-02-01 10:00:00")
        cls.delivery = cls._delivery_with_lot(cls.customer, cls.lot, 5)
        cls.delivery.with_context(skip_expired=True)._action_done()
        cls.rule = env["stock.shelf.life.rule"].create(
            {"partner_id": cls.customer.id, "min_remaining_days": 10}
        )
        Recall = env["stock.recall"]
        cls.recall = Recall.create(
            {"reason": "Hostile input drill", "lot_ids": [Command.set(cls.lot.ids)]}
        )
        cls.recall.action_trace()
        cls.recall.check_level = "a"
        cls.recall.action_draw_checks()
        cls.other_recall = Recall.create(
            {"reason": "Second recall", "lot_ids": [Command.set(cls.other_lot.ids)]}
        )
        cls.recall_customer = cls.recall.customer_ids
        cls.writeoff = env["stock.expiry.writeoff"].create(
            {"company_id": cls.company_a.id, "mode": "report"}
        )
        cls.writeoff_line = env["stock.expiry.writeoff.line"].create(
            {
                "writeoff_id": cls.writeoff.id,
                "lot_id": cls.lot.id,
                "product_id": cls.product.id,
                "location_id": cls.stock_location.id,
                "quantity": 1,
                "action": "reported",
            }
        )
        cls.shelf = env["stock.location"].create(
            {
                "name": "Hostile Shelf",
                "usage": "internal",
                "location_id": cls.warehouse.view_location_id.id,
            }
        )
        cls.quant = env["stock.quant"].search(
            [("lot_id", "=", cls.other_lot.id), ("location_id", "=", cls.stock_location.id)]
        )
        cls._build_company_b()

    @classmethod
    def _build_company_b(cls):
        """Another company's records, of which the manager of company A reads none."""
        env = cls.env
        cls.company_b = env["res.company"].create({"name": "Hostile B Foods"})
        env_b = env(context=dict(env.context, allowed_company_ids=cls.company_b.ids))
        cls.partner_b = env_b["res.partner"].create(
            {"name": "B Only Customer", "company_id": cls.company_b.id}
        )
        cls.product_b = env_b["product.product"].create(
            {
                "name": "B Jam",
                "company_id": cls.company_b.id,
                "is_storable": True,
                "tracking": "lot",
                "use_expiration_date": True,
            }
        )
        cls.lot_b = env_b["stock.lot"].create(
            {"name": "HOST-B1", "product_id": cls.product_b.id, "company_id": cls.company_b.id}
        )
        cls.warehouse_b = env_b["stock.warehouse"].search(
            [("company_id", "=", cls.company_b.id)], limit=1
        )
        cls.picking_b = env_b["stock.picking"].create(
            {
                "picking_type_id": cls.warehouse_b.out_type_id.id,
                "location_id": cls.warehouse_b.lot_stock_id.id,
                "location_dest_id": cls.customer_location.id,
            }
        )
        cls.recall_b = env_b["stock.recall"].create(
            {
                "reason": "B's own recall",
                "lot_ids": [Command.set(cls.lot_b.ids)],
                "company_id": cls.company_b.id,
            }
        )
        cls.unreadable = {
            "res.partner": cls.partner_b,
            "product.product": cls.product_b,
            "stock.lot": cls.lot_b,
            "stock.location": cls.warehouse_b.lot_stock_id,
            "stock.warehouse": cls.warehouse_b,
            "stock.picking": cls.picking_b,
            "stock.recall": cls.recall_b,
            "res.company": cls.company_b,
        }

    # ------------------------------------------------------------------ helpers

    def setUp(self):
        super().setUp()
        self.login(self.manager)

    def login(self, user):
        self.user = user
        self.authenticate(user.login, user.login)

    def rpc(self, model, method, args, context=None, **kwargs):
        """The JSON-RPC answer, as the web client gets it: ``result`` or ``error``."""
        context = dict(
            {"lang": "en_US", "tz": "UTC", "allowed_company_ids": self.user.company_ids.ids},
            **(context or {}),
        )
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "id": 1,
                "params": {
                    "model": model,
                    "method": method,
                    "args": args,
                    "kwargs": dict(kwargs, context=context),
                },
            },
            timeout=60,
        )
        self.assertEqual(response.status_code, 200, response.text[:500])
        self.env.invalidate_all()
        return response.json()

    def assertRefusedInWords(self, answer):
        """The answer is a user or access error in words, not a server error."""
        error = answer.get("error")
        self.assertTrue(error, f"accepted: {short(answer.get('result'))}")
        data = error["data"]
        self.assertIn(data["name"], USER_ERRORS, data["message"][:300])
        self.assertNotRegex(data["message"], TECHNICAL)
        self.assertLess(len(data["message"]), 2000, "the message echoes the whole value")

    def assertNeverServerError(self, answer):
        if "error" in answer:
            self.assertRefusedInWords(answer)

    @staticmethod
    def stored(record, fname):
        record.invalidate_recordset()
        value = record.sudo()[fname]
        if record._fields[fname].type == "many2one":
            return value.id
        return value.ids if record._fields[fname].relational else value

    def own_fields(self, model):
        """The add-on's fields of ``model`` that a write can set."""
        return [
            field
            for field in self.env[model]._fields.values()
            if field._modules[:1] == (MODULE,)
            and field.name not in models.MAGIC_COLUMNS
            and (field.store or field.inverse)
            and field.type in WRONG_VALUES
        ]

    def wrong_values(self, field):
        values = list(WRONG_VALUES[field.type])
        other = self.unreadable.get(field.comodel_name) if field.relational else None
        reader = other and other.with_user(self.user).with_context(
            allowed_company_ids=self.user.company_ids.ids
        )
        # A company is another's when the user does not work in it, readable or not.
        if other and (other == self.company_b or not reader.search_count([("id", "=", other.id)])):
            values.append(other.id if field.type == "many2one" else [[6, 0, other.ids]])
        return values

    def world(self):
        """What a refused call must leave as it was."""
        Recall = self.env["stock.recall"].sudo()
        return {
            "counts": {
                model: self.env[model].sudo().with_context(active_test=False).search_count([])
                for model in (
                    "stock.recall",
                    "stock.recall.line",
                    "stock.recall.customer",
                    "stock.recall.check",
                    "stock.expiry.writeoff",
                    "stock.picking",
                    "stock.scrap",
                    "ir.attachment",
                    "mail.mail",
                    "stock.shelf.life.rule",
                )
            },
            "recalls": Recall.search([]).read(["state", "date_quarantined", "date_notified"]),
            "blocked": self.env["stock.lot"].sudo().search([("is_blocked", "=", True)]).ids,
            "answers": self.recall_customer.sudo().read(["answered_on", "acknowledged"]),
        }

    # ------------------------------------------------------------------ fields

    def test_wrong_values_are_refused_field_by_field(self):
        """Every writable field the add-on owns, on its models and on the core models
        it extends, refuses values of the wrong type, too large or absurd, ids that do
        not exist and ids of records the user may not read: in words, with nothing
        written."""
        targets = [
            self.rule,
            self.recall,
            self.recall_customer,
            self.recall.check_ids[:1],
            self.writeoff,
            self.writeoff_line,
            self.lot,
            self.company_a,
            self.category,
            self.product.product_tmpl_id,
            self.customer,
            self.shelf,
            self.warehouse,
            self.delivery,
            self.delivery.move_ids,
            self.delivery.move_line_ids,
            self.quant,
        ]
        checked = set()
        for record in targets:
            self.assertEqual(len(record), 1, record)
            for field in self.own_fields(record._name):
                checked.add((record._name, field.name))
                before = self.stored(record, field.name)
                for value in self.wrong_values(field):
                    with self.subTest(model=record._name, field=field.name, value=short(value)):
                        answer = self.rpc(record._name, "write", [record.ids, {field.name: value}])
                        self.assertRefusedInWords(answer)
                # Each value was refused: none may have left a trace.
                self.assertEqual(self.stored(record, field.name), before, field.name)
        self.assertIn(("stock.shelf.life.rule", "min_remaining_days"), checked)
        self.assertIn(("res.company", "lot_name_pattern"), checked)
        self.assertIn(("stock.lot", "production_date"), checked)

    def test_wizards_refuse_wrong_values(self):
        """The wizards (and settings) refuse the same values when the web client
        creates them, and create nothing."""
        wizards = {
            "stock.recall.wizard": {
                "mode": "lots",
                "lot_ids": [[6, 0, self.lot.ids]],
                "reason": "Drill",
            },
            "stock.lot.check.wizard": {
                "picking_ids": [[6, 0, self.delivery.ids]],
                "reason": "Checked by hand",
            },
            "stock.expiry.writeoff.wizard": {},
            "stock.xlsx.download": {"name": "export.xlsx"},
            "stock.return.picking": {"picking_id": self.delivery.id},
            "res.config.settings": {},
        }
        for model, base in wizards.items():
            Wizard = self.env[model].sudo()
            answer = self.rpc(model, "create", [base])
            self.assertIn("result", answer, f"{model}: {answer.get('error')}")
            count = Wizard.search_count([])
            company_before = self.company_a.read([f.name for f in self.own_fields("res.company")])
            for field in self.own_fields(model):
                for value in self.wrong_values(field):
                    with self.subTest(model=model, field=field.name, value=short(value)):
                        answer = self.rpc(model, "create", [dict(base, **{field.name: value})])
                        self.assertRefusedInWords(answer)
                        self.assertEqual(Wizard.search_count([]), count)
            self.company_a.invalidate_recordset()
            self.assertEqual(
                self.company_a.read([f.name for f in self.own_fields("res.company")]),
                company_before,
            )

    def test_odd_but_valid_values_are_stored_as_sent(self):
        """Right-to-left text, emoji and combining characters are text like any other:
        accepted and stored as sent. Empty and negative values either pass or are
        refused in words, never with a server error."""
        for record, fname in (
            (self.rule, "note"),
            (self.recall, "reason"),
            (self.recall, "vendor_reference"),
            (self.recall, "resolution_note"),
            (self.lot, "supplier_lot_name"),
            (self.lot, "block_reason"),
            (self.category, "lot_name_pattern"),
            (self.company_a, "lot_name_pattern"),
            (self.customer, "lot_code"),
            (self.recall.check_ids[:1], "note"),
            (self.delivery.move_line_ids, "supplier_lot_name"),
        ):
            with self.subTest(model=record._name, field=fname):
                answer = self.rpc(record._name, "write", [record.ids, {fname: ODD_TEXT}])
                self.assertEqual(answer.get("result"), True, answer.get("error"))
                self.assertEqual(self.stored(record, fname), ODD_TEXT)
        answer = self.rpc(
            "stock.recall.wizard", "create", [{"vendor_lot_text": ODD_TEXT, "mode": "notice"}]
        )
        wizard = self.env["stock.recall.wizard"].browse(answer["result"])
        self.assertEqual(wizard.vendor_lot_text, ODD_TEXT)

        for record, fname, values in (
            (self.rule, "min_remaining_days", [-1, 0, False]),
            (self.rule, "min_remaining_percent", [-1, 101, 0.0]),
            (self.rule, "partner_id", [False, 0]),
            (self.recall, "reason", ["", False, "   "]),
            (self.recall, "lot_ids", [[], [[5]], [[6, 0, []]]]),
            (self.recall, "check_percent", [-1, 1000]),
            (self.recall, "date_notice", [False, "0001-01-01"]),
            (self.company_a, "expiry_horizon_1", [-1, 0]),
            (self.company_a, "expiry_writeoff_grace_days", [-1]),
            (self.company_a, "recall_follow_up_days", [-1, 0]),
            (self.company_a, "lot_name_pattern", ["", "{", "{nope}", "{seq:99}"]),
            (self.category, "receipt_min_shelf_life_days", [-1]),
            (self.product.product_tmpl_id, "receipt_min_shelf_life_days", [-1]),
            (self.recall_customer, "returned_qty", [-1]),
            (self.recall.check_ids[:1], "on_hand_qty", [-1]),
        ):
            before = self.stored(record, fname)
            for value in values:
                with self.subTest(model=record._name, field=fname, value=short(value)):
                    answer = self.rpc(record._name, "write", [record.ids, {fname: value}])
                    self.assertNeverServerError(answer)
                    if "error" in answer:
                        self.assertEqual(self.stored(record, fname), before)
                    else:
                        # Accepted: put the value back for the next one.
                        restore = [Command.set(before)] if isinstance(before, list) else before
                        record.sudo().write({fname: restore})

    # ------------------------------------------------------------------ methods

    def test_public_methods_refuse_bad_arguments(self):
        """Buttons called with no record, several, ids that do not exist, ids of
        another company or absurd ids; exports with broken filters; the recall
        wizard's defaults from a forged context: a user error, nothing done."""
        recall_buttons = [
            "action_trace",
            "action_quarantine",
            "action_send_letters",
            "action_close",
            "action_draw_checks",
            "action_view_affected_lots",
            "action_export_trace_xlsx",
            "action_export_fsma204_xlsx",
            "action_print_letters",
            "action_print_status_report",
            "action_export_status_xlsx",
            "action_view_returns",
        ]
        bad_ids = [[MISSING_ID], [2**63], ["abc"], [-1]]
        cases = []
        for method in recall_buttons:
            cases += [("stock.recall", method, [ids], {}) for ids in bad_ids]
            cases += [
                ("stock.recall", method, [[]], {}),
                ("stock.recall", method, [[self.recall.id, self.other_recall.id]], {}),
                ("stock.recall", method, [self.recall_b.ids], {}),
            ]
        cases += [("stock.recall", "action_cancel", [ids], {}) for ids in bad_ids]
        cases.append(("stock.recall", "action_cancel", [self.recall_b.ids], {}))
        for method in (
            "action_acknowledge",
            "action_create_return",
            "action_view_returns",
            "action_view_invoices",
        ):
            cases += [("stock.recall.customer", method, [ids], {}) for ids in bad_ids]
        cases += [("stock.picking", "action_generate_lot_names", [ids], {}) for ids in bad_ids]
        cases.append(("stock.picking", "action_generate_lot_names", [self.picking_b.ids], {}))
        for model, method in (
            ("stock.recall.wizard", "action_create_recall"),
            ("stock.lot.check.wizard", "action_accept"),
            ("stock.expiry.writeoff.wizard", "action_write_off"),
        ):
            cases += [(model, method, [ids], {}) for ids in [*bad_ids, []]]
        for domain in (
            "abc",
            {"a": 1},
            12345,
            [("no_such_field", "=", 1)],
            [("id", "in", "abc")],
            [("expiration_date", "<", "not a date")],
            ["|"],
        ):
            cases.append(("stock.expiry.report", "export_xlsx", [domain], {}))
            cases.append(
                ("stock.expiry.report", "action_export_xlsx", [[]], {"active_domain": domain})
            )
        # Trace lines and figures are the buttons' to write, whatever the value.
        for line in (self.recall.line_ids[:1], self.recall.product_line_ids[:1]):
            cases.append((line._name, "write", [line.ids, {"product_id": "abc"}], {}))
            cases.append((line._name, "write", [line.ids, {"product_id": self.product.id}], {}))
        for model, method in (
            ("stock.shelf.life.rule", "create"),
            ("stock.recall", "create"),
            ("stock.recall", "write"),
            ("stock.shelf.life.rule", "write"),
        ):
            for vals in ("abc", [["a"]], 12345):
                args = [vals] if method == "create" else [self.rule.ids, vals]
                if model == "stock.recall" and method == "write":
                    args = [self.recall.ids, vals]
                cases.append((model, method, args, {}))
        before = self.world()
        for model, method, args, context in cases:
            with self.subTest(model=model, method=method, args=short(args), context=context):
                answer = self.rpc(model, method, args, context=context)
                self.assertRefusedInWords(answer)
                self.assertEqual(self.world(), before)

        # A stock user may read recalls and rules but not act on them.
        self.login(self.stock_user)
        for model, method, args in (
            ("stock.shelf.life.rule", "write", [self.rule.ids, {"min_remaining_days": 5}]),
            ("stock.shelf.life.rule", "create", [{"min_remaining_days": 5}]),
            ("stock.recall", "write", [self.recall.ids, {"reason": "Changed"}]),
            ("stock.recall", "action_quarantine", [self.recall.ids]),
            ("stock.recall", "action_send_letters", [self.recall.ids]),
            ("stock.recall", "action_cancel", [self.recall.ids]),
            ("stock.recall.customer", "action_acknowledge", [self.recall_customer.ids]),
            ("stock.expiry.writeoff.wizard", "create", [{}]),
            ("stock.lot", "write", [self.lot.ids, {"is_blocked": True}]),
        ):
            with self.subTest(user="stock user", model=model, method=method):
                answer = self.rpc(model, method, args)
                self.assertRefusedInWords(answer)
                self.assertEqual(self.world(), before)
        self.login(self.manager)

        # Odd filters that do run (they match nothing) may export an empty file.
        for domain in ([("product_id", "=", 2**63)], [("quantity", ">", "NaN")]):
            with self.subTest(method="action_export_xlsx", domain=short(domain)):
                answer = self.rpc(
                    "stock.expiry.report", "action_export_xlsx", [[]], {"active_domain": domain}
                )
                self.assertNeverServerError(answer)

        # The recall wizard prefills the lots of its context, only those the user reads.
        for active_ids in ("abc", [2**63], ["x"], {"a": 1}, [MISSING_ID], self.lot_b.ids):
            with self.subTest(method="default_get", active_ids=short(active_ids)):
                answer = self.rpc(
                    "stock.recall.wizard",
                    "default_get",
                    [["lot_ids", "mode"]],
                    context={"active_model": "stock.lot", "active_ids": active_ids},
                )
                self.assertNeverServerError(answer)
                if "result" in answer:
                    commands = answer["result"].get("lot_ids") or []
                    ids = {i for command in commands for i in command[2]}
                    self.assertFalse(ids - set(self.lot.ids + self.other_lot.ids))

    def test_report_routes_refuse_bad_options(self):
        """The report routes pass their options to the add-on's letters: broken
        options answer in words, another company's recall is not rendered."""
        base = "/report/html/lot_fefo_recall.report_recall_letter"
        for docids, options in (
            (self.recall.ids, {"customer_ids": "abc"}),
            (self.recall.ids, {"customer_ids": {"a": 1}}),
            (self.recall.ids, {"customer_ids": 5}),
            (self.recall_b.ids, {}),
            ([MISSING_ID], {}),
        ):
            with self.subTest(docids=docids, options=options):
                url = f"{base}/{','.join(map(str, docids))}"
                if options:
                    url += f"?options={quote(json.dumps(options))}"
                response = self.url_open(url, timeout=60)
                self.assertLess(response.status_code, 500, response.text[:300])
                self.assertNotIn("B&#39;s own recall", response.text)
                self.assertNotIn("HOST-B1", response.text)

    # ------------------------------------------------------------------ portal

    def test_portal_answer_refuses_hostile_posts(self):
        """The customer's answer page: bad tokens and another customer's line find
        nothing; bad quantities and huge or broken text are refused on the page;
        nothing is recorded until a sensible answer comes."""
        customer = self.recall_customer
        token = customer.sudo()._portal_ensure_token()
        other = self.other_recall.sudo()
        other.action_trace()
        self.env["stock.recall.customer"].sudo().create(
            {"recall_id": other.id, "partner_id": self.vendor.id, "shipped_qty": 1}
        )
        other_line = other.customer_ids[:1]
        other_token = other_line._portal_ensure_token()

        def post(line, token, **answer):
            self.authenticate(None, None)
            data = dict({"received": "1", "csrf_token": http.Request.csrf_token(self)}, **answer)
            return self.url_open(
                f"/my/recall/{line}/answer?access_token={quote(str(token))}", data=data, timeout=60
            )

        for line, bad_token in (
            (customer.id, "wrong"),
            (customer.id, ""),
            (customer.id, other_token),
            (customer.id, HUGE[:5000]),
            (customer.id, "\u202e🍓"),
            (other_line.id, token),
            (MISSING_ID, token),
            ("abc", token),
            (-1, token),
        ):
            with self.subTest(line=line, token=short(bad_token)):
                response = post(line, bad_token, on_hand_qty="1")
                self.assertEqual(response.status_code, 404)
                self.assertFalse(customer.sudo().answered_on)
                self.assertFalse(other_line.answered_on)
        for answer, words in (
            ({"on_hand_qty": "abc"}, "is not a quantity"),
            ({"on_hand_qty": "NaN"}, "is not a quantity"),
            ({"on_hand_qty": "Infinity"}, "is not a quantity"),
            ({"on_hand_qty": "-1"}, "can not be negative"),
            ({"on_hand_qty": "1e308"}, "more than"),
            ({"on_hand_qty": str(2**63)}, "more than"),
            ({"on_hand_qty": "1", "return_qty": "2"}, "more than"),
            ({"on_hand_qty": "1", "comment": HUGE}, "at most"),
            ({"on_hand_qty": "1", "comment": "bad\x00byte"}, "character"),
            ({"received": ""}, "confirm that you received"),
        ):
            with self.subTest(answer={key: short(value) for key, value in answer.items()}):
                response = post(customer.id, token, **answer)
                self.assertEqual(response.status_code, 200, response.text[:300])
                self.assertIn(words, response.text)
                customer.invalidate_recordset()
                self.assertFalse(customer.sudo().answered_on)
                self.assertFalse(customer.sudo().answer_comment)
        response = post(customer.id, token, on_hand_qty="2", comment=ODD_TEXT)
        self.assertEqual(response.status_code, 200)
        customer.invalidate_recordset()
        self.assertTrue(customer.sudo().answered_on)
        self.assertEqual(customer.sudo().answer_comment, ODD_TEXT.strip())
        self.assertEqual(customer.sudo().answer_on_hand_qty, 2)
