"""GS1 EPCIS 2.0 (JSON-LD) export of a recall's trace and of one lot's history.

The events are the critical tracking events of the FSMA 204 spreadsheet
(``reports.recall_xlsx.critical_tracking_events``), written as GS1's EPCIS/CBV 2.0 does:

* receiving and shipping: ObjectEvents (bizStep ``receiving`` / ``shipping``), with
  the lot as a quantity of a GS1 Digital Link lot class, read point and business
  location at our warehouse, owning parties and locations on either side and the
  transfer as business transaction;
* manufacturing: TransformationEvents, the consumed lots (``consume_line_ids`` of the
  produced move lines) as inputs and the made lots as outputs;
* the FSMA 204 key data elements in CBV master data (``ilmd``: ``cbvmda:lotNumber``,
  ``cbvmda:itemExpirationDate``, ``cbvmda:bestBeforeDate``) of the events where a lot
  enters our records (received from a vendor, or made), and the reference documents as
  ``bizTransactionList``.

Every identifier is a GS1 Digital Link URI (``https://id.gs1.org/01/<GTIN>/10/<lot>``,
``/414/<GLN>`` for a location, ``/417/<GLN>`` for a party), which EPCIS 2.0 accepts
wherever an EPC URN goes: an EPC URN (``urn:epc:id:sgln``, ``urn:epc:class:lgtin``) needs
the length of the GS1 company prefix inside the GLN or GTIN, which Odoo does not know.
Without a GTIN or a GLN, the product, place or party is named by its stable address in
this database (``<base url>/odoo/<model>/<id>``).

The document is written event by event (a generator of text chunks) into the file.
"""

import io
import json
import uuid
from urllib.parse import quote

import pytz

from odoo import fields, models

from ..reports.recall_xlsx import _tlc, critical_tracking_events

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
EPCIS_MIMETYPE = "application/ld+json"
DIGITAL_LINK = "https://id.gs1.org"
# UN/ECE Recommendation 20 codes of Odoo's units (by XML id). A unit of the "Units" kind
# (Units, Dozens, Pack of 6) is a count: EPCIS then leaves ``uom`` out.
UNECE_CODES = {
    "uom.product_uom_unit": None,
    "uom.product_uom_kgm": "KGM",
    "uom.product_uom_gram": "GRM",
    "uom.product_uom_ton": "TNE",
    "uom.product_uom_lb": "LBR",
    "uom.product_uom_oz": "ONZ",
    "uom.product_uom_litre": "LTR",
    "uom.product_uom_milliliter": "MLT",
    "uom.product_uom_cubic_meter": "MTQ",
    "uom.product_uom_floz": "OZA",
    "uom.product_uom_qt": "QTI",
    "uom.product_uom_gal": "GLI",
    "uom.product_uom_meter": "MTR",
    "uom.product_uom_cm": "CMT",
    "uom.product_uom_millimeter": "MMT",
    "uom.product_uom_km": "KMT",
    "uom.product_uom_square_meter": "MTK",
    "uom.product_uom_inch": "INH",
    "uom.product_uom_foot": "FOT",
    "uom.product_uom_yard": "YRD",
    "uom.product_uom_hour": "HUR",
    "uom.product_uom_day": "DAY",
}
# What each critical tracking event is in CBV 2.0: bizStep, disposition, and the type of
# its reference document (receiving advice, despatch advice, production order).
_CBV = {
    "receiving": ("receiving", "in_progress", "recadv"),
    "shipping": ("shipping", "in_transit", "desadv"),
    "transformation": ("commissioning", "active", "prodorder"),
}


