//! Test-file generator: realistic 行政处罚 CSV files of any size, deterministic for a seed, with
//! a known share of bad rows. Used by `chengxin gen-records` and the benchmarks.
//!
//! The header is exactly the field titles of the catalog type `admin_penalty`, in order. Good
//! rows pass [`chengxin_domain::catalog::FieldDef::parse_value`] on every field, carry valid
//! USCCs (outer and organisation-code check characters, real 江苏常州 region codes) and valid ID
//! numbers. Bad rows are bad in exactly one of the [`BAD_KINDS`] ways.
//!
//! The output streams through a `BufWriter`; nothing but one row is held in memory.

use std::io::{self, Write};

use chengxin_domain::catalog::{add_months, Catalog};
use chengxin_domain::codes::{id_number, org_code, uscc};
use chrono::{Datelike, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The record type generated.
pub const PENALTY_TYPE: &str = "admin_penalty";

/// The ways a bad row is bad, in the order of [`GenSummary::bad_by_kind`]:
/// a USCC whose check character is wrong; the impossible date `2025-02-30` as 处罚决定日期;
/// 处罚决定日期 (required) left empty; a 行政相对人类别 that is not one of the enum's values.
pub const BAD_KINDS: [&str; 4] = [
    "bad_uscc_check_char",
    "impossible_decision_date",
    "missing_decision_date",
    "bad_subject_category",
];

/// What was generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GenSummary {
    /// Data rows written (header excluded).
    pub rows: u64,
    /// Rows valid in every field.
    pub good: u64,
    /// Rows with exactly one problem.
    pub bad: u64,
    /// Bad rows per kind, in the order of [`BAD_KINDS`].
    pub bad_by_kind: [u64; 4],
}

/// The header of the generated file: the catalog titles of `admin_penalty`.
pub fn penalty_headers() -> io::Result<Vec<String>> {
    let catalog = Catalog::default_checked().map_err(io::Error::other)?;
    let ty = catalog
        .get(PENALTY_TYPE)
        .ok_or_else(|| io::Error::other("catalog has no admin_penalty type"))?;
    Ok(ty.fields.iter().map(|f| f.title.clone()).collect())
}

/// Which generator fills a column (by the catalog field's `name`).
#[derive(Debug, Clone, Copy)]
enum Col {
    SubjectName,
    SubjectCategory,
    Uscc,
    OrgCode,
    LegalRep,
    LegalRepIdType,
    LegalRepIdNo,
    IdType,
    IdNo,
    DocNo,
    ViolationType,
    ViolationFacts,
    PenaltyBasis,
    PenaltyCategory,
    PenaltyContent,
    FineAmount,
    ConfiscationAmount,
    DecisionDate,
    ValidUntil,
    PublicityDeadline,
    Authority,
    AuthorityUscc,
    Remarks,
    Empty,
}

fn col_for(name: &str) -> Col {
    match name {
        "subject_name" => Col::SubjectName,
        "subject_category" => Col::SubjectCategory,
        "uscc" => Col::Uscc,
        "org_code" => Col::OrgCode,
        "legal_rep" => Col::LegalRep,
        "legal_rep_id_type" => Col::LegalRepIdType,
        "legal_rep_id_no" => Col::LegalRepIdNo,
        "id_type" => Col::IdType,
        "id_no" => Col::IdNo,
        "decision_doc_no" => Col::DocNo,
        "violation_type" => Col::ViolationType,
        "violation_facts" => Col::ViolationFacts,
        "penalty_basis" => Col::PenaltyBasis,
        "penalty_category" => Col::PenaltyCategory,
        "penalty_content" => Col::PenaltyContent,
        "fine_amount" => Col::FineAmount,
        "confiscation_amount" => Col::ConfiscationAmount,
        "decision_date" => Col::DecisionDate,
        "penalty_valid_until" => Col::ValidUntil,
        "publicity_deadline" => Col::PublicityDeadline,
        "authority" | "source_unit" => Col::Authority,
        "authority_uscc" | "source_unit_uscc" => Col::AuthorityUscc,
        "remarks" => Col::Remarks,
        _ => Col::Empty,
    }
}

