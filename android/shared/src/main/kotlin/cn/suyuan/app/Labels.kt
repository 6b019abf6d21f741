package cn.suyuan.app

import cn.suyuan.ffi.CheckItem
import cn.suyuan.ffi.Lang
import cn.suyuan.ffi.Outcome
import cn.suyuan.ffi.Problem
import cn.suyuan.ffi.SyncStatus
import cn.suyuan.ffi.TransactionKind

/** The app's texts in the chosen language; Simplified Chinese unless the user picks English. */
class Labels(val lang: Lang = Lang.ZH_CN) {
    private fun pick(zh: String, en: String) = if (lang == Lang.ZH_CN) zh else en

    /** The document type as the seed manual names it. */
    fun kind(kind: TransactionKind): String = when (kind) {
        TransactionKind.FINISHED_GOODS_INBOUND -> pick("成品入库", "Finished-goods inbound")
        TransactionKind.PURCHASE_INBOUND -> pick("采购入库", "Purchase inbound")
        TransactionKind.PURCHASE_RETURN -> pick("采购退出", "Purchase return")
        TransactionKind.SALES_OUTBOUND -> pick("销售出库", "Sales outbound")
        TransactionKind.SALES_RETURN -> pick("销售退入", "Sales return")
    }

    /** A quantity with its unit: "12 瓶". */
    fun quantity(quantity: Long, unit: String): String = "$quantity $unit"

    /** One problem of a refused input, in this language. */
    fun problem(p: Problem): String = if (lang == Lang.ZH_CN) p.messageZh else p.messageEn

    /** The inspector's check name. */
    fun check(item: CheckItem): String = when (item) {
        CheckItem.REGISTRATION -> pick("注册备案", "Registration")
        CheckItem.RECALL -> pick("召回", "Recall")
        CheckItem.NONCONFORMING -> pick("不合格", "Nonconforming")
        CheckItem.EXPIRY -> pick("有效期", "Expiry")
        CheckItem.RECORDS -> pick("进货记录", "Purchase records")
    }

    /** The verdict word shown large on the inspector's screen. */
    fun outcome(outcome: Outcome): String = when (outcome) {
        Outcome.PASS -> pick("通过", "Pass")
        Outcome.UNKNOWN -> pick("待核实", "To verify")
        Outcome.FAIL -> pick("不通过", "Fail")
    }

    /** The one line the home screen shows about sync. */
    fun syncLine(s: SyncStatus): String {
        val pending = s.pendingChanges.toLong()
        return when {
            !s.loggedInOnline -> pick("未登录服务器，记录只保存在本机", "Not logged in to the server: records stay on this phone")
            s.lastError != null && pending > 0 ->
                pick("$pending 条记录待同步（上次同步失败）", "$pending records to sync (last sync failed)")
            pending > 0 -> pick("$pending 条记录待同步", "$pending records to sync")
            s.lastSyncAt == null -> pick("尚未同步", "Not synced yet")
            else -> pick("已全部同步（${s.lastSyncAt!!.take(16).replace('T', ' ')}）", "All synced (${s.lastSyncAt!!.take(16).replace('T', ' ')})")
        }
    }
}
