"""EPCIS 2.0 export of the benchmark recall: one raw lot made into 130 lots over 3
manufacturing levels, the last level shipped in 2,000 customer deliveries (the world of
``recall_trace.py``, built by the same code).

    python3 benchmarks/epcis_export.py [--db DB] [--lines 100000] [--repeat 3]

The recall is traced once; then its EPCIS document is written (the Recall's "EPCIS 2.0"
button: events derived from the trace, the JSON-LD written event by event into the
attachment posted on the chatter), best of ``--repeat`` runs from emptied caches; the
document is then validated against GS1's EPCIS 2.0 JSON schema (tests/data/epcis).
The company, its warehouse and the customers have GLNs and the products GTINs, so that
every identifier is a GS1 Digital Link. Target: under 10 s.
"""

import json
import os

import jsonschema
from _odoo import REPO, measure, odoo_env, parse_args
from recall_trace import load

GLN_PREFIX = "540000"
SCHEMA = os.path.join(REPO, "lot_fefo_recall", "tests", "data", "epcis", "EPCIS-JSON-Schema.json")


def _check_digit(digits):
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def _gln(number):
    body = f"{GLN_PREFIX}{number:06d}"
    return body + _check_digit(body)


def _gtin(number):
    body = f"0950110153{number:03d}"
    return body + _check_digit(body)


def identify(env, lot):
    """GLNs for the company, its warehouse and the customers, GTINs for the products."""
    company = env.company
    company.gs1_gln = _gln(1)
    env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1).gs1_gln = _gln(2)
    customers = env["res.partner"].search([("name", "=like", "Customer %")])
    for index, customer in enumerate(customers, start=10):
        customer.gs1_gln = _gln(index)
    products = env["product.product"].search(
        [("name", "in", ["Raw", "Level 1", "Level 2", "Level 3"])]
    )
    for index, product in enumerate(products, start=1):
        product.gs1_gtin = _gtin(index)
    env.flush_all()


def main():
    args = parse_args(
        __doc__,
        modules="lot_fefo_recall,mrp",
        lines={"type": int, "default": 100_000},
        repeat={"type": int, "default": 3},
    )
    with odoo_env(args) as env:
        raw_lot = load(env, args.lines)
        identify(env, raw_lot)
        recall = env["stock.recall"].create(
            {"reason": "benchmark", "lot_ids": [(6, 0, raw_lot.ids)]}
        )
        recall.action_trace()
        runs = []
        for _i in range(args.repeat):
            with measure(env) as run:
                action = recall.action_export_epcis()
            runs.append(run)
        best = min(runs, key=lambda r: r["seconds"])
        attachment = env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        document = json.loads(attachment.raw)
        events = document["epcisBody"]["eventList"]
        kinds = {}
        for event in events:
            key = f"{event['type']} {event['bizStep']}"
            kinds[key] = kinds.get(key, 0) + 1
        size = len(attachment.raw)
        with open(SCHEMA, encoding="utf-8") as schema:
            errors = len(list(jsonschema.Draft7Validator(json.load(schema)).iter_errors(document)))
        lines = len(recall.line_ids)
        env.cr.rollback()

    print()
    print(
        f"EPCIS 2.0 export of the recall of lot R0 ({lines:,} trace lines), best of {args.repeat}:"
    )
    print(
        f"  action_export_epcis : {best['seconds']:8.3f} s  {best['queries']:5d} queries"
        f"  {len(events):,} events, {size / 1e6:.1f} MB"
    )
    for key, count in sorted(kinds.items()):
        print(f"    {key:35s} {count:6,d}")
    print(f"  GS1 EPCIS 2.0 JSON schema errors: {errors}")
    print("  target              : < 10 s")


if __name__ == "__main__":
    main()