/// (code, district name, 文书号 prefix) of real 常州 districts (GB/T 2260).
const REGIONS: [(&str, &str, &str); 6] = [
    ("320402", "天宁区", "常天"),
    ("320404", "钟楼区", "常钟"),
    ("320411", "新北区", "常新"),
    ("320412", "武进区", "常武"),
    ("320413", "金坛区", "常金"),
    ("320481", "溧阳市", "溧"),
];

const SURNAMES: [&str; 24] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋",
];
const GIVEN: [&str; 24] = [
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞", "平", "刚", "建华", "志强",
];
const WORDS: [&str; 20] = [
    "恒信", "华泰", "金诚", "瑞丰", "永安", "天成", "宏达", "新源", "中联", "博远", "兴隆", "汇通",
    "德润", "嘉禾", "同创", "锦程", "龙城", "东方", "鑫盛", "康宁",
];
const TRADES: [&str; 12] = [
    "机械制造",
    "商贸",
    "食品",
    "建筑工程",
    "物流",
    "电子科技",
    "餐饮管理",
    "医药",
    "纺织",
    "装饰工程",
    "环保科技",
    "汽车销售",
];
const SUFFIXES: [&str; 3] = ["有限公司", "有限责任公司", "股份有限公司"];
const SHOPS: [&str; 6] = ["便利店", "小吃店", "五金店", "理发店", "水果店", "超市"];

/// (违法行为类型, 违法事实 template — `{}` is the subject, 处罚依据).
const VIOLATIONS: [(&str, &str, &str); 6] = [
    (
        "虚假宣传",
        "经查，{}在其经营场所及网络店铺中对商品性能作虚假的商业宣传，欺骗、误导消费者。",
        "《中华人民共和国反不正当竞争法》第八条第一款、第二十条第一款",
    ),
    (
        "销售不符合食品安全标准的食品",
        "经查，{}销售的食品经抽样检验，不符合食品安全国家标准。",
        "《中华人民共和国食品安全法》第三十四条、第一百二十四条第一款",
    ),
    (
        "未按规定公示年度报告",
        "经查，{}未按照《企业信息公示暂行条例》规定的期限公示年度报告。",
        "《企业信息公示暂行条例》第八条、第十七条",
    ),
    (
        "无照经营",
        "经查，{}未依法取得营业执照从事经营活动。",
        "《无证无照经营查处办法》第二条、第十三条",
    ),
    (
        "未按规定进行消防安全检查",
        "经查，{}未按照规定组织防火检查，消防设施未保持完好有效。",
        "《中华人民共和国消防法》第十六条、第六十条第一款",
    ),
    (
        "违规排放污染物",
        "经查，{}通过逃避监管的方式排放水污染物。",
        "《中华人民共和国水污染防治法》第三十九条、第八十三条",
    ),
];

struct Authority {
    name: String,
    uscc: String,
    prefix: &'static str,
}

const USCC_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// A valid USCC for `dept`/`cat`/`region` with a random organisation body.
fn make_uscc(rng: &mut ChaCha8Rng, dept: u8, cat: u8, region: &str) -> String {
    let mut code = String::with_capacity(18);
    code.push(char::from(dept));
    code.push(char::from(cat));
    code.push_str(region);
    loop {
        let mut body = String::with_capacity(8);
        for _ in 0..8 {
            let i = rng.gen_range(0..USCC_CHARS.len());
            body.push(char::from(USCC_CHARS[i]));
        }
        // The organisation-code check character is a digit or X, both in the USCC charset.
        if let Some(c) = org_code::check_char(&body) {
            code.push_str(&body);
            code.push(c);
            break;
        }
    }
    if let Some(c) = uscc::check_char(&code) {
        code.push(c);
    }
    code
}

