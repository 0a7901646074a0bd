from . import stock_lot_check_wizard
from . import stock_recall_wizard
