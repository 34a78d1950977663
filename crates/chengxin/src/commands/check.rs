//! `chengxin check --scenario S FILE -o report.xlsx`: check a file of parties (CSV or XLSX,
//! columns 名称 / 统一社会信用代码 / 身份证号码 in any order) the way a bidding platform calls
//! the API, and write an XLSX report with the verdict, the matches and why, and the measures.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use chengxin_checks::{evaluate, Audience, CheckIndex, PartyInput, PartyResult};
use chengxin_domain::lists::JointCatalog;
use chengxin_ingest::read::{open_reader, ReadOptions};
use chengxin_store::{AuditEvent, Store};
use clap::Args;

use crate::config::Config;
use crate::error::CliError;
use crate::setup::open_and_migrate;

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Scenario code (bidding, procurement, awards, civil_service …).
    #[arg(long)]
    pub scenario: String,
    /// CSV (UTF-8/GB18030) or XLSX with the parties.
    pub file: PathBuf,
    /// XLSX sheet (default: the first).
    #[arg(long)]
    pub sheet: Option<String>,
    /// Where to write the XLSX report.
    #[arg(long, short)]
    pub output: PathBuf,
}

/// Longest file accepted here (rows); the API takes 10,000 parties per call.
const MAX_ROWS: usize = 1_000_000;

fn column(headers: &[String], names: &[&str]) -> Option<usize> {
    headers.iter().position(|h| {
        let h = h.trim().to_lowercase();
        names.iter().any(|n| h == *n)
    })
}

fn read_parties(args: &CheckArgs) -> anyhow::Result<Vec<PartyInput>> {
    let f = std::fs::File::open(&args.file)
        .map_err(|e| CliError::new("io_error", format!("无法打开 {}：{e}", args.file.display())))?;
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().to_string());
    let table = open_reader(
        f,
        name.as_deref(),
        &ReadOptions {
            sheet: args.sheet.clone(),
            ..Default::default()
        },
    )
    .map_err(|e| CliError::new(e.code, e.message))?;
    let h = table.headers.clone();
    let name_col = column(
        &h,
        &[
            "名称",
            "name",
            "单位名称",
            "企业名称",
            "姓名",
            "主体名称",
            "投标人名称",
            "供应商名称",
        ],
    );
    let uscc_col = column(&h, &["统一社会信用代码", "uscc", "信用代码"]);
    let id_col = column(
        &h,
        &["身份证号码", "居民身份证号码", "证件号码", "id_number"],
    );
    if name_col.is_none() && uscc_col.is_none() && id_col.is_none() {
        return Err(CliError::new(
            "missing_columns",
            "文件须含“名称”“统一社会信用代码”或“身份证号码”列之一",
        )
        .into());
    }
    let cell = |cells: &[String], c: Option<usize>| {
        c.and_then(|i| cells.get(i))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let mut out = Vec::new();
    for row in table {
        let row = match row {
            Ok(r) => r,
            Err(chengxin_ingest::error::ReadIssue::Row(e)) => {
                return Err(
                    CliError::new("bad_row", format!("第 {} 行：{}", e.row, e.message)).into(),
                )
            }
            Err(chengxin_ingest::error::ReadIssue::Fatal(e)) => {
                return Err(CliError::new(e.code, e.message).into())
            }
        };
        out.push(PartyInput {
            name: cell(&row.cells, name_col),
            uscc: cell(&row.cells, uscc_col),
            id_number: cell(&row.cells, id_col),
        });
        if out.len() > MAX_ROWS {
            return Err(
                CliError::new("too_many_rows", format!("一次最多核查 {MAX_ROWS} 个对象")).into(),
            );
        }
    }
    Ok(out)
}