/// Appends `n` zero-padded to `width` digits (more if needed), without the `fmt` machinery.
fn push_num(out: &mut String, n: u64, width: usize) {
    let mut digits = [0u8; 20];
    let mut len = 0;
    let mut v = n;
    loop {
        digits[len] = b'0' + (v % 10) as u8;
        len += 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for _ in len..width {
        out.push('0');
    }
    for d in digits[..len].iter().rev() {
        out.push(char::from(*d));
    }
}

/// A valid 18-digit ID number (born 1960–1999).
fn make_id(rng: &mut ChaCha8Rng, region: &str, out: &mut String) {
    let start = out.len();
    out.push_str(region);
    push_num(out, rng.gen_range(1960..2000), 4);
    push_num(out, rng.gen_range(1..13), 2);
    push_num(out, rng.gen_range(1..29), 2);
    push_num(out, rng.gen_range(1..1000), 3);
    if let Some(c) = id_number::check_char(&out[start..]) {
        out.push(c);
    }
}

fn person(rng: &mut ChaCha8Rng, out: &mut String) {
    out.push_str(SURNAMES[rng.gen_range(0..SURNAMES.len())]);
    out.push_str(GIVEN[rng.gen_range(0..GIVEN.len())]);
}

/// `yuan` as 万元 with no trailing zeros (`12345` → `1.2345`, `50000` → `5`).
fn wan(yuan: u64, out: &mut String) {
    push_num(out, yuan / 10_000, 1);
    let mut frac = yuan % 10_000;
    if frac != 0 {
        out.push('.');
        let mut div = 1000;
        while frac != 0 {
            out.push(char::from(b'0' + (frac / div) as u8));
            frac %= div;
            div /= 10;
        }
    }
}

/// Dates of one decision day: decision, +6 months (处罚有效期), +3 and +12 months (公示截止期).
struct Day {
    decision: String,
    valid_until: String,
    deadline_minor: String,
    deadline_general: String,
}

fn days() -> Vec<Day> {
    let fmt = |d: NaiveDate| format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day());
    let mut out = Vec::new();
    let mut d = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
    while d.year() <= 2025 {
        out.push(Day {
            decision: fmt(d),
            valid_until: fmt(add_months(d, 6)),
            deadline_minor: fmt(add_months(d, 3)),
            deadline_general: fmt(add_months(d, 12)),
        });
        match d.succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }
    out
}

/// Appends a CSV field, quoted when needed.
fn field(line: &mut String, value: &str) {
    if value
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        line.push('"');
        line.push_str(&value.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(value);
    }
}

