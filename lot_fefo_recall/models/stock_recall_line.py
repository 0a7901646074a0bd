from odoo import fields, models

LINE_TYPES = [
    ("receipt", "Received"),
    ("produced", "Produced into"),
    ("consumed", "Consumed in production"),
    ("delivery", "Shipped"),
    ("return", "Returned by customer"),
    ("scrapped", "Scrapped"),
    ("on_hand", "On hand"),
    ("reserved", "Reserved"),
]


class StockRecallLine(models.Model):
    _name = "stock.recall.line"
    _description = "Recall Trace Line"
    _order = "recall_id, sequence, date, id"

    recall_id = fields.Many2one("stock.recall", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="recall_id.company_id", store=True)
    sequence = fields.Integer(help="Receipts first, then production, shipments, stock.")
    line_type = fields.Selection(LINE_TYPES, string="Event", required=True)
    lot_id = fields.Many2one("stock.lot", string="Lot/Serial Number", index=True)
    source_lot_id = fields.Many2one(
        "stock.lot", string="Made From", help="The recalled lot this lot was made from."
    )
    depth = fields.Integer(
        string="Level", help="0: a recalled lot; 1: made from it; 2: made from that..."
    )
    product_id = fields.Many2one("product.product")
    partner_id = fields.Many2one("res.partner")
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
