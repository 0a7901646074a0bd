.PHONY: test test-concurrency lint

# Fresh database, add-on installed from scratch, all tests, database dropped.
test:
	bash tools/run_tests.sh

# A real multi-worker Odoo server on loopback, driven by concurrent JSON-RPC clients.
test-concurrency:
	bash tools/run_concurrency.sh

lint:
	ruff check . && ruff format --check . && pylint --rcfile=.pylintrc lot_fefo_recall lot_fefo_recall_mrp