/// Writes a 行政处罚 CSV (UTF-8, no BOM, `\n` line ends) of `rows` data rows, `bad_per_mille`
/// of them (on average) bad in one of the [`BAD_KINDS`] ways, deterministically for `seed`.
pub fn gen_penalty_csv<W: Write>(
    w: W,
    rows: u64,
    bad_per_mille: u32,
    seed: u64,
) -> io::Result<GenSummary> {
    let catalog = Catalog::default_checked().map_err(io::Error::other)?;
    let ty = catalog
        .get(PENALTY_TYPE)
        .ok_or_else(|| io::Error::other("catalog has no admin_penalty type"))?;
    let cols: Vec<Col> = ty.fields.iter().map(|f| col_for(&f.name)).collect();
    let mut w = io::BufWriter::with_capacity(1 << 20, w);
    let mut line = String::with_capacity(4096);
    for (i, f) in ty.fields.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        field(&mut line, &f.title);
    }
    line.push('\n');
    w.write_all(line.as_bytes())?;

    // Authorities are fixed (not seeded) so that files of different seeds agree on them.
    let mut fixed = ChaCha8Rng::seed_from_u64(0x5EED_0FAB);
    let authorities: Vec<Authority> = REGIONS
        .iter()
        .map(|(code, district, prefix)| Authority {
            name: format!("常州市{district}市场监督管理局"),
            uscc: make_uscc(&mut fixed, b'1', b'1', code),
            prefix,
        })
        .collect();
    let days = days();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut summary = GenSummary::default();
    let mut name = String::new();
    let mut rep = String::new();
    let mut id = String::new();
    let mut rep_id = String::new();

    for n in 0..rows {
        line.clear();
        let bad_kind = if rng.gen_range(0..1000) < bad_per_mille {
            Some(rng.gen_range(0..BAD_KINDS.len()))
        } else {
            None
        };
        let region_ix = rng.gen_range(0..REGIONS.len());
        let (region, district, _) = REGIONS[region_ix];
        let auth = &authorities[region_ix];
        // 0 = legal person, 1 = individual business, 2 = natural person.
        let roll = rng.gen_range(0..100);
        let mut kind = if roll < 85 {
            0
        } else if roll < 95 {
            1
        } else {
            2
        };
        if bad_kind == Some(0) && kind == 2 {
            kind = 0; // a bad USCC needs a USCC
        }
        name.clear();
        rep.clear();
        id.clear();
        rep_id.clear();
        match kind {
            0 => {
                name.push_str("常州");
                name.push_str(WORDS[rng.gen_range(0..WORDS.len())]);
                name.push_str(WORDS[rng.gen_range(0..WORDS.len())]);
                name.push_str(TRADES[rng.gen_range(0..TRADES.len())]);
                name.push_str(SUFFIXES[rng.gen_range(0..SUFFIXES.len())]);
                person(&mut rng, &mut rep);
            }
            1 => {
                name.push_str("常州市");
                name.push_str(district);
                person(&mut rng, &mut name);
                name.push_str(SHOPS[rng.gen_range(0..SHOPS.len())]);
                person(&mut rng, &mut rep);
            }
            _ => person(&mut rng, &mut name),
        }
        let subject_uscc = if kind == 2 {
            String::new()
        } else {
            let mut u = make_uscc(&mut rng, b'9', if kind == 0 { b'1' } else { b'2' }, region);
            if bad_kind == Some(0) {
                if let Some(last) = u.pop() {
                    let i = USCC_CHARS
                        .iter()
                        .position(|c| char::from(*c) == last)
                        .unwrap_or(0);
                    u.push(char::from(USCC_CHARS[(i + 1) % USCC_CHARS.len()]));
                }
            }
            u
        };
        if kind == 2 {
            make_id(&mut rng, region, &mut id);
        } else {
            make_id(&mut rng, region, &mut rep_id);
        }
        let (vtype, vfacts, vbasis) = VIOLATIONS[rng.gen_range(0..VIOLATIONS.len())];
        let cat_roll = rng.gen_range(0..100);
        let (category, fine, confiscation) = if cat_roll < 60 {
            ("罚款", rng.gen_range(5..2000u64) * 100, 0)
        } else if cat_roll < 75 {
            ("警告", 0, 0)
        } else if cat_roll < 90 {
            (
                "罚款;没收违法所得",
                rng.gen_range(5..2000u64) * 100,
                rng.gen_range(1..500u64) * 100,
            )
        } else {
            ("没收违法所得", 0, rng.gen_range(1..500u64) * 100)
        };
        let day = &days[rng.gen_range(0..days.len())];
        let year = &day.decision[..4];
        let remark = rng.gen_range(0..10) == 0;

        for (i, col) in cols.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            match col {
                Col::SubjectName => field(&mut line, &name),
                Col::SubjectCategory => line.push_str(if bad_kind == Some(3) {
                    "外星法人"
                } else {
                    ["法人及非法人组织", "个体工商户", "自然人"][kind]
                }),
                Col::Uscc => line.push_str(&subject_uscc),
                Col::OrgCode => {
                    if kind == 0 {
                        if let (Some(a), Some(b)) =
                            (subject_uscc.get(8..16), subject_uscc.get(16..17))
                        {
                            line.push_str(a);
                            line.push('-');
                            line.push_str(b);
                        }
                    }
                }
                Col::LegalRep => field(&mut line, &rep),
                Col::LegalRepIdType => {
                    if kind != 2 {
                        line.push_str("身份证");
                    }
                }
                Col::LegalRepIdNo => line.push_str(&rep_id),
                Col::IdType => {
                    if kind == 2 {
                        line.push_str("身份证");
                    }
                }
                Col::IdNo => line.push_str(&id),
                Col::DocNo => {
                    line.push_str(auth.prefix);
                    line.push_str("市监处罚〔");
                    line.push_str(year);
                    line.push('〕');
                    push_num(&mut line, n + 1, 6);
                    line.push('号');
                }
                Col::ViolationType => line.push_str(vtype),
                Col::ViolationFacts => {
                    let (a, b) = vfacts.split_once("{}").unwrap_or((vfacts, ""));
                    line.push_str(a);
                    field(&mut line, &name);
                    line.push_str(b);
                }
                Col::PenaltyBasis => line.push_str(vbasis),
                Col::PenaltyCategory => line.push_str(category),
                Col::PenaltyContent => {
                    if fine > 0 {
                        line.push_str("罚款人民币");
                        push_num(&mut line, fine, 1);
                        line.push('元');
                    }
                    if confiscation > 0 {
                        if fine > 0 {
                            line.push('；');
                        }
                        line.push_str("没收违法所得人民币");
                        push_num(&mut line, confiscation, 1);
                        line.push('元');
                    }
                    if fine == 0 && confiscation == 0 {
                        line.push_str("警告");
                    }
                }
                Col::FineAmount => {
                    if fine > 0 {
                        wan(fine, &mut line);
                    }
                }
                Col::ConfiscationAmount => {
                    if confiscation > 0 {
                        wan(confiscation, &mut line);
                    }
                }
                Col::DecisionDate => match bad_kind {
                    Some(1) => line.push_str("2025-02-30"),
                    Some(2) => {}
                    _ => line.push_str(&day.decision),
                },
                Col::ValidUntil => line.push_str(&day.valid_until),
                Col::PublicityDeadline => line.push_str(if category == "警告" {
                    &day.deadline_minor
                } else {
                    &day.deadline_general
                }),
                Col::Authority => line.push_str(&auth.name),
                Col::AuthorityUscc => line.push_str(&auth.uscc),
                Col::Remarks => {
                    if remark {
                        line.push_str("已履行");
                    }
                }
                Col::Empty => {}
            }
        }
        line.push('\n');
        w.write_all(line.as_bytes())?;
        summary.rows += 1;
        match bad_kind {
            Some(k) => {
                summary.bad += 1;
                summary.bad_by_kind[k] += 1;
            }
            None => summary.good += 1,
        }
    }
    w.flush()?;
    Ok(summary)
}

