from . import mrp_production
from . import product_template
from . import stock_lot
from . import stock_lot_dossier
from . import stock_move
from . import stock_move_line
