"""The batch sizes of the add-on's crons, tunable per database as system parameters."""

import logging

_logger = logging.getLogger(__name__)


def get_batch_size(env, key, default):
    """The positive integer of system parameter ``key``, else ``default``. A value that
    is not one is ignored with a warning, so that a typo never stops a cron."""
    value = env["ir.config_parameter"].sudo().get_param(key)
    if value in (None, False, ""):
        return default
    try:
        size = int(str(value).strip())
    except ValueError:
        size = 0
    if size > 0:
        return size
    _logger.warning(
        "System parameter %s = %r is not a positive whole number: using %s.", key, value, default
    )
    return default
