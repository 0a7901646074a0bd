from . import stock_fefo_compliance_report
from . import report_recall_letter
