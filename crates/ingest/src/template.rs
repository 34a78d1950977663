//! 报送模板: an XLSX template per catalog type — the first sheet has the type's column titles
//! in the catalog's order (the titles the intake maps, so a filled template is read as-is),
//! required columns in red; the second sheet, 填写说明, explains each column: what it is,
//! whether it is required, its format, its allowed values with their Chinese names, an example.

use std::borrow::Cow;

use chengxin_domain::catalog::{FieldDef, FieldType, RecordType};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, Format, FormatAlign, Workbook,
};

use crate::report::ReportError;

/// The name of the instructions sheet.
pub const INSTRUCTIONS_SHEET: &str = "填写说明";

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> ReportError {
    ReportError {
        message: format!("生成 XLSX 模板失败：{e}"),
    }
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '、' } else { c })
        .take(31)
        .collect();
    if cleaned.trim().is_empty() {
        "数据".into()
    } else {
        cleaned
    }
}

/// What a column is for, when the catalog gives no description: by the role the field plays
/// in the type (subject, document number, decision date, deciding authority).
fn meaning(rt: &RecordType, f: &FieldDef) -> Cow<'static, str> {
    if let Some(d) = f.description.as_deref().filter(|d| !d.trim().is_empty()) {
        return Cow::Owned(d.to_string());
    }
    let is = |name: Option<&str>| name == Some(f.name.as_str());
    let authority = rt.authority.as_ref();
    Cow::Borrowed(if f.name == rt.subject.name_field {
        "信用主体（当事人）的名称或姓名，应与其登记证照或身份证件一致"
    } else if is(rt.subject.uscc_field.as_deref()) {
        "信用主体的统一社会信用代码；法人和非法人组织必填，据此关联信用主体"
    } else if is(rt.subject.id_number_field.as_deref()) {
        "自然人的证件号码；据此关联信用主体（平台只保存其加密形式和遮蔽形式）"
    } else if is(rt.subject.kind_field.as_deref()) {
        "信用主体的类别"
    } else if f.name == rt.key_field {
        "文书号：与报送部门一起唯一确定一条记录。再次报送同一文书号且内容不同，即为更正该记录"
    } else if f.name == rt.decision_date_field {
        "决定日期：公示期限和公示时效（7 个工作日）由此起算"
    } else if authority.is_some_and(|a| a.uscc_field == f.name) {
        "作出决定的机关的统一社会信用代码：须为本单位，或本单位获授权代为报送的机关"
    } else if authority.is_some_and(|a| a.name_field.as_deref() == Some(f.name.as_str())) {
        "作出决定的机关的全称"
    } else {
        "按本单位业务系统中的该项内容填写"
    })
}

/// The format of a column, in words.
fn format_of(f: &FieldDef) -> String {
    match &f.kind {
        FieldType::Text { max_len } => format!("文本，不超过 {max_len} 个字"),
        FieldType::Date => "日期，格式 YYYY-MM-DD（也可写 YYYY/MM/DD、YYYY年M月D日）".into(),
        FieldType::Decimal { scale, .. } => format!("数字，最多 {scale} 位小数，不带单位"),
        FieldType::Integer { .. } => "整数".into(),
        FieldType::Enum { .. } => "从“可选值”中选一项，填名称或代码均可".into(),
        FieldType::Uscc => "18 位统一社会信用代码（GB 32100，含校验位）".into(),
        FieldType::IdNumber => {
            "证件号码；证件类型为身份证（01）或未填时须为 18 位有效居民身份证号码（GB 11643）"
                .into()
        }
        FieldType::UsccOrId => "18 位统一社会信用代码或居民身份证号码".into(),
    }
}

/// The allowed values with their Chinese names, e.g. `01 普通；02 特许`.
fn values_of(f: &FieldDef) -> String {
    match &f.kind {
        FieldType::Enum { values } => values
            .iter()
            .map(|v| format!("{} {}", v.code, v.label))
            .collect::<Vec<_>>()
            .join("；"),
        _ => String::new(),
    }
}

/// An example value (never a real person's number).
fn example_of(rt: &RecordType, f: &FieldDef, dept: &str) -> String {
    let authority_uscc = rt.authority.as_ref().map(|a| a.uscc_field.as_str());
    match &f.kind {
        FieldType::Text { .. } if f.name == rt.subject.name_field => "常州示例科技有限公司".into(),
        FieldType::Text { .. } if f.name == rt.key_field => "常示罚〔2025〕1号".into(),
        FieldType::Text { .. } => String::new(),
        FieldType::Date => "2025-05-20".into(),
        FieldType::Decimal { .. } => "1.5".into(),
        FieldType::Integer { .. } => "1".into(),
        FieldType::Enum { values } => values.first().map(|v| v.label.clone()).unwrap_or_default(),
        FieldType::Uscc if authority_uscc == Some(f.name.as_str()) => dept.to_string(),
        FieldType::Uscc => "91320400MA1MXXXXXX（示意）".into(),
        FieldType::IdNumber | FieldType::UsccOrId => "18 位号码，末位可为 X".into(),
    }
}

