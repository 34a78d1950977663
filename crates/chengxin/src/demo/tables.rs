//! The demo's fixed tables — places, bodies, name pools, record texts, list entries — compiled
//! in from `data/demo/*.toml` and parsed once.

use std::sync::OnceLock;

use anyhow::{anyhow, bail, Result};
use chrono::NaiveDate;
use serde::Deserialize;

const BODIES_TOML: &str = include_str!("../../../../data/demo/bodies.toml");
const NAMES_TOML: &str = include_str!("../../../../data/demo/names.toml");
const RECORDS_TOML: &str = include_str!("../../../../data/demo/records.toml");
const LISTS_TOML: &str = include_str!("../../../../data/demo/lists.toml");

/// Industry of a fictional enterprise: decides which licences, penalties and contracts fit it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Ind {
    Build,
    Tech,
    Manu,
    Food,
    Service,
    Trade,
    Logi,
    Chem,
}

/// A level of government, by its position in `bodies.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum LevelKey {
    City,
    Liyang,
    Wujin,
}

impl LevelKey {
    /// Position in [`Bodies::level`] (checked at load).
    pub(super) fn index(self) -> usize {
        match self {
            LevelKey::City => 0,
            LevelKey::Liyang => 1,
            LevelKey::Wujin => 2,
        }
    }
}

/// Everything the generator draws from.
#[derive(Debug)]
pub(super) struct Tables {
    pub(super) bodies: Bodies,
    pub(super) names: Names,
    pub(super) records: RecordTexts,
    pub(super) lists: Lists,
}

/// `bodies.toml`: the levels of government and the bodies on them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Bodies {
    pub(super) level: Vec<Level>,
    pub(super) body: Vec<BodyTpl>,
    pub(super) institution: Vec<Institution>,
    pub(super) social_org: Vec<SocialOrg>,
    pub(super) ladder: Vec<Ladder>,
}

/// A level of government in the demo: the city and two county-level divisions.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Level {
    pub(super) key: LevelKey,
    /// Name prefix of its bodies (`常州市`, `溧阳市`, `常州市武进区`).
    pub(super) prefix: String,
    /// Short name (`常州`, `溧阳`, `武进`).
    pub(super) short: String,
    /// One-character abbreviation used in document numbers (`常`, `溧`, `武`).
    pub(super) abbr: String,
    /// Pinyin initials for ASCII numbers (`CZ`, `LY`, `WJ`).
    pub(super) py: String,
    pub(super) region: String,
    /// Court code in case numbers (`苏04`, `苏0481`, `苏0412`).
    pub(super) court: String,
    /// 发展和改革委员会 / 发展和改革局.
    pub(super) dev: String,
    /// 卫生健康委员会 / 卫生健康局.
    pub(super) health: String,
    /// 乡镇/街道 and the development zone.
    pub(super) towns: Vec<String>,
    /// Place names used in individual businesses' names.
    pub(super) places: Vec<String>,
}

/// A department template: `{P}` prefix, `{S}` short name, `{DEV}`, `{HEALTH}`; `{A}` in the
/// abbreviation is the level's abbreviation, `{C}` the court code.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BodyTpl {
    pub(super) role: String,
    pub(super) city: String,
    pub(super) county: String,
    pub(super) abbr: String,
    /// Parent role at the same level (`gov`), or none.
    #[serde(default)]
    pub(super) parent: Option<String>,
    #[serde(default)]
    pub(super) city_former: Vec<String>,
    #[serde(default)]
    pub(super) county_former: Vec<String>,
    /// On the county levels, the parent is the city's body of the same role.
    #[serde(default)]
    pub(super) county_parent_in_city: bool,
}

/// An institution (事业单位): level, name, parent role.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Institution {
    pub(super) level: LevelKey,
    pub(super) name: String,
    pub(super) parent: String,
}

/// A social organisation: level, USCC category, name template with `{T}` = trade name, former
/// name template.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SocialOrg {
    pub(super) level: LevelKey,
    pub(super) category: String,
    pub(super) name: String,
    #[serde(default)]
    pub(super) former_name: Option<String>,
}

