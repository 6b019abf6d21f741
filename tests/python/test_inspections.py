"""Field inspections from a regulator's phone through the Python bindings against the real
server, on SQLite and PostgreSQL (issue 5): the inspector logs in on the phone, records a
visit to a salon in a basement with no signal (a scanned item with the phone's verdict, the
findings, a photo), and after the sync the regulator's desk lists it with the photo; the
photo's bytes have left the phone. An inspector of another province is refused, and the
phone shows the refusal with its reason.
"""

import datetime
import os
import tempfile
import unittest
import urllib.request

import harness

ffi = harness.load_bindings()

PNG = bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])


def visit(salon_id, verdict, photos):
    return ffi.NewInspection(
        id=ffi.new_id(), enterprise_id=salon_id, date=datetime.date.today().isoformat(),
        inspectors=["李检查"],
        items=[ffi.InspectedItem(code="(01)06941234567898(10)B1", product_id=None,
                                 product_name="舒唯雅皮肤身体护肤霜", batch="B1",
                                 verdict=verdict, note="货架第二层")],
        findings="未见进货记录，已责令整改", photos=photos)


class Inspections:
    postgres = False

    def setUp(self):
        self.server = harness.Server(self.postgres)
        self.folder = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.server.close()
        self.folder.cleanup()

    def test_an_inspection_recorded_offline_reaches_the_regulators_desk(self):
        server = self.server
        salon_id, _ = server.register(61, "城关区丽人美容院", "beauty_salon")
        desk = server.regulator("620100")
        server.regulator("510000")
        path = os.path.join(self.folder.name, "inspector.db")
        session = ffi.App.open(path, server.url).log_in("reg-620100", harness.PASSWORD)
        self.assertEqual((session.enterprise_id, session.region_code), (None, "620100"))
        self.assertIsNotNone(session.regulator_id)

        # In the basement: the verdict on a scan, then the inspection, kept and queued.
        offline = ffi.App.open(path, harness.OFFLINE_URL)
        fields = ffi.CodeFields(kind=ffi.CodeKind.GS1, gtin="06941234567898", batch="B1",
                                production_date=None, expiry=None, serial=None, trace_code=None,
                                registration_number=None, url=None)
        verdict = offline.verdict(fields, None)
        with self.assertRaises(ffi.ApiError.Invalid) as refused:
            offline.record_inspection(visit(salon_id, verdict, [ffi.PhotoInput(
                file_name="report.pdf", data=b"%PDF-1.4")]))
        self.assertEqual([(p.field, p.rule) for p in refused.exception.problems],
                         [("photos[0].data", "photo.type")])
        kept = offline.record_inspection(visit(salon_id, verdict, [ffi.PhotoInput(
            file_name="shelf.png", data=PNG)]))
        self.assertTrue(kept.sync.is_PENDING())
        [photo] = kept.photos
        self.assertEqual((photo.content_type, photo.on_phone, photo.uploaded), ("image/png", True, False))
        with self.assertRaises(ffi.ApiError.Network):
            offline.sync_now()

        # Back online: the photo, then the inspection.
        online = ffi.App.open(path, server.url)
        report = online.sync_now()
        self.assertEqual((report.pushed, report.rejected), (1, 0), online.rejections())
        [done] = online.inspections()
        self.assertTrue(done.sync.is_SYNCED())
        self.assertEqual((done.photos[0].uploaded, done.photos[0].on_phone), (True, False))
        self.assertIsNone(online.inspection_photo(photo.id))
        self.assertEqual(online.sync_now().pushed, 0)

        page = server.call("GET", "/api/v1/regulator/inspections", token=desk)
        self.assertEqual(page["total"], 1)
        stored = page["items"][0]
        self.assertEqual(stored["inspection"]["id"], kept.inspection.id)
        self.assertEqual(stored["inspection"]["photos"], [photo.id])
        self.assertEqual(stored["overall"], verdict.overall.name.lower())
        req = urllib.request.Request(f"{server.url}/api/v1/regulator/inspections/photos/{photo.id}")
        req.add_header("Authorization", "Bearer " + desk)
        with urllib.request.urlopen(req, timeout=30) as res:
            self.assertEqual(res.read(), PNG)

        # An inspector of Sichuan on another phone: refused, with the reason on the phone.
        other = ffi.App.open(os.path.join(self.folder.name, "sichuan.db"), server.url)
        other.log_in("reg-510000", harness.PASSWORD)
        other.record_inspection(visit(salon_id, verdict, []))
        self.assertEqual(other.sync_now().rejected, 1)
        [no] = other.inspections()
        self.assertTrue(no.sync.is_REJECTED())
        self.assertEqual([(p.field, p.rule) for p in no.sync.problems],
                         [("enterprise_id", "inspection.out_of_region")])
        self.assertEqual(server.call("GET", "/api/v1/regulator/inspections", token=desk)["total"], 1)


class OnSqlite(Inspections, unittest.TestCase):
    postgres = False


class OnPostgres(Inspections, unittest.TestCase):
    postgres = True


if __name__ == "__main__":
    unittest.main()
