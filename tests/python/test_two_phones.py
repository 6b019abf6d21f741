"""Two phone apps through the Python bindings against the real server on loopback, on SQLite
and on PostgreSQL (issue 6, bullet 6): the wholesaler sells while offline, then syncs; the
salon, offline, sees nothing; after its sync it confirms the inbound offline and syncs again;
the regulator's trace shows the transfer; a recall then reaches the salon's app and blocks the
sale of that batch offline.

"Offline" is a phone opened on an address nothing answers on; its records and login persist
in its database file, and reopening it with the server's address brings the network back.
"""

import datetime
import os
import tempfile
import unittest

import harness

ffi = harness.load_bindings()

TODAY = datetime.date.today()
_made = (TODAY - datetime.timedelta(days=30)).replace(day=1)
MADE = _made.isoformat()
# The product's 36-month shelf life from MADE, as the core derives it (the day before).
EXPIRY = (_made.replace(year=_made.year + 3) - datetime.timedelta(days=1)).isoformat()
GTIN = "6941234567898"
BATCH = "B2611"


class Phone:
    """One app installation: its database file, reopened online or offline."""

    def __init__(self, folder, name):
        self.path = os.path.join(folder, name + ".db")
        self.app = None

    def open(self, url):
        self.app = ffi.App.open(self.path, url)
        return self.app


def line(product, qty):
    return ffi.TransactionLine(
        product_id=product.id, product_name=product.generic_name, gtin=GTIN, quantity=qty,
        unit="瓶", batch=BATCH, production_date=MADE, expiry_date=EXPIRY)


def document(owner, kind, counterparty, lines):
    doc_id = ffi.new_id()
    return ffi.Transaction(
        id=doc_id, enterprise_id=owner, kind=kind, number="APP-" + doc_id[:8],
        counterparty=counterparty, date=TODAY.isoformat(), contact="张三", phone="13800138000",
        lines=lines, status=ffi.RecordStatus.DRAFT(), corrects=None, reconciles=None, remarks="")


