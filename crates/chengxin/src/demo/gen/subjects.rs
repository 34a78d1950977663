//! The demo's subjects: the government bodies and institutions of the three levels, the civil
//! servants with their careers, the enterprises and the social organisations.

use anyhow::Result;
use chengxin_domain::codes::id_number;
use chengxin_domain::subjects::SubjectKind;
use chrono::Datelike;

use super::{date, plus_days, weekday_back, Gen, Meta, CITY, LIYANG, WUJIN};
use crate::demo::{DemoEmployment, DemoSubject};

impl Gen {
    pub(super) fn bodies(&mut self) -> Result<()> {
        self.reseed(1);
        let t = self.t;
        for (li, level) in self.levels.iter().enumerate() {
            for tpl in &t.bodies.body {
                let fill = |t: &str| {
                    t.replace("{P}", &level.prefix)
                        .replace("{S}", &level.short)
                        .replace("{DEV}", &level.dev)
                        .replace("{HEALTH}", &level.health)
                        .replace("{A}", &level.abbr)
                        .replace("{C}", &level.court)
                };
                let name = fill(if li == CITY { &tpl.city } else { &tpl.county });
                let former = if li == CITY {
                    &tpl.city_former
                } else {
                    &tpl.county_former
                };
                let parent = if tpl.county_parent_in_city && li != CITY {
                    Some(self.role(CITY, &tpl.role)?)
                } else {
                    match &tpl.parent {
                        Some(p) => Some(self.role(li, p)?),
                        None => None,
                    }
                };
                let code = self.body_code(&name, "11", &level.region, "0")?;
                let idx = self.add_subject(
                    DemoSubject {
                        kind: SubjectKind::GovBody,
                        name,
                        uscc: Some(code),
                        id_number: None,
                        id_masked: None,
                        region: level.region.to_string(),
                        parent,
                        former_names: former.iter().map(|f| fill(f)).collect(),
                    },
                    Meta {
                        level: li,
                        role: tpl.role.as_str(),
                        abbr: fill(&tpl.abbr),
                        ..Meta::default()
                    },
                )?;
                self.roles.insert((li, tpl.role.as_str()), idx);
            }
            let gov = self.role(li, "gov")?;
            for town in &level.towns {
                let code = self.uscc("11", &level.region, "0")?;
                let idx = self.add_subject(
                    DemoSubject {
                        kind: SubjectKind::GovBody,
                        name: town.clone(),
                        uscc: Some(code),
                        id_number: None,
                        id_masked: None,
                        region: level.region.to_string(),
                        parent: Some(gov),
                        former_names: Vec::new(),
                    },
                    Meta {
                        level: li,
                        role: "town",
                        abbr: level.abbr.to_string(),
                        ..Meta::default()
                    },
                )?;
                self.towns.push(idx);
            }
        }
        for inst in &t.bodies.institution {
            let li = inst.level.index();
            let level = &self.levels[li];
            let parent = self.role(li, &inst.parent)?;
            let code = self.body_code(&inst.name, "12", &level.region, "4")?;
            let idx = self.add_subject(
                DemoSubject {
                    kind: SubjectKind::Institution,
                    name: inst.name.clone(),
                    uscc: Some(code),
                    id_number: None,
                    id_masked: None,
                    region: level.region.to_string(),
                    parent: Some(parent),
                    former_names: Vec::new(),
                },
                Meta {
                    level: li,
                    role: "inst",
                    abbr: level.abbr.to_string(),
                    ..Meta::default()
                },
            )?;
            self.institutions.push(idx);
        }
        Ok(())
    }

    /// Bodies people work at on one level (not the government itself).
    pub(super) fn workplaces(&self, level: usize) -> Vec<usize> {
        (0..self.subjects.len())
            .filter(|&i| {
                let m = &self.meta[i];
                let k = self.subjects[i].kind;
                m.level == level
                    && matches!(k, SubjectKind::GovBody | SubjectKind::Institution)
                    && m.role != "gov"
            })
            .collect()
    }

