from . import product_category
from . import product_template
from . import res_company
from . import res_config_settings
from . import res_partner
from . import stock_lot
from . import stock_move_line
from . import stock_picking
