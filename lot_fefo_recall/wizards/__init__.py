from . import stock_receipt_shelf_life_wizard
