//! An attachment's bytes, where the platform keeps them (evidence uploaded with a portal
//! complaint): for callers who reach the item, as its other details; not found otherwise, or
//! for a file of another item or one kept only as a description.

use uuid::Uuid;

use super::view::load;
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::App;

/// A file to hand out.
pub struct FileDownload {
    pub id: Uuid,
    pub mime: &'static str,
    pub extension: &'static str,
    pub content: Vec<u8>,
}

/// The bytes of one attachment of an item within reach.
pub async fn file(app: &App, caller: &Caller, id: Uuid, file_id: Uuid) -> AppResult<FileDownload> {
    load(app, caller, id).await?;
    let c = app
        .store
        .work_content(file_id)
        .await?
        .filter(|c| c.item_id == id)
        .ok_or(AppError::NotFound)?;
    let (mime, extension) = match c.kind.as_str() {
        "pdf" => ("application/pdf", "pdf"),
        "jpeg" => ("image/jpeg", "jpg"),
        "png" => ("image/png", "png"),
        "ofd" => ("application/ofd", "ofd"),
        _ => ("application/octet-stream", "bin"),
    };
    Ok(FileDownload {
        id: file_id,
        mime,
        extension,
        content: c.content,
    })
}
