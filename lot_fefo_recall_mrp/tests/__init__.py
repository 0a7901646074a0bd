from . import test_component_expiry
from . import test_component_reservation
