import time
from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..reports import recall_xlsx
from ..reports.xlsx_download import download_action

# How many manufacturing levels a trace follows at most (cycles can not loop forever).
MAX_TRACE_DEPTH = 20

OPEN_STATES = ("draft", "traced", "quarantined", "notified")


class StockRecall(models.Model):
    _name = "stock.recall"
    _description = "Recall"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, copy=False, readonly=True, default="/", index=True
    )
    is_mock = fields.Boolean(
        string="Mock Recall",
        readonly=True,
        help="A timed drill: traces and reports, never blocks, moves or emails anything.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("traced", "Traced"),
            ("quarantined", "Quarantined"),
            ("notified", "Customers Notified"),
            ("closed", "Closed"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
    )
    reason = fields.Text(required=True, tracking=True)
    classification = fields.Selection(
        [
            ("class_1", "Class I: serious health risk"),
            ("class_2", "Class II: temporary or reversible health risk"),
            ("class_3", "Class III: unlikely to cause harm"),
        ],
        tracking=True,
    )
    source = fields.Selection(
        [
            ("vendor_notice", "Vendor notice"),
            ("internal", "Internal finding"),
            ("regulator", "Regulator"),
            ("customer_complaint", "Customer complaint"),
        ],
        default="vendor_notice",
        required=True,
        tracking=True,
    )
    vendor_id = fields.Many2one("res.partner", tracking=True)
    vendor_reference = fields.Char(
        string="Vendor Notice Reference", help="The vendor's or regulator's notice number."
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        domain="[('share', '=', False)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    date_notice = fields.Date(string="Notice Date", default=fields.Date.context_today)
    date_traced = fields.Datetime(string="Traced On", readonly=True, copy=False)
    date_quarantined = fields.Datetime(string="Quarantined On", readonly=True, copy=False)
    date_notified = fields.Datetime(string="Customers Notified On", readonly=True, copy=False)
    date_closed = fields.Datetime(string="Closed On", readonly=True, copy=False)
    customer_instructions = fields.Html(
        default=lambda self: self.env._(
            "<p>Stop selling and using the products listed in this letter at once. Keep "
            "them apart from other stock and contact us: we will collect them or tell you "
            "how to destroy them, and credit you in full.</p>"
        ),
        help="What the letter asks each customer to do.",
    )
    resolution_note = fields.Text(help="How the recall ended: required to close it.")

    lot_ids = fields.Many2many(
        "stock.lot", string="Recalled Lots", required=True, check_company=True
    )
    affected_lot_ids = fields.Many2many(
        "stock.lot",
        "stock_recall_affected_lot_rel",
        string="Affected Lots",
        readonly=True,
        copy=False,
        help="The recalled lots and every lot made from them.",
    )
    line_ids = fields.One2many("stock.recall.line", "recall_id", string="Trace", readonly=True)
    customer_ids = fields.One2many("stock.recall.customer", "recall_id", string="Customers")
    affected_partner_ids = fields.Many2many(
        "res.partner", compute="_compute_affected_partner_ids", string="Affected Customers"
    )
    shipped_qty = fields.Float(
        string="Shipped",
        compute="_compute_quantities",
        store=True,
        digits="Product Unit",
        help="Quantity of the affected lots delivered to customers, net of returns.",
    )
    on_hand_qty = fields.Float(
        string="On Hand", compute="_compute_quantities", store=True, digits="Product Unit"
    )
    affected_qty = fields.Float(
        compute="_compute_quantities",
        store=True,
        digits="Product Unit",
        help="Shipped and on hand, when traced.",
    )
    quarantined_qty = fields.Float(readonly=True, copy=False, digits="Product Unit")
    returned_qty = fields.Float(
        compute="_compute_effectiveness",
        digits="Product Unit",
        help="Returned or destroyed by customers, as recorded per customer.",
    )
    scrapped_qty = fields.Float(compute="_compute_effectiveness", digits="Product Unit")
    effectiveness = fields.Float(
        string="Effectiveness (%)",
        digits=(16, 1),
        compute="_compute_effectiveness",
        help="(returned + quarantined + scrapped) / affected quantity.",
    )
    trace_seconds = fields.Float(
        string="Trace Time (s)", readonly=True, copy=False, digits=(16, 3)
    )
    accounted_percent = fields.Float(
        string="Quantity Accounted For (%)",
        digits=(16, 1),
        readonly=True,
        copy=False,
        help="Shipped, on hand, consumed and scrapped quantity over the quantity received "
        "or produced of the affected lots.",
    )
    customers_without_email = fields.Char(compute="_compute_customers_without_email")

    @api.depends("customer_ids.partner_id")
    def _compute_affected_partner_ids(self):
        for recall in self:
            recall.affected_partner_ids = recall.customer_ids.partner_id

    @api.depends("line_ids.quantity", "line_ids.line_type")
    def _compute_quantities(self):
        for recall in self:
            totals = defaultdict(float)
            for line in recall.line_ids:
                totals[line.line_type] += line.quantity
            recall.shipped_qty = totals["delivery"] - totals["return"]
            recall.on_hand_qty = totals["on_hand"]
            recall.affected_qty = recall.shipped_qty + recall.on_hand_qty

    @api.depends(
        "customer_ids.returned_qty", "quarantined_qty", "affected_qty", "affected_lot_ids"
    )
    def _compute_effectiveness(self):
        scraps = (
            self.env["stock.scrap"]._read_group(
                [
                    ("lot_id", "in", self.affected_lot_ids.ids),
                    ("state", "=", "done"),
                ],
                ["lot_id"],
                ["scrap_qty:sum"],
            )
            if self.affected_lot_ids
            else []
        )
        scrapped_by_lot = dict(scraps)
        for recall in self:
            recall.returned_qty = sum(recall.customer_ids.mapped("returned_qty"))
            recall.scrapped_qty = sum(
                scrapped_by_lot.get(lot, 0.0) for lot in recall.affected_lot_ids
            )
            done = recall.returned_qty + recall.quarantined_qty + recall.scrapped_qty
            recall.effectiveness = (
                100.0 * done / recall.affected_qty if recall.affected_qty else 0.0
            )

    @api.depends("customer_ids.state")
    def _compute_customers_without_email(self):
        for recall in self:
            recall.customers_without_email = ", ".join(
                recall.customer_ids.filtered(lambda c: c.state == "no_email").partner_id.mapped(
                    "display_name"
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("stock.recall") or "/"
        return super().create(vals_list)

    # ------------------------------------------------------------------ actions

    def action_trace(self):
        """Trace the recalled lots backward to their receipts and forward to every lot
        made from them and every customer who received any of them."""
        self.ensure_one()
        self._check_can_act(mock_allowed=True)
        if self.state in ("closed", "cancelled"):
            raise UserError(
                self.env._("%(recall)s is over: it can not be traced again.", recall=self.name)
            )
        started = time.perf_counter()
        trace = self._trace_lots(self.lot_ids, self.company_id)
        self.line_ids.unlink()
        self.env["stock.recall.line"].create(
            [dict(vals, recall_id=self.id) for vals in trace["lines"]]
        )
        self.affected_lot_ids = [fields.Command.set(trace["lot_ids"])]
        self._update_customers(trace["lines"])
        elapsed = time.perf_counter() - started
        vals = {
            "date_traced": fields.Datetime.now(),
            "trace_seconds": elapsed,
            "accounted_percent": trace["accounted_percent"],
        }
        if self.state == "draft":
            vals["state"] = "traced"
        self.write(vals)
        self._post_trace_summary(trace)
        return True

    def action_quarantine(self):
        """Block every affected lot, take it out of open transfers, picked or not (they
        are reserved again with other stock), and move its stock to each warehouse's
        quarantine location. All of it, or nothing."""
        self.ensure_one()
        self._check_can_act()
        if self.state not in ("traced", "quarantined", "notified"):
            raise UserError(
                self.env._("Trace %(recall)s before quarantining its stock.", recall=self.name)
            )
        lots = self.affected_lot_ids
        try:
            with self.env.cr.savepoint():
                moved = self._quarantine_lots(lots)
        except (UserError, AccessError) as error:
            raise UserError(
                self.env._(
                    "Quarantine of %(recall)s failed and nothing was changed: %(error)s",
                    recall=self.name,
                    error=error.args[0],
                )
            ) from error
        self.write(
            {
                "quarantined_qty": self.quarantined_qty + moved,
                "date_quarantined": fields.Datetime.now(),
                "state": "quarantined" if self.state == "traced" else self.state,
            }
        )
        self.message_post(
            body=self.env._(
                "Quarantined: %(count)s lots blocked, %(qty)s units moved to quarantine.",
                count=len(lots),
                qty=f"{moved:g}",
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def action_send_letters(self):
        """Email each affected customer its own letter (PDF attached). Customers
        without an email are listed on the recall, not skipped silently."""
        self.ensure_one()
        self._check_can_act()
        if self.state not in ("traced", "quarantined", "notified"):
            raise UserError(
                self.env._("Trace %(recall)s before writing to customers.", recall=self.name)
            )
        to_notify = self.customer_ids.filtered(lambda c: c.state == "to_notify")
        template = self.env.ref("lot_fefo_recall.mail_template_recall_letter")
        report = self.env["ir.actions.report"]
        for customer in to_notify:
            pdf, _format = report._render_qweb_pdf(
                "lot_fefo_recall.action_report_recall_letter",
                res_ids=self.ids,
                data={"customer_ids": customer.ids},
            )
            rendered = template._generate_template([customer.id], ["subject", "body_html"])[
                customer.id
            ]
            self.message_post(
                subject=rendered["subject"],
                body=rendered["body_html"],
                partner_ids=customer.partner_id.ids,
                attachments=[
                    (f"{self.name.replace('/', '-')}-{customer.partner_id.name}.pdf", pdf)
                ],
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                email_layout_xmlid="mail.mail_notification_light",
            )
        now = fields.Datetime.now()
        to_notify.write({"notified_on": now})
        vals = {"date_notified": now}
        if self.state in ("traced", "quarantined"):
            vals["state"] = "notified"
        self.write(vals)
        if self.customers_without_email:
            self.message_post(
                body=self.env._(
                    "No email for %(customers)s: contact them by phone or post (print their "
                    "letters) and record it on the Customers tab.",
                    customers=self.customers_without_email,
                ),
                subtype_xmlid="mail.mt_note",
            )
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Contact customers without email"),
                note=self.customers_without_email,
                user_id=(self.user_id or self.env.user).id,
            )
        return True

    def action_close(self):
        self.ensure_one()
        self._check_can_act(mock_allowed=True)
        if not (self.resolution_note or "").strip():
            raise UserError(
                self.env._(
                    "Write the resolution of %(recall)s before closing it.", recall=self.name
                )
            )
        if self.state in ("closed", "cancelled"):
            raise UserError(self.env._("%(recall)s is already over.", recall=self.name))
        self.write({"state": "closed", "date_closed": fields.Datetime.now()})
        self.message_post(
            body=self.env._(
                "Closed. Effectiveness %(effectiveness)s%%. Resolution: %(note)s",
                effectiveness=f"{self.effectiveness:.1f}",
                note=self.resolution_note.strip(),
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def action_cancel(self):
        self._check_can_act(mock_allowed=True)
        self.filtered(lambda r: r.state != "closed").write({"state": "cancelled"})
        return True

    def action_print_letters(self):
        self.ensure_one()
        if not self.customer_ids:
            raise UserError(self.env._("%(recall)s has no affected customer.", recall=self.name))
        return self.env.ref("lot_fefo_recall.action_report_recall_letter").report_action(self)

    def action_export_trace_xlsx(self):
        self.ensure_one()
        return self._download(
            recall_xlsx.trace_lines(self), f"{self.name.replace('/', '-')}-trace.xlsx"
        )

    def action_export_fsma204_xlsx(self):
        self.ensure_one()
        return self._download(
            recall_xlsx.fsma204(self), f"{self.name.replace('/', '-')}-FSMA204.xlsx"
        )

    def action_view_affected_lots(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "lot_fefo_recall.stock_lot_action_batch_register"
        )
        action["domain"] = [("id", "in", self.affected_lot_ids.ids)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------ helpers

    def _check_can_act(self, mock_allowed=False):
        """Quality managers act on recalls; stock users only run mock recalls; a mock
        recall never blocks, moves or emails."""
        for recall in self:
            if recall.is_mock and not mock_allowed:
                raise UserError(
                    self.env._(
                        "%(recall)s is a mock recall: it never blocks, moves or emails anything.",
                        recall=recall.name,
                    )
                )
            if not recall.is_mock:
                self.env.user._check_lot_quality_manager(
                    self.env._(
                        "Only quality managers can act on recall %(recall)s.", recall=recall.name
                    )
                )

    def _download(self, content, filename):
        attachment, action = download_action(self.env, content, filename, self)
        self.message_post(
            body=self.env._("Exported %(file)s.", file=filename),
            attachment_ids=attachment.ids,
            subtype_xmlid="mail.mt_note",
        )
        return action

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

    def _update_customers(self, lines):
        """One customer record per commercial partner that received an affected lot;
        notification records already made are kept."""
        self.ensure_one()
        shipped = defaultdict(float)
        lots = defaultdict(set)
        last = {}
        for line in lines:
            if line["line_type"] not in ("delivery", "return") or not line.get("partner_id"):
                continue
            partner_id = line["partner_id"]
            sign = 1 if line["line_type"] == "delivery" else -1
            shipped[partner_id] += sign * line["quantity"]
            if line["line_type"] == "delivery":
                lots[partner_id].add(line["lot_id"])
                last[partner_id] = max(last.get(partner_id) or line["date"], line["date"])
        existing = {customer.partner_id.id: customer for customer in self.customer_ids}
        to_create = []
        for partner_id, quantity in shipped.items():
            vals = {
                "shipped_qty": quantity,
                "lot_ids": [fields.Command.set(sorted(lots[partner_id]))],
                "last_shipped_on": last.get(partner_id),
            }
            if partner_id in existing:
                existing[partner_id].write(vals)
            else:
                to_create.append(dict(vals, recall_id=self.id, partner_id=partner_id))
        self.env["stock.recall.customer"].create(to_create)

    def _post_trace_summary(self, trace):
        self.ensure_one()
        body = self.env._(
            "Traced in %(seconds)s s: %(lots)s lots (%(recalled)s recalled, the rest made from "
            "them), %(shipped)s shipped to %(customers)s customers, %(on_hand)s on hand, "
            "%(accounted)s%% of the quantity accounted for.",
            seconds=f"{self.trace_seconds:.3f}",
            lots=len(self.affected_lot_ids),
            recalled=len(self.lot_ids),
            shipped=f"{self.shipped_qty:g}",
            customers=len(self.customer_ids),
            on_hand=f"{self.on_hand_qty:g}",
            accounted=f"{self.accounted_percent:.1f}",
        )
        if trace["lots_without_moves"]:
            body = Markup("%s<br/>%s") % (
                body,
                self.env._(
                    "No stock move found for %(lots)s: nothing received, made, shipped or "
                    "on hand in %(company)s.",
                    lots=", ".join(trace["lots_without_moves"].mapped("display_name")),
                    company=self.company_id.name,
                ),
            )
        self.message_post(body=body, subtype_xmlid="mail.mt_note")

    def _quarantine_lots(self, lots):
        """Block ``lots``, which takes them out of open transfers, picked or not, and
        reserves those again (stock.lot._release_reservations); move their stock into
        quarantine with validated transfers; return the quantity moved. Raise UserError
        when any of it can not be done."""
        self.ensure_one()
        lots.write(
            {"is_blocked": True, "block_reason": self.env._("Recall %(recall)s", recall=self.name)}
        )
        quants = self.env["stock.quant"].search(
            [
                ("lot_id", "in", lots.ids),
                ("location_id.usage", "=", "internal"),
                ("company_id", "=", self.company_id.id),
                ("quantity", ">", 0),
            ]
        )
        quarantines = (
            self.env["stock.warehouse"]
            .search([("company_id", "=", self.company_id.id)])
            .quarantine_location_id
        )
        quants = quants.filtered(lambda q: q.location_id not in quarantines)
        moved = 0.0
        for warehouse, wh_quants in quants.grouped("warehouse_id").items():
            if not warehouse:
                raise UserError(
                    self.env._(
                        "%(locations)s belong to no warehouse, so their stock of %(lots)s has "
                        "no quarantine location. Move it into a warehouse first.",
                        locations=", ".join(wh_quants.location_id.mapped("complete_name")),
                        lots=", ".join(wh_quants.lot_id.mapped("name")),
                    )
                )
            moved += self._move_to_quarantine(warehouse, wh_quants)
        return moved

    def _move_to_quarantine(self, warehouse, quants):
        quantity = sum(quants.mapped("quantity"))
        warehouse._move_quants_aside(quants, warehouse._get_quarantine_location(), self.name)
        return quantity


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
