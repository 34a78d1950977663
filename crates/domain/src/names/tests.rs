use super::*;
use proptest::prelude::*;

fn m(a: &str, b: &str) -> NameMatch {
    compare(a, b)
}

fn assert_match(a: &str, b: &str, code: &str) {
    let r = m(a, b);
    assert!(r.is_match(DEFAULT_THRESHOLD), "{a} vs {b}: {r:#?}");
    assert!(
        r.codes().contains(&code),
        "{a} vs {b}: expected {code}: {r:#?}"
    );
}

fn assert_no_match(a: &str, b: &str, code: &str) {
    let r = m(a, b);
    assert!(!r.is_match(DEFAULT_THRESHOLD), "{a} vs {b}: {r:#?}");
    assert!(
        r.codes().contains(&code),
        "{a} vs {b}: expected {code}: {r:#?}"
    );
}

#[test]
fn exact_and_normalised() {
    assert_match("南京华泰科技有限公司", "南京华泰科技有限公司", "exact");
    let r = m("南京華泰（科技） 有限公司", "南京华泰科技有限公司");
    assert_eq!(r.codes(), vec!["normalised_equal"]);
    assert!(r.reasons[0].message.contains("繁简"), "{r:?}");
    assert!(r.reasons[0].message.contains("括号"), "{r:?}");
    assert!(r.reasons[0].message.contains("空格标点"), "{r:?}");
}

#[test]
fn suffix_region_former() {
    assert_match(
        "南京华泰科技有限公司",
        "南京华泰科技有限责任公司",
        "suffix_differs",
    );
    assert_match(
        "南京华泰科技有限公司",
        "华泰科技有限公司",
        "region_prefix_dropped",
    );
    assert_match(
        "南京华泰科技有限公司",
        "南京市华泰科技有限公司",
        "region_form",
    );
    assert_match(
        "江苏省南京市华泰科技有限公司",
        "南京市华泰科技有限公司",
        "region_more_specific",
    );
    assert_match(
        "江苏省南京市华泰科技有限公司",
        "南京华泰科技有限公司",
        "region_form",
    );
    assert_match(
        "南京市鼓楼区人民政府",
        "鼓楼区人民政府",
        "region_more_specific",
    );
    let r = compare_with_former(
        "南京华泰电子有限公司",
        "南京华泰科技有限公司",
        &["南京华泰电子有限公司"],
    );
    assert!(r.is_match(DEFAULT_THRESHOLD), "{r:#?}");
    assert_eq!(r.reasons[0].code, ReasonCode::FormerName);
    assert!(r.reasons[0].message.contains("与曾用名"), "{r:?}");
}

#[test]
fn hard_negatives() {
    assert_no_match(
        "南京市建设工程有限公司",
        "南京市建设工程监理有限公司",
        "partial",
    );
    assert_no_match(
        "苏宁易购集团股份有限公司南京新街口分公司",
        "苏宁易购集团股份有限公司",
        "branch_differs",
    );
    assert_no_match(
        "南京市华泰科技有限公司",
        "苏州市华泰科技有限公司",
        "region_differs",
    );
    assert_no_match(
        "南京市鼓楼区人民政府",
        "福州市鼓楼区人民政府",
        "region_differs",
    );
    assert_no_match("南京市建设工程有限公司", "建设工程有限公司", "generic_name");
    assert_no_match("南京市第一中学", "南京市第二中学", "partial");
    assert_no_match("南京市第一中学", "第一中学", "region_prefix_dropped");
    assert_no_match(
        "徐州工程机械集团有限公司",
        "徐州工程机械有限公司",
        "form_differs",
    );
    assert_no_match("张伟", "张玮", "person_name");
    assert_no_match(
        "南京市城市规划设计研究院",
        "南京市城市规划设计研究院有限责任公司",
        "form_differs",
    );
    assert_no_match(
        "江苏省疾病预防控制中心",
        "南京市疾病预防控制中心",
        "region_differs",
    );
    assert_no_match("南京大学", "南京市大学", "generic_name");
    assert_match(
        "南京市政工程有限公司",
        "南京市市政工程有限公司",
        "region_form",
    );
    assert_no_match("南京鼓楼幼儿园", "南京市鼓楼区幼儿园", "generic_name");
    let r = m("", "南京华泰科技有限公司");
    assert_eq!(r.score, 0.0);
    assert_eq!(r.codes(), vec!["empty"]);
}

#[test]
fn person_names_only_match_exactly() {
    assert!(m("張偉", "张伟").is_match(DEFAULT_THRESHOLD));
    assert!(!m("王芳", "汪芳").is_match(DEFAULT_THRESHOLD));
    assert!(!m("张伟", "南京张伟科技有限公司").is_match(DEFAULT_THRESHOLD));
}

#[test]
fn explains_differences() {
    let r = m("南京市建设工程有限公司", "南京市建设工程监理有限公司");
    assert!(
        r.reasons.iter().any(|x| x.message.contains("多出“监理”")),
        "{r:#?}"
    );
    let r = m("南京华泰科技有限公司", "南京华太科技有限公司");
    assert!(
        r.reasons.iter().any(|x| x.message.contains("“泰”≠“太”")),
        "{r:#?}"
    );
}

