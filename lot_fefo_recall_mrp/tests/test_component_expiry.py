from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MADE_ON, LotFefoRecallMrpCase

OWN_EXPIRY = "2026-09-29 10:00:00"  # MADE_ON + the cookies' 120 days


@tagged("post_install", "-at_install")
@freeze_time(MADE_ON)
class TestComponentExpiry(LotFefoRecallMrpCase):
    """A lot made of a product inheriting expiry from its components expires no later
    than its earliest-expiring component lot."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _rule, cls.jam = cls._stock_fefo_story()
        # No customer: these orders are for stock.
        _rule.unlink()

    def assertExpiry(self, lot, expiration, component=None):
        """``lot`` expires on ``expiration``, limited by ``component`` (a lot) or by its
        own shelf life; its other dates follow the cookies' times."""
        expiration = self._dt(expiration)
        self.assertEqual(lot.expiration_date, expiration)
        self.assertEqual(lot.use_date, expiration - timedelta(days=10))
        self.assertEqual(lot.removal_date, expiration - timedelta(days=5))
        self.assertEqual(lot.alert_date, expiration - timedelta(days=15))
        self.assertEqual(lot.expiry_component_lot_id, component or lot.browse())
        own = self._dt(OWN_EXPIRY) if component else False
        self.assertEqual(lot.own_expiration_date, own)

    def test_earliest_component_lot_limits_the_expiry(self):
        production = self._manufacture()
        self.assertEqual(self._reserved_lots(production), {"L45": 5, "S1": 5})
        production.action_generate_serial()
        lot = production.lot_producing_ids
        self.assertExpiry(lot, "2026-07-16 10:00:00", self.jam["L45"])
        self.assertIn(
            f"Lot {lot.name} of Jam Cookies expires on 2026-07-16 instead of 2026-09-29: its "
            "component lot L45 of [JAM] Strawberry Jam expires then.",
            self._notes(production),
        )
        self._consume(production)
        self.assertExpiry(lot, "2026-07-16 10:00:00", self.jam["L45"])
        quant = lot.quant_ids.filtered(lambda q: q.location_id == self.stock_location)
        self.assertEqual(quant.expiration_date, self._dt("2026-07-16 10:00:00"))
        self.assertEqual(quant.removal_date, self._dt("2026-07-11 10:00:00"))

    def test_without_inheritance_the_lot_keeps_its_own_shelf_life(self):
        self.cookies.expiry_from_components = False
        production = self._manufacture()
        production.action_generate_serial()
        self._consume(production)
        lot = production.lot_producing_ids
        self.assertExpiry(lot, OWN_EXPIRY)
        self.assertFalse([note for note in self._notes(production) if lot.name in note])

    def test_own_shelf_life_wins_when_shorter(self):
        self.jam["L45"].is_blocked = True
        self.jam["L90"].is_blocked = True
        production = self._manufacture()
        self.assertEqual(self._reserved_lots(production), {"L200": 5, "S1": 5})
        production.action_generate_serial()
        self._consume(production)
        lot = production.lot_producing_ids
        self.assertExpiry(lot, OWN_EXPIRY)
        self.assertFalse([note for note in self._notes(production) if lot.name in note])

    def test_done_order_goes_by_the_lots_consumed(self):
        """The date set from the lot reserved moves to the lot consumed: later, up to the
        lot's own shelf life."""
        production = self._manufacture()
        production.action_generate_serial()
        lot = production.lot_producing_ids
        # As in a later request: nothing of the lot in cache.
        self.env.invalidate_all()
        self._consume(production, jam_lot=self.jam["L90"])
        self.assertEqual(self._reserved_lots(production), {"L90": 5, "S1": 5})
        self.assertExpiry(lot, "2026-08-30 10:00:00", self.jam["L90"])
        self.assertIn(
            f"Lot {lot.name} of Jam Cookies expires on 2026-08-30 instead of 2026-07-16: its "
            "component lot L90 of [JAM] Strawberry Jam expires then.",
            self._notes(production),
        )

        other = self._manufacture()
        other.action_generate_serial()
        self._consume(other, jam_lot=self.jam["L200"])
        other_lot = other.lot_producing_ids
        self.assertExpiry(other_lot, OWN_EXPIRY)
        self.assertIn(
            f"Lot {other_lot.name} of Jam Cookies expires on 2026-09-29 instead of "
            "2026-07-16, as its own shelf life gives: no component lot expires earlier.",
            self._notes(other),
        )

    def test_a_date_set_by_hand_is_never_moved_later(self):
        production = self._manufacture()
        production.action_generate_serial()
        lot = production.lot_producing_ids
        lot.expiration_date = "2026-07-01 10:00:00"
        self.assertFalse(lot.expiry_component_lot_id)
        self._consume(production)
        self.assertEqual(lot.expiration_date, self._dt("2026-07-01 10:00:00"))
        self.assertFalse(lot.expiry_component_lot_id)

    def test_a_lot_with_stock_made_before_only_gets_earlier(self):
        """A second order making more of a lot cannot give the stock made first a later
        date than its components allow."""
        first = self._manufacture()
        first.action_generate_serial()
        lot = first.lot_producing_ids
        self._consume(first)
        self.assertExpiry(lot, "2026-07-16 10:00:00", self.jam["L45"])

        second = self._manufacture(lot_producing_ids=lot.ids)
        self._consume(second, jam_lot=self.jam["L200"])
        self.assertExpiry(lot, "2026-07-16 10:00:00", self.jam["L45"])
        self.assertEqual(lot.product_qty, 10)

    def test_the_lot_chosen_by_hand_is_set_too(self):
        """A lot typed on the order (not generated) is cut as soon as it is set."""
        production = self._manufacture(user=self.mrp_user)
        lot = (
            self.env["stock.lot"]
            .with_user(self.mrp_user)
            .create({"name": "COOKIES-1", "product_id": self.cookies.id})
        )
        self.assertEqual(lot.expiration_date, self._dt(OWN_EXPIRY))
        production.lot_producing_ids = lot
        self.assertExpiry(lot, "2026-07-16 10:00:00", self.jam["L45"])

    def test_the_limiting_lot_is_not_set_by_hand(self):
        production = self._manufacture()
        production.action_generate_serial()
        lot = production.lot_producing_ids.with_user(self.mrp_user)
        refusal = "are set by the manufacturing order that makes it"
        for vals in (
            {"expiry_component_lot_id": self.jam["L90"].id},
            {"own_expiration_date": "2027-01-01 10:00:00"},
        ):
            with self.assertRefused(UserError, refusal):
                lot.write(vals)
        self.assertExpiry(lot, "2026-07-16 10:00:00", self.jam["L45"])
        with self.assertRefused(UserError, refusal):
            lot.create(
                {
                    "name": "COOKIES-FAKE",
                    "product_id": self.cookies.id,
                    "expiry_component_lot_id": self.jam["L45"].id,
                }
            )
        self.assertFalse(lot.search([("name", "=", "COOKIES-FAKE")]))

    def test_company_component_in_a_shared_product(self):
        """The jam belongs to our company, the cookies are shared by every company: the
        lot made is shared (no company, as Odoo makes lots of shared products) while the
        jam lots are ours. The lot still takes the jam's earlier date, when generated and
        when the order is done, without pointing at a lot of one company from a record
        every company reads; the order's chatter names the limiting lot."""
        self.product.company_id = self.company
        self.assertFalse(self.cookies.company_id)
        self.assertEqual(self.jam["L45"].company_id, self.company)
        production = self._manufacture()
        production.action_generate_serial()
        lot = production.lot_producing_ids
        self.assertFalse(lot.company_id)
        self.assertEqual(lot.expiration_date, self._dt("2026-07-16 10:00:00"))
        self.assertEqual(lot.removal_date, self._dt("2026-07-11 10:00:00"))
        self.assertFalse(lot.expiry_component_lot_id)
        self.assertEqual(lot.own_expiration_date, self._dt(OWN_EXPIRY))
        self.assertIn(
            f"Lot {lot.name} of Jam Cookies expires on 2026-07-16 instead of 2026-09-29: its "
            "component lot L45 of [JAM] Strawberry Jam expires then.",
            self._notes(production),
        )
        self.env.invalidate_all()
        self._consume(production, jam_lot=self.jam["L90"])
        self.assertEqual(lot.expiration_date, self._dt("2026-08-30 10:00:00"))
        self.assertFalse(lot.expiry_component_lot_id)
        self.assertEqual(lot.own_expiration_date, self._dt(OWN_EXPIRY))
        self.assertIn(
            f"Lot {lot.name} of Jam Cookies expires on 2026-08-30 instead of 2026-07-16: its "
            "component lot L90 of [JAM] Strawberry Jam expires then.",
            self._notes(production),
        )
        # As a manufacturing user of our company alone, on a lot typed by hand.
        other = self._manufacture(user=self.mrp_user)
        typed = (
            self.env["stock.lot"]
            .with_user(self.mrp_user)
            .create({"name": "COOKIES-MC", "product_id": self.cookies.id})
        )
        other.lot_producing_ids = typed
        self.assertEqual(typed.expiration_date, self._dt("2026-07-16 10:00:00"))
        self._consume(other)
        self.assertEqual(typed.expiration_date, self._dt("2026-07-16 10:00:00"))

    @staticmethod
    def _reserved_lots(production):
        result = {}
        for line in production.move_raw_ids.move_line_ids:
            result[line.lot_id.name] = result.get(line.lot_id.name, 0) + line.quantity
        return result
