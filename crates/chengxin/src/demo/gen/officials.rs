//! Records about officials and bodies' standing: 党纪政务处分, 问责, 公务员考核, 表彰 and
//! 人大代表建议/政协提案.

use anyhow::{anyhow, Result};
use chengxin_domain::catalog::{add_months, Catalog};
use chrono::{Datelike, NaiveDate};

use super::{date, plus_days, weekday_back, Draft, Gen, CITY, LIYANG, WUJIN};

impl Gen {
    pub(super) fn sanctions(&mut self, catalog: &Catalog) -> Result<()> {
        let dates = self.decision_dates(20);
        let people: Vec<usize> = self.persons.iter().copied().take(20).collect();
        for (i, day) in dates.into_iter().enumerate() {
            let person = people[i % people.len()];
            let (body, post) = self
                .job_at(person, day)
                .ok_or_else(|| anyhow!("演示人员在{day}无任职"))?;
            let level = self.meta_of(body).level;
            let jw = self.role(level, "jw")?;
            let kind = match i % 3 {
                0 => "party",
                1 => "governmental",
                _ => "employer",
            };
            let sanction = match kind {
                "party" => {
                    self.pick_str(self.t.records.party_sanctions.get(..4).unwrap_or_default())?
                }
                _ => self.pick_str(self.t.records.gov_sanctions.get(..5).unwrap_or_default())?,
            };
            let months: i64 = match sanction {
                "warning" => 6,
                "demerit" | "serious_warning" => 12,
                "major_demerit" => 18,
                "demotion" | "dismissal_from_post" | "party_post_removal" | "party_probation" => 24,
                _ => 0,
            };
            let y = day.year();
            let la = self.levels[level].abbr.as_str();
            let (series, deciding) = match kind {
                "party" => ("纪处", self.name(jw)),
                "governmental" => ("监处", format!("{}监察委员会", self.levels[level].prefix)),
                _ => ("处", self.name(body)),
            };
            let source = jw;
            let no = self.next_no(source, series, y);
            let doc_no = match kind {
                "employer" => format!("{}人〔{y}〕{no}号", self.meta_of(body).abbr),
                _ => format!("{la}{series}〔{y}〕{no}号"),
            };
            let basis = match kind {
                "party" => "《中国共产党纪律处分条例》",
                _ => "《中华人民共和国公职人员政务处分法》",
            };
            let (period_end, lifted) = if months > 0 {
                let end = add_months(day, months as u32);
                let lifted = if end < self.today && kind != "party" {
                    plus_days(end, 1).to_string()
                } else {
                    String::new()
                };
                (end.to_string(), lifted)
            } else {
                (String::new(), String::new())
            };
            let submitted = self.maybe_submitted(day);
            let employer = self.name(body);
            let employer_code = self.code_of(body);
            let facts = self.pick_str(&self.t.records.sanction_facts)?;
            self.finish(
                catalog,
                Draft {
                    type_code: "disciplinary_sanction",
                    subject: person,
                    source,
                    doc_no,
                    date: day,
                    fields: vec![
                        ("employer", employer),
                        ("employer_uscc", employer_code),
                        ("rank", Self::rank_for(&post).into()),
                        ("post", post),
                        ("sanction_kind", kind.into()),
                        ("sanction_type", sanction.into()),
                        ("facts", facts.into()),
                        ("basis", basis.into()),
                        ("deciding_body", deciding),
                        (
                            "period_months",
                            if months > 0 {
                                months.to_string()
                            } else {
                                String::new()
                            },
                        ),
                        ("period_end", period_end),
                        ("lifted_date", lifted),
                    ],
                    severity: None,
                    submitted,
                },
            )?;
        }
        Ok(())
    }

