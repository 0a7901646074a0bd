"""Re-run Odoo's own test classes with every installed module loaded.

Odoo runs most of `stock`'s tests while `stock` itself is being installed ("at_install"),
before any module that depends on it is in the registry, so those tests never see an
add-on such as lot_fefo_recall. This package gives each Odoo test class of the modules
named in the CORE_MODULES environment variable (default: "stock product_expiry") a
subclass tagged post_install, so Odoo runs it once the whole registry is loaded.

For every test module Odoo itself would load (the `test_*` modules imported by
`odoo.addons.<module>.tests`), a module `test_<module>__<name>` is created in this
package; it holds, for each test class defined there, a subclass of the same name
that inherits everything (setUpClass, helpers, tags) and exposes the class's own test
methods, the ones Odoo's loader (odoo/tests/loader.py) runs for that class. Nothing is
copied: the methods are Odoo's own function objects. Tags are inherited too, so a class
Odoo leaves out of a standard run ("-standard") stays out here.
"""

import importlib
import inspect
import os
import sys
import types
from unittest import case

from odoo.tests import tagged

DEFAULT_MODULES = "stock product_expiry"


def core_modules():
    """The Odoo modules whose tests are mirrored (CORE_MODULES, space or comma separated)."""
    names = os.environ.get("CORE_MODULES") or DEFAULT_MODULES
    return [name for name in names.replace(",", " ").split() if name]


def odoo_test_modules(module):
    """The test modules Odoo's loader runs for `module`, as it finds them."""
    package = importlib.import_module(f"odoo.addons.{module}.tests")
    return [
        member
        for name, member in inspect.getmembers(package, inspect.ismodule)
        if name.startswith("test_")
    ]


def odoo_test_classes(test_module):
    """The test classes Odoo's loader takes from `test_module` (defined there)."""
    for obj in list(vars(test_module).values()):
        if (
            isinstance(obj, type)
            and issubclass(obj, case.TestCase)
            and obj.__module__ == test_module.__name__
        ):
            yield obj


def own_test_methods(test_class):
    """The methods the loader runs for `test_class` itself (not those of its parents)."""
    return {
        name: method
        for name, method in vars(test_class).items()
        if name.startswith("test") and callable(method)
    }


def mirror_class(parent, module_name):
    """A post_install subclass of `parent` in `module_name` running parent's own tests."""
    namespace = dict(own_test_methods(parent))
    if not namespace and not getattr(parent, "allow_inherited_tests_method", False):
        return None  # a base class (e.g. TestStockCommon): no test of its own
    namespace.update(
        __module__=module_name,
        __qualname__=parent.__qualname__,
        __doc__=parent.__doc__,
    )
    mirrored = type(parent.__name__, (parent,), namespace)
    return tagged("post_install", "-at_install")(mirrored)


def install(package_globals):
    """Create the mirror modules inside the package whose globals() are given."""
    package_name = package_globals["__name__"]
    for module in core_modules():
        for source in odoo_test_modules(module):
            short_name = source.__name__.rsplit(".", 1)[1]
            name = f"test_{module}__{short_name.removeprefix('test_')}"
            mirror = types.ModuleType(f"{package_name}.{name}", source.__doc__)
            # Odoo reads the file of a failing test's class to point at the failing line.
            mirror.__file__ = source.__file__
            sys.modules[mirror.__name__] = mirror
            for parent in odoo_test_classes(source):
                mirrored = mirror_class(parent, mirror.__name__)
                if mirrored is not None:
                    setattr(mirror, parent.__name__, mirrored)
            package_globals[name] = mirror
