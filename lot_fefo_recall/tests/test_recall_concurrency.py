import psycopg2
from freezegun import freeze_time

from odoo import Command, api
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from .common import LotFefoRecallCase

# A row lock another transaction holds is waited for this long at most by these tests.
LOCK_TIMEOUT = "500ms"


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 10:00:00")
class TestRecallButtonsTwice(LotFefoRecallCase):
    """Quarantine and Send Letters pressed again with nothing left to do say so, and do
    nothing twice; stock booked on twin quant rows (as core books it under contention)
    is set aside as what it sums to."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.email = "buyer@bigbox.example.com"
        cls.lot = cls._put_in_stock(cls.product, 30, "JAM-9", "2027-01-01 10:00:00")
        cls._done_transfer(cls.lot, 8, cls.stock_location, cls.customer_location, cls.customer)
        cls.manager_env = cls.env(user=cls.quality_manager)

    def _recall(self):
        wizard = (
            self.manager_env["stock.recall.wizard"]
            .with_context(active_model="stock.lot", active_ids=self.lot.ids)
            .create({"reason": "Glass splinters"})
        )
        return self.manager_env["stock.recall"].browse(wizard.action_create_recall()["res_id"])

    def _quarantine_moves(self, recall):
        return self.env["stock.move"].search(
            [("origin", "=", recall.name), ("state", "=", "done")]
        )

    def _stock(self, location):
        return self.env["stock.quant"].search(
            [("lot_id", "=", self.lot.id), ("location_id", "=", location.id)]
        )

    def test_quarantine_twice_says_already_quarantined(self):
        recall = self._recall()
        recall.action_quarantine()
        self.assertEqual(recall.quarantined_qty, 22)
        with self.assertRefused(UserError, "already quarantined"):
            recall.action_quarantine()
        self.assertEqual(recall.quarantined_qty, 22)
        self.assertEqual(sum(self._quarantine_moves(recall).mapped("quantity")), 22)
        self.assertEqual(
            len(recall.message_ids.filtered(lambda m: "Quarantined:" in (m.body or ""))), 1
        )

    def test_quarantine_again_sets_new_stock_aside(self):
        """Stock of the lot found after the quarantine (a return, a count) is set aside
        by pressing Quarantine again: only a press with nothing to do is refused."""
        recall = self._recall()
        recall.action_quarantine()
        self.env["stock.quant"]._update_available_quantity(
            self.product, self.stock_location, 3, lot_id=self.lot
        )
        recall.action_quarantine()
        self.assertEqual(recall.quarantined_qty, 25)
        self.assertEqual(sum(self._stock(self.stock_location).mapped("quantity")), 0)

    def test_send_letters_twice_says_already_queued(self):
        recall = self._recall()
        recall.action_send_letters()
        with self.assertRefused(UserError, "already queued or sent"):
            recall.action_send_letters()
        self.assertEqual(recall.customer_ids.mapped("state"), ["queued"])
        self.assertEqual(
            len(recall.message_ids.filtered(lambda m: "Sending 1 letters" in (m.body or ""))), 1
        )

    def test_quarantine_sets_aside_what_twin_rows_sum_to(self):
        """Under contention core books a shipment on a new quant row of the same stock
        (here -8 beside +30): quarantine moves the 22 there are, not the row's 30."""
        self.env["stock.quant"].sudo().create(
            {
                "product_id": self.product.id,
                "location_id": self.stock_location.id,
                "lot_id": self.lot.id,
                "quantity": -8,
            }
        )
        self.assertEqual(len(self._stock(self.stock_location)), 2)
        recall = self._recall()
        recall.action_quarantine()
        self.assertEqual(recall.quarantined_qty, 14)
        quarantine = self.warehouse.quarantine_location_id
        self.assertEqual(sum(self._stock(quarantine).mapped("quantity")), 14)
        self.assertFalse(
            self._stock(self.stock_location).filtered("quantity"),
            "no row left behind, negative or positive",
        )


