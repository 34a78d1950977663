//! The portal's identity (网站标识): the site name, the sponsoring body, the filing numbers a
//! Chinese government site shows in its footer, and the contact line. Configured per
//! deployment (`CHENGXIN_SITE_*`, read by `chengxin serve`); the defaults are demo values,
//! marked as such.

/// What the footer and the header of every portal page show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteIdentity {
    /// 网站名称, e.g. 信用常州 (`CHENGXIN_SITE_NAME`).
    pub name: String,
    /// 主办单位 (`CHENGXIN_SITE_SPONSOR`).
    pub sponsor: String,
    /// ICP备案号 (`CHENGXIN_SITE_ICP`).
    pub icp: String,
    /// 网站标识码 (`CHENGXIN_SITE_CODE`).
    pub site_code: String,
    /// 公安备案号 (`CHENGXIN_SITE_POLICE_RECORD`).
    pub police_record: String,
    /// 联系方式 (`CHENGXIN_SITE_CONTACT`).
    pub contact: String,
}

impl Default for SiteIdentity {
    fn default() -> Self {
        Self {
            name: "信用常州（演示）".into(),
            sponsor: "常州市社会信用体系建设领导小组办公室（演示）".into(),
            icp: "苏ICP备00000000号-1（演示）".into(),
            site_code: "3204000000（演示）".into(),
            police_record: "苏公网安备 32040002000000号（演示）".into(),
            contact: "联系电话：0519-00000000（演示）".into(),
        }
    }
}

impl SiteIdentity {
    /// The identity with each value the lookup gives (trimmed, non-empty) in place of the
    /// default: `lookup("CHENGXIN_SITE_NAME")` …
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let mut s = Self::default();
        let get = |k: &str| {
            lookup(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        for (key, slot) in [
            ("CHENGXIN_SITE_NAME", &mut s.name),
            ("CHENGXIN_SITE_SPONSOR", &mut s.sponsor),
            ("CHENGXIN_SITE_ICP", &mut s.icp),
            ("CHENGXIN_SITE_CODE", &mut s.site_code),
            ("CHENGXIN_SITE_POLICE_RECORD", &mut s.police_record),
            ("CHENGXIN_SITE_CONTACT", &mut s.contact),
        ] {
            if let Some(v) = get(key) {
                *slot = v;
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_values_replace_defaults() {
        let s = SiteIdentity::from_lookup(|k| match k {
            "CHENGXIN_SITE_NAME" => Some(" 信用武进 ".into()),
            "CHENGXIN_SITE_ICP" => Some("   ".into()),
            _ => None,
        });
        assert_eq!(s.name, "信用武进");
        assert_eq!(s.icp, SiteIdentity::default().icp);
    }
}
