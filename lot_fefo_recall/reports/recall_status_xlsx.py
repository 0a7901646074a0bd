"""The recall status report (21 CFR 7.53) as a workbook: the status in figures, then one
sheet each for consignees, products and effectiveness checks."""

import io

import xlsxwriter

CONSIGNEE_COLUMNS = [
    ("Consignee", 32),
    ("Lots", 22),
    ("Shipped", 12),
    ("Notified On", 18),
    ("Method", 16),
    ("Responded On", 18),
    ("On Hand When Notified", 14),
    ("Destroyed", 12),
    ("Sold On", 12),
    ("Returned or Destroyed", 14),
    ("Received Back", 14),
]
PRODUCT_COLUMNS = [
    ("Product", 32),
    ("Unit", 10),
    ("At Customers", 14),
    ("In House", 12),
    ("Affected", 12),
    ("Returned", 12),
    ("In Quarantine", 14),
    ("Scrapped", 12),
    ("Sent Back to Vendor", 14),
    ("Destroyed by Customers", 14),
    ("Accounted For", 14),
    ("Effectiveness (%)", 14),
]
CHECK_COLUMNS = [
    ("#", 5),
    ("Consignee", 32),
    ("Contacted On", 14),
    ("Method", 12),
    ("Result", 36),
    ("Still On Hand", 12),
    ("Note", 40),
]


def status_report(recall):
    env = recall.env
    data = recall._get_status_report_data()
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "remove_timezone": True})
    fmt = {
        "header": workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1}),
        "bold": workbook.add_format({"bold": True}),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        "day": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "qty": workbook.add_format({"num_format": "#,##0.###"}),
        "pct": workbook.add_format({"num_format": "0.0"}),
    }
    _status_sheet(workbook.add_worksheet(env._("Status")), recall, data, fmt)
    _consignee_sheet(workbook, recall, data, fmt)
    _product_sheet(workbook, recall, data, fmt)
    _check_sheet(workbook, recall, data, fmt)
    workbook.close()
    return output.getvalue()


def _selection(record, field_name):
    return dict(record._fields[field_name]._description_selection(record.env)).get(
        record[field_name], ""
    )


def _status_sheet(sheet, recall, data, fmt):
    env = recall.env
    sheet.set_column(0, 0, 44)
    sheet.set_column(1, 1, 40)
    rows = [
        (env._("Recall"), recall.name),
        (env._("Reason"), recall.reason or ""),
        (env._("Classification"), _selection(recall, "classification")),
        (env._("Depth"), _selection(recall, "recall_depth")),
        (env._("Public warning"), env._("Yes") if recall.public_warning else env._("No")),
        (env._("Effectiveness check level"), _selection(recall, "check_level")),
        (env._("Status"), _selection(recall, "state")),
        (env._("Consignees"), len(data["customers"])),
        (env._("Consignees notified"), len(data["notified"])),
        (env._("Consignees not yet notified"), len(data["not_notified"])),
        (env._("Consignees responding"), len(data["responded"])),
        (env._("Consignees not responding"), len(data["non_responders"])),
        (env._("Effectiveness checks required"), recall.check_required_count),
        (env._("Effectiveness checks passed"), recall.check_good_count),
        (env._("Effectiveness checks failed"), recall.check_failed_count),
        (env._("Lowest product effectiveness (%)"), recall.effectiveness),
    ]
    for row, (label, value) in enumerate(rows):
        sheet.write(row, 0, label, fmt["bold"])
        sheet.write(row, 1, value)
    row = len(rows)
    for label, value in (
        (env._("Customers notified on"), recall.date_notified),
        (env._("Expected completion"), recall.date_expected_completion),
    ):
        sheet.write(row, 0, label, fmt["bold"])
        if value:
            sheet.write_datetime(row, 1, value, fmt["day"])
        row += 1


def _table(workbook, title, columns, fmt):
    sheet = workbook.add_worksheet(title[:31])
    for col, (label, width) in enumerate(columns):
        sheet.write(0, col, label, fmt["header"])
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    return sheet


def _consignee_sheet(workbook, recall, data, fmt):
    sheet = _table(workbook, recall.env._("Consignees"), CONSIGNEE_COLUMNS, fmt)
    for row, customer in enumerate(data["customers"], start=1):
        sheet.write(row, 0, customer.partner_id.display_name)
        sheet.write(row, 1, ", ".join(customer.lot_ids.mapped("name")))
        sheet.write_number(row, 2, customer.shipped_qty, fmt["qty"])
        if customer.notified_on:
            sheet.write_datetime(row, 3, customer.notified_on, fmt["date"])
        sheet.write(row, 4, _selection(customer, "notification_method"))
        responded_on = customer.answered_on or customer.acknowledged_on
        if responded_on:
            sheet.write_datetime(row, 5, responded_on, fmt["date"])
        for col, value in (
            (6, customer.answer_on_hand_qty),
            (7, customer.answer_destroyed_qty),
            (8, customer.answer_sold_on_qty),
            (9, customer.returned_qty),
            (10, customer.return_received_qty),
        ):
            sheet.write_number(row, col, value, fmt["qty"])


def _product_sheet(workbook, recall, data, fmt):
    sheet = _table(workbook, recall.env._("Products"), PRODUCT_COLUMNS, fmt)
    for row, line in enumerate(data["products"], start=1):
        sheet.write(row, 0, line.product_id.display_name)
        sheet.write(row, 1, line.uom_id.name)
        for col, value in enumerate(
            (
                line.shipped_qty,
                line.on_hand_qty,
                line.affected_qty,
                line.returned_qty,
                line.quarantined_qty,
                line.scrapped_qty,
                line.vendor_returned_qty,
                line.destroyed_qty,
                line.corrected_qty,
            ),
            start=2,
        ):
            sheet.write_number(row, col, value, fmt["qty"])
        sheet.write_number(row, 11, line.effectiveness, fmt["pct"])


def _check_sheet(workbook, recall, data, fmt):
    sheet = _table(workbook, recall.env._("Effectiveness Checks"), CHECK_COLUMNS, fmt)
    for row, check in enumerate(data["checks"], start=1):
        sheet.write_number(row, 0, row)
        sheet.write(row, 1, check.partner_id.display_name)
        if check.contacted_on:
            sheet.write_datetime(row, 2, check.contacted_on, fmt["day"])
        sheet.write(row, 3, _selection(check, "method"))
        sheet.write(row, 4, _selection(check, "result"))
        sheet.write_number(row, 5, check.on_hand_qty, fmt["qty"])
        sheet.write(row, 6, check.note or "")
