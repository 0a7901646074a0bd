from . import stock_lot_check_wizard
