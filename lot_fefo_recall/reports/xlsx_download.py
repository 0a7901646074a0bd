"""Hand an XLSX built on the server to the browser, leaving no file nobody owns."""

from odoo import fields, models

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class StockXlsxDownload(models.TransientModel):
    """Owner of a file downloaded from a screen with no record to keep it on (the
    expiry review): Odoo vacuums transient records, and the file with them."""

    _name = "stock.xlsx.download"
    _description = "XLSX Download"
    _inherit = ["lot_fefo_recall.input.guard"]

    name = fields.Char(required=True)


def download_action(env, content, filename, record=None):
    """Store ``content`` as an attachment of ``record``, or of a transient download
    record when there is none, and return it with the action that downloads it."""
    record = record or env["stock.xlsx.download"].create({"name": filename})
    attachment = env["ir.attachment"].create(
        {
            "name": filename,
            "raw": content,
            "mimetype": XLSX_MIMETYPE,
            "res_model": record._name,
            "res_id": record.id,
        }
    )
    return attachment, {
        "type": "ir.actions.act_url",
        "url": f"/web/content/{attachment.id}?download=true",
        "target": "download",
    }
