from odoo import api, fields, models
from odoo.tools import SQL

LINE_TYPES = [
    ("receipt", "Received"),
    ("transit_in", "Received from transit"),
    ("adjustment_in", "Inventory adjustment (found)"),
    ("produced", "Produced into"),
    ("consumed", "Consumed in production"),
    ("delivery", "Shipped"),
    ("transit_out", "Sent in transit"),
    ("return", "Returned by customer"),
    ("scrapped", "Scrapped"),
    ("adjustment_out", "Inventory adjustment (lost)"),
    ("on_hand", "On hand"),
    ("reserved", "Reserved"),
]

# The columns the trace fills, with their SQL types for the one-statement insert.
TRACE_COLUMNS = {
    "sequence": "int4",
    "line_type": "varchar",
    "lot_id": "int4",
    "source_lot_id": "int4",
    "depth": "int4",
    "event_company_id": "int4",
    "product_id": "int4",
    "partner_id": "int4",
    "address_id": "int4",
    "picking_id": "int4",
    "move_line_id": "int4",
    "location_id": "int4",
    "location_dest_id": "int4",
    "date": "timestamp",
    "quantity": "float8",
}


class StockRecallLine(models.Model):
    _name = "stock.recall.line"
    _description = "Recall Trace Line"
    _inherit = ["lot_fefo_recall.input.guard"]
    _order = "recall_id, sequence, date, id"

    recall_id = fields.Many2one("stock.recall", required=True, index=True, ondelete="cascade")
    # The company of the event, not of the recall: a recall of one company followed into
    # another holds lines that only the other company's users may read (record rule).
    company_id = fields.Many2one(
        related="event_company_id", store=True, index=True, string="Company"
    )
    sequence = fields.Integer(help="Receipts first, then production, shipments, stock.")
    line_type = fields.Selection(LINE_TYPES, string="Event", required=True)
    lot_id = fields.Many2one("stock.lot", string="Lot/Serial Number", index=True)
    source_lot_id = fields.Many2one(
        "stock.lot", string="Made From", help="The recalled lot this lot was made from."
    )
    depth = fields.Integer(
        string="Level", help="0: a recalled lot; 1: made from it; 2: made from that..."
    )
    event_company_id = fields.Many2one(
        "res.company",
        string="Moved In",
        help="The company whose move, stock or reservation this line is: a lot sent "
        "through transit to another company of ours is followed there.",
    )
    product_id = fields.Many2one("product.product")
    partner_id = fields.Many2one("res.partner")
    address_id = fields.Many2one(
        "res.partner",
        help="The delivery address of a shipment; the vendor's address of a receipt.",
    )
    picking_id = fields.Many2one("stock.picking", string="Transfer")
    move_line_id = fields.Many2one("stock.move.line", string="Stock Move Line")
    location_id = fields.Many2one("stock.location", string="From")
    location_dest_id = fields.Many2one("stock.location", string="To")
    date = fields.Datetime()
    # No digits: rounding each of thousands of lines to the unit's precision on create costs
    # a decimal precision look-up per line; the quantities come from done move lines.
    quantity = fields.Float()
    product_uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    expiration_date = fields.Datetime(related="lot_id.expiration_date")

    @api.model
    def _create_from_trace(self, recall, vals_list):
        """Insert the trace lines of ``recall`` (``vals_list`` from the trace, keys of
        TRACE_COLUMNS) in one statement and return them.

        Why not create(): a trace writes thousands of lines at once, and create() spends
        most of the Trace button's time converting each value, filling defaults and
        batching inserts of lines that have no default, no inverse and no computed field
        but their company (the event's), given here. A test checks that TRACE_COLUMNS covers every
        stored field. Access is checked and dependent fields (the recall's totals) are
        told, as create() does."""
        self.check_access("create")
        if not vals_list:
            return self
        arrays = SQL(", ").join(
            # False (no partner, no picking) is NULL in SQL
            SQL(f"%s::{sql_type}[]", [_sql_value(vals.get(name)) for vals in vals_list])
            for name, sql_type in TRACE_COLUMNS.items()
        )
        now = fields.Datetime.now()
        ids = self.env.execute_query(
            SQL(
                """
                INSERT INTO stock_recall_line (recall_id, company_id, create_uid, create_date,
                                               write_uid, write_date, %(columns)s)
                SELECT %(recall)s, COALESCE(line.event_company_id, %(company)s), %(uid)s,
                       %(now)s, %(uid)s, %(now)s, line.*
                  FROM unnest(%(arrays)s) AS line(%(columns)s)
             RETURNING id
                """,
                columns=SQL(", ").join(SQL.identifier(name) for name in TRACE_COLUMNS),
                recall=recall.id,
                company=recall.company_id.id,
                uid=self.env.uid,
                now=now,
                arrays=arrays,
            )
        )
        lines = self.browse(line_id for (line_id,) in ids)
        recall.invalidate_recordset(["line_ids"])
        lines.modified(self._fields, create=True)
        return lines


def _sql_value(value):
    return None if value is False else value
