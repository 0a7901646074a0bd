from . import test_batch_register
from . import test_demo_story
from . import test_lot_numbering
from . import test_receipt_shelf_life
