from odoo import api, models
from odoo.fields import Domain


class ProductProduct(models.Model):
    _inherit = "product.product"

    # The figures counted with set-aside stock are other figures: cached apart.
    @api.depends_context("lot_fefo_count_set_aside")
    def _compute_quantities(self):
        return super()._compute_quantities()

    def _compute_quantities_dict(
        self, lot_id, owner_id, package_id, from_date=False, to_date=False
    ):
        res = super()._compute_quantities_dict(lot_id, owner_id, package_id, from_date, to_date)
        tracked = self.filtered(lambda product: product.tracking != "none")
        if not tracked:
            return res
        # A blocked lot is on hand but not free: core's own figures restricted to the
        # blocked lots' quants give what they hold unreserved and not already left out
        # as expired, which comes off the free quantity.
        blocked = super(
            ProductProduct, tracked.with_context(lot_fefo_blocked_only=True)
        )._compute_quantities_dict(lot_id, owner_id, package_id, from_date, to_date)
        for product in tracked:
            figures = res[product.id]
            figures["free_qty"] = product.uom_id.round(
                figures["free_qty"] - blocked[product.id]["free_qty"]
            )
        return res

    def _get_domain_locations_new(self, location_ids):
        """Leave set-aside stock out of the figures: quants in a set-aside location are
        not on hand; a move into one is not incoming, it is outgoing when it leaves
        sellable stock; a move out of one into sellable stock is incoming."""
        quant_domain, move_in_domain, move_out_domain = super()._get_domain_locations_new(
            location_ids
        )
        if self.env.context.get("lot_fefo_blocked_only"):
            return quant_domain & Domain("lot_blocked", "=", True), Domain.FALSE, Domain.FALSE
        if self.env.context.get("lot_fefo_count_set_aside"):
            return quant_domain, move_in_domain, move_out_domain
        set_aside = self.env["stock.location"]._get_set_aside_excluded(location_ids).ids
        if not set_aside:
            return quant_domain, move_in_domain, move_out_domain
        from_set_aside = Domain("location_id", "in", set_aside)
        # where core takes a move's destination: its final one while it is not done
        into_set_aside = Domain("location_dest_id", "in", set_aside)
        bound_for_set_aside = Domain("location_final_id", "in", set_aside) | (
            Domain("location_final_id", "=", False) & into_set_aside
        )
        to_set_aside = (Domain("state", "=", "done") & into_set_aside) | (
            Domain("state", "!=", "done") & bound_for_set_aside
        )
        # quant_domain is "from the locations asked for"; with move_out_domain it tells
        # the moves between two of them apart.
        return (
            quant_domain & ~from_set_aside,
            (move_in_domain | (quant_domain & from_set_aside & ~move_out_domain)) & ~to_set_aside,
            (move_out_domain | (quant_domain & to_set_aside)) & ~from_set_aside,
        )
