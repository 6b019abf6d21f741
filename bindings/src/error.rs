//! The one error Kotlin, Swift and Python see: only what an app acts on, with a message in
//! the app's language. Details of local failures go to the log, not to the screen.

use crate::types::Lang;
use suyuan_core::Problem;
use suyuan_core::store::StoreError;
use suyuan_core::sync::client::SyncError;

/// Why a call failed.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum ApiError {
    /// The input breaks rules; each problem names the field and the rule. Nothing was written.
    #[error("{reason}")]
    Invalid {
        /// All problems, joined, in the app's language.
        reason: String,
        /// Each problem, in both languages.
        problems: Vec<Problem>,
    },
    /// Nobody is logged in, or the server no longer accepts the token: log in again.
    #[error("{reason}")]
    NotLoggedIn {
        /// In the app's language.
        reason: String,
    },
    /// The server could not be reached or did not answer in time. Nothing is lost: the
    /// outbox keeps every change for the next sync.
    #[error("{reason}")]
    Network {
        /// In the app's language.
        reason: String,
    },
    /// The server refused the call.
    #[error("{reason}")]
    Server {
        /// HTTP status.
        status: u16,
        /// The server's answer.
        reason: String,
    },
    /// No record has this id.
    #[error("{reason}")]
    NotFound {
        /// In the app's language.
        reason: String,
    },
    /// The phone's database failed (full disk, a file from a newer app, damage).
    #[error("{reason}")]
    Storage {
        /// In the app's language, with the technical cause.
        reason: String,
    },
}

fn pick(lang: Lang, zh: &str, en: &str) -> String {
    match lang {
        Lang::ZhCn => zh.to_owned(),
        Lang::En => en.to_owned(),
    }
}

impl ApiError {
    /// The public form of a store error.
    pub(crate) fn from_store(e: StoreError, lang: Lang) -> ApiError {
        match e {
            StoreError::Invalid(problems) => ApiError::Invalid {
                reason: problems
                    .iter()
                    .map(|p| p.message(lang))
                    .collect::<Vec<_>>()
                    .join("；"),
                problems,
            },
            StoreError::NotLoggedIn => ApiError::NotLoggedIn {
                reason: pick(lang, "请先登录", "Please log in first"),
            },
            StoreError::NotFound { entity, id } => ApiError::NotFound {
                reason: match lang {
                    Lang::ZhCn => format!("找不到记录（{entity} {id}）"),
                    Lang::En => format!("No {entity} with id {id}"),
                },
            },
            StoreError::UnsyncedChanges(n) => ApiError::Invalid {
                reason: match lang {
                    Lang::ZhCn => format!("上一个账号还有 {n} 条修改未同步，请先用该账号联网同步"),
                    Lang::En => {
                        format!(
                            "{n} changes of the previous account are not synced: sync them first"
                        )
                    }
                },
                problems: vec![Problem::error(
                    "login",
                    "session.unsynced_changes",
                    format!("上一个账号还有 {n} 条修改未同步"),
                    format!("{n} changes of the previous account are not synced"),
                )],
            },
            other => {
                tracing_free_log(&other);
                ApiError::Storage {
                    reason: match lang {
                        Lang::ZhCn => format!("本机数据库出错：{other}"),
                        Lang::En => format!("Local database error: {other}"),
                    },
                }
            }
        }
    }

    /// The public form of a sync or login error.
    pub(crate) fn from_sync(e: SyncError, lang: Lang) -> ApiError {
        match e {
            SyncError::Network(cause) => ApiError::Network {
                reason: match lang {
                    Lang::ZhCn => format!("网络不可用，记录已保存在本机，稍后再同步（{cause}）"),
                    Lang::En => format!(
                        "No connection; records are kept on the phone for the next sync ({cause})"
                    ),
                },
            },
            SyncError::Unauthorized => ApiError::NotLoggedIn {
                reason: pick(
                    lang,
                    "登录已失效，请重新登录",
                    "Your login has expired: log in again",
                ),
            },
            SyncError::Server { status, body } => ApiError::Server {
                status,
                reason: body,
            },
            SyncError::Store(e) => ApiError::from_store(e, lang),
        }
    }
}

/// Local failures are rare and need their cause for support; the app has no logger wired to
/// Rust, so they go to standard error, which Android's logcat and Xcode's console show.
fn tracing_free_log(e: &StoreError) {
    eprintln!("suyuan-ffi: local store error: {e}");
}

/// The public form of an image the scanner could not look at.
pub(crate) fn from_decode(e: suyuan_core::barcode::DecodeError, lang: Lang) -> ApiError {
    use suyuan_core::barcode::DecodeError as D;
    let zh = match &e {
        D::UnsupportedFormat => "不支持的图片格式（请用 JPEG、PNG、WebP 或 BMP）".to_owned(),
        D::Corrupt(_) => "图片文件已损坏或不完整".to_owned(),
        D::TooLarge { width, height } => format!("图片太大：{width}×{height} 像素"),
        D::BadBuffer { .. } => "相机画面数据与尺寸不符".to_owned(),
    };
    let en = e.to_string();
    let problem = Problem::error("image", "image.unreadable", zh, en);
    ApiError::Invalid {
        reason: problem.message(lang).to_owned(),
        problems: vec![problem],
    }
}
