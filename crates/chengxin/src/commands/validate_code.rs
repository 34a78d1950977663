//! `chengxin validate-code`: classify USCCs and ID numbers, one JSON object per line.

use std::process::ExitCode;

use chengxin_domain::codes;
use chengxin_domain::regions::RegionTable;

use crate::setup::china_today;

pub(crate) fn run(inputs: &[String]) -> ExitCode {
    let regions = RegionTable::national();
    let today = china_today();
    let mut all_valid = true;
    for input in inputs {
        let report = codes::classify(input, regions, today);
        all_valid &= report.valid;
        match serde_json::to_string(&report) {
            Ok(line) => println!("{line}"),
            Err(e) => {
                eprintln!("错误[serialize]：{e}");
                return ExitCode::from(2);
            }
        }
    }
    if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
