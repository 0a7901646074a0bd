from odoo import api, fields, models
from odoo.exceptions import ValidationError


class StockLocation(models.Model):
    _name = "stock.location"
    _inherit = ["stock.location", "lot_fefo_recall.input.guard"]

    is_set_aside = fields.Boolean(
        string="Set Aside (not sellable)",
        help="Stock here and in the locations under it stays on the books (quants, "
        "valuation) but is not sellable: it does not count in the products' on hand, "
        "free and forecasted quantities, nor in what sales orders show as available. "
        "Quarantine and expired stock locations are set aside.",
    )

    @api.constrains("is_set_aside", "usage")
    def _check_is_set_aside(self):
        for location in self.filtered("is_set_aside"):
            if location.usage != "internal":
                raise ValidationError(
                    self.env._(
                        "%(location)s is not an internal location: only stock held in an "
                        "internal location can be set aside.",
                        location=location.complete_name,
                    )
                )

    @api.model
    def _get_set_aside_excluded(self, location_ids):
        """The set-aside locations to leave out of figures asked for ``location_ids``,
        with their children: those under a location asked for, not asked for themselves.
        Asking for a set-aside location by name (as stock valuation does, listing every
        valued location) shows its stock."""
        asked = set(location_ids)
        flagged = (
            self.with_context(active_test=False)
            .sudo()
            .search([("is_set_aside", "=", True), ("id", "not in", list(asked))])
        )
        roots = flagged.filtered(
            lambda location: asked.intersection(
                int(parent) for parent in location.parent_path.split("/")[:-2]
            )
        )
        if not roots:
            return self.browse()
        return self.with_context(active_test=False).sudo().search([("id", "child_of", roots.ids)])
