import math
import random

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

# Share of the consignees an effectiveness check level contacts (FDA Regulatory
# Procedures Manual, chapter 7: level A all, B a chosen share, C 10 %, D 2 %, E none).
CHECK_LEVEL_PERCENT = {"a": 100.0, "c": 10.0, "d": 2.0, "e": 0.0}


# One concern of stock.recall per file (see stock_recall.py).
class StockRecall(models.Model):
    """Strategy (depth, public warning, effectiveness check level), the checks of a
    sample of consignees, the figures per product, and what closing requires."""

    _inherit = "stock.recall"  # pylint: disable=consider-merging-classes-inherited

    date_start = fields.Datetime(
        string="Started On",
        default=fields.Datetime.now,
        readonly=True,
        copy=False,
        help="Returns, scraps and vendor returns count toward effectiveness only after "
        "this moment.",
    )
    recall_depth = fields.Selection(
        [
            ("wholesale", "Wholesale"),
            ("retail", "Retail"),
            ("consumer", "Consumer or user"),
        ],
        string="Depth",
        tracking=True,
        help="How far down the distribution chain the recall goes.",
    )
    public_warning = fields.Boolean(
        tracking=True, help="A public warning (press release) is issued for this recall."
    )
    check_level = fields.Selection(
        [
            ("a", "A: all consignees"),
            ("b", "B: a chosen percentage"),
            ("c", "C: 10 % of consignees"),
            ("d", "D: 2 % of consignees"),
            ("e", "E: no effectiveness checks"),
        ],
        string="Effectiveness Check Level",
        default="e",
        required=True,
        tracking=True,
    )
    check_percent = fields.Float(
        string="Consignees to Check (%)",
        digits=(16, 1),
        tracking=True,
        help="Level B: the share of consignees to contact.",
    )
    check_ids = fields.One2many("stock.recall.check", "recall_id", string="Effectiveness Checks")
    check_required_count = fields.Integer(
        string="Checks Required",
        compute="_compute_check_progress",
        help="Consignees the chosen level asks to contact: at least one when there are "
        "consignees and the level is not E.",
    )
    check_good_count = fields.Integer(string="Checks Passed", compute="_compute_check_progress")
    check_failed_count = fields.Integer(string="Checks Failed", compute="_compute_check_progress")
    check_level_reached = fields.Boolean(
        compute="_compute_check_progress",
        help="As many checks passed as the level requires and none failed.",
    )
    product_line_ids = fields.One2many(
        "stock.recall.product", "recall_id", string="Figures per Product", readonly=True
    )
    date_expected_completion = fields.Date(string="Expected Completion", tracking=True, copy=False)
    close_override_reason = fields.Text(
        string="Reason to Close Below the Check Level",
        copy=False,
        help="Required to close a recall whose effectiveness checks have not reached the "
        "chosen level; posted on the chatter.",
    )

    @api.depends("check_level", "check_percent", "customer_ids", "check_ids.result")
    def _compute_check_progress(self):
        for recall in self:
            recall.check_required_count = recall._check_sample_size()
            results = recall.check_ids.mapped("result")
            recall.check_good_count = results.count("received_acted")
            recall.check_failed_count = sum(
                result not in ("pending", "received_acted") for result in results
            )
            recall.check_level_reached = (
                recall.check_good_count >= recall.check_required_count
                and not recall.check_failed_count
            )

    @api.constrains("check_level", "check_percent")
    def _check_check_percent(self):
        for recall in self:
            if recall.check_level == "b" and not recall.check_percent:
                raise ValidationError(
                    self.env._(
                        "Level B checks a chosen percentage of consignees: give the "
                        "percentage for %(recall)s.",
                        recall=recall.name,
                    )
                )
            if recall.check_percent and not 0 < recall.check_percent <= 100:
                raise ValidationError(
                    self.env._(
                        "The percentage of consignees to check on %(recall)s must be more "
                        "than 0 and at most 100, not %(percent)s.",
                        recall=recall.name,
                        percent=f"{recall.check_percent:g}",
                    )
                )

    def action_trace(self):
        result = super().action_trace()
        self._sync_product_lines()
        return result

    def action_close(self):
        """Closing below the chosen effectiveness check level takes a quality manager's
        reason, which stays on the chatter."""
        self.ensure_one()
        override = not self.is_mock and not self.check_level_reached
        reason = (self.close_override_reason or "").strip()
        if override and not reason:
            raise UserError(
                self.env._(
                    "%(recall)s has not reached effectiveness check level %(level)s: "
                    "%(good)s of %(required)s checks passed, %(failed)s failed. Finish the "
                    "checks, or write why it closes anyway.",
                    recall=self.name,
                    level=self.check_level.upper(),
                    good=self.check_good_count,
                    required=self.check_required_count,
                    failed=self.check_failed_count,
                )
            )
        result = super().action_close()
        if override:
            self.message_post(
                body=self.env._(
                    "Closed below effectiveness check level %(level)s (%(good)s of "
                    "%(required)s checks passed, %(failed)s failed) by %(user)s: %(reason)s",
                    level=self.check_level.upper(),
                    good=self.check_good_count,
                    required=self.check_required_count,
                    failed=self.check_failed_count,
                    user=self.env.user.name,
                    reason=reason,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return result

    def action_draw_checks(self):
        """Draw the consignees to check, as many as the level asks. The draw is seeded
        with the recall, so that drawing again (or after raising the level) keeps the
        consignees already drawn and adds the next ones of the same order."""
        self.ensure_one()
        self._check_can_act(mock_allowed=True)
        if self.state in ("closed", "cancelled"):
            raise UserError(self.env._("%(recall)s is already over.", recall=self.name))
        if self.check_level == "e":
            raise UserError(
                self.env._(
                    "%(recall)s has effectiveness check level E: there is nobody to check.",
                    recall=self.name,
                )
            )
        if not self.customer_ids:
            raise UserError(self.env._("%(recall)s has no consignee to check.", recall=self.name))
        order = sorted(self.customer_ids.ids)
        random.Random(self.id).shuffle(order)
        sample = order[: self._check_sample_size()]
        drawn = set(self.check_ids.customer_id.ids)
        # sudo: drawn by this button only (checked above), never written by hand
        new_checks = (
            self.env["stock.recall.check"]
            .sudo()
            .create(
                [
                    {"recall_id": self.id, "customer_id": customer_id, "sequence": position}
                    for position, customer_id in enumerate(sample)
                    if customer_id not in drawn
                ]
            )
        )
        if new_checks:
            self.message_post(
                body=self.env._(
                    "Effectiveness checks, level %(level)s: %(count)s of %(total)s "
                    "consignees drawn: %(names)s.",
                    level=self.check_level.upper(),
                    count=len(new_checks),
                    total=len(self.customer_ids),
                    names=", ".join(new_checks.sudo(False).partner_id.mapped("display_name")),
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def _get_button_fields(self):
        # The start is the base of every effectiveness figure: moving it would count
        # older scraps or drop returns.
        return super()._get_button_fields() | {"date_start", "product_line_ids"}

    def _check_sample_size(self):
        """How many consignees the check level asks to contact."""
        self.ensure_one()
        consignees = len(self.customer_ids)
        percent = (
            self.check_percent
            if self.check_level == "b"
            else CHECK_LEVEL_PERCENT[self.check_level]
        )
        if not consignees or not percent:
            return 0
        return min(consignees, max(1, math.ceil(consignees * percent / 100.0)))

    def _sync_product_lines(self):
        """One line of figures per product of the affected lots, kept by the trace
        alone (through sudo: nobody writes them by hand)."""
        for recall in self.sudo():
            products = recall.affected_lot_ids.product_id
            recall.product_line_ids.filtered(
                lambda line, products=products: line.product_id not in products
            ).unlink()
            missing = products - recall.product_line_ids.product_id
            recall.env["stock.recall.product"].create(
                [{"recall_id": recall.id, "product_id": product.id} for product in missing]
            )
