.PHONY: test test-concurrency test-core lint

# Fresh database, add-on installed from scratch, all tests, database dropped.
test:
	bash tools/run_tests.sh

# A real multi-worker Odoo server on loopback, driven by concurrent JSON-RPC clients.
test-concurrency:
	bash tools/run_concurrency.sh

# Odoo's own test classes (CORE_MODULES, default "stock product_expiry") on a database
# with the add-on and one without: fails if a test fails only with the add-on.
test-core:
	bash tools/run_core_tests.sh

lint:
	ruff check . && ruff format --check . && pylint --rcfile=.pylintrc lot_fefo_recall lot_fefo_recall_mrp tests/core/lot_fefo_recall_core_tests
