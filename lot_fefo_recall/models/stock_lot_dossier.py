from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

# The trace events the dossier draws; stock on hand has its own table.
_GRAPH_EVENTS = ("receipt", "produced", "consumed", "delivery", "return")


class StockLot(models.Model):
    _inherit = "stock.lot"  # pylint: disable=consider-merging-classes-inherited

    def action_open_dossier(self):
        """The lot's dossier: its register facts, stock and genealogy on one page."""
        self.ensure_one()
        return {
            "type": "ir.actions.client",
            "tag": "lot_fefo_recall.lot_dossier",
            "name": self.env._("Dossier %(lot)s", lot=self.name),
            "params": {"lot_id": self.id},
            "context": {"active_id": self.id, "active_model": "stock.lot"},
        }

    def action_dossier_recall(self):
        """The recall wizard, prefilled with this lot."""
        self.ensure_one()
        self.check_access("read")
        self.env.user._check_lot_quality_manager(
            self.env._("Only quality managers launch the recall of lot %(lot)s.", lot=self.name)
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "lot_fefo_recall.stock_recall_wizard_action"
        )
        action["context"] = {
            "active_model": "stock.lot",
            "active_ids": self.ids,
            "active_id": self.id,
            "default_company_id": (self.company_id or self.env.company).id,
        }
        return action

    def action_dossier_block(self, reason=None):
        """Block the lot from the dossier, with the reason the quality manager gives."""
        self.ensure_one()
        reason = self._check_dossier_block(reason, block=True)
        self.write({"is_blocked": True, "block_reason": reason})
        self.message_post(
            body=self.env._("Blocked from the lot dossier: %(reason)s", reason=reason),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def action_dossier_unblock(self, reason=None):
        """Release the lot from the dossier, saying why."""
        self.ensure_one()
        reason = self._check_dossier_block(reason, block=False)
        self.write({"is_blocked": False, "block_reason": False})
        self.message_post(
            body=self.env._("Unblocked from the lot dossier: %(reason)s", reason=reason),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def action_dossier_print_labels(self):
        """The lot's GS1 labels."""
        self.ensure_one()
        self.check_access("read")
        return self.env.ref("lot_fefo_recall.action_report_stock_lot_gs1_label").report_action(
            self
        )

    def action_dossier_export(self):
        """The lot's history as an EPCIS document (quality managers only)."""
        self.ensure_one()
        return self.action_export_epcis()

    def _check_dossier_block(self, reason, block):
        """The reason, stripped, once the user may (un)block this lot and gave one."""
        self.check_access("write")
        if block:
            message = self.env._("Only quality managers block lot %(lot)s.", lot=self.name)
        else:
            message = self.env._("Only quality managers unblock lot %(lot)s.", lot=self.name)
        self.env.user._check_lot_quality_manager(message)
        reason = reason.strip() if isinstance(reason, str) else ""
        if not reason:
            if block:
                raise UserError(self.env._("Say why lot %(lot)s is blocked.", lot=self.name))
            raise UserError(self.env._("Say why lot %(lot)s is released.", lot=self.name))
        if block and self.is_blocked:
            raise UserError(self.env._("Lot %(lot)s is already blocked.", lot=self.name))
        if not block and not self.is_blocked:
            raise UserError(self.env._("Lot %(lot)s is not blocked.", lot=self.name))
        return reason

    def get_dossier_data(self, customer_threshold=40):
        """Everything the lot dossier shows, in one call: the register facts, stock on
        hand, and the genealogy graph (see DOSSIER contract): nodes and edges from the
        vendor through this lot and the lots made from it to the customers, and the
        component lots it was made of.

        The downstream graph is the recall's set-based trace; names are read with one
        read per model, so the number of queries does not grow with the deliveries.
        Customers beyond ``customer_threshold`` (the smallest by quantity) are folded
        into one group node; ``groups`` holds what the group hides."""
        self.ensure_one()
        self.check_access("read")
        lot = self
        try:
            threshold = max(int(customer_threshold), 1)
        except (TypeError, ValueError):
            threshold = 40
        company = lot.company_id or self.env.company
        trace = self.env["stock.recall.trace"]._trace_lots(lot, company)
        lines = [line for line in trace["lines"] if line["line_type"] in _GRAPH_EVENTS]
        upstream = lot._get_dossier_upstream()
        productions = self._get_dossier_productions(
            [line["move_line_id"] for line in lines + upstream if line.get("move_line_id")]
        )

        lot_ids = set(trace["lot_ids"]) | {line["lot_id"] for line in upstream}
        # one read per model for every name the graph shows
        Lot = self.env["stock.lot"].sudo()
        lot_rows = {
            row["id"]: row
            for row in Lot.browse(sorted(lot_ids)).read(["name", "product_id", "is_blocked"])
        }
        product_ids = sorted({row["product_id"][0] for row in lot_rows.values()})
        uoms = {
            row["id"]: row["uom_id"][1]
            for row in self.env["product.product"].sudo().browse(product_ids).read(["uom_id"])
        }
        digits = self.env["decimal.precision"].precision_get("Product Unit")
        partner_ids = {line["partner_id"] for line in lines if line["partner_id"]}
        # the stored full name: the display name is computed partner by partner
        partners = {
            row["id"]: row["complete_name"]
            for row in self.env["res.partner"]
            .sudo()
            .browse(sorted(partner_ids))
            .read(["complete_name"])
        }
        picking_ids = {line["picking_id"] for line in lines if line["picking_id"]}
        pickings = {
            row["id"]: row
            for row in self.env["stock.picking"]
            .sudo()
            .browse(sorted(picking_ids))
            .read(["name", "date_done"])
        }
        recalled_ids, recalls = self._get_dossier_recalls(lot_ids)

        def uom_of(lot_id):
            return uoms[lot_rows[lot_id]["product_id"][0]]

        def qty(value):
            return round(value, digits)

        nodes = {}
        edges = defaultdict(float)

        def node(node_id, kind, label, model, res_id, **extra):
            if node_id not in nodes:
                nodes[node_id] = dict(
                    {
                        "id": node_id,
                        "kind": kind,
                        "label": label,
                        "sublabel": "",
                        "model": model,
                        "res_id": res_id,
                        "focus": False,
                        "blocked": False,
                        "recalled": False,
                        "_quantity": 0.0,
                        "_date": False,
                        "_uom": "",
                    },
                    **extra,
                )
            return nodes[node_id]

        def lot_node(lot_id):
            row = lot_rows[lot_id]
            return node(
                f"lot-{lot_id}",
                "lot",
                row["name"],
                "stock.lot",
                lot_id,
                sublabel=row["product_id"][1],
                focus=lot_id == lot.id,
                blocked=row["is_blocked"],
                recalled=lot_id in recalled_ids,
            )

        def event_node(node_id, kind, label, model, res_id, line):
            event = node(node_id, kind, label, model, res_id)
            event["_quantity"] += line["quantity"]
            event["_uom"] = uom_of(line["lot_id"])
            event["_date"] = event["_date"] or line.get("date")
            return event

        def picking_node(kind, line):
            picking = pickings.get(line["picking_id"])
            if not picking:
                return None
            return event_node(
                f"{kind}-{picking['id']}",
                kind,
                picking["name"],
                "stock.picking",
                picking["id"],
                dict(line, date=picking["date_done"] or line["date"]),
            )

        def partner_node(kind, partner_id):
            if not partner_id:
                return None
            return node(
                f"{kind}-{partner_id}",
                kind,
                partners.get(partner_id, ""),
                "res.partner",
                partner_id,
            )

        def production_node(line):
            production = productions.get(line.get("move_line_id"))
            if not production:
                return None
            model, res_id, name = production
            return event_node(f"production-{res_id}", "production", name, model, res_id, line)

        def edge(source, target, kind, quantity, lot_id):
            edges[source["id"], target["id"], kind, uom_of(lot_id)] += quantity

        lot_node(lot.id)
        customer_quantity = defaultdict(float)
        for line in upstream:
            component = lot_node(line["lot_id"])
            production = production_node(line)
            if production:
                edge(component, production, "consumed", line["quantity"], line["lot_id"])
            else:
                edge(component, lot_node(lot.id), "made", line["quantity"], line["lot_id"])
        for line in lines:
            line_type, lot_id = line["line_type"], line["lot_id"]
            this = lot_node(lot_id)
            if line_type == "receipt":
                receipt = picking_node("receipt", line)
                vendor = partner_node("vendor", line["partner_id"])
                target = this
                if receipt:
                    edge(receipt, this, "in", line["quantity"], lot_id)
                    target = receipt
                if vendor:
                    edge(vendor, target, "in", line["quantity"], lot_id)
            elif line_type == "produced":
                production = production_node(line)
                if production:
                    edge(production, this, "made", line["quantity"], lot_id)
                elif line["source_lot_id"] and line["source_lot_id"] in lot_rows:
                    edge(lot_node(line["source_lot_id"]), this, "made", line["quantity"], lot_id)
            elif line_type == "consumed":
                production = production_node(line)
                if production:
                    edge(this, production, "consumed", line["quantity"], lot_id)
            elif line_type == "delivery":
                delivery = picking_node("delivery", line)
                customer = partner_node("customer", line["partner_id"])
                if customer:
                    customer_quantity[customer["id"]] += line["quantity"]
                if delivery:
                    edge(this, delivery, "out", line["quantity"], lot_id)
                    if customer:
                        edge(delivery, customer, "out", line["quantity"], lot_id)
                elif customer:
                    edge(this, customer, "out", line["quantity"], lot_id)
            elif line_type == "return":
                back = picking_node("return", line)
                customer = partner_node("customer", line["partner_id"])
                if back:
                    edge(back, this, "return", line["quantity"], lot_id)
                    if customer:
                        edge(customer, back, "return", line["quantity"], lot_id)
                elif customer:
                    edge(customer, this, "return", line["quantity"], lot_id)

        tz_self = self.with_context(tz=self.env.user.tz or self.env.context.get("tz"))
        for item in nodes.values():
            quantity = item.pop("_quantity")
            date = item.pop("_date")
            uom = item.pop("_uom")
            if item["kind"] in ("receipt", "production", "delivery", "return"):
                parts = []
                if date:
                    parts.append(fields.Date.to_string(fields.Date.context_today(tz_self, date)))
                parts.append(f"{qty(quantity):g} {uom}")
                item["sublabel"] = " · ".join(parts)
        edge_list = [
            {
                "source": source,
                "target": target,
                "quantity": qty(quantity),
                "uom": uom,
                "kind": kind,
            }
            for (source, target, kind, uom), quantity in edges.items()
        ]
        node_list, edge_list, groups = self._group_dossier_customers(
            list(nodes.values()), edge_list, customer_quantity, threshold
        )
        return {
            "lot": lot._get_dossier_lot(recalls),
            "on_hand": lot._get_dossier_on_hand(),
            "nodes": node_list,
            "edges": edge_list,
            "groups": groups,
            "actions": lot._get_dossier_actions(),
        }

    def _group_dossier_customers(self, nodes, edges, customer_quantity, threshold):
        """Keep the ``threshold`` customers who took most; fold the others, their
        deliveries and returns into one ``group-customers`` node."""
        if len(customer_quantity) <= threshold:
            return nodes, edges, {}
        ranked = sorted(
            customer_quantity, key=lambda node_id: (-customer_quantity[node_id], node_id)
        )
        hidden = set(ranked[threshold:])
        # the deliveries and returns of the hidden customers go with them
        for item in edges:
            if item["target"] in hidden and item["source"].startswith("delivery-"):
                hidden.add(item["source"])
            if item["source"] in hidden and item["target"].startswith("return-"):
                hidden.add(item["target"])
        group_id = "group-customers"
        kept_nodes = [item for item in nodes if item["id"] not in hidden]
        kept_edges, hidden_edges = [], []
        group_edges = defaultdict(float)
        for item in edges:
            source_hidden, target_hidden = item["source"] in hidden, item["target"] in hidden
            if not (source_hidden or target_hidden):
                kept_edges.append(item)
                continue
            hidden_edges.append(item)
            if not source_hidden:  # a lot to a hidden delivery or customer
                group_edges[item["source"], group_id, item["kind"], item["uom"]] += item[
                    "quantity"
                ]
            elif not target_hidden:  # a hidden return back to a lot
                group_edges[group_id, item["target"], item["kind"], item["uom"]] += item[
                    "quantity"
                ]
        count = len(set(ranked[threshold:]))
        kept_nodes.append(
            {
                "id": group_id,
                "kind": "group",
                "label": self.env._("%(count)s more customers", count=count),
                "sublabel": "",
                "model": "res.partner",
                "res_id": False,
                "focus": False,
                "blocked": False,
                "recalled": False,
                "count": count,
            }
        )
        kept_edges += [
            {"source": source, "target": target, "quantity": quantity, "uom": uom, "kind": kind}
            for (source, target, kind, uom), quantity in group_edges.items()
        ]
        groups = {
            group_id: {
                "nodes": [item for item in nodes if item["id"] in hidden],
                "edges": hidden_edges,
            }
        }
        return kept_nodes, kept_edges, groups

    def _get_dossier_upstream(self):
        """The component lots consumed into this lot: ``{lot_id, quantity,
        move_line_id}`` per consumed move line (``move_line_id``: the component's line,
        which the production hook places). Read from the links manufacturing leaves
        between move lines (``stock.move.line.consume_line_ids``), so without
        manufacturing it is empty."""
        self.ensure_one()
        self.env["stock.move.line"].flush_model()
        # One query: this lot's produced lines, and the component lines linked to them.
        rows = self.env.execute_query(
            SQL(
                """
                SELECT comp.lot_id, comp.id, comp.quantity_product_uom
                  FROM stock_move_line fin
                  JOIN stock_location src ON src.id = fin.location_id
                  JOIN stock_move_line_consume_rel rel ON rel.consume_line_id = fin.id
                  JOIN stock_move_line comp ON comp.id = rel.produce_line_id
                 WHERE fin.lot_id = %(lot_id)s
                   AND fin.state = 'done'
                   AND src.usage = 'production'
                   AND comp.state = 'done'
                   AND comp.lot_id IS NOT NULL
                   AND comp.lot_id <> %(lot_id)s
              ORDER BY comp.id
                """,
                lot_id=self.id,
            )
        )
        return [
            {"lot_id": lot_id, "move_line_id": ml_id, "quantity": quantity}
            for lot_id, ml_id, quantity in rows
        ]

    @api.model
    def _get_dossier_productions(self, move_line_ids):
        """``{move line id: (model, id, name)}``: the production each move line was
        consumed by or produced in. Empty here; the manufacturing bridge fills it."""
        return {}

    @api.model
    def _get_dossier_recalls(self, lot_ids):
        """The ids of the lots (of ``lot_ids``) in a real recall that is not cancelled,
        and the recalls of this lot."""
        recalls = (
            self.env["stock.recall"]
            .sudo()
            .search(
                [
                    ("is_mock", "=", False),
                    ("state", "!=", "cancelled"),
                    "|",
                    ("lot_ids", "in", list(lot_ids)),
                    ("affected_lot_ids", "in", list(lot_ids)),
                ],
                order="id desc",
            )
        )
        recalled = set(recalls.lot_ids.ids) | set(recalls.affected_lot_ids.ids)
        return recalled & set(lot_ids), recalls

    def _get_dossier_lot(self, recalls):
        self.ensure_one()

        def when(value):
            if not value:
                return False
            return fields.Datetime.to_string(fields.Datetime.context_timestamp(self, value))[:16]

        own = recalls.filtered(lambda recall: self in recall.lot_ids | recall.affected_lot_ids)
        state_names = dict(
            self.env["stock.recall"]._fields["state"]._description_selection(self.env)
        )
        complaint_count = self["complaint_count"] if "complaint_count" in self._fields else 0
        return_rate = self["return_rate"] if "return_rate" in self._fields else 0.0
        return {
            "id": self.id,
            "name": self.name,
            "product": [self.product_id.id, self.product_id.display_name],
            "supplier_lot_name": self.supplier_lot_name or False,
            "vendor": [self.supplier_id.id, self.supplier_id.display_name]
            if self.supplier_id
            else False,
            "expiration_date": when(self.expiration_date),
            "use_date": when(self.use_date),
            "removal_date": when(self.removal_date),
            "days_left": self.days_left if self.expiration_date else False,
            "is_blocked": self.is_blocked,
            "block_reason": self.block_reason or False,
            "recalls": [
                {
                    "id": recall.id,
                    "name": recall.name,
                    "state": recall.state,
                    "state_label": state_names.get(recall.state, recall.state),
                }
                for recall in own.sudo()
            ],
            "complaint_count": complaint_count or 0,
            "return_rate": return_rate or 0.0,
            "uom": self.product_id.uom_id.name,
        }

    def _get_dossier_on_hand(self):
        self.ensure_one()
        groups = (
            self.env["stock.quant"]
            .sudo()
            ._read_group(
                [
                    ("lot_id", "=", self.id),
                    ("location_id.usage", "=", "internal"),
                    ("company_id", "in", self.env.companies.ids),
                ],
                ["location_id"],
                ["quantity:sum", "reserved_quantity:sum"],
            )
        )
        return [
            {
                "location_id": location.id,
                "location": location.complete_name,
                "quantity": quantity,
                "reserved": reserved,
            }
            for location, quantity, reserved in groups
            if quantity or reserved
        ]

    def _get_dossier_actions(self):
        user = self.env.user
        manager = user._is_lot_quality_manager()
        return {
            "can_recall": manager,
            "can_block": manager,
            "can_print": user.has_group("stock.group_stock_user"),
            "can_export": self._has_customer_list_access(),
        }
