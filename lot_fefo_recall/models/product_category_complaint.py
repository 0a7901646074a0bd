from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ProductCategory(models.Model):
    _inherit = "product.category"

    complaint_threshold = fields.Integer(
        string="Complaints before Recall Alert",
        help="When a lot of this category gets this many complaints (rejected ones left "
        "out), a quality manager gets an activity suggesting a recall. 0: no alert.",
    )
    return_rate_threshold = fields.Float(
        string="Return Rate before Recall Alert (%)",
        digits=(16, 2),
        help="When customers returned this share of what was shipped of a lot of this "
        "category, a quality manager gets an activity suggesting a recall. 0: no alert.",
    )

    @api.constrains("complaint_threshold", "return_rate_threshold")
    def _check_complaint_thresholds(self):
        for category in self:
            if category.complaint_threshold < 0:
                raise ValidationError(
                    self.env._(
                        "The complaint threshold of the category %(category)s can not be "
                        "negative (%(value)s). Use 0 for no alert.",
                        category=category.display_name,
                        value=category.complaint_threshold,
                    )
                )
            if not 0 <= category.return_rate_threshold <= 100:
                raise ValidationError(
                    self.env._(
                        "The return rate threshold of the category %(category)s is a "
                        "percentage from 0 to 100, not %(value)s. Use 0 for no alert.",
                        category=category.display_name,
                        value=f"{category.return_rate_threshold:g}",
                    )
                )
