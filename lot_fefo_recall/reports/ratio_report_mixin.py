from odoo import models
from odoo.tools import SQL


class LotFefoRatioReportMixin(models.AbstractModel):
    """Reports whose percentage measures are ratios of sums.

    A rate such as "FEFO compliance" must weigh each row by its quantity, for whatever
    grouping the pivot asks for, which the ORM's per-row aggregates can not do. Models
    list them in ``_ratio_measures``: ``{field: (numerator field, denominator field)}``,
    and get ``100 * SUM(numerator) / SUM(denominator)`` for that field.
    """

    _name = "lot_fefo_recall.ratio.report.mixin"
    _description = "Report with ratio measures"
    _ratio_measures = {}

    def _read_group_select(self, aggregate_spec, query):
        measure = self._ratio_measures.get(aggregate_spec.split(":")[0])
        if measure:
            numerator, denominator = measure
            return SQL(
                "100.0 * SUM(%s) / NULLIF(SUM(%s), 0)",
                self._field_to_sql(self._table, numerator, query),
                self._field_to_sql(self._table, denominator, query),
            )
        return super()._read_group_select(aggregate_spec, query)
