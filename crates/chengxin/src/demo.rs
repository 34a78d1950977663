pub struct DemoReport {
    pub already_loaded: bool,
    pub subjects: usize,
    pub employments: usize,
    pub records: usize,
}
pub async fn load(
    _s: &dyn chengxin_store::Store,
    _h: &chengxin_domain::subjects::IdHasher,
    _t: chrono::NaiveDate,
) -> anyhow::Result<DemoReport> {
    Ok(DemoReport {
        already_loaded: true,
        subjects: 0,
        employments: 0,
        records: 0,
    })
}
