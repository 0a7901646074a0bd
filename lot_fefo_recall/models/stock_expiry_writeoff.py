import contextlib
import datetime
import logging
from collections import defaultdict

from markupsafe import Markup
from psycopg2.errors import SerializationFailure

from odoo import api, fields, models
from odoo.tools import SQL

from .cron_batch import get_batch_size
from .stock_recall import OPEN_STATES

_logger = logging.getLogger(__name__)

# Quants written off between two commits of the scheduled write-off, unless the system
# parameter BATCH_SIZE_PARAM says otherwise.
BATCH_SIZE = 500
BATCH_SIZE_PARAM = "lot_fefo_recall.writeoff_batch_size"
# Lines naming stock already reported: not reported again while it stays as it is.
REPORTED_ACTIONS = ("reported", "skipped_reserved", "skipped_recall", "failed")
# Lines of stock left for a person to handle.
TO_REVIEW_ACTIONS = (*REPORTED_ACTIONS, "skipped_no_warehouse")


class StockExpiryWriteoff(models.Model):
    _name = "stock.expiry.writeoff"
    _description = "Expiry Write-off"
    _inherit = ["mail.thread", "mail.activity.mixin", "lot_fefo_recall.input.guard"]
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
        # Before the values are read here: the guard mixin's own create comes later.
        self._check_input_values(vals_list)
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
    def _write_off(self, company, commit=True, max_batches=None, batch_size=None):
        """Write off the expired quants of ``company`` in batches of ``batch_size``
        (by default the system parameter ``lot_fefo_recall.writeoff_batch_size``, else
        BATCH_SIZE); return the log (empty when there was nothing to do).

        Idempotent: scrapped or moved stock is gone from the domain; reported quants and
        reserved quants already reported are not reported again. With ``commit``, each
        batch is committed through ``ir.cron._commit_progress``, so an interrupted run
        loses nothing and the next run carries on. ``max_batches`` stops early (tests
        use it to simulate an interruption).
        """
        batch_size = batch_size or get_batch_size(self.env, BATCH_SIZE_PARAM, BATCH_SIZE)
        self._merge_twin_quants(company)
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
        """(lot, location, quantity, action) already reported: not reported again. A
        quant that failed is not tried again either while it stays as it is: the
        responsible was told to handle it by hand."""
        lines = self.env["stock.expiry.writeoff.line"].search_fetch(
            [
                ("company_id", "=", company.id),
                ("action", "in", REPORTED_ACTIONS),
            ],
            ["lot_id", "location_id", "quantity", "action"],
        )
        return {
            (line.lot_id.id, line.location_id.id, line.quantity, line.action) for line in lines
        }

    @api.model
    def _write_off_batch(self, company, quants, already, log):
        """Line values for one batch of expired quants, after acting on them. Stock
        of a lot in an open recall is evidence: kept and reported, never written off.
        Only the quants written off are locked: a lock on stock a delivery reserved
        would make core book its shipment on a second quant row."""
        lines = []
        # doubled by a row formed since the run merged them: left for the next run
        quants -= quants._get_twin_rows()
        recalls = self._get_open_recalls_by_lot(company, quants.lot_id)
        in_recall = quants.filtered(lambda q: q.lot_id in recalls)
        for quant in in_recall:
            recall = recalls[quant.lot_id]
            line = dict(
                self._prepare_line_vals(quant, "skipped_recall"),
                recall_id=recall.id,
                reason=self.env._("In recall %(recall)s", recall=recall.name),
            )
            if self._is_new(line, already):
                lines.append(line)
        reserved = (quants - in_recall).filtered(
            lambda q: q.product_uom_id.compare(q.reserved_quantity, 0) > 0
        )
        for quant in reserved:
            line = self._prepare_line_vals(quant, "skipped_reserved")
            if self._is_new(line, already):
                lines.append(line)
        todo = (quants - in_recall - reserved).filtered(
            lambda q: self._line_key(self._prepare_line_vals(q, "failed")) not in already
        )
        mode = company.expiry_writeoff_mode
        if mode == "report":
            for quant in todo:
                line = self._prepare_line_vals(quant, "reported")
                if self._is_new(line, already):
                    lines.append(line)
        elif mode == "scrap":
            todo = self._lock_quants(todo)
            lines += self._act_apart(todo, lambda quants: self._scrap(quants, log))
        elif mode == "move":
            lines += self._act_apart(self._lock_quants(todo), self._move_to_expired)
        return lines

    @api.model
    def _merge_twin_quants(self, company):
        """Merge the quant rows that book the same expired stock twice. When another
        transaction holds a quant, core books a move on a new row of the same product,
        lot, location, package and owner (stock.quant._update_available_quantity), and
        merges such twins later in its scheduler: until then the stock there is their
        sum (a row may be negative, or only reserved), and writing off one row would
        take stock already shipped or promised."""
        quants = self.env["stock.quant"].search(self._get_expired_quants_domain(company))
        if quants:
            quants.flush_model()
            quants._merge_quants()

    @api.model
    def _lock_quants(self, quants):
        """Those of ``quants`` this run may write off, locked until it commits. A quant
        another transaction holds (reserving or shipping it) is left for the next run
        rather than waited for or written off under that transaction's feet; so is one
        another transaction changed since this one began (REPEATABLE READ can not lock
        it). So what this transaction read of a quant it locks (nothing reserved) is
        still true."""
        if not quants:
            return quants
        query = "SELECT id FROM stock_quant WHERE id IN %s FOR UPDATE SKIP LOCKED"
        try:
            with self.env.cr.savepoint(flush=False):
                rows = self.env.execute_query(SQL(query, tuple(quants.ids)))
        except SerializationFailure:
            rows = []
            for quant_id in quants.ids:
                with (
                    contextlib.suppress(SerializationFailure),
                    self.env.cr.savepoint(flush=False),
                ):
                    rows += self.env.execute_query(SQL(query, (quant_id,)))
        locked = {quant_id for (quant_id,) in rows}
        return quants.filtered(lambda quant: quant.id in locked)

    @api.model
    def _get_open_recalls_by_lot(self, company, lots):
        """``{lot: recall}`` for those of ``lots`` that a real recall of ``company``, still
        open, names or traced."""
        if not lots:
            return {}
        recalls = self.env["stock.recall"].search(
            [
                ("company_id", "=", company.id),
                ("is_mock", "=", False),
                ("state", "in", OPEN_STATES),
                "|",
                ("lot_ids", "in", lots.ids),
                ("affected_lot_ids", "in", lots.ids),
            ],
            order="id",
        )
        return {
            lot: recall
            for recall in recalls
            for lot in (recall.lot_ids | recall.affected_lot_ids) & lots
        }

    @api.model
    def _act_apart(self, quants, act):
        """Line values of ``act(quants)`` (scrap or move them): the whole batch at once,
        the fast way; if that fails, quant by quant, so that a quant that can not be
        written off is logged as failed and the others are written off."""
        if len(quants) > 1:
            try:
                with self.env.cr.savepoint():
                    return act(quants)
            # Whatever one quant raises must not stop the others: found out one by one.
            except Exception:  # pylint: disable=broad-exception-caught
                _logger.info("Expiry write-off: a batch failed, retried quant by quant")
        lines = []
        for quant in quants:
            try:
                with self.env.cr.savepoint():
                    lines += act(quant)
            except Exception as error:  # pylint: disable=broad-exception-caught
                _logger.warning(
                    "Expiry write-off of %s, lot %s in %s failed",
                    quant.product_id.display_name,
                    quant.lot_id.name,
                    quant.location_id.complete_name,
                    exc_info=True,
                )
                lines.append(dict(self._prepare_line_vals(quant, "failed"), reason=str(error)))
        return lines

    @api.model
    def _line_key(self, line):
        return (line["lot_id"], line["location_id"], line["quantity"], line["action"])

    @api.model
    def _is_new(self, line, already):
        key = self._line_key(line)
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
        scraps._check_company()
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
        to_review = self.line_ids.filtered(lambda line: line.action in TO_REVIEW_ACTIONS)
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
