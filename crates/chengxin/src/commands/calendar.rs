//! `chengxin calendar load FILE [--replace]` and `chengxin calendar show [--json]`: the
//! official calendar as run-time data. A file in the shipped format (one or more `[[years]]`,
//! see `data/calendar/cn-holidays.toml`) is validated, merged into the calendar in effect
//! (covered years stay contiguous; a covered year is replaced only with `--replace`) and
//! stored, change-logged; `show` lists the covered years and where each comes from.

use std::path::Path;
use std::process::ExitCode;

use chengxin_domain::calendar::CalendarDoc;
use clap::Subcommand;

use crate::config::Config;
use crate::error::CliError;
use crate::setup::{checkpoint, china_today, open_and_migrate};

/// The actor of loads from the command line.
const ACTOR: &str = "cli:calendar-load";

/// Calendar files are a few kilobytes; anything much larger is not one.
const MAX_FILE_BYTES: u64 = 1024 * 1024;

#[derive(Subcommand, Debug)]
pub(crate) enum CalendarOp {
    /// Load a year's official holiday schedule (TOML in the shipped format, one or more
    /// `[[years]]`, every entry naming its notice): validated, then in effect at once.
    Load {
        file: std::path::PathBuf,
        /// Replace years already covered whose content differs (otherwise an error).
        #[arg(long)]
        replace: bool,
    },
    /// The covered years, where each comes from (shipped or loaded: when, by whom), and a
    /// warning when the coverage ends within 60 days.
    Show {
        #[arg(long)]
        json: bool,
    },
}

pub(crate) async fn run(cfg: &Config, op: &CalendarOp) -> anyhow::Result<ExitCode> {
    match op {
        CalendarOp::Load { file, replace } => load(cfg, file, *replace).await,
        CalendarOp::Show { json } => show(cfg, *json).await,
    }
}

fn read_file(file: &Path) -> Result<CalendarDoc, CliError> {
    let io =
        |e: std::io::Error| CliError::new("io_error", format!("无法读取 {}：{e}", file.display()));
    if std::fs::metadata(file).map_err(io)?.len() > MAX_FILE_BYTES {
        return Err(CliError::new(
            "calendar_file_too_large",
            format!("{} 过大，不是节假日数据文件", file.display()),
        ));
    }
    let text = String::from_utf8(std::fs::read(file).map_err(io)?).map_err(|_| {
        CliError::new(
            "calendar_not_utf8",
            format!("{} 不是 UTF-8 编码的文本", file.display()),
        )
    })?;
    CalendarDoc::parse(&text).map_err(|e| CliError::new(e.code(), e.to_string()))
}

async fn load(cfg: &Config, file: &Path, replace: bool) -> anyhow::Result<ExitCode> {
    // Validate before touching the database.
    let doc = read_file(file)?;
    let source = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.display().to_string());
    let store = open_and_migrate(cfg).await?;
    // Through the use case: running deadlines are counted again and their owners told.
    let load = chengxin_app::calendar::load(store.as_ref(), ACTOR, &source, &doc, replace)
        .await
        .map_err(CliError::from)?;
    checkpoint(cfg, &store).await?;
    let out = serde_json::json!({
        "source": source,
        "added": load.added,
        "replaced": load.replaced,
        "unchanged": load.unchanged,
        "first_year": load.first_year,
        "last_year": load.last_year,
        "cases_recounted": load.cases_recounted,
        "applications_recounted": load.applications_recounted,
        "entries_recounted": load.entries_recounted,
    });
    println!("{out}");
    Ok(ExitCode::SUCCESS)
}

async fn show(cfg: &Config, json: bool) -> anyhow::Result<ExitCode> {
    let store = open_and_migrate(cfg).await?;
    let o = chengxin_app::calendar::overview(store.as_ref(), china_today())
        .await
        .map_err(CliError::from)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&o)?);
        return Ok(ExitCode::SUCCESS);
    }
    match (o.first_year, o.last_year) {
        (Some(first), Some(last)) => println!("节假日数据覆盖{first}–{last}年"),
        _ => println!("节假日数据未覆盖任何年份"),
    }
    for l in &o.years {
        let origin = match (&l.source, &l.loaded_by, &l.loaded_at) {
            (Some(source), Some(by), Some(at)) => format!(
                "已载入（{source}，{by}，{}）{}",
                at.format("%Y-%m-%d %H:%M:%S UTC"),
                if l.replaces_shipped {
                    "，取代随程序发布的数据"
                } else {
                    ""
                }
            ),
            _ => "随程序发布".to_string(),
        };
        println!("{}年  {origin}  {}", l.year, l.notices.join("、"));
    }
    if let Some(w) = &o.warning {
        println!("提示[{}]：{}", w.code, w.message);
    }
    Ok(ExitCode::SUCCESS)
}
