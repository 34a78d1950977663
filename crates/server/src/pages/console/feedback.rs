//! 反馈及时率: the closed loop's timeliness in the caller's region, shown on the cases page to
//! the credit office — its own 分发, and per implementing department (body) 签收, 实施, 反馈,
//! each against its own deadline.

use chengxin_app::cases::FeedbackReport;
use maud::{html, Markup};

fn pct(r: Option<f64>) -> String {
    match r {
        Some(r) => format!("{:.0}%", r * 100.0),
        None => "—".into(),
    }
}

/// The report as a card: 分发 on one line, then one row per department.
pub(super) fn card(r: &FeedbackReport) -> Markup {
    let d = &r.distribution;
    html! {
        section.card #feedback {
            h2 { "反馈及时率（截至 " (r.as_of) "）" }
            p.hint { "本辖区、下级和上级地区的 " (r.cases) " 件案件；每个环节按其自身期限（自上一环节实际办理之日起算的工作日）判断是否按时。" }
            p #distribution {
                "信用办分发：应分发 " (d.due) " 件，已分发 " (d.done) " 件，按时 " (d.on_time) " 件，按时分发率 "
                strong { (pct(d.on_time_rate)) }
            }
            div.table-wrap { table #feedback-table {
                thead { tr { th { "实施部门" } th { "统一社会信用代码" } th { "应反馈" } th { "已反馈" } th { "按时" }
                    th { "签收逾期" } th { "实施逾期" } th { "反馈逾期" } th { "反馈率" } th { "按时反馈率" } } }
                tbody {
                    @if r.departments.is_empty() { tr { td colspan="10" { "暂无已分发的案件。" } } }
                    @for x in &r.departments {
                        tr {
                            td { (x.name) }
                            td { code.small { (x.uscc.as_deref().unwrap_or("—")) } }
                            td { (x.due) } td { (x.reported) } td { (x.on_time) }
                            td { @if x.signed_late > 0 { span.due-late { (x.signed_late) } } @else { "0" } }
                            td { @if x.applied_late > 0 { span.due-late { (x.applied_late) } } @else { "0" } }
                            td { @if x.reported_late > 0 { span.due-late { (x.reported_late) } } @else { "0" } }
                            td { (pct(x.rate)) }
                            td { (pct(x.on_time_rate)) }
                        }
                    }
                }
            } }
        }
    }
}