#[test]
fn blocking_keys_examples() {
    let k = blocking_keys("江苏省南京市华泰科技有限公司");
    assert!(k.contains(&"华泰科技".to_string()), "{k:?}");
    assert!(blocking_keys("华泰科技有限责任公司").contains(&"华泰科技".to_string()));
    assert_eq!(blocking_keys("張偉"), vec!["张伟".to_string()]);
    assert!(blocking_keys(" ，").is_empty());
}

#[test]
fn shipped_eval_set() {
    let r = evaluate(EVAL_SET, DEFAULT_THRESHOLD);
    let negatives = r.tn + r.fp;
    let mut report = format!(
        "pairs {} (match {}, no_match {}): tp {} fp {} tn {} fn {} precision {:.4} recall {:.4}\n",
        r.pairs,
        r.tp + r.fn_,
        negatives,
        r.tp,
        r.fp,
        r.tn,
        r.fn_,
        r.precision,
        r.recall
    );
    for x in &r.misclassified {
        report.push_str(&format!(
            "line {} expected {} score {:.3}: {} | {} | {:?} ({}) {:?}\n",
            x.line,
            if x.expected { "match" } else { "no_match" },
            x.score,
            x.query,
            x.candidate,
            x.former_names,
            x.note,
            x.reasons
                .iter()
                .map(|r| r.message.as_str())
                .collect::<Vec<_>>()
        ));
    }
    println!("{report}");
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert!(r.pairs >= 320, "{report}");
    assert!(negatives * 10 >= r.pairs * 4, "{report}");
    assert!(r.precision >= 0.98, "{report}");
    assert!(r.recall >= 0.95, "{report}");
}

#[test]
fn eval_keys_cover_matches() {
    // Every pair that matches shares a blocking key (with the current or a former name).
    for (_, rec) in parse_csv(EVAL_SET).into_iter().skip(1) {
        let (q, c, f) = (&rec[0], &rec[1], &rec[2]);
        let names: Vec<&str> = std::iter::once(c.as_str())
            .chain(f.split('|').filter(|s| !s.is_empty()))
            .collect();
        let qk = blocking_keys(q);
        for n in names {
            if compare(q, n).is_match(DEFAULT_THRESHOLD) {
                let nk = blocking_keys(n);
                assert!(qk.iter().any(|k| nk.contains(k)), "{q} {qk:?} / {n} {nk:?}");
            }
        }
    }
}

#[test]
fn csv_parser_handles_quotes() {
    let rows = parse_csv("a,b\n\"x,1\",\"say \"\"hi\"\"\"\n\nlast,row");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1].1, vec!["x,1".to_string(), "say \"hi\"".to_string()]);
    assert_eq!(rows[2].0, 4);
}

#[test]
fn evaluate_reports_bad_lines() {
    let r = evaluate(
        "query,candidate,former_names,expected,note\na,b,,maybe,\nx\n",
        DEFAULT_THRESHOLD,
    );
    assert_eq!(r.pairs, 0);
    assert_eq!(r.errors.len(), 2);
}

const FRAGMENTS: &[&str] = &[
    "南京",
    "南京市",
    "江苏省",
    "鼓楼区",
    "苏州",
    "华泰",
    "恒瑞",
    "科技",
    "建设工程",
    "监理",
    "有限公司",
    "有限责任公司",
    "集团",
    "股份有限公司",
    "分公司",
    "支行",
    "（",
    "）",
    "(",
    ")",
    "·",
    " ",
    "　",
    "第一",
    "中学",
    "人民政府",
    "医院",
    "張",
    "偉",
    "设",
    "設",
    "合伙企业",
    "有限合伙",
    "个体工商户",
    "店",
    "厂",
    "Ａ",
    "b",
    "3",
    "３",
    "\u{1100}",
    "\u{1161}",
    ".",
    "\u{0301}",
    "e",
    "\u{0}",
    "\u{200b}",
];

fn fragment_name() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..7).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn normalise_never_panics_and_is_idempotent(s in any::<String>()) {
        let n = normalise(&s);
        prop_assert_eq!(normalise(&n), n.clone());
        prop_assert!(n.chars().all(|c| c.is_alphanumeric() && !c.is_ascii_uppercase()));
    }

    #[test]
    fn fragments_normalise_idempotent(s in fragment_name()) {
        let n = normalise(&s);
        prop_assert_eq!(normalise(&n), n);
    }

    #[test]
    fn compare_never_panics_and_is_symmetric(a in fragment_name(), b in fragment_name()) {
        let x = compare(&a, &b);
        let y = compare(&b, &a);
        prop_assert!((0.0..=1.0).contains(&x.score));
        prop_assert!((x.score - y.score).abs() < 1e-6, "{} vs {}: {:?} / {:?}", a, b, x, y);
        if x.is_match(DEFAULT_THRESHOLD) {
            let ka = blocking_keys(&a);
            let kb = blocking_keys(&b);
            prop_assert!(ka.iter().any(|k| kb.contains(k)), "{} {:?} / {} {:?}", a, ka, b, kb);
        }
        let _ = decompose(&a);
    }

    #[test]
    fn compare_any_strings(a in any::<String>(), b in any::<String>()) {
        let x = compare(&a, &b);
        prop_assert!((0.0..=1.0).contains(&x.score));
        prop_assert!(compare(&a, &a).score >= DEFAULT_THRESHOLD || normalise(&a).is_empty());
    }
}