@tagged("post_install", "-at_install")
class TestRecallLocks(TransactionCase):
    """Two transactions at once, as two workers run them: data committed by its own
    cursor (the test's transaction would not show it to the others), removed after."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin_id = cls.env.ref("base.user_admin").id

    def _committed(self, build):
        """Run ``build(env)`` as the administrator in its own committed transaction;
        return its result. What it made is removed at the end of the test."""
        with self.registry.cursor() as cr:
            env = api.Environment(
                cr, self.admin_id, {"tracking_disable": True, "mail_create_nolog": True}
            )
            records = build(env)
        self.addCleanup(self._remove, [(r._name, r.ids) for r in records])
        return [(r._name, r.ids) for r in records]

    def _remove(self, refs):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            for model, ids in refs:
                env[model].browse(ids).exists().unlink()

    def _world(self, env):
        # dated: reservations lock the stock they take (stock.quant._lock_stock_to_take)
        product = env["product.product"].create(
            {
                "name": "Lock Jam",
                "is_storable": True,
                "tracking": "lot",
                "use_expiration_date": True,
                "expiration_time": 365,
            }
        )
        lot = env["stock.lot"].create({"name": "LOCK-1", "product_id": product.id})
        stock = env.ref("stock.warehouse0").lot_stock_id
        env["stock.quant"]._update_available_quantity(product, stock, 10, lot_id=lot)
        quant = env["stock.quant"].search([("lot_id", "=", lot.id)])
        recall = env["stock.recall"].create(
            {"lot_ids": [Command.set(lot.ids)], "reason": "Lock test"}
        )
        return [recall, quant, lot, product.product_tmpl_id]

    def _delivery(self, env, product, quantity):
        """A delivery of ``quantity`` of ``product`` from the main warehouse, in ``env``."""
        warehouse = env.ref("stock.warehouse0")
        customers = env.ref("stock.stock_location_customers")
        move = {
            "product_id": product.id,
            "product_uom_qty": quantity,
            "location_id": warehouse.lot_stock_id.id,
            "location_dest_id": customers.id,
        }
        return env["stock.picking"].create(
            {
                "picking_type_id": warehouse.out_type_id.id,
                "location_id": warehouse.lot_stock_id.id,
                "location_dest_id": customers.id,
                "move_ids": [Command.create(move)],
            }
        )

    def test_busy_recall_is_refused_in_words(self):
        """Another user's transaction holds the recall: each button answers at once that
        someone is at it, instead of waiting or doing the work a second time."""
        refs = dict(self._committed(self._world))
        recall_id = refs["stock.recall"][0]
        with self.registry.cursor() as holder, self.registry.cursor() as cr:
            holder.execute(
                "SELECT id FROM stock_recall WHERE id = %s FOR NO KEY UPDATE", [recall_id]
            )
            recall = api.Environment(cr, self.admin_id, {})["stock.recall"].browse(recall_id)
            # were the buttons to wait for the lock, the test would fail, not hang
            cr.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            for button, words in (
                ("action_trace", "tracing"),
                ("action_quarantine", "quarantining"),
                ("action_send_letters", "sending the letters"),
                ("action_close", "closing"),
                ("action_cancel", "cancelling"),
            ):
                with self.assertRaisesRegex(UserError, f"Another user is {words}"):
                    getattr(recall, button)()
            self.assertEqual(recall.state, "draft")
            cr.rollback()
            holder.rollback()

    def test_recall_changed_meanwhile_is_left_to_odoo_to_retry(self):
        """A recall another transaction changed since this one began is a serialization
        failure, which Odoo's request loop retries: it is not turned into a message."""
        refs = dict(self._committed(self._world))
        recall_id = refs["stock.recall"][0]
        with self.registry.cursor() as cr:
            recall = api.Environment(cr, self.admin_id, {})["stock.recall"].browse(recall_id)
            # this transaction's snapshot is taken here, before the other one commits
            self.assertEqual(recall.state, "draft")
            with self.registry.cursor() as other:
                other.execute(
                    "UPDATE stock_recall SET vendor_reference = 'N-1' WHERE id = %s", [recall_id]
                )
            with self.assertRaises(psycopg2.errors.SerializationFailure):
                recall.action_trace()
            cr.rollback()

    def test_reservation_waits_for_stock_another_holds(self):
        """A delivery reserving a lot another transaction is booking waits for it, rather
        than book the lot again on a new quant row (core's SKIP LOCKED) and promise more
        than is on hand."""
        refs = dict(self._committed(self._world))
        quant_id = refs["stock.quant"][0]
        with self.registry.cursor() as holder, self.registry.cursor() as cr:
            holder.execute(
                "SELECT id FROM stock_quant WHERE id = %s FOR NO KEY UPDATE", [quant_id]
            )
            env = api.Environment(cr, self.admin_id, {})
            quant = env["stock.quant"].browse(quant_id)
            picking = self._delivery(env, quant.product_id, 6)
            cr.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            with self.assertRaises(psycopg2.errors.LockNotAvailable):
                picking.action_confirm()
            cr.rollback()
            holder.rollback()

    def _world_two_lots(self, env):
        records = self._world(env)
        product = records[2].product_id
        later = env["stock.lot"].create({"name": "LOCK-2", "product_id": product.id})
        stock = env.ref("stock.warehouse0").lot_stock_id
        env["stock.quant"]._update_available_quantity(product, stock, 10, lot_id=later)
        quant = env["stock.quant"].search([("lot_id", "=", later.id)])
        return [records[0], records[1] | quant, records[2] | later, records[3]]

    def test_reservation_takes_free_lot_when_it_covers_the_need(self):
        """A lot another transaction is booking is passed over, without waiting, when
        the free lots cover the delivery: no request waits and then fails to be retried."""
        refs = dict(self._committed(self._world_two_lots))
        first_quant, second_quant = refs["stock.quant"]
        with self.registry.cursor() as holder, self.registry.cursor() as cr:
            holder.execute(
                "SELECT id FROM stock_quant WHERE id = %s FOR NO KEY UPDATE", [first_quant]
            )
            env = api.Environment(cr, self.admin_id, {})
            quant = env["stock.quant"].browse(second_quant)
            picking = self._delivery(env, quant.product_id, 6)
            # were the reservation to wait for the held lot, the test would fail, not hang
            cr.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            picking.action_confirm()
            self.assertEqual(picking.move_ids.move_line_ids.lot_id, quant.lot_id)
            self.assertEqual(picking.move_ids.quantity, 6)
            cr.rollback()
            holder.rollback()

    # --- what a reservation locks ------------------------------------------------------
    LOTS = 30

    def _world_many_lots(self, env):
        """A dated product with LOTS lots of 1 unit in stock, the first to expire first."""
        records = self._world(env)
        recall, quant, lot, template = records
        product = lot.product_id
        stock = env.ref("stock.warehouse0").lot_stock_id
        quant.sudo().unlink()
        lots = env["stock.lot"].create(
            [
                {
                    "name": f"MANY-{n:02d}",
                    "product_id": product.id,
                    "expiration_date": f"2030-01-{n + 1:02d} 10:00:00",
                }
                for n in range(self.LOTS)
            ]
        )
        for each in lots:
            env["stock.quant"]._update_available_quantity(product, stock, 1, lot_id=each)
        quants = env["stock.quant"].search([("product_id", "=", product.id)])
        return [recall, quants, lot | lots, template]

    def _world_untracked(self, env):
        """A product without lots, 5 units in each of three shelves of the stock."""
        stock = env.ref("stock.warehouse0").lot_stock_id
        product = env["product.product"].create({"name": "Lock Salt", "is_storable": True})
        shelves = env["stock.location"].create(
            [{"name": f"Lock Shelf {n}", "location_id": stock.id} for n in range(3)]
        )
        for shelf in shelves:
            env["stock.quant"]._update_available_quantity(product, shelf, 5)
        quants = env["stock.quant"].search([("product_id", "=", product.id)])
        return [quants, shelves, product.product_tmpl_id]

    def _rows_held(self, product_id):
        """Ids of the quant rows of ``product_id`` another transaction holds, seen from a
        transaction of its own (PostgreSQL lists row locks nowhere else)."""
        with self.registry.cursor() as probe:
            probe.execute("SELECT id FROM stock_quant WHERE product_id = %s", [product_id])
            rows = {row[0] for row in probe.fetchall()}
            probe.execute(
                "SELECT id FROM stock_quant WHERE product_id = %s FOR NO KEY UPDATE SKIP LOCKED",
                [product_id],
            )
            free = {row[0] for row in probe.fetchall()}
            probe.rollback()
        return rows - free

    def test_reservation_locks_only_the_lot_it_takes(self):
        """Reserving 1 unit of a product with many lots locks the row of the lot it
        takes, not every lot of the product until the transaction ends."""
        refs = dict(self._committed(self._world_many_lots))
        quants = refs["stock.quant"]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.admin_id, {})
            product = env["stock.quant"].browse(quants[0]).product_id
            picking = self._delivery(env, product, 1)
            picking.action_confirm()
            taken = picking.move_ids.move_line_ids
            self.assertEqual(taken.lot_id.name, "MANY-00", "FEFO: the first to expire")
            held = env["stock.quant"].browse(self._rows_held(product.id))
            self.assertEqual(held.lot_id, taken.lot_id, f"{len(held)} rows held")
            cr.rollback()

    def test_reservation_of_another_lot_does_not_wait(self):
        """Two users reserving the same product at once each take a lot of their own:
        the second neither waits for the first nor books on the first one's lot."""
        refs = dict(self._committed(self._world_many_lots))
        quants = refs["stock.quant"]
        with self.registry.cursor() as first_cr, self.registry.cursor() as cr:
            first_env = api.Environment(first_cr, self.admin_id, {})
            product = first_env["stock.quant"].browse(quants[0]).product_id
            first = self._delivery(first_env, product, 1)
            first.action_confirm()
            env = api.Environment(cr, self.admin_id, {})
            picking = self._delivery(env, product.with_env(env), 1)
            # were the reservation to wait for the first user, the test would fail, not hang
            cr.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            picking.action_confirm()
            self.assertEqual(picking.move_ids.quantity, 1)
            self.assertEqual(picking.move_ids.move_line_ids.lot_id.name, "MANY-01")
            self.assertEqual(first.move_ids.move_line_ids.lot_id.name, "MANY-00")
            cr.rollback()
            first_cr.rollback()

    def test_scarce_lot_reserved_by_another_is_waited_for(self):
        """Two users reserving more than the one lot holds: the second waits for the
        first (then Odoo retries it on what is left), never books the lot a second
        time on a new quant row."""
        refs = dict(self._committed(self._world))
        quant_id = refs["stock.quant"][0]
        with self.registry.cursor() as first_cr, self.registry.cursor() as cr:
            first_env = api.Environment(first_cr, self.admin_id, {})
            product = first_env["stock.quant"].browse(quant_id).product_id
            first = self._delivery(first_env, product, 6)
            first.action_confirm()
            self.assertEqual(first.move_ids.quantity, 6)
            env = api.Environment(cr, self.admin_id, {})
            picking = self._delivery(env, product.with_env(env), 6)
            cr.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            with self.assertRaises(psycopg2.errors.LockNotAvailable):
                picking.action_confirm()
            cr.rollback()
            first_cr.rollback()

    def test_reservation_of_untracked_product_locks_as_core(self):
        """A product without lots reserves as core does: only the row core books the
        reservation on is locked, not the product's other rows."""
        refs = dict(self._committed(self._world_untracked))
        quants = refs["stock.quant"]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.admin_id, {})
            product = env["stock.quant"].browse(quants[0]).product_id
            picking = self._delivery(env, product, 1)
            picking.action_confirm()
            self.assertEqual(picking.move_ids.quantity, 1)
            held = env["stock.quant"].browse(self._rows_held(product.id))
            self.assertEqual(len(held), 1, f"rows held: {held.location_id.mapped('name')}")
            self.assertEqual(held.reserved_quantity, 1)
            cr.rollback()
