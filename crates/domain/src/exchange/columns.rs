//! The columns of each file. 双公示 files take the national standard's data items exactly
//! as the catalog titles them (`data/catalog/catalog.toml`, the titles departments submit
//! under: FACTS.md), in the catalog's order, followed by [`RECORD_EXTRA_COLUMNS`]; the other
//! files have their own fixed columns (the national standard defines none for them).

use crate::catalog::RecordType;

/// Appended after a 双公示 type's standard columns: what happened to the record that day,
/// its status at the end of the day and the platform's stable id (so that a correction or a
/// revocation is matched to the row sent before).
pub const RECORD_EXTRA_COLUMNS: [&str; 3] = ["操作类型", "记录状态", "平台记录编号"];

/// A 双公示 type's columns: its fields' titles, then [`RECORD_EXTRA_COLUMNS`].
pub fn record_columns(rt: &RecordType) -> Vec<String> {
    rt.fields
        .iter()
        .map(|f| f.title.clone())
        .chain(RECORD_EXTRA_COLUMNS.iter().map(|s| s.to_string()))
        .collect()
}

/// 政务失信 records (of several catalog types): the columns they share, the type's own
/// fields in one 信息内容 cell (`标题：值；…`).
pub fn gov_negative_columns() -> Vec<String> {
    [
        "信用主体名称",
        "统一社会信用代码",
        "信息类别",
        "决定文书号",
        "决定日期",
        "失信严重程度",
        "数据来源单位统一社会信用代码",
        "信息内容",
        "操作类型",
        "记录状态",
        "平台记录编号",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// List entries put on or taken off a list: one row per event.
pub fn list_event_columns() -> Vec<String> {
    [
        "名单名称",
        "主体名称",
        "主体标识",
        "认定标准",
        "认定依据",
        "认定部门",
        "认定部门统一社会信用代码",
        "事件",
        "事件日期",
        "移出原因",
        "平台名单编号",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Credit-repair decisions.
pub fn repair_columns() -> Vec<String> {
    [
        "查询编号",
        "信用主体名称",
        "修复对象",
        "修复对象编号",
        "认定部门",
        "修复结果",
        "决定理由",
        "决定依据",
        "决定日期",
        "平台申请编号",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}
