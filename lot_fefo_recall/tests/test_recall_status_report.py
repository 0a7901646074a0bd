import io
import subprocess
import tempfile

import openpyxl
from freezegun import freeze_time

from odoo.tests import tagged

from .recall_strategy_world import RecallStrategyCase


@tagged("post_install", "-at_install")
class TestRecallStatusReport(RecallStrategyCase):
    """The status report of 21 CFR 7.53: Big Box and Gift Store were emailed, Gift
    Store answered; Corner Shop has not been told yet. Level C drew one consignee."""

    def _status_recall(self):
        recall = self._recall(check_level="c", recall_depth="retail", public_warning=True)
        manager_recall = recall.with_user(self.quality_manager)
        manager_recall.action_quarantine()
        manager_recall.date_expected_completion = "2026-07-15"
        customers = {c.partner_id: c for c in recall.customer_ids}
        with freeze_time("2026-06-02 09:00:00"):
            (customers[self.customer] | customers[self.gift_store]).write(
                {"notified_on": "2026-06-02 09:00:00"}
            )
        with freeze_time("2026-06-03 09:00:00"):
            customers[self.gift_store]._record_answer(
                {"on_hand_qty": 6, "destroyed_qty": 4, "return_qty": 6, "sold_on_qty": 0}
            )
        manager_recall.action_draw_checks()
        recall.check_ids.write(
            {
                "contacted_on": "2026-06-05",
                "method": "phone",
                "result": "received_on_hand",
                "on_hand_qty": 3,
                "note": "Found three jars on the shelf",
            }
        )
        return recall

    def test_status_report_pdf(self):
        recall = self._status_recall()
        pdf, _format = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("lot_fefo_recall.action_report_recall_status", res_ids=recall.ids)
        )
        self.assertTrue(pdf.startswith(b"%PDF"))
        with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
            file.write(pdf)
            file.flush()
            text = subprocess.run(
                ["pdftotext", "-layout", file.name, "-"],
                capture_output=True,
                check=True,
                text=True,
            ).stdout
        text = " ".join(text.split())
        for expected in (
            f"Recall Status Report {recall.name}",
            "Depth: Retail",
            "Public warning: Yes",
            "Effectiveness check level: C: 10 % of consignees",
            "2 of 3 consignees notified",
            "Not yet notified: Corner Shop",
            "Consignees responding: 1.",
            "Consignees notified who have not responded: 1 (Big Box Retail)",
            "Strawberry Pulp",
            "kg",
            "1 required by level C: 0 passed, 1 failed",
            "Check level not reached",
            "Notice received, product still on hand",
            "Found three jars on the shelf",
            "expected to be completed by 07/15/2026",
        ):
            self.assertIn(expected, text)

    def test_status_report_xlsx(self):
        recall = self._status_recall()
        action = recall.with_user(self.quality_manager).action_export_status_xlsx()
        attachment = self.env["ir.attachment"].browse(
            int(action["url"].split("/")[3].split("?")[0])
        )
        self.assertEqual((attachment.res_model, attachment.res_id), ("stock.recall", recall.id))
        book = openpyxl.load_workbook(io.BytesIO(attachment.raw))
        self.assertEqual(
            book.sheetnames, ["Status", "Consignees", "Products", "Effectiveness Checks"]
        )
        status = {row[0]: row[1] for row in book["Status"].iter_rows(values_only=True)}
        self.assertEqual(status["Consignees notified"], 2)
        self.assertEqual(status["Consignees not yet notified"], 1)
        self.assertEqual(status["Consignees responding"], 1)
        self.assertEqual(status["Consignees not responding"], 1)
        self.assertEqual(status["Effectiveness checks failed"], 1)
        self.assertEqual(status["Expected completion"].date().isoformat(), "2026-07-15")
        consignees = {
            row[0]: row for row in book["Consignees"].iter_rows(min_row=2, values_only=True)
        }
        gift = consignees["Gift Store"]
        self.assertEqual((gift[4], gift[6], gift[7], gift[9]), ("Email", 6, 4, 10))
        self.assertIsNone(consignees["Corner Shop"][3], "not notified")
        products = {row[0]: row for row in book["Products"].iter_rows(min_row=2, values_only=True)}
        self.assertEqual(products["Strawberry Pulp"][1], "kg")
        self.assertEqual(products["Strawberry Pulp"][4], 50)
        checks = list(book["Effectiveness Checks"].iter_rows(min_row=2, values_only=True))
        self.assertEqual(len(checks), 1)
        self.assertEqual(checks[0][4], "Notice received, product still on hand")
