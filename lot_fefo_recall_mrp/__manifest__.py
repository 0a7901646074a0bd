{
    "name": "Lot FEFO & Recall - Manufacturing",
    "summary": "Manufactured lots inherit the earliest expiry of their components; "
    "components reserved for a customer's shelf life rule",
    "version": "19.0.1.0.0",
    "category": "Supply Chain/Manufacturing",
    "website": "https://github.com/lot-fefo-recall/lot_fefo_recall",
    "author": "lot_fefo_recall developers",
    "license": "LGPL-3",
    "depends": ["lot_fefo_recall", "mrp", "sale_mrp"],
    "data": [
        "views/product_template_views.xml",
        "views/stock_lot_views.xml",
        "views/mrp_production_views.xml",
        "wizards/stock_lot_force_wizard_views.xml",
    ],
    "installable": True,
    "auto_install": True,
    "application": False,
}
