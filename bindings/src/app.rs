//! The app façade: one object the phone's UI holds. Every method is a short call into
//! `suyuan-core`; the rules, the SQL and the protocol all live there.

use crate::error::ApiError;
use crate::types::Lang;
use chrono::{Local, Utc};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use suyuan_core::barcode::{self, CodeFields, DecodedCode, Symbology};
use suyuan_core::model::{
    AttachmentId, Barcode, BarcodeId, NonconformingRecord, Partner, PartnerId, PartnerRole,
    Product, ProductId, Recall, RecallId, ReconciliationItem, ReconciliationItemId, Transaction,
    TransactionId,
};
use suyuan_core::rules::reconciliation::Confirmation;
use suyuan_core::rules::verdict::Verdict;
use suyuan_core::serial::{UnitCode, UnitView, UploadKind, UploadRequest};
use suyuan_core::store::{
    DocumentQuery, LocalInspection, NewInspection, Rejection, Session, StockLevel, Store,
    StoreError, SyncStatus, UnitUpload,
};
use suyuan_core::sync::client::{
    SyncClient, SyncReport, install_crypto_provider, log_in_phone, sync_now,
};
use uuid::Uuid;

/// How long the phone waits for the server before it keeps the changes for later.
const SERVER_TIMEOUT: Duration = Duration::from_secs(30);

/// A code read by the camera or from a photo, with the product it names on this phone.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ScannedCode {
    /// The symbology.
    pub symbology: Symbology,
    /// The payload as text (GS1 separators as ASCII 29).
    pub text: String,
    /// GTIN, batch, dates … as far as the code carries them.
    pub fields: CodeFields,
    /// The product of this phone's library the code names, if any.
    pub product: Option<Product>,
}

/// The phone app's handle on its local records and the server.
///
/// Two connections to one SQLite file: the UI's, and the sync thread's with the HTTP client,
/// so that a slow network never blocks a screen (WAL lets them work side by side).
#[derive(uniffi::Object)]
pub struct App {
    ui: Mutex<Store>,
    sync: Mutex<(Store, SyncClient)>,
    lang: Mutex<Lang>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic in another call must not make every later call fail too.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[uniffi::export]
impl App {
    /// Opens (creating or upgrading) the local database at `db_path`, talking to `server_url`.
    #[uniffi::constructor]
    pub fn open(db_path: String, server_url: String) -> Result<Arc<App>, ApiError> {
        install_crypto_provider();
        let lang = Lang::default();
        let store = |p: &str| Store::open(Path::new(p)).map_err(|e| ApiError::from_store(e, lang));
        let ui = store(&db_path)?;
        let sync_store = store(&db_path)?;
        let mut client = SyncClient::new(&server_url, SERVER_TIMEOUT)
            .map_err(|e| ApiError::from_sync(e, lang))?;
        client.set_token(
            sync_store
                .token()
                .map_err(|e| ApiError::from_store(e, lang))?,
        );
        Ok(Arc::new(App {
            ui: Mutex::new(ui),
            sync: Mutex::new((sync_store, client)),
            lang: Mutex::new(lang),
        }))
    }

    /// Sets the language of messages and errors.
    pub fn set_language(&self, lang: Lang) {
        *lock(&self.lang) = lang;
    }

    /// The language of messages and errors.
    pub fn language(&self) -> Lang {
        *lock(&self.lang)
    }

    /// Logs in on the server (online) and opens this phone's session for that enterprise, or
    /// for that regulator (an inspector's phone); the platform admin is refused.
    pub fn log_in(&self, login: String, password: String) -> Result<Session, ApiError> {
        let mut guard = lock(&self.sync);
        let (store, client) = &mut *guard;
        log_in_phone(store, client, &login, &password)
            .map_err(|e| ApiError::from_sync(e, self.language()))
    }

    /// Forgets the server login. Local records and unsynced changes stay on the phone.
    pub fn log_out(&self) -> Result<(), ApiError> {
        let mut guard = lock(&self.sync);
        guard.1.set_token(None);
        guard.0.set_token(None).map_err(|e| self.store_error(e))
    }

    /// The session on this phone, if someone logged in.
    pub fn session(&self) -> Result<Option<Session>, ApiError> {
        lock(&self.ui).session().map_err(|e| self.store_error(e))
    }

