from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .recall_strategy_world import RecallStrategyCase


@tagged("post_install", "-at_install")
class TestRecallEffectiveness(RecallStrategyCase):
    """Effectiveness per product: each unit counted once, only after the recall started,
    never above 100 %, never adding jars to kilograms."""

    def test_figures_per_product_from_the_start_of_the_recall(self):
        recall = self._recall()
        jam, pulp = self._line(recall, self.product), self._line(recall, self.pulp)
        self.assertEqual(len(recall.product_line_ids), 2)
        self.assertEqual((jam.shipped_qty, jam.on_hand_qty, jam.affected_qty), (56, 39, 95))
        self.assertEqual((pulp.shipped_qty, pulp.on_hand_qty, pulp.affected_qty), (10, 40, 50))
        self.assertEqual(pulp.uom_id, self.kg)
        # the scrap and the return before the recall count for nothing
        self.assertEqual((jam.scrapped_qty, jam.returned_qty, jam.corrected_qty), (0, 0, 0))
        self.assertEqual(recall.effectiveness, 0)

    def test_start_is_not_written_by_hand(self):
        recall = self._recall()
        with self.assertRefused(UserError, "date_start|Started On"):
            recall.with_user(self.quality_manager).date_start = "2026-05-01 00:00:00"
        self.assertEqual(recall.date_start.isoformat(), "2026-06-02T08:00:00")

    def test_quarantined_then_scrapped_counts_once(self):
        recall = self._recall()
        recall.with_user(self.quality_manager).action_quarantine()
        jam = self._line(recall, self.product)
        self.assertEqual(jam.quarantined_qty, 39)
        with freeze_time("2026-06-03 10:00:00"):
            self._scrap(self.jam_lot, 10, self.warehouse.quarantine_location_id)
        jam.invalidate_recordset()
        self.assertEqual((jam.quarantined_qty, jam.scrapped_qty), (29, 10))
        self.assertEqual(jam.corrected_qty, 39)
        self.assertAlmostEqual(jam.effectiveness, 100.0 * 39 / 95, places=1)
        self.assertEqual(self._line(recall, self.pulp).effectiveness, 80)
        self.assertAlmostEqual(recall.effectiveness, 41.1, msg="the jam, the lowest")

    def test_never_above_hundred_percent(self):
        recall = self._recall()
        recall.with_user(self.quality_manager).action_quarantine()
        for customer in recall.customer_ids:
            # more than they ever received
            customer.returned_qty = customer.shipped_qty + 50
        jam, pulp = self._line(recall, self.product), self._line(recall, self.pulp)
        self.assertEqual((jam.corrected_qty, jam.effectiveness), (95, 100))
        self.assertEqual((pulp.corrected_qty, pulp.effectiveness), (50, 100))
        self.assertEqual(recall.effectiveness, 100)

    def test_products_never_added_up(self):
        """The recall is as effective as its least recovered product, not a mix of jars
        and kilograms; what a customer declared is shared among the products it got."""
        recall = self._recall()
        recall.with_user(self.quality_manager).action_quarantine()
        for customer in recall.customer_ids.filtered(lambda c: c.partner_id != self.customer):
            customer.returned_qty = customer.shipped_qty
        big_box = recall.customer_ids.filtered(lambda c: c.partner_id == self.customer)
        # Big Box got 30 jars and 10 kg: its 30 declared go 3/4 to jam, 1/4 to pulp
        big_box.returned_qty = 30
        jam, pulp = self._line(recall, self.product), self._line(recall, self.pulp)
        self.assertAlmostEqual(jam.destroyed_qty, 16 + 10 + 22.5)
        self.assertAlmostEqual(pulp.destroyed_qty, 7.5)
        self.assertAlmostEqual(pulp.effectiveness, 95.0)
        self.assertAlmostEqual(jam.effectiveness, 100.0 * (39 + 48.5) / 95, places=1)
        self.assertAlmostEqual(recall.effectiveness, jam.effectiveness)

    def test_returns_after_the_recall_count_where_they_land(self):
        recall = self._recall()
        recall.with_user(self.quality_manager).action_quarantine()
        with freeze_time("2026-06-03 10:00:00"):
            self._return(self.gift_jam, self.jam_lot, 10)
            recall.action_trace()
        jam = self._line(recall, self.product)
        # tracing again after the return does not move the base of the figures
        self.assertEqual((jam.shipped_qty, jam.on_hand_qty, jam.affected_qty), (56, 39, 95))
        self.assertEqual(jam.returned_qty, 10)
        # the return went to stock, not to quarantine: it is not yet set aside
        self.assertEqual(jam.corrected_qty, 39)

    def test_vendor_return_after_the_recall_counts(self):
        recall = self._recall(lots=self.pulp_lot)
        with freeze_time("2026-06-03 10:00:00"):
            picking = self.env["stock.picking"].create(
                {
                    "picking_type_id": self.warehouse.out_type_id.id,
                    "partner_id": self.vendor.id,
                    "location_id": self.stock_location.id,
                    "location_dest_id": self.supplier_location.id,
                    "move_ids": [
                        (
                            0,
                            0,
                            {
                                "product_id": self.pulp.id,
                                "product_uom_qty": 40,
                                "location_id": self.stock_location.id,
                                "location_dest_id": self.supplier_location.id,
                            },
                        )
                    ],
                }
            )
            picking.action_confirm()
            picking.action_assign()
            picking.move_line_ids.picked = True
            picking._action_done()
        pulp = self._line(recall, self.pulp)
        self.assertEqual((pulp.vendor_returned_qty, pulp.corrected_qty), (40, 40))
        self.assertEqual(recall.effectiveness, 80)

    def test_inventory_adjustment_counts_in_inflow(self):
        """10 kg found at a count: the trace accounts for the 60 kg that came in, not
        60 kg of the 50 kg received; 5 kg lost at the next count are accounted for."""
        with freeze_time("2026-06-01 12:00:00"):
            receipt = self._new_receipt([(self.pulp, 50, {"lot_name": "PULP-9"})])
            receipt._action_done()
            lot = receipt.move_line_ids.lot_id
            quant = self.env["stock.quant"].search(
                [("lot_id", "=", lot.id), ("location_id", "=", self.stock_location.id)]
            )
            quant.with_context(inventory_mode=True).inventory_quantity = 60
            quant.action_apply_inventory()
        recall = self._recall(lots=lot)
        self.assertAlmostEqual(recall.accounted_percent, 100.0)
        self.assertEqual(self._line(recall, self.pulp).on_hand_qty, 60)
        with freeze_time("2026-06-01 13:00:00"):
            quant.with_context(inventory_mode=True).inventory_quantity = 55
            quant.action_apply_inventory()
            recall.with_user(self.quality_manager).action_trace()
        self.assertAlmostEqual(recall.accounted_percent, 100.0)


