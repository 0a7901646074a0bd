"""Hand an XLSX built on the server to the browser."""

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_action(env, content, filename, record=None):
    """Store ``content`` as an attachment (on ``record`` when given) and return the
    action that downloads it."""
    attachment = env["ir.attachment"].create(
        {
            "name": filename,
            "raw": content,
            "mimetype": XLSX_MIMETYPE,
            "res_model": record._name if record else False,
            "res_id": record.id if record else False,
        }
    )
    return attachment, {
        "type": "ir.actions.act_url",
        "url": f"/web/content/{attachment.id}?download=true",
        "target": "download",
    }
