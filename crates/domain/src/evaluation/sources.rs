//! The sources an indicator may draw on: each a *family* (one named store query over the
//! platform's own data, returning the items — records, commitments, work items … — of every
//! body, each with a tag) and the *values* formulas refer to, each the count of a family's items
//! carrying some tags. `imported` is the figure imported for the indicator itself (a
//! department's own figures, a third-party evaluation).

/// One source family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Family {
    pub code: &'static str,
    pub name: &'static str,
    /// What an item is (for links): `record`, `commitment`, `arrear`, `list_entry`,
    /// `work_item`, `application`, `debtor_case`, `import`.
    pub item_kind: &'static str,
}

pub const FAMILIES: [Family; 11] = [
    Family {
        code: "gongshi",
        name: "双公示7个工作日上报",
        item_kind: "record",
    },
    Family {
        code: "dishonesty",
        name: "政务失信记录",
        item_kind: "record",
    },
    Family {
        code: "commitments",
        name: "政务承诺履行",
        item_kind: "commitment",
    },
    Family {
        code: "arrears",
        name: "拖欠账款",
        item_kind: "arrear",
    },
    Family {
        code: "lists",
        name: "名单认定",
        item_kind: "list_entry",
    },
    Family {
        code: "rectification",
        name: "问题整改（督查、审计、财会监督、名单整改）",
        item_kind: "work_item",
    },
    Family {
        code: "proposals",
        name: "人大建议、政协提案办理",
        item_kind: "work_item",
    },
    Family {
        code: "objections",
        name: "异议申诉答复",
        item_kind: "application",
    },
    Family {
        code: "debtors",
        name: "失信被执行人（机关）",
        item_kind: "debtor_case",
    },
    Family {
        code: "imported",
        name: "导入数据（部门自报、第三方评价）",
        item_kind: "import",
    },
    Family {
        code: "debt",
        name: "地方政府债务（债务率、风险等级）",
        item_kind: "debt_position",
    },
];

/// One named value: the count of a family's items with one of `tags`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueDef {
    pub name: &'static str,
    pub family: &'static str,
    pub tags: &'static [&'static str],
    pub label: &'static str,
}

const fn v(
    name: &'static str,
    family: &'static str,
    tags: &'static [&'static str],
    label: &'static str,
) -> ValueDef {
    ValueDef {
        name,
        family,
        tags,
        label,
    }
}

/// Item tags per family:
/// - gongshi: `on_time`, `late` (past the deadline, published or not), `pending` (not yet due);
/// - dishonesty: the record's severity `minor`, `general`, `major`, `severe`;
/// - commitments: `kept`, `breached`, `overdue`, `changed` (a milestone due in the period);
/// - arrears: `owed` (unpaid, due by the period's end), `cleared` (cleared in the period);
/// - lists: `entered` (a body's list entry created in the period);
/// - rectification / proposals: `on_time`, `late` (deadline in the period; closed by it or
///   not), `open` (not yet due);
/// - objections: `on_time`, `late` (due in the period; answered by then or not);
/// - debtors: `open` (listed by the period's end, not cleared by then);
/// - imported: the imported figure (its value, not a count);
/// - debt: one item per region, its own debt position (of the newest year up to the period's),
///   tagged with its risk level `green`, `yellow`, `orange`, `red`; the value `debt_ratio` is the
///   position's 债务率 in percent ([`DEBT_RATIO`]), not a count. A region's debt values are its
///   own position's, never summed from the regions within it; a region without a position has
///   none (the indicator is unscored, "no data", never a silent zero).
pub const VALUES: [ValueDef; 31] = [
    v(
        "gongshi_due",
        "gongshi",
        &["on_time", "late"],
        "应按期公示的双公示信息数",
    ),
    v("gongshi_on_time", "gongshi", &["on_time"], "按期公示数"),
    v("gongshi_late", "gongshi", &["late"], "逾期公示数"),
    v(
        "dishonesty_total",
        "dishonesty",
        &["minor", "general", "major", "severe"],
        "政务失信记录数",
    ),
    v(
        "dishonesty_minor",
        "dishonesty",
        &["minor"],
        "轻微失信记录数",
    ),
    v(
        "dishonesty_general",
        "dishonesty",
        &["general"],
        "一般失信记录数",
    ),
    v(
        "dishonesty_major",
        "dishonesty",
        &["major"],
        "较重失信记录数",
    ),
    v(
        "dishonesty_severe",
        "dishonesty",
        &["severe"],
        "严重失信记录数",
    ),
    v(
        "commitments_due",
        "commitments",
        &["kept", "breached", "overdue", "changed"],
        "到期承诺节点数",
    ),
    v(
        "commitments_kept",
        "commitments",
        &["kept", "changed"],
        "已兑现（含依法变更）节点数",
    ),
    v(
        "commitments_broken",
        "commitments",
        &["breached", "overdue"],
        "违约或逾期节点数",
    ),
    v("arrears_owed", "arrears", &["owed"], "逾期未清偿拖欠笔数"),
    v(
        "arrears_cleared",
        "arrears",
        &["cleared"],
        "本期清偿拖欠笔数",
    ),
    v("list_entries", "lists", &["entered"], "本期列入名单数"),
    v(
        "rectification_due",
        "rectification",
        &["on_time", "late"],
        "到期整改事项数",
    ),
    v(
        "rectification_on_time",
        "rectification",
        &["on_time"],
        "按期整改事项数",
    ),
    v(
        "rectification_late",
        "rectification",
        &["late"],
        "逾期整改事项数",
    ),
    v(
        "proposals_due",
        "proposals",
        &["on_time", "late"],
        "到期建议提案数",
    ),
    v(
        "proposals_on_time",
        "proposals",
        &["on_time"],
        "按期办结建议提案数",
    ),
    v("proposals_late", "proposals", &["late"], "逾期建议提案数"),
    v(
        "objections_due",
        "objections",
        &["on_time", "late"],
        "到期异议申诉数",
    ),
    v(
        "objections_on_time",
        "objections",
        &["on_time"],
        "按期答复异议数",
    ),
    v("objections_late", "objections", &["late"], "逾期答复异议数"),
    v(
        "debtors_open",
        "debtors",
        &["open"],
        "未履行的失信被执行人案件数",
    ),
    v(
        "commitments_breached",
        "commitments",
        &["breached"],
        "认定违约节点数",
    ),
    v("imported", "imported", &[], "导入数值"),
    v("debt_ratio", "debt", &[], "债务率（%）"),
    v("debt_green", "debt", &["green"], "风险等级为绿色的债务数据"),
    v(
        "debt_yellow",
        "debt",
        &["yellow"],
        "风险等级为黄色的债务数据",
    ),
    v(
        "debt_orange",
        "debt",
        &["orange"],
        "风险等级为橙色的债务数据",
    ),
    v("debt_red", "debt", &["red"], "风险等级为红色的债务数据"),
];

