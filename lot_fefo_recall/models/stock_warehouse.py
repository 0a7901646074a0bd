from odoo import fields, models


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    quarantine_location_id = fields.Many2one(
        "stock.location",
        check_company=True,
        help="Where recalled stock is set aside: an internal location outside the stock "
        "location, so that nothing is reserved from it.",
    )

    def _get_quarantine_location(self):
        """The warehouse's quarantine location, created under the warehouse (beside,
        not inside, its stock location) the first time it is needed."""
        self.ensure_one()
        if not self.quarantine_location_id:
            # Quality managers quarantine without being inventory administrators.
            self.sudo().quarantine_location_id = (
                self.env["stock.location"]
                .sudo()
                .create(
                    {
                        "name": self.env._("Quarantine"),
                        "usage": "internal",
                        "location_id": self.view_location_id.id,
                        "company_id": self.company_id.id,
                    }
                )
            )
        return self.quarantine_location_id
