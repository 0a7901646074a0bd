from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL


class StockQuant(models.Model):
    _name = "stock.quant"
    _inherit = ["stock.quant", "lot_fefo_recall.input.guard"]

    # Stored on the quant, as product_expiry stores expiration_date and removal_date, so
    # that reservation filters on it without joining the lots.
    lot_blocked = fields.Boolean(related="lot_id.is_blocked", store=True, string="Blocked Lot")

    @api.depends("lot_blocked")
    def _compute_available_quantity(self):
        res = super()._compute_available_quantity()
        for quant in self.filtered("lot_blocked"):
            quant.available_quantity = 0
        return res

    def _compute_value(self):
        # Core values a quant at its share of the product's quantity on hand: that share
        # must count set-aside stock, which is on the books though not sellable.
        return super(StockQuant, self.with_context(lot_fefo_count_set_aside=True))._compute_value()

    @api.model
    def _get_removal_strategy(self, product_id, location_id):
        """FEFO for products that use expiration dates, unless their category or a
        location says otherwise."""
        strategy = super()._get_removal_strategy(product_id, location_id)
        if strategy == "fifo" and product_id.sudo().use_expiration_date:
            location = location_id.sudo()
            parents = location.browse(
                [int(loc_id) for loc_id in (location.parent_path or "").split("/") if loc_id]
            )
            if not (product_id.sudo().categ_id.removal_strategy_id or parents.removal_strategy_id):
                return "fefo"
        return strategy

    def _get_gather_domain(
        self, product_id, location_id, lot_id=None, package_id=None, owner_id=None, strict=False
    ):
        domain = super()._get_gather_domain(
            product_id, location_id, lot_id, package_id, owner_id, strict
        )
        extra = self._get_lot_fefo_domain(location_id)
        return Domain.AND([domain, extra]) if extra else domain

    def _get_reserve_quantity(
        self,
        product_id,
        location_id,
        quantity,
        uom_id=None,
        lot_id=None,
        package_id=None,
        owner_id=None,
        strict=False,
    ):
        """Every reservation chooses its quants here, whichever way it came: the lots a
        move picks itself, the lots a previous step brought
        (stock.move._update_reserved_quantity_vals), a quantity typed on a move. The
        context key makes _get_gather_domain leave blocked lots out. Core's
        ``quants_cache`` shortcut in _gather, which skips that domain, only serves the
        quantity updates of stock.move.line._action_done, never a reservation; those
        updates gather without the key, so that stock of a blocked lot still moves.

        For a product whose lots carry dates (_locks_reserved_stock), the stock chosen
        is locked (_lock_stock), after _gather locked, in removal order, the stock that
        covers the need; other products reserve as core does."""
        if product_id.uom_id.compare(quantity, 0) <= 0:
            return super()._get_reserve_quantity(
                product_id, location_id, quantity, uom_id, lot_id, package_id, owner_id, strict
            )
        reserved = super(
            StockQuant, self.with_context(lot_fefo_reserving=True)
        )._get_reserve_quantity(
            product_id, location_id, quantity, uom_id, lot_id, package_id, owner_id, strict
        )
        if self._locks_reserved_stock(product_id):
            # sudo: core chose them as superuser, whoever reserves
            self.sudo().browse([quant.id for quant, _qty in reserved])._lock_stock()
        return reserved

    def _gather(
        self,
        product_id,
        location_id,
        lot_id=None,
        package_id=None,
        owner_id=None,
        strict=False,
        qty=0,
    ):
        """Inside a reservation of a product whose lots carry dates, only the stock the
        reservation takes is locked and offered to it (_lock_stock_to_take): the first
        lots in removal order that cover ``qty``, passing over those another
        transaction is booking right now, as core itself books on a free row. A second
        user reserving another lot of the product then neither waits nor, through
        core's SKIP LOCKED, books on a duplicate quant row."""
        quants = super()._gather(
            product_id,
            location_id,
            lot_id=lot_id,
            package_id=package_id,
            owner_id=owner_id,
            strict=strict,
            qty=qty,
        )
        if (
            self.env.context.get("lot_fefo_reserving")
            and quants
            and product_id.uom_id.compare(qty, 0) > 0
            and self._locks_reserved_stock(product_id)
        ):
            return quants._lock_stock_to_take(product_id, qty)
        return quants

    @api.model
    def _locks_reserved_stock(self, product):
        """Whether reserving ``product`` locks the stock it takes: lot-tracked (lots or
        serial numbers) with expiration dates, the products FEFO serves. Others keep
        core's reservation untouched."""
        product = product.sudo()
        return product.tracking != "none" and product.use_expiration_date

    def _stock_key(self):
        self.ensure_one()
        return (
            self.product_id.id,
            self.location_id.id,
            self.lot_id.id or 0,
            self.package_id.id or 0,
            self.owner_id.id or 0,
        )

    def _stock_keys(self):
        return {quant._stock_key() for quant in self}

    def _lock_stock_to_take(self, product, need):
        """Lock, in the order of these quants (_gather's removal order), whole stocks
        (every row of one product, location, lot, package and owner) until their free
        quantity covers ``need``, passing over a stock of which another transaction
        holds a row; return the quants of the stocks locked, in their order.

        The stocks are locked in batches: as many as the free quantity read says cover
        what is still needed, so usually one query locks the first lot or two, however
        many lots the product has. When what could be locked does not cover the need,
        all these quants are returned: the reservation then takes the stock another
        transaction holds and waits for it (_lock_stock), so that nobody promises a
        scarce lot twice."""
        uom = product.uom_id
        rows_by_key = {}
        for quant in self:
            rows_by_key.setdefault(quant._stock_key(), []).append(quant.id)
        free = dict.fromkeys(rows_by_key, 0.0)
        for quant in self:
            free[quant._stock_key()] += quant.quantity - quant.reserved_quantity
        keys = [key for key in rows_by_key if uom.compare(free[key], 0) > 0]
        taken_ids, covered, index = set(), 0.0, 0
        while index < len(keys) and uom.compare(covered, need) < 0:
            batch, promised = [], covered
            while index < len(keys) and uom.compare(promised, need) < 0:
                batch.append(keys[index])
                promised += free[keys[index]]
                index += 1
            locked = self._lock_rows_skip_locked(
                [quant_id for key in batch for quant_id in rows_by_key[key]]
            )
            for key in batch:
                if locked.issuperset(rows_by_key[key]):
                    taken_ids.update(rows_by_key[key])
                    covered += free[key]
        if uom.compare(covered, need) < 0:
            return self
        return self.filtered(lambda quant: quant.id in taken_ids)

    def _lock_rows_skip_locked(self, quant_ids):
        """Lock the quant rows ``quant_ids`` that no other transaction holds (without
        waiting); return the ids locked. Not logged as a bad query: a serialization
        failure here (a row another transaction changed since this one began) is the
        expected answer to a race, which Odoo retries."""
        self.env.cr.execute(
            SQL(
                "SELECT id FROM stock_quant WHERE id IN %s ORDER BY id "
                "FOR NO KEY UPDATE SKIP LOCKED",
                tuple(quant_ids),
            ),
            log_exceptions=False,
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def _lock_stock(self):
        """Lock every quant row of the stock these quants hold (their product, location,
        lot, package and owner), waiting for whoever holds one, until the transaction
        ends.

        Core books a change of stock on the first row of that stock it can lock and,
        when another transaction holds it, on a new row (_update_available_quantity,
        SKIP LOCKED), merged later by its scheduler. So two users reserving the same lot
        at once would both book it, each having read it free, and together promise more
        than is on hand. Locked here, the second waits for the first; when the first
        changed that stock and committed, PostgreSQL refuses the second with a
        serialization failure, which is not caught: Odoo retries the request (a cron,
        its run), which reads the stock again."""
        keys = self._stock_keys()
        if not keys:
            return
        # One query finds (by the product index) and locks the rows, in id order (fewer
        # deadlocks). Not logged as a bad query: a serialization failure here is the
        # expected answer to a race.
        self.env.cr.execute(
            SQL(
                "SELECT id FROM stock_quant WHERE product_id IN %s AND (product_id, "
                "location_id, COALESCE(lot_id, 0), COALESCE(package_id, 0), "
                "COALESCE(owner_id, 0)) IN %s ORDER BY id FOR NO KEY UPDATE",
                tuple({key[0] for key in keys}),
                tuple(keys),
            ),
            log_exceptions=False,
        )

    def _get_twin_rows(self):
        """Those of these quants that another row of the same stock (product, company,
        location, lot, package, owner) doubles: core books a move on such a new row
        when another transaction holds the first (_update_available_quantity) and
        merges them later in its scheduler (_merge_quants)."""
        if not self:
            return self
        rows = self.env.execute_query(
            SQL(
                """
                SELECT q.id
                  FROM stock_quant q
                 WHERE q.id IN %s
                   AND EXISTS (
                        SELECT 1
                          FROM stock_quant twin
                         WHERE twin.id != q.id
                           AND twin.product_id = q.product_id
                           AND twin.company_id = q.company_id
                           AND twin.location_id = q.location_id
                           AND twin.lot_id IS NOT DISTINCT FROM q.lot_id
                           AND twin.package_id IS NOT DISTINCT FROM q.package_id
                           AND twin.owner_id IS NOT DISTINCT FROM q.owner_id)
                """,
                tuple(self.ids),
            )
        )
        return self.browse(quant_id for (quant_id,) in rows)

    @api.model
    def _get_lot_fefo_domain(self, location):
        """The quants a reservation from ``location`` may take: never a blocked lot nor
        stock set aside under ``location``, and when stock.move reserves for a customer
        with a blocking shelf life rule (``lot_fefo_min_date``), only lots whose date the
        rule measures (``lot_fefo_min_date_field``: ``expiration_date``, stored on the
        quant, or the lot's ``use_date``) is late enough; lots without that date
        qualify. None outside a reservation."""
        if not self.env.context.get("lot_fefo_reserving"):
            return None
        domain = Domain("lot_blocked", "=", False) & self._get_not_set_aside_domain(location)
        min_date = self.env.context.get("lot_fefo_min_date")
        if min_date:
            if self.env.context.get("lot_fefo_min_date_field") == "use_date":
                domain &= (
                    Domain("lot_id", "=", False)
                    | Domain("lot_id.use_date", ">=", min_date)
                    | Domain("lot_id.use_date", "=", False)
                )
            else:
                domain &= Domain("expiration_date", ">=", min_date) | Domain(
                    "expiration_date", "=", False
                )
        return domain

    @api.model
    def _get_not_set_aside_domain(self, location):
        """Quants outside the set-aside locations under ``location``: taking from
        ``location`` never takes what is set aside inside it, while a transfer out of a
        set-aside location itself still can."""
        excluded = self.env["stock.location"]._get_set_aside_excluded(location.ids)
        return Domain("location_id", "not in", excluded.ids) if excluded else Domain.TRUE

    @api.model
    def _get_shippable_domain(self, product, location, ship_date):
        """Quants of ``product`` under ``location`` that may leave on ``ship_date``: not
        blocked, not past their removal date (what product_expiry lets reserve)."""
        return Domain.AND(
            [
                Domain("product_id", "=", product.id),
                Domain("location_id", "child_of", location.id),
                self._get_not_set_aside_domain(location),
                Domain("lot_blocked", "=", False),
                Domain("removal_date", ">=", ship_date) | Domain("removal_date", "=", False),
            ]
        )

    @api.model
    def _get_acceptable_stock(self, requests):
        """The stock that may ship to customers under their shelf life rules, for many
        ``requests`` at once (a quotation's lines, a report's products): one SQL query
        whatever their number and the number of lots.

        :param requests: ``(product, location, date_field, min_date, ship_date)``
            tuples: the stock of ``product`` in the internal locations under
            ``location`` (a warehouse's stock location) that may leave on
            ``ship_date``, as _get_shippable_domain says (not blocked, not set aside
            under ``location``, not past its removal date), from lots whose
            ``date_field`` (``expiration_date`` or ``use_date``: the rule's
            _get_lot_date_field) is ``min_date`` or later, or unknown. No
            ``min_date``: every lot.
        :return: one ``(quantity, earliest, latest)`` per request, in their order: the
            unreserved quantity in the product's unit, and the earliest and latest
            ``date_field`` of the lots with some of it free (None when none has one).
        """
        requests = list(requests)
        if not requests:
            return []
        # Set-aside locations under each location asked for: one look-up per location
        # (a warehouse), not per request.
        Location = self.env["stock.location"]
        excluded = {
            location: Location._get_set_aside_excluded(location.ids).ids
            for location in {request[1] for request in requests}
        }
        rows = []
        for index, (product, location, date_field, min_date, ship_date) in enumerate(requests):
            if date_field not in ("expiration_date", "use_date"):
                raise ValueError(f"no lot date field {date_field!r}")
            rows.append(
                SQL(
                    "(%s, %s, %s, %s, %s::timestamp, %s::timestamp, %s::int[])",
                    index,
                    product.id,
                    location.parent_path,
                    date_field == "use_date",
                    min_date or None,
                    ship_date,
                    excluded[location],
                )
            )
        self.flush_model(
            [
                "product_id",
                "location_id",
                "lot_id",
                "quantity",
                "reserved_quantity",
                "lot_blocked",
                "removal_date",
            ]
        )
        self.env["stock.lot"].flush_model(["expiration_date", "use_date"])
        Location.flush_model(["parent_path", "usage"])
        # Raw SQL: the ORM groups by a field, not by a list of (product, location, date)
        # requests, each with its own minimum.
        result = self.env.execute_query(
            SQL(
                """
                WITH request (idx, product_id, path, use_date, min_date, ship_date, excluded)
                  AS (VALUES %s)
                SELECT request.idx,
                       SUM(quant.quantity - quant.reserved_quantity),
                       MIN(lot_date.value) FILTER (
                           WHERE quant.quantity > quant.reserved_quantity),
                       MAX(lot_date.value) FILTER (
                           WHERE quant.quantity > quant.reserved_quantity)
                  FROM request
                  JOIN stock_quant quant ON quant.product_id = request.product_id
                  JOIN stock_location location ON location.id = quant.location_id
             LEFT JOIN stock_lot lot ON lot.id = quant.lot_id
            CROSS JOIN LATERAL (
                       SELECT CASE WHEN request.use_date THEN lot.use_date
                                   ELSE lot.expiration_date END AS value
                       ) lot_date
                 WHERE location.usage = 'internal'
                   AND location.parent_path LIKE request.path || '%%'
                   AND location.id != ALL(request.excluded)
                   AND quant.lot_blocked IS NOT TRUE
                   AND (quant.removal_date IS NULL OR quant.removal_date >= request.ship_date)
                   AND (request.min_date IS NULL OR lot_date.value IS NULL
                        OR lot_date.value >= request.min_date)
              GROUP BY request.idx
                """,
                SQL(", ").join(rows),
            )
        )
        figures = [(0.0, None, None)] * len(requests)
        for index, quantity, earliest, latest in result:
            figures[index] = (quantity or 0.0, earliest, latest)
        return figures
