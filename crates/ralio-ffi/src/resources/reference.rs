use ralio_core::ListQuery;
use ralio_core::model::ActivityList;

use crate::error::RalioFfiError;

super::ffi_sub_client! {
    /// Reference data (the activity catalogue).
    Reference
}

#[uniffi::export(async_runtime = "tokio")]
impl Reference {
    /// `language` is sent as `Accept-Language` (`es` returns Spanish names).
    pub async fn list_activities(
        &self,
        query: ListQuery,
        language: Option<String>,
    ) -> Result<ActivityList, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.list_activities(&query, language).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::reference::list_activities(conn, options, query, language).await
            }
        }
    }
}
