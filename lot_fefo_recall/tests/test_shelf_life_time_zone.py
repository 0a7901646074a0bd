from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import LotFefoRecallCase

# 16:00 UTC is 09:00 on June 1st in Los Angeles (UTC-7 in summer) but 02:00 on June 2nd
# in Sydney (UTC+10 in winter): the shipping day itself depends on the time zone.
NOW = "2026-06-01 16:00:00"
# Per warehouse time zone, in UTC: the lot expiring on the 60th day after the local
# shipping day at 00:30 local time, the one expiring the day before at 23:30 local time,
# and the start of that 60th day. Then, in local days, the shipping day and the 59th.
CASES = {
    "America/Los_Angeles": (
        "2026-07-31 07:30:00",
        "2026-07-31 06:30:00",
        "2026-07-31 07:00:00",
        "2026-06-01",
        "2026-07-30",
    ),
    "Australia/Sydney": (
        "2026-07-31 14:30:00",
        "2026-07-31 13:30:00",
        "2026-07-31 14:00:00",
        "2026-06-02",
        "2026-07-31",
    ),
}


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestShelfLifeTimeZone(LotFefoRecallCase):
    """A rule of 60 days counts calendar days where the warehouse is, whoever looks."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule = cls.env["stock.shelf.life.rule"].create(
            {"partner_id": cls.customer.id, "min_remaining_days": 60}
        )

    def _set_warehouse_tz(self, tz):
        self.company.partner_id.tz = tz
        self.assertEqual(self.warehouse.partner_id, self.company.partner_id)

    def _assert_verdicts(self, tz):
        """For a user on either side of the world: the earliest lot is refused, the one of
        the 60th day reserved, shipped, and rated FEFO compliant; the sale order sees it."""
        expires_60, expires_59, boundary, ship_day, day_59 = CASES[tz]
        on_day_60 = self._put_in_stock(self.product, 10, "ON-DAY-60", expires_60)
        on_day_59 = self._put_in_stock(self.product, 10, "ON-DAY-59", expires_59)
        for user_tz in ("America/Los_Angeles", "Australia/Sydney"):
            with self.subTest(warehouse_tz=tz, user_tz=user_tz):
                self.stock_user.tz = user_tz
                env = self.env(user=self.stock_user, context=dict(self.env.context, tz=user_tz))
                picking = self._new_delivery(self.customer, [(self.product, 1)])
                picking.with_env(env).action_assign()
                self.assertEqual(self._reserved(picking), {"ON-DAY-60": 1})
                picking.with_env(env).button_validate()
                self.assertEqual(picking.state, "done")
                self.assertTrue(picking.move_line_ids.fefo_compliant, "ON-DAY-59 does not count")

                refused = self._delivery_with_lot(self.customer, on_day_59, 1)
                message = rf"ON-DAY-59 expires on {day_59}: .*\(shipping on {ship_day}\)"
                with self.assertRefused(UserError, message):
                    refused.with_env(env).button_validate()
                self.assertEqual(refused.state, "assigned")

                order = self._sale_order(self.customer, 1)
                self.assertIs(order.with_context(tz=user_tz).action_confirm(), True, "no shortage")
                self.assertEqual(
                    self.rule.with_env(env)._get_min_expiration_date(
                        self.product, self._dt(NOW), self.warehouse
                    ),
                    self._dt(boundary),
                )
        self.assertEqual(on_day_60.product_qty, 8)
        self.assertEqual(on_day_59.product_qty, 10)

    def test_los_angeles(self):
        self._set_warehouse_tz("America/Los_Angeles")
        self._assert_verdicts("America/Los_Angeles")

    def test_sydney(self):
        self._set_warehouse_tz("Australia/Sydney")
        self._assert_verdicts("Australia/Sydney")

    def test_warehouse_address_before_company(self):
        self.company.partner_id.tz = "Australia/Sydney"
        self.warehouse.partner_id = self.env["res.partner"].create(
            {
                "name": "LA Depot",
                "tz": "America/Los_Angeles",
                "parent_id": self.company.partner_id.id,
            }
        )
        self._assert_verdicts("America/Los_Angeles")

    def test_no_time_zone_counts_in_utc(self):
        self.company.partner_id.tz = False
        self.stock_user.tz = "Australia/Sydney"
        boundary = self.rule.with_user(self.stock_user)._get_min_expiration_date(
            self.product, self._dt(NOW), self.warehouse
        )
        self.assertEqual(boundary, self._dt("2026-07-31 00:00:00"))

    def test_receipt_minimum_in_local_days(self):
        """The minimum shelf life on receipt counts the same calendar days."""
        self.category.receipt_min_shelf_life_days = 60
        for tz, (expires_60, expires_59, _boundary, _ship_day, day_59) in CASES.items():
            with self.subTest(warehouse_tz=tz):
                self._set_warehouse_tz(tz)
                self.stock_user.tz = (
                    "Australia/Sydney" if "Angeles" in tz else "America/Los_Angeles"
                )
                receipt = self._new_receipt(
                    [(self.product, 1, {"lot_name": f"R60-{tz}", "expiration_date": expires_60})]
                )
                receipt.with_user(self.stock_user).button_validate()
                self.assertEqual(receipt.state, "done")
                receipt = self._new_receipt(
                    [(self.product, 1, {"lot_name": f"R59-{tz}", "expiration_date": expires_59})]
                )
                with self.assertRefused(
                    UserError, rf"R59-{tz} expires on {day_59}, 59 days after receipt"
                ):
                    receipt.with_user(self.stock_user).button_validate()
                self.assertEqual(receipt.state, "assigned")
