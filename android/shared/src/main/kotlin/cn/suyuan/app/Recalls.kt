package cn.suyuan.app

import cn.suyuan.ffi.ApiException
import cn.suyuan.ffi.App
import cn.suyuan.ffi.Recall
import cn.suyuan.ffi.RecallStatus
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.withContext

/** One recall as the recalls screen lists it, with this shop's part in it. */
data class RecallRow(
    val recall: Recall,
    /** What the shop held when the recall reached it (from the server; 0 before the first sync). */
    val held: Long,
    /** Whether the shop has acknowledged it (签收). */
    val acknowledged: Boolean,
    /** Totals reported so far. */
    val returned: Long,
    val destroyed: Long,
)

/** The recalls screen (产品召回): recalls in force that reached this shop; acknowledge and report offline. */
class RecallsModel(
    private val app: App,
    private val enterpriseId: String,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) {
    private val mutable = MutableStateFlow<List<RecallRow>>(emptyList())
    private val mutableError = MutableStateFlow<String?>(null)

    /** Recalls not yet completed, newest first. */
    val rows: StateFlow<List<RecallRow>> = mutable

    /** Why the last acknowledgement or report was refused. */
    val error: StateFlow<String?> = mutableError

    /** Re-reads the cached recalls. */
    suspend fun refresh() {
        mutable.value = withContext(io) {
            app.recalls().filter { it.status != RecallStatus.COMPLETED }.sortedByDescending { it.startDate }.map { r ->
                val mine = r.progress.firstOrNull { it.enterpriseId == enterpriseId }
                RecallRow(
                    recall = r,
                    held = mine?.quantityHeld?.toLong() ?: 0,
                    acknowledged = mine?.acknowledgedAt != null,
                    returned = mine?.quantityReturned?.toLong() ?: 0,
                    destroyed = mine?.quantityDestroyed?.toLong() ?: 0,
                )
            }
        }
    }

    /** Acknowledges a recall (签收), offline. */
    suspend fun acknowledge(row: RecallRow): Boolean = act { app.acknowledgeRecall(row.recall.id) }

    /** Reports the totals returned to the supplier and destroyed so far, offline. */
    suspend fun report(row: RecallRow, returned: Long, destroyed: Long): Boolean =
        act { app.reportRecall(row.recall.id, returned, destroyed) }

    private suspend fun act(action: () -> Recall): Boolean {
        val error = withContext(io) {
            try {
                action()
                null
            } catch (e: ApiException) {
                errorText(e)
            }
        }
        mutableError.value = error
        refresh()
        return error == null
    }
}
