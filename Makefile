.PHONY: test lint

# Fresh database, add-on installed from scratch, all tests, database dropped.
test:
	bash tools/run_tests.sh

lint:
	ruff check . && ruff format --check . && pylint --rcfile=.pylintrc lot_fefo_recall
