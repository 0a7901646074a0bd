import os
import tempfile

import xlsxwriter

from odoo import api, fields, models
from odoo.tools import SQL

from .xlsx_download import XLSX_MIMETYPE, download_action

# Rows read from the database at a time when exporting: memory stays flat.
EXPORT_CHUNK = 5000

# Columns the export sums up in its last row.
EXPORT_TOTALS = (
    "quantity",
    "value",
    "sellable_qty",
    "expired_qty",
    "blocked_qty",
    "quarantined_qty",
    "expected_unsold_qty",
)

EXPORT_COLUMNS = [
    ("Product", "product_id", 34),
    ("Lot", "lot_id", 18),
    ("Location", "location_id", 26),
    ("Warehouse", "warehouse_id", 16),
    ("Expiration Date", "expiration_date", 16),
    ("Days Left", "days_left", 10),
    ("Horizon", "horizon", 16),
    ("Quantity", "quantity", 12),
    ("Value", "value", 14),
    ("Sellable Qty", "sellable_qty", 12),
    ("Expired Qty", "expired_qty", 12),
    ("Blocked Qty", "blocked_qty", 12),
    ("Quarantined Qty", "quarantined_qty", 14),
    ("Suggested Action", "suggested_action", 18),
    ("Avg Daily Sales", "avg_daily_sales", 14),
    ("Days of Supply", "days_of_supply", 14),
    ("Expected Unsold", "expected_unsold_qty", 15),
    ("At Risk", "at_risk", 9),
]


