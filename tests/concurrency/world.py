"""Build scenario data over JSON-RPC as the administrator: every scenario gets its own
products, lots and partners (named with a prefix), so scenarios share one server and
one database without seeing each other's stock."""

import itertools
from datetime import date, timedelta

_counter = itertools.count(1)


class World:
    def __init__(self, admin, prefix):
        self.admin = admin
        self.prefix = f"{prefix}{next(_counter)}"
        self.company_id = admin.call("res.users", "read", [admin.uid], ["company_id"])[0][
            "company_id"
        ][0]
        warehouse = admin.call(
            "stock.warehouse", "search_read", [("company_id", "=", self.company_id)],
            ["lot_stock_id", "out_type_id", "in_type_id"], limit=1,
        )[0]  # fmt: skip
        self.warehouse_id = warehouse["id"]
        self.stock_location_id = warehouse["lot_stock_id"][0]
        self.out_type_id = warehouse["out_type_id"][0]
        self.in_type_id = warehouse["in_type_id"][0]
        self.customer_location_id = self.xmlid("stock.stock_location_customers")
        self.supplier_location_id = self.xmlid("stock.stock_location_suppliers")

    def xmlid(self, xmlid):
        module, name = xmlid.split(".")
        return self.admin.call(
            "ir.model.data",
            "search_read",
            [("module", "=", module), ("name", "=", name)],
            ["res_id"],
        )[0]["res_id"]

    def name(self, what):
        return f"{self.prefix}-{what}"

    # --- master data ----------------------------------------------------------------
    def product(self, what="Jam", expiration_time=180, **values):
        return self.admin.call(
            "product.product", "create",
            {"name": self.name(what), "is_storable": True, "tracking": "lot",
             "use_expiration_date": True, "expiration_time": expiration_time,
             "standard_price": 2.0, "list_price": 5.0, **values},
        )  # fmt: skip

    def customer(self, what="Customer", **values):
        name = self.name(what)
        email = f"{name.lower()}@example.com"
        values = {"name": name, "is_company": True, "email": email, **values}
        return self.admin.call("res.partner", "create", values)

    def vendor(self, what="Vendor"):
        return self.customer(what)

    def rule(self, partner_id, product_id=None, days=None, percent=None):
        values = {"partner_id": partner_id, "product_id": product_id}
        if days is not None:
            values["min_remaining_days"] = days
        if percent is not None:
            values["min_remaining_percent"] = percent
        return self.admin.call("stock.shelf.life.rule", "create", values)

    def user(self, what, groups=("stock.group_stock_user",), company_ids=None):
        login = self.name(what).lower()
        group_ids = [self.xmlid(group) for group in ("base.group_user", *groups)]
        values = {"name": self.name(what), "login": login, "password": login,
                  "group_ids": [(6, 0, group_ids)]}  # fmt: skip
        if company_ids:
            values.update(company_id=company_ids[0], company_ids=[(6, 0, company_ids)])
        self.admin.call("res.users", "create", values)
        return login

    # --- stock ----------------------------------------------------------------------
    def lot(self, product_id, what, days_left, vendor_id=None):
        expiry = date.today() + timedelta(days=days_left)
        values = {"name": self.name(what), "product_id": product_id,
                  "expiration_date": f"{expiry} 12:00:00"}  # fmt: skip
        if vendor_id:
            values["supplier_id"] = vendor_id
        return self.admin.call("stock.lot", "create", values)

    def stock(self, product_id, lot_id, quantity, location_id=None):
        """Put ``quantity`` of the lot on hand, through an inventory adjustment."""
        context = {"inventory_mode": True}
        quant_id = self.admin.call(
            "stock.quant", "create",
            {"product_id": product_id, "lot_id": lot_id, "inventory_quantity": quantity,
             "location_id": location_id or self.stock_location_id},
            context=context,
        )  # fmt: skip
        self.admin.call("stock.quant", "action_apply_inventory", [quant_id], context=context)
        return quant_id

    def delivery(self, client, partner_id, product_id, quantity, confirm=True):
        """A delivery order made by ``client`` (the user's own session)."""
        picking_id = client.call(
            "stock.picking", "create",
            {"partner_id": partner_id, "picking_type_id": self.out_type_id,
             "location_id": self.stock_location_id, "location_dest_id": self.customer_location_id,
             "move_ids": [(0, 0, {"product_id": product_id, "product_uom_qty": quantity,
                                  "location_id": self.stock_location_id,
                                  "location_dest_id": self.customer_location_id})]},
        )  # fmt: skip
        if confirm:
            client.call("stock.picking", "action_confirm", [picking_id])
        return picking_id

    def validate(self, client, picking_id):
        """Tick what is reserved as picked and validate, as a picker's screen does;
        the backorder wizard (if any) is answered with "no backorder"."""
        move_ids = client.call("stock.picking", "read", [picking_id], ["move_ids"])[0]["move_ids"]
        client.call("stock.move", "write", move_ids, {"picked": True})
        result = client.call("stock.picking", "button_validate", [picking_id])
        if isinstance(result, dict) and result.get("res_model") == "stock.backorder.confirmation":
            context = result.get("context") or {}
            wizard_id = client.call("stock.backorder.confirmation", "create", {}, context=context)
            client.call("stock.backorder.confirmation", "process_cancel_backorder", [wizard_id],
                        context=context)  # fmt: skip
        return result

    def recall(self, client, lot_ids, reason="Vendor notice"):
        """A recall of ``lot_ids`` launched through the wizard; returns its id."""
        wizard_id = client.call(
            "stock.recall.wizard", "create",
            {"mode": "lots", "lot_ids": [(6, 0, lot_ids)], "reason": reason},
        )  # fmt: skip
        action = client.call("stock.recall.wizard", "action_create_recall", [wizard_id])
        return action["res_id"]
