//! The sample credit report of the report tests and `crates/report/examples/sample.rs`.

use chengxin_report::{CreditReport, ReportSubject, Section, SubjectKind, Table};
use chrono::{DateTime, Duration, FixedOffset};
use ed25519_dalek::SigningKey;

pub fn key() -> SigningKey {
    SigningKey::from_bytes(&[42u8; 32])
}

pub fn other_key() -> SigningKey {
    SigningKey::from_bytes(&[43u8; 32])
}

fn issued_at() -> DateTime<FixedOffset> {
    match DateTime::parse_from_rfc3339("2025-06-01T09:30:00+08:00") {
        Ok(t) => t,
        Err(e) => panic!("{e}"),
    }
}

fn s(v: &str) -> String {
    v.to_owned()
}

/// 某某建设工程有限公司: 行政许可 (5), 行政处罚 (`penalties` rows), 严重失信主体名单 (none).
pub fn sample_report_with(penalties: usize) -> CreditReport {
    let licences = vec![
        vec![
            s("建筑业企业资质证书"),
            s("D332045678"),
            s("建筑工程施工总承包贰级；市政公用工程施工总承包叁级"),
            s("某市住房和城乡建设局"),
            s("2023-03-15"),
            s("2028-03-14"),
        ],
        vec![
            s("安全生产许可证"),
            s("（苏）JZ安许证字〔2022〕040123"),
            s("建筑施工"),
            s("江苏省住房和城乡建设厅"),
            s("2022-08-01"),
            s("2025-07-31"),
        ],
        vec![
            s("建设工程规划许可证"),
            s("建字第320402202300158号"),
            s("某某花园二期 3#、5#楼及地下车库，总建筑面积 48,632.5 平方米"),
            s("某市自然资源和规划局"),
            s("2023-05-20"),
            s("长期"),
        ],
        vec![
            s("建筑工程施工许可证"),
            s("320402202306120101"),
            s("某某花园二期工程施工"),
            s("某市行政审批局"),
            s("2023-06-12"),
            s("长期"),
        ],
        vec![
            s("城镇污水排入排水管网许可证"),
            s("常排许〔2024〕第0087号"),
            s("施工工地临时排水"),
            s("某市城市管理局"),
            s("2024-01-08"),
            s("2026-01-07"),
        ],
    ];
    let depts = [
        "某市住房和城乡建设局",
        "某市生态环境局",
        "某市应急管理局",
        "某市市场监督管理局",
        "某市城市管理局",
    ];
    let reasons = [
        "施工现场未采取有效扬尘防治措施，裸露土方未覆盖",
        "未按规定办理建筑垃圾处置核准手续擅自处置建筑垃圾",
        "安全生产教育和培训记录不完整",
        "在建工程未按照规定设置安全警示标志",
        "违反《中华人民共和国大气污染防治法》第六十九条第二款规定，施工工地未设置硬质围挡，亦未采取覆盖、分段作业、择时施工、洒水抑尘、冲洗地面和车辆等有效防尘降尘措施，且经责令改正后逾期未改正",
    ];
    let mut rows = Vec::new();
    let start = issued_at() - Duration::days(900);
    for i in 0..penalties {
        let date = (start + Duration::days(13 * i as i64))
            .format("%Y-%m-%d")
            .to_string();
        let dept = depts[i % depts.len()];
        let reason = reasons[i % reasons.len()];
        rows.push(vec![
            format!("{}", i + 1),
            format!("某建罚字〔{}〕{:03}号", 2023 + i / 25, i + 1),
            s(reason),
            if i % 3 == 0 {
                s("罚款人民币 20,000 元")
            } else {
                s("警告；责令限期改正")
            },
            s(dept),
            date,
        ]);
    }
    CreditReport {
        report_no: s("XYBG-20250601-000123"),
        issued_at: issued_at(),
        issuer: s("某市公共信用信息中心"),
        subject: ReportSubject {
            name: s("某某建设工程有限公司"),
            code: s("91320402MA1N8Q7X3K"),
            kind: SubjectKind::Enterprise,
        },
        sections: vec![
            Section {
                title: s("行政许可"),
                note: Some(s(
                    "数据来源：各行政许可机关报送的“双公示”信息，截至 2025 年 5 月 31 日。",
                )),
                table: Table {
                    headers: vec![
                        s("许可证书名称"),
                        s("许可编号"),
                        s("许可内容"),
                        s("许可机关"),
                        s("许可决定日期"),
                        s("有效期至"),
                    ],
                    rows: licences,
                },
            },
            Section {
                title: s("行政处罚"),
                note: Some(s("按处罚决定日期排列；已完成信用修复的处罚信息不再公示。")),
                table: Table {
                    headers: vec![
                        s("序号"),
                        s("决定文书号"),
                        s("违法事实"),
                        s("处罚内容"),
                        s("处罚机关"),
                        s("决定日期"),
                    ],
                    rows,
                },
            },
            Section {
                title: s("严重失信主体名单"),
                note: None,
                table: Table {
                    headers: vec![s("名单名称"), s("列入事由"), s("列入机关"), s("列入日期")],
                    rows: vec![],
                },
            },
        ],
    }
}

pub fn sample_report() -> CreditReport {
    sample_report_with(60)
}

pub fn verify_url(no: &str, code: &str) -> String {
    format!("http://127.0.0.1:8080/portal/verify?no={no}&code={code}")
}
