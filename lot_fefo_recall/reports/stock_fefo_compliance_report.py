from odoo import fields, models, tools
from odoo.tools import SQL


class StockFefoComplianceReport(models.Model):
    _name = "stock.fefo.compliance.report"
    _description = "FEFO Compliance"
    _inherit = ["lot_fefo_recall.ratio.report.mixin"]
    _auto = False
    _ratio_measures = {"fefo_compliance": ("compliant_quantity", "quantity")}
    _order = "date desc"
    _depends = {
        "stock.move.line": [
            "date",
            "fefo_compliant",
            "lot_id",
            "move_id",
            "product_id",
            "quantity_product_uom",
            "state",
        ],
        "stock.move": ["picking_type_id", "partner_id", "picking_id"],
        "stock.picking": ["partner_id"],
        "stock.picking.type": ["warehouse_id"],
        "res.partner": ["commercial_partner_id"],
    }

    date = fields.Datetime(string="Shipped On", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    product_categ_id = fields.Many2one(
        "product.category", string="Product Category", readonly=True
    )
    lot_id = fields.Many2one("stock.lot", string="Lot/Serial Number", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    warehouse_id = fields.Many2one("stock.warehouse", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    picking_id = fields.Many2one("stock.picking", string="Delivery", readonly=True)
    fefo_compliant = fields.Boolean(string="FEFO Compliant", readonly=True)
    quantity = fields.Float(string="Shipped Quantity", readonly=True, digits="Product Unit")
    compliant_quantity = fields.Float(string="Shipped FEFO", readonly=True, digits="Product Unit")
    fefo_compliance = fields.Float(
        string="FEFO Compliance (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the shipped quantity that followed FEFO. Totals are weighted by "
        "quantity, not averages of lines.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %(table)s AS (
                    SELECT ml.id AS id,
                           ml.date AS date,
                           ml.product_id AS product_id,
                           pt.categ_id AS product_categ_id,
                           ml.lot_id AS lot_id,
                           rp.commercial_partner_id AS partner_id,
                           spt.warehouse_id AS warehouse_id,
                           ml.company_id AS company_id,
                           ml.picking_id AS picking_id,
                           ml.fefo_compliant AS fefo_compliant,
                           ml.quantity_product_uom AS quantity,
                           CASE WHEN ml.fefo_compliant THEN ml.quantity_product_uom ELSE 0 END
                               AS compliant_quantity,
                           CASE WHEN ml.fefo_compliant THEN 100.0 ELSE 0.0 END AS fefo_compliance
                      FROM stock_move_line ml
                      JOIN stock_move m ON m.id = ml.move_id
                      JOIN product_product pp ON pp.id = ml.product_id
                      JOIN product_template pt ON pt.id = pp.product_tmpl_id
                 LEFT JOIN stock_picking p ON p.id = ml.picking_id
                 LEFT JOIN stock_picking_type spt ON spt.id = m.picking_type_id
                 LEFT JOIN res_partner rp ON rp.id = COALESCE(m.partner_id, p.partner_id)
                     WHERE ml.state = 'done' AND ml.fefo_compliant IS NOT NULL
                )
                """,
                table=SQL.identifier(self._table),
            )
        )
