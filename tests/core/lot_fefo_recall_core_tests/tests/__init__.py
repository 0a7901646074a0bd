# Odoo's test loader imports this package and runs the classes of its `test_*` modules:
# mirror.install() creates one such module per Odoo test module of CORE_MODULES.
from . import mirror

mirror.install(globals())
