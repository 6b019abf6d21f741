package cn.suyuan.app

import cn.suyuan.ffi.App
import cn.suyuan.ffi.CodeFields
import cn.suyuan.ffi.Outcome
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

/** One row of the inspector's result: the check, its outcome and the reason. */
data class VerdictRow(val title: String, val outcome: Outcome, val detail: String)

/** What the inspector's screen shows after a scan. */
data class VerdictScreen(val headline: String, val overall: Outcome, val rows: List<VerdictRow>)

/** Inspector mode (现场检查): the verdict on a scanned product from this phone's records, offline. */
class InspectorModel(
    private val app: App,
    private val labels: Labels,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) {
    /** Checks the code; `typedBatch` is the batch read off the package when the code has none. */
    suspend fun check(code: CodeFields, typedBatch: String? = null): VerdictScreen = withContext(io) {
        val v = app.verdict(code, typedBatch?.takeIf { it.isNotBlank() })
        VerdictScreen(
            headline = labels.outcome(v.overall),
            overall = v.overall,
            rows = v.checks.map {
                VerdictRow(labels.check(it.item), it.outcome, if (labels.lang == cn.suyuan.ffi.Lang.ZH_CN) it.messageZh else it.messageEn)
            },
        )
    }
}
