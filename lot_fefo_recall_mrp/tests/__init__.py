from . import test_blocked_components
from . import test_component_expiry
from . import test_component_reservation
from . import test_lot_dossier_mrp
from . import test_invariants_random_mrp