class StockRecallEpcis(models.AbstractModel):
    """Writes the EPCIS 2.0 document of trace lines (stock.recall.line records)."""

    _name = "stock.recall.epcis"
    _description = "Recall EPCIS 2.0 Export"

    def _epcis_attachment(self, lines, company, record, filename):
        """The EPCIS document of ``lines`` as an attachment of ``record``; without a
        record, a file only its creator (and administrators) may read."""
        output = io.BytesIO()
        for chunk in self._epcis_chunks(lines, company):
            output.write(chunk.encode())
        vals = {"name": filename, "raw": output.getvalue(), "mimetype": EPCIS_MIMETYPE}
        if record:
            vals.update(res_model=record._name, res_id=record.id)
        return self.env["ir.attachment"].create(vals)

    def _epcis_chunks(self, lines, company):
        """The EPCIS document of trace ``lines``, as text chunks: the head, then one
        event at a time, then the tail."""
        writer = _EpcisWriter(self.env, company)
        head = json.dumps(
            {
                "@context": [EPCIS_CONTEXT],
                "type": "EPCISDocument",
                "schemaVersion": "2.0",
                "creationDate": _utc(fields.Datetime.now()),
                "epcisBody": {"eventList": []},
            },
            indent=1,
        )
        # the head up to the open event list, the events, then what closes it
        cut = head.rindex("[]") + 1
        yield head[:cut]
        events, _made_at = critical_tracking_events(lines)
        written_transformations = set()
        separator = "\n"
        for cte, line, sender, recipient in events:
            if cte == "transformation":
                key = writer.transformation_key(line)
                if key in written_transformations:
                    continue
                written_transformations.add(key)
                event = writer.transformation_event(line, key, events)
            else:
                event = writer.object_event(cte, line, sender, recipient)
            yield separator + json.dumps(event, ensure_ascii=False)
            separator = ",\n"
        yield "\n" + head[cut:]


