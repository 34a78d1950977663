//! Writes the sample report to a file: `cargo run -p chengxin-report --example sample -- out.pdf`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a developer's example, not the product

use chengxin_testkit::report_sample as common;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sample-report.pdf".into());
    let signed = chengxin_report::sign(&common::sample_report(), &common::key())?;
    let url = common::verify_url(&signed.report.report_no, &signed.verification_code);
    let pdf = chengxin_report::render_pdf(&signed, &url)?;
    std::fs::write(&out, &pdf)?;
    println!(
        "{out}: {} bytes, code {}",
        pdf.len(),
        signed.verification_code
    );
    Ok(())
}
