from odoo import models

from ..reports import recall_xlsx
from ..reports.xlsx_download import download_action


# One concern of stock.recall per file (see stock_recall.py).
class StockRecall(models.Model):
    """Exports for the file and the regulator (trace, FSMA 204)."""

    _inherit = "stock.recall"  # pylint: disable=consider-merging-classes-inherited

    def action_export_trace_xlsx(self):
        self.ensure_one()
        return self._download(
            recall_xlsx.trace_lines(self), f"{self.name.replace('/', '-')}-trace.xlsx"
        )

    def action_export_fsma204_xlsx(self):
        self.ensure_one()
        return self._download(
            recall_xlsx.fsma204(self), f"{self.name.replace('/', '-')}-FSMA204.xlsx"
        )

    def _download(self, content, filename):
        attachment, action = download_action(self.env, content, filename, self)
        self.message_post(
            body=self.env._("Exported %(file)s.", file=filename),
            attachment_ids=attachment.ids,
            subtype_xmlid="mail.mt_note",
        )
        return action