class _EpcisWriter:
    """Turns trace lines into EPCIS events, keeping what many events share (lots'
    classes, warehouses' and partners' identifiers) once."""

    def __init__(self, env, company):
        self.env = env
        self.company = company
        self.base_url = company.get_base_url()
        self.uuid_namespace = uuid.uuid5(uuid.NAMESPACE_URL, self.base_url)
        self.epc_classes = {}
        self.places = {}
        self.parties = {}
        self.uoms = {}
        self.time_zones = {}
        self.unece = {}
        for xmlid, code in UNECE_CODES.items():
            uom = env.ref(xmlid, raise_if_not_found=False)
            if uom:
                self.unece[uom.id] = code
        self.rule = env["stock.shelf.life.rule"]
        self.transformations = None

    # ------------------------------------------------------------------ events

    def object_event(self, cte, line, sender, recipient):
        """A receiving or shipping ObjectEvent of trace ``line``."""
        biz_step, disposition, document_type = _CBV[cte]
        company = line.event_company_id or self.company
        ours = line.location_dest_id if cte == "receiving" else line.location_id
        vendor_receipt = line.line_type == "receipt"
        event = self._event_head("ObjectEvent", cte, line, ours)
        event["quantityList"] = [self.quantity(line.lot_id, line.product_id, line.quantity)]
        event["action"] = "ADD" if vendor_receipt else "OBSERVE"
        event["bizStep"] = biz_step
        event["disposition"] = "returned" if line.line_type == "return" else disposition
        if ours.usage == "internal":
            place = {"id": self.place(ours, company)}
            event["readPoint"] = place
            event["bizLocation"] = place
        event["bizTransactionList"] = [self.transaction(line, document_type, company)]
        ours_side = [
            {"type": "owning_party", "source": self.party(company.partner_id, company)},
        ]
        if cte == "receiving":
            event["sourceList"] = [
                {"type": "owning_party", "source": self.party(sender.commercial_partner_id)},
                {"type": "location", "source": self.address(sender)},
            ]
            if line.location_dest_id.usage == "customer":
                # a dropship: received and shipped at once, to the customer
                event["destinationList"] = self._their_side("destination", recipient)
            else:
                event["destinationList"] = [
                    {"type": "owning_party", "destination": ours_side[0]["source"]},
                    {"type": "location", "destination": self.place(ours, company)},
                ]
        else:
            if line.location_id.usage == "supplier":
                event["sourceList"] = [
                    {
                        "type": "owning_party",
                        "source": self.party(sender.commercial_partner_id),
                    },
                    {"type": "location", "source": self.address(sender)},
                ]
            else:
                event["sourceList"] = [
                    *ours_side,
                    {"type": "location", "source": self.place(ours, company)},
                ]
            event["destinationList"] = self._their_side("destination", recipient)
        if vendor_receipt:
            event["ilmd"] = self.ilmd(line.lot_id)
        return event

    def transformation_key(self, line):
        """What makes one transformation: the produced move's inputs. An order making
        several lots from the same inputs is one event with several outputs."""
        return (
            line.move_line_id.move_id.id,
            tuple(sorted(line.move_line_id.consume_line_ids.ids)),
        )

    def transformation_event(self, line, key, events):
        """The TransformationEvent of the produced trace ``line`` (and of the other lots
        made from the same inputs, ``key``)."""
        if self.transformations is None:
            self.transformations = {}
            for cte, other, _sender, _recipient in events:
                if cte == "transformation":
                    self.transformations.setdefault(self.transformation_key(other), []).append(
                        other
                    )
        outputs = self.transformations[key]
        company = line.event_company_id or self.company
        biz_step, disposition, document_type = _CBV["transformation"]
        made_at = line.location_dest_id
        event = self._event_head("TransformationEvent", "transformation", line, made_at)
        # the manufacturing order (with mrp), else the move that made the lots: what ties
        # the events of one transformation, and what makes one without inputs valid
        event["transformationID"] = self._record_uri(self._production(line))
        inputs = [
            self.quantity(consumed.lot_id, consumed.product_id, consumed.quantity_product_uom)
            for consumed in line.move_line_id.consume_line_ids
        ]
        if inputs:
            event["inputQuantityList"] = inputs
        event["outputQuantityList"] = [
            self.quantity(output.lot_id, output.product_id, output.quantity) for output in outputs
        ]
        event["bizStep"] = biz_step
        event["disposition"] = disposition
        if made_at.usage == "internal":
            place = {"id": self.place(made_at, company)}
            event["readPoint"] = place
            event["bizLocation"] = place
        event["bizTransactionList"] = [self.transaction(line, document_type, company)]
        output_lots = {output.lot_id for output in outputs}
        if len(output_lots) == 1:
            event["ilmd"] = self.ilmd(line.lot_id)
        return event

    def _event_head(self, event_type, cte, line, place):
        warehouse = place.warehouse_id
        if warehouse.id not in self.time_zones:
            self.time_zones[warehouse.id] = self.rule._get_day_tz(warehouse)
        tz = self.time_zones[warehouse.id]
        offset = pytz.utc.localize(line.date).astimezone(tz).strftime("%z")
        return {
            "type": event_type,
            "eventTime": _utc(line.date),
            "eventTimeZoneOffset": f"{offset[:3]}:{offset[3:]}",
            "eventID": "urn:uuid:"
            + str(
                uuid.uuid5(self.uuid_namespace, f"stock.move.line/{line.move_line_id.id}/{cte}")
            ),
        }

    def _their_side(self, key, partner):
        return [
            {"type": "owning_party", key: self.party(partner.commercial_partner_id)},
            {"type": "location", key: self.address(partner)},
        ]

    # ------------------------------------------------------------- identifiers

    def quantity(self, lot, product, quantity):
        """A quantityList element: the lot's class, the quantity and its UN/ECE unit."""
        uom = product.uom_id
        code, factor = self.uom(uom)
        element = {"epcClass": self.epc_class(lot, product), "quantity": quantity * factor}
        if code:
            element["uom"] = code
        return element

    def uom(self, uom):
        """``(UN/ECE code or None for a count, factor to that unit)``: a unit without a
        code is converted to the first of its reference units that has one."""
        if uom.id not in self.uoms:
            unit, factor = uom, 1.0
            while unit and unit.id not in self.unece:
                factor *= unit.relative_factor or 1.0
                unit = unit.relative_uom_id
            self.uoms[uom.id] = (self.unece[unit.id], factor) if unit else (None, 1.0)
        return self.uoms[uom.id]

    def epc_class(self, lot, product):
        """The lot as a GS1 Digital Link lot class (GTIN + traceability lot code), or its
        address in this database when the product has no GTIN."""
        if lot.id not in self.epc_classes:
            gtin = product._get_gs1_gtin()
            if gtin:
                uri = f"{DIGITAL_LINK}/01/{gtin}/10/{quote(_tlc(lot), safe='')}"
            else:
                uri = f"{self.base_url}/odoo/stock.lot/{lot.id}"
            self.epc_classes[lot.id] = uri
        return self.epc_classes[lot.id]

    def place(self, location, company):
        """One of our locations: its warehouse's GLN (else its company's), else the
        warehouse's (or location's) address in this database."""
        key = ("location", location.id)
        if key not in self.places:
            warehouse = location.warehouse_id
            gln = (
                warehouse._get_gs1_gln() if warehouse else (location.company_id or company).gs1_gln
            )
            if gln:
                uri = f"{DIGITAL_LINK}/414/{gln}"
            elif warehouse:
                uri = f"{self.base_url}/odoo/stock.warehouse/{warehouse.id}"
            else:
                uri = f"{self.base_url}/odoo/stock.location/{location.id}"
            self.places[key] = uri
        return self.places[key]

    def address(self, partner):
        """A vendor's or customer's address (location): its GLN, else its address."""
        key = ("partner", partner.id)
        if key not in self.places:
            gln = partner.gs1_gln or partner.commercial_partner_id.gs1_gln
            self.places[key] = f"{DIGITAL_LINK}/414/{gln}" if gln else self._record_uri(partner)
        return self.places[key]

    def party(self, partner, company=None):
        """A party (owner): its GLN as a party GLN, else its address in this database."""
        if partner.id not in self.parties:
            gln = company.gs1_gln if company else partner.gs1_gln
            self.parties[partner.id] = (
                f"{DIGITAL_LINK}/417/{gln}" if gln else self._record_uri(partner)
            )
        return self.parties[partner.id]

    def transaction(self, line, document_type, company):
        """The reference document of an event: the transfer (or the move of a
        production), as a CBV business transaction under the company's GLN."""
        record = line.picking_id or self._production(line)
        name = line.picking_id.name or line.move_line_id.reference or str(record.id)
        if company.gs1_gln:
            uri = f"urn:epcglobal:cbv:bt:{company.gs1_gln}:{quote(name)}"
        else:
            uri = self._record_uri(record)
        return {"type": document_type, "bizTransaction": uri}

    def ilmd(self, lot):
        """The lot's master data, the FSMA 204 traceability lot code and its dates."""
        data = {"cbvmda:lotNumber": _tlc(lot)}
        if lot.expiration_date:
            data["cbvmda:itemExpirationDate"] = lot.expiration_date.date().isoformat()
        if lot.use_date and lot.use_date != lot.expiration_date:
            data["cbvmda:bestBeforeDate"] = lot.use_date.date().isoformat()
        return data

    @staticmethod
    def _production(line):
        move = line.move_line_id.move_id
        if "production_id" in move._fields and move.production_id:
            return move.production_id
        return move

    def _record_uri(self, record):
        if not record:
            return f"{self.base_url}/odoo"
        return f"{self.base_url}/odoo/{record._name}/{record.id}"