class StockExpiryReport(models.Model):
    _name = "stock.expiry.report"
    _description = "Expiry Review"
    _inherit = ["lot_fefo_recall.input.guard"]
    _auto = False
    _order = "expiration_date, product_id, id"
    # What the query reads, flushed before it runs.
    _depends = {
        "stock.quant": ["lot_id", "product_id", "location_id", "company_id", "quantity"],
        "stock.lot": ["expiration_date", "supplier_id", "is_blocked"],
        "stock.markdown.step": ["company_id", "days_left", "discount"],
        "stock.location": ["usage", "warehouse_id", "parent_path", "is_set_aside"],
        "stock.move": [
            "product_id",
            "company_id",
            "state",
            "location_id",
            "location_dest_id",
            "date",
            "product_qty",
        ],
        "product.product": ["standard_price", "product_tmpl_id"],
        "product.template": ["categ_id"],
        "res.company": [
            "expiry_horizon_1",
            "expiry_horizon_2",
            "expiry_horizon_3",
            "expiry_donate_days",
            "expiry_discount_days",
            "expiry_return_days",
            "expiry_sales_window_days",
        ],
    }

    lot_id = fields.Many2one("stock.lot", string="Lot/Serial Number", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    product_categ_id = fields.Many2one(
        "product.category", string="Product Category", readonly=True
    )
    supplier_id = fields.Many2one("res.partner", string="Vendor", readonly=True)
    location_id = fields.Many2one("stock.location", readonly=True)
    warehouse_id = fields.Many2one("stock.warehouse", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    quantity = fields.Float(readonly=True)
    expiration_date = fields.Datetime(readonly=True)
    days_left = fields.Integer(readonly=True, aggregator="min")
    markdown_discount = fields.Float(
        string="Suggested Markdown (%)",
        readonly=True,
        aggregator="max",
        help="The discount of the tightest markdown step covering the lot's days left, "
        "inside the discount window (Settings); 0 outside it.",
    )
    value = fields.Float(readonly=True, help="Quantity at product cost.")
    sellable_qty = fields.Float(
        readonly=True,
        help="Quantity that can still be sold: not expired, not blocked, not quarantined.",
    )
    expired_qty = fields.Float(readonly=True)
    blocked_qty = fields.Float(readonly=True, help="Quantity of a blocked lot.")
    quarantined_qty = fields.Float(
        readonly=True,
        help="Quantity in a set-aside location: quarantine, expired stock, or any location "
        "set aside as not sellable.",
    )
    horizon = fields.Selection(selection="_selection_horizon", readonly=True)
    suggested_action = fields.Selection(
        [
            ("dispose", "Dispose"),
            ("donate", "Donate"),
            ("discount", "Discount"),
            ("return", "Return to Vendor"),
            ("none", "Nothing Yet"),
        ],
        readonly=True,
    )
    avg_daily_sales = fields.Float(
        readonly=True,
        aggregator="max",
        help="Average quantity of the product delivered per day over the sales window.",
    )
    days_of_supply = fields.Float(
        readonly=True,
        aggregator="max",
        help="Product that can still be sold divided by its average daily sales.",
    )
    expected_unsold_qty = fields.Float(
        string="Expected Unsold",
        readonly=True,
        help="Quantity of this lot expected to expire unsold, selling what can still be "
        "sold of the product FEFO at its average daily rate.",
    )
    at_risk = fields.Boolean(
        readonly=True,
        help="Part of this lot, which can still be sold, is expected to expire unsold.",
    )

    @api.model
    def _selection_horizon(self):
        company = self.env.company
        return [
            ("expired", self.env._("Expired")),
            ("30", self.env._("Within %(days)s days", days=company.expiry_horizon_1)),
            ("60", self.env._("Within %(days)s days", days=company.expiry_horizon_2)),
            ("90", self.env._("Within %(days)s days", days=company.expiry_horizon_3)),
            ("later", self.env._("Later")),
        ]

    @property
    def _table_query(self):
        """On-hand stock of dated lots in internal locations, as of today in the user's
        time zone, with each company's horizons and thresholds. A query rather than a
        view so that "today" is the user's (and the tests') today. Expired, blocked and
        quarantined stock will not be sold: the FEFO window (what sells first) and the
        days of supply count only the rest."""
        today = fields.Date.context_today(self)
        tz = self.env.context.get("tz") or self.env.user.tz or "UTC"
        return SQL(
            """
            WITH sales AS (
                SELECT m.product_id, m.company_id,
                       SUM(m.product_qty) / MAX(c.expiry_sales_window_days) AS per_day
                  FROM stock_move m
                  JOIN stock_location src ON src.id = m.location_id
                  JOIN stock_location dest ON dest.id = m.location_dest_id
                  JOIN res_company c ON c.id = m.company_id
                 WHERE m.state = 'done'
                   AND src.usage = 'internal'
                   AND dest.usage = 'customer'
                   AND m.date >= %(today)s::date - c.expiry_sales_window_days
              GROUP BY m.product_id, m.company_id
            ),
            set_aside AS (
                SELECT DISTINCT child.id
                  FROM stock_location aside
                  JOIN stock_location child ON child.parent_path LIKE aside.parent_path || '%%'
                 WHERE aside.is_set_aside
            ),
            stock AS (
                SELECT q.id, q.lot_id, q.product_id, q.location_id, loc.warehouse_id,
                       q.company_id, q.quantity, lot.expiration_date, lot.supplier_id,
                       COALESCE(lot.is_blocked, FALSE) AS blocked,
                       set_aside.id IS NOT NULL AS quarantined,
                       (lot.expiration_date AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date
                           - %(today)s::date AS days_left
                  FROM stock_quant q
                  JOIN stock_location loc ON loc.id = q.location_id
                  JOIN stock_lot lot ON lot.id = q.lot_id
             LEFT JOIN set_aside ON set_aside.id = q.location_id
                 WHERE loc.usage = 'internal'
                   AND lot.expiration_date IS NOT NULL
                   AND q.quantity > 0
            ),
            sellable AS (
                SELECT stock.*,
                       CASE WHEN stock.days_left >= 0 AND NOT stock.blocked
                                 AND NOT stock.quarantined
                            THEN stock.quantity ELSE 0 END AS sellable_qty
                  FROM stock
            ),
            fefo AS (
                SELECT sellable.*,
                       COALESCE(sales.per_day, 0) AS per_day,
                       SUM(sellable.sellable_qty) OVER product_stock AS product_sellable_qty,
                       SUM(sellable.sellable_qty) OVER (product_stock
                                                        ORDER BY sellable.expiration_date,
                                                        sellable.lot_id, sellable.id
                                                        ROWS UNBOUNDED PRECEDING)
                           - sellable.sellable_qty AS earlier_qty
                  FROM sellable
             LEFT JOIN sales ON sales.product_id = sellable.product_id
                            AND sales.company_id = sellable.company_id
                WINDOW product_stock AS (PARTITION BY sellable.product_id, sellable.company_id)
            )
            SELECT fefo.id, fefo.lot_id, fefo.product_id, pt.categ_id AS product_categ_id,
                   fefo.supplier_id, fefo.location_id, fefo.warehouse_id, fefo.company_id,
                   fefo.quantity, fefo.expiration_date, fefo.days_left,
                   fefo.quantity
                       * COALESCE((pp.standard_price ->> fefo.company_id::text)::numeric, 0)
                       AS value,
                   fefo.sellable_qty,
                   CASE WHEN fefo.days_left < 0 THEN fefo.quantity ELSE 0 END AS expired_qty,
                   CASE WHEN fefo.blocked THEN fefo.quantity ELSE 0 END AS blocked_qty,
                   CASE WHEN fefo.quarantined THEN fefo.quantity ELSE 0 END AS quarantined_qty,
                   CASE WHEN fefo.days_left < 0 THEN 'expired'
                        WHEN fefo.days_left <= c.expiry_horizon_1 THEN '30'
                        WHEN fefo.days_left <= c.expiry_horizon_2 THEN '60'
                        WHEN fefo.days_left <= c.expiry_horizon_3 THEN '90'
                        ELSE 'later' END AS horizon,
                   CASE WHEN fefo.days_left < 0 THEN 'dispose'
                        WHEN fefo.days_left <= c.expiry_donate_days THEN 'donate'
                        WHEN fefo.days_left <= c.expiry_discount_days THEN 'discount'
                        WHEN fefo.days_left <= c.expiry_return_days
                             AND fefo.supplier_id IS NOT NULL THEN 'return'
                        ELSE 'none' END AS suggested_action,
                   CASE WHEN fefo.days_left >= 0 AND fefo.days_left <= c.expiry_discount_days
                        THEN COALESCE((SELECT step.discount FROM stock_markdown_step step
                                        WHERE step.company_id = fefo.company_id
                                          AND step.days_left >= fefo.days_left
                                     ORDER BY step.days_left LIMIT 1), 0)
                        ELSE 0 END AS markdown_discount,
                   fefo.per_day AS avg_daily_sales,
                   CASE WHEN fefo.per_day > 0 THEN fefo.product_sellable_qty / fefo.per_day END
                       AS days_of_supply,
                   GREATEST(0, fefo.sellable_qty - GREATEST(0, fefo.per_day
                       * GREATEST(fefo.days_left, 0) - fefo.earlier_qty)) AS expected_unsold_qty,
                   fefo.sellable_qty - GREATEST(0, fefo.per_day * GREATEST(fefo.days_left, 0)
                       - fefo.earlier_qty) > 0 AS at_risk
              FROM fefo
              JOIN product_product pp ON pp.id = fefo.product_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
              JOIN res_company c ON c.id = fefo.company_id
            """,
            today=today,
            tz=tz,
        )

    def action_export_xlsx(self):
        """The list's Export XLSX button: what the screen shows (its domain), or the
        selected lines."""
        domain = self._check_input_domain(
            [("id", "in", self.ids)] if self.ids else self.env.context.get("active_domain", [])
        )
        content = self.export_xlsx(domain)
        filename = f"expiry-review-{fields.Date.context_today(self)}.xlsx"
        return download_action(self.env, content, filename)[1]

    # Bytes, for Python callers: over RPC the list's Export XLSX button is the way.
    @api.private
    @api.model
    def export_xlsx(self, domain):
        """The rows of ``domain`` as XLSX bytes: frozen header, autofilter, real dates
        and numbers, a totals row. Rows are read and written a chunk at a time with
        xlsxwriter's constant_memory mode, so memory stays flat for large exports."""
        handle, path = tempfile.mkstemp(suffix=".xlsx")
        os.close(handle)
        try:
            self._write_xlsx(path, domain)
            with open(path, "rb") as file:
                return file.read()
        finally:
            os.unlink(path)

    def _write_xlsx(self, path, domain):
        workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "remove_timezone": True})
        sheet = workbook.add_worksheet(self.env._("Expiry Review"))
        bold = workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1})
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
        qty_format = workbook.add_format({"num_format": "#,##0.###"})
        money_format = workbook.add_format({"num_format": "#,##0.00"})
        total_format = workbook.add_format({"bold": True, "num_format": "#,##0.00", "top": 1})
        for col, (label, _field, width) in enumerate(EXPORT_COLUMNS):
            sheet.set_column(col, col, width)
            sheet.write(0, col, label, bold)
        sheet.freeze_panes(1, 0)
        horizons = dict(self._selection_horizon())
        actions = dict(self._fields["suggested_action"]._description_selection(self.env))
        columns = [field for _label, field, _width in EXPORT_COLUMNS]
        row = 0
        totals = dict.fromkeys(EXPORT_TOTALS, 0.0)
        for chunk in self._export_chunks(domain, columns):
            names = self._export_names(chunk, columns)
            for values in chunk:
                row += 1
                record = dict(zip(columns, values, strict=True))
                for col, field in enumerate(columns):
                    value = record[field]
                    if field in names:
                        sheet.write_string(row, col, names[field].get(value, ""))
                    elif field == "expiration_date":
                        sheet.write_datetime(row, col, value, date_format)
                    elif field == "horizon":
                        sheet.write_string(row, col, horizons.get(value, ""))
                    elif field == "suggested_action":
                        sheet.write_string(row, col, actions.get(value, ""))
                    elif field == "at_risk":
                        sheet.write_boolean(row, col, bool(value))
                    elif value is not None:
                        fmt = money_format if field == "value" else qty_format
                        sheet.write_number(row, col, float(value), fmt)
                for field in totals:
                    totals[field] += float(record[field] or 0)
        sheet.autofilter(0, 0, max(row, 1), len(EXPORT_COLUMNS) - 1)
        row += 1
        sheet.write_string(row, 0, self.env._("Total"), bold)
        for field, total in totals.items():
            sheet.write_number(row, columns.index(field), total, total_format)
        workbook.close()

    def _export_chunks(self, domain, columns):
        """Rows of ``domain`` in expiration order, ``EXPORT_CHUNK`` at a time. The report
        query runs once, into a temporary table; the chunks are read from it."""
        self.env.flush_all()
        query = self._search(domain)
        table = SQL.identifier(self._table)
        self.env.cr.execute("DROP TABLE IF EXISTS lot_fefo_expiry_export")
        self.env.cr.execute(
            SQL(
                "CREATE TEMPORARY TABLE lot_fefo_expiry_export ON COMMIT DROP AS %s",
                query.select(
                    SQL(
                        "ROW_NUMBER() OVER (ORDER BY %s.expiration_date, %s.id) AS seq",
                        table,
                        table,
                    ),
                    *(SQL("%s.%s", table, SQL.identifier(column)) for column in columns),
                ),
            )
        )
        last = 0
        while True:
            self.env.cr.execute(
                SQL(
                    "SELECT seq, %s FROM lot_fefo_expiry_export"
                    " WHERE seq > %s ORDER BY seq LIMIT %s",
                    SQL(", ").join(SQL.identifier(column) for column in columns),
                    last,
                    EXPORT_CHUNK,
                )
            )
            rows = self.env.cr.fetchall()
            if not rows:
                break
            last = rows[-1][0]
            yield [row[1:] for row in rows]
        self.env.cr.execute("DROP TABLE IF EXISTS lot_fefo_expiry_export")

    def _export_names(self, chunk, columns):
        """Display names of the relations of a chunk, read in one go per model."""
        names = {}
        for field in ("product_id", "lot_id", "location_id", "warehouse_id"):
            index = columns.index(field)
            ids = {row[index] for row in chunk if row[index]}
            records = self.env[self._fields[field].comodel_name].browse(ids)
            if field == "location_id":
                names[field] = {record.id: record.complete_name for record in records}
            elif field == "warehouse_id":
                names[field] = {record.id: record.code for record in records}
            else:
                names[field] = {record.id: record.display_name for record in records}
        self.env.invalidate_all()
        return names

    @api.model
    def _cron_send_digest(self):
        """Weekly: email each company's digest recipients what expires within the last
        horizon, with the XLSX attached."""
        companies = self.env["res.company"].search([("expiry_digest_user_ids", "!=", False)])
        for company in companies:
            self.with_company(company).with_context(allowed_company_ids=company.ids)._send_digest(
                company
            )

    def _send_digest(self, company):
        domain = [("company_id", "=", company.id), ("horizon", "!=", "later")]
        groups = self._read_group(domain, ["horizon"], ["quantity:sum", "value:sum", "__count"])
        if not groups:
            return self.env["mail.mail"]
        labels = dict(self._selection_horizon())
        order = ["expired", "30", "60", "90"]
        summary = sorted(groups, key=lambda group: order.index(group[0]))
        body = self.env["ir.qweb"]._render(
            "lot_fefo_recall.expiry_digest_body",
            {
                "company": company,
                "rows": [
                    {"label": labels[horizon], "count": count, "quantity": qty, "value": value}
                    for horizon, qty, value, count in summary
                ],
                "currency": company.currency_id,
                "format_amount": lambda amount: f"{amount:,.2f}",
            },
        )
        today = fields.Date.context_today(self)
        mail = (
            self.env["mail.mail"]
            .sudo()
            .create(
                {
                    "subject": self.env._(
                        "%(company)s: stock expiring within %(days)s days",
                        company=company.name,
                        days=company.expiry_horizon_3,
                    ),
                    "body_html": body,
                    "email_from": company.email_formatted or self.env.user.email_formatted,
                    "recipient_ids": [
                        fields.Command.set(company.expiry_digest_user_ids.partner_id.ids)
                    ],
                    "auto_delete": True,
                }
            )
        )
        # The file belongs to the mail's message: deleting the mail once sent deletes
        # the message, and the message its own attachments, so no file is left behind.
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": f"expiry-review-{today}.xlsx",
                    "raw": self.export_xlsx(domain),
                    "mimetype": XLSX_MIMETYPE,
                    "res_model": "mail.message",
                    "res_id": mail.mail_message_id.id,
                }
            )
        )
        mail.attachment_ids = [fields.Command.set(attachment.ids)]
        return mail
