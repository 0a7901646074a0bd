from odoo import api, fields, models, tools
from odoo.tools import SQL


class StockVendorScorecard(models.Model):
    """One row per lot received from a vendor: how fresh it arrived, how much of it was
    written off, whether it was recalled or complained about. Rates and the median are
    computed for whatever rows a pivot groups (ratio of sums, a true median)."""

    _name = "stock.vendor.scorecard"
    _description = "Vendor Scorecard"
    _inherit = ["lot_fefo_recall.ratio.report.mixin"]
    _auto = False
    _order = "date desc"
    _rec_name = "lot_id"
    _ratio_measures = {
        "aged_percent": ("aged_count", "lot_count"),
        "waste_percent": ("waste_qty", "received_qty"),
    }
    _depends = {
        "stock.lot": [
            "supplier_id",
            "receipt_date",
            "expiration_date",
            "product_id",
            "company_id",
            "complaint_count",
        ],
        "stock.move.line": ["lot_id", "location_id", "quantity_product_uom", "state"],
        "stock.expiry.writeoff.line": ["lot_id", "quantity", "action"],
        "stock.recall": ["lot_ids", "is_mock", "state"],
        "product.template": ["receipt_min_shelf_life_override", "receipt_min_shelf_life_days"],
        "product.category": ["receipt_min_shelf_life_days"],
    }

    date = fields.Datetime(string="Received On", readonly=True)
    supplier_id = fields.Many2one("res.partner", string="Vendor", readonly=True)
    lot_id = fields.Many2one("stock.lot", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    product_categ_id = fields.Many2one(
        "product.category", string="Product Category", readonly=True
    )
    company_id = fields.Many2one("res.company", readonly=True)
    lot_count = fields.Integer(string="Lots Received", readonly=True)
    received_qty = fields.Float(string="Received", readonly=True)
    aged_count = fields.Integer(
        string="Aged on Arrival",
        readonly=True,
        help="Lots received with less shelf life left than the product's receipt minimum; "
        "validation refuses them unless a quality manager overrides, so each is an override.",
    )
    aged_percent = fields.Float(
        string="Aged on Arrival (%)",
        readonly=True,
        aggregator="avg",
        help="Lots aged on arrival over lots received, for the rows grouped.",
    )
    waste_qty = fields.Float(string="Written Off", readonly=True)
    waste_percent = fields.Float(
        string="Waste (%)",
        readonly=True,
        aggregator="avg",
        help="Quantity written off over quantity received, for the rows grouped.",
    )
    recall_count = fields.Integer(
        string="Recalled Lots", readonly=True, help="Lots named in a real (not mock) recall."
    )
    complaint_count = fields.Integer(string="Complaints", readonly=True)
    remaining_days = fields.Float(
        string="Median Days Left at Receipt",
        readonly=True,
        aggregator="avg",
        help="Days of shelf life the lots had left when received: the median of the rows grouped.",
    )

    def _read_group_select(self, aggregate_spec, query):
        if aggregate_spec.split(":")[0] == "remaining_days":
            return SQL(
                "percentile_cont(0.5) WITHIN GROUP (ORDER BY %s)",
                self._field_to_sql(self._table, "remaining_days", query),
            )
        return super()._read_group_select(aggregate_spec, query)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %(table)s AS (
                    WITH received AS (
                        SELECT ml.lot_id, MIN(ml.date) AS date,
                               SUM(ml.quantity_product_uom) AS qty
                          FROM stock_move_line ml
                          JOIN stock_location src ON src.id = ml.location_id
                         WHERE ml.state = 'done' AND src.usage = 'supplier'
                           AND ml.lot_id IS NOT NULL
                         GROUP BY ml.lot_id
                    ), waste AS (
                        SELECT lot_id, SUM(quantity) AS qty
                          FROM stock_expiry_writeoff_line
                         WHERE action IN ('scrapped', 'moved')
                         GROUP BY lot_id
                    ), recalled AS (
                        SELECT DISTINCT rel.stock_lot_id AS lot_id
                          FROM stock_lot_stock_recall_rel rel
                          JOIN stock_recall r ON r.id = rel.stock_recall_id
                         WHERE r.is_mock IS NOT TRUE AND r.state != 'cancelled'
                    )
                    SELECT lot.id, COALESCE(lot.receipt_date, received.date) AS date,
                           lot.supplier_id, lot.id AS lot_id, lot.product_id,
                           pt.categ_id AS product_categ_id, lot.company_id,
                           1 AS lot_count, received.qty AS received_qty,
                           CASE WHEN lot.expiration_date IS NOT NULL
                                 AND lot.expiration_date
                                     - COALESCE(lot.receipt_date, received.date)
                                     < make_interval(days => CASE
                                         WHEN pt.receipt_min_shelf_life_override
                                         THEN COALESCE(pt.receipt_min_shelf_life_days, 0)
                                         ELSE COALESCE(categ.receipt_min_shelf_life_days, 0) END)
                                THEN 1 ELSE 0 END AS aged_count,
                           0.0 AS aged_percent,
                           COALESCE(waste.qty, 0.0) AS waste_qty, 0.0 AS waste_percent,
                           CASE WHEN recalled.lot_id IS NULL THEN 0 ELSE 1 END AS recall_count,
                           COALESCE(lot.complaint_count, 0) AS complaint_count,
                           EXTRACT(EPOCH FROM lot.expiration_date
                                   - COALESCE(lot.receipt_date, received.date)) / 86400.0
                               AS remaining_days
                      FROM stock_lot lot
                      JOIN received ON received.lot_id = lot.id
                      JOIN product_product pp ON pp.id = lot.product_id
                      JOIN product_template pt ON pt.id = pp.product_tmpl_id
                      LEFT JOIN product_category categ ON categ.id = pt.categ_id
                      LEFT JOIN waste ON waste.lot_id = lot.id
                      LEFT JOIN recalled ON recalled.lot_id = lot.id
                     WHERE lot.supplier_id IS NOT NULL
                )
                """,
                table=SQL.identifier(self._table),
            )
        )

    @api.model
    def _get_vendor_figures(self, vendor, date_from, date_to):
        """The figures of the lots received from ``vendor`` (and its contacts) between
        the two datetimes, in one grouped read: dict of lots, aged (count and %), waste %,
        recalls, complaints and the median days left at receipt."""
        [(lots, aged, aged_percent, waste_percent, recalls, complaints, days)] = self._read_group(
            [
                ("supplier_id", "child_of", vendor.commercial_partner_id.id),
                ("date", ">=", date_from),
                ("date", "<=", date_to),
            ],
            [],
            [
                "lot_count:sum",
                "aged_count:sum",
                "aged_percent:avg",
                "waste_percent:avg",
                "recall_count:sum",
                "complaint_count:sum",
                "remaining_days:avg",
            ],
        )
        return {
            "lots": lots or 0,
            "aged": aged or 0,
            "aged_percent": aged_percent or 0.0,
            "waste_percent": waste_percent or 0.0,
            "recalls": recalls or 0,
            "complaints": complaints or 0,
            "median_days": days or 0.0,
        }
