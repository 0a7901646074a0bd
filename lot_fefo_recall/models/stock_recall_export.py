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
        owner = self._get_export_owner(filename)
        attachment, action = download_action(self.env, content, filename, owner)
        self._post_export(filename, attachment, owner)
        return action

    def _get_export_owner(self, filename):
        """Where an export of the trace lines the user reads is kept: on the recall,
        unless it holds lines of another company than the recall's, which the
        recall's other readers may not see (then on a transient download record)."""
        self.ensure_one()
        if self.line_ids.company_id - self.company_id:
            return self.env["stock.xlsx.download"].create({"name": filename})
        return self

    def _post_export(self, filename, attachment, owner):
        self.ensure_one()
        if owner == self:
            self.message_post(
                body=self.env._("Exported %(file)s.", file=filename),
                attachment_ids=attachment.ids,
                subtype_xmlid="mail.mt_note",
            )
        else:
            self.message_post(
                body=self.env._(
                    "Exported %(file)s with trace lines of other companies: not kept "
                    "here, where users of this company alone would read them.",
                    file=filename,
                ),
                subtype_xmlid="mail.mt_note",
            )
