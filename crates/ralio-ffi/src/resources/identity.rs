use ralio_core::ListQuery;
use ralio_core::model::{IdvSession, IdvSessionChecks, IdvSessionList, IdvSessionStateHistory};

use crate::error::RalioFfiError;

super::ffi_sub_client! {
    /// Identity verification (IDV / KYC) sessions.
    Identity
}

#[uniffi::export(async_runtime = "tokio")]
impl Identity {
    pub async fn create_session(&self, uid: String) -> Result<IdvSession, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.create_session(&uid).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::identity::create_session(conn, options, uid).await
            }
        }
    }

    pub async fn list_sessions(
        &self,
        uid: String,
        query: ListQuery,
    ) -> Result<IdvSessionList, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.list_sessions(&uid, &query).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::identity::list_sessions(conn, options, uid, query).await
            }
        }
    }

    pub async fn session_checks(
        &self,
        uid: String,
        session_id: String,
    ) -> Result<IdvSessionChecks, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.session_checks(&uid, &session_id).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::identity::session_checks(conn, options, uid, session_id).await
            }
        }
    }

    pub async fn session_state_history(
        &self,
        uid: String,
        session_id: String,
    ) -> Result<IdvSessionStateHistory, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => {
                Ok(inner.session_state_history(&uid, &session_id).await?)
            }
            super::Backend::Gateway { conn, options } => {
                crate::gateway::identity::session_state_history(conn, options, uid, session_id)
                    .await
            }
        }
    }
}
