from freezegun import freeze_time

from odoo.tests import tagged

from .common import MADE_ON, LotFefoRecallMrpCase


@tagged("post_install", "-at_install")
@freeze_time(MADE_ON)
class TestLotDossierMrp(LotFefoRecallMrpCase):
    """Five jam cookies made of jam lot L45 and sugar lot S1, then shipped to Big Box:
    the dossier of the cookies shows their component lots and manufacturing order, the
    dossier of the jam the cookies made from it and where they went."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rule, cls.jam = cls._stock_fefo_story()
        rule.unlink()

    def _made_and_shipped(self):
        production = self._manufacture()
        production.action_generate_serial()
        self._consume(production)
        cookies_lot = production.lot_producing_ids
        delivery = self._done_transfer(
            cookies_lot, 3, self.stock_location, self.customer_location, self.customer
        )
        return production, cookies_lot, delivery

    @staticmethod
    def _edges(data):
        return {(e["source"], e["target"]): (e["quantity"], e["kind"]) for e in data["edges"]}

    def test_component_lots_upstream(self):
        production, cookies_lot, delivery = self._made_and_shipped()
        data = cookies_lot.get_dossier_data()
        nodes = {node["id"]: node for node in data["nodes"]}
        mo_id = f"production-{production.id}"
        lot_id = f"lot-{cookies_lot.id}"
        jam_id, sugar_id = f"lot-{self.jam['L45'].id}", f"lot-{self.sugar_lot.id}"
        self.assertEqual(nodes[mo_id]["model"], "mrp.production")
        self.assertEqual(nodes[mo_id]["res_id"], production.id)
        self.assertEqual(nodes[mo_id]["label"], production.name)
        self.assertTrue(nodes[lot_id]["focus"])
        self.assertFalse(nodes[jam_id]["focus"])
        edges = self._edges(data)
        self.assertEqual(edges[jam_id, mo_id], (5, "consumed"))
        self.assertEqual(edges[sugar_id, mo_id], (5, "consumed"))
        self.assertEqual(edges[mo_id, lot_id], (5, "made"))
        self.assertEqual(edges[lot_id, f"delivery-{delivery.id}"], (3, "out"))

    def test_lots_made_downstream(self):
        production, cookies_lot, delivery = self._made_and_shipped()
        self.jam["L45"].write({"is_blocked": True, "block_reason": "Mould"})
        data = self.jam["L45"].get_dossier_data()
        nodes = {node["id"]: node for node in data["nodes"]}
        mo_id = f"production-{production.id}"
        jam_id, lot_id = f"lot-{self.jam['L45'].id}", f"lot-{cookies_lot.id}"
        self.assertTrue(nodes[jam_id]["focus"])
        self.assertTrue(nodes[jam_id]["blocked"])
        self.assertFalse(nodes[lot_id]["blocked"])
        self.assertNotIn(f"lot-{self.sugar_lot.id}", nodes)
        edges = self._edges(data)
        self.assertEqual(edges[jam_id, mo_id], (5, "consumed"))
        self.assertEqual(edges[mo_id, lot_id], (5, "made"))
        self.assertEqual(edges[lot_id, f"delivery-{delivery.id}"], (3, "out"))
        self.assertEqual(
            edges[f"delivery-{delivery.id}", f"customer-{self.customer.id}"], (3, "out")
        )
