"""Lot numbers were generated from the company's pattern for every lot-tracked receipt
line without a lot until 19.0.1.1.0, which asks for it with Generate Lot Numbers on
Receipt (off in a new install). Companies upgraded from before keep generating."""


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
