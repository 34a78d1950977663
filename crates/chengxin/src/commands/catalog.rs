//! `chengxin catalog`: the catalog's record types, as text or JSON.

use std::process::ExitCode;

use chengxin_domain::catalog::Catalog;

use crate::error::CliError;

pub(crate) fn run(json: bool) -> anyhow::Result<ExitCode> {
    let cat = Catalog::default_checked().map_err(CliError::from)?;
    if json {
        println!("{}", serde_json::to_string_pretty(cat)?);
    } else {
        println!("信用信息目录 版本 {}", cat.version());
        for t in cat.types() {
            println!("\n{}  {}（{}）", t.code, t.name, t.name_en);
            for f in &t.fields {
                println!(
                    "    {:<40} {}{}",
                    f.name,
                    f.title,
                    if f.required { "  [必填]" } else { "" }
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
