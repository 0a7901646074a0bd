import io
import logging
import re
from collections import defaultdict

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools.pdf import PdfFileReader, PdfFileWriter

from ..models.input_guard import is_id, shorten

_logger = logging.getLogger(__name__)

LETTER_REPORT = "lot_fefo_recall.action_report_recall_letter"


class ReportRecallLetter(models.AbstractModel):
    """The letters of a recall, one per customer, in one document: printed for the
    customers without email, and rendered a batch at a time by the letters cron, which
    splits the PDF per customer."""

    _name = "report.lot_fefo_recall.report_recall_letter"
    _description = "Recall Letters"

    @api.model
    def _get_report_values(self, docids, data=None):
        """``data['customer_ids']`` restricts the letters to some customers."""
        recalls = self.env["stock.recall"].browse(docids)
        customers = recalls.customer_ids
        customer_ids = (data or {}).get("customer_ids")
        if customer_ids:
            # The report route hands over whatever its URL says.
            if not isinstance(customer_ids, list) or not all(map(is_id, customer_ids)):
                raise UserError(
                    self.env._(
                        "The letters to print are chosen by customer lines, not %(value)s.",
                        value=shorten(customer_ids),
                    )
                )
            customers = customers.filtered(lambda c: c.id in customer_ids)
        return {
            "doc_ids": docids,
            "doc_model": "stock.recall",
            "docs": recalls,
            "customers": customers,
            "lines_by_customer": self._get_delivery_lines(customers),
        }

    @api.model
    def _get_delivery_lines(self, customers):
        """The affected deliveries of each customer, read at once for all of them."""
        lines = self.env["stock.recall.line"].search(
            [
                ("recall_id", "in", customers.recall_id.ids),
                ("partner_id", "in", customers.partner_id.ids),
                ("line_type", "=", "delivery"),
            ],
            order="date, id",
        )
        by_key = defaultdict(lambda: self.env["stock.recall.line"])
        for line in lines:
            by_key[line.recall_id.id, line.partner_id.id] |= line
        return {
            customer.id: by_key[customer.recall_id.id, customer.partner_id.id]
            for customer in customers
        }

    @api.model
    def _render_letters(self, customers):
        """``{customer id: PDF bytes}`` for customers of one recall, rendered in one
        wkhtmltopdf run.

        The letters are one document (one wkhtmltopdf input: Debian's wkhtmltopdf, built
        on unpatched Qt, converts no more than one), each letter starting on a new page
        with its reference; the PDF is split where each reference first appears.
        """
        recall = customers.recall_id
        recall.ensure_one()
        # The mail needs the PDF, also when tests render reports as HTML.
        pdf, _format = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(LETTER_REPORT, recall.ids, data={"customer_ids": customers.ids})
        )
        reader = PdfFileReader(io.BytesIO(pdf))
        starts = self._letter_first_pages(reader, customers)
        if starts is None:
            _logger.warning(
                "Recall %s: letters not found page by page; rendering them one by one.",
                recall.name,
            )
            return {
                customer.id: self._render_letters(customer)[customer.id] for customer in customers
            }
        letters = {}
        ends = [*starts[1:], len(reader.pages)]
        for customer, start, end in zip(customers, starts, ends, strict=True):
            writer = PdfFileWriter()
            for page in reader.pages[start:end]:
                writer.add_page(page)
            stream = io.BytesIO()
            writer.write(stream)
            letters[customer.id] = stream.getvalue()
        return letters

    @api.model
    def _letter_first_pages(self, reader, customers):
        """Index of each customer's first page, in order, or None when the PDF does not
        show them (a reference missing or out of order)."""
        if len(customers) == 1:
            # One letter is the whole document: nothing to split (and no reason to render
            # it again one by one, which would render it again and again).
            return [0]
        if len(reader.pages) == len(customers):
            # Each letter starts a page: as many pages as letters is one page each.
            return list(range(len(customers)))
        starts = []
        references = iter(customers)
        expected = next(references)
        for index, page in enumerate(reader.pages):
            if expected and self._reference_pattern(expected).search(page.extract_text()):
                starts.append(index)
                expected = next(references, None)
        return starts if len(starts) == len(customers) else None

    @api.model
    def _reference_pattern(self, customer):
        return re.compile(re.escape(customer._letter_reference()) + r"(?!\d)")
