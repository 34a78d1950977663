//! Records of enforcement: 行政许可, 行政处罚, 司法判决, 拒不履行生效裁判 and 失信被执行人.

use anyhow::Result;
use chengxin_domain::catalog::{add_months, Catalog};
use chengxin_domain::subjects::SubjectKind;
use chrono::Datelike;

use super::{date, plus_days, wan, wan_text, Draft, Gen, Ind, CITY, LIYANG, WUJIN};

impl Gen {
    pub(super) fn admin_licenses(&mut self, catalog: &Catalog) -> Result<()> {
        let lics = &self.t.records.license;
        let mut dates = self.decision_dates(45);
        self.recent_tail(&mut dates, 3);
        for day in dates {
            let (subject, lic) = match self.n(0, 19) {
                0..=1 => {
                    let s = self.pick(&self.social.clone())?;
                    (
                        s,
                        if self.chance(0.6) {
                            &lics.training
                        } else {
                            &lics.health
                        },
                    )
                }
                2..=4 => {
                    let s = self.pick(&self.shops.clone())?;
                    (s, &lics.food)
                }
                _ => {
                    let s = {
                        let all = self.companies.clone();
                        self.pick(&all)?
                    };
                    let lic = match self.meta[s].ind {
                        Some(Ind::Build) => {
                            if self.chance(0.5) {
                                &lics.build_qual
                            } else {
                                &lics.build_permit
                            }
                        }
                        Some(Ind::Food) => &lics.food,
                        Some(Ind::Logi) => &lics.transport,
                        Some(Ind::Manu) | Some(Ind::Chem) | Some(Ind::Tech) => &lics.emission,
                        Some(Ind::Service) => {
                            if self.chance(0.6) {
                                &lics.dispatch
                            } else {
                                &lics.hr
                            }
                        }
                        _ => &lics.food,
                    };
                    (s, lic)
                }
            };
            let (role, doc_name, cert, category, content, years) = (
                lic.role.as_str(),
                lic.doc_name.as_str(),
                lic.certificate.as_str(),
                lic.category.as_str(),
                lic.content.as_str(),
                lic.years,
            );
            let source = self.source_for(subject, role)?;
            let abbr = self.meta_of(source).abbr;
            let y = day.year();
            let no = self.next_no(source, "admin_license", y);
            let doc_no = format!("{abbr}许〔{y}〕{no}号");
            let valid_to = if years == 0 {
                date(2099, 12, 31)
            } else {
                // Some licences were granted for a shorter term and have lapsed.
                let years = if self.chance(0.2) { 1 } else { years };
                plus_days(add_months(day, years * 12), -1)
            };
            let region = self.subjects[subject].region.clone();
            let license_no = match role {
                "scjg" => format!("JY{}{}{:07}", 1, region, self.n(1, 9_999_999)),
                "zjj" if cert.starts_with("建筑工程施工") => {
                    format!("{region}{}0101", day.format("%Y%m%d"))
                }
                "zjj" => format!("D3{}{:05}", &region[..4], self.n(10_000, 99_999)),
                "jtj" => format!("苏交运管许可常字{region}{:06}号", self.n(1, 999_999)),
                "sthj" => format!("{}001V", self.code_of(subject)),
                "wjw" => format!(
                    "{}卫公字〔{y}〕第{:04}号",
                    self.levels[self.meta_of(source).level].short,
                    no
                ),
                _ => format!("{region}{y}{:04}", no),
            };
            let rep = self.meta_of(subject).legal_rep.unwrap_or_default();
            let status = if valid_to < self.today {
                "invalid"
            } else {
                "valid"
            };
            let submitted = self.maybe_submitted(day);
            let authority = self.name(source);
            let authority_code = self.code_of(source);
            self.finish(
                catalog,
                Draft {
                    type_code: "admin_license",
                    subject,
                    source,
                    doc_no,
                    date: day,
                    fields: vec![
                        ("legal_rep", rep),
                        ("decision_doc_name", doc_name.into()),
                        ("license_category", category.into()),
                        ("certificate_name", cert.into()),
                        ("license_no", license_no),
                        ("license_content", content.into()),
                        ("valid_from", day.to_string()),
                        ("valid_to", valid_to.to_string()),
                        ("authority", authority.clone()),
                        ("authority_uscc", authority_code.clone()),
                        ("status", status.into()),
                        ("source_unit", authority),
                        ("source_unit_uscc", authority_code),
                    ],
                    severity: None,
                    submitted,
                },
            )?;
        }
        Ok(())
    }

