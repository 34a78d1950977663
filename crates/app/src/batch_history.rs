//! 我的报送批次: the batches of the caller's own body (a department's clerk), or of the
//! departments registered in its region (a credit office without a body), newest first, paged,
//! each with what its records entered with (published, not to be published, already past their
//! publication period at import). Siblings never see each other's batches.

use chengxin_access::jurisdiction::ScopeLevel;
use chengxin_access::Permission;
use chengxin_domain::catalog::{Catalog, Disclosure};
use chengxin_store::{Batch, BatchFilter, BatchPublication, BatchState};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::AppResult;
use crate::App;

/// Batches a page.
pub const PER_PAGE: i64 = 20;

/// One batch in the history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryItem {
    #[schema(value_type = Object)]
    pub batch: Batch,
    /// The record type's Chinese name.
    pub type_name: String,
    /// Whether the type is published to the public (else shared among government only).
    pub public: bool,
    /// The batch's state in Chinese (正在导入, 已入库, 导入中断).
    pub state_label: String,
    /// The submitting department's name, when known.
    pub dept_name: Option<String>,
    /// How its records entered.
    #[schema(value_type = Object)]
    pub publication: BatchPublication,
}

/// A page of the history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryPage {
    pub total: i64,
    /// 1-based.
    pub page: i64,
    pub per_page: i64,
    pub items: Vec<HistoryItem>,
    /// Whose batches: one department (`true`) or a region's.
    pub own_body: bool,
}

/// The state of a batch in Chinese.
pub fn state_label(s: BatchState) -> &'static str {
    match s {
        BatchState::Importing => "正在导入",
        BatchState::Committed => "已入库",
        BatchState::Failing => "导入中断，正在作废",
        BatchState::Failed => "导入中断，已作废",
    }
}

/// Whose batches the caller reads: its body's (with a permission to submit or read
/// non-public records), or — a caller without a body that reads non-public records — those
/// of departments registered in its region and below. Anyone else has none to read.
fn filter_for(caller: &Caller) -> Option<BatchFilter> {
    if let Some(body) = caller.body.as_deref().filter(|b| !b.trim().is_empty()) {
        if caller.has(Permission::RecordsSubmit) || caller.has(Permission::RecordsReadNonpublic) {
            return Some(BatchFilter::Dept(body.trim().to_ascii_uppercase()));
        }
    } else if caller.has(Permission::RecordsReadNonpublic) {
        let region = &caller.scope.region;
        let code = region.as_str();
        let prefix = match region.level() {
            ScopeLevel::National => "",
            ScopeLevel::Province => code.get(..2).unwrap_or(code),
            ScopeLevel::Prefecture => code.get(..4).unwrap_or(code),
            // A county's departments; a township has no departments of its own here.
            ScopeLevel::County | ScopeLevel::Township => code,
        };
        return Some(BatchFilter::RegionPrefix(prefix.to_string()));
    }
    None
}

/// One page (1-based) of the caller's batches, newest first.
pub async fn history(app: &App, caller: &Caller, page: i64) -> AppResult<HistoryPage> {
    let page = page.max(1);
    let Some(filter) = filter_for(caller) else {
        return Ok(HistoryPage {
            total: 0,
            page,
            per_page: PER_PAGE,
            items: Vec::new(),
            own_body: true,
        });
    };
    let (batches, total) = app
        .store
        .batches_page(&filter, (page - 1) * PER_PAGE, PER_PAGE)
        .await?;
    let ids: Vec<uuid::Uuid> = batches.iter().map(|b| b.id).collect();
    let publication = app.store.batch_publication(&ids).await?;
    let catalog = Catalog::default_checked().ok();
    let delegations = app.delegations()?;
    let mut items = Vec::with_capacity(batches.len());
    for b in batches {
        let rt = catalog.and_then(|c| c.get(&b.type_code));
        let dept_name =
            crate::authority::body_name(app.store.as_ref(), &delegations, &b.source_dept).await?;
        items.push(HistoryItem {
            type_name: rt.map_or_else(|| b.type_code.clone(), |t| t.name.clone()),
            public: rt.is_some_and(|t| t.disclosure == Disclosure::Public),
            state_label: state_label(b.state).into(),
            dept_name,
            publication: publication
                .iter()
                .find(|(id, _)| *id == b.id)
                .map(|(_, p)| *p)
                .unwrap_or_default(),
            batch: b,
        });
    }
    Ok(HistoryPage {
        total,
        page,
        per_page: PER_PAGE,
        items,
        own_body: matches!(filter, BatchFilter::Dept(_)),
    })
}

/// The records of a batch the caller may read ([`crate::batches::read`]: another body's batch
/// is `not_found`), one page (1-based), by 文书号, with the total.
pub async fn records(
    app: &App,
    caller: &Caller,
    id: uuid::Uuid,
    page: i64,
) -> AppResult<(Batch, Vec<chengxin_domain::records::Record>, i64)> {
    let batch = crate::batches::read(app, caller, id).await?;
    let page = page.max(1);
    let (records, total) = app
        .store
        .batch_records(id, (page - 1) * PER_PAGE, PER_PAGE)
        .await?;
    Ok((batch, records, total))
}
