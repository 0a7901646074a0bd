from odoo import fields, models
from odoo.exceptions import AccessError, UserError


# One concern of stock.recall per file (see stock_recall.py).
class StockRecall(models.Model):
    """Quarantine: block the affected lots and set their stock aside."""

    _inherit = "stock.recall"  # pylint: disable=consider-merging-classes-inherited

    def action_quarantine(self):
        """Block every affected lot, take it out of open transfers, picked or not (they
        are reserved again with other stock), and move its stock to each warehouse's
        quarantine location. All of it, or nothing."""
        self.ensure_one()
        self._check_can_act()
        if self.state not in ("traced", "quarantined", "notified"):
            raise UserError(
                self.env._("Trace %(recall)s before quarantining its stock.", recall=self.name)
            )
        lots = self.affected_lot_ids
        try:
            with self.env.cr.savepoint():
                moved = self._quarantine_lots(lots)
        except (UserError, AccessError) as error:
            raise UserError(
                self.env._(
                    "Quarantine of %(recall)s failed and nothing was changed: %(error)s",
                    recall=self.name,
                    error=error.args[0],
                )
            ) from error
        self.sudo().write(
            {
                "quarantined_qty": self.quarantined_qty + moved,
                "date_quarantined": fields.Datetime.now(),
                "state": "quarantined" if self.state == "traced" else self.state,
            }
        )
        self.message_post(
            body=self.env._(
                "Quarantined: %(count)s lots blocked, %(qty)s units moved to quarantine.",
                count=len(lots),
                qty=f"{moved:g}",
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def _quarantine_lots(self, lots):
        """Block ``lots``, which takes them out of open transfers, picked or not, and
        reserves those again (stock.lot._release_reservations); move their stock into
        quarantine with validated transfers; return the quantity moved. Raise UserError
        when any of it can not be done."""
        self.ensure_one()
        lots.write(
            {"is_blocked": True, "block_reason": self.env._("Recall %(recall)s", recall=self.name)}
        )
        quants = self.env["stock.quant"].search(
            [
                ("lot_id", "in", lots.ids),
                ("location_id.usage", "=", "internal"),
                ("company_id", "=", self.company_id.id),
                ("quantity", ">", 0),
            ]
        )
        quarantines = (
            self.env["stock.warehouse"]
            .search([("company_id", "=", self.company_id.id)])
            .quarantine_location_id
        )
        quants = quants.filtered(lambda q: q.location_id not in quarantines)
        moved = 0.0
        for warehouse, wh_quants in quants.grouped("warehouse_id").items():
            if not warehouse:
                raise UserError(
                    self.env._(
                        "%(locations)s belong to no warehouse, so their stock of %(lots)s has "
                        "no quarantine location. Move it into a warehouse first.",
                        locations=", ".join(wh_quants.location_id.mapped("complete_name")),
                        lots=", ".join(wh_quants.lot_id.mapped("name")),
                    )
                )
            moved += self._move_to_quarantine(warehouse, wh_quants)
        return moved

    def _move_to_quarantine(self, warehouse, quants):
        quantity = sum(quants.mapped("quantity"))
        warehouse._move_quants_aside(quants, warehouse._get_quarantine_location(), self.name)
        return quantity