/// A post ladder (junior to senior) for the bodies of a role and/or name ending.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Ladder {
    #[serde(default)]
    pub(super) role: Option<String>,
    #[serde(default)]
    pub(super) name_ends_with: Option<String>,
    pub(super) posts: Vec<String>,
}

/// `names.toml`: the pools fictional names are drawn from.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Names {
    pub(super) surnames: Vec<String>,
    pub(super) male_chars: Vec<String>,
    pub(super) female_chars: Vec<String>,
    pub(super) middle_chars: Vec<String>,
    /// Trade-name characters (字号) of the fictional enterprises.
    pub(super) trade_a: Vec<String>,
    pub(super) trade_b: Vec<String>,
    /// Local trade names, used now and then.
    pub(super) trade_local: Vec<String>,
    pub(super) industry: Vec<Industry>,
    pub(super) shop: Vec<Industry>,
}

/// An industry word of a company name, or the kind of an individual business.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Industry {
    pub(super) name: String,
    pub(super) industry: Ind,
}

/// `records.toml`: the texts the records are made of.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RecordTexts {
    /// The first day decisions are spread from.
    pub(super) start: NaiveDate,
    /// Working days around Spring Festival 2025 and 2026 (调休 Saturdays/Sundays included):
    /// the corner cases of the 双公示 7-working-day deadline.
    pub(super) spring_festival_days: Vec<NaiveDate>,
    pub(super) sanction_facts: Vec<String>,
    pub(super) party_sanctions: Vec<String>,
    pub(super) gov_sanctions: Vec<String>,
    pub(super) accountability_facts: Vec<String>,
    pub(super) body_honours: Vec<String>,
    pub(super) civil_gov_causes: Vec<String>,
    pub(super) civil_company_causes: Vec<String>,
    pub(super) crimes: Vec<String>,
    pub(super) dishonest_conduct: Vec<String>,
    pub(super) license: Licenses,
    pub(super) penalty: Vec<Penalty>,
    pub(super) admin_cause: Vec<AdminCause>,
    pub(super) refusal: Vec<Refusal>,
    pub(super) procurement: Vec<Procurement>,
    pub(super) arrears: Vec<Arrears>,
    pub(super) ppp: Vec<Ppp>,
    pub(super) investment: Vec<Investment>,
    /// 公开承诺/服务承诺 and how they were broken (违背承诺, issue 18).
    pub(super) public_promise: Vec<Investment>,
    pub(super) complaint: Vec<Complaint>,
    pub(super) audit: Vec<Audit>,
    pub(super) proposal: Vec<Proposal>,
}

/// The licences the generator grants, by what they fit.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Licenses {
    pub(super) food: License,
    pub(super) build_qual: License,
    pub(super) build_permit: License,
    pub(super) transport: License,
    pub(super) emission: License,
    pub(super) dispatch: License,
    pub(super) hr: License,
    pub(super) training: License,
    pub(super) health: License,
}

/// A licence: issuing role, decision document, certificate, category, content, years valid
/// (0 = 长期).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct License {
    pub(super) role: String,
    pub(super) doc_name: String,
    pub(super) certificate: String,
    pub(super) category: String,
    pub(super) content: String,
    pub(super) years: u32,
}

/// A penalty: deciding role, industries, violation, facts, basis, category, fine range (yuan).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Penalty {
    pub(super) role: String,
    pub(super) industries: Vec<Ind>,
    pub(super) violation: String,
    pub(super) facts: String,
    pub(super) basis: String,
    pub(super) category: String,
    pub(super) fine_min: u64,
    pub(super) fine_max: u64,
}

/// An administrative case against a government body: cause, roles sued, judgment.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AdminCause {
    pub(super) cause: String,
    pub(super) roles: Vec<String>,
    pub(super) judgment: String,
}

/// An unperformed obligation and the case code of the judgment behind it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Refusal {
    pub(super) obligation: String,
    pub(super) basis_code: String,
}

/// A procurement project and the industries of its suppliers.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Procurement {
    pub(super) project: String,
    pub(super) industries: Vec<Ind>,
}

/// A contract in arrears: industries of the creditor, roles of the debtor body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Arrears {
    pub(super) contract: String,
    pub(super) industries: Vec<Ind>,
    pub(super) debtor_roles: Vec<String>,
}

