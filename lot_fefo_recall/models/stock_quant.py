from odoo import api, fields, models
from odoo.fields import Domain


class StockQuant(models.Model):
    _inherit = "stock.quant"

    # Stored on the quant, as product_expiry stores expiration_date and removal_date, so
    # that reservation filters on it without joining the lots.
    lot_blocked = fields.Boolean(related="lot_id.is_blocked", store=True, string="Blocked Lot")

    @api.depends("lot_blocked")
    def _compute_available_quantity(self):
        res = super()._compute_available_quantity()
        for quant in self.filtered("lot_blocked"):
            quant.available_quantity = 0
        return res

    @api.model
    def _get_removal_strategy(self, product_id, location_id):
        """FEFO for products that use expiration dates, unless their category or a
        location says otherwise."""
        strategy = super()._get_removal_strategy(product_id, location_id)
        if strategy == "fifo" and product_id.sudo().use_expiration_date:
            location = location_id.sudo()
            parents = location.browse(
                [int(loc_id) for loc_id in (location.parent_path or "").split("/") if loc_id]
            )
            if not (product_id.sudo().categ_id.removal_strategy_id or parents.removal_strategy_id):
                return "fefo"
        return strategy

    def _get_gather_domain(
        self, product_id, location_id, lot_id=None, package_id=None, owner_id=None, strict=False
    ):
        domain = super()._get_gather_domain(
            product_id, location_id, lot_id, package_id, owner_id, strict
        )
        extra = self._get_lot_fefo_domain()
        return Domain.AND([domain, extra]) if extra else domain

    def _gather(
        self,
        product_id,
        location_id,
        lot_id=None,
        package_id=None,
        owner_id=None,
        strict=False,
        qty=0,
    ):
        quants = super()._gather(
            product_id, location_id, lot_id, package_id, owner_id, strict, qty
        )
        if self.env.context.get("quants_cache") is not None and self._get_lot_fefo_domain():
            # Core answers this path from a cache, without _get_gather_domain: apply the
            # same filter to what it returns.
            quants = quants.filtered(self._is_lot_fefo_reservable)
        return quants

    @api.model
    def _get_lot_fefo_domain(self):
        """The lots a reservation may take, set in the context by stock.move: never a
        blocked lot, and for a customer with a shelf life rule only lots expiring late
        enough (lots without expiration date qualify)."""
        if not self.env.context.get("lot_fefo_reserving"):
            return None
        domain = Domain("lot_blocked", "=", False)
        min_expiration = self.env.context.get("lot_fefo_min_expiration")
        if min_expiration:
            domain &= Domain("expiration_date", ">=", min_expiration) | Domain(
                "expiration_date", "=", False
            )
        return domain

    @api.model
    def _get_shippable_domain(self, product, location, ship_date):
        """Quants of ``product`` under ``location`` that may leave on ``ship_date``: not
        blocked, not past their removal date (what product_expiry lets reserve)."""
        return Domain.AND(
            [
                Domain("product_id", "=", product.id),
                Domain("location_id", "child_of", location.id),
                Domain("lot_blocked", "=", False),
                Domain("removal_date", ">=", ship_date) | Domain("removal_date", "=", False),
            ]
        )

    def _is_lot_fefo_reservable(self):
        self.ensure_one()
        min_expiration = self.env.context.get("lot_fefo_min_expiration")
        return not self.lot_blocked and (
            not min_expiration
            or not self.expiration_date
            or self.expiration_date >= min_expiration
        )
