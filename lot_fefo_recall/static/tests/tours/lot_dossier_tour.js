import { registry } from "@web/core/registry";

// Asks the test (LFR_SCREENSHOTS) for a picture of the page as it is now, and gives the
// browser a moment to take it before the tour moves on.
function screenshotStep(name, trigger) {
    return {
        trigger,
        run: async () => {
            console.info(`lot_fefo_recall:screenshot:${name}`);
            await new Promise((resolve) => setTimeout(resolve, 1200));
        },
    };
}

// The recalled lot's dossier: from the lot form, Dossier opens the graph; a customer
// node opens the customer's form.
registry.category("web_tour.tours").add("lot_fefo_recall_lot_dossier", {
    steps: () => [
        {
            trigger: ".o_form_view button[name=action_open_dossier]",
            run: "click",
        },
        {
            trigger: ".o_lot_dossier .o_lot_dossier_badge_recalled",
        },
        {
            trigger: ".o_lot_dossier[data-render-ms] .o_lot_dossier_node.o_lot_dossier_focus.o_lot_dossier_alert",
        },
        {
            trigger: ".o_lot_dossier .o_lot_dossier_node_customer",
            run: () => {
                const root = document.querySelector(".o_lot_dossier");
                console.info(
                    `lot_dossier rendered in ${root.dataset.renderMs} ms (layout ${root.dataset.layoutMs} ms, ${
                        document.querySelectorAll(".o_lot_dossier_node").length
                    } nodes)`
                );
            },
        },
        screenshotStep("lot_dossier", ".o_lot_dossier .o_lot_dossier_node_customer"),
        {
            // releasing the lot asks for a reason first; cancelled here
            trigger: ".o_lot_dossier .o_lot_dossier_block:contains(Unblock)",
            run: "click",
        },
        {
            trigger: ".modal .o_lot_dossier_reason_confirm:disabled",
        },
        {
            trigger: ".modal .modal-footer .btn-secondary",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal)) .o_lot_dossier .o_lot_dossier_badge_blocked",
        },
        {
            // Launch Recall opens the recall wizard with this lot already in it
            trigger: ".o_lot_dossier .o_lot_dossier_recall",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=lot_ids] .o_tag:contains(BFC-)",
        },
        {
            trigger: ".modal .modal-footer button:contains(Discard), .modal .btn-close",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal)) .o_lot_dossier",
        },
        {
            trigger: ".o_lot_dossier .o_lot_dossier_zoom_in",
            run: "click",
        },
        {
            trigger: ".o_lot_dossier .o_lot_dossier_fit",
            run: "click",
        },
        {
            trigger: ".o_lot_dossier .o_lot_dossier_node[data-node-id^='customer-']",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=name] input:value(Fresh Market Stores)",
        },
    ],
});

// The Vendor Scorecard as it opens from its menu, for the README's picture.
registry.category("web_tour.tours").add("lot_fefo_recall_scorecard_screenshot", {
    steps: () => [
        {
            trigger: ".o_action_manager .o_pivot table, .o_action_manager .o_view_nocontent",
        },
        screenshotStep("vendor_scorecard", ".o_action_manager .o_pivot table, .o_action_manager .o_view_nocontent"),
    ],
});