def _utc(value):
    return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")


class StockRecall(models.Model):
    _inherit = "stock.recall"  # pylint: disable=consider-merging-classes-inherited

    def action_export_epcis(self):
        """Download the recall's trace as an EPCIS 2.0 document, kept on its chatter."""
        self.ensure_one()
        # Those who read a recall (Inventory users) are those who may export it: the
        # file may stay on its chatter.
        self.lot_ids._check_customer_list_access()
        filename = f"{self.name.replace('/', '-')}-EPCIS.jsonld"
        owner = self._get_export_owner(filename)
        attachment = self.env["stock.recall.epcis"]._epcis_attachment(
            self.line_ids, self.company_id, owner, filename
        )
        self._post_export(filename, attachment, owner)
        return _download(attachment)


class StockLot(models.Model):
    _inherit = "stock.lot"  # pylint: disable=consider-merging-classes-inherited

    def action_export_epcis(self):
        """Download the lot's history as an EPCIS 2.0 document: where it came from or
        was made, and everything it went to (the lots made from it included), as a
        recall of it would trace it. The export is noted on the lot's chatter; the
        file is not attached there, where everyone who reads lots (salesmen too) would
        read the customers, but kept for the user who exported it."""
        self.ensure_one()
        self._check_customer_list_access()
        company = self.company_id or self.env.company
        trace = self.env["stock.recall.trace"]._trace_lots(self, company)
        Line = self.env["stock.recall.line"]
        lines = Line.concat(*(Line.new(vals) for vals in trace["lines"]))
        filename = f"{self.name.replace('/', '-')}-EPCIS.jsonld"
        attachment = self.env["stock.recall.epcis"]._epcis_attachment(
            lines, company, None, filename
        )
        self.message_post(
            body=self.env._("Exported %(file)s.", file=filename),
            subtype_xmlid="mail.mt_note",
        )
        return _download(attachment)


def _download(attachment):
    return {
        "type": "ir.actions.act_url",
        "url": f"/web/content/{attachment.id}?download=true",
        "target": "download",
    }