    pub(super) fn admin_penalties(&mut self, catalog: &Catalog) -> Result<()> {
        let mut dates = self.decision_dates(50);
        self.recent_tail(&mut dates, 3);
        for day in dates {
            let p = self.pick_ref(&self.t.records.penalty)?;
            let (role, inds, violation, facts, basis, category, lo, hi) = (
                p.role.as_str(),
                p.industries.as_slice(),
                p.violation.as_str(),
                p.facts.as_str(),
                p.basis.as_str(),
                p.category.as_str(),
                p.fine_min,
                p.fine_max,
            );
            let subject = if role == "scjg" && self.chance(0.35) {
                let shops = self.shops.clone();
                self.pick(&shops)?
            } else if role == "rsj" && self.chance(0.15) {
                let social = self.social.clone();
                self.pick(&social)?
            } else {
                self.company_in(inds)?
            };
            let source = self.source_for(subject, role)?;
            let abbr = self.meta_of(source).abbr;
            let y = day.year();
            let no = self.next_no(source, "admin_penalty", y);
            let doc_no = format!("{abbr}处罚〔{y}〕{no}号");
            let fine = self.n(lo / 1000, hi / 1000) * 1000;
            let count = self.n(3, 60);
            let facts = facts
                .replace("{n}", &count.to_string())
                .replace("{v}", &(count * self.n(20, 90)).to_string());
            let confiscation = if category.contains("没收") {
                self.n(5, 200) * 100
            } else {
                0
            };
            let severe = category.contains("吊销");
            let mut content = format!("罚款人民币{}元", fine);
            if confiscation > 0 {
                content.push_str(&format!("，没收违法所得人民币{confiscation}元"));
            }
            if category.starts_with("警告") {
                content = format!("警告，{content}");
            }
            if severe {
                content.push_str("，吊销建筑业企业资质证书");
            }
            if category.contains("降低资质等级") {
                content.push_str("，降低建筑业企业资质等级");
            }
            if category.contains("限制开展生产经营活动") {
                content.push_str("，限制承接新工程三个月");
            }
            let months = if severe { 36 } else { 12 };
            let rep = self.meta_of(subject).legal_rep.unwrap_or_default();
            let submitted = self.maybe_submitted(day);
            let authority = self.name(source);
            let authority_code = self.code_of(source);
            self.finish(
                catalog,
                Draft {
                    type_code: "admin_penalty",
                    subject,
                    source,
                    doc_no,
                    date: day,
                    fields: vec![
                        ("legal_rep", rep),
                        ("violation_type", violation.into()),
                        ("violation_facts", facts),
                        ("penalty_basis", basis.into()),
                        ("penalty_category", category.into()),
                        ("penalty_content", content),
                        ("fine_amount", wan(fine)),
                        (
                            "confiscation_amount",
                            if confiscation > 0 {
                                wan(confiscation)
                            } else {
                                String::new()
                            },
                        ),
                        (
                            "license_suspended_or_revoked",
                            if severe {
                                "建筑业企业资质证书".into()
                            } else {
                                String::new()
                            },
                        ),
                        ("penalty_valid_until", add_months(day, 12).to_string()),
                        ("publicity_deadline", add_months(day, months).to_string()),
                        ("authority", authority.clone()),
                        ("authority_uscc", authority_code.clone()),
                        ("source_unit", authority),
                        ("source_unit_uscc", authority_code),
                    ],
                    severity: None,
                    submitted,
                },
            )?;
        }
        Ok(())
    }