    pub(super) fn accountability(&mut self, catalog: &Catalog) -> Result<()> {
        let dates = self.decision_dates(12);
        for (i, day) in dates.into_iter().enumerate() {
            let person_case = i % 3 != 2;
            let (subject, body, post) = if person_case {
                let person = self.persons[8 + i];
                let (body, post) = self
                    .job_at(person, day)
                    .ok_or_else(|| anyhow!("演示人员在{day}无任职"))?;
                (person, body, post)
            } else {
                let b = self.gov_body(&[CITY, LIYANG, WUJIN])?;
                (b, b, String::new())
            };
            let level = self.meta_of(body).level;
            let jw = self.role(level, "jw")?;
            let measure = if person_case {
                self.pick(&[
                    "admonishment",
                    "circulation",
                    "organisational_handling",
                    "suspension",
                    "removal",
                ])?
            } else {
                self.pick(&["inspection", "circulation"])?
            };
            let y = day.year();
            let no = self.next_no(jw, "问", y);
            let doc_no = format!("{}纪问〔{y}〕{no}号", self.levels[level].abbr);
            let deciding = if measure == "removal" {
                format!("中共{}委员会", self.levels[level].prefix)
            } else {
                self.name(jw)
            };
            let employer = if person_case {
                self.name(body)
            } else {
                String::new()
            };
            let facts = self.pick_str(&self.t.records.accountability_facts)?;
            self.finish(
                catalog,
                Draft {
                    type_code: "accountability",
                    subject,
                    source: jw,
                    doc_no,
                    date: day,
                    fields: vec![
                        (
                            "subject_type",
                            if person_case {
                                "person"
                            } else {
                                "organisation"
                            }
                            .into(),
                        ),
                        ("employer", employer),
                        ("post", post),
                        ("measure", measure.into()),
                        ("facts", facts.into()),
                        ("deciding_body", deciding),
                    ],
                    severity: None,
                    submitted: false,
                },
            )?;
        }
        Ok(())
    }

    pub(super) fn appraisals(&mut self, catalog: &Catalog) -> Result<()> {
        let people: Vec<usize> = self.persons.iter().copied().skip(30).take(11).collect();
        let mut rows: Vec<(NaiveDate, usize, i32)> = Vec::new();
        for year in 2022..=2025 {
            for &p in &people {
                let confirmed = weekday_back(date(year + 1, 1, 20 + self.n(0, 8) as u32));
                let confirmed = plus_days(confirmed, self.n(0, 40) as i64);
                let confirmed = weekday_back(confirmed);
                if confirmed <= self.end {
                    rows.push((confirmed, p, year));
                }
            }
        }
        rows.sort();
        for (day, person, year) in rows {
            let (body, post) = self
                .job_at(person, date(year, 12, 31))
                .ok_or_else(|| anyhow!("演示人员在{year}年末无任职"))?;
            let level = self.meta_of(body).level;
            let zzb = self.role(level, "zzb")?;
            let y = day.year();
            let no = self.next_no(zzb, "考", y);
            let doc_no = format!("{}组考〔{y}〕{no}号", self.levels[level].abbr);
            let result = match self.n(0, 19) {
                0..=3 => "excellent",
                4..=17 => "competent",
                18 => "basically_competent",
                _ => "not_graded",
            };
            let submitted = self.maybe_submitted(day);
            let employer = self.name(body);
            let employer_code = self.code_of(body);
            self.finish(
                catalog,
                Draft {
                    type_code: "civil_servant_appraisal",
                    subject: person,
                    source: zzb,
                    doc_no,
                    date: day,
                    fields: vec![
                        ("employer", employer.clone()),
                        ("employer_uscc", employer_code),
                        ("rank", Self::rank_for(&post).into()),
                        ("post", post),
                        ("year", year.to_string()),
                        ("result", result.into()),
                        ("appraising_body", employer),
                    ],
                    severity: None,
                    submitted,
                },
            )?;
        }
        Ok(())
    }

