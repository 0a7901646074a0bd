from odoo import api, fields, models


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "lot_fefo_recall.input.guard"]

    lot_code = fields.Char(
        compute="_compute_lot_code",
        store=True,
        readonly=False,
        help="Short vendor code used by the {supplier_code} token of lot number patterns. "
        "Defaults to the capital initials of the name: ABC Corp gives AC.",
    )

    shelf_life_rule_ids = fields.One2many(
        "stock.shelf.life.rule",
        "partner_id",
        string="Shelf Life Rules",
        # those who may read the rules; invoicing-only users open partners too
        groups="stock.group_stock_user,sales_team.group_sale_salesman",
        help="Minimum remaining shelf life this customer accepts.",
    )
    shelf_life_ship_to_rule_ids = fields.One2many(
        "stock.shelf.life.rule",
        "partner_shipping_id",
        string="Delivery Address Shelf Life Rules",
        groups="stock.group_stock_user,sales_team.group_sale_salesman",
        help="Minimum remaining shelf life for deliveries to this address only: these rules "
        "come before the customer's.",
    )

    @api.depends("name")
    def _compute_lot_code(self):
        for partner in self:
            if not partner.lot_code:
                partner.lot_code = self._lot_code_from_name(partner.name)

    @api.model
    def _lot_code_from_name(self, name):
        words = [word for word in (name or "").split() if word[:1].isalnum()]
        capitals = [word[0] for word in words if word[0].isupper() or word[0].isdigit()]
        return "".join(capitals or [word[0] for word in words]).upper()
