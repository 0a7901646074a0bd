from odoo import fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain


# One concern of stock.recall per file (see stock_recall.py).
class StockRecall(models.Model):
    """Quarantine: block the affected lots and set their stock aside."""

    _inherit = "stock.recall"  # pylint: disable=consider-merging-classes-inherited

    def action_quarantine(self):
        """Block every affected lot, take it out of open transfers, picked or not (they
        are reserved again with other stock), and move its stock to each warehouse's
        quarantine location. All of it, or nothing; and once: pressed again (by a
        second user at the same moment, say) with nothing left to do, it says so."""
        self.ensure_one()
        self._check_can_act()
        self._lock_for_button(
            self.env._(
                "Another user is quarantining or changing %(recall)s right now: try again in "
                "a moment.",
                recall=self.name,
            )
        )
        if self.state not in ("traced", "quarantined", "notified"):
            raise UserError(
                self.env._("Trace %(recall)s before quarantining its stock.", recall=self.name)
            )
        lots = self.affected_lot_ids
        quants = self._get_quants_to_quarantine(lots)
        if self.date_quarantined and all(lots.mapped("is_blocked")) and not quants:
            raise UserError(
                self.env._(
                    "%(recall)s is already quarantined: its lots are blocked and none of "
                    "their stock is left outside quarantine.",
                    recall=self.name,
                )
            )
        try:
            with self.env.cr.savepoint():
                moved = self._quarantine_lots(lots, quants)
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

    def _quarantine_lots(self, lots, quants):
        """Block ``lots``, which takes them out of open transfers, picked or not, and
        reserves those again (stock.lot._release_reservations); move their stock
        ``quants`` into quarantine with validated transfers; return the quantity moved.
        Raise UserError when any of it can not be done."""
        self.ensure_one()
        lots.write(
            {"is_blocked": True, "block_reason": self.env._("Recall %(recall)s", recall=self.name)}
        )
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

    def _get_quants_to_quarantine(self, lots):
        """The stock of ``lots`` in this recall's company outside quarantine, one quant
        per lot, location, package and owner, locked until the quarantine commits.

        Under contention core books a move on a new row of the same stock rather than
        wait for a locked one, and its scheduler merges such twins later: until then the
        stock there is their sum (a row may be negative), and setting one row aside
        would set aside stock already shipped. So the rows are locked first (a picker
        who changed them since this transaction began makes Odoo retry it, see
        stock.quant._lock_stock), then merged as core's scheduler merges them."""
        self.ensure_one()
        Quant = self.env["stock.quant"]
        domain = Domain(
            [
                ("lot_id", "in", lots.ids),
                ("location_id.usage", "=", "internal"),
                ("company_id", "=", self.company_id.id),
            ]
        )
        stock = Quant.search(domain)
        if not stock:
            return stock
        stock._lock_stock()
        stock._merge_quants()
        if twins := Quant.search(domain)._get_twin_rows():
            # Core could not merge them: another transaction holds some of the rows.
            raise UserError(
                self.env._(
                    "The stock of %(lots)s is being moved by another user right now: "
                    "quarantine it again in a moment.",
                    lots=", ".join(twins.lot_id.mapped("name")),
                )
            )
        quarantines = (
            self.env["stock.warehouse"]
            .search([("company_id", "=", self.company_id.id)])
            .quarantine_location_id
        )
        return Quant.search(
            domain & Domain("quantity", ">", 0) & Domain("location_id", "not in", quarantines.ids)
        )

    def _move_to_quarantine(self, warehouse, quants):
        quantity = sum(quants.mapped("quantity"))
        warehouse._move_quants_aside(quants, warehouse._get_quarantine_location(), self.name)
        return quantity