/// A party of the check benchmark's population.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenParty {
    pub name: String,
    /// For organisations.
    pub uscc: Option<String>,
    /// For natural persons.
    pub id_number: Option<String>,
    /// The administrative division code of the party's city.
    pub region: &'static str,
}

/// Jiangsu's prefecture-level cities (name, division code).
const CITIES: [(&str, &str); 13] = [
    ("南京", "320100"),
    ("无锡", "320200"),
    ("徐州", "320300"),
    ("常州", "320400"),
    ("苏州", "320500"),
    ("南通", "320600"),
    ("连云港", "320700"),
    ("淮安", "320800"),
    ("盐城", "320900"),
    ("扬州", "321000"),
    ("镇江", "321100"),
    ("泰州", "321200"),
    ("宿迁", "321300"),
];

/// Characters of the kind trade names (字号) are made of. Region and company-form words are
/// left out, so that a generated 字号 never reads as either.
const TRADE_NAME_CHARS: &str = "华瑞恒泰鑫源盛达宏远金利丰隆博康嘉晟天德信诚永新宇明辉正和顺昌兴旺伟业中创汇通立海阳光星月辰瀚浩润泽晨曦锦绣美佳优品尚雅致腾飞龙凤祥云鹏程方众力益广厚福寿喜乐宝鼎元亨宁静凯越卓精英智能网络建工商农林水电气石油化纺织服装鞋帽家具医药生物环保节能材料设备仪器五交通运物流仓储餐饮酒店旅游文体育教培训咨询策划广告传媒印刷包装塑料橡胶玻璃陶瓷钢铁铝铜机械汽车摩托配件食糖茶果蔬菜粮油肉禽蛋奶蜂木竹草花卉园艺景观装饰安防消防检测认证劳务人力资产投资融担保典当拍卖评估会计律师税务法律知识产权标准计量质量品牌营销贸易进出口批发零售超便店铺屋坊轩阁堂馨逸悦欣怡宏图骏驰铭鸿睿哲琪瑶琳璐瑾瑜珍珠翠玉晶钻";

