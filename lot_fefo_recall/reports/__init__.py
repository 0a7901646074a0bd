from . import ratio_report_mixin
from . import report_recall_letter
from . import stock_expiry_report
from . import stock_fefo_compliance_report
from . import stock_lot_gs1_label
from . import stock_waste_report
from . import xlsx_download
from . import stock_vendor_scorecard
