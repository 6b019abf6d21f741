package cn.suyuan.app

import cn.suyuan.ffi.ApiException
import cn.suyuan.ffi.App
import cn.suyuan.ffi.Counterparty
import cn.suyuan.ffi.RecordStatus
import cn.suyuan.ffi.ScannedCode
import cn.suyuan.ffi.Transaction
import cn.suyuan.ffi.TransactionKind
import cn.suyuan.ffi.TransactionLine
import cn.suyuan.ffi.newId
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.withContext

/** What a scan did to the document being entered. */
sealed class ScanResult {
    /** A line was added or its quantity raised. */
    data class Added(val lineIndex: Int) : ScanResult()

    /** The code carries no batch: the user types it into this line. */
    data class NeedsBatch(val lineIndex: Int) : ScanResult()

    /** The code names no product of this phone's library. */
    data class UnknownProduct(val text: String) : ScanResult()
}

/** The new-document screen: header fields, lines scanned in, save and submit. */
class NewDocumentModel(
    private val app: App,
    private val labels: Labels,
    val kind: TransactionKind,
    private val enterpriseId: String,
    private val today: String,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) {
    private val id = newId()
    private val mutableLines = MutableStateFlow<List<TransactionLine>>(emptyList())
    private val mutableErrors = MutableStateFlow<Map<String, String>>(emptyMap())

    /** Document number (单号); prefilled, editable. */
    var number: String = "APP-" + id.take(8).uppercase()

    /** The other side; required for every type but 成品入库. */
    var counterparty: Counterparty? = null

    /** Contact person. */
    var contact: String = ""

    /** Contact phone. */
    var phone: String = ""

    /** The lines entered so far. */
    val lines: StateFlow<List<TransactionLine>> = mutableLines

    /** Problems of the last save or submit by field (`number`, `lines[0].batch` …), in the app's language. */
    val fieldErrors: StateFlow<Map<String, String>> = mutableErrors

    /**
     * Adds what the camera read. A GS1 DataMatrix fills batch, production and expiry dates; the
     * same product and batch scanned again raises the quantity instead of adding a line.
     */
    fun addScanned(code: ScannedCode, quantity: UInt = 1u, unit: String = "件"): ScanResult {
        val product = code.product ?: return ScanResult.UnknownProduct(code.text)
        val f = code.fields
        val current = mutableLines.value
        val same = current.indexOfFirst { it.productId == product.id && f.batch != null && it.batch == f.batch }
        if (same >= 0) {
            mutableLines.value = current.mapIndexed { i, l -> if (i == same) l.copy(quantity = l.quantity + quantity) else l }
            return ScanResult.Added(same)
        }
        val line = TransactionLine(
            productId = product.id,
            productName = product.genericName,
            gtin = f.gtin,
            quantity = quantity,
            unit = unit,
            batch = f.batch ?: "",
            productionDate = f.productionDate,
            expiryDate = f.expiry,
        )
        mutableLines.value = current + line
        val index = current.size
        return if (f.batch == null) ScanResult.NeedsBatch(index) else ScanResult.Added(index)
    }

    /** Changes one line (batch typed, quantity corrected). */
    fun updateLine(index: Int, change: (TransactionLine) -> TransactionLine) {
        mutableLines.value = mutableLines.value.mapIndexed { i, l -> if (i == index) change(l) else l }
    }

    /** The document as it stands. */
    fun document(): Transaction = Transaction(
        id = id,
        enterpriseId = enterpriseId,
        kind = kind,
        number = number,
        counterparty = counterparty,
        date = today,
        contact = contact,
        phone = phone,
        lines = mutableLines.value,
        status = RecordStatus.Draft,
        corrects = null,
        reconciles = null,
        remarks = "",
    )

    /** Saves the draft (保存); on refusal, [fieldErrors] says what to fix and nothing is kept. */
    suspend fun save(acknowledge: List<String> = emptyList()): Transaction? =
        attempt { app.saveDraft(document(), acknowledge) }

    /** Saves, then submits (提交); a submitted document never changes. */
    suspend fun submit(acknowledge: List<String> = emptyList()): Transaction? =
        attempt {
            app.saveDraft(document(), acknowledge)
            app.submit(id, null, acknowledge)
        }

    private suspend fun attempt(action: () -> Transaction): Transaction? {
        val outcome = withContext(io) {
            try {
                Result.success(action())
            } catch (e: ApiException) {
                Result.failure(e)
            }
        }
        val error = outcome.exceptionOrNull()
        mutableErrors.value = when (error) {
            null -> emptyMap()
            is ApiException.Invalid -> error.problems.groupBy { it.field }.mapValues { (_, ps) -> ps.joinToString("；") { labels.problem(it) } }
            is ApiException -> mapOf("" to errorText(error))
            else -> throw error
        }
        return outcome.getOrNull()
    }
}
