from odoo import Command, api, fields, models
from odoo.exceptions import UserError


class StockMarkdownWizard(models.TransientModel):
    """Mark near-expiry lots down: one price list rule per product, limited to the
    period the lots can still be sold in."""

    _name = "stock.markdown.wizard"
    _description = "Mark Down Near-Expiry Lots"

    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Price List",
        required=True,
        domain="[('company_id', 'in', (company_id, False))]",
        default=lambda self: self._default_pricelist(),
    )
    date_start = fields.Datetime(string="From", required=True, default=fields.Datetime.now)
    line_ids = fields.One2many("stock.markdown.wizard.line", "wizard_id", string="Lots")

    @api.model
    def _default_pricelist(self):
        return self.env["product.pricelist"].search(
            [("company_id", "in", (self.env.company.id, False))], limit=1
        )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        model, ids = context.get("active_model"), context.get("active_ids") or []
        if model == "stock.expiry.report":
            lots = self.env["stock.expiry.report"].browse(ids).lot_id
        elif model == "stock.lot":
            lots = self.env["stock.lot"].browse(ids)
        else:
            return values
        lots = lots.exists()
        Step = self.env["stock.markdown.step"]
        today = fields.Date.context_today(self)
        values["line_ids"] = [
            Command.create(
                {
                    "lot_id": lot.id,
                    "discount": Step._get_discount(
                        lot.company_id or self.env.company,
                        lot.expiration_date
                        and (fields.Date.context_today(self, lot.expiration_date) - today).days,
                    ),
                }
            )
            for lot in lots
        ]
        return values

    def action_confirm(self):
        self.ensure_one()
        lines = self.line_ids
        if not lines:
            raise UserError(self.env._("Choose the lots to mark down."))
        now = fields.Datetime.now()
        for line in lines:
            lot = line.lot_id
            if not lot.expiration_date:
                raise UserError(
                    self.env._(
                        "Lot %(lot)s has no expiration date to mark it down before.", lot=lot.name
                    )
                )
            if lot.expiration_date <= max(now, self.date_start):
                raise UserError(
                    self.env._(
                        "Lot %(lot)s expires on %(date)s, before the markdown would start: it "
                        "can not be sold any more.",
                        lot=lot.name,
                        date=fields.Date.to_string(lot.expiration_date),
                    )
                )
            if not 0 < line.discount < 100:
                raise UserError(
                    self.env._(
                        "The discount for lot %(lot)s must be between 0 and 100 %%, not "
                        "%(discount)s.",
                        lot=lot.name,
                        discount=f"{line.discount:g}",
                    )
                )
        markdowns = self.env["stock.lot.markdown"]
        for product, product_lines in lines.grouped("product_id").items():
            discounts = set(product_lines.mapped("discount"))
            if len(discounts) > 1:
                raise UserError(
                    self.env._(
                        "A price list rule is per product: give the lots of %(product)s "
                        "one discount (now %(discounts)s).",
                        product=product.display_name,
                        discounts=", ".join(f"{d:g} %" for d in sorted(discounts)),
                    )
                )
            markdowns |= self._mark_down(product, product_lines, discounts.pop())
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "lot_fefo_recall.stock_lot_markdown_action"
        )
        action["domain"] = [("id", "in", markdowns.ids)]
        return action

    def _mark_down(self, product, lines, discount):
        lots = lines.lot_id
        date_end = max(lots.mapped("expiration_date"))
        overlapping = self.env["stock.lot.markdown"].search(
            [
                ("product_id", "=", product.id),
                ("pricelist_id", "=", self.pricelist_id.id),
                ("pricelist_item_id", "!=", False),
                ("date_start", "<", date_end),
                ("date_end", ">", self.date_start),
            ],
            limit=1,
        )
        if overlapping:
            raise UserError(
                self.env._(
                    "%(product)s is already marked down on %(pricelist)s until %(date)s "
                    "(%(markdown)s): end that markdown first.",
                    product=product.display_name,
                    pricelist=self.pricelist_id.display_name,
                    date=fields.Date.to_string(overlapping.date_end),
                    markdown=overlapping.name,
                )
            )
        lot_names = ", ".join(lots.mapped("name"))
        note = self.env._(
            "Near-expiry markdown of %(product)s lots %(lots)s.",
            product=product.display_name,
            lots=lot_names,
        )
        item = self.env["product.pricelist.item"].create(
            {
                "pricelist_id": self.pricelist_id.id,
                "applied_on": "0_product_variant",
                "product_tmpl_id": product.product_tmpl_id.id,
                "product_id": product.id,
                "compute_price": "percentage",
                "percent_price": discount,
                "date_start": self.date_start,
                "date_end": date_end,
            }
        )
        company = lots.company_id[:1] or self.env.company
        quantity = sum(lots.mapped("product_qty"))
        markdown = self.env["stock.lot.markdown"].create(
            {
                "name": self.env._(
                    "%(product)s at -%(discount)s %%",
                    product=product.display_name,
                    discount=f"{discount:g}",
                ),
                "company_id": company.id,
                "product_id": product.id,
                "lot_ids": [Command.set(lots.ids)],
                "pricelist_id": self.pricelist_id.id,
                "pricelist_item_id": item.id,
                "discount": discount,
                "date_start": self.date_start,
                "date_end": date_end,
                "note": note,
                "quantity": quantity,
                "value": quantity * product.with_company(company).standard_price,
            }
        )
        markdown.message_post(body=note, subtype_xmlid="mail.mt_note")
        for lot in lots:
            lot.message_post(
                body=self.env._(
                    "Marked down %(discount)s %% on %(pricelist)s until %(date)s (%(markdown)s).",
                    discount=f"{discount:g}",
                    pricelist=self.pricelist_id.display_name,
                    date=fields.Date.to_string(date_end),
                    markdown=markdown.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return markdown


class StockMarkdownWizardLine(models.TransientModel):
    _name = "stock.markdown.wizard.line"
    _description = "Lot to Mark Down"

    wizard_id = fields.Many2one("stock.markdown.wizard", required=True, ondelete="cascade")
    lot_id = fields.Many2one("stock.lot", required=True)
    product_id = fields.Many2one(related="lot_id.product_id")
    expiration_date = fields.Datetime(related="lot_id.expiration_date")
    quantity = fields.Float(related="lot_id.product_qty")
    discount = fields.Float(string="Discount (%)", digits=(16, 2))
