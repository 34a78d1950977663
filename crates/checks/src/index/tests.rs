//! Unit tests of the index: row sizes, changes and compaction, the sorted base, the slot
//! table and the posting lists.

use std::borrow::Cow;

use chengxin_domain::names;
use chengxin_domain::records::{Record, RecordStatus};
use chengxin_domain::subjects::Subject;
use chengxin_store::EntryHead;
use uuid::Uuid;

use super::keys::Postings;
use super::rows::{EntryRow, Party, RecordRow};
use super::slots::SlotTable;
use super::{uscc_bytes, Index};
use crate::found::Audience;

#[test]
fn rows_stay_small() {
    // The 10M-subject memory budget rests on these sizes.
    assert!(std::mem::size_of::<Party>() <= 56);
    assert!(std::mem::size_of::<EntryRow>() <= 24);
    assert!(std::mem::size_of::<RecordRow>() <= 36);
}

fn subject(id: Uuid, name: &str, uscc: Option<&str>, former: &[&str]) -> Subject {
    let now = chengxin_store::clock::now();
    Subject {
        id,
        kind: chengxin_domain::subjects::SubjectKind::Enterprise,
        name: name.into(),
        uscc: uscc.map(String::from),
        id_hash: None,
        id_masked: None,
        region: None,
        parent_id: None,
        former_names: former.iter().map(|s| s.to_string()).collect(),
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

fn record(id: Uuid, subject: Uuid, doc_no: &str) -> Record {
    let now = chengxin_store::clock::now();
    Record {
        id,
        type_code: "admin_penalty".into(),
        subject_id: Some(subject),
        subject_name: String::new(),
        doc_no: doc_no.into(),
        decision_date: chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap_or_default(),
        source_dept: String::new(),
        batch_id: None,
        fields: Default::default(),
        severity: Some("serious".into()),
        status: RecordStatus::Published,
        tolerated: false,
        published_at: None,
        publish_until: None,
        content_digest: String::new(),
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

fn uscc_of(idx: &Index, u: &str) -> Option<Uuid> {
    let u = uscc_bytes(u)?;
    let parties = &idx.parties;
    let slot = idx.by_uscc.find(idx.h(&u), |s| {
        parties.get(s as usize).is_some_and(|p| p.uscc == u)
    })?;
    idx.party(slot).map(|p| p.id)
}

fn named(idx: &Index, name: &str) -> Vec<Uuid> {
    let mut out: Vec<Uuid> = names::blocking_keys(name)
        .iter()
        .flat_map(|k| idx.by_key.get(idx.h32(k)).collect::<Vec<_>>())
        .filter_map(|s| idx.party(s).map(|p| p.id))
        .collect();
    out.sort();
    out.dedup();
    out
}

#[test]
fn changes_move_keys_records_and_entries_and_survive_compaction() {
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    let (ua, ub, uc) = (
        "91320400MA1XXXXX1A",
        "91320400MA1XXXXX2B",
        "91320400MA1XXXXX3C",
    );
    let mut idx = Index::default();
    idx.put_subject(&subject(a, "常州甲乙科技有限公司", Some(ua), &[]));
    idx.put_subject(&subject(b, "常州丙丁贸易有限公司", Some(ub), &[]));
    assert_eq!(uscc_of(&idx, ua), Some(a));
    assert_eq!(named(&idx, "常州甲乙科技有限公司"), vec![a]);

    // Renamed, re-coded, with the old name kept as a former name.
    idx.put_subject(&subject(
        a,
        "常州戊己科技有限公司",
        Some(uc),
        &["常州甲乙科技有限公司"],
    ));
    assert_eq!(uscc_of(&idx, ua), None, "the old code no longer finds it");
    assert_eq!(uscc_of(&idx, uc), Some(a));
    assert_eq!(named(&idx, "常州戊己科技有限公司"), vec![a]);
    assert_eq!(named(&idx, "常州甲乙科技有限公司"), vec![a], "former name");
    idx.put_subject(&subject(a, "常州戊己科技有限公司", Some(uc), &[]));
    assert!(named(&idx, "常州甲乙科技有限公司").is_empty());
    assert_eq!(idx.parties.len(), 2, "an update does not add a party");

    // A record moves from a to b, then stops counting.
    let r = Uuid::now_v7();
    idx.put_record(&record(r, a, "常市监罚〔2025〕1号"));
    assert_eq!(idx.records_of(0).len(), 1);
    idx.put_record(&record(r, b, "常市监罚〔2025〕1号"));
    assert!(idx.records_of(0).is_empty(), "dropped where it was");
    assert_eq!(idx.records_of(1).len(), 1);
    let mut tolerated = record(r, b, "常市监罚〔2025〕1号");
    tolerated.tolerated = true;
    idx.put_record(&tolerated);
    assert!(idx.records_of(1).is_empty());

    // An entry comes in, is mitigated through its decision, and leaves.
    let e = Uuid::now_v7();
    let head = |status: &str| EntryHead {
        id: e,
        list_code: "serious_dishonest".into(),
        subject_id: b,
        status: status.into(),
    };
    idx.put_entry(e, Some(b), Some(&head("publicity")));
    idx.put_entry(e, Some(b), Some(&head("effective")));
    let f = idx
        .found(1, "uscc", 1.0, Cow::Borrowed(&[]), Audience::PUBLIC)
        .unwrap();
    assert_eq!(f.entries.len(), 1);
    assert_eq!(f.entries[0].status, "effective");
    assert_eq!(f.entries[0].list, "serious_dishonest");
    idx.put_entry(e, Some(b), Some(&head("removed")));
    assert!(idx.entries_of(1).is_empty());

    // Churn until compaction runs; what parties point at is unchanged.
    for i in 0..40_000 {
        idx.put_record(&record(r, b, &format!("常市监罚〔2025〕{i}号")));
        idx.compact();
    }
    assert!(idx.records.len() < 40_000, "compaction reclaimed the arena");
    let f = idx
        .found(1, "uscc", 1.0, Cow::Borrowed(&[]), Audience::PUBLIC)
        .unwrap();
    assert_eq!(f.name, "常州丙丁贸易有限公司");
    assert_eq!(f.records.len(), 1);
    assert_eq!(f.records[0].doc_no, "常市监罚〔2025〕39999号");
    assert_eq!(
        idx.found(0, "uscc", 1.0, Cow::Borrowed(&[]), Audience::PUBLIC)
            .unwrap()
            .name,
        "常州戊己科技有限公司"
    );
}

#[test]
fn what_a_check_shows_depends_on_the_audience() {
    let (person, firm) = (Uuid::now_v7(), Uuid::now_v7());
    let mut idx = Index::default();
    let mut servant = subject(person, "王某某", None, &[]);
    servant.kind = chengxin_domain::subjects::SubjectKind::CivilServant;
    idx.put_subject(&servant);
    idx.put_subject(&subject(firm, "常州甲乙科技有限公司", None, &[]));
    let show =
        |idx: &Index, slot: u32, a: Audience| idx.found(slot, "name", 1.0, Cow::Borrowed(&[]), a);
    // A person with nothing at all is never reported; a body is (its existence is public).
    for a in [Audience::PUBLIC, Audience::FULL] {
        assert!(show(&idx, 0, a).is_none());
        assert!(show(&idx, 1, a).is_some());
    }
    // 纪律处分 and 问责 are 政务共享: only an audience that may see shared information
    // gets them, and the person stays hidden from the others.
    let mut sanction = record(Uuid::now_v7(), person, "常纪处〔2025〕3号");
    sanction.type_code = "disciplinary_sanction".into();
    idx.put_record(&sanction);
    let mut accountability = record(Uuid::now_v7(), person, "常问责〔2025〕4号");
    accountability.type_code = "accountability".into();
    idx.put_record(&accountability);
    assert!(show(&idx, 0, Audience::PUBLIC).is_none());
    let shared = Audience {
        shared: true,
        authorised: false,
    };
    let f = show(&idx, 0, shared).unwrap();
    assert_eq!(f.records.len(), 2);
    assert!(f.records.iter().all(|r| r.disclosure == "shared"));
    // A public record makes the person visible to everyone — with the public record only.
    idx.put_record(&record(Uuid::now_v7(), person, "常市监罚〔2025〕5号"));
    let f = show(&idx, 0, Audience::PUBLIC).unwrap();
    assert_eq!(
        f.records
            .iter()
            .map(|r| r.doc_no.as_str())
            .collect::<Vec<_>>(),
        vec!["常市监罚〔2025〕5号"]
    );
    assert_eq!(show(&idx, 0, Audience::FULL).unwrap().records.len(), 3);
    // A 政务共享 list entry (重点关注名单) likewise.
    let e = Uuid::now_v7();
    let head = EntryHead {
        id: e,
        list_code: "watch_list".into(),
        subject_id: firm,
        status: "effective".into(),
    };
    idx.put_entry(e, Some(firm), Some(&head));
    assert!(show(&idx, 1, Audience::PUBLIC).unwrap().entries.is_empty());
    let f = show(&idx, 1, shared).unwrap();
    assert_eq!(f.entries.len(), 1);
    assert_eq!(f.entries[0].disclosure, "shared");
    // A subject that stops being a person is shown again; the bit follows the slot.
    let mut now_firm = servant.clone();
    now_firm.kind = chengxin_domain::subjects::SubjectKind::Enterprise;
    idx.put_subject(&now_firm);
    assert!(!idx.is_person(0));
    idx.put_subject(&servant);
    assert!(idx.is_person(0) && !idx.is_person(1) && !idx.is_person(500));
}

#[test]
fn a_built_index_takes_changes_on_its_sorted_base() {
    // Loaded as the build loads: ids in order, name keys collected and sorted once.
    let mut ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
    ids.sort();
    let mut idx = Index {
        building: Some(Vec::new()),
        ..Default::default()
    };
    let names_of = [
        "常州甲乙科技有限公司",
        "无锡丙丁贸易有限公司",
        "苏州戊己食品有限公司",
    ];
    for (id, name) in ids.iter().zip(names_of) {
        idx.put_subject(&subject(*id, name, None, &[]));
    }
    idx.finish_subjects();
    assert_eq!(idx.sorted, 3, "found by binary search");
    assert!(idx.by_id.is_empty());
    assert!(idx.by_key.added.0.is_empty(), "keys are in the sorted base");
    assert_eq!(named(&idx, "无锡丙丁贸易有限公司"), vec![ids[1]]);

    // A rename tombstones the old keys in the base and adds the new ones.
    idx.put_subject(&subject(ids[1], "无锡庚辛贸易有限公司", None, &[]));
    assert!(named(&idx, "无锡丙丁贸易有限公司").is_empty());
    assert_eq!(named(&idx, "无锡庚辛贸易有限公司"), vec![ids[1]]);
    // Renamed back: the tombstones go, nothing is doubled.
    idx.put_subject(&subject(ids[1], "无锡丙丁贸易有限公司", None, &[]));
    assert_eq!(named(&idx, "无锡丙丁贸易有限公司"), vec![ids[1]]);
    assert!(idx.by_key.removed.is_empty());
    assert!(named(&idx, "无锡庚辛贸易有限公司").is_empty());

    // A subject created later (an older id than the last) is found through the map.
    let late = Uuid::nil();
    idx.put_subject(&subject(late, "南京壬癸建筑工程有限公司", None, &[]));
    assert_eq!(idx.slot_of(&late), Some(3));
    assert_eq!(idx.slot_of(&ids[2]), Some(2));
    assert_eq!(named(&idx, "南京壬癸建筑工程有限公司"), vec![late]);
}

#[test]
fn slot_table_finds_inserts_and_removes_through_collisions_and_growth() {
    // Keys are the slots themselves; a weak hash crowds them into long runs, and the
    // second one puts their homes at the end of the table so that runs wrap around.
    check_slot_table(|s: u32| u64::from(s % 7) | (u64::from(s % 3) << 60));
    check_slot_table(|s: u32| ((u64::MAX >> 4) - u64::from(s % 5)) | (u64::from(s % 3) << 60));
}

fn check_slot_table(hash: impl Fn(u32) -> u64 + Copy) {
    let mut t = SlotTable::default();
    for s in 0..5_000u32 {
        t.insert(hash(s), s, hash);
    }
    assert_eq!(t.len, 5_000);
    assert!(
        t.cells.len() * 3 >= t.len * 4,
        "at most three quarters full"
    );
    for s in (0..5_000u32).step_by(3) {
        t.remove(hash(s), s, hash);
    }
    for s in 0..5_000u32 {
        let found = t.find(hash(s), |x| x == s);
        assert_eq!(found.is_some(), s % 3 != 0, "slot {s}");
    }
    for s in (0..5_000u32).step_by(3) {
        t.insert(hash(s), s, hash);
    }
    assert!((0..5_000u32).all(|s| t.find(hash(s), |x| x == s) == Some(s)));
    assert_eq!(SlotTable::default().find(1, |_| true), None);
}

#[test]
fn postings_keep_every_slot_through_growth() {
    let mut p = Postings::default();
    for slot in 0..10_000u32 {
        p.insert(slot % 97, slot);
    }
    let mut got: Vec<u32> = p.get(5).collect();
    got.sort_unstable();
    let want: Vec<u32> = (0..10_000).filter(|s| s % 97 == 5).collect();
    assert_eq!(got, want);
    p.remove(5, 5);
    assert_eq!(p.get(5).count(), want.len() - 1);
}
