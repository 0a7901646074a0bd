import binascii
import logging
import os
from unittest.mock import patch

from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser

_logger = logging.getLogger(__name__)

SCREENSHOT_SIGNAL = "lot_fefo_recall:screenshot:"
RENDER_SIGNAL = "lot_dossier rendered in "
_render_messages = []
_handle_console = ChromeBrowser._handle_console


def _screenshot_on_signal(browser, type, args=None, **kwargs):  # pylint: disable=redefined-builtin
    """A tour step logs ``lot_fefo_recall:screenshot:<name>``: save the page as
    ``<LFR_SCREENSHOTS>/<name>.png`` (Chrome DevTools ``Page.captureScreenshot``)."""
    folder = os.environ.get("LFR_SCREENSHOTS")
    first = str(browser._from_remoteobject(args[0])) if args else ""
    if first.startswith(RENDER_SIGNAL):
        _render_messages.append(first)
    if folder and first.startswith(SCREENSHOT_SIGNAL):
        name = "".join(c for c in first[len(SCREENSHOT_SIGNAL) :] if c.isalnum() or c in "_-")

        def save(future):
            try:
                data = future.result(timeout=0)["data"]
            except Exception as error:  # a picture is a bonus, not the test
                _logger.warning("No screenshot %s: %s", name, error)
                return
            path = os.path.join(folder, f"{name}.png")
            with open(path, "wb") as png:
                png.write(binascii.a2b_base64(data))
            _logger.info("Screenshot saved: %s", path)

        os.makedirs(folder, exist_ok=True)
        future = browser._websocket_send("Page.captureScreenshot", with_future=True)
        if future:
            future.add_done_callback(save)
    return _handle_console(browser, type, args=args, **kwargs)


@tagged("post_install", "-at_install")
class TestLotDossierTour(HttpCase):
    """The lot dossier in a real browser: the demo's lot A, recalled, from its form to
    the dossier's graph and on to the customer who received it.

    ``LFR_SCREENSHOTS=<folder>`` saves the README's pictures there (lot_dossier.png,
    vendor_scorecard.png); ``LFR_RENDER_LOG=<file>`` appends the measured render time."""

    browser_size = "1440x900"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot = cls.env.ref("lot_fefo_recall.demo_lot_a", raise_if_not_found=False)
        if not cls.lot:
            return
        # The demo story's recall: Berry Fields' notice about lot A.
        wizard = (
            cls.env["stock.recall.wizard"]
            .with_context(active_model="stock.lot", active_ids=cls.lot.ids)
            .create({"reason": "Glass splinters reported by Berry Fields"})
        )
        cls.recall = cls.env["stock.recall"].browse(wizard.action_create_recall()["res_id"])
        cls.recall.action_trace()
        cls.recall.action_quarantine()

    def _start(self, url, tour):
        del _render_messages[:]
        with patch.object(ChromeBrowser, "_handle_console", _screenshot_on_signal):
            self.start_tour(url, tour, login="admin", timeout=180)

    def test_dossier_from_recalled_lot_to_customer(self):
        if not self.lot:
            self.skipTest("needs the demo data (lot A of the demo story)")
        self.assertTrue(self.lot.is_blocked)
        self._start(
            f"/odoo/action-stock.action_production_lot_form/{self.lot.id}",
            "lot_fefo_recall_lot_dossier",
        )
        # the dossier measured itself: time from opening to the graph drawn
        self.assertRegex(" ".join(_render_messages), r"rendered in \d+ ms")
        _logger.info("%s", " ".join(_render_messages))
        if os.environ.get("LFR_RENDER_LOG"):
            with open(os.environ["LFR_RENDER_LOG"], "a") as log:
                log.write("\n".join(_render_messages) + "\n")

    def test_scorecard_screenshot(self):
        """Only for the README's picture (LFR_SCREENSHOTS) and once the Vendor Scorecard
        menu exists."""
        if not os.environ.get("LFR_SCREENSHOTS"):
            self.skipTest("pictures only when LFR_SCREENSHOTS names a folder")
        menu = self.env["ir.ui.menu"].search(
            [
                ("name", "=", "Vendor Scorecard"),
                ("parent_id", "=", self.env.ref("stock.menu_warehouse_report").id),
            ],
            limit=1,
        )
        if not menu.action:
            self.skipTest("no Vendor Scorecard menu")
        self._start(f"/odoo/action-{menu.action.id}", "lot_fefo_recall_scorecard_screenshot")
