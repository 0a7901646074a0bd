from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

# Set by a sales manager.
OVERRIDE_FIELDS = ("shelf_life_override", "shelf_life_override_reason")
# Set by the add-on when the override is set, whatever a client sends.
OVERRIDE_STAMP_FIELDS = ("shelf_life_override_user_id", "shelf_life_override_date")


class SaleOrderLine(models.Model):
    """A sales manager's one-time exception to the customer's shelf life rule, for the
    deliveries of one order line (stock.move._get_shelf_life_requirement)."""

    _name = "sale.order.line"
    _inherit = ["sale.order.line", "lot_fefo_recall.input.guard"]

    shelf_life_override = fields.Boolean(
        copy=False,
        help="Set by a sales manager, once: the deliveries of this line reserve and ship "
        "lots whatever the customer's shelf life rule asks. Not copied with the order.",
    )
    shelf_life_override_reason = fields.Text(
        string="Override Reason",
        copy=False,
        help="Why the customer's shelf life rule is lifted for this line, e.g. the "
        "customer accepted short-dated stock at a discount. Required with the override.",
    )
    shelf_life_override_user_id = fields.Many2one(
        "res.users",
        string="Override Approved By",
        copy=False,
        readonly=True,
        help="The sales manager who set the override, filled automatically.",
    )
    shelf_life_override_date = fields.Datetime(
        string="Override Approved On",
        copy=False,
        readonly=True,
        help="When the override was set, filled automatically.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if any(
            isinstance(vals, dict) and any(vals.get(name) for name in OVERRIDE_FIELDS)
            for vals in vals_list
        ):
            self._check_shelf_life_override_access()
        vals_list = [self._prepare_shelf_life_override_vals(vals) for vals in vals_list]
        lines = super().create(vals_list)
        lines.filtered("shelf_life_override")._post_shelf_life_override_change()
        return lines

    def write(self, vals):
        if not isinstance(vals, dict) or not (
            set(OVERRIDE_FIELDS + OVERRIDE_STAMP_FIELDS) & vals.keys()
        ):
            return super().write(vals)
        changed = self._get_shelf_life_override_changed(vals)
        if changed or set(OVERRIDE_STAMP_FIELDS) & vals.keys():
            self._check_shelf_life_override_access()
        vals = {name: value for name, value in vals.items() if name not in OVERRIDE_STAMP_FIELDS}
        if not changed:
            return super().write(vals) if vals else True
        toggled = changed.filtered(
            lambda line: (
                "shelf_life_override" in vals
                and bool(vals["shelf_life_override"]) != line.shelf_life_override
            )
        )
        if "shelf_life_override" in vals:
            self._check_shelf_life_override_reason(vals)
            res = super().write(self._prepare_shelf_life_override_vals(vals))
        else:
            # Only the reason: the manager who gave it now answers for the override.
            overridden = self.filtered("shelf_life_override")
            overridden._check_shelf_life_override_reason(vals)
            res = super(SaleOrderLine, overridden).write(
                dict(vals, **self._get_shelf_life_override_stamp(True))
            )
            if self - overridden:
                super(SaleOrderLine, self - overridden).write(vals)
        (toggled | changed.filtered("shelf_life_override"))._post_shelf_life_override_change()
        return res

    # ------------------------------------------------------------------ helpers

    def _check_shelf_life_override_access(self):
        """Only sales managers lift a customer's shelf life rule."""
        if self.env.su or self.env.user.has_group("sales_team.group_sale_manager"):
            return
        raise UserError(
            self.env._(
                "Only sales managers can set, change or clear the shelf life override of "
                "an order line. Ask a sales manager to approve the exception."
            )
        )

    def _get_shelf_life_override_changed(self, vals):
        """The lines whose override or reason ``vals`` changes."""

        def new_value(line, name):
            return vals[name] if name in vals else line[name]

        return self.filtered(
            lambda line: (
                bool(new_value(line, "shelf_life_override")) != line.shelf_life_override
                or (new_value(line, "shelf_life_override_reason") or False)
                != (line.shelf_life_override_reason or False)
            )
        )

    def _check_shelf_life_override_reason(self, vals):
        """An override needs its reason: raise before anything is written."""
        if "shelf_life_override" in vals and not vals["shelf_life_override"]:
            return
        for line in self:
            reason = vals.get("shelf_life_override_reason", line.shelf_life_override_reason)
            if not (isinstance(reason, str) and reason.strip()):
                raise ValidationError(
                    self.env._(
                        "Give the reason for the shelf life override of %(product)s on "
                        "%(order)s: a customer's rule is lifted only for a stated reason.",
                        product=line.product_id.display_name or line.name,
                        order=line.order_id.name,
                    )
                )

    def _prepare_shelf_life_override_vals(self, vals):
        """``vals`` with who set the override and when; a cleared override loses its
        reason (the order's chatter keeps it). Refuses an override without reason."""
        if not isinstance(vals, dict):
            return vals
        vals = {name: value for name, value in vals.items() if name not in OVERRIDE_STAMP_FIELDS}
        if "shelf_life_override" not in vals:
            return vals
        if not vals["shelf_life_override"]:
            return dict(
                vals,
                shelf_life_override_reason=False,
                **self._get_shelf_life_override_stamp(False),
            )
        reason = vals.get("shelf_life_override_reason")
        if not self and not (isinstance(reason, str) and reason.strip()):
            raise ValidationError(
                self.env._(
                    "Give the reason for the shelf life override: a customer's rule is "
                    "lifted only for a stated reason."
                )
            )
        return dict(vals, **self._get_shelf_life_override_stamp(True))

    def _get_shelf_life_override_stamp(self, active):
        if not active:
            return {"shelf_life_override_user_id": False, "shelf_life_override_date": False}
        return {
            "shelf_life_override_user_id": self.env.uid,
            "shelf_life_override_date": fields.Datetime.now(),
        }

    def _post_shelf_life_override_change(self):
        """Say on the sale order who set, changed or cleared an override, and why."""
        for line in self:
            product = line.product_id.display_name or line.name
            if line.shelf_life_override:
                body = self.env._(
                    "Shelf life override set on %(product)s by %(manager)s: its deliveries "
                    "reserve and ship lots whatever the customer's shelf life rule asks. "
                    "Reason: %(reason)s",
                    product=product,
                    manager=line.shelf_life_override_user_id.name,
                    reason=line.shelf_life_override_reason,
                )
            else:
                body = self.env._(
                    "Shelf life override on %(product)s cleared by %(manager)s: its "
                    "deliveries follow the customer's shelf life rule again.",
                    product=product,
                    manager=self.env.user.name,
                )
            line.order_id.message_post(body=body, subtype_xmlid="mail.mt_note")
