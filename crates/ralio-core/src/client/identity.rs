use crate::error::RalioError;
use crate::model::{IdvSession, IdvSessionChecks, IdvSessionList, IdvSessionStateHistory};
use crate::query::ListQuery;
use crate::transport::Request;

super::sub_client! {
    /// Identity verification (IDV / KYC) sessions of a user.
    Identity
}

const BASE: [&str; 4] = ["api", "v1", "account", "users"];

impl Identity {
    /// `POST /api/v1/account/users/{uid}/identity-verifications` (createIdvSession).
    pub async fn create_session(&self, uid: &str) -> Result<IdvSession, RalioError> {
        let request = Request::post(&[&BASE[..], &[uid, "identity-verifications"]].concat());
        self.transport.call(request, &self.options).await
    }

    /// `GET /api/v1/account/users/{uid}/identity-verifications` (listIdvSessions), paged.
    pub async fn list_sessions(
        &self,
        uid: &str,
        query: &ListQuery,
    ) -> Result<IdvSessionList, RalioError> {
        let request =
            Request::get(&[&BASE[..], &[uid, "identity-verifications"]].concat()).list_query(query);
        self.transport.call(request, &self.options).await
    }

    /// `GET .../identity-verifications/{sessionId}/checks` (getIdvSessionChecks).
    pub async fn session_checks(
        &self,
        uid: &str,
        session_id: &str,
    ) -> Result<IdvSessionChecks, RalioError> {
        let request = Request::get(
            &[
                &BASE[..],
                &[uid, "identity-verifications", session_id, "checks"],
            ]
            .concat(),
        );
        self.transport.call(request, &self.options).await
    }

    /// `GET .../identity-verifications/{sessionId}/state-history` (getIdvSessionStateHistory).
    pub async fn session_state_history(
        &self,
        uid: &str,
        session_id: &str,
    ) -> Result<IdvSessionStateHistory, RalioError> {
        let request = Request::get(
            &[
                &BASE[..],
                &[uid, "identity-verifications", session_id, "state-history"],
            ]
            .concat(),
        );
        self.transport.call(request, &self.options).await
    }
}