fn write_report(
    path: &std::path::Path,
    scenario: &str,
    results: &[PartyResult],
) -> anyhow::Result<()> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("核查结果")?;
    let bold = Format::new().set_bold();
    let red = Format::new()
        .set_font_color(rust_xlsxwriter::Color::Red)
        .set_bold();
    let headers = [
        "序号",
        "名称",
        "统一社会信用代码",
        "身份证号码",
        "核查场景",
        "结论",
        "匹配主体",
        "匹配方式",
        "得分",
        "匹配理由",
        "名单",
        "失信记录",
        "适用措施",
        "说明",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_with_format(0, c as u16, *h, &bold)?;
    }
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    for (i, r) in results.iter().enumerate() {
        let row = (i + 1) as u32;
        let m = r.matches.first();
        let cells: Vec<String> = vec![
            (r.index + 1).to_string(),
            text(&r.input["name"]),
            text(&r.input["uscc"]),
            text(&r.input["id_number"]),
            scenario.to_string(),
            r.verdict_label.clone(),
            m.map(|m| m.name.to_string()).unwrap_or_default(),
            m.map(|m| m.matched_by.to_string()).unwrap_or_default(),
            m.map(|m| format!("{:.2}", m.score)).unwrap_or_default(),
            m.map(|m| m.reasons.join("；")).unwrap_or_default(),
            r.matches
                .iter()
                .flat_map(|m| {
                    m.entries
                        .iter()
                        .map(|e| format!("{}（{}）", e.list, e.status))
                })
                .collect::<Vec<_>>()
                .join("；"),
            r.matches
                .iter()
                .flat_map(|m| {
                    m.records
                        .iter()
                        .map(|x| format!("{} {}", x.type_code, x.doc_no))
                })
                .collect::<Vec<_>>()
                .join("；"),
            r.assessment
                .as_ref()
                .map(|a| {
                    a.measures
                        .iter()
                        .map(|m| format!("{}：{}", m.name, m.reason))
                        .collect::<Vec<_>>()
                        .join("；")
                })
                .unwrap_or_default(),
            r.error
                .as_ref()
                .map(|e| text(&e["message"]))
                .unwrap_or_default(),
        ];
        for (c, v) in cells.iter().enumerate() {
            // Text cells only, formula-neutralised: a party's name cannot run in Excel.
            let v = chengxin_ingest::report::neutralise(v);
            if c == 5 && r.verdict == "intercept" {
                ws.write_with_format(row, c as u16, v.as_ref(), &red)?;
            } else {
                ws.write_string(row, c as u16, v.as_ref())?;
            }
        }
    }
    ws.autofit();
    wb.save(path)?;
    Ok(())
}

pub async fn run(
    cfg: &Config,
    store: Arc<dyn Store>,
    args: &CheckArgs,
) -> anyhow::Result<ExitCode> {
    let joint = JointCatalog::default_checked().map_err(CliError::from)?;
    let scenario = joint.scenario(&args.scenario).ok_or_else(|| {
        CliError::new(
            "unknown_scenario",
            format!("未知的核查场景“{}”", args.scenario),
        )
    })?;
    let parties = read_parties(args)?;
    if parties.is_empty() {
        return Err(CliError::new("empty_file", "文件中没有待核查的对象").into());
    }
    let index = CheckIndex::default();
    index.build(store.as_ref()).await.map_err(CliError::from)?;
    let hasher = crate::setup::id_hasher(cfg)?;
    // The operator at the server, for the credit office: everything in force is shown.
    let results = evaluate(
        &index,
        &hasher,
        joint,
        &scenario.code,
        parties,
        Audience::FULL,
    )
    .map_err(CliError::from)?;
    write_report(&args.output, &scenario.name, &results)
        .with_context(|| format!("无法写入 {}", args.output.display()))?;
    let count = |v: &str| results.iter().filter(|r| r.verdict == v).count();
    let mut e = AuditEvent::new("cli:check", "query", "check", "ok");
    e.detail = serde_json::json!({
        "scenario": scenario.code, "parties": results.len(),
        "intercepted": count("intercept"), "warned": count("warn"),
    });
    store.audit(&[e]).await?;
    println!(
        "{}",
        serde_json::json!({
            "scenario": scenario.code,
            "parties": results.len(),
            "intercept": count("intercept"),
            "warn": count("warn"),
            "pass": count("pass"),
            "error": count("error"),
            "report": args.output.display().to_string(),
        })
    );
    Ok(ExitCode::SUCCESS)
}

/// `chengxin check …`: migrate, then run.
pub(crate) async fn command(cfg: &Config, args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let store = open_and_migrate(cfg).await?;
    run(cfg, store, args).await
}