@tagged("post_install", "-at_install")
class TestRecallStrategy(RecallStrategyCase):
    """Depth, public warning, effectiveness check level and its sample; closing."""

    def test_level_b_needs_a_sensible_percentage(self):
        recall = self._recall()
        manager_recall = recall.with_user(self.quality_manager)
        for vals, message in (
            ({"check_level": "b"}, "give the percentage"),
            ({"check_level": "b", "check_percent": -5}, "more than 0 and at most 100, not -5"),
            ({"check_level": "b", "check_percent": 150}, "more than 0 and at most 100, not 150"),
            ({"check_level": "c", "check_percent": 101}, "not 101"),
        ):
            with self.subTest(vals=vals), self.assertRefused(ValidationError, message):
                manager_recall.write(vals)
            self.assertEqual((recall.check_level, recall.check_percent), ("e", 0))
        manager_recall.write({"check_level": "b", "check_percent": 50})
        self.assertEqual(recall.check_required_count, 2, "50 % of 3 consignees, rounded up")

    def test_sample_size_per_level(self):
        recall = self._recall()
        self.assertEqual(len(recall.customer_ids), 3)
        for level, expected in (("a", 3), ("c", 1), ("d", 1), ("e", 0)):
            recall.check_level = level
            self.assertEqual(recall.check_required_count, expected, level)
            self.assertEqual(recall.check_level_reached, level == "e")

    def test_draw_is_seeded_and_grows_with_the_level(self):
        recall = self._recall(check_level="c").with_user(self.quality_manager)
        recall.action_draw_checks()
        self.assertEqual(len(recall.check_ids), 1)
        first = recall.check_ids.customer_id
        # drawing again draws nobody new
        recall.action_draw_checks()
        self.assertEqual(recall.check_ids.customer_id, first)
        # the same recall draws the same consignee: the draw is seeded with it
        recall.check_ids.unlink()
        recall.action_draw_checks()
        self.assertEqual(recall.check_ids.customer_id, first)
        recall.check_level = "a"
        recall.action_draw_checks()
        self.assertEqual(recall.check_ids.customer_id, recall.customer_ids)
        self.assertEqual(recall.check_ids[0].customer_id, first, "the first drawn stays first")
        self.assertIn("consignees drawn", recall.message_ids[0].body)

    def test_draw_refused_at_level_e(self):
        recall = self._recall().with_user(self.quality_manager)
        with self.assertRefused(UserError, "level E: there is nobody to check"):
            recall.action_draw_checks()
        self.assertFalse(recall.check_ids)

    def test_check_result_needs_date_and_method(self):
        recall = self._recall(check_level="a").with_user(self.quality_manager)
        recall.action_draw_checks()
        check = recall.check_ids[0]
        with self.assertRefused(ValidationError, "Record when and how"):
            check.result = "received_acted"
        self.assertEqual(check.result, "pending")

    def test_close_needs_the_check_level_or_a_reason(self):
        recall = self._recall(check_level="c", recall_depth="retail", public_warning=True)
        manager_recall = recall.with_user(self.quality_manager)
        manager_recall.action_quarantine()
        manager_recall.action_draw_checks()
        manager_recall.resolution_note = "Stock destroyed."
        with self.assertRefused(UserError, "has not reached effectiveness check level C"):
            manager_recall.action_close()
        self.assertEqual(recall.state, "quarantined")
        # a failed check keeps the level out of reach
        check = recall.check_ids
        check.write({"contacted_on": "2026-06-05", "method": "phone", "result": "not_received"})
        self.assertFalse(recall.check_level_reached)
        with self.assertRefused(UserError, "0 of 1 checks passed, 1 failed"):
            manager_recall.action_close()
        check.write({"result": "received_acted", "note": "Letter found, stock destroyed"})
        self.assertTrue(recall.check_level_reached)
        manager_recall.action_close()
        self.assertEqual(recall.state, "closed")

    def test_quality_manager_closes_below_the_level_with_a_reason(self):
        recall = self._recall(check_level="a")
        manager_recall = recall.with_user(self.quality_manager)
        manager_recall.action_quarantine()
        manager_recall.write(
            {
                "resolution_note": "Stock destroyed.",
                "close_override_reason": "Two consignees went out of business.",
            }
        )
        manager_recall.action_close()
        self.assertEqual(recall.state, "closed")
        self.assertIn(
            "Closed below effectiveness check level A (0 of 3 checks passed, 0 failed) by "
            f"{self.quality_manager.name}: Two consignees went out of business.",
            recall.message_ids[0].body,
        )

    def test_mock_recall_closes_without_checks(self):
        with freeze_time("2026-06-02 08:00:00"):
            mock = (
                self.env["stock.recall"]
                .with_user(self.stock_user)
                .create(
                    {
                        "lot_ids": [(6, 0, self.jam_lot.ids)],
                        "reason": "Drill",
                        "is_mock": True,
                        "check_level": "a",
                    }
                )
            )
            mock.action_trace()
        self.assertEqual(len(mock.product_line_ids), 1, "stock users trace mock recalls")
        mock.resolution_note = "Drill done."
        mock.action_close()
        self.assertEqual(mock.state, "closed")
