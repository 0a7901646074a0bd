from odoo import api, fields, models
from odoo.exceptions import UserError


class StockWarehouse(models.Model):
    _name = "stock.warehouse"
    _inherit = ["stock.warehouse", "lot_fefo_recall.input.guard"]

    quarantine_location_id = fields.Many2one(
        "stock.location",
        check_company=True,
        help="Where recalled stock is set aside: an internal location outside the stock "
        "location, so that nothing is reserved from it, marked as not sellable.",
    )
    gs1_gln = fields.Char(
        string="GLN",
        help="The warehouse's GS1 Global Location Number (13 digits, last one a check "
        "digit), for EPCIS exports. Empty: the company's GLN stands for it.",
    )
    expired_location_id = fields.Many2one(
        "stock.location",
        check_company=True,
        help="Where the scheduled write-off moves expired stock (write-off mode 'Move'), "
        "marked as not sellable.",
    )

    @api.constrains("gs1_gln")
    def _check_gs1_gln(self):
        self.env["lot_fefo_recall.gs1"]._check_identifier_field(self, "gs1_gln", "GLN")

    def _get_gs1_gln(self):
        """The warehouse's GLN, else its company's, else False."""
        self.ensure_one()
        return self.gs1_gln or self.company_id.gs1_gln

    def _get_quarantine_location(self):
        return self._get_set_aside_location("quarantine_location_id", self.env._("Quarantine"))

    def _get_expired_location(self):
        return self._get_set_aside_location("expired_location_id", self.env._("Expired"))

    def _get_set_aside_location(self, field_name, name):
        """The warehouse's location ``field_name``, created the first time it is needed
        under the warehouse's view location: beside, not inside, its stock location, so
        that deliveries never reserve from it while the stock stays on the books; set
        aside, so that its stock is not counted as sellable."""
        self.ensure_one()
        if not self[field_name]:
            # Quality managers set stock aside without being inventory administrators.
            self.sudo()[field_name] = (
                self.env["stock.location"]
                .sudo()
                .create(self._prepare_set_aside_location_vals(name))
            )
        return self[field_name]

    def _prepare_set_aside_location_vals(self, name):
        self.ensure_one()
        return {
            "name": name,
            "usage": "internal",
            "location_id": self.view_location_id.id,
            "company_id": self.company_id.id,
            "is_set_aside": True,
        }

    @api.model
    def _set_aside_existing_locations(self):
        """On module update: quarantine and expired locations created before they were
        set aside become so."""
        warehouses = self.with_context(active_test=False).search([])
        locations = warehouses.quarantine_location_id | warehouses.expired_location_id
        locations.filtered(lambda location: not location.is_set_aside).is_set_aside = True

    def _move_quants_aside(self, quants, destination, origin):
        """Move ``quants`` (of this warehouse) to ``destination`` with one validated
        internal transfer, lot by lot; return the transfer."""
        self.ensure_one()
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.int_type_id.id,
                "location_id": self.lot_stock_id.id,
                "location_dest_id": destination.id,
                "origin": origin,
                "move_ids": [
                    fields.Command.create(
                        {
                            "product_id": quant.product_id.id,
                            "product_uom_qty": quant.quantity,
                            "product_uom": quant.product_id.uom_id.id,
                            "location_id": quant.location_id.id,
                            "location_dest_id": destination.id,
                            "origin": origin,
                            "picked": True,
                        }
                    )
                    for quant in quants
                ],
            }
        )
        self.env["stock.move.line"].create(
            [
                {
                    "move_id": move.id,
                    "picking_id": picking.id,
                    "product_id": quant.product_id.id,
                    "lot_id": quant.lot_id.id,
                    "package_id": quant.package_id.id,
                    "owner_id": quant.owner_id.id,
                    "quantity": quant.quantity,
                    "location_id": quant.location_id.id,
                    "location_dest_id": destination.id,
                    "picked": True,
                }
                for quant, move in zip(quants, picking.move_ids, strict=True)
            ]
        )
        picking.move_ids._action_done()
        if any(move.state != "done" for move in picking.move_ids):
            raise UserError(
                self.env._(
                    "The transfer %(picking)s could not be validated.", picking=picking.name
                )
            )
        return picking
