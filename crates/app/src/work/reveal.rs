//! The complainant's sealed name and contact (a portal complaint's or a 12345 caller's),
//! opened in the console as ID numbers are (`crate::subjects::open_identity`): the item within
//! the caller's reach, `personal_data_decrypt` for its region, a stated purpose (at least two
//! characters); every attempt is audited with its purpose (`complainant_contact_open`),
//! refused ones too.

use chengxin_access::Permission;
use serde::Serialize;
use uuid::Uuid;

use super::view::load;
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::App;

/// The complainant as opened.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ComplainantView {
    pub item_id: Uuid,
    pub name: Option<String>,
    pub contact: Option<String>,
}

impl std::fmt::Debug for ComplainantView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ComplainantView")
            .field("item_id", &self.item_id)
            .finish_non_exhaustive()
    }
}

/// Open the complainant's sealed name and contact of an item.
pub async fn reveal(
    app: &App,
    caller: &Caller,
    id: Uuid,
    purpose: &str,
) -> AppResult<ComplainantView> {
    let purpose = purpose.trim();
    if purpose.chars().count() < 2 {
        return Err(chengxin_access::AccessError::PurposeRequired.into());
    }
    if purpose.chars().count() > 200 {
        return Err(AppError::invalid(
            "purpose_too_long",
            "查看事由不得超过 200 字",
        ));
    }
    let (row, _, _) = load(app, caller, id).await?;
    let mut e = caller.audit("query", "complainant_contact_open", "ok");
    e.target = Some(id.to_string());
    e.detail = serde_json::json!({"purpose": purpose, "item": row.no, "returned": 0});
    if let Err(err) = caller.require_at(Permission::PersonalDataDecrypt, &row.region) {
        e.outcome = "denied".into();
        app.store.audit(&[e]).await?;
        return Err(err);
    }
    let open = |sealed: &str, ctx: &str| {
        app.pii
            .open_bound(sealed, ctx)
            .map_err(|err| AppError::unavailable(format!("联系方式无法解密：{err}")))
    };
    let (name, contact) = if let Some(f) = app.store.public_filing(id).await? {
        let ctx = format!("portal_complaint:{}", row.no);
        (
            Some(open(&f.name_sealed, &ctx)?),
            f.contact_sealed
                .as_deref()
                .map(|c| open(c, &ctx))
                .transpose()?,
        )
    } else if let Some(t) = app.store.hotline_ticket_of(id).await? {
        let ctx = format!("hotline:{}", t.ticket_no);
        (
            None,
            t.contact_sealed
                .as_deref()
                .map(|c| open(c, &ctx))
                .transpose()?,
        )
    } else {
        return Err(AppError::NotFound);
    };
    e.detail["returned"] = serde_json::json!(1);
    app.store.audit(&[e]).await?;
    Ok(ComplainantView {
        item_id: id,
        name,
        contact,
    })
}
