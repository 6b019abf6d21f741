"""Unit codes (一物一码) from a phone through the Python bindings against the real server, on
SQLite and PostgreSQL (issues 6 and 8): a manufacturer's phone scans its production inbound
with no signal; a malformed scan is refused on the phone; after the sync the audit is on the
phone with the batch document it was recorded as, and a scanned code's history is one call.
"""

import os
import tempfile
import unittest
import urllib.request

import harness

ffi = harness.load_bindings()


class UnitCodes:
    postgres = False

    def setUp(self):
        self.server = harness.Server(self.postgres)
        self.folder = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.server.close()
        self.folder.cleanup()

    def test_scans_queued_offline_are_audited_after_the_sync(self):
        server = self.server
        maker_id, login = server.register(51, "兰州舒唯雅化妆品厂", "registrant_manufacturer")
        path = os.path.join(self.folder.name, "maker.db")
        app = ffi.App.open(path, server.url)
        app.log_in(login, harness.PASSWORD)
        product = app.save_product(ffi.Product(
            id=ffi.new_id(), owner=maker_id, generic_name="舒唯雅皮肤身体护肤霜", brand="舒唯雅",
            registration_number="国妆特字G20210001", registrant="兰州舒唯雅化妆品厂",
            manufacturer="兰州舒唯雅化妆品厂", specification="50g", shelf_life_months=36,
            attachments=[], status=ffi.RecordStatus.DRAFT()), [])
        app.sync_now()
        token = server.login(login, harness.PASSWORD)
        application = server.call("POST", "/api/v1/unit-codes/applications",
                                  {"product_id": product.id, "batch": "SN01", "quantity": 4},
                                  token=token, expect=201)
        req = urllib.request.Request(
            f"{server.url}/api/v1/unit-codes/applications/{application['id']}/codes.csv")
        req.add_header("Authorization", "Bearer " + token)
        with urllib.request.urlopen(req, timeout=30) as res:
            codes = [l.split(",")[0] for l in res.read().decode().splitlines()[1:]]
        self.assertEqual(len(codes), 4)

        # No signal: the scans are kept; a malformed one is refused on the phone.
        offline = ffi.App.open(path, harness.OFFLINE_URL)
        with self.assertRaises(ffi.ApiError.Invalid):
            offline.upload_units(ffi.UploadKind.INBOUND, "RK-1", None, ["123"])
        upload_id = offline.upload_units(ffi.UploadKind.INBOUND, "RK-1", None, codes)
        [queued] = offline.unit_uploads()
        self.assertTrue(queued.is_QUEUED())
        with self.assertRaises(ffi.ApiError.Network):
            offline.sync_now()

        # Back online: the audit and the batch document arrive.
        online = ffi.App.open(path, server.url)
        report = online.sync_now()
        self.assertEqual(report.rejected, 0, online.rejections())
        [done] = online.unit_uploads()
        self.assertTrue(done.is_AUDITED())
        result = done.result
        self.assertEqual((result.id, result.accepted, result.refused), (upload_id, 4, 0))
        self.assertTrue(result.document.derived)
        self.assertIn("RK-1", [d.number for d in online.documents(ffi.DocumentQuery(
            keyword=None, submitted=None, limit=None, offset=None))])
        self.assertEqual([(l.batch, l.held) for l in online.stock()], [("SN01", 4)])

        view = online.look_up_unit(codes[0])
        self.assertEqual([e.action for e in view.history], ["issue", "receive"])
        self.assertTrue(view.state.is_IN_STOCK())
        self.assertEqual(view.product_name, "舒唯雅皮肤身体护肤霜")


class OnSqlite(UnitCodes, unittest.TestCase):
    postgres = False


class OnPostgres(UnitCodes, unittest.TestCase):
    postgres = True


if __name__ == "__main__":
    unittest.main()
