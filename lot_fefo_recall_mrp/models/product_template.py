from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    expiry_from_components = fields.Boolean(
        string="Inherit Expiry from Components",
        help="A lot of this product made by a manufacturing order expires no later than "
        "the earliest-expiring lot of its components: its expiration date is the "
        "earlier of its own shelf life and that component lot's expiration date. A "
        "manufacturing order for a customer with a shelf life rule then only reserves "
        "component lots fresh enough for the product to meet the rule.",
    )
