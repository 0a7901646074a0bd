from odoo import api, fields, models
from odoo.exceptions import UserError

# The dates product_expiry derives from the expiration date.
_EXPIRY_DATE_FIELDS = ("expiration_date", "use_date", "removal_date", "alert_date")
# Set by the manufacturing order that makes the lot, never by hand.
_COMPONENT_EXPIRY_FIELDS = ("expiry_component_lot_id", "own_expiration_date")


class StockLot(models.Model):
    _inherit = "stock.lot"

    expiry_component_lot_id = fields.Many2one(
        "stock.lot",
        string="Expiry Limited By",
        copy=False,
        readonly=True,
        index="btree_not_null",
        check_company=True,
        help="The component lot whose earlier expiration date this manufactured lot "
        "took, its product inheriting expiry from components.",
    )
    own_expiration_date = fields.Datetime(
        copy=False,
        readonly=True,
        help="The expiration date this lot had from its product's own shelf life before "
        "a component lot cut it short: it gets it back when its components change.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_component_expiry_vals(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._check_component_expiry_vals([vals])
        # A date set by hand is the lot's own from then on: its manufacturing order no
        # longer moves it back to an earlier own date.
        if (
            isinstance(vals, dict)
            and "expiration_date" in vals
            and not self.env.context.get("lot_fefo_component_expiry")
        ):
            vals = dict(vals, expiry_component_lot_id=False, own_expiration_date=False)
        return super().write(vals)

    def _check_component_expiry_vals(self, vals_list):
        if self.env.context.get("lot_fefo_component_expiry") or not isinstance(
            vals_list, (list, tuple)
        ):
            return
        for vals in vals_list:
            if isinstance(vals, dict) and any(vals.get(name) for name in _COMPONENT_EXPIRY_FIELDS):
                raise UserError(
                    self.env._(
                        "The component lot that limits a lot's expiration date, and the "
                        "date the lot would have on its own, are set by the manufacturing "
                        "order that makes it. Change the expiration date instead."
                    )
                )

    def _set_expiry_from_components(self, components, own_is_final=False):
        """Set the expiration date of these manufactured lots to the earlier of their
        own (from the product's shelf life, or what they had before a component cut it)
        and the earliest expiration date of ``components`` (lots); their best before,
        removal and alert dates follow as product_expiry moves them. With
        ``own_is_final`` (stock of the lot was made before) a lot's date only ever gets
        earlier. Lots without expiration date are left alone.

        A lot shared by every company (its product is) made from a lot of one company
        takes its date, not a link to it (``expiry_component_lot_id``): a record every
        company reads never points at one company's lot. Return ``{lot: (old date, new
        date, limiting component lot or none)}`` for the lots changed."""
        earliest = components.filtered("expiration_date").sorted(
            lambda lot: (lot.expiration_date, lot.id)
        )[:1]
        changes = {}
        for lot in self.filtered("expiration_date"):
            own = lot.own_expiration_date or lot.expiration_date
            ceiling = lot.expiration_date if own_is_final else own
            limit = earliest.filtered(
                lambda component, ceiling=ceiling: component.expiration_date < ceiling
            )
            if own_is_final and not limit:
                continue
            expiration = limit.expiration_date or own
            own_kept = own if limit else False
            link = limit.filtered_domain(limit._check_company_domain(lot.company_id))
            if (expiration, link, own_kept) == (
                lot.expiration_date,
                lot.expiry_component_lot_id,
                lot.own_expiration_date,
            ):
                continue
            changes[lot] = (lot.expiration_date, expiration, limit)
            # sudo: the date follows from the components, not from the user; only
            # quality managers may change a filled date of their own accord.
            lot.sudo().with_context(lot_fefo_component_expiry=True).write(
                dict(
                    lot._prepare_expiry_vals(expiration),
                    expiry_component_lot_id=link.id,
                    own_expiration_date=own_kept,
                )
            )
        return changes

    def _prepare_expiry_vals(self, expiration):
        """The lot's expiration date moved to ``expiration`` with its best before,
        removal and alert dates moved along by product_expiry's own computation, as the
        lot form does."""
        self.ensure_one()
        draft = self.new(origin=self)
        draft.expiration_date = expiration
        return {name: draft[name] for name in _EXPIRY_DATE_FIELDS}
