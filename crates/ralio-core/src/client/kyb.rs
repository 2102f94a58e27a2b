use crate::error::RalioError;
use crate::model::{KybDocument, KybDocumentUpload, KybSession};
use crate::query::ListQuery;
use crate::transport::Request;

super::sub_client! {
    /// KYB sessions of a business user.
    Kyb
}

const BASE: [&str; 4] = ["api", "v1", "account", "business-user"];

impl Kyb {
    /// `POST /api/v1/account/business-user/{uid}/kyb-sessions` (createKybSession).
    pub async fn create_session(&self, uid: &str) -> Result<KybSession, RalioError> {
        let request = Request::post(&[&BASE[..], &[uid, "kyb-sessions"]].concat());
        self.transport.call(request, &self.options).await
    }

    /// `GET /api/v1/account/business-user/{uid}/kyb-sessions` (listKybSessions), bare array.
    pub async fn list_sessions(
        &self,
        uid: &str,
        query: &ListQuery,
    ) -> Result<Vec<KybSession>, RalioError> {
        let request = Request::get(&[&BASE[..], &[uid, "kyb-sessions"]].concat()).list_query(query);
        self.transport.call(request, &self.options).await
    }

    /// `POST .../kyb-sessions/{sessionId}/documents` (uploadKybDocument), multipart.
    pub async fn upload_document(
        &self,
        uid: &str,
        session_id: &str,
        upload: KybDocumentUpload,
    ) -> Result<KybDocument, RalioError> {
        let request =
            Request::post(&[&BASE[..], &[uid, "kyb-sessions", session_id, "documents"]].concat())
                .multipart(upload);
        self.transport.call(request, &self.options).await
    }

    /// `POST .../kyb-sessions/{sessionId}/submit` (submitKybSession).
    pub async fn submit_session(
        &self,
        uid: &str,
        session_id: &str,
    ) -> Result<KybSession, RalioError> {
        let request =
            Request::post(&[&BASE[..], &[uid, "kyb-sessions", session_id, "submit"]].concat());
        self.transport.call(request, &self.options).await
    }
}
