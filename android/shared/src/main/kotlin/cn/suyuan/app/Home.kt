package cn.suyuan.app

import cn.suyuan.ffi.ApiException
import cn.suyuan.ffi.App
import cn.suyuan.ffi.Recall
import cn.suyuan.ffi.RecallStatus
import cn.suyuan.ffi.ReconciliationState
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.withContext

/** What the home screen shows. */
data class HomeState(
    /** Inbound items (勾兑) waiting for this shop's confirmation. */
    val pendingInbound: Int = 0,
    /** Recalls in force that concern this shop. */
    val recallAlerts: List<Recall> = emptyList(),
    /** Changes not yet on the server. */
    val unsynced: Long = 0,
    /** The sync line, in the app's language. */
    val syncLine: String = "",
    /** Why the last action failed, for a snackbar. */
    val error: String? = null,
    /** Whether a sync is running. */
    val syncing: Boolean = false,
)

/** The home screen's state holder; the Android ViewModel wraps it and calls [refresh] on resume. */
class HomeModel(
    private val app: App,
    private val labels: Labels,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) {
    private val mutable = MutableStateFlow(HomeState())

    /** The state to render. */
    val state: StateFlow<HomeState> = mutable

    /** Re-reads the local records (never the network). */
    suspend fun refresh() {
        val next = withContext(io) {
            val status = app.syncStatus()
            HomeState(
                pendingInbound = app.reconciliationItems().count { it.state is ReconciliationState.Pending },
                recallAlerts = app.recalls().filter { it.status != RecallStatus.COMPLETED },
                unsynced = status.pendingChanges.toLong(),
                syncLine = labels.syncLine(status),
            )
        }
        mutable.value = next.copy(error = mutable.value.error)
    }

    /** Syncs now; a failure keeps every record and shows why. */
    suspend fun syncNow() {
        mutable.value = mutable.value.copy(syncing = true, error = null)
        val error = withContext(io) {
            try {
                app.syncNow()
                null
            } catch (e: ApiException) {
                errorText(e)
            }
        }
        refresh()
        mutable.value = mutable.value.copy(syncing = false, error = error)
    }
}

/** The user-facing text of an error from the core. */
fun errorText(e: ApiException): String = when (e) {
    is ApiException.Invalid -> e.reason
    is ApiException.NotLoggedIn -> e.reason
    is ApiException.Network -> e.reason
    is ApiException.Server -> e.reason
    is ApiException.NotFound -> e.reason
    is ApiException.Storage -> e.reason
}
