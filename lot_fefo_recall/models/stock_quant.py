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

    def _compute_value(self):
        # Core values a quant at its share of the product's quantity on hand: that share
        # must count set-aside stock, which is on the books though not sellable.
        return super(StockQuant, self.with_context(lot_fefo_count_set_aside=True))._compute_value()

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
        extra = self._get_lot_fefo_domain(location_id)
        return Domain.AND([domain, extra]) if extra else domain

    def _get_reserve_quantity(
        self,
        product_id,
        location_id,
        quantity,
        uom_id=None,
        lot_id=None,
        package_id=None,
        owner_id=None,
        strict=False,
    ):
        """Every reservation chooses its quants here, whichever way it came: the lots a
        move picks itself, the lots a previous step brought
        (stock.move._update_reserved_quantity_vals), a quantity typed on a move. The
        context key makes _get_gather_domain leave blocked lots out. Core's
        ``quants_cache`` shortcut in _gather, which skips that domain, only serves the
        quantity updates of stock.move.line._action_done, never a reservation; those
        updates gather without the key, so that stock of a blocked lot still moves."""
        quants = self
        if product_id.uom_id.compare(quantity, 0) > 0:
            quants = self.with_context(lot_fefo_reserving=True)
        return super(StockQuant, quants)._get_reserve_quantity(
            product_id, location_id, quantity, uom_id, lot_id, package_id, owner_id, strict
        )

    @api.model
    def _get_lot_fefo_domain(self, location):
        """The quants a reservation from ``location`` may take: never a blocked lot nor
        stock set aside under ``location``, and when stock.move reserves for a customer
        with a shelf life rule (``lot_fefo_min_expiration``), only lots expiring late
        enough (lots without expiration date qualify). None outside a reservation."""
        if not self.env.context.get("lot_fefo_reserving"):
            return None
        domain = Domain("lot_blocked", "=", False) & self._get_not_set_aside_domain(location)
        min_expiration = self.env.context.get("lot_fefo_min_expiration")
        if min_expiration:
            domain &= Domain("expiration_date", ">=", min_expiration) | Domain(
                "expiration_date", "=", False
            )
        return domain

    @api.model
    def _get_not_set_aside_domain(self, location):
        """Quants outside the set-aside locations under ``location``: taking from
        ``location`` never takes what is set aside inside it, while a transfer out of a
        set-aside location itself still can."""
        excluded = self.env["stock.location"]._get_set_aside_excluded(location.ids)
        return Domain("location_id", "not in", excluded.ids) if excluded else Domain.TRUE

    @api.model
    def _get_shippable_domain(self, product, location, ship_date):
        """Quants of ``product`` under ``location`` that may leave on ``ship_date``: not
        blocked, not past their removal date (what product_expiry lets reserve)."""
        return Domain.AND(
            [
                Domain("product_id", "=", product.id),
                Domain("location_id", "child_of", location.id),
                self._get_not_set_aside_domain(location),
                Domain("lot_blocked", "=", False),
                Domain("removal_date", ">=", ship_date) | Domain("removal_date", "=", False),
            ]
        )
