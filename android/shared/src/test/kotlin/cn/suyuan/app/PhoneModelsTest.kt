package cn.suyuan.app

import cn.suyuan.ffi.App
import cn.suyuan.ffi.CodeFields
import cn.suyuan.ffi.CodeKind
import cn.suyuan.ffi.Counterparty
import cn.suyuan.ffi.Lang
import cn.suyuan.ffi.Outcome
import cn.suyuan.ffi.Product
import cn.suyuan.ffi.ReconciliationState
import cn.suyuan.ffi.RecordStatus
import cn.suyuan.ffi.TransactionKind
import cn.suyuan.ffi.newId
import kotlinx.coroutines.runBlocking
import org.junit.AfterClass
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertTrue
import org.junit.BeforeClass
import org.junit.Test
import java.awt.image.BufferedImage
import java.io.File
import java.nio.ByteBuffer
import java.nio.file.Files
import java.time.LocalDate
import javax.imageio.ImageIO

/**
 * The plain-Kotlin models of the phone app against the real core library (JNA) and the real
 * server on loopback: what CI can check without an Android SDK.
 */
class PhoneModelsTest {
    companion object {
        private lateinit var server: TestServer
        private lateinit var folder: File
        private lateinit var shopId: String
        private lateinit var shopLogin: String
        private val today = LocalDate.now().toString()
        private val made = LocalDate.now().minusDays(30).withDayOfMonth(1)

        @BeforeClass
        @JvmStatic
        fun start() {
            server = TestServer()
            folder = Files.createTempDirectory("suyuan-kt-phone").toFile()
            val (id, login) = server.register(41, "城关区丽人美容院", "beauty_salon")
            shopId = id
            shopLogin = login
        }

        @AfterClass
        @JvmStatic
        fun stop() {
            server.close()
            folder.deleteRecursively()
        }

        private val fixture: ByteArray =
            PhoneModelsTest::class.java.getResourceAsStream("/gs1-datamatrix.png")!!.readBytes()
    }

    /** A phone of the shop, logged in once online, then opened on [url]. */
    private fun phone(name: String, url: String): App {
        val path = File(folder, "$name.db").path
        if (!File(path).exists()) {
            App.open(path, server.url).use { it.logIn(shopLogin, TestServer.PASSWORD) }
        }
        return App.open(path, url)
    }

    /** Adds the cream and books [quantity] of batch B2611 in with its GTIN, offline. */
    private fun stocked(app: App, quantity: UInt): Product {
        val product = app.saveProduct(
            Product(
                id = newId(), owner = shopId, genericName = "舒唯雅皮肤身体护肤霜", brand = "舒唯雅",
                registrationNumber = "甘G妆网备字2026000123", registrant = "兰州舒唯雅生物科技有限公司",
                manufacturer = "兰州舒唯雅生物科技有限公司", specification = "200g", shelfLifeMonths = 36u,
                attachments = emptyList(), status = RecordStatus.Draft,
            ),
            emptyList(),
        )
        val inbound = NewDocumentModel(app, Labels(), TransactionKind.FINISHED_GOODS_INBOUND, shopId, today)
        val scanned = app.decodePhoto(fixture).single()
        // The library has no GTIN for the cream yet: the first scan finds no product.
        assertTrue(inbound.addScanned(scanned) is ScanResult.UnknownProduct)
        inbound.addScanned(scanned.copy(product = product), quantity)
        inbound.updateLine(0) { it.copy(productionDate = made.toString(), expiryDate = made.plusMonths(36).minusDays(1).toString()) }
        assertNotNull(runBlocking { inbound.submit() })
        return product
    }

    @Test
    fun homeCountsUnsyncedChangesOfflineAndNoneAfterSync() = runBlocking {
        val offline = phone("home", TestServer.OFFLINE)
        stocked(offline, 12u)
        val home = HomeModel(offline, Labels())
        home.refresh()
        assertEquals(3L, home.state.value.unsynced)
        assertEquals("3 条记录待同步", home.state.value.syncLine)
        home.syncNow()
        assertTrue(home.state.value.error!!, home.state.value.error!!.startsWith("网络不可用"))
        assertEquals("3 条记录待同步（上次同步失败）", home.state.value.syncLine)

        val online = phone("home", server.url)
        val back = HomeModel(online, Labels(Lang.EN))
        back.syncNow()
        assertEquals(null, back.state.value.error)
        assertEquals(0L, back.state.value.unsynced)
        assertTrue(back.state.value.syncLine, back.state.value.syncLine.startsWith("All synced"))
    }

