from . import stock_acceptable_stock_wizard
from . import stock_expiry_writeoff_wizard
from . import stock_lot_check_wizard
from . import stock_recall_wizard
from . import stock_receipt_scan_wizard
from . import stock_markdown_wizard
from . import stock_lot_complaint_decision_wizard
from . import stock_lot_date_wizard