    /// Adds a product to the library, or edits one of the enterprise's own (offline; sent at
    /// the next sync).
    pub fn save_product(
        &self,
        product: Product,
        acknowledge: Vec<String>,
    ) -> Result<Product, ApiError> {
        lock(&self.ui)
            .save_product(product, &acknowledge)
            .map_err(|e| self.store_error(e))
    }

    /// One product of the library.
    pub fn product(&self, id: ProductId) -> Result<Option<Product>, ApiError> {
        lock(&self.ui).product(id).map_err(|e| self.store_error(e))
    }

    /// Products matching every word of `keyword` (empty: all), at most `limit`.
    pub fn products(&self, keyword: String, limit: u32) -> Result<Vec<Product>, ApiError> {
        lock(&self.ui)
            .products(&keyword, limit)
            .map_err(|e| self.store_error(e))
    }

    /// Saves a barcode of the enterprise, new or edited (offline; sent at the next sync).
    pub fn save_barcode(
        &self,
        barcode: Barcode,
        acknowledge: Vec<String>,
    ) -> Result<Barcode, ApiError> {
        lock(&self.ui)
            .save_barcode(barcode, &acknowledge)
            .map_err(|e| self.store_error(e))
    }

    /// Deletes a barcode of the enterprise.
    pub fn delete_barcode(&self, id: BarcodeId) -> Result<(), ApiError> {
        lock(&self.ui)
            .delete_barcode(id)
            .map_err(|e| self.store_error(e))
    }

    /// Barcodes on the phone (own and pulled) matching every word of `keyword` (empty: all).
    pub fn barcodes(&self, keyword: String) -> Result<Vec<Barcode>, ApiError> {
        lock(&self.ui)
            .barcodes(&keyword)
            .map_err(|e| self.store_error(e))
    }

    /// Saves a supplier or customer, new or edited (offline; sent at the next sync). An edit
    /// keeps the record's role; warnings listed in `acknowledge` are accepted.
    pub fn save_partner(
        &self,
        partner: Partner,
        acknowledge: Vec<String>,
    ) -> Result<Partner, ApiError> {
        lock(&self.ui)
            .save_partner(partner, &acknowledge, Local::now().date_naive())
            .map_err(|e| self.store_error(e))
    }

    /// Deletes a supplier or customer no document names (disable it instead).
    pub fn delete_partner(&self, id: PartnerId) -> Result<(), ApiError> {
        lock(&self.ui)
            .delete_partner(id)
            .map_err(|e| self.store_error(e))
    }

    /// Suppliers or customers (both when `role` is none) matching every word of `keyword`.
    pub fn partners(
        &self,
        role: Option<PartnerRole>,
        keyword: String,
    ) -> Result<Vec<Partner>, ApiError> {
        lock(&self.ui)
            .partners(role, &keyword)
            .map_err(|e| self.store_error(e))
    }

    /// Saves a draft document, new or edited (保存). Warnings listed in `acknowledge` are
    /// accepted; any other problem refuses the save and is reported with field and rule.
    pub fn save_draft(
        &self,
        document: Transaction,
        acknowledge: Vec<String>,
    ) -> Result<Transaction, ApiError> {
        lock(&self.ui)
            .save_draft(document, &acknowledge, Local::now().date_naive())
            .map_err(|e| self.store_error(e))
    }

    /// Deletes a draft.
    pub fn delete_draft(&self, id: TransactionId) -> Result<(), ApiError> {
        lock(&self.ui)
            .delete_draft(id)
            .map_err(|e| self.store_error(e))
    }

    /// Submits a draft (提交) after the stock, recall and nonconforming rules, offline. From
    /// then on the document never changes.
    pub fn submit(
        &self,
        id: TransactionId,
        opening_override: Option<String>,
        acknowledge: Vec<String>,
    ) -> Result<Transaction, ApiError> {
        lock(&self.ui)
            .submit(id, opening_override.as_deref(), &acknowledge, Utc::now())
            .map_err(|e| self.store_error(e))
    }

