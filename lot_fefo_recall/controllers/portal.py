import math

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..models.stock_recall_customer import ANSWER_QUANTITIES


class RecallPortal(CustomerPortal):
    """The page a recalled customer reaches from its letter: no login, only the
    personal token of its own line on the recall."""

    def _recall_customer_or_none(self, customer_id, access_token):
        """The customer's line (sudo) when the token is its own and the recall is a
        real one; None otherwise, so that a wrong token learns nothing, not even that
        the line exists."""
        if not (access_token or "").isascii():
            # Tokens are ASCII; the constant-time comparison refuses anything else.
            return None
        try:
            customer_sudo = self._document_check_access(
                "stock.recall.customer", customer_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return None
        # A mock recall is a drill: nobody answers it.
        return None if customer_sudo.recall_id.is_mock else customer_sudo

    def _render_recall_answer(self, customer_sudo, access_token, **values):
        if customer_sudo.partner_id.lang:
            request.update_context(lang=customer_sudo.partner_id.lang)
        lines = request.env["report.lot_fefo_recall.report_recall_letter"].sudo()
        return request.render(
            "lot_fefo_recall.portal_recall_answer",
            {
                "customer": customer_sudo,
                "recall": customer_sudo.recall_id,
                "lines": lines._get_delivery_lines(customer_sudo)[customer_sudo.id],
                "access_token": access_token,
                **values,
            },
        )

    # website=True: a frontend request, rendered with the portal layout and languages.
    @http.route("/my/recall/<int:customer_id>", type="http", auth="public", website=True)
    def portal_recall_answer(self, customer_id, access_token=None, **kwargs):
        customer_sudo = self._recall_customer_or_none(customer_id, access_token)
        if not customer_sudo:
            return request.not_found()
        return self._render_recall_answer(customer_sudo, access_token)

    @http.route(
        "/my/recall/<int:customer_id>/answer",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_recall_answer_post(self, customer_id, access_token=None, **post):
        customer_sudo = self._recall_customer_or_none(customer_id, access_token)
        if not customer_sudo:
            return request.not_found()
        try:
            if not post.get("received"):
                raise UserError(request.env._("Please confirm that you received the letter."))
            answer = {key: self._parse_quantity(post.get(key)) for key in ANSWER_QUANTITIES}
            answer["comment"] = post.get("comment")
            customer_sudo._record_answer(answer)
        except UserError as error:
            return self._render_recall_answer(
                customer_sudo, access_token, error=error.args[0], post=post
            )
        return request.redirect(customer_sudo.get_portal_url())

    @staticmethod
    def _parse_quantity(text):
        text = (text or "").strip().replace(",", ".")
        if not text:
            return 0.0
        try:
            quantity = float(text)
        except ValueError:
            quantity = math.nan
        if not math.isfinite(quantity):
            raise UserError(
                request.env._("%(text)s is not a quantity: write a number.", text=text)
            )
        return quantity
