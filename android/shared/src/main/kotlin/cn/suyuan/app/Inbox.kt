package cn.suyuan.app

import cn.suyuan.ffi.ApiException
import cn.suyuan.ffi.App
import cn.suyuan.ffi.Confirmation
import cn.suyuan.ffi.Counterparty
import cn.suyuan.ffi.ReconciliationItem
import cn.suyuan.ffi.ReconciliationState
import cn.suyuan.ffi.Transaction
import cn.suyuan.ffi.newId
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.withContext

/** The reconciliation inbox (勾兑): what suppliers sent, waiting for this shop's confirmation. */
class InboxModel(
    private val app: App,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) {
    private val mutable = MutableStateFlow<List<ReconciliationItem>>(emptyList())
    private val mutableError = MutableStateFlow<String?>(null)

    /** Items still waiting, oldest first. */
    val pending: StateFlow<List<ReconciliationItem>> = mutable

    /** Why the last confirmation or dispute was refused. */
    val error: StateFlow<String?> = mutableError

    /** Re-reads the cached inbox. */
    suspend fun refresh() {
        mutable.value = withContext(io) {
            app.reconciliationItems().filter { it.state is ReconciliationState.Pending }.sortedBy { it.date }
        }
    }

    /**
     * Confirms an item as received in full, offline: the own inbound document (numbered
     * `RK-` + the supplier's number) is submitted at once and goes to the server at the next sync.
     */
    suspend fun confirmAsSent(item: ReconciliationItem, supplierName: String, today: String, contact: String, phone: String): Transaction? =
        act {
            app.confirmReconciliation(
                item.id,
                Confirmation(
                    documentId = newId(),
                    number = "RK-" + item.sourceNumber,
                    date = today,
                    counterparty = Counterparty(partnerId = null, name = supplierName, uscc = null, enterpriseId = item.from),
                    contact = contact,
                    phone = phone,
                    lines = null,
                    reason = null,
                ),
                null,
                emptyList(),
            )
        }

    /** Disputes an item (异议): the goods did not arrive as recorded. */
    suspend fun dispute(item: ReconciliationItem, reason: String): ReconciliationItem? =
        act { app.disputeReconciliation(item.id, reason) }

    private suspend fun <T> act(action: () -> T): T? {
        val outcome = withContext(io) {
            try {
                Result.success(action())
            } catch (e: ApiException) {
                Result.failure(e)
            }
        }
        mutableError.value = (outcome.exceptionOrNull() as? ApiException)?.let(::errorText)
        refresh()
        return outcome.getOrNull()
    }
}
