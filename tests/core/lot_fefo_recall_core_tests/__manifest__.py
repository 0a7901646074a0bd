{
    "name": "Lot FEFO & Recall: Odoo's own tests (test-only)",
    "summary": "Re-runs Odoo's own stock and product_expiry test classes after every "
    "module is loaded; used by `make test-core`, never installed by users",
    "version": "19.0.1.0.0",
    "category": "Hidden/Tests",
    "website": "https://github.com/lot-fefo-recall/lot_fefo_recall",
    "author": "lot_fefo_recall developers",
    "license": "LGPL-3",
    # Deliberately NOT lot_fefo_recall: tools/run_core_tests.sh installs this module on a
    # database with the add-on and on one without it, and compares. The other Odoo modules
    # whose tests are re-run (CORE_MODULES) are installed next to it by the script.
    "depends": ["stock", "product_expiry"],
    "installable": True,
    "auto_install": False,
}
