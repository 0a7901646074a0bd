import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from . import lot_name_pattern

DEFAULT_LOT_NAME_PATTERN = "{supplier_code}-{date:%Y%m%d}"


class ResCompany(models.Model):
    _name = "res.company"
    _inherit = ["res.company", "lot_fefo_recall.input.guard"]

    lot_name_pattern = fields.Char(
        string="Default Lot Number Pattern",
        default=DEFAULT_LOT_NAME_PATTERN,
        help="Pattern for the internal lot numbers generated on receipt when Generate Lot "
        "Numbers on Receipt is on and neither the product nor its category has one. "
        "Tokens: " + lot_name_pattern.valid_tokens_text(),
    )
    lot_name_generation = fields.Boolean(
        string="Generate Lot Numbers on Receipt",
        help="Give lot-tracked products received without a lot number one from the "
        "company's pattern. Off: only products whose product or category has a pattern "
        "get one; the others must be given a lot number by hand, as in standard Odoo.",
    )

    expiry_horizon_1 = fields.Integer(string="First Expiry Horizon", default=30)
    expiry_horizon_2 = fields.Integer(string="Second Expiry Horizon", default=60)
    expiry_horizon_3 = fields.Integer(string="Third Expiry Horizon", default=90)
    expiry_donate_days = fields.Integer(
        string="Donate Within",
        default=7,
        help="Suggest donating stock with this many days left or fewer.",
    )
    expiry_discount_days = fields.Integer(
        string="Discount Within",
        default=30,
        help="Suggest discounting stock with this many days left or fewer.",
    )
    expiry_return_days = fields.Integer(
        string="Return to Vendor Within",
        default=90,
        help="Suggest returning stock of a known vendor with this many days left or fewer.",
    )
    expiry_sales_window_days = fields.Integer(
        string="Sales Window",
        default=90,
        help="Days of past deliveries averaged to estimate daily sales (days of supply).",
    )
    expiry_digest_user_ids = fields.Many2many(
        "res.users",
        "res_company_expiry_digest_user_rel",
        string="Expiry Digest Recipients",
        help="Users who receive the weekly summary of what expires soon.",
    )
    expiry_writeoff_mode = fields.Selection(
        [
            ("scrap", "Scrap (validated scrap orders)"),
            ("move", "Move to an Expired location"),
            ("report", "Report only (an activity for the responsible)"),
        ],
        string="Expired Stock Write-off",
        default="report",
        required=True,
    )
    expiry_writeoff_grace_days = fields.Integer(
        string="Write-off Grace Days",
        default=0,
        help="Days after expiration before the scheduled write-off takes a lot.",
    )
    expiry_responsible_id = fields.Many2one(
        "res.users",
        help="Gets the activities of the write-off (reported stock, reserved stock skipped).",
    )
    gs1_gln = fields.Char(
        string="GLN",
        help="The company's GS1 Global Location Number (13 digits, last one a check "
        "digit): identifies it in EPCIS exports, and its warehouses without their own.",
    )
    gs1_resolver_domain = fields.Char(
        string="GS1 Digital Link Domain",
        help="Domain of the GS1 Digital Link resolver, e.g. id.example.com: when set, lot "
        "labels carry a QR code with https://<domain>/01/<GTIN>/10/<lot>?17=<expiry>.",
    )
    recall_follow_up_days = fields.Integer(
        string="Recall Follow-up Days",
        default=3,
        help="Days without an answer before a recall customer is reminded by email.",
    )
    recall_follow_up_max = fields.Integer(
        string="Recall Follow-ups",
        default=2,
        help="Reminders sent to a recall customer before someone is asked to phone them.",
    )

    @api.constrains("gs1_gln")
    def _check_gs1_gln(self):
        self.env["lot_fefo_recall.gs1"]._check_identifier_field(self, "gs1_gln", "GLN")

    @api.constrains("gs1_resolver_domain")
    def _check_gs1_resolver_domain(self):
        for company in self:
            domain = company.gs1_resolver_domain
            if domain and not re.fullmatch(
                r"(https?://)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d+)?(/[A-Za-z0-9._~-]+)*/?",
                domain.strip(),
            ):
                raise ValidationError(
                    self.env._(
                        "%(domain)s is not a domain name for GS1 Digital Link labels: give "
                        "the resolver's host, like id.example.com.",
                        domain=domain,
                    )
                )

    @api.constrains("expiry_horizon_1", "expiry_horizon_2", "expiry_horizon_3")
    def _check_expiry_horizons(self):
        for company in self:
            limits = [company.expiry_horizon_1, company.expiry_horizon_2, company.expiry_horizon_3]
            if not 0 < limits[0] < limits[1] < limits[2]:
                raise ValidationError(
                    self.env._(
                        "Expiry horizons must be positive and in increasing order "
                        "(e.g. 30, 60, 90 days), not %(limits)s.",
                        limits=", ".join(map(str, limits)),
                    )
                )

    @api.constrains(
        "expiry_writeoff_grace_days",
        "expiry_donate_days",
        "expiry_discount_days",
        "expiry_return_days",
        "expiry_sales_window_days",
    )
    def _check_expiry_days(self):
        for company in self:
            if company.expiry_writeoff_grace_days < 0:
                raise ValidationError(
                    self.env._(
                        "Write-off grace days can not be negative (%(days)s). Use 0 to write "
                        "off stock as soon as it expires.",
                        days=company.expiry_writeoff_grace_days,
                    )
                )
            if (
                min(
                    company.expiry_donate_days,
                    company.expiry_discount_days,
                    company.expiry_return_days,
                )
                < 0
            ):
                raise ValidationError(
                    self.env._("Suggested action thresholds can not be negative.")
                )
            if company.expiry_sales_window_days <= 0:
                raise ValidationError(self.env._("The sales window must be at least one day."))

    @api.constrains("recall_follow_up_days", "recall_follow_up_max")
    def _check_recall_follow_up(self):
        for company in self:
            if company.recall_follow_up_days < 1 or company.recall_follow_up_max < 0:
                raise ValidationError(
                    self.env._(
                        "Recall follow-up: remind after at least one day, and send zero or "
                        "more reminders (not %(days)s days, %(count)s reminders).",
                        days=company.recall_follow_up_days,
                        count=company.recall_follow_up_max,
                    )
                )

    @api.constrains("lot_name_pattern", "lot_name_generation")
    def _check_lot_name_pattern(self):
        for company in self:
            if company.lot_name_generation and not company.lot_name_pattern:
                raise ValidationError(
                    self.env._(
                        "Generate Lot Numbers on Receipt needs a lot number pattern for "
                        "%(company)s, e.g. %(example)s.",
                        company=company.name,
                        example=DEFAULT_LOT_NAME_PATTERN,
                    )
                )
            self.env["product.category"]._check_one_lot_name_pattern(company.lot_name_pattern)
