from collections import defaultdict

from odoo import api, models
from odoo.tools import SQL

# How many manufacturing levels a trace follows at most (cycles can not loop forever).
MAX_TRACE_DEPTH = 20

_SEQUENCE = {
    "receipt": 10,
    "produced": 20,
    "consumed": 25,
    "delivery": 30,
    "return": 35,
    "scrapped": 40,
    "on_hand": 50,
    "reserved": 60,
}


class StockRecallTrace(models.AbstractModel):
    """The set-based trace of lots: what a recall, its wizard and a mock recall see."""

    _name = "stock.recall.trace"
    _description = "Recall Trace"

    @api.model
    def _trace_lots(self, lots, company):
        """Trace ``lots`` within ``company``: every lot made from them (any depth) and
        the receipts, production, shipments, returns, consumption and scraps of all of
        them, then their stock on hand and open reservations.

        The genealogy and the events come from one recursive SQL query, however many
        manufacturing levels and move lines there are; stock and reservations are two
        grouped reads.

        :return: dict with ``lines`` (values for stock.recall.line), ``lot_ids`` (the
            recalled lots and their descendants), ``lots_without_moves`` and
            ``accounted_percent``
        """
        self.env["stock.move.line"].flush_model()
        self.env["stock.move"].flush_model(["partner_id", "scrap_id"])
        self.env["stock.picking"].flush_model(["partner_id"])
        rows = self.env.execute_query(
            SQL(
                """
                WITH RECURSIVE tree(lot_id, source_lot_id, depth) AS (
                        SELECT lot.id, NULL::integer, 0
                          FROM stock_lot lot
                         WHERE lot.id = ANY(%(lot_ids)s)
                    UNION
                        SELECT fin.lot_id, tree.lot_id, tree.depth + 1
                          FROM tree
                          JOIN stock_move_line raw
                            ON raw.lot_id = tree.lot_id AND raw.state = 'done'
                          JOIN stock_move_line_consume_rel rel ON rel.produce_line_id = raw.id
                          JOIN stock_move_line fin ON fin.id = rel.consume_line_id
                         WHERE fin.state = 'done'
                           AND fin.lot_id IS NOT NULL
                           AND tree.depth < %(max_depth)s
                ),
                lots AS (
                    SELECT DISTINCT ON (lot_id) lot_id, source_lot_id, depth
                      FROM tree
                  ORDER BY lot_id, depth
                ),
                events AS (
                    SELECT ml.id, ml.lot_id, ml.product_id, ml.date,
                           ml.quantity_product_uom AS quantity, ml.picking_id,
                           ml.location_id, ml.location_dest_id,
                           src.usage AS src_usage, dest.usage AS dest_usage,
                           m.scrap_id IS NOT NULL AS is_scrap,
                           partner.commercial_partner_id AS partner_id
                      FROM stock_move_line ml
                      JOIN stock_location src ON src.id = ml.location_id
                      JOIN stock_location dest ON dest.id = ml.location_dest_id
                      JOIN stock_move m ON m.id = ml.move_id
                 LEFT JOIN stock_picking p ON p.id = ml.picking_id
                 LEFT JOIN res_partner partner ON partner.id = COALESCE(m.partner_id, p.partner_id)
                     WHERE ml.lot_id IN (SELECT lot_id FROM lots)
                       AND ml.state = 'done'
                       AND ml.company_id = %(company_id)s
                       AND (src.usage IN ('supplier', 'customer', 'production')
                            OR dest.usage IN ('customer', 'production')
                            OR m.scrap_id IS NOT NULL)
                )
                SELECT lots.lot_id, lots.source_lot_id, lots.depth,
                       events.id, events.product_id, events.date, events.quantity,
                       events.picking_id, events.location_id, events.location_dest_id,
                       events.src_usage, events.dest_usage, events.is_scrap, events.partner_id
                  FROM lots
             LEFT JOIN events ON events.lot_id = lots.lot_id
              ORDER BY lots.depth, events.date
                """,
                lot_ids=lots.ids,
                max_depth=MAX_TRACE_DEPTH,
                company_id=company.id,
            )
        )
        lot_info = {}
        lines = []
        flows = defaultdict(float)
        for (
            lot_id,
            source_lot_id,
            depth,
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
            partner_id,
        ) in rows:
            lot_info.setdefault(lot_id, (source_lot_id, depth))
            if not ml_id:
                continue
            line_type = self._classify_event(src_usage, dest_usage, is_scrap)
            flows[line_type] += quantity
            lines.append(
                {
                    "line_type": line_type,
                    "sequence": _SEQUENCE[line_type],
                    "lot_id": lot_id,
                    "source_lot_id": source_lot_id,
                    "depth": depth,
                    "product_id": product_id,
                    "partner_id": partner_id
                    if line_type in ("receipt", "delivery", "return")
                    else False,
                    "picking_id": picking_id,
                    "move_line_id": ml_id,
                    "location_id": location_id,
                    "location_dest_id": location_dest_id,
                    "date": date,
                    "quantity": quantity,
                }
            )
        lot_ids = list(lot_info)
        lines += self._trace_stock(lot_ids, lot_info, company, flows)
        inflow = flows["receipt"] + flows["produced"]
        accounted = (
            flows["delivery"]
            - flows["return"]
            + flows["consumed"]
            + flows["scrapped"]
            + flows["on_hand"]
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
    def _classify_event(self, src_usage, dest_usage, is_scrap):
        if is_scrap:
            return "scrapped"
        if src_usage == "supplier":
            return "receipt"
        if src_usage == "customer":
            return "return"
        if dest_usage == "customer":
            return "delivery"
        if src_usage == "production":
            return "produced"
        return "consumed"

    @api.model
    def _trace_stock(self, lot_ids, lot_info, company, flows):
        """Trace lines for the stock on hand and the open reservations of the lots."""
        lines = []
        on_hand = (
            self.env["stock.quant"]
            .sudo()
            ._read_group(
                [
                    ("lot_id", "in", lot_ids),
                    ("location_id.usage", "=", "internal"),
                    ("company_id", "=", company.id),
                ],
                ["lot_id", "location_id", "product_id"],
                ["quantity:sum"],
            )
        )
        for lot, location, product, quantity in on_hand:
            if not quantity:
                continue
            flows["on_hand"] += quantity
            lines.append(
                self._prepare_stock_line_vals(
                    "on_hand", lot, lot_info, product, location, quantity
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
                    ("company_id", "=", company.id),
                ],
                ["lot_id", "picking_id", "product_id", "location_id"],
                ["quantity_product_uom:sum"],
            )
        )
        for lot, picking, product, location, quantity in reserved:
            lines.append(
                self._prepare_stock_line_vals(
                    "reserved",
                    lot,
                    lot_info,
                    product,
                    location,
                    quantity,
                    picking_id=picking.id,
                    partner_id=picking.partner_id.commercial_partner_id.id,
                    date=picking.scheduled_date,
                )
            )
        return lines

    @api.model
    def _prepare_stock_line_vals(
        self, line_type, lot, lot_info, product, location, quantity, **extra
    ):
        source_lot_id, depth = lot_info[lot.id]
        return dict(
            {
                "line_type": line_type,
                "sequence": _SEQUENCE[line_type],
                "lot_id": lot.id,
                "source_lot_id": source_lot_id,
                "depth": depth,
                "product_id": product.id,
                "location_id": location.id,
                "quantity": quantity,
            },
            **extra,
        )