    pub(super) fn court_judgments(&mut self, catalog: &Catalog) -> Result<()> {
        let dates = self.decision_dates(25);
        let criminals: Vec<usize> = self.persons.iter().copied().take(3).collect();
        for (i, day) in dates.into_iter().enumerate() {
            let y = day.year();
            let kind = match i % 8 {
                0..=3 => "administrative",
                4 => "civil_gov",
                5 | 6 => "civil",
                _ => "criminal",
            };
            let kind = if kind == "criminal" && i / 8 >= criminals.len() {
                "administrative"
            } else {
                kind
            };
            let mut summary_text = "";
            let (subject, court_level, code, cause, role, outcome, trial, amount) = match kind {
                "administrative" => {
                    let c = self.pick_ref(&self.t.records.admin_cause)?;
                    let (cause, roles, text) =
                        (c.cause.as_str(), c.roles.as_slice(), c.judgment.as_str());
                    let level = self.n(0, 2) as usize;
                    let s = self.body_by_roles(&[level], roles)?;
                    summary_text = text;
                    let m = self.meta_of(s);
                    // A county government is sued at the intermediate court; appeals go there too.
                    let (court_level, code, role, trial) = if m.role == "gov" || m.level == CITY {
                        if self.chance(0.5) {
                            (CITY, "行初", "defendant", "first")
                        } else {
                            (CITY, "行终", "appellant", "second")
                        }
                    } else if self.chance(0.7) {
                        (m.level, "行初", "defendant", "first")
                    } else {
                        (CITY, "行终", "appellant", "second")
                    };
                    let outcome = if self.chance(0.7) {
                        "lost"
                    } else {
                        "partly_lost"
                    };
                    let amount = if cause.contains("补偿") || cause.contains("协议") {
                        self.n(20, 800) * 10_000
                    } else {
                        0
                    };
                    (s, court_level, code, cause, role, outcome, trial, amount)
                }
                "civil_gov" => {
                    let s = if self.chance(0.5) {
                        let inst = self.institutions.clone();
                        self.pick(&inst)?
                    } else {
                        let towns = self.towns.clone();
                        self.pick(&towns)?
                    };
                    let cause = self.pick_str(&self.t.records.civil_gov_causes)?;
                    let level = self.meta_of(s).level;
                    (
                        s,
                        level,
                        "民初",
                        cause,
                        "defendant",
                        "lost",
                        "first",
                        self.n(30, 900) * 10_000,
                    )
                }
                "civil" => {
                    let s = self.company_in(&[Ind::Build, Ind::Trade, Ind::Manu, Ind::Service])?;
                    let cause = self.pick_str(&self.t.records.civil_company_causes)?;
                    let level = self.meta_of(s).level;
                    let level = if level == CITY { WUJIN } else { level };
                    let outcome = if self.chance(0.6) {
                        "lost"
                    } else {
                        "partly_lost"
                    };
                    (
                        s,
                        level,
                        "民初",
                        cause,
                        "defendant",
                        outcome,
                        "first",
                        self.n(5, 300) * 10_000,
                    )
                }
                _ => {
                    let s = criminals[i / 8];
                    let cause = self.pick_str(&self.t.records.crimes)?;
                    let level = self.meta_of(s).level;
                    let level = if level == CITY { WUJIN } else { level };
                    (
                        s,
                        level,
                        "刑初",
                        cause,
                        "accused",
                        "convicted",
                        "first",
                        self.n(10, 120) * 10_000,
                    )
                }
            };
            let court_body = self.role(court_level, "court")?;
            let court_code = self.levels[court_level].court.as_str();
            let no = self.next_no(court_body, code, y);
            let case_no = format!("（{y}）{court_code}{code}{no}号");
            let case_kind = match kind {
                "administrative" => "administrative",
                "criminal" => "criminal",
                _ => "civil",
            };
            let summary = match kind {
                "administrative" if role == "appellant" => "驳回上诉，维持原判。".to_string(),
                "administrative" => summary_text.to_string(),
                "criminal" => {
                    "被告人犯罪事实清楚，证据确实充分，判处有期徒刑，并处罚金，追缴违法所得。"
                        .to_string()
                }
                _ => format!(
                    "被告于判决生效之日起十日内支付原告款项{}及逾期付款利息。",
                    wan_text(amount)
                ),
            };
            let effective = plus_days(day, self.n(16, 40) as i64);
            let effective = if effective < self.today {
                effective.to_string()
            } else {
                String::new()
            };
            let submitted = self.maybe_submitted(day);
            let court_name = self.name(court_body);
            self.finish(
                catalog,
                Draft {
                    type_code: "court_judgment",
                    subject,
                    source: court_body,
                    doc_no: case_no,
                    date: day,
                    fields: vec![
                        ("litigation_role", role.into()),
                        ("case_kind", case_kind.into()),
                        ("cause", cause.into()),
                        ("court", court_name),
                        ("trial_level", trial.into()),
                        ("outcome", outcome.into()),
                        ("judgment_summary", summary),
                        (
                            "amount",
                            if amount > 0 {
                                wan(amount)
                            } else {
                                String::new()
                            },
                        ),
                        ("effective_date", effective),
                    ],
                    severity: None,
                    submitted,
                },
            )?;
        }
        Ok(())
    }

