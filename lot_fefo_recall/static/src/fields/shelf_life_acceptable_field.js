import { registry } from "@web/core/registry";
import { FloatField, floatField } from "@web/views/fields/float/float_field";

// The quantity meeting the customer's shelf life rule, with the rule's minimum and why
// it applies (shelf_life_why) as its tooltip.
export class ShelfLifeAcceptableField extends FloatField {
    static template = "lot_fefo_recall.ShelfLifeAcceptableField";

    get why() {
        return this.props.record.data.shelf_life_why || "";
    }
}

registry.category("fields").add("shelf_life_acceptable_qty", {
    ...floatField,
    component: ShelfLifeAcceptableField,
    fieldDependencies: [{ name: "shelf_life_why", type: "text" }],
});
