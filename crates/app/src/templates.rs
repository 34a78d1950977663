//! 报送模板: the catalog types a department may submit (its 报送范围) and an XLSX template
//! for each — the type's column titles in the order the intake reads them, required columns
//! marked, and a sheet of instructions (`chengxin_ingest::template`).

use chengxin_domain::authority::types_in_scope;
use chengxin_domain::catalog::Catalog;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::batches::submitting_dept;
use crate::error::{AppError, AppResult};
use crate::App;

/// A type offered to a department.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TypeOffer {
    /// Catalog type code, e.g. `admin_penalty`.
    pub code: String,
    /// Its Chinese name, e.g. 行政处罚.
    pub name: String,
    /// How many columns the template has, and how many of them are required.
    pub columns: usize,
    pub required: usize,
}

/// The department a template or an offer is for: the one named (the caller must be allowed
/// to submit for it, [`submitting_dept`]) or the caller's own body; `None` for a caller
/// without a body that names none (every type is offered to it, the department chosen later).
fn dept_for(caller: &Caller, dept: Option<&str>) -> AppResult<Option<String>> {
    match dept.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => submitting_dept(caller, d).map(Some),
        None => match caller.body.as_deref() {
            Some(b) => submitting_dept(caller, b).map(Some),
            None => Ok(None),
        },
    }
}

/// The types `dept` may submit (its 报送范围), in catalog order, with the department they
/// are for (see `dept_for`).
pub fn offered(
    app: &App,
    caller: &Caller,
    dept: Option<&str>,
) -> AppResult<(Option<String>, Vec<TypeOffer>)> {
    let dept = dept_for(caller, dept)?;
    let delegations = app.delegations()?;
    let catalog = Catalog::default_checked().map_err(AppError::unavailable)?;
    let scope = dept.as_deref().and_then(|d| delegations.scope_of(d));
    let offers = types_in_scope(catalog, scope)
        .into_iter()
        .map(|t| TypeOffer {
            code: t.code.clone(),
            name: t.name.clone(),
            columns: t.fields.len(),
            required: t.fields.iter().filter(|f| f.required).count(),
        })
        .collect();
    Ok((dept, offers))
}

/// The template of `type_code` for `dept`: its file name and XLSX bytes. A type outside the
/// department's 报送范围 is refused (`type_not_in_scope`), an unknown one `unknown_type`.
pub async fn template(
    app: &App,
    caller: &Caller,
    dept: Option<&str>,
    type_code: &str,
) -> AppResult<(String, Vec<u8>)> {
    let dept = dept_for(caller, dept)?;
    let catalog = Catalog::default_checked().map_err(AppError::unavailable)?;
    let rt = catalog.get(type_code).ok_or_else(|| {
        AppError::invalid(
            "unknown_type",
            format!("信用信息目录中没有类型“{type_code}”"),
        )
    })?;
    if let Some(dept) = &dept {
        let delegations = app.delegations()?;
        crate::authority::require_in_scope(app.store.as_ref(), &delegations, dept, rt).await?;
    }
    let bytes = chengxin_ingest::template::write_template_xlsx(rt, dept.as_deref().unwrap_or(""))
        .map_err(AppError::unavailable)?;
    Ok((
        format!("{}-报送模板.xlsx", rt.name.replace('/', "、")),
        bytes,
    ))
}
