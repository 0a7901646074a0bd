{
    "name": "Lot FEFO & Recall",
    "summary": "Batch register, customer shelf-life FEFO, recalls and expiry write-off "
    "for dated stock",
    "version": "19.0.1.0.0",
    "category": "Inventory/Inventory",
    "website": "https://github.com/lot-fefo-recall/lot_fefo_recall",
    "author": "lot_fefo_recall developers",
    "license": "LGPL-3",
    "depends": ["sale_stock", "product_expiry"],
    "data": [
        "security/lot_fefo_recall_security.xml",
        "security/ir.model.access.csv",
        "views/stock_lot_views.xml",
        "views/stock_move_line_views.xml",
        "views/stock_picking_views.xml",
        "views/product_category_views.xml",
        "views/product_template_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "wizards/stock_receipt_shelf_life_wizard_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/lot_fefo_recall_demo.xml",
    ],
    "installable": True,
    "application": False,
}
