from . import stock_lot_force_wizard
