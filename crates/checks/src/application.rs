//! The domain application (`chengxin_domain::rights::Application`) stored in an application
//! row's body; shared by the check index and the server's credit-rights services.

use chengxin_domain::rights::Application;
use chengxin_store::ApplicationRow;

/// The application a stored row holds.
pub fn app_of(row: &ApplicationRow) -> Result<Application, serde_json::Error> {
    serde_json::from_value(row.body.clone())
}
