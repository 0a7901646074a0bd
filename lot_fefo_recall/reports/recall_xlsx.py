"""Spreadsheets of a recall: every trace line, and the regulator's export (FDA FSMA 204
key data elements, one row per receiving and shipping event)."""

import io

import xlsxwriter

TRACE_COLUMNS = [
    ("Event", 22),
    ("Level", 7),
    ("Lot", 18),
    ("Made From", 18),
    ("Product", 32),
    ("Partner", 28),
    ("Transfer", 18),
    ("From", 26),
    ("To", 26),
    ("Date", 18),
    ("Quantity", 12),
    ("Unit", 10),
    ("Expiration Date", 16),
]

FSMA_COLUMNS = [
    ("Event (CTE)", 12),
    ("Traceability Lot Code", 22),
    ("Quantity", 12),
    ("Unit of Measure", 14),
    ("Product Description", 34),
    ("Previous Source / Subsequent Recipient", 34),
    ("Ship-From Location", 34),
    ("Receiving / Ship-To Location", 34),
    ("Date", 12),
    ("Traceability Lot Code Source", 34),
    ("Reference Document Type", 22),
    ("Reference Document Number", 22),
]


def _workbook(title, columns):
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "remove_timezone": True})
    sheet = workbook.add_worksheet(title[:31])
    header = workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1})
    for col, (label, width) in enumerate(columns):
        sheet.write(0, col, label, header)
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    formats = {
        "date": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        "day": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "qty": workbook.add_format({"num_format": "#,##0.###"}),
    }
    return output, workbook, sheet, formats


def _finish(output, workbook, sheet, rows, columns):
    sheet.autofilter(0, 0, max(rows, 1), len(columns) - 1)
    workbook.close()
    return output.getvalue()


def trace_lines(recall):
    env = recall.env
    output, workbook, sheet, fmt = _workbook(recall.name.replace("/", "-"), TRACE_COLUMNS)
    types = dict(recall.line_ids._fields["line_type"]._description_selection(env))
    row = 0
    for row, line in enumerate(recall.line_ids, start=1):
        sheet.write(row, 0, types[line.line_type])
        sheet.write_number(row, 1, line.depth)
        sheet.write(row, 2, line.lot_id.name or "")
        sheet.write(row, 3, line.source_lot_id.name or "")
        sheet.write(row, 4, line.product_id.display_name or "")
        sheet.write(row, 5, line.partner_id.display_name or "")
        sheet.write(row, 6, line.picking_id.name or "")
        sheet.write(row, 7, line.location_id.complete_name or "")
        sheet.write(row, 8, line.location_dest_id.complete_name or "")
        if line.date:
            sheet.write_datetime(row, 9, line.date, fmt["date"])
        sheet.write_number(row, 10, line.quantity, fmt["qty"])
        sheet.write(row, 11, line.product_uom_id.name or "")
        if line.expiration_date:
            sheet.write_datetime(row, 12, line.expiration_date, fmt["day"])
    return _finish(output, workbook, sheet, row, TRACE_COLUMNS)


def fsma204(recall):
    """One row per receiving (from a vendor, or a customer return) and shipping event of
    the affected lots, with the FSMA 204 key data elements as columns."""
    env = recall.env
    output, workbook, sheet, fmt = _workbook("FSMA 204", FSMA_COLUMNS)
    company = recall.company_id
    events = recall.line_ids.filtered(
        lambda line: line.line_type in ("receipt", "return", "delivery")
    )
    row = 0
    for row, line in enumerate(events.sorted("date"), start=1):
        receiving = line.line_type in ("receipt", "return")
        ours = line.location_dest_id if receiving else line.location_id
        ours_text = _location_text(ours, company)
        partner_text = _partner_text(line.partner_id)
        lot_source = (
            _partner_text(line.lot_id.supplier_id) if line.lot_id.supplier_id else ours_text
        )
        sheet.write(row, 0, env._("Receiving") if receiving else env._("Shipping"))
        sheet.write(row, 1, line.lot_id.name or "")
        sheet.write_number(row, 2, line.quantity, fmt["qty"])
        sheet.write(row, 3, line.product_uom_id.name or "")
        sheet.write(row, 4, line.product_id.display_name or "")
        sheet.write(row, 5, partner_text)
        sheet.write(row, 6, partner_text if receiving else ours_text)
        sheet.write(row, 7, ours_text if receiving else partner_text)
        if line.date:
            sheet.write_datetime(row, 8, line.date, fmt["day"])
        sheet.write(row, 9, lot_source)
        sheet.write(row, 10, env._("Receiving document") if receiving else env._("Bill of lading"))
        sheet.write(row, 11, line.picking_id.name or "")
    return _finish(output, workbook, sheet, row, FSMA_COLUMNS)


def _partner_text(partner):
    if not partner:
        return ""
    address = ", ".join(part for part in (partner.street, partner.zip, partner.city) if part)
    return f"{partner.display_name} ({address})" if address else partner.display_name


def _location_text(location, company):
    warehouse = location.warehouse_id
    place = warehouse.partner_id or company.partner_id
    return f"{location.complete_name}, {_partner_text(place)}"
