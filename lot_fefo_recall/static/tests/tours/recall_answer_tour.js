import { registry } from "@web/core/registry";

// A recalled customer opens the personal link of its letter, without logging in, and
// answers: received, what it holds, destroyed, sold on and will send back.
registry.category("web_tour.tours").add("lot_fefo_recall_customer_answer", {
    steps: () => [
        {
            trigger: ".o_recall_answer:contains(Alpine Grocers):contains(APR-1)",
        },
        {
            trigger: ".o_recall_answer_form input#received",
            run: "click",
        },
        {
            trigger: ".o_recall_answer_form input#on_hand_qty",
            run: "edit 10",
        },
        {
            trigger: ".o_recall_answer_form input#destroyed_qty",
            run: "edit 12",
        },
        {
            trigger: ".o_recall_answer_form input#sold_on_qty",
            run: "edit 8",
        },
        {
            trigger: ".o_recall_answer_form input#return_qty",
            run: "edit 10",
        },
        {
            trigger: ".o_recall_answer_form textarea#comment",
            run: "edit Dock stock set apart",
        },
        {
            trigger: ".o_recall_answer_form .o_recall_answer_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            trigger: ".o_recall_answered",
        },
    ],
});