/// The value that carries a debt position's ratio (percent) rather than a count.
pub const DEBT_RATIO: &str = "debt_ratio";

pub fn family(code: &str) -> Option<&'static Family> {
    FAMILIES.iter().find(|f| f.code == code)
}

pub fn value(name: &str) -> Option<&'static ValueDef> {
    VALUES.iter().find(|v| v.name == name)
}

/// The tag of an item with a deadline (`on`): `on_time` when done by it, `late` when done after
/// it or still open past it on `as_of`, `open` when neither yet.
pub fn deadline_tag(
    on: chrono::NaiveDate,
    done_on: Option<chrono::NaiveDate>,
    as_of: chrono::NaiveDate,
) -> &'static str {
    match done_on {
        Some(d) if d <= on => "on_time",
        Some(_) => "late",
        None if as_of > on => "late",
        None => "open",
    }
}

/// The tag of a commitment milestone from its stored state: a milestone still `pending` past
/// its due date on `as_of` is `overdue` (the daily sweep marks it so the next morning).
pub fn commitment_tag(
    state: &str,
    due: chrono::NaiveDate,
    as_of: chrono::NaiveDate,
) -> &'static str {
    match state {
        "kept" => "kept",
        "changed" => "changed",
        "breached" => "breached",
        "overdue" => "overdue",
        _ if as_of > due => "overdue",
        _ => "pending",
    }
}

/// For each family and tag, the indexes (into [`VALUES`]) of the values it counts towards.
pub fn value_slots(family: &str, tag: &str) -> Vec<usize> {
    VALUES
        .iter()
        .enumerate()
        .filter(|(_, v)| v.family == family && v.tags.contains(&tag))
        .map(|(i, _)| i)
        .collect()
}

/// The index of a value in [`VALUES`].
pub fn value_index(name: &str) -> Option<usize> {
    VALUES.iter().position(|v| v.name == name)
}

/// The console address of an item, by its family's item kind.
pub fn item_link(item_kind: &str, id: &str) -> Option<String> {
    let base = match item_kind {
        "record" => "/console/records/",
        "commitment" => "/console/commitments/",
        "arrear" => "/console/arrears/",
        "list_entry" => "/console/lists/",
        "work_item" => "/console/work/",
        "application" => "/console/applications/",
        "debtor_case" => "/console/debtors/",
        // A debt position's item id is its region's code: the region's debt page.
        "debt_position" => return Some(format!("/console/debt?region={id}")),
        _ => return None,
    };
    Some(format!("{base}{id}"))
}