    pub(super) fn refusals(&mut self, catalog: &Catalog) -> Result<()> {
        let dates = self.decision_dates(8);
        for (i, day) in dates.into_iter().enumerate() {
            let subject = if i % 4 == 3 {
                let inst = self.institutions.clone();
                self.pick(&inst)?
            } else {
                let level = [LIYANG, WUJIN, CITY][i % 3];
                self.body_by_roles(&[level], &["gov", "town", "zjj", "jtj"])?
            };
            let level = self.meta_of(subject).level;
            let r = self.pick_ref(&self.t.records.refusal)?;
            let (obligation, basis_code) = (r.obligation.as_str(), r.basis_code.as_str());
            let court = self.role(level, "court")?;
            let y = day.year();
            let no = self.next_no(court, "执", y);
            let case_no = format!("（{y}）{}执{no}号", self.levels[level].court);
            let basis_year = y - 1;
            let bno = self.next_no(court, basis_code, basis_year);
            let basis_no = format!(
                "（{basis_year}）{}{basis_code}{bno}号",
                self.levels[level].court
            );
            let amount = self.n(20, 600) * 10_000;
            let partial = self.chance(0.4);
            let unperformed = if partial { amount / 2 } else { amount };
            let obligation = format!("{obligation}，金额{}", wan_text(amount));
            let head = self.head_at(subject, day).unwrap_or_default();
            let filing = plus_days(day, -(self.n(60, 300) as i64));
            let court_name = self.name(court);
            self.finish(
                catalog,
                Draft {
                    type_code: "refusal_to_execute",
                    subject,
                    source: court,
                    doc_no: case_no,
                    date: day,
                    fields: vec![
                        ("responsible_person", head),
                        ("court", court_name.clone()),
                        ("basis_doc_no", basis_no),
                        ("basis_issuer", court_name),
                        ("obligation", obligation),
                        (
                            "performance",
                            if partial { "partial" } else { "none" }.into(),
                        ),
                        ("unperformed_amount", wan(unperformed)),
                        ("filing_date", filing.to_string()),
                        (
                            "remarks",
                            "经执行法院多次督促仍未履行，已向同级党委政府通报".into(),
                        ),
                    ],
                    severity: None,
                    submitted: false,
                },
            )?;
        }
        Ok(())
    }

    pub(super) fn dishonest_debtors(&mut self, catalog: &Catalog) -> Result<()> {
        let dates = self.decision_dates(20);
        for (i, day) in dates.into_iter().enumerate() {
            let subject = match i % 10 {
                0 => self.persons[3 + i / 10],
                1 => {
                    let shops = self.shops.clone();
                    self.pick(&shops)?
                }
                2 if i == 2 => {
                    let towns = self.towns.clone();
                    self.pick(&towns)?
                }
                _ => self.company_in(&[Ind::Build, Ind::Trade, Ind::Manu, Ind::Logi])?,
            };
            let m = self.meta_of(subject);
            let level = if m.level == CITY { WUJIN } else { m.level };
            let court = self.role(level, "court")?;
            let y = day.year();
            let no = self.next_no(court, "执", y);
            let case_no = format!("（{y}）{}执{no}号", self.levels[level].court);
            let by = y - 1;
            let bno = self.next_no(court, "民初", by);
            let basis = format!("（{by}）{}民初{bno}号", self.levels[level].court);
            let amount = match self.subjects[subject].uscc.as_deref() {
                Some(c) if c.starts_with("92") => self.n(1, 6) * 30_000,
                _ => self.n(1, 130) * 30_000,
            };
            let partial = self.chance(0.3);
            let rep = match self.subjects[subject].kind {
                SubjectKind::Enterprise | SubjectKind::SocialOrg => m.legal_rep.unwrap_or_default(),
                SubjectKind::GovBody | SubjectKind::Institution => {
                    self.head_at(subject, day).unwrap_or_default()
                }
                _ => String::new(),
            };
            let conduct = self.pick_str(&self.t.records.dishonest_conduct)?;
            let filing = plus_days(day, -(self.n(45, 200) as i64));
            let court_name = self.name(court);
            self.finish(
                catalog,
                Draft {
                    type_code: "dishonest_judgment_debtor",
                    subject,
                    source: court,
                    doc_no: case_no,
                    date: day,
                    fields: vec![
                        ("legal_rep", rep),
                        ("court", court_name.clone()),
                        ("province", "江苏".into()),
                        ("basis_doc_no", basis),
                        ("basis_issuer", court_name),
                        ("obligation", format!("支付款项{}及利息", wan_text(amount))),
                        (
                            "performance",
                            if partial { "partial" } else { "none" }.into(),
                        ),
                        ("dishonest_conduct", conduct.into()),
                        ("filing_date", filing.to_string()),
                        (
                            "performed_part",
                            if partial {
                                format!("已履行{}", wan_text(amount / 3))
                            } else {
                                String::new()
                            },
                        ),
                        (
                            "unperformed_part",
                            if partial {
                                format!("尚欠{}", wan_text(amount - amount / 3))
                            } else {
                                format!("尚欠{}", wan_text(amount))
                            },
                        ),
                    ],
                    severity: None,
                    submitted: false,
                },
            )?;
        }
        Ok(())
    }
}
