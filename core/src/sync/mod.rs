//! What the phone's sync client, ERP batch importers and the server exchange: plain serde
//! types, no I/O, so both ends compile against one definition; and, with the `client`
//! feature, the phone's HTTP client.

pub mod batch;
#[cfg(feature = "client")]
pub mod client;
pub mod wire;
