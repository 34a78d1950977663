//! The correction form (更正) — one input per field of the record's type, labelled with the
//! catalog's Chinese title, prefilled with the current value, a select for enumerated values —
//! and the history's before/after of each corrected field. Shared by the record page and the
//! objection's `check` step. The form sends only the fields whose value was changed
//! (`data-patch` in the actions script); the document number and the subject's identifiers are
//! shown but cannot be changed.

use chengxin_app::records::CorrectionForm;
use chengxin_domain::records::correction::{FieldChange, FormField, FormInput};
use maud::{html, Markup};

use super::val;

/// Text fields longer than this get a text area.
const LONG_TEXT: u32 = 200;

/// A value as shown in a form: ID-like numbers masked (as everywhere in the console).
fn shown(value: &str) -> String {
    val(&serde_json::Value::String(value.to_string()))
}

fn input(f: &FormField, id: &str) -> Markup {
    let value = shown(&f.value);
    if f.locked.is_some() {
        // Shown, never sent: no `data-field`.
        return html! { input id=(id) type="text" value=(value) disabled; };
    }
    match &f.input {
        FormInput::Select { options } => html! {
            select id=(id) name=(f.name) data-field=(f.name) data-original=(f.value) {
                @for o in options {
                    option value=(o.value) selected[o.value == f.value] { (o.label) }
                }
            }
        },
        FormInput::Text { max_len } if *max_len > LONG_TEXT => html! {
            textarea id=(id) name=(f.name) data-field=(f.name) data-original=(value)
                maxlength=(max_len) rows="3" { (value) }
        },
        FormInput::Text { max_len } => html! {
            input id=(id) name=(f.name) type="text" data-field=(f.name) data-original=(value)
                maxlength=(max_len) value=(value);
        },
        FormInput::Date => html! {
            input id=(id) name=(f.name) type="text" inputmode="numeric" placeholder="YYYY-MM-DD"
                data-field=(f.name) data-original=(value) value=(value);
        },
        FormInput::Number { integer } => html! {
            input id=(id) name=(f.name) type="text"
                inputmode=(if *integer { "numeric" } else { "decimal" })
                data-field=(f.name) data-original=(value) value=(value);
        },
        FormInput::Code => html! {
            input id=(id) name=(f.name) type="text" autocomplete="off" spellcheck="false"
                data-field=(f.name) data-original=(value) value=(value);
        },
    }
}

/// The fields of a correction form inside the element `box_id` (the button that submits it
/// names the box in `data-patch`).
pub(super) fn correction_fields(form: &CorrectionForm, box_id: &str) -> Markup {
    html! {
        p.hint { "按“" (form.type_name) "”的字段逐项更正：只提交改动过的字段，其余字段保持不变；清空可选字段即删除其内容。更正后的记录须符合信用信息目录的要求。" }
        div.correct-fields id=(box_id) {
            @for f in &form.fields {
                @let id = format!("{box_id}-{}", f.name);
                div.field {
                    label for=(id) {
                        (f.title)
                        @if f.required { " " span.req title="必填" { "*" } }
                    }
                    (input(f, &id))
                    @if let Some(why) = f.locked { p.hint { (why) } }
                    @else if f.masked { p.hint { "号码已脱敏显示；如需更正，请输入完整号码。" } }
                    @if let Some(d) = &f.description { p.hint { (d) } }
                }
            }
        }
    }
}

/// The changed fields of a history entry: title, before → after (ID-like numbers masked).
pub(super) fn changes_list(changes: &[FieldChange], titles: &[(String, String)]) -> Markup {
    let title = |name: &str| {
        titles
            .iter()
            .find(|(n, _)| n == name)
            .map_or_else(|| name.to_string(), |(_, t)| t.clone())
    };
    let shown = |v: &Option<serde_json::Value>| match v {
        Some(v) => val(v),
        None => "（空）".to_string(),
    };
    html! {
        ul.plain.changes {
            @for c in changes {
                li {
                    strong { (title(&c.field)) } "："
                    del { (shown(&c.before)) } " → " ins { (shown(&c.after)) }
                }
            }
        }
    }
}
