from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import LotFefoRecallCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 10:00:00")
class TestLotDossier(LotFefoRecallCase):
    """A lot received from ABC Corp, shipped to three customers (30, 20 and 10 units),
    10 - 5 returned by the smallest one, then blocked and recalled."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.customer_b = Partner.create({"name": "Corner Shop", "is_company": True})
        cls.customer_c = Partner.create({"name": "Village Deli", "is_company": True})
        cls.lot = cls.env["stock.lot"].create(
            {
                "name": "DOSSIER-1",
                "product_id": cls.product.id,
                "expiration_date": "2026-09-01 10:00:00",
            }
        )
        cls.receipt = cls._done_transfer(
            cls.lot, 100, cls.supplier_location, cls.stock_location, cls.vendor
        )
        cls.deliveries = {
            partner: cls._done_transfer(
                cls.lot, quantity, cls.stock_location, cls.customer_location, partner
            )
            for partner, quantity in (
                (cls.customer, 30),
                (cls.customer_b, 20),
                (cls.customer_c, 10),
            )
        }
        cls.return_picking = cls._done_transfer(
            cls.lot, 5, cls.customer_location, cls.stock_location, cls.customer_c
        )
        cls.lot.write({"is_blocked": True, "block_reason": "Mould found"})
        cls.recall = cls.env["stock.recall"].create(
            {"reason": "Mould", "lot_ids": [Command.set(cls.lot.ids)]}
        )

    def _edges(self, data):
        return {
            (edge["source"], edge["target"]): (edge["quantity"], edge["kind"], edge["uom"])
            for edge in data["edges"]
        }

    def test_graph_from_vendor_to_customers_and_back(self):
        data = self.lot.get_dossier_data()
        nodes = {node["id"]: node for node in data["nodes"]}
        lot_id = f"lot-{self.lot.id}"
        receipt_id = f"receipt-{self.receipt.id}"
        return_id = f"return-{self.return_picking.id}"
        deliveries = {
            partner: f"delivery-{picking.id}" for partner, picking in self.deliveries.items()
        }
        self.assertEqual(
            set(nodes),
            {
                f"vendor-{self.vendor.id}",
                receipt_id,
                lot_id,
                return_id,
                *deliveries.values(),
                *(f"customer-{partner.id}" for partner in self.deliveries),
            },
        )
        lot_node = nodes[lot_id]
        self.assertTrue(lot_node["focus"])
        self.assertTrue(lot_node["blocked"])
        self.assertTrue(lot_node["recalled"])
        self.assertEqual((lot_node["model"], lot_node["res_id"]), ("stock.lot", self.lot.id))
        self.assertEqual([node["id"] for node in data["nodes"] if node["focus"]], [lot_id])
        self.assertEqual(nodes[receipt_id]["label"], self.receipt.name)
        self.assertEqual(nodes[receipt_id]["model"], "stock.picking")
        self.assertEqual(nodes[receipt_id]["sublabel"], "2026-06-01 · 100 Units")
        self.assertEqual(nodes[f"customer-{self.customer_b.id}"]["label"], "Corner Shop")
        self.assertEqual(nodes[return_id]["kind"], "return")
        edges = self._edges(data)
        self.assertEqual(
            edges,
            {
                (f"vendor-{self.vendor.id}", receipt_id): (100, "in", "Units"),
                (receipt_id, lot_id): (100, "in", "Units"),
                (lot_id, deliveries[self.customer]): (30, "out", "Units"),
                (deliveries[self.customer], f"customer-{self.customer.id}"): (30, "out", "Units"),
                (lot_id, deliveries[self.customer_b]): (20, "out", "Units"),
                (deliveries[self.customer_b], f"customer-{self.customer_b.id}"): (
                    20,
                    "out",
                    "Units",
                ),
                (lot_id, deliveries[self.customer_c]): (10, "out", "Units"),
                (deliveries[self.customer_c], f"customer-{self.customer_c.id}"): (
                    10,
                    "out",
                    "Units",
                ),
                (f"customer-{self.customer_c.id}", return_id): (5, "return", "Units"),
                (return_id, lot_id): (5, "return", "Units"),
            },
        )
        self.assertEqual(data["groups"], {})

    def test_register_facts_and_stock(self):
        data = self.lot.get_dossier_data()
        facts = data["lot"]
        self.assertEqual(facts["name"], "DOSSIER-1")
        self.assertEqual(facts["product"], [self.product.id, self.product.display_name])
        self.assertEqual(facts["vendor"], [self.vendor.id, self.vendor.display_name])
        self.assertEqual(facts["days_left"], 92)
        self.assertTrue(facts["expiration_date"].startswith("2026-09-01"))
        self.assertTrue(facts["is_blocked"])
        self.assertEqual(facts["block_reason"], "Mould found")
        self.assertEqual(
            [(recall["id"], recall["state"]) for recall in facts["recalls"]],
            [(self.recall.id, "draft")],
        )
        self.assertEqual(facts["uom"], "Units")
        self.assertIsInstance(facts["complaint_count"], int)
        self.assertTrue(0 <= facts["return_rate"] <= 100)
        self.assertEqual(
            [(row["location_id"], row["quantity"]) for row in data["on_hand"]],
            [(self.stock_location.id, 45)],
        )

    def test_cancelled_or_mock_recall_does_not_mark_the_lot(self):
        self.recall.sudo().state = "cancelled"
        data = self.lot.get_dossier_data()
        lot_node = next(node for node in data["nodes"] if node["focus"])
        self.assertFalse(lot_node["recalled"])
        self.assertEqual(data["lot"]["recalls"], [])

    def test_customers_beyond_the_threshold_are_grouped(self):
        data = self.lot.get_dossier_data(customer_threshold=2)
        lot_id = f"lot-{self.lot.id}"
        hidden = {
            f"customer-{self.customer_c.id}",
            f"delivery-{self.deliveries[self.customer_c].id}",
            f"return-{self.return_picking.id}",
        }
        ids = {node["id"] for node in data["nodes"]}
        self.assertFalse(ids & hidden)
        self.assertIn(f"customer-{self.customer_b.id}", ids)
        group = next(node for node in data["nodes"] if node["kind"] == "group")
        self.assertEqual(group["id"], "group-customers")
        self.assertEqual(group["count"], 1)
        self.assertEqual(group["label"], "1 more customers")
        self.assertFalse(group["res_id"])
        edges = self._edges(data)
        self.assertEqual(edges[lot_id, "group-customers"], (10, "out", "Units"))
        self.assertEqual(edges["group-customers", lot_id], (5, "return", "Units"))
        hidden_payload = data["groups"]["group-customers"]
        self.assertEqual({node["id"] for node in hidden_payload["nodes"]}, hidden)
        self.assertEqual(len(hidden_payload["edges"]), 4)

        data = self.lot.get_dossier_data(customer_threshold=1)
        group = next(node for node in data["nodes"] if node["kind"] == "group")
        self.assertEqual(group["count"], 2)
        self.assertEqual(self._edges(data)[lot_id, "group-customers"], (30, "out", "Units"))
        self.assertIn(f"customer-{self.customer.id}", {node["id"] for node in data["nodes"]})
        # a threshold that is no number of customers keeps at least one, or the default
        for threshold, shown in ((0, 1), (-5, 1), ("many", 3), (None, 3)):
            data = self.lot.get_dossier_data(customer_threshold=threshold)
            customers = [node for node in data["nodes"] if node["kind"] == "customer"]
            self.assertEqual(len(customers), shown, threshold)

    def test_query_count_does_not_grow_with_deliveries(self):
        Partner = self.env["res.partner"]

        def lot_shipped(name, count):
            lot = self.env["stock.lot"].create({"name": name, "product_id": self.product.id})
            self._done_transfer(
                lot, count, self.supplier_location, self.stock_location, self.vendor
            )
            customers = Partner.create([{"name": f"{name} customer {i}"} for i in range(count)])
            for customer in customers:
                self._done_transfer(lot, 1, self.stock_location, self.customer_location, customer)
            return lot

        def queries(lot):
            lot.get_dossier_data()  # warm the registry's caches
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            data = lot.get_dossier_data(customer_threshold=10)
            return self.env.cr.sql_log_count - before, data

        few, few_data = queries(lot_shipped("FEW", 3))
        many, many_data = queries(lot_shipped("MANY", 30))
        self.assertEqual(len([n for n in few_data["nodes"] if n["kind"] == "delivery"]), 3)
        self.assertEqual(len(many_data["groups"]["group-customers"]["nodes"]), 40)
        self.assertEqual(few, many)

    def test_stock_user_reads_the_dossier_without_manager_actions(self):
        data = self.lot.with_user(self.stock_user).get_dossier_data()
        self.assertEqual(
            data["actions"],
            {"can_recall": False, "can_block": False, "can_print": True, "can_export": True},
        )
        data = self.lot.with_user(self.quality_manager).get_dossier_data()
        self.assertEqual(
            data["actions"],
            {"can_recall": True, "can_block": True, "can_print": True, "can_export": True},
        )

    def test_open_dossier(self):
        action = self.lot.action_open_dossier()
        self.assertEqual(action["type"], "ir.actions.client")
        self.assertEqual(action["tag"], "lot_fefo_recall.lot_dossier")
        self.assertEqual(action["params"], {"lot_id": self.lot.id})
        self.assertEqual(action["name"], "Dossier DOSSIER-1")

    def test_recall_from_the_dossier(self):
        action = self.lot.with_user(self.quality_manager).action_dossier_recall()
        self.assertEqual(action["res_model"], "stock.recall.wizard")
        wizard = (
            self.env["stock.recall.wizard"]
            .with_user(self.quality_manager)
            .with_context(**action["context"])
            .new({})
        )
        defaults = wizard.default_get(["lot_ids", "mode"])
        self.assertEqual(defaults["mode"], "lots")
        self.assertEqual(defaults["lot_ids"], [Command.set(self.lot.ids)])
        with self.assertRaisesRegex(AccessError, "Only quality managers launch the recall"):
            self.lot.with_user(self.stock_user).action_dossier_recall()

    def test_block_and_unblock_with_a_reason(self):
        lot = self.lot.with_user(self.quality_manager)
        lot.action_dossier_unblock("  Lab test negative ")
        self.assertFalse(self.lot.is_blocked)
        self.assertFalse(self.lot.block_reason)
        self.assertIn("Lab test negative", self.lot.message_ids[0].body)
        lot.action_dossier_block("Customer complaint")
        self.assertTrue(self.lot.is_blocked)
        self.assertEqual(self.lot.block_reason, "Customer complaint")
        self.assertIn("Customer complaint", self.lot.message_ids[0].body)

    def test_block_refused(self):
        self.lot.write({"is_blocked": False, "block_reason": False})
        messages = self.lot.message_ids
        lot = self.lot.with_user(self.quality_manager)
        for reason in (None, "", "   ", 42):
            with self.assertRefused(UserError, "Say why lot DOSSIER-1 is blocked"):
                lot.action_dossier_block(reason)
        with self.assertRefused(AccessError, "Only quality managers block lot DOSSIER-1"):
            self.lot.with_user(self.stock_user).action_dossier_block("Mould")
        self.assertFalse(self.lot.is_blocked)
        self.assertFalse(self.lot.block_reason)
        self.assertEqual(self.lot.message_ids, messages)

    def test_unblock_refused(self):
        messages = self.lot.message_ids
        with self.assertRefused(UserError, "Say why lot DOSSIER-1 is released"):
            self.lot.with_user(self.quality_manager).action_dossier_unblock(" ")
        with self.assertRefused(AccessError, "Only quality managers unblock lot DOSSIER-1"):
            self.lot.with_user(self.stock_user).action_dossier_unblock("Fine")
        self.assertTrue(self.lot.is_blocked)
        self.assertEqual(self.lot.block_reason, "Mould found")
        self.assertEqual(self.lot.message_ids, messages)
        with self.assertRefused(UserError, "already blocked"):
            self.lot.with_user(self.quality_manager).action_dossier_block("Again")

    def test_print_labels_and_export(self):
        action = self.lot.with_user(self.stock_user).action_dossier_print_labels()
        self.assertEqual(action["type"], "ir.actions.report")
        self.assertEqual(action["report_name"], "lot_fefo_recall.report_stock_lot_gs1_label")
        self.assertEqual(action["context"]["active_ids"], self.lot.ids)
        action = self.lot.with_user(self.quality_manager).action_dossier_export()
        self.assertEqual(action["type"], "ir.actions.act_url")
        action = self.lot.with_user(self.stock_user).action_dossier_export()
        self.assertEqual(action["type"], "ir.actions.act_url")
