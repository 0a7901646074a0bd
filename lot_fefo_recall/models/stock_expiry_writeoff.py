import datetime
from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models

# Quants written off between two commits of the scheduled write-off.
BATCH_SIZE = 500


class StockExpiryWriteoff(models.Model):
    _name = "stock.expiry.writeoff"
    _description = "Expiry Write-off"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"

    name = fields.Char(required=True, readonly=True, default="/", copy=False)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company
    )
    mode = fields.Selection(
        lambda self: self.env["res.company"]._fields["expiry_writeoff_mode"].selection,
        required=True,
        readonly=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Run By", readonly=True, default=lambda self: self.env.user
    )
    line_ids = fields.One2many("stock.expiry.writeoff.line", "writeoff_id", readonly=True)
    total_quantity = fields.Float(compute="_compute_totals", store=True)
    total_value = fields.Float(compute="_compute_totals", store=True)

    @api.depends("line_ids.quantity", "line_ids.value", "line_ids.action")
    def _compute_totals(self):
        for writeoff in self:
            lines = writeoff.line_ids.filtered(lambda line: line.action in ("scrapped", "moved"))
            writeoff.total_quantity = sum(lines.mapped("quantity"))
            writeoff.total_value = sum(lines.mapped("value"))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("stock.expiry.writeoff") or "/"
        return super().create(vals_list)

    @api.model
    def _cron_write_off_expired(self):
        """Daily: write off every company's expired stock, as its settings say. Stops
        when the cron's time is up; the next run carries on where this one stopped."""
        for company in self.env["res.company"].search([]):
            self.with_company(company).with_context(allowed_company_ids=company.ids)._write_off(
                company
            )
            if not self.env["ir.cron"]._commit_progress():
                break

    @api.model
    def _get_expired_quants_domain(self, company, now=None):
        grace = datetime.timedelta(days=company.expiry_writeoff_grace_days)
        expired_locations = (
            self.env["stock.warehouse"]
            .search([("company_id", "=", company.id)])
            .expired_location_id
        )
        return [
            ("company_id", "=", company.id),
            ("location_id.usage", "=", "internal"),
            ("location_id", "not in", expired_locations.ids),
            ("quantity", ">", 0),
            ("lot_id.expiration_date", "<", (now or fields.Datetime.now()) - grace),
        ]

    @api.model
    def _write_off(self, company, commit=True, max_batches=None, batch_size=BATCH_SIZE):
        """Write off the expired quants of ``company`` in batches; return the log (empty
        when there was nothing to do).

        Idempotent: scrapped or moved stock is gone from the domain; reported quants and
        reserved quants already reported are not reported again. With ``commit``, each
        batch is committed through ``ir.cron._commit_progress``, so an interrupted run
        loses nothing and the next run carries on. ``max_batches`` stops early (tests
        use it to simulate an interruption).
        """
        already = self._already_reported(company)
        log = self.browse()
        last_id = 0
        batches = 0
        Quant = self.env["stock.quant"]
        while True:
            # Again for each batch: a run in 'move' mode may create Expired locations.
            domain = self._get_expired_quants_domain(company)
            quants = Quant.search([*domain, ("id", ">", last_id)], order="id", limit=batch_size)
            if not quants:
                break
            last_id = quants[-1].id
            lines = self._write_off_batch(company, quants, already, log)
            if lines and not log:
                log = self.create({"company_id": company.id, "mode": company.expiry_writeoff_mode})
                log.message_post(
                    body=self.env._("Scheduled write-off of expired stock started."),
                    subtype_xmlid="mail.mt_note",
                )
            if lines:
                self.env["stock.expiry.writeoff.line"].create(
                    [dict(line, writeoff_id=log.id) for line in lines]
                )
                self._log_on_lots(log, lines)
            batches += 1
            if commit:
                remaining = Quant.search_count([*domain, ("id", ">", last_id)])
                if not self.env["ir.cron"]._commit_progress(len(quants), remaining=remaining):
                    break
            if max_batches and batches >= max_batches:
                break
        if log:
            log._schedule_responsible_activity()
        return log

    @api.model
    def _already_reported(self, company):
        """(lot, location, quantity, action) already reported: not reported again."""
        lines = self.env["stock.expiry.writeoff.line"].search_fetch(
            [
                ("company_id", "=", company.id),
                ("action", "in", ("reported", "skipped_reserved")),
            ],
            ["lot_id", "location_id", "quantity", "action"],
        )
        return {
            (line.lot_id.id, line.location_id.id, line.quantity, line.action) for line in lines
        }

    @api.model
    def _write_off_batch(self, company, quants, already, log):
        """Line values for one batch of expired quants, after acting on them."""
        lines = []
        reserved = quants.filtered(lambda q: q.product_uom_id.compare(q.reserved_quantity, 0) > 0)
        for quant in reserved:
            line = self._prepare_line_vals(quant, "skipped_reserved")
            if self._is_new(line, already):
                lines.append(line)
        todo = quants - reserved
        mode = company.expiry_writeoff_mode
        if mode == "report":
            for quant in todo:
                line = self._prepare_line_vals(quant, "reported")
                if self._is_new(line, already):
                    lines.append(line)
        elif mode == "scrap":
            lines += self._scrap(todo, log)
        elif mode == "move":
            lines += self._move_to_expired(todo)
        return lines

    @api.model
    def _is_new(self, line, already):
        key = (line["lot_id"], line["location_id"], line["quantity"], line["action"])
        if key in already:
            return False
        already.add(key)
        return True

    @api.model
    def _prepare_line_vals(self, quant, action):
        return {
            "lot_id": quant.lot_id.id,
            "product_id": quant.product_id.id,
            "location_id": quant.location_id.id,
            "quantity": quant.quantity,
            "value": quant.quantity * quant.product_id.standard_price,
            "action": action,
        }

    @api.model
    def _scrap(self, quants, log):
        if not quants:
            return []
        tag = self.env.ref("lot_fefo_recall.scrap_reason_expired")
        scraps = self.env["stock.scrap"].create(
            [
                {
                    "product_id": quant.product_id.id,
                    "product_uom_id": quant.product_id.uom_id.id,
                    "lot_id": quant.lot_id.id,
                    "package_id": quant.package_id.id,
                    "owner_id": quant.owner_id.id,
                    "location_id": quant.location_id.id,
                    "scrap_qty": quant.quantity,
                    "scrap_reason_tag_ids": [fields.Command.set(tag.ids)],
                    "origin": log.name if log else self.env._("Expiry write-off"),
                    "company_id": quant.company_id.id,
                }
                for quant in quants
            ]
        )
        lines = [self._prepare_line_vals(quant, "scrapped") for quant in quants]
        self._validate_scraps(scraps)
        for line, scrap in zip(lines, scraps, strict=True):
            line["scrap_id"] = scrap.id
        return lines

    @api.model
    def _validate_scraps(self, scraps):
        """Validate scrap orders as stock.scrap.do_scrap does, but with one stock move
        creation and one _action_done for the whole batch: do_scrap validates them one by
        one, about three times slower for thousands of expired quants. The moves come
        from core's own _prepare_move_values; no replenishment for expired stock."""
        for scrap in scraps:
            scrap.name = self.env["ir.sequence"].next_by_code("stock.scrap") or scrap.name
        moves = self.env["stock.move"].create([scrap._prepare_move_values() for scrap in scraps])
        moves.with_context(is_scrap=True)._action_done()
        scraps.write({"state": "done", "date_done": fields.Datetime.now()})

    @api.model
    def _move_to_expired(self, quants):
        lines = []
        for warehouse, wh_quants in quants.grouped("warehouse_id").items():
            if not warehouse:
                lines += [self._prepare_line_vals(q, "skipped_no_warehouse") for q in wh_quants]
                continue
            batch = [self._prepare_line_vals(quant, "moved") for quant in wh_quants]
            picking = warehouse._move_quants_aside(
                wh_quants, warehouse._get_expired_location(), self.env._("Expiry write-off")
            )
            for line in batch:
                line["picking_id"] = picking.id
            lines += batch
        return lines

    @api.model
    def _log_on_lots(self, log, lines):
        """A chatter note on each lot, in one batch."""
        labels = dict(
            self.env["stock.expiry.writeoff.line"]
            ._fields["action"]
            ._description_selection(self.env)
        )
        by_lot = defaultdict(list)
        for line in lines:
            by_lot[line["lot_id"]].append(line)
        bodies = {
            lot_id: Markup("%s")
            % self.env._(
                "Expiry write-off %(log)s: %(details)s",
                log=log.name,
                details="; ".join(
                    f"{labels[line['action']]} {line['quantity']:g}" for line in lot_lines
                ),
            )
            for lot_id, lot_lines in by_lot.items()
        }
        self.env["stock.lot"].browse(list(bodies))._message_log_batch(bodies=bodies)

    def _schedule_responsible_activity(self):
        """In report mode, and whenever reserved stock was skipped, the responsible
        gets an activity on the log."""
        self.ensure_one()
        to_review = self.line_ids.filtered(
            lambda line: line.action in ("reported", "skipped_reserved", "skipped_no_warehouse")
        )
        if not to_review:
            return
        responsible = self.company_id.expiry_responsible_id or self.env.ref("base.user_admin")
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("Expired stock to handle"),
            note=self.env._(
                "%(count)s expired stock lines to handle by hand (%(qty)s units).",
                count=len(to_review),
                qty=f"{sum(to_review.mapped('quantity')):g}",
            ),
            user_id=responsible.id,
        )
