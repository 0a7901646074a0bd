from . import test_batch_register
from . import test_demo_story
from . import test_expiry
from . import test_lot_numbering
from . import test_fefo_reservation
from . import test_receipt_shelf_life
from . import test_recall
from . import test_shelf_life_rules
