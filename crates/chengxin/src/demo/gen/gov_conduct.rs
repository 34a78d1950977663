//! Records of government conduct: 政府采购合同履约, 拖欠账款, PPP 违约, 招商引资承诺,
//! 统计造假, 投诉核实 and 审计发现.

use anyhow::{anyhow, Result};
use chengxin_domain::catalog::{add_months, Catalog, Severity};
use chrono::Datelike;

use super::{plus_days, wan, wan_text, yuan, Draft, Gen, Ind, CITY, LIYANG, WUJIN};

impl Gen {
    /// A purchaser: a department, township or institution.
    pub(super) fn purchaser(&mut self) -> Result<usize> {
        if self.chance(0.3) {
            let inst = self.institutions.clone();
            self.pick(&inst)
        } else {
            self.gov_body(&[CITY, LIYANG, WUJIN])
        }
    }

    pub(super) fn procurement(&mut self, catalog: &Catalog) -> Result<()> {
        let dates = self.decision_dates(25);
        for day in dates {
            let purchaser = self.purchaser()?;
            let p = self.pick_ref(&self.t.records.procurement)?;
            let (project, inds) = (p.project.as_str(), p.industries.as_slice());
            let supplier = self.company_in(inds)?;
            let level = self.meta_of(purchaser).level;
            let czj = self.role(level, "czj")?;
            let py = self.levels[level].py.as_str();
            let signed = plus_days(day, -(self.n(60, 360) as i64));
            let sy = signed.year();
            let cno = self.next_no(czj, "contract", sy);
            let contract_no = format!("{py}CG-HT-{sy}-{cno:04}");
            let project_no = format!("{py}CG{sy}-{cno:04}");
            let amount = self.n(50, 4_000) * 100_000; // fen
            let acceptance = self.chance(0.5);
            let y = day.year();
            let rno = self.next_no(czj, "record", y);
            let record_no = format!(
                "{py}CG-{y}-{rno:04}-{}",
                if acceptance { "YS" } else { "ZF" }
            );
            let mut fields: Vec<(&'static str, String)> = vec![
                ("supplier_name", self.name(supplier)),
                ("supplier_uscc", self.code_of(supplier)),
                ("project_name", format!("{}{project}", self.name(purchaser))),
                ("project_no", project_no),
                ("contract_no", contract_no),
                ("contract_name", format!("{project}合同")),
                ("contract_amount", yuan(amount)),
                ("signed_date", signed.to_string()),
                (
                    "milestone",
                    if acceptance { "acceptance" } else { "payment" }.into(),
                ),
            ];
            let roll = self.n(0, 9);
            let status = if acceptance {
                let agreed = plus_days(day, -(self.n(0, 30) as i64));
                let late = roll >= 7;
                let actual = if late { day } else { agreed.min(day) };
                let result = if roll == 9 { "failed" } else { "passed" };
                fields.push(("agreed_acceptance_date", agreed.to_string()));
                fields.push(("actual_acceptance_date", actual.to_string()));
                fields.push(("acceptance_result", result.into()));
                if late && actual > agreed {
                    "late"
                } else {
                    "on_time"
                }
            } else {
                let agreed = plus_days(day, -(self.n(0, 90) as i64));
                fields.push(("agreed_payment_date", agreed.to_string()));
                fields.push(("amount_due", yuan(amount)));
                if roll >= 8 {
                    fields.push(("amount_paid", "0".into()));
                    "unperformed"
                } else if roll >= 5 {
                    fields.push(("actual_payment_date", day.to_string()));
                    fields.push(("amount_paid", yuan(amount)));
                    if day > agreed {
                        "late"
                    } else {
                        "on_time"
                    }
                } else {
                    fields.push(("actual_payment_date", agreed.to_string()));
                    fields.push(("amount_paid", yuan(amount)));
                    "on_time"
                }
            };
            fields.push(("performance_status", status.into()));
            let submitted = self.maybe_submitted(day);
            self.finish(
                catalog,
                Draft {
                    type_code: "procurement_performance",
                    subject: purchaser,
                    source: czj,
                    doc_no: record_no,
                    date: day,
                    fields,
                    severity: None,
                    submitted,
                },
            )?;
        }
        Ok(())
    }

