"""Suppliers and customers (供应商 / 销售客户) from a phone through the Python bindings against
the real server, on SQLite and PostgreSQL (issue 6): a wholesaler's phone adds a customer
with no signal, an invalid one is refused on the phone; after the sync the server has it,
linked to the registered shop, and the enterprise's second phone pulls it; an edit and a
delete made on one phone reach the server and the other phone.
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


class Partners:
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


class OnSqlite(Partners, unittest.TestCase):
    postgres = False


class OnPostgres(Partners, unittest.TestCase):
    postgres = True


if __name__ == "__main__":
    unittest.main()
