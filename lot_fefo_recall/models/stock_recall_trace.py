from collections import defaultdict

from odoo import api, models
from odoo.tools import SQL

# How many manufacturing levels a trace follows at most (cycles can not loop forever).
MAX_TRACE_DEPTH = 20

_SEQUENCE = {
    "receipt": 10,
    "transit_in": 15,
    "adjustment_in": 18,
    "produced": 20,
    "consumed": 25,
    "delivery": 30,
    "transit_out": 32,
    "return": 35,
    "scrapped": 40,
    "adjustment_out": 45,
    "on_hand": 50,
    "reserved": 60,
}
# Events that bring a lot into the traced companies, and those that take it out of stock;
# what is still on hand closes the balance.
_INFLOWS = ("receipt", "produced", "transit_in", "adjustment_in")
_OUTFLOWS = ("delivery", "consumed", "scrapped", "transit_out", "adjustment_out")
# Events whose partner is the one on the other side: the vendor, customer or company.
_PARTNER_EVENTS = ("receipt", "delivery", "return", "transit_in", "transit_out")


class StockRecallTrace(models.AbstractModel):
    """The set-based trace of lots: what a recall, its wizard and a mock recall see."""

    _name = "stock.recall.trace"
    _description = "Recall Trace"

    @api.model
    def _trace_lots(self, lots, company, companies=None):
        """Trace ``lots`` from ``company``: every lot made from them (any depth), where
        they went through a transit location into another of ``companies`` (by default
        those the user works in, ``self.env.companies``), and the receipts, production,
        shipments, returns, transfers, consumption and scraps of all of them there; then
        their stock on hand and open reservations.

        A lot is followed forward only. In another company it is followed from the day it
        arrived there; the companies and vendors it came from are not traced back: a
        recall of a received lot stops at whoever sent it.

        Where the lots are followed comes from one recursive SQL query, their events from
        a second one, however many manufacturing levels, companies and move lines there
        are; stock and reservations are two grouped reads.

        :return: dict with ``lines`` (values for stock.recall.line), ``lot_ids`` (the
            recalled lots and their descendants), ``lots_without_moves`` and
            ``accounted_percent``
        """
        lots._check_customer_list_access()
        self.env["stock.move.line"].flush_model()
        self.env["stock.move"].flush_model(["partner_id", "scrap_id"])
        self.env["stock.picking"].flush_model(["partner_id"])
        company_ids = (company | (self.env.companies if companies is None else companies)).ids
        places = {}
        lot_info = {}
        for lot_id, company_id, since, source_lot_id, depth in sorted(
            self._trace_places(lots, company, company_ids), key=lambda place: place[4]
        ):
            places[lot_id, company_id] = since
            lot_info.setdefault(lot_id, (source_lot_id, depth))
        lines = []
        flows = defaultdict(float)
        for (
            lot_id,
            event_company_id,
            ml_id,
            product_id,
            date,
            quantity,
            picking_id,
            location_id,
            location_dest_id,
            src_usage,
            dest_usage,
            is_scrap,
            sender_id,
            sender_partner_id,
            recipient_id,
            recipient_partner_id,
        ) in self._trace_events(places):
            if (lot_id, event_company_id) not in places:
                continue
            since = places[lot_id, event_company_id]
            if since and date < since:
                continue
            source_lot_id, depth = lot_info[lot_id]
            for line_type in self._classify_event(src_usage, dest_usage, is_scrap):
                flows[line_type] += quantity
                partner_id = address_id = False
                if line_type in ("receipt", "transit_in"):
                    partner_id, address_id = sender_partner_id, sender_id
                elif line_type in _PARTNER_EVENTS:
                    partner_id, address_id = recipient_partner_id, recipient_id
                lines.append(
                    {
                        "line_type": line_type,
                        "sequence": _SEQUENCE[line_type],
                        "lot_id": lot_id,
                        "source_lot_id": source_lot_id,
                        "depth": depth,
                        "event_company_id": event_company_id,
                        "product_id": product_id,
                        "partner_id": partner_id,
                        "address_id": address_id,
                        "picking_id": picking_id,
                        "move_line_id": ml_id,
                        "location_id": location_id,
                        "location_dest_id": location_dest_id,
                        "date": date,
                        "quantity": quantity,
                    }
                )
        lot_ids = list(lot_info)
        lines += self._trace_stock(lot_ids, lot_info, set(places), flows)
        inflow = sum(flows[line_type] for line_type in _INFLOWS)
        accounted = (
            sum(flows[line_type] for line_type in _OUTFLOWS) - flows["return"] + flows["on_hand"]
        )
        events_by_lot = {line["lot_id"] for line in lines}
        return {
            "lines": lines,
            "lot_ids": lot_ids,
            "lots_without_moves": self.env["stock.lot"].browse(
                [lot_id for lot_id in lot_ids if lot_id not in events_by_lot]
            ),
            "accounted_percent": 100.0 * accounted / inflow if inflow else 0.0,
        }

    @api.model
    def _trace_places(self, lots, company, company_ids):
        """Where each lot is followed: ``(lot id, company id, since, source lot id, depth)``
        rows, from the recalled lots in ``company`` (since ever) to the lots made from them
        and to the companies of ``company_ids`` a lot arrived in from the transit
        location it was sent to (since it arrived). One recursive query; each step joins
        the lot's done move lines once, to what they were consumed into or to where they
        arrived from transit."""
        return self.env.execute_query(
            SQL(
                """
                WITH RECURSIVE tree(lot_id, company_id, since, source_lot_id, depth) AS (
                        SELECT lot.id, %(company_id)s, NULL::timestamp, NULL::integer, 0
                          FROM stock_lot lot
                         WHERE lot.id = ANY(%(lot_ids)s)
                    UNION
                        SELECT COALESCE(fin.lot_id, arrival.lot_id),
                               COALESCE(fin.company_id, arrival.company_id),
                               CASE WHEN fin.id IS NULL THEN arrival.date END,
                               CASE WHEN fin.id IS NULL THEN tree.source_lot_id
                                    ELSE tree.lot_id END,
                               tree.depth + CASE WHEN fin.id IS NULL THEN 0 ELSE 1 END
                          FROM tree
                          JOIN stock_move_line out
                            ON out.lot_id = tree.lot_id
                           AND out.company_id = tree.company_id
                           AND out.state = 'done'
                           AND (tree.since IS NULL OR out.date >= tree.since)
                     LEFT JOIN stock_move_line_consume_rel rel ON rel.produce_line_id = out.id
                     LEFT JOIN stock_move_line fin
                            ON fin.id = rel.consume_line_id
                           AND fin.state = 'done'
                           AND fin.lot_id IS NOT NULL
                           AND fin.company_id = ANY(%(company_ids)s)
                           AND tree.depth < %(max_depth)s
                     -- transit and arrival joined together: a lot's arrivals are only
                     -- looked up for lines sent to transit (not for each delivery)
                     LEFT JOIN (stock_location transit
                                JOIN stock_move_line arrival
                                  ON arrival.location_id = transit.id
                                 AND arrival.state = 'done'
                                 AND arrival.company_id = ANY(%(company_ids)s))
                            ON transit.id = out.location_dest_id
                           AND transit.usage = 'transit'
                           AND arrival.lot_id = out.lot_id
                           AND arrival.company_id <> out.company_id
                           AND arrival.date >= out.date
                         WHERE fin.id IS NOT NULL OR arrival.id IS NOT NULL
                )
                SELECT DISTINCT ON (lot_id, company_id) lot_id, company_id, since,
                       source_lot_id, depth
                  FROM tree
              ORDER BY lot_id, company_id, since NULLS FIRST, depth
                """,
                lot_ids=lots.ids,
                company_id=company.id,
                company_ids=company_ids,
                max_depth=MAX_TRACE_DEPTH,
            )
        )

    @api.model
    def _trace_events(self, places):
        """The done move lines of the lots in their ``places`` that are events of the
        trace, with the partners on either side.

        A separate query from the recursive one, with the lots as a literal array: the
        planner then knows how many lines to expect and picks index and hash joins."""
        lot_ids = list({lot_id for lot_id, *_rest in places})
        return self.env.execute_query(
            SQL(
                """
                SELECT ml.lot_id, ml.company_id, ml.id, ml.product_id, ml.date,
                       ml.quantity_product_uom, ml.picking_id, ml.location_id,
                       ml.location_dest_id, src.usage, dest.usage,
                       m.scrap_id IS NOT NULL,
                       -- a dropship's picking names the vendor, its move the customer's
                       -- delivery address
                       sender.id, sender.commercial_partner_id,
                       recipient.id, recipient.commercial_partner_id
                  FROM stock_move_line ml
                  JOIN stock_location src ON src.id = ml.location_id
                  JOIN stock_location dest ON dest.id = ml.location_dest_id
                  JOIN stock_move m ON m.id = ml.move_id
             LEFT JOIN stock_picking p ON p.id = ml.picking_id
             LEFT JOIN res_partner sender ON sender.id = COALESCE(p.partner_id, m.partner_id)
             LEFT JOIN res_partner recipient
                    ON recipient.id = COALESCE(m.partner_id, p.partner_id)
                 WHERE ml.lot_id = ANY(%(lot_ids)s)
                   AND ml.company_id = ANY(%(company_ids)s)
                   AND ml.state = 'done'
                   AND (src.usage IN ('supplier', 'customer', 'production', 'transit',
                                      'inventory')
                        OR dest.usage IN ('customer', 'production', 'transit', 'inventory')
                        OR m.scrap_id IS NOT NULL)
              ORDER BY ml.date, ml.id
                """,
                lot_ids=lot_ids,
                company_ids=list({company_id for _lot_id, company_id, *_rest in places}),
            )
        )

    @api.model
    def _classify_event(self, src_usage, dest_usage, is_scrap):
        """The trace events a done move line is: one, or two for a dropship (from the
        vendor straight to the customer: received and shipped at once)."""
        if is_scrap:
            return ("scrapped",)
        if src_usage == "supplier":
            return ("receipt", "delivery") if dest_usage == "customer" else ("receipt",)
        if src_usage == "customer":
            return ("return",)
        if dest_usage == "customer":
            return ("delivery",)
        if src_usage == "production":
            return ("produced",)
        if dest_usage == "production":
            return ("consumed",)
        if src_usage == "transit":
            return ("transit_in",)
        if dest_usage == "transit":
            return ("transit_out",)
        if src_usage == "inventory":
            return ("adjustment_in",)
        return ("adjustment_out",)

    @api.model
    def _trace_stock(self, lot_ids, lot_info, places, flows):
        """Trace lines for the stock on hand and the open reservations of the lots, in
        the companies where each lot is followed (``places``: (lot id, company id))."""
        lines = []
        company_ids = list({company_id for _lot_id, company_id in places})
        on_hand = (
            self.env["stock.quant"]
            .sudo()
            ._read_group(
                [
                    ("lot_id", "in", lot_ids),
                    ("location_id.usage", "=", "internal"),
                    ("company_id", "in", company_ids),
                ],
                ["lot_id", "company_id", "location_id", "product_id"],
                ["quantity:sum"],
            )
        )
        for lot, company, location, product, quantity in on_hand:
            if not quantity or (lot.id, company.id) not in places:
                continue
            flows["on_hand"] += quantity
            lines.append(
                self._prepare_stock_line_vals(
                    "on_hand", lot, lot_info, product, location, quantity, company
                )
            )
        reserved = (
            self.env["stock.move.line"]
            .sudo()
            ._read_group(
                [
                    ("lot_id", "in", lot_ids),
                    ("state", "not in", ("done", "cancel")),
                    ("picking_id", "!=", False),
                    ("company_id", "in", company_ids),
                ],
                ["lot_id", "company_id", "picking_id", "product_id", "location_id"],
                ["quantity_product_uom:sum"],
            )
        )
        for lot, company, picking, product, location, quantity in reserved:
            if (lot.id, company.id) not in places:
                continue
            lines.append(
                self._prepare_stock_line_vals(
                    "reserved",
                    lot,
                    lot_info,
                    product,
                    location,
                    quantity,
                    company,
                    picking_id=picking.id,
                    partner_id=picking.partner_id.commercial_partner_id.id,
                    address_id=picking.partner_id.id,
                    date=picking.scheduled_date,
                )
            )
        return lines

    @api.model
    def _prepare_stock_line_vals(
        self, line_type, lot, lot_info, product, location, quantity, company, **extra
    ):
        source_lot_id, depth = lot_info[lot.id]
        return dict(
            {
                "line_type": line_type,
                "sequence": _SEQUENCE[line_type],
                "lot_id": lot.id,
                "source_lot_id": source_lot_id,
                "depth": depth,
                "event_company_id": company.id,
                "product_id": product.id,
                "location_id": location.id,
                "quantity": quantity,
            },
            **extra,
        )
