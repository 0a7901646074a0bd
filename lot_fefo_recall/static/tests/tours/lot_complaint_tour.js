import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// A customer calls about a lot: from the lot, its Complaints button opens the list, a
// new complaint is recorded for the customer, and the lot counts it.
registry.category("web_tour.tours").add("lot_fefo_recall_lot_complaint", {
    steps: () => [
        {
            trigger: ".o_form_view .o_field_widget[name=name] input:value(TOUR-CMP)",
        },
        {
            trigger: "button[name=action_view_lot_complaints]",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=lot_id] input:value(TOUR-CMP)",
        },
        {
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit Tour Caller",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains(Tour Caller)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=kind] .o_select_menu_toggler",
            run: "click",
        },
        {
            trigger: ".o_select_menu_menu .o_select_menu_item:contains(Foreign Body)",
            run: "click",
        },
        ...stepUtils.saveForm(),
        {
            trigger: ".o_form_view .o_field_widget[name=name]:contains(CMP/)",
        },
        {
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(TOUR-CMP)",
            run: "click",
        },
        {
            trigger:
                "button[name=action_view_lot_complaints] .o_stat_value:contains(1)",
        },
    ],
});