    /// One document.
    pub fn document(&self, id: TransactionId) -> Result<Option<Transaction>, ApiError> {
        lock(&self.ui).document(id).map_err(|e| self.store_error(e))
    }

    /// Documents, newest first, filtered.
    pub fn documents(&self, query: DocumentQuery) -> Result<Vec<Transaction>, ApiError> {
        lock(&self.ui)
            .documents(&query)
            .map_err(|e| self.store_error(e))
    }

    /// The reconciliation items (勾兑) the server sent this enterprise, as last synced.
    pub fn reconciliation_items(&self) -> Result<Vec<ReconciliationItem>, ApiError> {
        lock(&self.ui)
            .reconciliation_items()
            .map_err(|e| self.store_error(e))
    }

    /// Confirms an inbox item offline (勾兑确认): the own inbound document is made from the
    /// item and submitted at once, so stock counts it; the server learns of it at the next sync.
    pub fn confirm_reconciliation(
        &self,
        item_id: ReconciliationItemId,
        confirmation: Confirmation,
        opening_override: Option<String>,
        acknowledge: Vec<String>,
    ) -> Result<Transaction, ApiError> {
        lock(&self.ui)
            .confirm_reconciliation(
                item_id,
                confirmation,
                opening_override.as_deref(),
                &acknowledge,
                Utc::now(),
            )
            .map_err(|e| self.store_error(e))
    }

    /// Disputes an inbox item offline (异议), with the reason.
    pub fn dispute_reconciliation(
        &self,
        item_id: ReconciliationItemId,
        reason: String,
    ) -> Result<ReconciliationItem, ApiError> {
        lock(&self.ui)
            .dispute_reconciliation(item_id, &reason)
            .map_err(|e| self.store_error(e))
    }

    /// Acknowledges a recall offline (签收).
    pub fn acknowledge_recall(&self, id: RecallId) -> Result<Recall, ApiError> {
        lock(&self.ui)
            .acknowledge_recall(id, Utc::now())
            .map_err(|e| self.store_error(e))
    }

    /// Reports the totals returned and destroyed of a recalled product, offline.
    pub fn report_recall(
        &self,
        id: RecallId,
        returned: i64,
        destroyed: i64,
    ) -> Result<Recall, ApiError> {
        lock(&self.ui)
            .report_recall(id, returned, destroyed, Utc::now())
            .map_err(|e| self.store_error(e))
    }

    /// Stock by product and batch on this phone's records.
    pub fn stock(&self) -> Result<Vec<StockLevel>, ApiError> {
        lock(&self.ui).stock().map_err(|e| self.store_error(e))
    }

    /// Recalls that concern this enterprise, as last synced.
    pub fn recalls(&self) -> Result<Vec<Recall>, ApiError> {
        lock(&self.ui).recalls().map_err(|e| self.store_error(e))
    }

    /// Nonconforming listings that concern this enterprise, as last synced.
    pub fn nonconforming(&self) -> Result<Vec<NonconformingRecord>, ApiError> {
        lock(&self.ui)
            .nonconforming()
            .map_err(|e| self.store_error(e))
    }

    /// Pushes every waiting change, then pulls the server's changes. Safe to call at any
    /// time and to cut short: nothing is lost or sent twice.
    pub fn sync_now(&self) -> Result<SyncReport, ApiError> {
        let lang = self.language();
        let mut guard = lock(&self.sync);
        let (store, client) = &mut *guard;
        sync_now(store, client).map_err(|e| ApiError::from_sync(e, lang))
    }

    /// Where the sync stands.
    pub fn sync_status(&self) -> Result<SyncStatus, ApiError> {
        lock(&self.ui)
            .sync_status()
            .map_err(|e| self.store_error(e))
    }

    /// Changes the server refused, with its reasons.
    pub fn rejections(&self) -> Result<Vec<Rejection>, ApiError> {
        lock(&self.ui).rejections().map_err(|e| self.store_error(e))
    }

    /// Codes in a camera frame's luma plane (Android Y plane, iOS plane 0), with their
    /// products.
    pub fn decode_frame(
        &self,
        luma: Vec<u8>,
        width: u32,
        height: u32,
        row_stride: u32,
    ) -> Result<Vec<ScannedCode>, ApiError> {
        let codes = barcode::decode_frame(&luma, width, height, row_stride)
            .map_err(|e| crate::error::from_decode(e, self.language()))?;
        self.with_products(codes)
    }