    @Test
    fun aCameraFrameOfTheDataMatrixFillsBatchAndExpiryAndRescanRaisesQuantity() = runBlocking {
        val app = phone("scan", TestServer.OFFLINE)
        stocked(app, 12u)
        // The photo as CameraX gives it: the Y plane, rows padded to a stride, not at position 0.
        val image: BufferedImage = ImageIO.read(fixture.inputStream())
        val stride = image.width + 24
        val plane = ByteBuffer.allocateDirect(16 + stride * image.height)
        plane.position(16)
        for (y in 0 until image.height) {
            for (x in 0 until stride) {
                val luma = if (x < image.width) image.getRGB(x, y) and 0xFF else 0x80
                plane.put(16 + y * stride + x, luma.toByte())
            }
        }
        val frame = LumaFrame.fromPlane(plane, image.width, image.height, stride)
        assertEquals(16, plane.position())
        val codes = app.decodeFrame(frame.bytes, frame.width.toUInt(), frame.height.toUInt(), frame.rowStride.toUInt())
        val code = codes.single()
        assertEquals(CodeKind.GS1, code.fields.kind)
        assertEquals("舒唯雅皮肤身体护肤霜", code.product?.genericName)

        val sale = NewDocumentModel(app, Labels(), TransactionKind.SALES_OUTBOUND, shopId, today)
        sale.counterparty = Counterparty(partnerId = null, name = "散客", uscc = null, enterpriseId = null)
        assertEquals(ScanResult.Added(0), sale.addScanned(code))
        assertEquals(ScanResult.Added(0), sale.addScanned(code))
        val line = sale.lines.value.single()
        assertEquals(Triple("B2611", "2029-12-31", 2u), Triple(line.batch, line.expiryDate, line.quantity))
        assertNotNull(runBlocking { sale.submit() })
    }

    @Test
    fun aRefusedSubmitNamesTheLineAndTheRuleInTheAppsLanguage() = runBlocking {
        val app = phone("refuse", TestServer.OFFLINE)
        stocked(app, 5u)
        val code = app.decodePhoto(fixture).single()
        for ((lang, words) in listOf(Lang.ZH_CN to "库存不足", Lang.EN to "only 5 in stock")) {
            val sale = NewDocumentModel(app, Labels(lang), TransactionKind.SALES_OUTBOUND, shopId, today)
            sale.counterparty = Counterparty(partnerId = null, name = "散客", uscc = null, enterpriseId = null)
            sale.addScanned(code, 9u)
            assertEquals(null, sale.submit())
            val error = sale.fieldErrors.value["lines[0].quantity"]
            assertNotNull(sale.fieldErrors.value.toString(), error)
            assertTrue(error!!, error.contains(words))
        }
        assertEquals(5L, app.stock().single().held)
    }