    pub(super) fn arrears(&mut self, catalog: &Catalog) -> Result<()> {
        let dates = self.decision_dates(12);
        for day in dates {
            let c = self.pick_ref(&self.t.records.arrears)?;
            let (contract, inds, roles) = (
                c.contract.as_str(),
                c.industries.as_slice(),
                c.debtor_roles.as_slice(),
            );
            let debtor = if self.chance(0.2) {
                let inst = self.institutions.clone();
                self.pick(&inst)?
            } else {
                let level = self.n(0, 2) as usize;
                self.body_by_roles(&[level], roles)?
            };
            let creditor = self.company_in(inds)?;
            let level = self.meta_of(debtor).level;
            let czj = self.role(level, "czj")?;
            let py = self.levels[level].py.as_str();
            let agreed = plus_days(day, -(self.n(90, 700) as i64));
            let sy = plus_days(agreed, -(self.n(90, 400) as i64)).year();
            let cno = self.next_no(czj, "contract", sy);
            let contract_no = format!("{py}CG-HT-{sy}-{cno:04}");
            let total = self.n(100, 6_000) * 1_000_000; // fen
            let due = total / 10 * self.n(3, 10);
            let paid = due / 10 * self.n(0, 6);
            let arrears = due - paid;
            let roll = self.n(0, 9);
            let (status, cleared) = if roll >= 8 {
                let c = self.date_between(day, self.end);
                ("cleared", c.to_string())
            } else if paid > 0 {
                ("partly_paid", String::new())
            } else {
                ("unpaid", String::new())
            };
            let severity = if arrears >= 300_000_000 {
                Severity::Major
            } else {
                Severity::General
            };
            let finding_body = self.name(czj);
            let submitted = self.maybe_submitted(day);
            self.finish(
                catalog,
                Draft {
                    type_code: "procurement_arrears",
                    subject: debtor,
                    source: czj,
                    doc_no: contract_no,
                    date: day,
                    fields: vec![
                        ("creditor_name", self.name(creditor)),
                        ("creditor_uscc", self.code_of(creditor)),
                        (
                            "contract_name",
                            format!("{}{contract}", self.levels[level].short),
                        ),
                        ("contract_amount", yuan(total)),
                        ("agreed_payment_date", agreed.to_string()),
                        ("amount_due", yuan(due)),
                        ("amount_paid", yuan(paid)),
                        ("arrears_amount", yuan(arrears)),
                        ("arrears_status", status.into()),
                        ("cleared_date", cleared),
                        ("finding_body", finding_body),
                    ],
                    severity: Some(severity),
                    submitted,
                },
            )?;
        }
        Ok(())
    }

    pub(super) fn ppp(&mut self, catalog: &Catalog) -> Result<()> {
        let dates = self.decision_dates(6);
        for (i, day) in dates.into_iter().enumerate() {
            let projects = &self.t.records.ppp;
            let p = &projects[i % projects.len()];
            let (level, project) = (p.level.index(), p.project.as_str());
            let government = i % 3 != 2;
            let subject = if government {
                if self.chance(0.5) {
                    self.role(level, "gov")?
                } else {
                    self.role(level, "zjj")?
                }
            } else {
                self.company_in(&[Ind::Build, Ind::Tech])?
            };
            let czj = self.role(level, "czj")?;
            let y = day.year();
            let no = self.next_no(czj, "金", y);
            let doc_no = format!("{}财金〔{y}〕{no}号", self.levels[level].abbr);
            let breach = if government {
                "未按PPP项目合同约定足额支付可行性缺口补助，且未按约定将支出责任纳入年度预算"
            } else {
                "未按PPP项目合同约定的时间节点完成项目建设，且擅自变更项目公司股权结构"
            };
            let amount = self.n(300, 9_000) * 10_000;
            let responsible = if government {
                let gov_side = self.role(level, "zjj")?;
                self.head_at(gov_side, day).unwrap_or_default()
            } else {
                String::new()
            };
            let severity = if self.chance(0.3) {
                Severity::Severe
            } else {
                Severity::Major
            };
            let rectification = if self.chance(0.5) {
                "已制定整改方案，正在分期落实".to_string()
            } else {
                String::new()
            };
            let finding_body = self.name(czj);
            self.finish(
                catalog,
                Draft {
                    type_code: "ppp_breach",
                    subject,
                    source: czj,
                    doc_no,
                    date: day,
                    fields: vec![
                        (
                            "party_role",
                            if government { "government" } else { "private" }.into(),
                        ),
                        ("project_name", project.into()),
                        (
                            "project_code",
                            format!("{}-PPP-{}-{:03}", self.levels[level].region, y - 6, i + 1),
                        ),
                        (
                            "contract_no",
                            format!("{}PPP-HT-{}-{:03}", self.levels[level].py, y - 5, i + 1),
                        ),
                        ("stage", "execution".into()),
                        ("breach", breach.into()),
                        ("amount", wan(amount)),
                        ("responsible_person", responsible),
                        ("finding_body", finding_body),
                        ("rectification", rectification),
                    ],
                    severity: Some(severity),
                    submitted: false,
                },
            )?;
        }
        Ok(())
    }

