//! Record types: column resolution, row severity, and the validation of a type's definition.

use super::*;

impl RecordType {
    /// The field with this English name.
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// What the deciding authority is called for this type (the title of its name field:
    /// 处罚机关, 许可机关, 授予机关 …; 决定机关 otherwise).
    pub fn authority_role(&self) -> &str {
        self.authority
            .as_ref()
            .and_then(|a| a.name_field.as_deref())
            .and_then(|f| self.field(f))
            .map_or("决定机关", |f| f.title.as_str())
    }

    /// The deciding authority a record's stored fields name: its code (trimmed, upper-cased)
    /// and its name, when the type names one by code and the record fills it in.
    pub fn deciding_authority(
        &self,
        fields: &serde_json::Map<String, serde_json::Value>,
    ) -> Option<(String, Option<String>)> {
        let a = self.authority.as_ref()?;
        let code = fields
            .get(&a.uscc_field)
            .and_then(serde_json::Value::as_str)
            .map(|c| c.trim().to_ascii_uppercase())
            .filter(|c| !c.is_empty())?;
        let name = a
            .name_field
            .as_ref()
            .and_then(|f| fields.get(f))
            .and_then(serde_json::Value::as_str)
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty());
        Some((code, name))
    }

    /// Maps a column header to its field, by Chinese title, alias or English name, after
    /// [`normalize_header`] (width, spaces, BOM, case, trailing colon).
    pub fn resolve_column(&self, header: &str) -> Option<&FieldDef> {
        let h = normalize_header(header);
        if h.is_empty() {
            return None;
        }
        self.fields
            .iter()
            .find(|f| f.column_keys().any(|k| normalize_header(k) == h))
    }

    /// If `header` is a column of a superseded standard, the reason it is rejected.
    pub fn legacy_column(&self, header: &str) -> Option<&str> {
        let h = normalize_header(header);
        self.legacy_columns
            .iter()
            .find(|c| normalize_header(&c.title) == h)
            .map(|c| c.reason.as_str())
    }

    /// Whether `header` is the extra column carrying a row's severity (e.g. 失信严重程度).
    pub fn is_severity_column(&self, header: &str) -> bool {
        let h = normalize_header(header);
        self.severity
            .as_ref()
            .and_then(|p| p.column.as_ref())
            .is_some_and(|c| {
                std::iter::once(&c.title)
                    .chain(c.aliases.iter())
                    .any(|t| normalize_header(t) == h)
            })
    }

    /// The severity of a row: `explicit` (when the type allows per-row severity), else the
    /// first matching rule, else the type's default. `None` for non-negative types.
    pub fn row_severity(
        &self,
        explicit: Option<Severity>,
        fields: &FieldValues,
    ) -> Option<Severity> {
        let policy = self.severity.as_ref()?;
        if !policy.per_row {
            return Some(policy.default);
        }
        if let Some(s) = explicit {
            return Some(s);
        }
        for rule in &policy.rules {
            let hit = match fields.get(&rule.field) {
                Some(FieldValue::Text(t)) => rule.matches.iter().any(|m| t.contains(m.as_str())),
                Some(FieldValue::Enum(code)) => rule.matches.iter().any(|m| m == code),
                _ => false,
            };
            if hit {
                return Some(rule.severity);
            }
        }
        Some(policy.default)
    }

    /// When a row's publication ends, with its severity resolved by [`Self::row_severity`].
    pub fn publish_until(
        &self,
        decision_date: NaiveDate,
        explicit_severity: Option<Severity>,
        fields: &FieldValues,
    ) -> PublicationEnd {
        let severity = self.row_severity(explicit_severity, fields);
        self.publication
            .publish_until(decision_date, severity, fields)
    }

    /// From when a row may be repaired, with its severity resolved by [`Self::row_severity`].
    pub fn repairable_from(
        &self,
        decision_date: NaiveDate,
        explicit_severity: Option<Severity>,
        fields: &FieldValues,
    ) -> Option<NaiveDate> {
        let severity = self.row_severity(explicit_severity, fields);
        self.publication.repairable_from(decision_date, severity)
    }

    pub(super) fn validate(&self) -> Result<(), CatalogError> {
        let tc = || self.code.clone();
        if !is_snake_case(&self.code) {
            return Err(CatalogError::InvalidTypeCode {
                code: self.code.clone(),
            });
        }
        if self.name.trim().is_empty() || self.name_en.trim().is_empty() {
            return Err(CatalogError::MissingName { type_code: tc() });
        }
        if self.subject_kinds.is_empty() {
            return Err(CatalogError::NoSubjectKinds { type_code: tc() });
        }
        let mut kinds = HashSet::new();
        for k in &self.subject_kinds {
            if !kinds.insert(*k) {
                return Err(CatalogError::DuplicateSubjectKind {
                    type_code: tc(),
                    kind: k.label(),
                });
            }
        }
        if self.fields.is_empty() {
            return Err(CatalogError::NoFields { type_code: tc() });
        }

        // Every column key of the type (field names, titles, aliases, the severity column and
        // legacy columns) must be unique after normalisation.
        let mut keys: HashSet<String> = HashSet::new();
        let mut claim = |column: &str| -> Result<(), CatalogError> {
            if keys.insert(normalize_header(column)) {
                Ok(())
            } else {
                Err(CatalogError::DuplicateColumn {
                    type_code: self.code.clone(),
                    column: column.to_string(),
                })
            }
        };
        let mut names = HashSet::new();
        for f in &self.fields {
            if !is_snake_case(&f.name) {
                return Err(CatalogError::InvalidFieldName {
                    type_code: tc(),
                    name: f.name.clone(),
                });
            }
            if !names.insert(f.name.as_str()) {
                return Err(CatalogError::DuplicateColumn {
                    type_code: tc(),
                    column: f.name.clone(),
                });
            }
            for key in f.column_keys() {
                if normalize_header(key).is_empty() {
                    return Err(CatalogError::EmptyTitle {
                        type_code: tc(),
                        field: f.name.clone(),
                    });
                }
                claim(key)?;
            }
            validate_field_type(&self.code, f)?;
        }
        if let Some(col) = self.severity.as_ref().and_then(|p| p.column.as_ref()) {
            for t in std::iter::once(&col.title).chain(col.aliases.iter()) {
                if normalize_header(t).is_empty() {
                    return Err(CatalogError::InvalidSeverityPolicy {
                        type_code: tc(),
                        reason: "失信程度列名为空".into(),
                    });
                }
                claim(t)?;
            }
        }
        for c in &self.legacy_columns {
            if normalize_header(&c.title).is_empty() || c.reason.trim().is_empty() {
                return Err(CatalogError::InvalidLegacyColumn {
                    type_code: tc(),
                    column: c.title.clone(),
                });
            }
            claim(&c.title)?;
        }

        // References.
        self.check_ref("key_field", &self.key_field, &[FieldKindTag::Text], "text")?;
        self.check_ref(
            "decision_date_field",
            &self.decision_date_field,
            &[FieldKindTag::Date],
            "date",
        )?;
        self.check_ref(
            "subject.name_field",
            &self.subject.name_field,
            &[FieldKindTag::Text],
            "text",
        )?;
        if let Some(f) = &self.subject.uscc_field {
            self.check_ref(
                "subject.uscc_field",
                f,
                &[FieldKindTag::Uscc, FieldKindTag::UsccOrId],
                "uscc 或 uscc_or_id",
            )?;
        }
        if let Some(f) = &self.subject.id_number_field {
            self.check_ref(
                "subject.id_number_field",
                f,
                &[FieldKindTag::IdNumber, FieldKindTag::UsccOrId],
                "id_number 或 uscc_or_id",
            )?;
        }
        if let Some(f) = &self.subject.id_type_field {
            self.check_ref("subject.id_type_field", f, &[FieldKindTag::Enum], "enum")?;
        }
        if let Some(f) = &self.subject.kind_field {
            self.check_ref("subject.kind_field", f, &[FieldKindTag::Enum], "enum")?;
        }
        if let Some(a) = &self.authority {
            self.check_ref(
                "authority.uscc_field",
                &a.uscc_field,
                &[FieldKindTag::Uscc],
                "uscc",
            )?;
            if let Some(f) = &a.name_field {
                self.check_ref("authority.name_field", f, &[FieldKindTag::Text], "text")?;
            }
        }

        // Severity.
        match (&self.severity, self.class) {
            (None, RecordClass::Negative) => {
                return Err(CatalogError::MissingSeverity { type_code: tc() })
            }
            (Some(_), RecordClass::Basic | RecordClass::Positive) => {
                return Err(CatalogError::UnexpectedSeverity { type_code: tc() })
            }
            (Some(policy), RecordClass::Negative) => self.validate_severity(policy)?,
            (None, _) => {}
        }

        // Publication.
        let bad_pub = |reason: &str| CatalogError::InvalidPublication {
            type_code: self.code.clone(),
            reason: reason.to_string(),
        };
        match &self.publication {
            PublicationRule::None | PublicationRule::WhileInForce => {}
            PublicationRule::FixedMonths { months } => {
                if *months == 0 {
                    return Err(bad_pub("固定公示期限不能为 0 个月"));
                }
            }
            PublicationRule::BySeverity {
                periods,
                deadline_field,
            } => {
                if self.class != RecordClass::Negative {
                    return Err(bad_pub("按失信程度确定公示期限仅适用于失信类信息"));
                }
                for sev in Severity::ALL {
                    let p = periods.get(sev);
                    if p.min_months > p.max_months {
                        return Err(bad_pub(&format!(
                            "“{}”的最短公示期 {} 个月长于最长公示期 {} 个月",
                            sev.label(),
                            p.min_months,
                            p.max_months
                        )));
                    }
                }
                if let Some(f) = deadline_field {
                    self.check_ref(
                        "publication.deadline_field",
                        f,
                        &[FieldKindTag::Date],
                        "date",
                    )?;
                }
            }
            PublicationRule::UntilField { field, .. } => {
                self.check_ref("publication.field", field, &[FieldKindTag::Date], "date")?;
            }
        }
        Ok(())
    }

    fn validate_severity(&self, policy: &SeverityPolicy) -> Result<(), CatalogError> {
        let bad = |reason: String| CatalogError::InvalidSeverityPolicy {
            type_code: self.code.clone(),
            reason,
        };
        if !policy.per_row && (policy.column.is_some() || !policy.rules.is_empty()) {
            return Err(bad(
                "未允许逐行填写失信程度（per_row = false）时不能设置失信程度列或推定规则".into(),
            ));
        }
        for rule in &policy.rules {
            self.check_ref(
                "severity.rules",
                &rule.field,
                &[FieldKindTag::Text, FieldKindTag::Enum],
                "text 或 enum",
            )?;
            if rule.matches.is_empty() || rule.matches.iter().any(|m| m.trim().is_empty()) {
                return Err(bad(format!("字段“{}”的推定规则未列出匹配值", rule.field)));
            }
            if let Some(FieldType::Enum { values }) = self.field(&rule.field).map(|f| &f.kind) {
                if let Some(m) = rule
                    .matches
                    .iter()
                    .find(|m| !values.iter().any(|v| &v.code == *m))
                {
                    return Err(bad(format!(
                        "推定规则中的“{m}”不是枚举字段“{}”的取值代码",
                        rule.field
                    )));
                }
            }
        }
        Ok(())
    }

    fn check_ref(
        &self,
        role: &'static str,
        field: &str,
        allowed: &[FieldKindTag],
        expected: &'static str,
    ) -> Result<(), CatalogError> {
        let f = self
            .field(field)
            .ok_or_else(|| CatalogError::UnknownField {
                type_code: self.code.clone(),
                role,
                field: field.to_string(),
            })?;
        if allowed.contains(&FieldKindTag::of(&f.kind)) {
            Ok(())
        } else {
            Err(CatalogError::FieldTypeMismatch {
                type_code: self.code.clone(),
                role,
                field: field.to_string(),
                expected,
            })
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FieldKindTag {
    Text,
    Date,
    Decimal,
    Integer,
    Enum,
    Uscc,
    IdNumber,
    UsccOrId,
}

impl FieldKindTag {
    fn of(kind: &FieldType) -> Self {
        match kind {
            FieldType::Text { .. } => Self::Text,
            FieldType::Date => Self::Date,
            FieldType::Decimal { .. } => Self::Decimal,
            FieldType::Integer { .. } => Self::Integer,
            FieldType::Enum { .. } => Self::Enum,
            FieldType::Uscc => Self::Uscc,
            FieldType::IdNumber => Self::IdNumber,
            FieldType::UsccOrId => Self::UsccOrId,
        }
    }
}

/// Largest decimal scale accepted in a catalog.
const MAX_SCALE: u32 = 18;

fn validate_field_type(type_code: &str, f: &FieldDef) -> Result<(), CatalogError> {
    let invalid = |reason: &str| CatalogError::InvalidFieldType {
        type_code: type_code.to_string(),
        field: f.name.clone(),
        reason: reason.to_string(),
    };
    match &f.kind {
        FieldType::Text { max_len } if *max_len == 0 => Err(invalid("文本最大长度不能为 0")),
        FieldType::Decimal { scale, .. } if *scale > MAX_SCALE => {
            Err(invalid("小数位数不能超过 18 位"))
        }
        FieldType::Enum { values } => {
            if values.is_empty() {
                return Err(CatalogError::EmptyEnum {
                    type_code: type_code.to_string(),
                    field: f.name.clone(),
                });
            }
            let mut seen: HashMap<String, usize> = HashMap::new();
            let mut numeric: HashSet<String> = HashSet::new();
            for (i, v) in values.iter().enumerate() {
                let dup = || CatalogError::DuplicateEnumValue {
                    type_code: type_code.to_string(),
                    field: f.name.clone(),
                    value: v.code.clone(),
                };
                if let Some(n) = numeric_key(&normalize_token(&v.code)) {
                    if !numeric.insert(n) {
                        return Err(dup());
                    }
                }
                for s in std::iter::once(&v.code)
                    .chain(std::iter::once(&v.label))
                    .chain(v.aliases.iter())
                {
                    let key = normalize_token(s);
                    if key.is_empty() {
                        return Err(CatalogError::DuplicateEnumValue {
                            type_code: type_code.to_string(),
                            field: f.name.clone(),
                            value: s.clone(),
                        });
                    }
                    match seen.get(&key) {
                        // The same value may spell code and label alike (`A` / `a`).
                        Some(&j) if j == i => {}
                        Some(_) => {
                            return Err(CatalogError::DuplicateEnumValue {
                                type_code: type_code.to_string(),
                                field: f.name.clone(),
                                value: s.clone(),
                            })
                        }
                        None => {
                            seen.insert(key, i);
                        }
                    }
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}