    @Test
    fun aSupplierSaleWaitsInTheInboxAndIsConfirmedOffline() = runBlocking {
        val (sellerId, sellerLogin) = server.register(42, "兰州美源化妆品批发有限公司", "wholesaler")
        val sellerPath = File(folder, "seller.db").path
        App.open(sellerPath, server.url).use { it.logIn(sellerLogin, TestServer.PASSWORD) }
        App.open(sellerPath, server.url).use { seller ->
            val product = seller.saveProduct(
                Product(
                    id = newId(), owner = sellerId, genericName = "舒唯雅洁面乳", brand = "舒唯雅",
                    registrationNumber = "甘G妆网备字2026000124", registrant = "兰州舒唯雅生物科技有限公司",
                    manufacturer = "兰州舒唯雅生物科技有限公司", specification = "100g", shelfLifeMonths = 36u,
                    attachments = emptyList(), status = RecordStatus.Draft,
                ),
                emptyList(),
            )
            val scanned = seller.decodePhoto(fixture).single().copy(product = product)
            val make = NewDocumentModel(seller, Labels(), TransactionKind.FINISHED_GOODS_INBOUND, sellerId, today)
            make.addScanned(scanned, 50u)
            assertNotNull(make.submit())
            val sale = NewDocumentModel(seller, Labels(), TransactionKind.SALES_OUTBOUND, sellerId, today)
            sale.counterparty = Counterparty(partnerId = null, name = "城关区丽人美容院", uscc = shopLogin, enterpriseId = shopId)
            sale.addScanned(scanned, 6u)
            assertNotNull(sale.fieldErrors.value.toString(), sale.submit())
            seller.syncNow()
        }

        val shop = phone("inbox", server.url)
        shop.syncNow()
        val inbox = InboxModel(shop)
        inbox.refresh()
        val item = inbox.pending.value.single()
        assertEquals(6u, item.lines.single().quantity)

        val offline = phone("inbox", TestServer.OFFLINE)
        val offlineInbox = InboxModel(offline)
        offlineInbox.refresh()
        val received = offlineInbox.confirmAsSent(item, "兰州美源化妆品批发有限公司", today, "李四", "13900139000")
        assertNotNull(offlineInbox.error.value, received)
        assertTrue(offlineInbox.pending.value.isEmpty())
        // (Other tests' phones of this shop may have synced stock of other products.)
        val mine = offline.stock().filter { it.productId == item.lines.single().productId }
        assertEquals(listOf("B2611" to 6L), mine.map { it.batch to it.held })
        // A second confirmation of the same item is refused, naming why.
        assertEquals(null, offlineInbox.confirmAsSent(item, "兰州美源化妆品批发有限公司", today, "李四", "13900139000"))
        assertTrue(offlineInbox.error.value!!, offlineInbox.error.value!!.contains("已处理"))

        val back = phone("inbox", server.url)
        assertEquals(0u, back.syncNow().rejected)
        assertTrue(back.reconciliationItems().single().state is ReconciliationState.Confirmed)

        // The supplier recalls the batch (主动召回); the shop's next sync brings it with what it held.
        val productId = item.lines.single().productId
        server.post(
            "/api/v1/recalls",
            """{"product_id":"$productId","batches":["B2611"],"level":"two","reason":"包材破损","scope":"全部销售渠道"}""",
            server.login(sellerLogin),
            201,
        )
        back.syncNow()
        val recalls = RecallsModel(phone("inbox", TestServer.OFFLINE), shopId)
        recalls.refresh()
        val row = recalls.rows.value.single { it.recall.productId == productId }
        assertEquals(Triple(6L, false, "包材破损"), Triple(row.held, row.acknowledged, row.recall.reason))
        // Offline: more than held is refused; acknowledging and reporting 4 + 2 is kept.
        assertEquals(false, recalls.report(row, 5, 2))
        assertNotNull(recalls.error.value)
        assertTrue(recalls.acknowledge(row))
        assertTrue(recalls.report(recalls.rows.value.single { it.recall.productId == productId }, 4, 2))
        val reported = recalls.rows.value.single { it.recall.productId == productId }
        assertEquals(Triple(true, 4L, 2L), Triple(reported.acknowledged, reported.returned, reported.destroyed))
        assertEquals(0u, phone("inbox", server.url).syncNow().rejected)
    }

    @Test
    fun theInspectorVerdictWorksOfflineAndAsksForAMissingBatch() = runBlocking {
        val app = phone("inspect", TestServer.OFFLINE)
        stocked(app, 3u)
        val inspector = InspectorModel(app, Labels())
        val scanned = app.decodePhoto(fixture).single().fields
        val ok = inspector.check(scanned)
        assertEquals(ok.rows.toString(), Outcome.PASS, ok.overall)
        assertEquals("通过", ok.headline)
        assertEquals(listOf("注册备案", "召回", "不合格", "有效期", "进货记录"), ok.rows.map { it.title })

        val eanOnly = CodeFields(
            kind = CodeKind.GTIN, gtin = scanned.gtin, batch = null, productionDate = null,
            expiry = null, serial = null, traceCode = null, registrationNumber = null, url = null,
        )
        assertEquals(Outcome.UNKNOWN, inspector.check(eanOnly).overall)
        val unrecorded = inspector.check(eanOnly, typedBatch = "X999")
        assertEquals(Outcome.FAIL, unrecorded.overall)
        assertTrue(unrecorded.rows.last().detail, unrecorded.rows.last().detail.contains("没有批次 X999 的进货记录"))
    }
}
