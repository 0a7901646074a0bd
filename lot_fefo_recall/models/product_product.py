from collections import defaultdict

from odoo import api, fields, models
from odoo.fields import Domain


class ProductProduct(models.Model):
    _inherit = "product.product"

    shelf_life_acceptable_qty = fields.Float(
        string="Acceptable to Customer",
        compute="_compute_shelf_life_acceptable_qty",
        search="_search_shelf_life_acceptable_qty",
        digits="Product Unit",
        help="Free stock that may ship to the customer of the context "
        "(shelf_life_partner_id) under its shelf life rule, from the warehouse of the "
        "context (warehouse_id; else every warehouse), on the date of the context "
        "(shelf_life_date; else now): not blocked, not set aside, not past its removal "
        "date. Products no rule covers count all such stock.",
    )

    def _get_gs1_gtin(self):
        """The product's GTIN as 14 digits: its GTIN field, else its barcode when that is
        a valid GTIN-8/12/13/14, else None."""
        self.ensure_one()
        gs1 = self.env["lot_fefo_recall.gs1"]
        return gs1.normalize_gtin(self.gs1_gtin or "") or gs1.normalize_gtin(self.barcode or "")

    # The figures counted with set-aside stock are other figures: cached apart.
    @api.depends_context("lot_fefo_count_set_aside")
    def _compute_quantities(self):
        return super()._compute_quantities()

    @api.depends_context(
        "shelf_life_partner_id",
        "warehouse_id",
        "shelf_life_date",
        "company",
        "allowed_company_ids",
    )
    def _compute_shelf_life_acceptable_qty(self):
        """One rule look-up per warehouse, one stock query for every product and
        warehouse (stock.quant._get_acceptable_stock). A context value that is no id
        or date counts as not given."""
        context = self.env.context
        partner_id = context.get("shelf_life_partner_id")
        partner = self.env["res.partner"].browse(partner_id if isinstance(partner_id, int) else ())
        try:
            ship_date = fields.Datetime.to_datetime(context.get("shelf_life_date"))
        except (TypeError, ValueError):
            ship_date = None
        ship_date = ship_date or fields.Datetime.now()
        products = self.filtered(lambda product: product.is_storable and product.id)
        Rule = self.env["stock.shelf.life.rule"]
        requests = []
        for warehouse in self._get_shelf_life_warehouses():
            dated = products.filtered("use_expiration_date")
            rules = Rule._get_rules(partner, dated, warehouse.company_id) if dated else {}
            for product in products:
                rule = rules.get(product)
                requests.append(
                    (
                        product,
                        warehouse.lot_stock_id,
                        rule._get_lot_date_field() if rule else "expiration_date",
                        rule._get_min_date(product, ship_date, warehouse) if rule else None,
                        ship_date,
                    )
                )
        totals = defaultdict(float)
        figures = self.env["stock.quant"]._get_acceptable_stock(requests)
        for request, (quantity, _earliest, _latest) in zip(requests, figures, strict=True):
            totals[request[0]] += quantity
        for product in self:
            product.shelf_life_acceptable_qty = (
                product.uom_id.round(totals[product]) if product in products else 0.0
            )

    def _search_shelf_life_acceptable_qty(self, operator, value):
        # As core searches its quantities: computed for every product, then filtered.
        products = self.with_context(prefetch_fields=False).search_fetch(
            [], ["shelf_life_acceptable_qty"], order="id"
        )
        matching = products.filtered_domain([("shelf_life_acceptable_qty", operator, value)])
        return [("id", "in", matching.ids)]

    def _get_shelf_life_warehouses(self):
        """The warehouses of the context's ``warehouse_id`` (an id, a name or a list of
        them, as Odoo's quantities take it), else every warehouse of the companies."""
        Warehouse = self.env["stock.warehouse"]
        asked = self.env.context.get("warehouse_id")
        if not asked:
            return Warehouse.search([("company_id", "in", self.env.companies.ids)])
        asked = asked if isinstance(asked, (list, tuple)) else [asked]
        ids = [item for item in asked if isinstance(item, int)]
        names = [item for item in asked if isinstance(item, str)]
        domain = Domain("id", "in", ids)
        if names:
            domain |= Domain.OR([Domain("name", "ilike", name) for name in names])
        return Warehouse.search(domain)

    def _compute_quantities_dict(
        self, lot_id, owner_id, package_id, from_date=False, to_date=False
    ):
        res = super()._compute_quantities_dict(lot_id, owner_id, package_id, from_date, to_date)
        tracked = self.filtered(lambda product: product.tracking != "none")
        if not tracked:
            return res
        # A blocked lot is on hand but not free: core's own figures restricted to the
        # blocked lots' quants still counted on hand (a set-aside one is out already) give
        # what they hold unreserved and not already left out as expired, which comes off
        # the free quantity: free is what the other quants hold unreserved.
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
        """Set-aside stock is left out unless the context says to count it (as the
        books do); ``lot_fefo_blocked_only`` asks for the blocked lots' quants among
        what is counted."""
        domains = super()._get_domain_locations_new(location_ids)
        if not self.env.context.get("lot_fefo_count_set_aside"):
            domains = self._leave_set_aside_out(location_ids, *domains)
        if self.env.context.get("lot_fefo_blocked_only"):
            return domains[0] & Domain("lot_blocked", "=", True), Domain.FALSE, Domain.FALSE
        return domains

    def _leave_set_aside_out(self, location_ids, quant_domain, move_in_domain, move_out_domain):
        """Leave set-aside stock out of the figures: quants in a set-aside location are
        not on hand; a move into one is not incoming, it is outgoing when it leaves
        sellable stock; a move out of one into sellable stock is incoming."""
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
