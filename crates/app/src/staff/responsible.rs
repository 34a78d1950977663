//! 责任回溯: who was responsible for a body on a day — its principal (主要负责人) and the
//! holders of a named post — and where each of them is now, even after moving to another
//! body. [`responsible_at`] is what commitments, arrears and PPP projects call with an item's
//! dates; [`lookup`] is the same for a caller (API, console), bounded by jurisdiction.

use chengxin_access::Permission;
use chengxin_domain::staff::holders_on;
use chengxin_domain::subjects::{Employment, Subject};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{uscc_region, Caller};
use crate::error::{AppError, AppResult};
use crate::App;

/// A post a person holds (or held).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PostHeld {
    pub body_id: Uuid,
    pub body_name: String,
    pub post: String,
    /// 主要负责人.
    pub principal: bool,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
}

/// One person responsible on the day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Holder {
    pub person_id: Uuid,
    pub name: String,
    /// The ID number masked (`3204**********1234`).
    pub id_masked: Option<String>,
    /// The post held at the body on the day.
    pub held: PostHeld,
    /// The posts the person holds today (any body), so a person who moved on is still found.
    pub now: Vec<PostHeld>,
}

/// The answer of 责任回溯.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Responsibility {
    pub body_id: Uuid,
    pub body_name: String,
    pub day: NaiveDate,
    /// The post asked about, if any.
    pub post: Option<String>,
    /// The principal(s) on the day (one, unless the history says otherwise).
    pub principals: Vec<Holder>,
    /// The holders of `post` on the day (principals not repeated).
    pub holders: Vec<Holder>,
}

fn held(e: &Employment, body: &Subject) -> PostHeld {
    PostHeld {
        body_id: e.body_id,
        body_name: body.name.clone(),
        post: e.post.clone(),
        principal: e.principal,
        start_date: e.start_date,
        end_date: e.end_date,
    }
}

/// Who was responsible for `body_id` on `day`: the principal and, with `post`, that post's
/// holders, each with the posts they hold today. No rights are checked: for use cases that
/// have already checked theirs (commitments, arrears, PPP).
pub async fn responsible_at(
    app: &App,
    body_id: Uuid,
    day: NaiveDate,
    post: Option<&str>,
) -> AppResult<Responsibility> {
    let body = app
        .store
        .subject(body_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if body.kind.is_person() {
        return Err(AppError::NotFound);
    }
    let post = post.map(str::trim).filter(|p| !p.is_empty());
    let periods = app.store.responsible_at(body_id, day, post).await?;
    let named = holders_on(&periods, day, post);
    // Three reads in all, however many holders: the persons, and their posts today.
    let mut ids: Vec<Uuid> = named.iter().map(|e| e.person_id).collect();
    ids.sort();
    ids.dedup();
    let persons = app.store.persons_by_ids(&ids).await?;
    let today = app.today();
    let current = app.store.posts_on(&ids, today).await?;
    let mut principals = Vec::new();
    let mut holders = Vec::new();
    for e in named {
        let Some(person) = persons.iter().find(|p| p.id == e.person_id) else {
            continue;
        };
        let now = current
            .iter()
            .filter(|(p, _)| p.person_id == e.person_id)
            .map(|(p, name)| PostHeld {
                body_id: p.body_id,
                body_name: name.clone(),
                post: p.post.clone(),
                principal: p.principal,
                start_date: p.start_date,
                end_date: p.end_date,
            })
            .collect();
        let h = Holder {
            person_id: person.id,
            name: person.name.clone(),
            id_masked: person.id_masked.clone(),
            held: held(e, &body),
            now,
        };
        if e.principal {
            principals.push(h);
        } else {
            holders.push(h);
        }
    }
    Ok(Responsibility {
        body_id: body.id,
        body_name: body.name,
        day,
        post: post.map(String::from),
        principals,
        holders,
    })
}

/// [`responsible_at`] for a caller holding `records_read_nonpublic` for the body's region; a
/// body out of reach is answered like an unknown one (404). Query-logged.
pub async fn lookup(
    app: &App,
    caller: &Caller,
    body_id: Uuid,
    day: NaiveDate,
    post: Option<&str>,
) -> AppResult<Responsibility> {
    caller.require(Permission::RecordsReadNonpublic)?;
    let body = app
        .store
        .subject(body_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let region = body
        .region
        .clone()
        .or_else(|| body.uscc.as_deref().map(uscc_region))
        .unwrap_or_else(|| "000000".into());
    if !caller.reaches(Permission::RecordsReadNonpublic, &region) {
        return Err(AppError::NotFound);
    }
    let r = responsible_at(app, body_id, day, post).await?;
    let mut e = caller.audit("query", "responsible_at", "ok");
    e.target = Some(body_id.to_string());
    e.detail = serde_json::json!({
        "body": body_id, "day": day, "post": r.post,
        "returned": r.principals.len() + r.holders.len(),
    });
    app.store.audit(&[e]).await?;
    Ok(r)
}
