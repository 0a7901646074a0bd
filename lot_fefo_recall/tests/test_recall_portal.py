from odoo import Command, http
from odoo.tests import HttpCase, tagged

from .recall_letters_world import RecallLettersWorld


@tagged("post_install", "-at_install")
class TestRecallPortal(RecallLettersWorld, HttpCase):
    """The page a customer reaches from its letter: its own line, with its own token,
    nobody else's; one answer, with sensible quantities."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._build_letters_world()
        cls.alpine_line = cls._recall_customer(cls.alpine)
        cls.bistro_line = cls._recall_customer(cls.bistro)
        cls.alpine_token = cls.alpine_line._portal_ensure_token()
        cls.bistro_token = cls.bistro_line._portal_ensure_token()

    def _page(self, customer, token):
        url = f"/my/recall/{customer.id}"
        return self.url_open(f"{url}?access_token={token}" if token else url)

    def _post_answer(self, customer, token, **answer):
        self.authenticate(None, None)
        data = dict(
            {"received": "1", "csrf_token": http.Request.csrf_token(self)},
            **answer,
        )
        return self.url_open(f"/my/recall/{customer.id}/answer?access_token={token}", data=data)

    def test_only_its_own_token_opens_the_page(self):
        page = self._page(self.alpine_line, self.alpine_token)
        self.assertEqual(page.status_code, 200, page.text)
        self.assertIn("Alpine Grocers", page.text)
        self.assertIn("APR-1", page.text)
        self.assertNotIn("Bistro Nord", page.text)
        for token in ("wrong-token", self.bistro_token, None):
            page = self._page(self.alpine_line, token)
            self.assertEqual(page.status_code, 404, f"token {token}")
            self.assertNotIn("Alpine Grocers", page.text)
        # nor does an answer go through with another customer's token
        response = self._post_answer(self.alpine_line, self.bistro_token, on_hand_qty="1")
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.alpine_line.answered_on)
        self.assertFalse(self.bistro_line.answered_on)

    def test_mock_recall_has_no_answer_page(self):
        """A drill's customer line, even with its own token, opens no answer page and
        takes no answer."""
        mock = self.env["stock.recall"].create(
            {
                "reason": "Drill",
                "is_mock": True,
                "lot_ids": [Command.set(self.letters_lot.ids)],
            }
        )
        mock.action_trace()
        line = mock.customer_ids.filtered(lambda c: c.partner_id == self.alpine)
        token = line._portal_ensure_token()
        page = self._page(line, token)
        self.assertEqual(page.status_code, 404)
        self.assertNotIn("Alpine Grocers", page.text)
        response = self._post_answer(line, token, on_hand_qty="1")
        self.assertEqual(response.status_code, 404)
        self.assertFalse(line.answered_on)

    def test_answer_in_the_browser(self):
        self.start_tour(
            f"/my/recall/{self.alpine_line.id}?access_token={self.alpine_token}",
            "lot_fefo_recall_customer_answer",
            timeout=120,
        )
        line = self.alpine_line
        self.assertTrue(line.answered_on)
        self.assertEqual(line.state, "acknowledged")
        self.assertEqual(
            (
                line.answer_on_hand_qty,
                line.answer_destroyed_qty,
                line.answer_sold_on_qty,
                line.answer_return_qty,
            ),
            (10, 12, 8, 10),
        )
        self.assertEqual(line.answer_comment, "Dock stock set apart")
        self.assertEqual(line.returned_qty, 22)
        self.assertFalse(
            line.message_partner_ids & self.alpine, "answering makes nobody a follower"
        )
        # a second answer through the same link changes nothing
        response = self._post_answer(line, self.alpine_token, on_hand_qty="0", destroyed_qty="30")
        self.assertIn("already answered", response.text)
        self.assertEqual(line.answer_destroyed_qty, 12)

    def test_absurd_quantities_are_refused(self):
        for answer, error in (
            ({"on_hand_qty": "-3"}, "can not be negative"),
            ({"on_hand_qty": "1e300"}, "more than the 30"),
            ({"on_hand_qty": "lots"}, "lots is not a quantity"),
            ({"on_hand_qty": "nan"}, "nan is not a quantity"),
        ):
            response = self._post_answer(self.alpine_line, self.alpine_token, **answer)
            self.assertEqual(response.status_code, 200)
            self.assertIn(error, response.text)
            self.assertFalse(self.alpine_line.answered_on)
            self.assertFalse(self.alpine_line.returned_qty)
        response = self._post_answer(self.alpine_line, self.alpine_token, on_hand_qty="30")
        self.assertTrue(self.alpine_line.answered_on)
