import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";
import tourUtils from "@sale/js/tours/tour_utils";

// A salesperson adds a product to a quotation for a customer with a shelf life rule and
// sees, next to Odoo's forecast, the quantity meeting the rule, and the warning while
// quoting when the line asks for more.
registry.category("web_tour.tours").add("lot_fefo_recall_quote_availability", {
    steps: () => [
        ...tourUtils.addProduct("Tour Marmalade"),
        {
            content: "the acceptable quantity shows as soon as the product is chosen",
            trigger:
                ".o_data_row td[name=shelf_life_acceptable_qty] .o_field_widget:not(.text-danger):contains(13)",
        },
        {
            content: "its tooltip says the customer's minimum and why the rule applies",
            trigger:
                ".o_data_row .o_shelf_life_acceptable_qty[data-tooltip*='60-day minimum'][data-tooltip*='Rule for the customer Tour Retailer']",
        },
        {
            trigger: ".o_selected_row [name=product_uom_qty] input",
            run: "edit 20",
        },
        {
            content: "leave the line: its onchange runs",
            trigger: "a[name=order_lines]",
            run: "click",
        },
        {
            content: "the warning says it while quoting",
            trigger: ".modal:contains(Short-dated stock):contains(Only 13)",
        },
        {
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        ...tourUtils.clickSomewhereElse(),
        {
            content: "in red: the line asks for more than the customer accepts",
            trigger: ".o_data_row td[name=shelf_life_acceptable_qty] .text-danger:contains(13)",
        },
        ...stepUtils.saveForm(),
    ],
});