    /// Codes in a photo (JPEG, PNG, WebP or BMP), with their products.
    pub fn decode_photo(&self, photo: Vec<u8>) -> Result<Vec<ScannedCode>, ApiError> {
        let codes = barcode::decode_image(&photo)
            .map_err(|e| crate::error::from_decode(e, self.language()))?;
        self.with_products(codes)
    }

    /// Keeps scanned unit codes (一物一码) as an upload of `kind` under `number` and queues it
    /// for the server; `counterparty_uscc` is the receiver of an outbound or the sender of an
    /// inbound. Returns the upload's id. The server's audit comes with a later sync.
    pub fn upload_units(
        &self,
        kind: UploadKind,
        number: String,
        counterparty_uscc: Option<String>,
        codes: Vec<String>,
    ) -> Result<Uuid, ApiError> {
        let request = UploadRequest {
            id: Uuid::new_v4(),
            kind,
            number,
            date: Local::now().date_naive(),
            counterparty_uscc,
            codes,
        };
        lock(&self.ui)
            .upload_units(request)
            .map_err(|e| self.store_error(e))
    }

    /// Uploads made on this phone, newest first: queued, or with the server's verdicts.
    pub fn unit_uploads(&self) -> Result<Vec<UnitUpload>, ApiError> {
        lock(&self.ui)
            .unit_uploads()
            .map_err(|e| self.store_error(e))
    }

    /// Looks a scanned unit, box or case code up on the server (needs the network): product,
    /// batch, where it is and every holder. `None` when it was never issued or never in this
    /// enterprise's hands.
    pub fn look_up_unit(&self, code: String) -> Result<Option<UnitView>, ApiError> {
        let lang = self.language();
        let code = UnitCode::parse("code", &code)
            .map_err(|p| ApiError::from_store(StoreError::Invalid(vec![p]), lang))?;
        let guard = lock(&self.sync);
        guard
            .1
            .look_up_unit(&code)
            .map_err(|e| ApiError::from_sync(e, lang))
    }

    /// Records a field inspection offline (现场检查, a regulator's phone only) with its photos,
    /// and queues it; the photos, then the inspection, go to the server at the next sync.
    pub fn record_inspection(
        &self,
        inspection: NewInspection,
    ) -> Result<LocalInspection, ApiError> {
        lock(&self.ui)
            .record_inspection(inspection, Local::now().date_naive())
            .map_err(|e| self.store_error(e))
    }

    /// The inspections recorded on this phone, newest first, each with its sync state.
    pub fn inspections(&self) -> Result<Vec<LocalInspection>, ApiError> {
        lock(&self.ui)
            .inspections()
            .map_err(|e| self.store_error(e))
    }

    /// The bytes of an inspection photo, while they are on the phone (until the server has
    /// recorded its inspection).
    pub fn inspection_photo(&self, id: AttachmentId) -> Result<Option<Vec<u8>>, ApiError> {
        lock(&self.ui)
            .inspection_photo(id)
            .map_err(|e| self.store_error(e))
    }

    /// The inspector's verdict on a scanned code, offline; `batch` is the typed batch number
    /// when the code carries none.
    pub fn verdict(&self, code: CodeFields, batch: Option<String>) -> Result<Verdict, ApiError> {
        lock(&self.ui)
            .verdict(&code, batch.as_deref(), Local::now().date_naive())
            .map_err(|e| self.store_error(e))
    }
}

impl App {
    fn store_error(&self, e: suyuan_core::store::StoreError) -> ApiError {
        ApiError::from_store(e, self.language())
    }

    fn with_products(&self, codes: Vec<DecodedCode>) -> Result<Vec<ScannedCode>, ApiError> {
        let store = lock(&self.ui);
        codes
            .into_iter()
            .map(|c| {
                let fields = c.meaning.fields();
                let product = store
                    .product_for_code(&fields)
                    .map_err(|e| self.store_error(e))?;
                Ok(ScannedCode {
                    symbology: c.symbology,
                    text: c.text,
                    fields,
                    product,
                })
            })
            .collect()
    }
}
