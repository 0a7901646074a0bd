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

    # The partner's GLN is account_add_gln's (also on e-invoices), here checked.
    gs1_gln = fields.Char(
        string="GS1 Location Number",
        related="global_location_number",
        readonly=False,
        help="The partner's GS1 Global Location Number (13 digits, last one a check "
        "digit): the vendor's or customer's location in EPCIS exports.",
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
    @api.constrains("global_location_number")
    def _check_gs1_gln(self):
        self.env["lot_fefo_recall.gs1"]._check_identifier_field(
            self, "global_location_number", "GLN"
        )

    def _lot_code_from_name(self, name):
        words = [word for word in (name or "").split() if word[:1].isalnum()]
        capitals = [word[0] for word in words if word[0].isupper() or word[0].isdigit()]
        return "".join(capitals or [word[0] for word in words]).upper()
