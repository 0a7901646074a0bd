import datetime

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.input_guard import shorten


class StockReceiptScanWizard(models.TransientModel):
    """Receive cartons by scanning their GS1 barcodes: each scan fills one line of the
    receipt (product by GTIN, vendor lot, dates, quantity) in one server call."""

    _name = "stock.receipt.scan.wizard"
    _description = "Scan GS1 barcodes into a receipt"
    _inherit = ["lot_fefo_recall.input.guard"]
    _check_company_auto = True

    picking_id = fields.Many2one(
        "stock.picking",
        string="Receipt",
        required=True,
        readonly=True,
        check_company=True,
        help="The receipt the scanned cartons fill.",
    )
    company_id = fields.Many2one(related="picking_id.company_id", help="The receipt's company.")
    scan = fields.Char(
        help="Scan a carton's GS1 barcode here (or paste its printed text, e.g. "
        "(01)09501101530003(17)261231(10)AB-12, or a GS1 Digital Link): Enter fills the "
        "receipt line.",
    )
    scan_log = fields.Text(
        string="Filled",
        readonly=True,
        help="What each scan of this session filled, the latest first.",
    )

    @api.onchange("scan")
    def _onchange_scan(self):
        # A keyboard-wedge scanner types the code and Enter, which commits the field:
        # this one call parses the scan and fills the receipt.
        if not self.scan:
            return
        summary = self._apply_scan(self.picking_id._origin, self.scan)
        self.scan_log = "\n".join(filter(None, [summary, self.scan_log]))
        self.scan = False

    def action_scan(self):
        """Fill the receipt from the scan typed in (the same as pressing Enter)."""
        self.ensure_one()
        if not (self.scan or "").strip():
            raise UserError(self.env._("Scan a carton's GS1 barcode first."))
        summary = self._apply_scan(self.picking_id, self.scan)
        self.write({"scan": False, "scan_log": "\n".join(filter(None, [summary, self.scan_log]))})
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Scan Cartons"),
        }

    def action_done(self):
        """Close the dialog; the receipt shows the filled lines."""
        return {"type": "ir.actions.act_window_close"}

    # ------------------------------------------------------------------ filling

    @api.model
    def _apply_scan(self, picking, text):
        """Parse the GS1 string ``text`` and fill a line of ``picking`` from it; return
        a one-line summary of what was filled. Raises UserError, writing nothing, for a
        scan that can not be received."""
        if len(picking) != 1:
            raise UserError(self.env._("Open the scan from the receipt the cartons fill."))
        picking.check_access("write")
        if picking.picking_type_code != "incoming" or picking.state in ("done", "cancel"):
            raise UserError(
                self.env._(
                    "%(picking)s is not a receipt waiting for goods: scans can not fill it.",
                    picking=picking.name,
                )
            )
        values = self.env["lot_fefo_recall.gs1"].parse(text)
        gtin = values.get("gtin") or (values.get("ais") or {}).get("02")
        if not gtin:
            raise UserError(
                self.env._(
                    "The scan %(scan)s carries no GTIN (AI 01): scan the carton's barcode "
                    "that holds the product.",
                    scan=shorten(text),
                )
            )
        product, package_qty = self._find_product_by_gtin(gtin, picking.company_id)
        moves = picking.move_ids.filtered(
            lambda m: m.product_id == product and m.state not in ("done", "cancel")
        )
        if not moves:
            raise UserError(
                self.env._(
                    "%(product)s (GTIN %(gtin)s) is not on the receipt %(picking)s: set "
                    "this carton aside, or add the product to the receipt first.",
                    product=product.display_name,
                    gtin=gtin,
                    picking=picking.name,
                )
            )
        move = moves[0]
        vendor_lot = values.get("lot") or False
        self._check_blocked_vendor_lot(product, vendor_lot, picking.company_id)
        quantity = values.get("quantity") or package_qty
        if quantity <= 0:
            raise UserError(self.env._("The scan %(scan)s gives no quantity.", scan=shorten(text)))
        warehouse = picking.picking_type_id.warehouse_id
        expiry_day = values.get("expiry") or values.get("best_before")
        vals = {
            "quantity": product.uom_id._compute_quantity(quantity, move.product_uom),
            "picked": True,
            "supplier_lot_name": vendor_lot,
        }
        if values.get("production"):
            vals["production_date"] = values["production"]
        if expiry_day:
            vals["expiration_date"] = self._day_start_utc(expiry_day, warehouse)
        if values.get("serial") and product.tracking == "serial":
            vals["lot_name"] = values["serial"]
        with self.env.cr.savepoint():
            if picking.state == "draft":
                # A draft receipt gets its detailed operations as it is marked to do.
                picking.action_confirm()
                move = (
                    move.exists()
                    or picking.move_ids.filtered(
                        lambda m: m.product_id == product and m.state not in ("done", "cancel")
                    )[:1]
                )
            line = self._fill_move_line(move, vals)
            if (
                product.tracking != "none"
                and picking.picking_type_id.use_create_lots
                and not line.lot_id
                and not line.lot_name
            ):
                self._set_lot_name(line)
            # The printed expiry wins over the one computed from the production date.
            if "expiration_date" in vals and line.expiration_date != vals["expiration_date"]:
                line.expiration_date = vals["expiration_date"]
            problems = [
                problem["message"] for problem in picking._get_receipt_shelf_life_problems(line)
            ]
            if problems and not picking._lot_check_override_allowed():
                raise UserError(
                    self.env._(
                        "Vendor lot %(vendor_lot)s: %(problems)s\nThe carton was not received: "
                        "refuse it, or enter it by hand in the detailed operations for a "
                        "quality manager to accept at validation.",
                        vendor_lot=vendor_lot or "-",
                        problems="\n".join(problems),
                    )
                )
        return self.env._(
            "%(qty)s %(uom)s %(product)s, vendor lot %(vendor_lot)s, lot %(lot)s, "
            "expires %(expiry)s",
            qty=f"{line.quantity:g}",
            uom=line.product_uom_id.name,
            product=product.display_name,
            vendor_lot=line.supplier_lot_name or "-",
            lot=line.lot_id.name or line.lot_name or "-",
            expiry=fields.Date.to_string(expiry_day) if expiry_day else "-",
        )

    @api.model
    def _find_product_by_gtin(self, gtin, company):
        """``(product, quantity)`` for the 14-digit ``gtin``: the product whose GTIN it
        is, one unit; or the product of the packaging whose barcode it is, and the
        packaging's content in the product's unit."""
        # The same GTIN printed as GTIN-13, -12 or -8 (leading zeros dropped).
        codes = [gtin] + [gtin[n:] for n in (1, 2, 6) if set(gtin[:n]) == {"0"}]
        Product = self.env["product.product"].with_company(company)
        domain = ["|", ("gs1_gtin", "in", codes), ("barcode", "in", codes)]
        products = Product.search(domain).filtered(lambda p: p._get_gs1_gtin() == gtin)
        if products:
            return products[0], 1.0
        packaging = self.env["product.uom"].search(
            [("barcode", "in", codes), ("company_id", "in", [False, company.id])], limit=1
        )
        if packaging:
            product = packaging.product_id
            return product, packaging.uom_id._compute_quantity(1.0, product.uom_id)
        raise UserError(
            self.env._(
                "No product or packaging has the GTIN %(gtin)s. Set it as the product's "
                "GTIN or barcode, or as a packaging barcode, then scan again.",
                gtin=gtin,
            )
        )

    @api.model
    def _check_blocked_vendor_lot(self, product, vendor_lot, company):
        if not vendor_lot:
            return
        blocked = self.env["stock.lot"].search(
            [
                ("product_id", "=", product.id),
                ("supplier_lot_name", "=", vendor_lot),
                ("is_blocked", "=", True),
                ("company_id", "in", [False, company.id]),
            ],
            limit=1,
        )
        if blocked:
            raise UserError(
                self.env._(
                    "Vendor lot %(vendor_lot)s of %(product)s is blocked (our lot %(lot)s): "
                    "the carton can not be received. Set it aside and tell quality.",
                    vendor_lot=vendor_lot,
                    product=product.display_name,
                    lot=blocked.name,
                )
            )

    @api.model
    def _day_start_utc(self, day, warehouse):
        """The start of ``day`` where the warehouse is, as a UTC datetime (the way the
        add-on turns printed dates into expiration dates)."""
        tz = self.env["stock.shelf.life.rule"]._get_day_tz(warehouse)
        local = tz.localize(datetime.datetime.combine(day, datetime.time.min))
        return local.astimezone(pytz.UTC).replace(tzinfo=None)

    @api.model
    def _fill_move_line(self, move, vals):
        """Add to the line already holding this vendor lot and dates, else fill the
        move's next empty detailed operation, else add a line."""
        lines = move.move_line_ids.filtered(lambda ml: ml.state not in ("done", "cancel"))
        same = lines.filtered(
            lambda ml: (
                ml.picked
                and ml.supplier_lot_name == vals["supplier_lot_name"]
                and ml.expiration_date == vals.get("expiration_date", ml.expiration_date)
                and ml.production_date == vals.get("production_date", ml.production_date)
                and not vals.get("lot_name")
            )
        )
        if same and vals["supplier_lot_name"]:
            same[0].quantity += vals["quantity"]
            return same[0]
        empty = lines.filtered(
            lambda ml: (
                not ml.picked and not ml.lot_id and not ml.lot_name and not ml.supplier_lot_name
            )
        )
        if empty:
            empty[0].write(vals)
            return empty[0]
        return self.env["stock.move.line"].create(
            dict(
                vals,
                move_id=move.id,
                picking_id=move.picking_id.id,
                product_id=move.product_id.id,
                product_uom_id=move.product_uom.id,
                location_id=move.location_id.id,
                location_dest_id=move.location_dest_id.id,
                company_id=move.company_id.id,
            )
        )

    @api.model
    def _set_lot_name(self, line):
        """The internal lot of this vendor lot and expiry on the receipt when another
        line has it already, else a new one from the lot number pattern."""
        sibling = line.picking_id.move_line_ids.filtered(
            lambda ml: (
                ml != line
                and ml.product_id == line.product_id
                and ml.lot_name
                and not ml.lot_id
                and (ml.supplier_lot_name or "") == (line.supplier_lot_name or "")
                and ml.expiration_date == line.expiration_date
            )
        )
        if sibling:
            line.lot_name = sibling[0].lot_name
        else:
            line._assign_generated_lot_names()
