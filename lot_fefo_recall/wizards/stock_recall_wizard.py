import re

from odoo import api, fields, models
from odoo.exceptions import RedirectWarning, UserError
from odoo.tools import SQL

from ..models.stock_recall import OPEN_STATES

# Separators of a vendor's notice: commas, semicolons, pipes and any white space.
_NOTICE_SEPARATORS = re.compile(r"[\s,;|]+")


def _lot_key(text):
    """How lot numbers are compared: case, spaces and punctuation ignored."""
    return re.sub(r"[^0-9A-Z]", "", (text or "").upper())


class StockRecallWizard(models.TransientModel):
    _name = "stock.recall.wizard"
    _description = "Launch a Recall"
    _inherit = ["lot_fefo_recall.input.guard"]

    mode = fields.Selection(
        [
            ("lots", "Chosen lots"),
            ("notice", "Vendor's notice"),
            ("product", "Product and dates"),
        ],
        string="Find lots by",
        default="lots",
        required=True,
    )
    is_mock = fields.Boolean(string="Mock Recall")
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, required=True
    )
    lot_ids = fields.Many2many("stock.lot", string="Lots", check_company=True)
    vendor_lot_text = fields.Text(
        string="Vendor's Notice",
        help="Paste the lot numbers of the notice: any separators; spaces and case are ignored.",
    )
    vendor_id = fields.Many2one("res.partner")
    product_id = fields.Many2one("product.product", domain=[("tracking", "!=", "none")])
    date_field = fields.Selection(
        [("production_date", "Production date"), ("receipt_date", "Receipt date")],
        default="receipt_date",
        required=True,
    )
    date_from = fields.Date()
    date_to = fields.Date()
    reason = fields.Text()
    classification = fields.Selection(
        lambda self: self.env["stock.recall"]._fields["classification"].selection
    )
    source = fields.Selection(
        lambda self: self.env["stock.recall"]._fields["source"].selection,
        default="vendor_notice",
    )
    vendor_reference = fields.Char(string="Notice Reference")

    matched_lot_ids = fields.Many2many(
        "stock.lot", compute="_compute_matches", string="Matched Lots"
    )
    unmatched_text = fields.Char(compute="_compute_matches", string="Not Received")
    impact_shipped_qty = fields.Float(compute="_compute_impact", string="Shipped")
    impact_on_hand_qty = fields.Float(compute="_compute_impact", string="On Hand")
    impact_lot_count = fields.Integer(compute="_compute_impact", string="Affected Lots")
    impact_partner_ids = fields.Many2many(
        "res.partner", compute="_compute_impact", string="Customers"
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "stock.lot" and self.env.context.get(
            "active_ids"
        ):
            values["lot_ids"] = [fields.Command.set(self.env.context["active_ids"])]
            values["mode"] = "lots"
            # The context is the client's to write: the lots it names are checked as typed.
            self._check_input_values([{"lot_ids": values["lot_ids"]}])
        return values

    @api.depends(
        "mode",
        "lot_ids",
        "vendor_lot_text",
        "vendor_id",
        "product_id",
        "date_field",
        "date_from",
        "date_to",
        "company_id",
    )
    def _compute_matches(self):
        for wizard in self:
            lots, unmatched = wizard._find_lots()
            wizard.matched_lot_ids = lots
            wizard.unmatched_text = ", ".join(unmatched)

    @api.depends("matched_lot_ids")
    def _compute_impact(self):
        Trace = self.env["stock.recall.trace"]
        for wizard in self:
            if not wizard.matched_lot_ids:
                wizard.impact_shipped_qty = wizard.impact_on_hand_qty = 0
                wizard.impact_lot_count = 0
                wizard.impact_partner_ids = False
                continue
            trace = Trace._trace_lots(wizard.matched_lot_ids._origin, wizard.company_id)
            totals = {}
            for line in trace["lines"]:
                totals[line["line_type"]] = totals.get(line["line_type"], 0) + line["quantity"]
            wizard.impact_shipped_qty = totals.get("delivery", 0) - totals.get("return", 0)
            wizard.impact_on_hand_qty = totals.get("on_hand", 0)
            wizard.impact_lot_count = len(trace["lot_ids"])
            wizard.impact_partner_ids = [
                fields.Command.set(
                    {
                        line["partner_id"]
                        for line in trace["lines"]
                        if line["line_type"] == "delivery" and line.get("partner_id")
                    }
                )
            ]

    def _find_lots(self):
        """``(lots, unmatched numbers)`` for the way in chosen."""
        self.ensure_one()
        Lot = self.env["stock.lot"]
        # The form computes this before its values are saved (and checked): only lots
        # of a company the user works in, and which the user may read.
        if self.company_id not in self.env.companies:
            return Lot, []
        if self.mode == "lots":
            return self.lot_ids._origin._filtered_access("read"), []
        if self.mode == "product":
            if not self.product_id:
                return Lot, []
            domain = [
                ("product_id", "=", self.product_id.id),
                ("company_id", "in", [self.company_id.id, False]),
            ]
            if self.date_from:
                domain.append((self.date_field, ">=", self.date_from))
            if self.date_to:
                domain.append((self.date_field, "<", fields.Date.add(self.date_to, days=1)))
            return Lot.search(domain), []
        return self._match_notice()

    def _match_notice(self):
        numbers = {}
        for token in _NOTICE_SEPARATORS.split(self.vendor_lot_text or ""):
            key = _lot_key(token)
            # Words of the notice ("Lots:", "batch") are not lot numbers: those have digits.
            if key and key not in numbers and any(char.isdigit() for char in key):
                numbers[key] = token.strip()
        if not numbers:
            return self.env["stock.lot"], []
        vendor_clause = (
            SQL("AND lot.supplier_id = %s", self.vendor_id.commercial_partner_id.id)
            if self.vendor_id
            else SQL("")
        )
        # Compare as _lot_key does, in SQL, for every number of the notice at once.
        rows = self.env.execute_query(
            SQL(
                """
                SELECT lot.id, key
                  FROM stock_lot lot,
                       LATERAL (VALUES
                           (regexp_replace(upper(coalesce(lot.supplier_lot_name, '')),
                                           '[^0-9A-Z]', '', 'g')),
                           (regexp_replace(upper(lot.name), '[^0-9A-Z]', '', 'g'))
                       ) AS k(key)
                 WHERE key = ANY(%(keys)s)
                   AND (lot.company_id IS NULL OR lot.company_id = %(company)s)
                   %(vendor)s
                """,
                keys=list(numbers),
                company=self.company_id.id,
                vendor=vendor_clause,
            )
        )
        found_keys = {key for _lot_id, key in rows}
        lots = self.env["stock.lot"].browse(sorted({lot_id for lot_id, _key in rows}))
        return lots, [text for key, text in numbers.items() if key not in found_keys]

    def action_create_recall(self):
        """Create the recall from the lots found, trace it, and open it."""
        self.ensure_one()
        lots = self.matched_lot_ids._origin
        if not lots and self.unmatched_text:
            raise UserError(
                self.env._(
                    "No lot matches: none of these numbers was received: %(numbers)s. Check "
                    "the numbers and the vendor.",
                    numbers=self.unmatched_text,
                )
            )
        if not lots:
            raise UserError(
                self.env._(
                    "No lot matches: choose lots, paste the vendor's notice, or give a "
                    "product and dates."
                )
            )
        if not self.is_mock:
            self._check_no_open_recall(lots)
            self.env.user._check_lot_quality_manager(
                self.env._("Only quality managers launch recalls; anyone can run a mock recall.")
            )
        if not (self.reason or "").strip() and not self.is_mock:
            raise UserError(self.env._("Give the reason for the recall."))
        recall = self.env["stock.recall"].create(self._prepare_recall_vals(lots))
        if self.unmatched_text:
            recall.message_post(
                body=self.env._(
                    "Numbers of the notice we never received: %(numbers)s",
                    numbers=self.unmatched_text,
                ),
                subtype_xmlid="mail.mt_note",
            )
        recall.action_trace()
        return {
            "type": "ir.actions.act_window",
            "res_model": "stock.recall",
            "res_id": recall.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def _prepare_recall_vals(self, lots):
        return {
            "lot_ids": [fields.Command.set(lots.ids)],
            "is_mock": self.is_mock,
            "reason": (self.reason or "").strip() or self.env._("Mock recall drill"),
            "classification": self.classification,
            "source": self.source or "internal",
            "vendor_id": (self.vendor_id or lots.supplier_id[:1]).id,
            "vendor_reference": self.vendor_reference,
            "company_id": self.company_id.id,
        }

    def _check_no_open_recall(self, lots):
        other = self.env["stock.recall"].search(
            [
                ("is_mock", "=", False),
                ("state", "in", OPEN_STATES),
                ("lot_ids", "in", lots.ids),
            ],
            limit=1,
        )
        if other:
            shared = other.lot_ids & lots
            raise RedirectWarning(
                self.env._(
                    "%(lots)s are already in the open recall %(recall)s: add to that recall "
                    "instead of opening a second one.",
                    lots=", ".join(shared.mapped("display_name")),
                    recall=other.name,
                ),
                {
                    "type": "ir.actions.act_window",
                    "res_model": "stock.recall",
                    "res_id": other.id,
                    "views": [(False, "form")],
                },
                self.env._("Open %(recall)s", recall=other.name),
            )
