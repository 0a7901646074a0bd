"""The add-on's promises as checks (issue 19 item 9, the README's design notes).

Each ``check_*`` function takes the environment and the ``world`` (the products,
warehouses and customers a test built; see ``InvariantWorld``) and raises
AssertionError naming the lot, location and figures that break the promise. The random
test (test_invariants_random.py) calls them after every step; any other test may.

Two promises are about a step rather than a state: (a) what left while a lot was blocked
and (d) that an internal move keeps the value. Their checks take what the previous call
returned (``Snapshot``) and return the snapshot to pass next time.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from odoo import fields

# Where a blocked lot must never go without a recorded override (item 1): a customer,
# production, or transit to another warehouse or company. Scrap, the vendor and
# set-aside locations stay open for it.
LEAK_USAGES = ("customer", "production", "transit")


@dataclass
class InvariantWorld:
    """What the checks look at: ``products`` (lot-tracked, the ones the test moves),
    ``warehouses``, ``partners_by_rule`` (customers with a shelf life rule, to check
    acceptable quantities), the ``company``; ``bad_letter_partners`` are customers whose
    letters the test makes fail on purpose."""

    env: object
    company: object
    products: object
    warehouses: object
    rule_partners: object = None
    bad_letter_partners: object = None


@dataclass
class Snapshot:
    """What a step-checking invariant saw after the previous step."""

    done_line_ids: set = field(default_factory=set)
    blocked_lot_ids: set = field(default_factory=set)
    values: dict = field(default_factory=dict)


def _round(product, quantity):
    return product.uom_id.round(quantity)


def _differ(product, first, second):
    return product.uom_id.compare(first, second) != 0


def _lots(env, world):
    return env["stock.lot"].search([("product_id", "in", world.products.ids)], order="id")


def _internal_quants(env, world, extra=None):
    domain = [("product_id", "in", world.products.ids), ("location_id.usage", "=", "internal")]
    return env["stock.quant"].search(domain + (extra or []), order="id")


def _set_aside_locations(env):
    return (
        env["stock.location"].with_context(active_test=False).search([("is_set_aside", "=", True)])
    )


def _sellable(env, quants):
    """Quants in sellable stock: not in (or under) a set-aside location."""
    aside = _set_aside_locations(env)
    if not aside:
        return quants
    aside = (
        env["stock.location"]
        .with_context(active_test=False)
        .search([("id", "child_of", aside.ids)])
    )
    return quants.filtered(lambda q: q.location_id not in aside)


# ---------------------------------------------------------------------------------- (a)


def snapshot_leaks(env, world):
    """The starting point of check_no_blocked_lot_leaves."""
    lines = env["stock.move.line"].search(
        [("product_id", "in", world.products.ids), ("state", "=", "done")]
    )
    return Snapshot(
        done_line_ids=set(lines.ids),
        blocked_lot_ids=set(_lots(env, world).filtered("is_blocked").ids),
    )


def check_no_blocked_lot_leaves(env, world, before):
    """(a) No blocked or recalled lot reaches a customer, production or transit: a move
    line done since ``before`` of a lot blocked then (and still) to such a location is a
    leak. Returns the next snapshot. (The tests that call it never record an override.)
    """
    after = snapshot_leaks(env, world)
    new_lines = env["stock.move.line"].browse(sorted(after.done_line_ids - before.done_line_ids))
    leaks = new_lines.filtered(
        lambda ml: (
            ml.lot_id.id in before.blocked_lot_ids
            and ml.lot_id.id in after.blocked_lot_ids
            and ml.location_dest_id.usage in LEAK_USAGES
        )
    )
    assert not leaks, "Blocked lots left stock: " + "; ".join(
        f"{ml.product_id.display_name} lot {ml.lot_id.name} ({ml.lot_id.block_reason}): "
        f"{ml.quantity:g} from {ml.location_id.complete_name} to "
        f"{ml.location_dest_id.complete_name} ({ml.location_dest_id.usage}) by "
        f"{ml.reference or ml.move_id.reference}"
        for ml in leaks
    )
    return after


# ---------------------------------------------------------------------------------- (b)


def check_quants_match_moves(env, world):
    """(b) Per product, lot and internal or transit location, the quants hold the done
    move lines in minus out; reserved is between 0 and the quantity; no negative quant
    in an internal location (the tests never allow one)."""
    Line = env["stock.move.line"]
    inflow = Line._read_group(
        [("product_id", "in", world.products.ids), ("state", "=", "done")],
        ["product_id", "lot_id", "location_dest_id"],
        ["quantity_product_uom:sum"],
    )
    outflow = Line._read_group(
        [("product_id", "in", world.products.ids), ("state", "=", "done")],
        ["product_id", "lot_id", "location_id"],
        ["quantity_product_uom:sum"],
    )
    expected = defaultdict(float)
    for product, lot, location, quantity in inflow:
        if location.usage in ("internal", "transit"):
            expected[(product, lot, location)] += quantity
    for product, lot, location, quantity in outflow:
        if location.usage in ("internal", "transit"):
            expected[(product, lot, location)] -= quantity
    held = defaultdict(float)
    quants = env["stock.quant"].search(
        [
            ("product_id", "in", world.products.ids),
            ("location_id.usage", "in", ("internal", "transit")),
        ]
    )
    for quant in quants:
        held[(quant.product_id, quant.lot_id, quant.location_id)] += quant.quantity
        product = quant.product_id
        where = (
            f"{product.display_name} lot {quant.lot_id.name} in {quant.location_id.complete_name}"
        )
        assert product.uom_id.compare(quant.reserved_quantity, 0) >= 0, (
            f"{where}: reserved {quant.reserved_quantity:g} is negative"
        )
        if quant.location_id.usage == "internal":
            assert product.uom_id.compare(quant.quantity, 0) >= 0, (
                f"{where}: negative quant {quant.quantity:g}"
            )
            assert product.uom_id.compare(quant.reserved_quantity, quant.quantity) <= 0, (
                f"{where}: reserved {quant.reserved_quantity:g} > quantity {quant.quantity:g}"
            )
    for key in set(expected) | set(held):
        product, lot, location = key
        assert not _differ(product, expected[key], held[key]), (
            f"{product.display_name} lot {lot.name} in {location.complete_name}: quants hold "
            f"{held[key]:g}, done moves in minus out give {expected[key]:g}"
        )


# ---------------------------------------------------------------------------------- (c)


def check_quantities_agree(env, world):
    """(c) Sellable on hand, free, forecast and acceptable quantities agree with the
    quants and with each other, per product and warehouse:

    - on hand = the quants in the warehouse's internal locations outside set-aside ones;
    - free = on hand less reserved, of lots not blocked and not past their removal date
      (as product_expiry counts it); never negative;
    - forecast = on hand + incoming - outgoing - expired unreserved stock;
    - acceptable to a customer without rule = free stock of the warehouse stock not
      blocked, set aside nor past its removal date (now: product_expiry's free quantity
      counts the whole day, so the two may differ by what expires later today);
      acceptable under a rule never more than without.
    """
    now = fields.Datetime.now()
    # product_expiry leaves out of free and forecast the unreserved stock whose removal
    # date is today or earlier: its domain compares the datetime with today's date,
    # which the ORM reads as "before tomorrow midnight"
    tomorrow = fields.Datetime.to_datetime(fields.Date.today()) + timedelta(days=1)
    for warehouse in world.warehouses:
        in_warehouse = _internal_quants(
            env, world, [("location_id", "child_of", warehouse.view_location_id.id)]
        )
        sellable = _sellable(env, in_warehouse)
        products = world.products.with_context(warehouse_id=warehouse.id)
        pending = env["stock.move"].search_count(
            [
                ("product_id", "in", world.products.ids),
                ("state", "not in", ("draft", "done", "cancel")),
            ]
        )
        for product in products:
            mine = sellable.filtered(lambda q, p=product: q.product_id == p)
            expired = mine.filtered(lambda q: q.removal_date and q.removal_date < tomorrow)
            on_hand = _round(product, sum(mine.mapped("quantity")))
            free = _round(
                product,
                sum(
                    q.quantity - q.reserved_quantity
                    for q in mine - expired
                    if not q.lot_id.is_blocked
                ),
            )
            expired_free = _round(product, sum(q.quantity - q.reserved_quantity for q in expired))
            where = f"{product.display_name} in {warehouse.name}"
            assert not _differ(product, product.qty_available, on_hand), (
                f"{where}: on hand {product.qty_available:g}, sellable quants hold {on_hand:g}"
            )
            assert not _differ(product, product.free_qty, free), (
                f"{where}: free {product.free_qty:g}, sellable quants not blocked, not "
                f"expired and not reserved hold {free:g} (on hand {on_hand:g})"
            )
            assert product.uom_id.compare(product.free_qty, 0) >= 0, (
                f"{where}: free quantity {product.free_qty:g} is negative"
            )
            forecast = (
                product.qty_available + product.incoming_qty - product.outgoing_qty - expired_free
            )
            assert not _differ(product, product.virtual_available, forecast), (
                f"{where}: forecast {product.virtual_available:g} is not on hand "
                f"{product.qty_available:g} + incoming {product.incoming_qty:g} - outgoing "
                f"{product.outgoing_qty:g} - expired {expired_free:g}"
            )
            if not pending:
                assert not _differ(product, product.virtual_available, on_hand - expired_free), (
                    f"{where}: nothing pending, forecast {product.virtual_available:g} but "
                    f"on hand {on_hand:g} less expired {expired_free:g}"
                )
            _check_acceptable(env, world, warehouse, product, now)


def _check_acceptable(env, world, warehouse, product, now):
    in_stock = _sellable(
        env,
        _internal_quants(
            env,
            world,
            [
                ("product_id", "=", product.id),
                ("location_id", "child_of", warehouse.lot_stock_id.id),
            ],
        ),
    )
    shippable = in_stock.filtered(
        lambda q: not q.lot_id.is_blocked and (not q.removal_date or q.removal_date >= now)
    )
    expected = _round(product, sum(q.quantity - q.reserved_quantity for q in shippable))
    context = {"warehouse_id": warehouse.id, "shelf_life_date": now}
    acceptable = product.with_context(**context).shelf_life_acceptable_qty
    where = f"{product.display_name} in {warehouse.name}"
    assert not _differ(product, acceptable, expected), (
        f"{where}: acceptable to a customer without rule {acceptable:g}, shippable free "
        f"stock {expected:g}"
    )
    for partner in world.rule_partners or ():
        ruled = product.with_context(shelf_life_partner_id=partner.id, **context)
        assert product.uom_id.compare(ruled.shelf_life_acceptable_qty, acceptable) <= 0, (
            f"{where}: acceptable to {partner.name} {ruled.shelf_life_acceptable_qty:g} is "
            f"more than to a customer without rule {acceptable:g}"
        )


# ---------------------------------------------------------------------------------- (d)


def snapshot_values(env, world):
    """Inventory value per product and per lot (lot-valued products), as the books show
    it: what check_internal_moves_keep_value compares."""
    values = {}
    products = world.products.filtered("lot_valuated")
    for product in world.products.with_context(warehouse_id=False):
        values[("product", product.id)] = product.total_value
    for lot in _lots(env, world).filtered(lambda lot: lot.product_id in products):
        values[("lot", lot.id)] = lot.total_value
    return Snapshot(values=values)


def check_value_matches_quants(env, world):
    """(d) The books count every unit on hand, set aside or not: a lot of a lot-valued
    product at standard cost is worth its cost times its quantity in internal
    locations; a lot-valued product is worth the sum of its lots."""
    currency = world.company.currency_id
    for product in world.products.filtered("lot_valuated"):
        lots = _lots(env, world).filtered(lambda lot, p=product: lot.product_id == p)
        if product.cost_method == "standard":
            for lot in lots:
                quantity = sum(
                    _internal_quants(env, world, [("lot_id", "=", lot.id)]).mapped("quantity")
                )
                expected = lot.standard_price * quantity
                assert currency.compare_amounts(lot.total_value, expected) == 0, (
                    f"{product.display_name} lot {lot.name}: value {lot.total_value:.2f}, "
                    f"{quantity:g} units in internal locations at {lot.standard_price:.2f} "
                    f"give {expected:.2f}"
                )
        total = sum(lots.mapped("total_value"))
        assert currency.compare_amounts(product.total_value, total) == 0, (
            f"{product.display_name}: value {product.total_value:.2f}, its lots {total:.2f}"
        )


def check_internal_moves_keep_value(env, world, before, internal_only):
    """(d) A step that only moved stock between internal locations (quarantine, the
    write-off's move to Expired, an internal transfer) leaves every product's and lot's
    value as it was. Returns the next snapshot."""
    after = snapshot_values(env, world)
    if not internal_only:
        return after
    currency = world.company.currency_id
    changed = [
        (key, before.values.get(key, 0.0), value)
        for key, value in after.values.items()
        if currency.compare_amounts(before.values.get(key, 0.0), value) != 0
    ]
    assert not changed, "An internal move changed the inventory value: " + "; ".join(
        f"{_describe(env, key)} {old:.2f} -> {new:.2f}" for key, old, new in changed
    )
    return after


def _describe(env, key):
    kind, record_id = key
    if kind == "product":
        return env["product.product"].browse(record_id).display_name
    lot = env["stock.lot"].browse(record_id)
    return f"{lot.product_id.display_name} lot {lot.name}"


# ---------------------------------------------------------------------------------- (e)


def check_deliveries_respect_rules(env, world, new_line_ids):
    """(e) A customer delivery line done in this step respects its customer's shelf life
    rule at shipping, unless the rule only warns and the delivery is flagged, or a sales
    manager lifted it on the sale order line."""
    lines = (
        env["stock.move.line"]
        .browse(sorted(new_line_ids))
        .filtered(lambda ml: ml.lot_id and ml.location_dest_id.usage == "customer")
    )
    for line in lines:
        move = line.move_id
        rule, min_date = move._get_shelf_life_rule_minimum()
        if not rule or not min_date:
            continue
        lot_date = line.lot_id[rule._get_lot_date_field()]
        if not lot_date or lot_date >= min_date:
            continue
        if move._get_shelf_life_sale_line().shelf_life_override:
            continue
        chain = line.picking_id._get_shelf_life_chain() if line.picking_id else line.picking_id
        flagged = rule.strictness == "warn" and (
            any(chain.mapped("shelf_life_warning")) or move.shelf_life_warning_note
        )
        assert flagged, (
            f"{line.product_id.display_name} lot {line.lot_id.name} ({lot_date}) shipped to "
            f"{line.picking_partner_id.name or move.partner_id.name} by {line.reference}: "
            f"its {rule.strictness} rule asks {min_date} or later"
            + ("" if rule.strictness == "block" else ", and the delivery is not flagged")
        )


# ---------------------------------------------------------------------------------- (f)


def check_recall_effectiveness(env, world):
    """(f) Recall effectiveness is within 0-100 % per product (in its own unit) and
    for the recall; what is accounted for never exceeds what is affected."""
    for line in env["stock.recall.product"].search([]):
        name = f"{line.recall_id.name} {line.product_id.display_name}"
        assert 0.0 <= line.effectiveness <= 100.0, (
            f"{name}: effectiveness {line.effectiveness:.1f} %"
        )
        assert line.uom_id.compare(line.corrected_qty, line.affected_qty) <= 0, (
            f"{name}: accounted for {line.corrected_qty:g} > affected {line.affected_qty:g}"
        )
    for recall in env["stock.recall"].search([]):
        assert 0.0 <= recall.effectiveness <= 100.0, (
            f"{recall.name}: effectiveness {recall.effectiveness:.1f} %"
        )


# ---------------------------------------------------------------------------------- (g)


def check_letters_mailed_once(env, world):
    """(g) A customer marked notified got exactly one letter email, one not notified
    none (the follow-up cron, which mails reminders to the same customers, is not part
    of the random days)."""
    Mail = env["mail.mail"].sudo()
    for customer in env["stock.recall.customer"].search([("letter_queued_on", "!=", False)]):
        mails = Mail.search_count(
            [("model", "=", "stock.recall.customer"), ("res_id", "=", customer.id)]
        )
        expected = 1 if customer.notified_on else 0
        assert mails == expected, (
            f"{customer.recall_id.name}: {customer.partner_id.name} got {mails} letters "
            f"(notified: {customer.notified_on or 'no'})"
        )


def check_queued_letters_sent(env, world):
    """(g), after the letters cron ran: every letter queued for a customer with an email
    is mailed, except those of a recall whose letter run the test made fail."""
    bad = world.bad_letter_partners or env["res.partner"]
    waiting = env["stock.recall.customer"].search(
        env["stock.recall.customer"]._letters_to_send_domain()
    )
    failing_recalls = waiting.filtered(lambda c: c.partner_id in bad).recall_id
    stuck = waiting.filtered(lambda c: c.partner_id.email and c.recall_id not in failing_recalls)
    assert not stuck, "Queued letters not mailed: " + ", ".join(
        f"{c.recall_id.name} to {c.partner_id.name}" for c in stuck
    )


def check_state(env, world):
    """Every invariant that looks at a state only. The figures are read afresh, as a
    new request reads them (non-stored computed quantities stay cached otherwise)."""
    env.invalidate_all()
    check_quants_match_moves(env, world)
    check_quantities_agree(env, world)
    check_value_matches_quants(env, world)
    check_recall_effectiveness(env, world)
    check_letters_mailed_once(env, world)