/// `n` distinct parties, deterministic for `seed`: one in twenty a natural person (ID number,
/// names repeat as real ones do), the others organisations whose names and USCCs are unique
/// — a city, a two-character 字号, a trade and a company form, as registrations are.
pub fn gen_parties(n: u64, seed: u64) -> impl Iterator<Item = GenParty> {
    let mut chars: Vec<char> = Vec::new();
    for c in TRADE_NAME_CHARS.chars() {
        if !chars.contains(&c) {
            chars.push(c);
        }
    }
    let c = chars.len() as u64;
    let combos = CITIES.len() as u64 * c * c * TRADES.len() as u64;
    // Multiplying by a prime that divides neither modulus permutes the indexes: unique, and
    // neighbours do not share a city or a 字号.
    const STEP: u64 = 1_000_003;
    let code_space = (USCC_CHARS.len() as u64).pow(8);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut orgs, mut persons) = (0u64, 0u64);
    (0..n).map_while(move |i| {
        if i % 20 == 19 {
            let k = persons;
            persons += 1;
            let (_, region) = CITIES[(k % CITIES.len() as u64) as usize];
            let mut name = String::new();
            person(&mut rng, &mut name);
            if rng.gen_range(0..2) == 0 {
                name.push_str(GIVEN[rng.gen_range(0..GIVEN.len())]);
            }
            // Unique: a birth date and a sequence number per city.
            let k = k / CITIES.len() as u64;
            let day = NaiveDate::from_ymd_opt(1960, 1, 1)?
                .checked_add_days(chrono::Days::new(k % 14_600))?;
            let mut id = String::with_capacity(18);
            id.push_str(region);
            push_num(&mut id, u64::from(day.year().unsigned_abs()), 4);
            push_num(&mut id, u64::from(day.month()), 2);
            push_num(&mut id, u64::from(day.day()), 2);
            push_num(&mut id, k / 14_600 % 1000, 3);
            let check = id_number::check_char(&id)?;
            id.push(check);
            return Some(GenParty {
                name,
                uscc: None,
                id_number: Some(id),
                region,
            });
        }
        let j = orgs;
        orgs += 1;
        if j >= combos {
            return None;
        }
        let mut p = (j * STEP + seed) % combos;
        let trade = TRADES[(p % TRADES.len() as u64) as usize];
        p /= TRADES.len() as u64;
        let c2 = chars[(p % c) as usize];
        p /= c;
        let c1 = chars[(p % c) as usize];
        p /= c;
        let (city, region) = CITIES[(p % CITIES.len() as u64) as usize];
        let suffix = SUFFIXES[((j / 7) % SUFFIXES.len() as u64) as usize];
        let name = format!("{city}{c1}{c2}{trade}{suffix}");
        let mut q = (j * STEP + seed) % code_space;
        let mut body = String::with_capacity(8);
        for _ in 0..8 {
            body.push(char::from(
                USCC_CHARS[(q % USCC_CHARS.len() as u64) as usize],
            ));
            q /= USCC_CHARS.len() as u64;
        }
        let mut code = String::with_capacity(18);
        code.push_str("91");
        code.push_str(region);
        code.push_str(&body);
        code.push(org_code::check_char(&body)?);
        code.push(uscc::check_char(&code)?);
        Some(GenParty {
            name,
            uscc: Some(code),
            id_number: None,
            region,
        })
    })
}

#[cfg(test)]
mod party_tests {
    use super::*;
    use chengxin_domain::codes::{id_number, uscc};

    #[test]
    fn parties_are_valid_unique_and_deterministic() {
        let n = 200_000;
        let regions = chengxin_domain::regions::RegionTable::national();
        let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let parties: Vec<GenParty> = gen_parties(n, 7).collect();
        assert_eq!(parties.len() as u64, n);
        assert_eq!(parties, gen_parties(n, 7).collect::<Vec<_>>());
        let mut names = std::collections::HashSet::new();
        let mut codes = std::collections::HashSet::new();
        for p in &parties {
            match (&p.uscc, &p.id_number) {
                (Some(u), None) => {
                    assert!(uscc::parse(u, regions).is_ok(), "{u}");
                    assert!(codes.insert(u.clone()), "duplicate USCC {u}");
                    assert!(names.insert(p.name.clone()), "duplicate name {}", p.name);
                }
                (None, Some(i)) => {
                    assert!(id_number::parse(i, regions, today).is_ok(), "{i}");
                    assert!(codes.insert(i.clone()), "duplicate ID number");
                }
                _ => panic!("a party has one code"),
            }
        }
    }
}