    /// 违背承诺 (issue 18): towns' public commitments, departments' service commitments and
    /// contracts not kept, recognised by the city's credit office.
    pub(super) fn commitment_breaches(&mut self, catalog: &Catalog) -> Result<()> {
        let dates = self.decision_dates(6);
        for (i, day) in dates.into_iter().enumerate() {
            let (subject, kind_name, counterparty) = match i % 3 {
                0 => {
                    let towns = self.towns.clone();
                    (
                        self.pick(&towns)?,
                        "乡镇（街道）公开承诺",
                        "辖区居民".to_string(),
                    )
                }
                1 => {
                    let level = self.n(0, 2) as usize;
                    (
                        self.role(level, "scjg")?,
                        "服务承诺（限时办结）",
                        "辖区企业".to_string(),
                    )
                }
                _ => {
                    let c = self.company_in(&[Ind::Build, Ind::Manu])?;
                    let level = self.n(0, 2) as usize;
                    (self.role(level, "czj")?, "其他合同协议", self.name(c))
                }
            };
            let source = self.role(CITY, "fgw")?;
            let p = self.pick_ref(&self.t.records.public_promise)?;
            let (promise, breach) = (p.promise.clone(), p.breach.clone());
            let y = day.year();
            let no = self.next_no(source, "信用", y);
            let doc_no = format!("常发改信用〔{y}〕{no}号");
            let due = plus_days(day, -(self.n(60, 400) as i64));
            let finding_body = self.name(source);
            let title = format!("{}承诺事项", self.name(subject));
            self.finish(
                catalog,
                Draft {
                    type_code: "commitment_breach",
                    subject,
                    source,
                    doc_no,
                    date: day,
                    fields: vec![
                        ("counterparty_name", counterparty),
                        ("project_name", title),
                        ("agreement_name", kind_name.to_string()),
                        (
                            "agreement_no",
                            format!("CN-{}-{:03}", due.format("%Y%m%d"), i + 1),
                        ),
                        ("promise", promise),
                        ("promise_due_date", due.to_string()),
                        ("breach", breach),
                        ("finding_body", finding_body),
                    ],
                    severity: Some(Severity::General),
                    submitted: false,
                },
            )?;
        }
        Ok(())
    }

    pub(super) fn investment(&mut self, catalog: &Catalog) -> Result<()> {
        let dates = self.decision_dates(8);
        for (i, day) in dates.into_iter().enumerate() {
            let subject = match i % 4 {
                0 => {
                    let towns = self.towns.clone();
                    self.pick(&towns)?
                }
                1 => self.role(if i % 8 == 1 { LIYANG } else { WUJIN }, "gov")?,
                2 => {
                    let level = self.n(0, 2) as usize;
                    self.role(level, "swj")?
                }
                _ => {
                    let towns = self.towns.clone();
                    self.pick(&towns)?
                }
            };
            let level = self.meta_of(subject).level;
            let source = self.role(CITY, "fgw")?;
            let counterparty = self.company_in(&[Ind::Manu, Ind::Tech, Ind::Chem])?;
            let p = self.pick_ref(&self.t.records.investment)?;
            let (promise, breach) = (p.promise.as_str(), p.breach.as_str());
            let amount = self.n(50, 3_000) * 10_000;
            let y = day.year();
            let no = self.next_no(source, "信用", y);
            let doc_no = format!("常发改信用〔{y}〕{no}号");
            let due = plus_days(day, -(self.n(120, 700) as i64));
            let ay = plus_days(due, -(self.n(365, 1100) as i64)).year();
            let severity = if amount > 10_000_000 {
                Severity::Major
            } else {
                Severity::General
            };
            let counter_name = self.name(counterparty);
            let short_name = counter_name
                .trim_end_matches("股份有限公司")
                .trim_end_matches("有限责任公司")
                .trim_end_matches("有限公司")
                .to_string();
            let finding_body = self.name(source);
            self.finish(
                catalog,
                Draft {
                    type_code: "investment_promise_breach",
                    subject,
                    source,
                    doc_no,
                    date: day,
                    fields: vec![
                        ("counterparty_name", counter_name),
                        ("counterparty_uscc", self.code_of(counterparty)),
                        ("project_name", format!("{short_name}新建生产基地项目")),
                        (
                            "agreement_name",
                            format!("{short_name}新建生产基地项目投资协议书"),
                        ),
                        (
                            "agreement_no",
                            format!("{}ZS-{ay}-{:03}", self.levels[level].py, i + 11),
                        ),
                        ("promise", promise.into()),
                        ("promise_due_date", due.to_string()),
                        ("breach", format!("{breach}，涉及金额{}", wan_text(amount))),
                        ("amount", wan(amount)),
                        ("finding_body", finding_body),
                    ],
                    severity: Some(severity),
                    submitted: false,
                },
            )?;
        }
        Ok(())
    }