    pub(super) fn commendations(&mut self, catalog: &Catalog) -> Result<()> {
        let dates = self.decision_dates(20);
        for (i, day) in dates.into_iter().enumerate() {
            let y = day.year();
            let (subject, awarding, source, award, kind, level_code, years) = match i % 5 {
                0 | 1 => {
                    let s = {
                        let all = self.companies.clone();
                        self.pick(&all)?
                    };
                    let fgw = self.role(CITY, "fgw")?;
                    (
                        s,
                        fgw,
                        fgw,
                        format!("{y}年度常州市诚信示范企业"),
                        "credit_award",
                        "city",
                        3,
                    )
                }
                2 => {
                    let person = self.persons[41 + i / 5];
                    let (body, _) = self
                        .job_at(person, day)
                        .ok_or_else(|| anyhow!("演示人员在{day}无任职"))?;
                    let level = self.meta_of(body).level;
                    let gov = self.role(level, "gov")?;
                    let rsj = self.role(level, "rsj")?;
                    let (award, kind) = if self.chance(0.6) {
                        (format!("{}年度嘉奖", y - 1), "citation")
                    } else {
                        (format!("{}年度记三等功", y - 1), "merit")
                    };
                    (
                        person,
                        gov,
                        rsj,
                        award,
                        kind,
                        if level == CITY { "city" } else { "county" },
                        0,
                    )
                }
                3 => {
                    let b = self.gov_body(&[CITY, LIYANG, WUJIN])?;
                    let gov = self.role(CITY, "gov")?;
                    let award = self.pick_str(&self.t.records.body_honours)?;
                    (
                        b,
                        gov,
                        gov,
                        format!("{y}年度{award}"),
                        "honorary_title",
                        "city",
                        0,
                    )
                }
                _ => {
                    let s = {
                        let all = self.social.clone();
                        self.pick(&all)?
                    };
                    let level = self.meta_of(s).level;
                    let gov = self.role(level, "gov")?;
                    (
                        s,
                        gov,
                        gov,
                        format!("{}先进社会组织", self.levels[level].prefix),
                        "honorary_title",
                        if level == CITY { "city" } else { "county" },
                        0,
                    )
                }
            };
            let abbr = self.meta_of(source).abbr;
            let no = self.next_no(source, "表", y);
            let doc_no = format!("{abbr}表〔{y}〕{no}号");
            let valid_to = if years > 0 {
                plus_days(add_months(day, years * 12), -1).to_string()
            } else {
                String::new()
            };
            let awarding_name = self.name(awarding);
            let awarding_code = self.code_of(awarding);
            self.finish(
                catalog,
                Draft {
                    type_code: "commendation",
                    subject,
                    source,
                    doc_no,
                    date: day,
                    fields: vec![
                        ("award_name", award),
                        ("award_kind", kind.into()),
                        ("level", level_code.into()),
                        ("awarding_body", awarding_name),
                        ("awarding_body_uscc", awarding_code),
                        ("valid_to", valid_to),
                    ],
                    severity: None,
                    submitted: false,
                },
            )?;
        }
        Ok(())
    }

    pub(super) fn proposals(&mut self, catalog: &Catalog) -> Result<()> {
        let mut rows: Vec<(NaiveDate, usize, bool)> = Vec::new();
        for year in 2023..=2026 {
            for k in 0..5 {
                let assigned = weekday_back(date(year, 2, 20 + self.n(0, 8) as u32));
                let assigned = weekday_back(plus_days(assigned, self.n(0, 30) as i64));
                if assigned <= self.end {
                    rows.push((
                        assigned,
                        (k + year as usize) % self.levels.len(),
                        k % 2 == 0,
                    ));
                }
            }
        }
        rows.sort();
        for (day, level, npc) in rows {
            let p = self.pick_ref(&self.t.records.proposal)?;
            let (title, role) = (p.title.as_str(), p.lead_role.as_str());
            let lead = self.role(level, role)?;
            let source = self.role(level, "bgs")?;
            let y = day.year();
            let series = if npc { "人大" } else { "政协" };
            let no = self.next_no(source, series, y);
            let proposal_no = if npc {
                format!("{}{y}年人大代表建议第{no:03}号", self.levels[level].prefix)
            } else {
                format!("{}{y}年政协提案第{no:03}号", self.levels[level].prefix)
            };
            let due = add_months(day, 3);
            let (reply, result, satisfaction) = if due < self.end {
                let reply = self.date_between(plus_days(day, 30), due);
                let result = self.pick(&["A", "A", "B", "B", "C", "D"])?;
                let satisfaction = match self.n(0, 9) {
                    0..=6 => "satisfied",
                    7 | 8 => "basically_satisfied",
                    _ => "unsatisfied",
                };
                (
                    reply.to_string(),
                    result.to_string(),
                    satisfaction.to_string(),
                )
            } else {
                (String::new(), String::new(), String::new())
            };
            let proposer = format!(
                "{}等{}名{}",
                self.any_name()?,
                self.n(2, 8),
                if npc { "代表" } else { "委员" }
            );
            let co_role = self.pick(&["fgw", "czj", "zwb", "scjg"])?;
            let co = self.role(level, co_role)?;
            let co_units = if co == lead {
                String::new()
            } else {
                self.name(co)
            };
            self.finish(
                catalog,
                Draft {
                    type_code: "npc_cppcc_proposal",
                    subject: lead,
                    source,
                    doc_no: proposal_no,
                    date: day,
                    fields: vec![
                        (
                            "proposal_kind",
                            if npc {
                                "npc_suggestion"
                            } else {
                                "cppcc_proposal"
                            }
                            .into(),
                        ),
                        ("proposal_title", title.into()),
                        ("proposer", proposer),
                        ("co_units", co_units),
                        ("due_date", due.to_string()),
                        ("reply_date", reply),
                        ("result", result),
                        ("satisfaction", satisfaction),
                    ],
                    severity: None,
                    submitted: false,
                },
            )?;
        }
        Ok(())
    }
}