class TwoPhones:
    postgres = False

    def setUp(self):
        self.server = harness.Server(self.postgres)
        self.folder = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.server.close()
        self.folder.cleanup()

    def test_offline_sale_reaches_the_salon_and_a_recall_blocks_it_offline(self):
        server = self.server
        seller_id, seller_login = server.register(31, "兰州美源化妆品批发有限公司", "wholesaler")
        salon_id, salon_login = server.register(32, "城关区丽人美容院", "beauty_salon")
        wholesaler, salon = Phone(self.folder.name, "wholesaler"), Phone(self.folder.name, "salon")
        # Each phone logs in once, online; the login is kept in its database.
        self.assertEqual(wholesaler.open(server.url).log_in(seller_login, harness.PASSWORD).enterprise_id,
                         seller_id)
        self.assertEqual(salon.open(server.url).log_in(salon_login, harness.PASSWORD).enterprise_id,
                         salon_id)

        # Offline, the wholesaler adds a product, books 100 in and sells 30 to the salon.
        w = wholesaler.open(harness.OFFLINE_URL)
        product = w.save_product(ffi.Product(
            id=ffi.new_id(), owner=seller_id, generic_name="舒唯雅皮肤身体护肤霜", brand="舒唯雅",
            registration_number="国妆特字G20210001", registrant="广州舒唯雅化妆品有限公司",
            manufacturer="广州舒唯雅化妆品有限公司", specification="50g", shelf_life_months=36,
            attachments=[], status=ffi.RecordStatus.DRAFT()), [])
        inbound = document(seller_id, ffi.TransactionKind.FINISHED_GOODS_INBOUND, None, [line(product, 100)])
        w.save_draft(inbound, [])
        w.submit(inbound.id, None, [])
        to_salon = ffi.Counterparty(partner_id=None, name="城关区丽人美容院", uscc=salon_login,
                                    enterprise_id=salon_id)
        sale = document(seller_id, ffi.TransactionKind.SALES_OUTBOUND, to_salon, [line(product, 30)])
        w.save_draft(sale, [])
        submitted = w.submit(sale.id, None, [])
        self.assertTrue(submitted.status.is_SUBMITTED())
        with self.assertRaises(ffi.ApiError.Network):
            w.sync_now()
        status = w.sync_status()
        self.assertEqual(status.pending_changes, 5)
        self.assertIsNotNone(status.last_error)

        # The salon, offline, sees nothing of it.
        s = salon.open(harness.OFFLINE_URL)
        self.assertEqual(s.reconciliation_items(), [])

        # The network returns for the wholesaler: everything goes up once.
        w = wholesaler.open(server.url)
        report = w.sync_now()
        self.assertEqual((report.pushed, report.rejected), (5, 0), w.rejections())
        self.assertEqual(w.sync_status().pending_changes, 0)
        self.assertEqual([(l.batch, l.held) for l in w.stock()], [(BATCH, 70)])

        # The salon syncs: the seller's outbound waits in its reconciliation inbox.
        s = salon.open(server.url)
        s.sync_now()
        inbox = s.reconciliation_items()
        self.assertEqual(len(inbox), 1)
        item = inbox[0]
        self.assertEqual((item.source, item._from, item.to), (sale.id, seller_id, salon_id))
        self.assertTrue(item.state.is_PENDING())

        # Offline, the salon confirms the inbound as sent; its stock counts it at once.
        s = salon.open(harness.OFFLINE_URL)
        from_seller = ffi.Counterparty(partner_id=None, name="兰州美源化妆品批发有限公司",
                                       uscc=seller_login, enterprise_id=seller_id)
        confirmed = s.confirm_reconciliation(item.id, ffi.Confirmation(
            document_id=ffi.new_id(), number="RK-" + sale.number, date=TODAY.isoformat(),
            counterparty=from_seller, contact="李四", phone="13900139000", lines=None, reason=None),
            None, [])
        self.assertEqual(confirmed.reconciles, item.id)
        self.assertEqual([(l.batch, l.held) for l in s.stock()], [(BATCH, 30)])
        with self.assertRaises(ffi.ApiError.Network):
            s.sync_now()
        s = salon.open(server.url)
        report = s.sync_now()
        self.assertEqual(report.rejected, 0, s.rejections())
        self.assertEqual(s.sync_status().pending_changes, 0)
        self.assertTrue(s.reconciliation_items()[0].state.is_CONFIRMED())

        # At the regulator's desk, the trace of the batch shows the transfer to the salon.
        regulator = server.regulator("620000")
        trace = server.call("GET", f"/api/v1/regulator/trace?product_id={product.id}&batch={BATCH}",
                            token=regulator)
        held = {n["enterprise_id"]: n["held"] for n in trace["nodes"]}
        self.assertEqual(held, {seller_id: 70, salon_id: 30}, trace)

        # The regulator recalls the batch; the salon's next sync brings the recall.
        server.call("POST", "/api/v1/regulator/recalls", {
            "product_id": product.id, "batches": [BATCH], "level": "one",
            "reason": "菌落总数超标", "scope": "甘肃省"}, token=regulator, expect=201)
        s.sync_now()
        recalls = s.recalls()
        self.assertEqual([(r.product_id, r.batches) for r in recalls], [(product.id, [BATCH])])
        [mine] = recalls[0].progress
        self.assertEqual((mine.enterprise_id, mine.quantity_held, mine.acknowledged_at), (salon_id, 30, None))

        # Offline again, the salon cannot sell the recalled batch, and the inspector's scan
        # of it fails on the recall.
        s = salon.open(harness.OFFLINE_URL)
        walk_in = ffi.Counterparty(partner_id=None, name="散客", uscc=None, enterprise_id=None)
        resale = document(salon_id, ffi.TransactionKind.SALES_OUTBOUND, walk_in, [line(product, 1)])
        s.save_draft(resale, [])
        with self.assertRaises(ffi.ApiError.Invalid) as refused:
            s.submit(resale.id, None, [])
        self.assertEqual([p.rule for p in refused.exception.problems], ["sale.recalled"])
        [scanned] = [ffi.CodeFields(kind=ffi.CodeKind.GTIN, gtin="0" + GTIN, batch=None,
                                    production_date=None, expiry=None, serial=None, trace_code=None,
                                    registration_number=None, url=None)]
        verdict = s.verdict(scanned, BATCH)
        self.assertEqual(verdict.overall, ffi.Outcome.FAIL)
        recall_check = [c for c in verdict.checks if c.item == ffi.CheckItem.RECALL][0]
        self.assertEqual(recall_check.outcome, ffi.Outcome.FAIL)
        self.assertIn("菌落总数超标", recall_check.message_zh)
        # The product reached the salon's library with the sale, so its filing is checked too.
        registration = [c for c in verdict.checks if c.item == ffi.CheckItem.REGISTRATION][0]
        self.assertEqual(registration.outcome, ffi.Outcome.PASS, registration.message_en)
        self.assertEqual([p.registration_number for p in s.products("", 10)], ["国妆特字G20210001"])

        # Still offline, the salon acknowledges the recall and reports what it sent back; more
        # than it held is refused on the phone, in its language.
        s.set_language(ffi.Lang.EN)
        with self.assertRaises(ffi.ApiError.Invalid) as too_many:
            s.report_recall(recalls[0].id, 25, 10)
        self.assertIn("30", too_many.exception.reason)
        s.acknowledge_recall(recalls[0].id)
        s.report_recall(recalls[0].id, 20, 10)
        s = salon.open(server.url)
        report = s.sync_now()
        self.assertEqual(report.rejected, 0, s.rejections())
        seen = server.call("GET", f"/api/v1/regulator/recalls/{recalls[0].id}", token=regulator)
        [row] = [h for h in seen["holders"] if h["enterprise_id"] == salon_id]
        self.assertIsNotNone(row["acknowledged_at"], row)
        self.assertEqual((row["quantity_returned"], row["quantity_destroyed"]), (20, 10), row)


class OnSqlite(TwoPhones, unittest.TestCase):
    postgres = False


class OnPostgres(TwoPhones, unittest.TestCase):
    postgres = True


if __name__ == "__main__":
    unittest.main()
