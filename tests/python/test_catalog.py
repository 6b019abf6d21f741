"""Suppliers and customers (供应商 / 销售客户) from a phone through the Python bindings against
the real server, on SQLite and PostgreSQL (issue 6): a wholesaler's phone adds a customer
with no signal, an invalid one is refused on the phone; after the sync the server has it,
linked to the registered shop, and the enterprise's second phone pulls it; an edit and a
delete made on one phone reach the server and the other phone. Barcodes entered offline
reach the server and the other phone the same way.
"""

import os
import tempfile
import unittest

import harness

ffi = harness.load_bindings()


def customer(owner, name, code):
    return ffi.Partner(
        id=ffi.new_id(), owner=owner, role=ffi.PartnerRole.CUSTOMER,
        kind=ffi.EnterpriseKind.BEAUTY_SALON, state=ffi.PartnerState.NORMAL, name=name,
        uscc=code, contact="李四", phone="13812345678", region_code="620102",
        address="甘肃省兰州市城关区某路 1 号", legal_representative="张三", licence=None,
        quality_agreement=None, authorised_person=None, remittance_account="", attachments=[],
        enterprise_id=None, status=ffi.RecordStatus.DRAFT())


class Catalog:
    postgres = False

    def setUp(self):
        self.server = harness.Server(self.postgres)
        self.folder = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.server.close()
        self.folder.cleanup()

    def test_a_customer_added_offline_reaches_the_server_and_the_other_phone(self):
        server = self.server
        me, login = server.register(61, "兰州美源化妆品批发有限公司", "wholesaler")
        shop, shop_uscc = server.register(62, "城关区丽人美容院", "beauty_salon")
        path = os.path.join(self.folder.name, "phone.db")
        other = os.path.join(self.folder.name, "other.db")
        ffi.App.open(path, server.url).log_in(login, harness.PASSWORD)
        second = ffi.App.open(other, server.url)
        second.log_in(login, harness.PASSWORD)

        offline = ffi.App.open(path, harness.OFFLINE_URL)
        with self.assertRaises(ffi.ApiError.Invalid):
            offline.save_partner(customer(me, "", "not-a-uscc"), [])
        saved = offline.save_partner(customer(me, "城关区丽人美容院", shop_uscc), [])
        self.assertEqual([p.name for p in offline.partners(ffi.PartnerRole.CUSTOMER, "丽人")],
                         ["城关区丽人美容院"])
        self.assertEqual(offline.partners(ffi.PartnerRole.SUPPLIER, ""), [])

        phone = ffi.App.open(path, server.url)
        report = phone.sync_now()
        self.assertEqual(report.rejected, 0, phone.rejections())
        token = server.login(login, harness.PASSWORD)
        stored = server.call("GET", f"/api/v1/customers/{saved.id}", token=token)["partner"]
        self.assertEqual((stored["name"], stored["enterprise_id"]), ("城关区丽人美容院", shop))
        second.sync_now()
        [pulled] = second.partners(None, "")
        self.assertEqual((pulled.id, pulled.enterprise_id), (saved.id, shop))

        # Edited on one phone, then deleted on the other.
        saved.contact = "王五"
        phone.save_partner(saved, [])
        phone.sync_now()
        stored = server.call("GET", f"/api/v1/customers/{saved.id}", token=token)["partner"]
        self.assertEqual(stored["contact"], "王五")
        second.sync_now()
        self.assertEqual(second.partners(None, "王五")[0].id, saved.id)
        second.delete_partner(saved.id)
        self.assertEqual(second.sync_now().rejected, 0, second.rejections())
        server.call("GET", f"/api/v1/customers/{saved.id}", token=token, expect=404)
        phone.sync_now()
        self.assertEqual(phone.partners(None, ""), [])

    def test_a_barcode_entered_offline_reaches_the_server_and_the_other_phone(self):
        server = self.server
        me, login = server.register(63, "兰州舒唯雅化妆品厂", "registrant_manufacturer")
        path = os.path.join(self.folder.name, "phone.db")
        phone = ffi.App.open(path, server.url)
        phone.log_in(login, harness.PASSWORD)
        second = ffi.App.open(os.path.join(self.folder.name, "other.db"), server.url)
        second.log_in(login, harness.PASSWORD)
        offline = ffi.App.open(path, harness.OFFLINE_URL)
        product = offline.save_product(ffi.Product(
            id=ffi.new_id(), owner=me, generic_name="舒唯雅皮肤身体护肤霜", brand="舒唯雅",
            registration_number="国妆特字G20210001", registrant="兰州舒唯雅化妆品厂",
            manufacturer="兰州舒唯雅化妆品厂", specification="50g", shelf_life_months=36,
            attachments=[], status=ffi.RecordStatus.DRAFT()), [])

        def barcode(gtin):
            return ffi.Barcode(
                id=ffi.new_id(), owner=me, product_id=product.id, gtin=gtin, specification="50g",
                package_specification="1支", level=ffi.PackagingLevel.UNIT, contains_quantity=1,
                contains_gtin=None, photo=None, status=ffi.RecordStatus.DRAFT())

        with self.assertRaises(ffi.ApiError.Invalid):
            offline.save_barcode(barcode("6901234567890"), [])
        saved = offline.save_barcode(barcode("6901234567892"), [])
        self.assertEqual(phone.sync_now().rejected, 0, phone.rejections())
        token = server.login(login, harness.PASSWORD)
        stored = server.call("GET", f"/api/v1/barcodes/{saved.id}", token=token)["barcode"]
        self.assertEqual((stored["gtin"], stored["product_id"]), ("6901234567892", product.id))
        second.sync_now()
        self.assertEqual([b.id for b in second.barcodes("6901234567892")], [saved.id])
        second.delete_barcode(saved.id)
        self.assertEqual(second.sync_now().rejected, 0, second.rejections())
        server.call("GET", f"/api/v1/barcodes/{saved.id}", token=token, expect=404)
        phone.sync_now()
        self.assertEqual(phone.barcodes(""), [])


class OnSqlite(Catalog, unittest.TestCase):
    postgres = False


class OnPostgres(Catalog, unittest.TestCase):
    postgres = True


if __name__ == "__main__":
    unittest.main()
