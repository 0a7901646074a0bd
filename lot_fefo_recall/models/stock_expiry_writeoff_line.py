from odoo import fields, models


class StockExpiryWriteoffLine(models.Model):
    _name = "stock.expiry.writeoff.line"
    _description = "Expiry Write-off Line"
    _inherit = ["lot_fefo_recall.input.guard"]
    _order = "writeoff_id desc, id"

    writeoff_id = fields.Many2one(
        "stock.expiry.writeoff", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="writeoff_id.company_id", store=True)
    date = fields.Datetime(related="writeoff_id.date", store=True)
    lot_id = fields.Many2one("stock.lot", string="Lot/Serial Number", required=True, index=True)
    product_id = fields.Many2one("product.product", required=True)
    product_categ_id = fields.Many2one(
        related="product_id.categ_id", store=True, string="Product Category"
    )
    supplier_id = fields.Many2one(related="lot_id.supplier_id", store=True, string="Vendor")
    location_id = fields.Many2one("stock.location", required=True)
    quantity = fields.Float(required=True)
    value = fields.Float()
    action = fields.Selection(
        [
            ("scrapped", "Scrapped"),
            ("moved", "Moved to Expired"),
            ("reported", "Reported"),
            ("skipped_reserved", "Skipped: reserved"),
            ("skipped_recall", "Skipped: in recall"),
            ("skipped_no_warehouse", "Skipped: no warehouse"),
            ("failed", "Failed"),
        ],
        required=True,
    )
    reason = fields.Char(help="Why the stock was kept, or why writing it off failed.")
    recall_id = fields.Many2one(
        "stock.recall", help="The open recall whose evidence this stock is."
    )
    scrap_id = fields.Many2one("stock.scrap")
    picking_id = fields.Many2one("stock.picking", string="Transfer")
