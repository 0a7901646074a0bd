from . import stock_fefo_compliance_report
