from odoo import fields, models, tools
from odoo.tools import SQL


class StockWasteReport(models.Model):
    _name = "stock.waste.report"
    _description = "Expiry Waste Analysis"
    _inherit = ["lot_fefo_recall.ratio.report.mixin"]
    _auto = False
    _ratio_measures = {"waste_percent": ("waste_qty", "received_qty")}
    _order = "date desc"
    _depends = {
        "stock.expiry.writeoff.line": [
            "date",
            "product_id",
            "product_categ_id",
            "supplier_id",
            "company_id",
            "quantity",
            "value",
            "action",
        ],
        "stock.move.line": ["date", "lot_id", "location_id", "quantity_product_uom", "state"],
        "stock.lot": ["supplier_id"],
    }

    date = fields.Datetime(readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    product_categ_id = fields.Many2one(
        "product.category", string="Product Category", readonly=True
    )
    supplier_id = fields.Many2one("res.partner", string="Vendor", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    waste_qty = fields.Float(string="Written Off", readonly=True)
    waste_value = fields.Float(string="Value Written Off", readonly=True)
    received_qty = fields.Float(string="Received", readonly=True)
    waste_percent = fields.Float(
        string="Waste (% of Received)",
        readonly=True,
        aggregator="avg",
        help="Quantity written off over quantity received, for the rows grouped.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %(table)s AS (
                    SELECT -line.id AS id, line.date, line.product_id,
                           line.product_categ_id, line.supplier_id, line.company_id,
                           line.quantity AS waste_qty, line.value AS waste_value,
                           0.0 AS received_qty, 0.0 AS waste_percent
                      FROM stock_expiry_writeoff_line line
                     WHERE line.action IN ('scrapped', 'moved')
                 UNION ALL
                    SELECT ml.id, ml.date, ml.product_id, pt.categ_id, lot.supplier_id,
                           ml.company_id, 0.0, 0.0, ml.quantity_product_uom, 0.0
                      FROM stock_move_line ml
                      JOIN stock_location src ON src.id = ml.location_id
                      JOIN stock_lot lot ON lot.id = ml.lot_id
                      JOIN product_product pp ON pp.id = ml.product_id
                      JOIN product_template pt ON pt.id = pp.product_tmpl_id
                     WHERE ml.state = 'done' AND src.usage = 'supplier'
                       AND lot.expiration_date IS NOT NULL
                )
                """,
                table=SQL.identifier(self._table),
            )
        )
