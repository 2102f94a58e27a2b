use ralio_core::ListQuery;
use ralio_core::model::{KybDocument, KybDocumentUpload, KybSession};

use crate::error::RalioFfiError;

super::ffi_sub_client! {
    /// KYB sessions of business users and their documents.
    Kyb
}

#[uniffi::export(async_runtime = "tokio")]
impl Kyb {
    pub async fn create_session(&self, uid: String) -> Result<KybSession, RalioFfiError> {
        Ok(self.inner.create_session(&uid).await?)
    }

    pub async fn list_sessions(
        &self,
        uid: String,
        query: ListQuery,
    ) -> Result<Vec<KybSession>, RalioFfiError> {
        Ok(self.inner.list_sessions(&uid, &query).await?)
    }

    pub async fn upload_document(
        &self,
        uid: String,
        session_id: String,
        upload: KybDocumentUpload,
    ) -> Result<KybDocument, RalioFfiError> {
        Ok(self
            .inner
            .upload_document(&uid, &session_id, upload)
            .await?)
    }

    pub async fn submit_session(
        &self,
        uid: String,
        session_id: String,
    ) -> Result<KybSession, RalioFfiError> {
        Ok(self.inner.submit_session(&uid, &session_id).await?)
    }
}
