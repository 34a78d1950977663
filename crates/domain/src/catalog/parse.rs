//! Parsing, validating and fingerprinting a whole catalog (the shipped default or a deployment's).

use super::*;

static DEFAULT: OnceLock<Result<Catalog, CatalogError>> = OnceLock::new();

impl Catalog {
    /// Parses and validates a catalog file.
    pub fn parse(toml_text: &str) -> Result<Catalog, CatalogError> {
        let file: CatalogFile =
            toml::from_str(toml_text).map_err(|e| CatalogError::Syntax(e.to_string()))?;
        if file.version.trim().is_empty() {
            return Err(CatalogError::MissingVersion);
        }
        if file.types.is_empty() {
            return Err(CatalogError::NoTypes);
        }
        check_field_keys(toml_text)?;
        let mut codes = HashSet::new();
        for t in &file.types {
            t.validate()?;
            if !codes.insert(t.code.as_str()) {
                return Err(CatalogError::DuplicateTypeCode {
                    code: t.code.clone(),
                });
            }
        }
        let mut catalog = Catalog {
            version: file.version.trim().to_string(),
            title: file.title,
            types: file.types,
            digest: String::new(),
        };
        catalog.digest = catalog.compute_digest()?;
        Ok(catalog)
    }

    /// Parses the shipped default catalog afresh.
    pub fn default_catalog() -> Result<Catalog, CatalogError> {
        Self::parse(DEFAULT_CATALOG_TOML)
    }

    /// The shipped default catalog, parsed once and shared.
    pub fn default_checked() -> Result<&'static Catalog, CatalogError> {
        DEFAULT
            .get_or_init(Self::default_catalog)
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The catalog's version string (from the file).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The catalog's title (from the file).
    pub fn title(&self) -> &str {
        &self.title
    }

    /// All record types, in file order.
    pub fn types(&self) -> &[RecordType] {
        &self.types
    }

    /// The record type with this code.
    pub fn get(&self, code: &str) -> Option<&RecordType> {
        self.types.iter().find(|t| t.code == code)
    }

    /// SHA-256 (lower-case hex) of the canonical JSON of the parsed catalog: object keys
    /// sorted, no whitespace. Formatting and comments of the file do not change it; any change
    /// of content does.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// The canonical JSON the digest is computed over.
    pub fn canonical_json(&self) -> Result<String, CatalogError> {
        let value =
            serde_json::to_value(self).map_err(|e| CatalogError::Serialize(e.to_string()))?;
        let mut out = String::new();
        write_canonical(&value, &mut out);
        Ok(out)
    }

    fn compute_digest(&self) -> Result<String, CatalogError> {
        let json = self.canonical_json()?;
        Ok(hex::encode(Sha256::digest(json.as_bytes())))
    }
}

impl fmt::Display for Catalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}（{} 类）",
            self.title,
            self.version,
            self.types.len()
        )
    }
}

/// Field definitions flatten their type settings, which serde cannot check for unknown keys
/// (a misspelt `required` would silently default to `false`): check them on the raw table.
fn check_field_keys(toml_text: &str) -> Result<(), CatalogError> {
    const COMMON: [&str; 6] = [
        "name",
        "title",
        "aliases",
        "type",
        "required",
        "description",
    ];
    let table: toml::Table =
        toml::from_str(toml_text).map_err(|e| CatalogError::Syntax(e.to_string()))?;
    let types = table.get("types").and_then(toml::Value::as_array);
    for t in types.into_iter().flatten() {
        let type_code = t.get("code").and_then(toml::Value::as_str).unwrap_or("");
        let fields = t.get("fields").and_then(toml::Value::as_array);
        for f in fields.into_iter().flatten() {
            let Some(f) = f.as_table() else { continue };
            let specific: &[&str] = match f.get("type").and_then(toml::Value::as_str) {
                Some("text") => &["max_len"],
                Some("decimal") => &["scale", "allow_negative"],
                Some("integer") => &["allow_negative"],
                Some("enum") => &["values"],
                _ => &[],
            };
            if let Some(key) = f
                .keys()
                .find(|k| !COMMON.contains(&k.as_str()) && !specific.contains(&k.as_str()))
            {
                return Err(CatalogError::UnknownFieldKey {
                    type_code: type_code.to_string(),
                    field: f
                        .get("name")
                        .and_then(toml::Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    key: key.clone(),
                });
            }
        }
    }
    Ok(())
}

/// Writes JSON with object keys sorted and no insignificant whitespace, independently of
/// serde_json's map ordering features.
fn write_canonical(v: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(v, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}
