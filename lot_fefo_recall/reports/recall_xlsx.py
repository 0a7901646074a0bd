"""Spreadsheets of a recall: every trace line, and the regulator's export (FDA FSMA 204
key data elements, one row per receiving, shipping and transformation event)."""

import io

import pytz
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

# FDA FSMA 204 (21 CFR 1.1325-1.1350) key data elements of the receiving, shipping and
# transformation critical tracking events, one column each; the date column names its
# time zone in fsma204().
FSMA_COLUMNS = [
    ("Event (CTE)", 14),
    ("Traceability Lot Code", 22),
    ("Product Description", 30),
    ("Quantity", 12),
    ("Unit of Measure", 12),
    ("Immediate Previous Source", 34),
    ("Immediate Subsequent Recipient", 34),
    ("Ship-From Location", 40),
    ("Ship-To Location", 40),
    ("Receiving or Transformation Location", 40),
    ("Date", 26),
    ("Traceability Lot Code Source Reference", 40),
    ("Input Traceability Lot Codes", 40),
    ("Reference Document Type", 22),
    ("Reference Document Number", 22),
]
_RECEIVING = ("receipt", "return", "transit_in")
_SHIPPING = ("delivery", "transit_out")


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
    """One row per critical tracking event of the affected lots, with its key data
    elements: receiving (from a vendor, a customer's return, another company of ours),
    shipping, and transformation (a lot made from input lots). A dropship is both
    received and shipped. Dates are local to the user, in ISO 8601 with their UTC
    offset, so that they read the same anywhere."""
    env = recall.env
    tz = env.tz
    columns = list(FSMA_COLUMNS)
    columns[10] = (f"Date ({tz.zone}, ISO 8601 with UTC offset)", columns[10][1])
    output, workbook, sheet, fmt = _workbook("FSMA 204", columns)
    labels = {
        "receiving": env._("Receiving"),
        "shipping": env._("Shipping"),
        "transformation": env._("Transformation"),
    }
    events, made_at = critical_tracking_events(recall.line_ids)
    row = 0
    for row, (cte, line, sender, recipient) in enumerate(events, start=1):
        company = line.event_company_id or recall.company_id
        origin = _place(line.location_id, sender, company)
        destination = _place(line.location_dest_id, recipient, company)
        if cte == "receiving":
            document = env._("Receiving document")
            values = {5: _partner_text(sender), 7: origin, 9: destination}
            if line.location_dest_id.usage == "customer":
                values.update({6: _partner_text(recipient), 8: destination})
        elif cte == "shipping":
            document = env._("Bill of lading")
            values = {6: _partner_text(recipient), 7: origin, 8: destination}
        else:
            document = env._("Production record")
            values = {9: destination, 12: _inputs_text(line.move_line_id)}
        sheet.write(row, 0, labels[cte])
        sheet.write(row, 1, _tlc(line.lot_id))
        sheet.write(row, 2, line.product_id.display_name or "")
        sheet.write_number(row, 3, line.quantity, fmt["qty"])
        sheet.write(row, 4, line.product_uom_id.name or "")
        for col, text in values.items():
            sheet.write(row, col, text)
        if line.date:
            sheet.write(row, 10, _local_iso(line.date, tz))
        sheet.write(row, 11, _tlc_source(line.lot_id, made_at, company))
        sheet.write(row, 13, document)
        sheet.write(row, 14, line.picking_id.name or line.move_line_id.reference or "")
    return _finish(output, workbook, sheet, row, columns)


def critical_tracking_events(lines):
    """The critical tracking events of trace ``lines`` (stock.recall.line records), in
    the order they happened: ``(cte, line, sender, recipient)`` with ``cte`` one of
    receiving (from a vendor, a customer's return, another company of ours), shipping
    and transformation (a lot made from input lots), and ``sender`` / ``recipient`` the
    addresses on either side. A dropship is one move line traced as a receipt and a
    delivery: both events, each naming the other's partner. Also return where each
    made lot was made (``{lot: location}``). The FSMA 204 spreadsheet and the EPCIS
    export both read their events from here."""
    partners = lines.env["res.partner"]
    senders = {
        line.move_line_id: line.address_id for line in lines if line.line_type in _RECEIVING
    }
    recipients = {
        line.move_line_id: line.address_id for line in lines if line.line_type in _SHIPPING
    }
    made_at = {
        line.lot_id: line.location_dest_id for line in lines if line.line_type == "produced"
    }
    events = []
    for line in lines.filtered(
        lambda line: line.line_type in _RECEIVING + _SHIPPING + ("produced",)
    ).sorted(lambda line: (line.date, line.sequence, line.move_line_id.id)):
        if line.line_type in _RECEIVING:
            cte = "receiving"
        elif line.line_type in _SHIPPING:
            cte = "shipping"
        else:
            cte = "transformation"
        sender = senders.get(line.move_line_id, partners)
        recipient = recipients.get(line.move_line_id, partners)
        events.append((cte, line, sender, recipient))
    return events, made_at


def _tlc(lot):
    """The traceability lot code: the vendor's own lot code for a lot we received (we
    keep the code it arrived with), ours for a lot we made."""
    return lot.supplier_lot_name or lot.name or ""


def _tlc_source(lot, made_at, company):
    """Who assigned the traceability lot code: the vendor of a received lot, or the place
    where we made the lot."""
    if lot.supplier_id:
        return _partner_text(lot.supplier_id)
    if lot in made_at:
        return _location_text(made_at[lot], company)
    return _partner_text(lot.company_id.partner_id or company.partner_id)


def _inputs_text(move_line):
    """The input lots of a transformation: traceability lot code, product and quantity."""
    return "; ".join(
        f"{_tlc(consumed.lot_id)} ({consumed.product_id.display_name}): "
        f"{consumed.quantity_product_uom:g} {consumed.product_id.uom_id.name}"
        for consumed in move_line.consume_line_ids
    )


def _local_iso(date, tz):
    return pytz.utc.localize(date).astimezone(tz).isoformat()


def _place(location, partner, company):
    """A location as the regulator reads it: a vendor's or customer's address, or our
    location and the address of its warehouse."""
    if location.usage in ("supplier", "customer") or (partner and location.usage == "transit"):
        return _partner_text(partner) or location.complete_name
    return _location_text(location, company)


def _partner_text(partner):
    if not partner:
        return ""
    address = ", ".join(part for part in (partner.street, partner.zip, partner.city) if part)
    return f"{partner.display_name} ({address})" if address else partner.display_name


def _location_text(location, company):
    warehouse = location.warehouse_id
    place = warehouse.partner_id or company.partner_id
    return f"{location.complete_name}, {_partner_text(place)}"