    pub(super) fn statistics(&mut self, catalog: &Catalog) -> Result<()> {
        let dates = self.decision_dates(10);
        for (i, day) in dates.into_iter().enumerate() {
            let (subject, conduct, facts, handling, fine, severity) = match i % 5 {
                0 => {
                    let towns: Vec<usize> = self
                        .towns
                        .iter()
                        .copied()
                        .filter(|&t| {
                            self.subjects[t].name.ends_with("人民政府")
                                || self.subjects[t].name.ends_with("办事处")
                        })
                        .collect();
                    let t = self.pick(&towns)?;
                    (
                        t,
                        "篡改统计资料、编造虚假统计数据",
                        "经查，该单位在规模以上工业统计调查中授意辖区企业虚报产值，虚增工业总产值。",
                        "责令改正，予以通报；移送纪检监察机关追究相关人员责任",
                        0,
                        Severity::Severe,
                    )
                }
                1 if i == 1 => {
                    let p = self.persons[5];
                    (
                        p,
                        "授意、指使他人篡改统计资料",
                        "经查，当事人在任职期间授意统计人员修改固定资产投资统计数据。",
                        "移送纪检监察机关依纪依法处理",
                        0,
                        Severity::Severe,
                    )
                }
                _ => {
                    let c = self.company_in(&[Ind::Manu, Ind::Chem, Ind::Build, Ind::Trade])?;
                    let fine = self.n(1, 20) * 10_000;
                    let severe = self.chance(0.5);
                    (
                        c,
                        if severe {
                            "提供不真实统计资料"
                        } else {
                            "迟报统计资料"
                        },
                        "经统计执法检查，当事人上报的营业收入、从业人员等统计数据与实际不符。",
                        if severe {
                            "警告，并处罚款；认定为统计严重失信企业"
                        } else {
                            "警告，并处罚款"
                        },
                        fine,
                        if severe {
                            Severity::Severe
                        } else {
                            Severity::Major
                        },
                    )
                }
            };
            let source = self.source_for(subject, "tjj")?;
            let abbr = self.meta_of(source).abbr;
            let y = day.year();
            let no = self.next_no(source, "罚", y);
            let doc_no = format!("{abbr}罚〔{y}〕{no}号");
            let deciding = self.name(source);
            self.finish(
                catalog,
                Draft {
                    type_code: "statistical_fraud",
                    subject,
                    source,
                    doc_no,
                    date: day,
                    fields: vec![
                        ("conduct", conduct.into()),
                        ("facts", facts.into()),
                        ("basis", "《中华人民共和国统计法》第三十七条、第四十一条；《统计严重失信企业信用管理办法》第七条".into()),
                        ("handling", handling.into()),
                        ("fine_amount", if fine > 0 { wan(fine) } else { String::new() }),
                        ("deciding_body", deciding),
                    ],
                    severity: Some(severity),
                    submitted: false,
                },
            )?;
        }
        Ok(())
    }

