from odoo import api, models


class ReportRecallLetter(models.AbstractModel):
    _name = "report.lot_fefo_recall.report_recall_letter"
    _description = "Recall Letter"

    @api.model
    def _get_report_values(self, docids, data=None):
        """One page per affected customer; ``data['customer_ids']`` restricts the
        letter to some customers (each customer's email carries only its own page)."""
        recalls = self.env["stock.recall"].browse(docids)
        customer_ids = (data or {}).get("customer_ids")
        pages = []
        for recall in recalls:
            customers = recall.customer_ids
            if customer_ids:
                customers = customers.filtered(lambda c: c.id in customer_ids)
            for customer in customers:
                pages.append(
                    {
                        "recall": recall,
                        "customer": customer,
                        "lines": recall.line_ids.filtered(
                            lambda line, customer=customer: (
                                line.line_type == "delivery"
                                and line.partner_id == customer.partner_id
                            )
                        ).sorted("date"),
                    }
                )
        return {"doc_ids": docids, "doc_model": "stock.recall", "docs": recalls, "pages": pages}
