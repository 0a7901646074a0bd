import { registry } from "@web/core/registry";

// A receiving clerk opens a receipt, clicks Scan and scans a carton: the scanner types
// the GS1 string and Enter, and the dialog lists the line it filled.
registry.category("web_tour.tours").add("lot_fefo_recall_receipt_scan", {
    steps: () => [
        {
            trigger: ".o_form_view .o_statusbar_buttons button:contains(Scan)",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=scan] input",
            // the run syntax takes "edit (text)": the text inside the outer parentheses
            run: "edit ((01)09501101530041(17)301231(10)TOUR-SCAN-1(30)12) && press Enter",
        },
        {
            trigger: ".modal .o_field_widget[name=scan_log]:contains(TOUR-SCAN-1)",
        },
        {
            trigger: ".modal-footer button:contains(Done)",
            run: "click",
        },
        {
            trigger: ".o_form_view:not(:has(.modal))",
        },
    ],
});
