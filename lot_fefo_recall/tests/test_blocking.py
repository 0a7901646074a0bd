from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import LotFefoRecallCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 10:00:00")
class TestBlocking(LotFefoRecallCase):
    """Blocking a lot, by hand or by a recall's quarantine, takes it out of every open
    transfer, picked or not, and reserves those transfers again with other lots."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2026-06-01 10:00:00"):
            cls.lot_a = cls._put_in_stock(cls.product, 10, "L-A", "2026-08-01 10:00:00")
            cls.lot_b = cls._put_in_stock(cls.product, 10, "L-B", "2026-09-01 10:00:00")
            cls.lot_c = cls._put_in_stock(cls.product, 10, "L-C", "2026-10-01 10:00:00")
        cls.picker = cls.stock_user

    def _deliver(self, quantity, picking_type=None, location_dest=None):
        picking = self._new_delivery(
            self.customer,
            [(self.product, quantity)],
            picking_type=picking_type,
            location_dest=location_dest,
        )
        picking.action_assign()
        return picking

    def _block(self, lot, reason="Mould found"):
        with Form(lot.with_user(self.quality_manager)) as form:
            form.is_blocked = True
            form.block_reason = reason

    def _lines_of(self, lot):
        return self.env["stock.move.line"].search(
            [("lot_id", "=", lot.id), ("state", "not in", ("done", "cancel"))]
        )

    def _assert_no_over_reservation(self):
        quants = self.env["stock.quant"].search([("product_id", "=", self.product.id)])
        for quant in quants:
            self.assertLessEqual(
                quant.reserved_quantity, max(quant.quantity, 0), quant.lot_id.name
            )

    def _recall(self, lots):
        recall = (
            self.env["stock.recall"]
            .with_user(self.quality_manager)
            .create({"lot_ids": [Command.set(lots.ids)], "reason": "Listeria"})
        )
        recall.action_trace()
        return recall

    # ------------------------------------------------------------------ blocking

    def test_blocking_releases_open_reservations(self):
        delivery = self._deliver(8)
        internal = self._deliver(
            5, picking_type=self.warehouse.int_type_id, location_dest=self.stock_location
        )
        self.assertEqual(self._reserved(delivery), {"L-A": 8})
        self.assertEqual(self._reserved(internal), {"L-A": 2, "L-B": 3})

        self._block(self.lot_a)

        self.assertFalse(self._lines_of(self.lot_a), "no open transfer holds the blocked lot")
        self.assertEqual(delivery.move_ids.quantity, 8, "reserved again from other lots")
        self.assertEqual(internal.move_ids.quantity, 5)
        self.assertEqual(delivery.state, "assigned")
        self.assertNotIn("L-A", self._reserved(delivery) | self._reserved(internal))
        quant_a = self.env["stock.quant"].search([("lot_id", "=", self.lot_a.id)])
        self.assertEqual(quant_a.reserved_quantity, 0)
        self._assert_no_over_reservation()
        note = self.lot_a.message_ids.filtered(lambda m: delivery.name in (m.body or ""))
        self.assertTrue(note, "the lot's chatter names the transfers affected")
        self.assertIn(internal.name, note.body)
        self.assertTrue(
            delivery.message_ids.filtered(lambda m: "L-A" in (m.body or "")),
            "the transfer says why its lots changed",
        )
        self.assertFalse(delivery.activity_ids, "nothing was picked: no one to warn")

    def test_blocking_releases_picked_lines(self):
        delivery = self._deliver(8)
        delivery.user_id = self.picker
        delivery.move_ids.picked = True
        self._block(self.lot_a)
        self.assertFalse(self._lines_of(self.lot_a))
        self.assertEqual(self._reserved(delivery), {"L-B": 8})
        self.assertFalse(delivery.move_ids.picked, "what is reserved now was not picked yet")
        self._assert_no_over_reservation()
        activity = delivery.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.picker)
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_todo"))
        self.assertIn("L-A", activity.note)

    def test_blocking_partly_picked_move(self):
        """The picker took 10 of L-A and 5 of L-B: L-A is released and the move is
        reserved again in full, to be picked again."""
        delivery = self._deliver(15)
        delivery.move_ids.picked = True
        self._block(self.lot_a)
        self.assertEqual(self._reserved(delivery), {"L-B": 10, "L-C": 5})
        self.assertFalse(delivery.move_line_ids.filtered("picked"))
        self.assertTrue(delivery.activity_ids)
        self._assert_no_over_reservation()

    def test_stock_user_can_not_block(self):
        delivery = self._deliver(8)
        with self.assertRefused(AccessError, "Only quality managers can change Blocked"):
            self.lot_a.with_user(self.stock_user).is_blocked = True
        self.assertFalse(self.lot_a.is_blocked)
        self.assertEqual(self._reserved(delivery), {"L-A": 8}, "nothing released")

    def test_unblocking_reserves_nothing_by_itself(self):
        self._block(self.lot_a)
        delivery = self._deliver(8)
        self.assertEqual(self._reserved(delivery), {"L-B": 8})
        self.lot_a.with_user(self.quality_manager).is_blocked = False
        self.assertEqual(self._reserved(delivery), {"L-B": 8})

    # ---------------------------------------------------------------- quarantine

    def test_quarantine_releases_picked_delivery(self):
        """The bug of issue #9: quarantine left the picked delivery on the lot and a
        quant with 0 on hand and 8 reserved in WH/Stock."""
        delivery = self._deliver(8)
        delivery.move_ids.picked = True
        recall = self._recall(self.lot_a)
        recall.with_user(self.quality_manager).action_quarantine()
        self.assertEqual(recall.quarantined_qty, 10)
        self.assertFalse(self._lines_of(self.lot_a))
        self._assert_no_over_reservation()
        stock_quant_a = self.env["stock.quant"].search(
            [("lot_id", "=", self.lot_a.id), ("location_id", "=", self.stock_location.id)]
        )
        self.assertFalse(stock_quant_a.quantity or stock_quant_a.reserved_quantity)
        self.assertEqual(self._reserved(delivery), {"L-B": 8})
        self.assertEqual(len(delivery.activity_ids), 1, "the picker is told to put L-A back")
        self.assertIn(delivery.name, self.lot_a.message_ids[0].body)

    def test_quarantine_refuses_when_another_company_holds_the_lot(self):
        """Lots of products shared between companies are blocked everywhere: a quality
        manager who can not change the other company's transfers can not release them,
        so the quarantine refuses, naming the transfers, and changes nothing."""
        other_company = self.env["res.company"].create({"name": "Jam Export Ltd"})
        other_warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", other_company.id)], limit=1
        )
        self.env["stock.quant"].with_company(other_company)._update_available_quantity(
            self.product, other_warehouse.lot_stock_id, 4, lot_id=self.lot_a
        )
        foreign = (
            self.env["stock.picking"]
            .with_company(other_company)
            .create(
                {
                    "picking_type_id": other_warehouse.out_type_id.id,
                    "partner_id": self.customer.id,
                    "location_id": other_warehouse.lot_stock_id.id,
                    "location_dest_id": self.customer_location.id,
                    "move_ids": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "product_uom_qty": 4,
                                "location_id": other_warehouse.lot_stock_id.id,
                                "location_dest_id": self.customer_location.id,
                            }
                        )
                    ],
                }
            )
        )
        foreign.action_confirm()
        foreign.action_assign()
        foreign.move_ids.picked = True
        self.assertEqual(self._reserved(foreign), {"L-A": 4})
        delivery = self._deliver(8)
        recall = self._recall(self.lot_a)
        with self.assertRefused(UserError, f"failed and nothing was changed: .*{foreign.name}"):
            recall.with_user(self.quality_manager).action_quarantine()
        self.assertFalse(self.lot_a.is_blocked)
        self.assertEqual(self._reserved(delivery), {"L-A": 8})
        self.assertEqual(self._reserved(foreign), {"L-A": 4})
        self.assertEqual(recall.state, "traced")
