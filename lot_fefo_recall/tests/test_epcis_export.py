"""EPCIS 2.0 export of a recall's trace and of one lot's history, validated against GS1's
published EPCIS 2.0 JSON schema (tests/data/epcis)."""

import copy
import json
import os
from urllib.parse import quote, urlparse

import jsonschema
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from ..models.stock_recall_epcis import _EpcisWriter
from .test_recall_trace import RecallTraceCase

SCHEMA_PATH = os.path.join(os.path.dirname(__file__), "data", "epcis", "EPCIS-JSON-Schema.json")
DL = "https://id.gs1.org"
COMPANY_GLN = "5400000000010"
WAREHOUSE_GLN = "5400000000027"
VENDOR_GLN = "5400000000034"
CUSTOMER_GLN = "5400000000041"
DC_GLN = "9501101530010"
STRAWBERRY_GTIN = "09501101530003"
JAM_GTIN = "04006381333931"


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 10:00:00")
class TestEpcisExport(RecallTraceCase):
    """Strawberries (our lot RAW-1, the vendor's 2047, in kg) and sugar (SUGAR-1, no
    GTIN) become jam (JAM-1, units), shipped to Big Box's distribution centre and to
    Big Box itself; RAW-1 is also sold as it is, and lot DS-1 is dropshipped from the
    vendor to the diner's kitchen. The company, the warehouse, the vendor, Big Box and
    its DC have GLNs; the diner has none."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with open(SCHEMA_PATH, encoding="utf-8") as schema:
            cls.validator = jsonschema.Draft7Validator(json.load(schema))
        cls.company.partner_id.tz = "Europe/Brussels"
        cls.company.gs1_gln = COMPANY_GLN
        cls.warehouse.gs1_gln = WAREHOUSE_GLN
        cls.vendor.gs1_gln = VENDOR_GLN
        cls.customer.gs1_gln = CUSTOMER_GLN
        cls.customer_dc = cls.env["res.partner"].create(
            {
                "name": "Big Box DC",
                "type": "delivery",
                "parent_id": cls.customer.id,
                "gs1_gln": DC_GLN,
            }
        )
        cls.product.barcode = JAM_GTIN[1:]
        kg = cls.env.ref("uom.product_uom_kgm")
        Product = cls.env["product.product"]
        cls.raw = Product.create(
            {
                "name": "Strawberries",
                "is_storable": True,
                "tracking": "lot",
                "uom_id": kg.id,
                "gs1_gtin": STRAWBERRY_GTIN,
            }
        )
        cls.sugar = Product.create(
            {"name": "Sugar", "is_storable": True, "tracking": "lot", "uom_id": kg.id}
        )
        Lot = cls.env["stock.lot"]
        cls.raw_lot = Lot.create(
            {"name": "RAW-1", "product_id": cls.raw.id, "expiration_date": "2026-06-20 10:00:00"}
        )
        cls.sugar_lot = Lot.create({"name": "SUGAR-1", "product_id": cls.sugar.id})
        cls.jam_lot = Lot.create(
            {
                "name": "JAM-1",
                "product_id": cls.product.id,
                "expiration_date": "2026-11-28 10:00:00",
            }
        )
        cls.dropship_lot = Lot.create({"name": "DS-1", "product_id": cls.raw.id})
        cls.receipt = cls._done(
            cls.raw_lot,
            100,
            cls.supplier_location,
            cls.stock_location,
            cls.picking_type_in,
            cls.vendor_contact,
        )
        cls.raw_lot.supplier_lot_name = "2047"
        cls._done(
            cls.sugar_lot, 50, cls.supplier_location, cls.stock_location, cls.picking_type_in
        )
        production = cls.raw.property_stock_production
        internal = cls.warehouse.int_type_id
        cls.consumed = (
            cls._done(cls.raw_lot, 60, cls.stock_location, production, internal).move_line_ids
            | cls._done(cls.sugar_lot, 20, cls.stock_location, production, internal).move_line_ids
        )
        cls.made = cls._done(cls.jam_lot, 120, production, cls.stock_location, internal)
        cls.made.move_line_ids.consume_line_ids = [Command.set(cls.consumed.ids)]
        out = cls.picking_type_out
        cls.to_dc = cls._done(
            cls.jam_lot, 30, cls.stock_location, cls.customer_location, out, cls.customer_dc
        )
        cls.to_customer = cls._done(
            cls.jam_lot, 20, cls.stock_location, cls.customer_location, out, cls.customer
        )
        cls.raw_sale = cls._done(
            cls.raw_lot, 5, cls.stock_location, cls.customer_location, out, cls.customer
        )
        cls.dropship = cls._done(
            cls.dropship_lot,
            12,
            cls.supplier_location,
            cls.customer_location,
            cls.picking_type_in,
            cls.vendor,
            cls.diner_kitchen,
        )
        cls.recall = cls._recall_of(cls.raw_lot | cls.dropship_lot)
        cls.recall.action_trace()
        cls.base_url = cls.company.get_base_url()

    # ---------------------------------------------------------------- helpers

    def _export(self, record=None):
        action = (record or self.recall).action_export_epcis()
        self.assertEqual(action["type"], "ir.actions.act_url")
        attachment = self.env["ir.attachment"].browse(
            int(action["url"].split("/")[3].split("?")[0])
        )
        return json.loads(attachment.raw), attachment

    def _events(self, document, event_type=None, biz_step=None):
        return [
            event
            for event in document["epcisBody"]["eventList"]
            if (not event_type or event["type"] == event_type)
            and (not biz_step or event.get("bizStep") == biz_step)
        ]

    def _event_of(self, document, picking, biz_step):
        """The event of ``picking``, found by its reference document: the transfer's
        name under the company's GLN, else the transfer's address in this database."""
        ends = (f":{quote(picking.name)}", f"/stock.picking/{picking.id}")
        [event] = [
            event
            for event in self._events(document, biz_step=biz_step)
            if event["bizTransactionList"][0]["bizTransaction"].endswith(ends)
        ]
        return event

    def _schema_errors(self, document):
        return [error.message for error in self.validator.iter_errors(document)]

    # ------------------------------------------------------------------ schema

    def test_document_is_valid_against_gs1_schema(self):
        document, _attachment = self._export()
        self.assertEqual(self._schema_errors(document), [])
        self.assertEqual(document["type"], "EPCISDocument")
        self.assertEqual(document["schemaVersion"], "2.0")
        self.assertEqual(
            document["@context"],
            ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        )
        self.assertEqual(document["creationDate"], "2026-06-01T10:00:00.000Z")
        # the schema does check: an event without its time zone offset is refused
        broken = copy.deepcopy(document)
        del broken["epcisBody"]["eventList"][0]["eventTimeZoneOffset"]
        self.assertTrue(self._schema_errors(broken))
        # every identifier is an absolute URI (the schema's "uri" format, which
        # jsonschema only checks with an extra package)
        for event in document["epcisBody"]["eventList"]:
            uris = [event["eventID"]] + [
                element["epcClass"]
                for key in ("quantityList", "inputQuantityList", "outputQuantityList")
                for element in event.get(key, [])
            ]
            uris += [
                place["id"]
                for place in (event.get("readPoint"), event.get("bizLocation"))
                if place
            ]
            uris += [t["bizTransaction"] for t in event["bizTransactionList"]]
            uris += [s["source"] for s in event.get("sourceList", [])]
            uris += [d["destination"] for d in event.get("destinationList", [])]
            for uri in filter(None, uris):
                self.assertTrue(urlparse(uri).scheme, uri)

    def test_events_are_the_critical_tracking_events(self):
        document, _attachment = self._export()
        kinds = sorted((event["type"], event["bizStep"]) for event in self._events(document))
        self.assertEqual(
            kinds,
            [("ObjectEvent", "receiving")] * 2
            + [("ObjectEvent", "shipping")] * 4
            + [("TransformationEvent", "commissioning")],
            "RAW-1 and DS-1 received; JAM-1 shipped twice, RAW-1 and DS-1 once; JAM-1 made",
        )
        self.assertEqual(
            len({event["eventID"] for event in self._events(document)}), 7, "unique event ids"
        )
        again, _attachment = self._export()
        self.assertEqual(
            [event["eventID"] for event in self._events(document)],
            [event["eventID"] for event in self._events(again)],
            "an event keeps its id from one export to the next",
        )

    def test_receiving_from_vendor(self):
        document, _attachment = self._export()
        event = self._event_of(document, self.receipt, "receiving")
        self.assertEqual(event["action"], "ADD", "the lot enters our records here")
        self.assertEqual(event["disposition"], "in_progress")
        self.assertEqual(
            event["quantityList"],
            [
                {
                    "epcClass": f"{DL}/01/{STRAWBERRY_GTIN}/10/2047",
                    "quantity": 100,
                    "uom": "KGM",
                }
            ],
            "the vendor's lot code is the traceability lot code; kilograms in UN/ECE",
        )
        self.assertEqual(event["eventTime"], "2026-06-01T10:00:00.000Z")
        self.assertEqual(event["eventTimeZoneOffset"], "+02:00", "Brussels summer time")
        warehouse = {"id": f"{DL}/414/{WAREHOUSE_GLN}"}
        self.assertEqual(event["readPoint"], warehouse)
        self.assertEqual(event["bizLocation"], warehouse)
        self.assertEqual(
            event["sourceList"],
            [
                {"type": "owning_party", "source": f"{DL}/417/{VENDOR_GLN}"},
                {"type": "location", "source": f"{DL}/414/{VENDOR_GLN}"},
            ],
            "the vendor contact's company's GLN",
        )
        self.assertEqual(
            event["destinationList"],
            [
                {"type": "owning_party", "destination": f"{DL}/417/{COMPANY_GLN}"},
                {"type": "location", "destination": f"{DL}/414/{WAREHOUSE_GLN}"},
            ],
        )
        self.assertEqual(
            event["bizTransactionList"],
            [
                {
                    "type": "recadv",
                    "bizTransaction": f"urn:epcglobal:cbv:bt:{COMPANY_GLN}:" + self.receipt.name,
                }
            ],
        )
        self.assertEqual(
            event["ilmd"],
            {"cbvmda:lotNumber": "2047", "cbvmda:itemExpirationDate": "2026-06-20"},
        )

    def test_shipping_names_the_recipient(self):
        document, _attachment = self._export()
        to_dc = self._event_of(document, self.to_dc, "shipping")
        self.assertEqual(to_dc["action"], "OBSERVE")
        self.assertEqual(to_dc["disposition"], "in_transit")
        self.assertEqual(
            to_dc["quantityList"],
            [{"epcClass": f"{DL}/01/{JAM_GTIN}/10/JAM-1", "quantity": 30}],
            "a count of units has no uom; the GTIN comes from the product's barcode",
        )
        self.assertEqual(
            to_dc["destinationList"],
            [
                {"type": "owning_party", "destination": f"{DL}/417/{CUSTOMER_GLN}"},
                {"type": "location", "destination": f"{DL}/414/{DC_GLN}"},
            ],
            "Big Box owns it, its DC receives it",
        )
        self.assertEqual(
            to_dc["sourceList"],
            [
                {"type": "owning_party", "source": f"{DL}/417/{COMPANY_GLN}"},
                {"type": "location", "source": f"{DL}/414/{WAREHOUSE_GLN}"},
            ],
        )
        self.assertEqual(to_dc["bizTransactionList"][0]["type"], "desadv")
        self.assertNotIn("ilmd", to_dc)
        # a recipient without GLN is named by its stable address in this database
        diner = self._event_of(document, self.dropship, "shipping")
        self.assertEqual(
            diner["destinationList"],
            [
                {
                    "type": "owning_party",
                    "destination": f"{self.base_url}/odoo/res.partner/{self.diner.id}",
                },
                {
                    "type": "location",
                    "destination": f"{self.base_url}/odoo/res.partner/{self.diner_kitchen.id}",
                },
            ],
        )
        self.assertEqual(
            diner["sourceList"][0], {"type": "owning_party", "source": f"{DL}/417/{VENDOR_GLN}"}
        )
        self.assertNotIn("readPoint", diner, "a dropship never passes through our warehouse")

    def test_transformation_inputs_and_outputs(self):
        document, _attachment = self._export()
        [made] = self._events(document, "TransformationEvent")
        self.assertEqual(
            sorted(made["inputQuantityList"], key=lambda element: element["epcClass"]),
            sorted(
                [
                    {
                        "epcClass": f"{DL}/01/{STRAWBERRY_GTIN}/10/2047",
                        "quantity": 60,
                        "uom": "KGM",
                    },
                    {
                        "epcClass": f"{self.base_url}/odoo/stock.lot/{self.sugar_lot.id}",
                        "quantity": 20,
                        "uom": "KGM",
                    },
                ],
                key=lambda element: element["epcClass"],
            ),
            "sugar has no GTIN: its lot's stable address",
        )
        self.assertEqual(
            made["outputQuantityList"],
            [{"epcClass": f"{DL}/01/{JAM_GTIN}/10/JAM-1", "quantity": 120}],
        )
        self.assertEqual(made["bizLocation"], {"id": f"{DL}/414/{WAREHOUSE_GLN}"})
        self.assertEqual(made["bizTransactionList"][0]["type"], "prodorder")
        self.assertEqual(
            made["transformationID"],
            f"{self.base_url}/odoo/stock.move/{self.made.move_ids.id}",
        )
        self.assertEqual(
            made["ilmd"],
            {"cbvmda:lotNumber": "JAM-1", "cbvmda:itemExpirationDate": "2026-11-28"},
        )

    def test_without_any_gln(self):
        (self.vendor | self.customer | self.customer_dc).write({"gs1_gln": False})
        self.company.gs1_gln = self.warehouse.gs1_gln = False
        document, _attachment = self._export()
        self.assertEqual(self._schema_errors(document), [])
        event = self._event_of(document, self.to_dc, "shipping")
        self.assertEqual(
            event["bizLocation"],
            {"id": f"{self.base_url}/odoo/stock.warehouse/{self.warehouse.id}"},
        )
        self.assertEqual(
            event["bizTransactionList"][0]["bizTransaction"],
            f"{self.base_url}/odoo/stock.picking/{self.to_dc.id}",
        )
        self.assertEqual(
            event["sourceList"][0]["source"],
            f"{self.base_url}/odoo/res.partner/{self.company.partner_id.id}",
        )

    def test_warehouse_without_gln_is_at_the_company_gln(self):
        self.warehouse.gs1_gln = False
        document, _attachment = self._export()
        event = self._event_of(document, self.to_dc, "shipping")
        self.assertEqual(event["readPoint"], {"id": f"{DL}/414/{COMPANY_GLN}"})

    def test_units_in_un_ece_codes(self):
        kg = self.env.ref("uom.product_uom_kgm")
        crate = self.env["uom.uom"].create(
            {"name": "Crate of 5 kg", "relative_factor": 5, "relative_uom_id": kg.id}
        )
        writer = _EpcisWriter(self.env, self.company)
        self.assertEqual(writer.uom(kg), ("KGM", 1.0))
        self.assertEqual(writer.uom(crate), ("KGM", 5.0), "converted to its kilograms")
        self.assertEqual(
            writer.uom(self.env.ref("uom.product_uom_pack_6")), (None, 6.0), "a count of units"
        )
        self.assertEqual(writer.uom(self.env.ref("uom.product_uom_litre")), ("LTR", 1.0))
        self.raw.uom_id = crate
        element = writer.quantity(self.raw_lot, self.raw, 3)
        self.assertEqual((element["quantity"], element["uom"]), (15, "KGM"))

    # --------------------------------------------------------------- the files

    def test_recall_export_is_kept_on_its_chatter(self):
        document, attachment = self._export()
        self.assertTrue(document)
        self.assertEqual(
            (attachment.res_model, attachment.res_id), ("stock.recall", self.recall.id)
        )
        self.assertEqual(attachment.mimetype, "application/ld+json")
        self.assertTrue(attachment.name.endswith("-EPCIS.jsonld"))
        message = self.recall.message_ids.filtered(lambda m: attachment in m.attachment_ids)
        self.assertEqual(len(message), 1)

    def test_lot_history(self):
        jam_lot = self.jam_lot.with_user(self.quality_manager)
        document, attachment = self._export(jam_lot)
        self.assertEqual(self._schema_errors(document), [])
        # The file names every customer: it is not on the lot, which salesmen read too,
        # but kept for whoever exported it; the chatter says who did.
        self.assertFalse(attachment.res_model)
        self.assertFalse(attachment.res_id)
        self.assertEqual(attachment.create_uid, self.quality_manager)
        note = self.jam_lot.message_ids.filtered(lambda m: "EPCIS.jsonld" in (m.body or ""))
        self.assertEqual(len(note), 1)
        self.assertFalse(note.attachment_ids)
        kinds = sorted((event["type"], event["bizStep"]) for event in self._events(document))
        self.assertEqual(
            kinds,
            [("ObjectEvent", "shipping")] * 2 + [("TransformationEvent", "commissioning")],
            "JAM-1 was made, then shipped twice",
        )
        self.assertFalse(self.env["stock.recall"].search([("lot_ids", "in", self.jam_lot.ids)]))

    def test_lot_made_without_tracked_inputs(self):
        lot = self.env["stock.lot"].create({"name": "JAM-2", "product_id": self.product.id})
        made = self._done(
            lot,
            10,
            self.product.property_stock_production,
            self.stock_location,
            self.warehouse.int_type_id,
        )
        document, _attachment = self._export(lot.with_user(self.quality_manager))
        self.assertEqual(self._schema_errors(document), [])
        [event] = self._events(document)
        self.assertEqual(event["type"], "TransformationEvent")
        self.assertNotIn("inputQuantityList", event)
        self.assertEqual(
            event["outputQuantityList"],
            [{"epcClass": f"{DL}/01/{JAM_GTIN}/10/JAM-2", "quantity": 10}],
        )
        self.assertEqual(
            event["transformationID"],
            f"{self.base_url}/odoo/stock.move/{made.move_ids.id}",
            "without inputs, the transformation is named by what made the lot",
        )

    def test_lot_history_only_for_inventory_users(self):
        """A lot's customers follow one rule (Inventory users), in its EPCIS file as
        in its dossier and trace: a salesman, who reads lots to take complaints, may
        not export them."""
        salesman = new_test_user(
            self.env, login="lfr_epcis_salesman", groups="sales_team.group_sale_salesman"
        )
        messages = self.jam_lot.message_ids
        attachments = self.env["ir.attachment"].search_count([])
        with self.assertRefused(AccessError, "Only Inventory users may see the customers.*JAM-1"):
            self.jam_lot.with_user(salesman).action_export_epcis()
        self.assertEqual(self.jam_lot.message_ids, messages)
        self.assertEqual(self.env["ir.attachment"].search_count([]), attachments)
        _document, attachment = self._export(self.jam_lot.with_user(self.stock_user))
        self.assertEqual(attachment.create_uid, self.stock_user)

    def test_lot_history_file_not_readable_by_who_may_not_export(self):
        _document, attachment = self._export(self.jam_lot.with_user(self.quality_manager))
        salesman = new_test_user(
            self.env, login="lfr_epcis_salesman", groups="sales_team.group_sale_salesman"
        )
        self.jam_lot.with_user(salesman).check_access("read")
        for user in (salesman, self.stock_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                attachment.with_user(user).read(["raw"])
            self.assertFalse(
                self.env["ir.attachment"]
                .with_user(user)
                .search([("res_model", "=", "stock.lot"), ("res_id", "=", self.jam_lot.id)])
            )