    /// The post ladder of a body, junior to senior: the first rule of `bodies.toml` that fits
    /// (the last one, a fallback, always does; checked at load).
    pub(super) fn ladder(&self, body: usize) -> &'static [String] {
        let name = &self.subjects[body].name;
        let role = self.meta[body].role;
        self.t
            .bodies
            .ladder
            .iter()
            .find(|l| {
                l.role.as_deref().is_none_or(|r| r == role)
                    && l.name_ends_with
                        .as_deref()
                        .is_none_or(|e| name.ends_with(e))
            })
            .map_or(&[], |l| l.posts.as_slice())
    }

    pub(super) fn persons(&mut self) -> Result<()> {
        let wp: Vec<Vec<usize>> = (0..self.levels.len()).map(|l| self.workplaces(l)).collect();
        for i in 0..60 {
            self.reseed(1000 + i);
            let male = self.chance(0.6);
            let birth = self.date_between(date(1965, 1, 1), date(1998, 12, 31));
            let home = match self.n(0, 9) {
                0..=3 => CITY,
                4..=6 => LIYANG,
                _ => WUJIN,
            };
            let region = match home {
                CITY => self.pick(&["320402", "320404", "320411", "320413", "320482"])?,
                LIYANG if birth.year() < 1990 && self.chance(0.4) => "320423",
                LIYANG => "320481",
                _ if (1983..=1994).contains(&birth.year()) && self.chance(0.4) => "320421",
                _ if birth.year() >= 1995 && self.chance(0.4) => "320483",
                _ => "320412",
            };
            let id = self.id_number(region, birth, male)?;
            let name = self.person_name(male)?;

            // Career: 1–3 periods; the last one open.
            let first_year = (birth.year() + 22 + self.n(0, 4) as i32).clamp(1990, 2020);
            let mut starts = vec![plus_days(date(first_year, 7, 1), self.n(0, 75) as i64)];
            let periods = self.n(1, 3);
            let latest_move = plus_days(self.end, -200);
            for _ in 1..periods {
                let prev = starts[starts.len() - 1];
                let next = plus_days(prev, self.n(2 * 365, 8 * 365) as i64);
                let next = weekday_back(next);
                if next > latest_move {
                    break;
                }
                starts.push(next);
            }
            let mut level = home;
            let mut bodies: Vec<usize> = Vec::new();
            for k in 0..starts.len() {
                if k > 0 && home != CITY && self.chance(0.25) {
                    level = CITY;
                }
                let pool: Vec<usize> = wp[level]
                    .iter()
                    .copied()
                    .filter(|b| !bodies.contains(b))
                    .collect();
                bodies.push(self.pick(&pool)?);
            }
            let region_now = self.subjects[bodies[bodies.len() - 1]].region.clone();
            let person = self.add_subject(
                DemoSubject {
                    kind: SubjectKind::CivilServant,
                    name,
                    uscc: None,
                    id_masked: Some(id_number::mask(&id)),
                    id_number: Some(id),
                    region: region_now,
                    parent: None,
                    former_names: Vec::new(),
                },
                Meta {
                    level,
                    role: "person",
                    ..Meta::default()
                },
            )?;
            self.persons.push(person);
            let mut rank = 0usize;
            for k in 0..starts.len() {
                let ladder = self.ladder(bodies[k]);
                let years_in = (starts[k].year() - first_year).max(0) as usize;
                rank = rank.max(years_in / 6 + k).min(ladder.len() - 1);
                if k > 0 && self.chance(0.3) {
                    rank = (rank + 1).min(ladder.len() - 1);
                }
                let end = starts.get(k + 1).map(|next| plus_days(*next, -1));
                self.employments.push(DemoEmployment {
                    person,
                    body: bodies[k],
                    post: ladder[rank].to_string(),
                    start: starts[k],
                    end,
                });
            }
        }
        Ok(())
    }

    pub(super) fn enterprises(&mut self) -> Result<()> {
        self.reseed(2);
        for i in 0..80 {
            let shop = i >= 70;
            let level = match self.n(0, 19) {
                0..=8 => CITY,
                9..=14 => LIYANG,
                _ => WUJIN,
            };
            let trade = self.trade_name()?;
            let mut former = Vec::new();
            let (name, region, ind, code) = if shop {
                let shop = self.pick_ref(&self.t.names.shop)?;
                let (kind, ind) = (shop.name.as_str(), shop.industry);
                let place = self.pick_str(&self.levels[level].places)?;
                let (prefix, region) = match level {
                    CITY => (
                        "常州市",
                        if place == "钟楼区" {
                            "320404"
                        } else {
                            "320402"
                        },
                    ),
                    LIYANG => ("溧阳市", "320481"),
                    _ => ("常州市武进区", "320412"),
                };
                let code = self.uscc("92", region, "MA")?;
                (format!("{prefix}{place}{trade}{kind}"), region, ind, code)
            } else {
                let industry = self.pick_ref(&self.t.names.industry)?;
                let (industry, ind) = (industry.name.as_str(), industry.industry);
                let shareholding = self.chance(0.1);
                let region = match level {
                    CITY => self.pick(&["320400", "320400", "320402", "320404", "320411"])?,
                    LIYANG => "320481",
                    _ => "320412",
                };
                let prefix = if shareholding {
                    "江苏"
                } else {
                    match level {
                        CITY => self.pick(&["常州", "常州市"])?,
                        LIYANG => self.pick(&["溧阳", "溧阳市"])?,
                        _ => self.pick(&["常州市武进区", "常州"])?,
                    }
                };
                let suffix = if shareholding {
                    "股份有限公司"
                } else if self.chance(0.06) {
                    "有限责任公司"
                } else {
                    "有限公司"
                };
                let name = format!("{prefix}{trade}{industry}{suffix}");
                if shareholding {
                    // 股改: the company was a limited company before.
                    let local = if level == LIYANG { "溧阳" } else { "常州" };
                    former.push(format!("{local}{trade}{industry}有限公司"));
                } else if self.chance(0.08) {
                    let old = self.trade_name()?;
                    former.push(format!("{prefix}{old}{industry}{suffix}"));
                }
                let code = self.uscc("91", region, "MA")?;
                (name, region, ind, code)
            };
            let legal_rep = self.any_name()?;
            let idx = self.add_subject(
                DemoSubject {
                    kind: SubjectKind::Enterprise,
                    name,
                    uscc: Some(code),
                    id_number: None,
                    id_masked: None,
                    region: region.to_string(),
                    parent: None,
                    former_names: former,
                },
                Meta {
                    level,
                    role: if shop { "shop" } else { "company" },
                    ind: Some(ind),
                    legal_rep: Some(legal_rep),
                    ..Meta::default()
                },
            )?;
            if shop {
                self.shops.push(idx);
            } else {
                self.companies.push(idx);
            }
        }
        Ok(())
    }

    pub(super) fn social_orgs(&mut self) -> Result<()> {
        self.reseed(3);
        for org in &self.t.bodies.social_org {
            let (level, cat, tpl) = (org.level.index(), org.category.as_str(), &org.name);
            let trade = self.trade_name()?;
            let region = self.levels[level].region.as_str();
            let code = self.uscc(cat, region, "5")?;
            let former_names = match &org.former_name {
                Some(former) if !former.is_empty() => vec![former.replace("{T}", &trade)],
                _ => Vec::new(),
            };
            let legal_rep = self.any_name()?;
            let idx = self.add_subject(
                DemoSubject {
                    kind: SubjectKind::SocialOrg,
                    name: tpl.replace("{T}", &trade),
                    uscc: Some(code),
                    id_number: None,
                    id_masked: None,
                    region: region.to_string(),
                    parent: None,
                    former_names,
                },
                Meta {
                    level,
                    role: "social",
                    abbr: cat.to_string(),
                    legal_rep: Some(legal_rep),
                    ..Meta::default()
                },
            )?;
            self.social.push(idx);
        }
        Ok(())
    }
}