/// A PPP project on a level.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Ppp {
    pub(super) level: LevelKey,
    pub(super) project: String,
}

/// An investment promise and how it was broken.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Investment {
    pub(super) promise: String,
    pub(super) breach: String,
}

/// A verified complaint: the matter and what was found.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Complaint {
    pub(super) matter: String,
    pub(super) finding: String,
}

/// An audit finding: category and issue.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Audit {
    pub(super) category: String,
    pub(super) issue: String,
}

/// An NPC suggestion or CPPCC proposal: title and lead department role.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Proposal {
    pub(super) title: String,
    pub(super) lead_role: String,
}

/// `lists.toml`: the demo's list entries.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Lists {
    pub(super) list_entry: Vec<ListEntrySpec>,
}

/// Which subjects a list entry goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum ListPick {
    /// The first two enterprises with a severe record.
    MostSevere,
    /// The first two enterprises with no negative record.
    NoNegative,
}

/// Entries on one list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ListEntrySpec {
    pub(super) list: String,
    pub(super) subjects: ListPick,
    pub(super) standard: String,
    pub(super) basis: String,
    pub(super) recognised_by: String,
}

fn parse<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T> {
    toml::from_str(text).map_err(|e| anyhow!("演示数据文件 data/demo/{file} 格式错误：{e}"))
}

impl Tables {
    /// Parses the compiled-in files and checks what the generator relies on.
    fn parse() -> Result<Tables> {
        let t = Tables {
            bodies: parse("bodies.toml", BODIES_TOML)?,
            names: parse("names.toml", NAMES_TOML)?,
            records: parse("records.toml", RECORDS_TOML)?,
            lists: parse("lists.toml", LISTS_TOML)?,
        };
        let keys: Vec<LevelKey> = t.bodies.level.iter().map(|l| l.key).collect();
        if keys != [LevelKey::City, LevelKey::Liyang, LevelKey::Wujin] {
            bail!("演示数据 bodies.toml：level 应依次为 city、liyang、wujin");
        }
        let fallback = t.bodies.ladder.last();
        if t.bodies.ladder.iter().any(|l| l.posts.is_empty())
            || fallback.is_none_or(|l| l.role.is_some() || l.name_ends_with.is_some())
        {
            bail!("演示数据 bodies.toml：ladder 不能为空，最后一条须不带条件");
        }
        let r = &t.records;
        if r.party_sanctions.len() < 4 || r.gov_sanctions.len() < 5 {
            bail!("演示数据 records.toml：处分种类不足");
        }
        if r.ppp.is_empty() {
            bail!("演示数据 records.toml：缺少 PPP 项目");
        }
        Ok(t)
    }
}

static TABLES: OnceLock<Tables> = OnceLock::new();

/// The demo's tables, parsed on first use.
pub(super) fn tables() -> Result<&'static Tables> {
    if let Some(t) = TABLES.get() {
        return Ok(t);
    }
    let parsed = Tables::parse()?;
    Ok(TABLES.get_or_init(|| parsed))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every demo data file parses (unknown fields are errors) and passes the checks.
    #[test]
    fn every_demo_file_parses() {
        let t = Tables::parse().unwrap();
        assert_eq!(t.bodies.level.len(), 3);
        assert_eq!(t.bodies.body.len(), 19);
        assert_eq!(t.bodies.institution.len(), 7);
        assert_eq!(t.bodies.social_org.len(), 10);
        assert_eq!(t.bodies.ladder.len(), 9);
        assert_eq!(t.names.industry.len(), 28);
        assert_eq!(t.names.shop.len(), 8);
        assert_eq!(t.records.spring_festival_days.len(), 20);
        assert_eq!(t.records.penalty.len(), 12);
        assert_eq!(t.lists.list_entry.len(), 2);
    }

    #[test]
    fn unknown_fields_are_refused() {
        let text = format!("{NAMES_TOML}\nnicknames = [\"x\"]\n");
        assert!(parse::<Names>("names.toml", &text).is_err());
        let text = LISTS_TOML.replace("basis =", "basis_typo =");
        assert!(parse::<Lists>("lists.toml", &text).is_err());
    }
}
