"""Upgrades from 19.0.1.0.0.

- Lot numbers were generated from the company's pattern for every lot-tracked receipt
  line without a lot until 19.0.1.1.0, which asks for it with Generate Lot Numbers on
  Receipt (off in a new install). Companies upgraded from before keep generating.
- Trace lines now belong to the company of their event (the move's company), so that a
  record rule shows another company's deliveries only to that company's users; lines
  traced before kept the recall's company.
"""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE res_company
           SET lot_name_generation = TRUE
         WHERE COALESCE(lot_name_pattern, '') != ''
        """
    )
    cr.execute(
        """
        UPDATE stock_recall_line
           SET company_id = event_company_id
         WHERE event_company_id IS NOT NULL
           AND company_id IS DISTINCT FROM event_company_id
        """
    )
