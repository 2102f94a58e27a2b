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
        Ok(self.inner.create_session(&uid).await?)
    }

    pub async fn list_sessions(
        &self,
        uid: String,
        query: ListQuery,
    ) -> Result<IdvSessionList, RalioFfiError> {
        Ok(self.inner.list_sessions(&uid, &query).await?)
    }

    pub async fn session_checks(
        &self,
        uid: String,
        session_id: String,
    ) -> Result<IdvSessionChecks, RalioFfiError> {
        Ok(self.inner.session_checks(&uid, &session_id).await?)
    }

    pub async fn session_state_history(
        &self,
        uid: String,
        session_id: String,
    ) -> Result<IdvSessionStateHistory, RalioFfiError> {
        Ok(self.inner.session_state_history(&uid, &session_id).await?)
    }
}
