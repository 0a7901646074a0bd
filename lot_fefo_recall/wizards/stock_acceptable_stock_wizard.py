from odoo import fields, models


class StockAcceptableStockWizard(models.TransientModel):
    _name = "stock.acceptable.stock.wizard"
    _description = "Stock acceptable to a customer"
    _inherit = ["lot_fefo_recall.input.guard"]

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        help="The customer, or one of its delivery addresses: its shelf life rules say "
        "which lots it accepts.",
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        help="The warehouse that would ship; empty: every warehouse, each with its own "
        "time zone for the days left.",
    )
    ship_date = fields.Datetime(
        string="Shipping Date",
        required=True,
        default=fields.Datetime.now,
        help="When the goods would leave: the days left are counted from it.",
    )

    def action_open_products(self):
        """The dated products with the stock this customer accepts, as a product list
        with the Acceptable to Customer column (product.product.shelf_life_acceptable_qty)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "lot_fefo_recall.product_product_action_shelf_life_acceptable"
        )
        action["name"] = self.env._(
            "Stock Acceptable to %(customer)s", customer=self.partner_id.display_name
        )
        action["context"] = {
            "shelf_life_partner_id": self.partner_id.id,
            "warehouse_id": self.warehouse_id.id or False,
            "shelf_life_date": fields.Datetime.to_string(self.ship_date),
            "search_default_shelf_life_acceptable": 1,
        }
        return action
