from odoo import models
from odoo.exceptions import AccessError

QUALITY_MANAGER_GROUP = "lot_fefo_recall.group_quality_manager"


class ResUsers(models.Model):
    _inherit = "res.users"

    def _is_lot_quality_manager(self):
        """Whether this user takes the quality decisions of lots: blocking, changing the
        batch register, accepting lots that fail a check, recalls, write-offs."""
        self.ensure_one()
        return self.has_group(QUALITY_MANAGER_GROUP)

    def _check_lot_quality_manager(self, message):
        """Raise ``message`` (the user's words for what only a quality manager may do)
        unless this user is one."""
        if not self._is_lot_quality_manager():
            raise AccessError(message)