    pub(super) fn complaints(&mut self, catalog: &Catalog) -> Result<()> {
        let dates = self.decision_dates(15);
        for (i, day) in dates.into_iter().enumerate() {
            let (subject, unit) = match i % 5 {
                0 => {
                    let p = self.persons[22 + i / 5];
                    let (body, _) = self
                        .job_at(p, day)
                        .ok_or_else(|| anyhow!("演示人员在{day}无任职"))?;
                    (p, body)
                }
                1 => {
                    let inst = self.institutions.clone();
                    let s = self.pick(&inst)?;
                    (s, s)
                }
                _ => {
                    let s = self.gov_body(&[CITY, LIYANG, WUJIN])?;
                    (s, s)
                }
            };
            let level = self.meta_of(unit).level;
            let zwb = self.role(level, "zwb")?;
            let y = day.year();
            let no = self.next_no(zwb, "12345", y);
            let received = plus_days(day, -(self.n(5, 30) as i64));
            let ticket = format!(
                "{}12345-{}-{:05}",
                self.levels[level].py,
                received.format("%Y%m%d"),
                no
            );
            let channel = match self.n(0, 9) {
                0..=6 => "hotline_12345",
                7 => "portal",
                8 => "letter",
                _ => "visit",
            };
            let c = self.pick_ref(&self.t.records.complaint)?;
            let (matter, finding) = (c.matter.as_str(), c.finding.as_str());
            let handling_unit = self.name(unit);
            self.finish(
                catalog,
                Draft {
                    type_code: "complaint_verified",
                    subject,
                    source: zwb,
                    doc_no: ticket,
                    date: day,
                    fields: vec![
                        ("channel", channel.into()),
                        ("received_date", received.to_string()),
                        ("matter", matter.into()),
                        ("findings", finding.into()),
                        (
                            "handling",
                            "责令限期整改，对相关责任人批评教育，并向投诉人反馈".into(),
                        ),
                        ("handling_unit", handling_unit),
                    ],
                    severity: Some(if i % 4 == 0 {
                        Severity::Minor
                    } else {
                        Severity::General
                    }),
                    submitted: false,
                },
            )?;
        }
        Ok(())
    }

    pub(super) fn audits(&mut self, catalog: &Catalog) -> Result<()> {
        let dates = self.decision_dates(15);
        for day in dates {
            let auditee = if self.chance(0.25) {
                let inst = self.institutions.clone();
                self.pick(&inst)?
            } else {
                self.gov_body(&[CITY, LIYANG, WUJIN])?
            };
            let level = self.meta_of(auditee).level;
            let sjj = self.role(level, "sjj")?;
            let y = day.year();
            let no = self.next_no(sjj, "报", y);
            let doc_no = format!("{}审报〔{y}〕{no}号", self.levels[level].abbr);
            let a = self.pick_ref(&self.t.records.audit)?;
            let (category, issue) = (a.category.as_str(), a.issue.as_str());
            let responsible = self.head_at(auditee, day).unwrap_or_default();
            let project = if responsible.is_empty() || self.chance(0.5) {
                format!("{}{}年度预算执行情况审计", self.name(auditee), y - 1)
            } else {
                format!("{}主要领导干部经济责任审计", self.name(auditee))
            };
            let deadline = add_months(day, 3);
            let (status, rectified) = if deadline < self.end && self.chance(0.7) {
                ("completed", self.date_between(day, deadline).to_string())
            } else if self.chance(0.6) {
                ("in_progress", String::new())
            } else {
                ("not_started", String::new())
            };
            let amount = self.n(10, 2_000) * 10_000;
            let audit_body = self.name(sjj);
            self.finish(
                catalog,
                Draft {
                    type_code: "audit_finding",
                    subject: auditee,
                    source: sjj,
                    doc_no,
                    date: day,
                    fields: vec![
                        ("responsible_person", responsible),
                        ("project_name", project),
                        ("issue_category", category.into()),
                        ("issue", format!("{issue}，涉及金额{}", wan_text(amount))),
                        ("amount", wan(amount)),
                        ("rectification_deadline", deadline.to_string()),
                        ("rectification_status", status.into()),
                        ("rectified_date", rectified),
                        ("audit_body", audit_body),
                    ],
                    severity: Some(if amount > 5_000_000 {
                        Severity::Major
                    } else {
                        Severity::General
                    }),
                    submitted: false,
                },
            )?;
        }
        Ok(())
    }
}