/// The template of `rt` for the department `dept` (its code appears in examples where the
/// deciding authority is named), as XLSX bytes.
pub fn write_template_xlsx(rt: &RecordType, dept: &str) -> Result<Vec<u8>, ReportError> {
    let mut wb = Workbook::new();
    let text = Format::new().set_num_format("@");
    let head = Format::new()
        .set_bold()
        .set_num_format("@")
        .set_background_color(Color::RGB(0xE8F0FE))
        .set_align(FormatAlign::Center);
    let head_required = head.clone().set_font_color(Color::RGB(0xC00000));
    let ncols = rt.fields.len();
    let last_row = 10_000;

    let ws = wb.add_worksheet();
    ws.set_name(sheet_name(&rt.name)).map_err(xlsx_err)?;
    for (c, f) in rt.fields.iter().enumerate() {
        let col = u16::try_from(c).map_err(|_| ReportError {
            message: format!("列数过多（{ncols}列），无法生成模板"),
        })?;
        ws.set_column_format(col, &text).map_err(xlsx_err)?;
        ws.set_column_width(col, 18.0 + (f.title.chars().count() as f64).min(20.0))
            .map_err(xlsx_err)?;
        let fmt = if f.required { &head_required } else { &head };
        ws.write_string_with_format(0, col, &f.title, fmt)
            .map_err(xlsx_err)?;
        // A prompt in the cell (and a drop-down for enum columns): required or not, format.
        let prompt = format!(
            "{}。{}",
            if f.required { "必填" } else { "选填" },
            format_of(f)
        );
        let prompt: String = prompt.chars().take(250).collect();
        let title: String = f.title.chars().take(30).collect();
        let mut dv = DataValidation::new();
        if let FieldType::Enum { values } = &f.kind {
            let labels: Vec<&str> = values.iter().map(|v| v.label.as_str()).collect();
            if labels.iter().map(|l| l.chars().count() + 1).sum::<usize>() < 250 {
                if let Ok(v) = dv.clone().allow_list_strings(&labels) {
                    dv = v
                        .ignore_blank(true)
                        .set_error_style(DataValidationErrorStyle::Warning);
                }
            }
        }
        if let Ok(v) = dv
            .set_input_title(title)
            .and_then(|d| d.set_input_message(prompt))
        {
            ws.add_data_validation(1, col, last_row, col, &v)
                .map_err(xlsx_err)?;
        }
    }
    ws.set_freeze_panes(1, 0).map_err(xlsx_err)?;

    let help = wb.add_worksheet();
    help.set_name(INSTRUCTIONS_SHEET).map_err(xlsx_err)?;
    let wrap = Format::new().set_text_wrap().set_num_format("@");
    let bold = Format::new().set_bold().set_text_wrap();
    help.write_string_with_format(0, 0, format!("《{}》报送模板 · 填写说明", rt.name), &bold)
        .map_err(xlsx_err)?;
    help.write_string_with_format(
        1,
        0,
        "请在第一个工作表中从第 2 行起每行填写一条记录，不要修改、删除或调整第 1 行的列名（标红的列为必填）；\
         选填列没有内容时留空。可直接上传本文件，也可另存为 CSV 后上传。上传后先“预检”：系统逐行校验并显示将新增、\
         更正、不变和退回的行数，确认后才入库。",
        &wrap,
    )
    .map_err(xlsx_err)?;
    let cols = [
        "列名",
        "含义",
        "是否必填",
        "格式",
        "可选值（代码 名称）",
        "示例",
    ];
    for (c, h) in cols.iter().enumerate() {
        help.write_string_with_format(3, c as u16, *h, &bold)
            .map_err(xlsx_err)?;
    }
    for (c, w) in [28.0, 48.0, 10.0, 40.0, 40.0, 24.0].iter().enumerate() {
        help.set_column_width(c as u16, *w).map_err(xlsx_err)?;
    }
    for (i, f) in rt.fields.iter().enumerate() {
        let r = 4 + i as u32;
        let cells = [
            f.title.clone(),
            meaning(rt, f).into_owned(),
            if f.required { "必填" } else { "选填" }.to_string(),
            format_of(f),
            values_of(f),
            example_of(rt, f, dept),
        ];
        for (c, v) in cells.iter().enumerate() {
            help.write_string_with_format(r, c as u16, v, &wrap)
                .map_err(xlsx_err)?;
        }
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use chengxin_domain::catalog::Catalog;
    use chengxin_domain::intake::map_columns;

    use super::*;
    use crate::read::{open_bytes, ReadOptions};

    /// Every type's template is read by the intake as-is: its headers are the type's titles,
    /// in order, and they map with no unknown column.
    #[test]
    fn every_template_maps_onto_its_type() {
        let catalog = Catalog::default_checked().unwrap();
        for rt in catalog.types() {
            let bytes = write_template_xlsx(rt, "11320481MB0000035Y").unwrap();
            let table = open_bytes(bytes, Some("t.xlsx"), &ReadOptions::default()).unwrap();
            let titles: Vec<&str> = rt.fields.iter().map(|f| f.title.as_str()).collect();
            assert_eq!(table.headers, titles, "{}", rt.code);
            let (_, report) = map_columns(rt, &table.headers).unwrap();
            assert!(report.unknown_columns.is_empty(), "{}", rt.code);
            assert_eq!(table.count(), 0, "{}: no data rows", rt.code);
        }
    }
}
