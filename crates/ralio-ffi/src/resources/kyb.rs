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
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.create_session(&uid).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::kyb::create_session(conn, options, uid).await
            }
        }
    }

    pub async fn list_sessions(
        &self,
        uid: String,
        query: ListQuery,
    ) -> Result<Vec<KybSession>, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.list_sessions(&uid, &query).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::kyb::list_sessions(conn, options, uid, query).await
            }
        }
    }

    pub async fn upload_document(
        &self,
        uid: String,
        session_id: String,
        upload: KybDocumentUpload,
    ) -> Result<KybDocument, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => {
                Ok(inner.upload_document(&uid, &session_id, upload).await?)
            }
            super::Backend::Gateway { conn, options } => {
                crate::gateway::kyb::upload_document(conn, options, uid, session_id, upload).await
            }
        }
    }

    pub async fn submit_session(
        &self,
        uid: String,
        session_id: String,
    ) -> Result<KybSession, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.submit_session(&uid, &session_id).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::kyb::submit_session(conn, options, uid, session_id).await
            }
        }
    }
}
