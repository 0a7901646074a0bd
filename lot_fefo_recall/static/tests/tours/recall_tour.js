import { registry } from "@web/core/registry";

// Quality staff paste a vendor's notice, see at once what was received and who got it,
// and create the recall.
registry.category("web_tour.tours").add("lot_fefo_recall_vendor_notice", {
    steps: () => [
        {
            trigger: ".o_field_widget[name=mode] input[data-value=notice]",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=vendor_lot_text] textarea",
            run: "edit TOUR-2047;  tour-2047 , TOUR-9999",
        },
        {
            trigger: ".o_field_widget[name=reason] textarea",
            run: "edit Glass found in jars",
        },
        {
            trigger: ".o_field_widget[name=unmatched_text]:contains(TOUR-9999)",
        },
        {
            trigger: ".o_field_widget[name=matched_lot_ids]:contains(TOUR-LOT)",
        },
        {
            trigger: ".o_field_widget[name=impact_partner_ids]:contains(Tour Grocer)",
        },
        {
            trigger: ".o_field_widget[name=impact_shipped_qty]:contains(7)",
        },
        {
            trigger: ".modal-footer button[name=action_create_recall]:visible",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Traced)",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=customer_ids] td:contains(Tour Grocer)",
        },
        {
            trigger: ".o_form_view button[name=action_quarantine]:visible",
            run: "click",
        },
        {
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Quarantined)",
        },
    ],
});

// A stock user finds a lot by the vendor's number in the Batch Register.
registry.category("web_tour.tours").add("lot_fefo_recall_batch_register", {
    steps: () => [
        {
            trigger: ".o_searchview_input",
            run: "edit TOUR-2047",
        },
        {
            trigger: ".o_searchview_autocomplete .o-dropdown-item:first",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row td[name=supplier_lot_name]:contains(TOUR-2047)",
        },
        {
            trigger: ".o_list_view .o_data_row td[name=supplier_id]:contains(Tour Farms)",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=supplier_lot_name] input",
            run() {
                const value = this.anchor.value;
                if (value !== "TOUR-2047") {
                    throw new Error(`vendor lot is ${value}, not TOUR-2047`);
                }
            },
        },
        {
            trigger: ".o_form_view .o_field_widget[name=receipt_picking_id] input",
            run() {
                if (!this.anchor.value.includes("IN")) {
                    throw new Error(`first receipt is ${this.anchor.value}`);
                }
            },
        },
    ],
});
